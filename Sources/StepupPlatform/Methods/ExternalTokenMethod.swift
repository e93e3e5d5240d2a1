import Foundation
import StepupCore
import StepupStore

/// A token the user's external MFA extension set for the challenge (the seeds' steps 2–7): the extension proves the
/// user in its own page inside the dialog, and the page hands the token to `verifyMFA`. When a user has an external
/// MFA for a context it is the only way offered there.
public struct ExternalTokenMethod: MFAMethod {
    public struct Proof: Decodable, Sendable {
        public let token: String
        public init(token: String) { self.token = token }
    }

    public let id = MFAMethodID.externalToken
    public var isExclusive: Bool { true }
    let directory: ExtensionDirectory

    public init(directory: ExtensionDirectory) { self.directory = directory }

    public func offer(_ step: MethodStep) async throws -> MethodOffer? {
        guard let name = try await provider(step) else { return nil }
        return MethodOffer(method: id, label: "Verify with \(name)", frame: MethodFrame(extension: name))
    }

    /// Only a challenge whose context has an external MFA for this user takes external tokens; a wrong token for
    /// one that does still counts as a failure, so the extension's own wrong answers reach the counter this way.
    public func precheck(_ step: MethodStep) async throws -> StepupError? {
        guard try await provider(step) == nil else { return nil }
        return StepupError(.illegalTransition, message: "No external verification is pending for this challenge.")
    }

    /// Compared in constant time against the challenge's tokens from this session, once (`useExternalToken` is a
    /// conditional update), before expiry.
    public func verify(_ proof: Proof, _ step: inout MethodStep) async throws -> StepupError? {
        let token = String(proof.token.prefix(300))
        let (tx, challenge, now) = (step.transaction, step.challenge, step.now)
        var replayed = false
        for record in try await tx.externalTokens(challengeID: challenge.id) where record.sessionID == step.session.id {
            guard SecretHash.matches(token, digest: record.tokenDigest, salt: challenge.id) else { continue }
            if record.usedAt != nil {
                replayed = true
                continue
            }
            if now >= record.expiresAt { return StepupError(.codeExpired, message: "The external verification has expired.") }
            if try await tx.useExternalToken(id: record.id, at: now) { return nil }
            replayed = true
        }
        return StepupError(replayed ? .tokenReplayed : .tokenInvalid)
    }

    private func provider(_ step: MethodStep) async throws -> String? {
        try await directory.provider(userID: step.challenge.userID, context: step.challenge.context, in: step.transaction)
    }
}

extension Platform {
    /// The seed's step 7: the banking app hands the platform the token the extension's page received
    /// (``ExternalTokenMethod``), under the user's failure counter.
    public func verifyExternalToken(challengeID: String, token: String, session: Session) async throws -> VerificationResult {
        try await verify(
            try builtIn(.externalToken, as: ExternalTokenMethod.self), proof: .init(token: token), challengeID: challengeID,
            session: session)
    }
}
