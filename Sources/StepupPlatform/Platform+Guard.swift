import Foundation
import StepupCore
import StepupStore

/// What an extension host's MFA guard asks of the platform.
extension Platform {
    /// Consumes the first completion of `session` matching one of `contexts` (in order), or, with `freshFor`, finds
    /// one completed within that many seconds without consuming it (``CompletionPolicy``). Returns the context it
    /// matched. Only a completion of at least `level` counts.
    public func satisfy(contexts: [MFAContext], freshFor: Int?, level: AssuranceLevel = .aal1, session: Session) async throws
        -> MFAContext?
    {
        let now = clock.now
        return try await store.write { tx in
            try await CompletionPolicy.satisfy(
                contexts: contexts, freshFor: freshFor, level: level, at: now,
                in: StoreCompletionLedger(tx: tx, session: session))
        }
    }

    /// The state and context of one of the session's challenges, nil if it has none with that id.
    public func challengeState(id: String, session: Session) async throws -> (state: ChallengeState, context: MFAContext)? {
        guard let challenge = try await store.read({ try await $0.challenge(id: id) }), challenge.sessionID == session.id
        else { return nil }
        return (challenge.state, challenge.context)
    }

    /// The user's registration value for an MFA provider (`mfa_registration`) and SSO identifier (`sso_user_logon`).
    public func registration(userID: String, provider: String) async throws -> (registration: String?, sso: String?) {
        try await store.read { tx in
            (try await tx.registration(userID: userID, provider: provider), try await tx.ssoIdentifier(userID: userID))
        }
    }
}

/// ``CompletionPolicy``'s reads and writes on an open write transaction, for one session.
struct StoreCompletionLedger: CompletionLedger {
    let tx: StoreTransaction
    let session: Session

    func properties() async throws -> SystemProperties { try await tx.systemProperties() }

    func consume(_ context: MFAContext, level: AssuranceLevel, notBefore: Date, at now: Date) async throws -> MFACompletion? {
        guard
            let completion = try await tx.consumeCompletion(
                sessionID: session.id, context: context, level: level, notBefore: notBefore, at: now)
        else { return nil }
        try await tx.append(
            AuditEvent(
                at: now, action: "mfa.completion.consumed", outcome: .success, userID: completion.userID,
                sessionID: session.id, challengeID: completion.challengeID,
                details: ["context": context.kind, "completion": completion.id]))
        return completion
    }

    func reuse(_ context: MFAContext, level: AssuranceLevel, notBefore: Date, freshFor: Int, at now: Date) async throws
        -> MFACompletion?
    {
        guard
            let completion = try await tx.freshCompletion(
                sessionID: session.id, context: context, level: level, notBefore: notBefore)
        else { return nil }
        try await tx.append(
            AuditEvent(
                at: now, action: "mfa.completion.reused", outcome: .success, userID: session.userID,
                sessionID: session.id, challengeID: completion.challengeID,
                details: ["context": context.kind, "freshFor": String(freshFor)]))
        return completion
    }
}
