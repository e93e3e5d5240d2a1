import Foundation
import StepupCore
import StepupStore

extension Platform {
    /// Seconds an external MFA token stays valid.
    static let externalTokenLifetime: TimeInterval = 120

    /// The extension that is `userID`'s external MFA for `context`: an in-process or registered extension that
    /// serves the context's kind as external MFA and for which the user has a registration (`mfa_registration`).
    public func externalMFAProvider(userID: String, context: MFAContext) async throws -> String? {
        let registered = (try? await registeredExtensions()) ?? []
        var providers = externalMFAProviders
        for ext in registered where !ext.externalMFAContexts.isEmpty { providers[ext.name] = ext.externalMFAContexts }
        for name in providers.keys.sorted() where providers[name]?.contains(context.kind) == true {
            if try await store.read({ try await $0.registration(userID: userID, provider: name) }) != nil { return name }
        }
        return nil
    }

    /// The seed's step 2–3: an extension hands the platform a token for the session's pending challenge. Only the
    /// extension the platform names as this user's external MFA for that challenge's context may; the token (at least
    /// 128 bits) is kept as a digest, bound to the session, the challenge and the extension, for two minutes, once.
    public func setExternalMFAToken(_ token: String, extensionName: String, session: Session) async throws {
        guard token.count >= 22, token.count <= 256, token.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else {
            throw StepupError(.badRequest, message: "An external MFA token has 22 to 256 URL-safe characters (at least 128 bits).")
        }
        let now = clock.now
        guard let challenge = try await pendingExternalChallenge(extensionName: extensionName, session: session) else {
            try await store.write { tx in
                try await tx.append(
                    AuditEvent(at: now, action: "mfa.external.refused", outcome: .failure, userID: session.userID, sessionID: session.id,
                               details: ["extension": extensionName, "reason": "not this user's external MFA for a pending challenge"]))
            }
            throw StepupError(.forbidden, message: "This extension is not the user's external MFA for a pending challenge.")
        }
        let digest = SecretHash.digest(token, salt: challenge.id)
        try await store.write { tx in
            guard var current = try await tx.challenge(id: challenge.id), current.state.isOpen else {
                throw StepupError(.challengeClosed)
            }
            if current.state != .externalChosen {
                try current.apply(.chooseExternal, at: now)
                try await tx.update(current)
            }
            try await tx.insertExternalToken(
                id: SecureRandom.identifier(), sessionID: session.id, challengeID: challenge.id, extensionName: extensionName,
                tokenDigest: digest, at: now, expiresAt: now.addingTimeInterval(Self.externalTokenLifetime))
            try await tx.append(
                AuditEvent(at: now, action: "mfa.external.token_set", outcome: .success, userID: session.userID, sessionID: session.id,
                           challengeID: challenge.id, details: ["extension": extensionName]))
        }
    }

    /// The session's newest open challenge that `extensionName` serves as this user's external MFA; what its
    /// `mfaInfo` describes and what a token it sets is bound to.
    public func pendingExternalChallenge(extensionName: String, session: Session) async throws -> Challenge? {
        let now = clock.now
        let open = try await store.read { try await $0.openChallenges(sessionID: session.id) }.filter { now < $0.expiresAt }
        for challenge in open where try await externalMFAProvider(userID: session.userID, context: challenge.context) == extensionName {
            return challenge
        }
        return nil
    }

    /// An extension's own audit event (``ExtensionEventLimits`` bounds it), as `ext.{extension}.{action}` for the
    /// session's user, so a bank reads an extension's decisions beside its own.
    public func recordExtensionEvent(
        _ action: String, succeeded: Bool, details: [String: String], extensionName: String, session: Session
    ) async throws {
        try ExtensionEventLimits.validate(action: action, details: details)
        var all = details
        all["extension"] = extensionName
        let event = AuditEvent(
            at: clock.now, action: "ext.\(extensionName).\(action)", outcome: succeeded ? .success : .failure,
            userID: session.userID, sessionID: session.id, details: all)
        try await store.write { try await $0.append(event) }
    }

    /// Mints a token of 256 bits and sets it (``setExternalMFAToken(_:extensionName:session:)``); returns it.
    public func issueExternalMFAToken(extensionName: String, session: Session) async throws -> String {
        let token = SecureRandom.token(bits: 256)
        try await setExternalMFAToken(token, extensionName: extensionName, session: session)
        return token
    }

    /// The seed's step 7: the banking app hands the platform the token the extension's page received. Verified in
    /// constant time against the challenge's tokens, once, before expiry, under the user's failure counter.
    public func verifyExternalToken(challengeID: String, token: String, session: Session) async throws -> VerificationResult {
        // Only a challenge whose context has an external MFA for this user takes external tokens (a wrong one still
        // counts as a failure: the extension's own wrong answers reach the counter this way).
        if let challenge = try await store.read({ try await $0.challenge(id: challengeID) }), challenge.sessionID == session.id,
            challenge.state.isOpen, try await externalMFAProvider(userID: session.userID, context: challenge.context) == nil
        {
            throw StepupError(.illegalTransition, message: "No external verification is pending for this challenge.")
        }
        return try await verify(challengeID: challengeID, session: session, method: .externalToken) { tx, challenge, now in
            var replayed = false
            for record in try await tx.externalTokens(challengeID: challenge.id) where record.sessionID == session.id {
                guard SecretHash.matches(token, digest: record.tokenDigest, salt: challenge.id) else { continue }
                if record.usedAt != nil { replayed = true; continue }
                if now >= record.expiresAt { return StepupError(.codeExpired, message: "The external verification has expired.") }
                if try await tx.useExternalToken(id: record.id, at: now) { return nil }
                replayed = true
            }
            return StepupError(replayed ? .tokenReplayed : .tokenInvalid)
        }
    }
}
