import StepupCore

/// The one way an extension tests a user's secret for external MFA: an attempt the platform counts.
///
/// ```swift
/// let token = try await request.platform.externalMFA.attempt {
///     Passphrase.matches(phrase, registration: request.mfaInfo.registrationValue)
/// }
/// return try .json(["token": token])   // the page passes it to bridge.actions.verifyMFA({token})
/// ```
///
/// `attempt` first reserves one failure on the user's failure counter (the same counter wrong codes and TOTP
/// guesses use, on every node), and only then runs the proof. A proof that holds gives the slot back and mints the
/// external MFA token; one that fails keeps it and throws `external_proof_invalid` with the attempts left, or
/// `attempts_exhausted` / `user_locked` with the lockout's end. Parallel guesses therefore stop at the limit, as
/// wrong codes do.
///
/// A secret tested anywhere else (a check and then ``PlatformClient/issueExternalMFAToken()``) is a defect: a
/// wrong guess would cost the guesser nothing, and an attacker could try every passphrase. Use
/// ``PlatformClient/setExternalMFAToken(_:)`` only when the proof was made somewhere that has its own lockout (an
/// identity provider's sign-in).
public struct ExternalMFA: Sendable {
    let client: any PlatformClient

    /// Runs `proof` inside a counted attempt; returns the external MFA token when it held.
    ///
    /// A proof that throws counts as a failed attempt (so an error cannot be a way around the counter), and its
    /// error is rethrown.
    public func attempt(_ proof: @Sendable () async throws -> Bool) async throws -> String {
        let attemptID = try await client.beginExternalMFAAttempt()
        let held: Bool
        do {
            held = try await proof()
        } catch {
            _ = try? await client.finishExternalMFAAttempt(attemptID, succeeded: false)
            throw error
        }
        return try await client.finishExternalMFAAttempt(attemptID, succeeded: held)
    }
}

extension PlatformClient {
    /// Counted proofs for external MFA: see ``ExternalMFA``.
    public var externalMFA: ExternalMFA { ExternalMFA(client: self) }
}
