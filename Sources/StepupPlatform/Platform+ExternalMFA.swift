import Foundation
import StepupCore
import StepupStore

extension Platform {
    /// Seconds an external MFA token stays valid.
    static let externalTokenLifetime: TimeInterval = 120

    /// The extension that is `userID`'s external MFA for `context` (``ExtensionDirectory``).
    public func externalMFAProvider(userID: String, context: MFAContext) async throws -> String? {
        let directory = self.directory
        return try await store.read { try await directory.provider(userID: userID, context: context, in: $0) }
    }

    /// The seed's step 2–3: an extension hands the platform a token for the session's pending challenge. Only the
    /// extension the platform names as this user's external MFA for that challenge's context may; the token (at least
    /// 128 bits) is kept as a digest, bound to the session, the challenge and the extension, for two minutes, once.
    public func setExternalMFAToken(_ token: String, extensionName: String, session: Session) async throws {
        try ExternalMFATokenRule.validate(token)
        let now = clock.now
        let challenge = try await namedExternalChallenge(extensionName: extensionName, session: session, now: now)
        let digest = SecretHash.digest(token, salt: challenge.id)
        try await store.write { tx in
            // The challenge's state is left as it is: it changes only when the token is verified, so a page
            // reading the state cannot learn whether a proof held before `verify-external`.
            guard let current = try await tx.challenge(id: challenge.id), current.state.isOpen else {
                throw StepupError(.challengeClosed)
            }
            try await tx.insertExternalToken(
                id: SecureRandom.identifier(), sessionID: session.id, challengeID: challenge.id, extensionName: extensionName,
                tokenDigest: digest, at: now, expiresAt: now.addingTimeInterval(Self.externalTokenLifetime))
            try await tx.append(
                AuditEvent(at: now, action: "mfa.external.token_set", outcome: .success, userID: session.userID, sessionID: session.id,
                           challengeID: challenge.id, details: ["extension": extensionName]))
        }
    }

    /// Starts a counted external proof (``StepupSDK``'s `externalMFA.attempt`): reserves one failure on the user's
    /// counter for the session's pending challenge, before the extension compares anything, and returns the
    /// attempt's id. Refused (`user_locked`) once the counter is at its limit, so parallel guesses stop there.
    public func beginExternalAttempt(extensionName: String, session: Session) async throws -> String {
        let now = clock.now
        let pending = try await namedExternalChallenge(extensionName: extensionName, session: session, now: now)
        return try await commit { tx in
            let properties = try await tx.systemProperties()
            guard var challenge = try await tx.challenge(id: pending.id), challenge.state.isOpen else {
                return .failure(StepupError(.challengeClosed))
            }
            switch try await tx.reserveAttempt(userID: challenge.userID, limit: properties.attemptLimit, at: now) {
            case .locked:
                return .failure(try await Self.refuseLocked(&challenge, properties: properties, now: now, in: tx))
            case .reserved:
                let id = SecureRandom.identifier()
                try await tx.insertExternalAttempt(
                    id: id, sessionID: session.id, challengeID: challenge.id, extensionName: extensionName, at: now)
                return .success(id)
            }
        }
    }

    /// Ends a counted external proof, once. A proof that held gives its failure back and sets a fresh token (256
    /// bits) for the challenge, answered for `verifyMFA`; one that failed keeps the failure, is audited like a
    /// wrong code, locks the user at the limit, and answers `external_proof_invalid` with the attempts left (or
    /// `attempts_exhausted`). Both write the same rows (a token row, the counter, an audit event): a decoy token
    /// that can never verify stands in for the real one, so neither the state nor the time taken tells them apart.
    public func finishExternalAttempt(
        _ attemptID: String, succeeded: Bool, extensionName: String, session: Session
    ) async throws -> String {
        let now = clock.now
        let token = SecureRandom.token(bits: 256)
        return try await commit { tx in
            let properties = try await tx.systemProperties()
            guard attemptID.count <= 64,
                let challengeID = try await tx.finishExternalAttempt(
                    id: attemptID, sessionID: session.id, extensionName: extensionName, at: now)
            else {
                return .failure(StepupError(.forbidden, message: "That attempt is unknown or already finished."))
            }
            guard var challenge = try await tx.challenge(id: challengeID) else { return .failure(StepupError(.challengeClosed)) }
            // The challenge may have ended meanwhile (another attempt locked it, the user cancelled): a failure still
            // counted, so it is audited and stores the lockout at the limit all the same.
            let isOpen = challenge.state.isOpen
            if !isOpen && succeeded { return .failure(StepupError(.challengeClosed)) }
            if isOpen {
                let stored = succeeded ? token : SecureRandom.token(bits: 256)
                try await tx.insertExternalToken(
                    id: SecureRandom.identifier(), sessionID: session.id, challengeID: challenge.id,
                    extensionName: extensionName, tokenDigest: SecretHash.digest(stored, salt: challenge.id), at: now,
                    expiresAt: now.addingTimeInterval(Self.externalTokenLifetime))
                // A proof that held gives its slot back first, so the audited count is what stands after it.
                if succeeded { try await tx.releaseAttempt(userID: challenge.userID) }
            }
            let failures = try await tx.failureCounter(userID: challenge.userID)?.failures ?? 0
            try await tx.append(
                AuditEvent(
                    at: now, action: succeeded ? "mfa.external.token_set" : "mfa.verify",
                    outcome: succeeded ? .success : .failure, userID: challenge.userID, sessionID: session.id,
                    challengeID: challenge.id,
                    details: [
                        "extension": extensionName, "method": MFAMethodID.externalToken.rawValue,
                        "failures": String(failures), "challenge": challenge.state.rawValue,
                    ]))
            if succeeded { return .success(token) }
            let limit = properties.attemptLimit
            var refusal = StepupError(.externalProofInvalid, attemptsLeft: max(0, limit - failures))
            if failures >= limit { refusal = try await Self.exhaust(&challenge, properties: properties, now: now, in: tx) }
            return .failure(isOpen ? refusal : StepupError(.challengeClosed))
        }
    }

    /// The pending challenge `extensionName` may prove the user for, or a refusal, audited.
    private func namedExternalChallenge(extensionName: String, session: Session, now: Date) async throws -> Challenge {
        if let challenge = try await pendingExternalChallenge(extensionName: extensionName, session: session) { return challenge }
        try await store.write { tx in
            try await tx.append(
                AuditEvent(at: now, action: "mfa.external.refused", outcome: .failure, userID: session.userID, sessionID: session.id,
                           details: ["extension": extensionName, "reason": "not this user's external MFA for a pending challenge"]))
        }
        throw StepupError(.forbidden, message: "This extension is not the user's external MFA for a pending challenge.")
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
}
