import Foundation
import StepupCore
import StepupStore

/// What an extension host's MFA guard asks of the platform.
extension Platform {
    /// Consumes the first completion of `session` matching one of `contexts` (in order), or, with `freshFor`, finds
    /// one completed within that many seconds without consuming it. Returns the context it matched.
    public func satisfy(contexts: [MFAContext], freshFor: Int?, session: Session) async throws -> MFAContext? {
        let now = clock.now
        // A remote service's description names this number: bounded before it becomes a date.
        if let freshFor, !(1...86_400).contains(freshFor) {
            throw StepupError(.badRequest, message: "A freshness window is 1 to 86400 seconds.")
        }
        if let freshFor {
            return try await store.write { tx in
                let notBefore = now.addingTimeInterval(-Double(freshFor))
                for context in contexts {
                    if let completion = try await tx.freshCompletion(sessionID: session.id, context: context, notBefore: notBefore) {
                        try await tx.append(
                            AuditEvent(
                                at: now, action: "mfa.completion.reused", outcome: .success, userID: session.userID,
                                sessionID: session.id, challengeID: completion.challengeID,
                                details: ["context": context.kind, "freshFor": String(freshFor)]))
                        return context
                    }
                }
                return nil
            }
        }
        for context in contexts {
            if try await consumeCompletion(session: session, context: context) != nil { return context }
        }
        return nil
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
