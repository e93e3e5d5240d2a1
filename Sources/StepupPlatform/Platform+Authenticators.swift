import Foundation
import StepupCore
import StepupStore

/// An authenticator app being set up: what the security centre shows once (the QR code is drawn from ``uri``).
public struct AuthenticatorEnrolment: Sendable, Equatable {
    public let id: String
    public let name: String
    /// The `otpauth://totp/…` key URI the app scans.
    public let uri: String
    /// The secret in Base32, in groups of four, for typing it in by hand.
    public let secretGroups: [String]
    public let expiresAt: Date
}

extension Platform {
    /// Minutes a customer has to scan the code and type the first code back.
    static let enrolmentLifetime: TimeInterval = 600
    /// Wrong first codes before the set-up ends.
    static let enrolmentAttempts = 5

    /// The customer's authenticator apps, oldest first.
    public func authenticators(session: Session) async throws -> [AuthenticatorInfo] {
        guard session.stage == .authenticated else { throw StepupError(.notAuthenticated) }
        return try await store.read { try await $0.authenticators(userID: session.userID) }
    }

    /// Starts setting up an authenticator app, once this session confirmed it (`mfa_required` otherwise): a new
    /// 160-bit secret, sealed and kept pending for this session for ten minutes. It verifies nothing until
    /// ``confirmAuthenticator(id:code:session:)`` sees a code made from it.
    public func beginAuthenticator(name raw: String?, session: Session) async throws -> AuthenticatorEnrolment {
        guard session.stage == .authenticated else { throw StepupError(.notAuthenticated) }
        let keys = try requireKeys()
        let name = try Self.factorName(raw, default: "Authenticator app")
        let now = clock.now
        let bank = configuration.bankName
        return try await commit { tx in
            let properties = try await tx.systemProperties()
            let level = try await Self.addLevel(userID: session.userID, in: tx)
            if let refusal = try await Self.requireConfirmed(
                .addAuthenticator, level: level, session: session, properties: properties, now: now, in: tx)
            {
                return .failure(refusal)
            }
            guard let user = try await tx.user(id: session.userID) else { return .failure(StepupError(.notAuthenticated)) }
            try await tx.prunePendingAccessTokens(userID: user.id, at: now)
            let token = AccessToken(id: SortableID.make(at: now), userID: user.id, secret: SecureRandom.bytes(20))
            let expiresAt = now.addingTimeInterval(Self.enrolmentLifetime)
            try await tx.insertPending(
                try AccessTokenSecrets.seal(token, keys: keys), name: name, sessionID: session.id, expiresAt: expiresAt, at: now)
            try await tx.append(
                AuditEvent(
                    at: now, action: "security.authenticator.started", outcome: .info, userID: user.id,
                    sessionID: session.id, details: ["token": token.id]))
            let secret = Base32.encode(token.secret)
            let groups = stride(from: 0, to: secret.count, by: 4).map { start in
                String(secret.dropFirst(start).prefix(4))
            }
            return .success(
                AuthenticatorEnrolment(
                    id: token.id, name: name, uri: OTPAuthURI.totp(try token.totp(), issuer: bank, account: user.username),
                    secretGroups: groups, expiresAt: expiresAt))
        }
    }

    /// Finishes the set-up with the first code the app shows: the authenticator becomes usable, with that code's
    /// time step spent (it cannot also pass a challenge). A wrong code spends one of five attempts; after those,
    /// or after ten minutes, or from another session, the set-up is gone (`enrolment_expired`).
    public func confirmAuthenticator(id: String, code: String, session: Session) async throws -> AuthenticatorInfo {
        guard session.stage == .authenticated else { throw StepupError(.notAuthenticated) }
        let keys = try requireKeys()
        let attempt = String(code.filter { !$0.isWhitespace }.prefix(16))
        let now = clock.now
        let confirmed: AuthenticatorInfo = try await commit { tx in
            guard
                let record = try await tx.pendingAccessToken(
                    id: id, userID: session.userID, sessionID: session.id, attemptLimit: Self.enrolmentAttempts, at: now),
                try await tx.spendEnrolAttempt(id: id, attemptLimit: Self.enrolmentAttempts)
            else { return .failure(StepupError(.enrolmentExpired)) }
            let token = try AccessTokenSecrets.open(record, keys: keys)
            guard case .accepted(let step) = try token.totp().verify(attempt, at: now, lastUsedStep: nil) else {
                try await tx.append(
                    AuditEvent(
                        at: now, action: "security.authenticator.code_refused", outcome: .failure, userID: session.userID,
                        sessionID: session.id, details: ["token": id]))
                return .failure(StepupError(.tokenInvalid, message: "That code is not the one your app shows. Try the next one."))
            }
            guard try await tx.confirmAccessToken(id: id, userID: session.userID, sessionID: session.id, step: step, at: now),
                let info = try await tx.authenticators(userID: session.userID).first(where: { $0.id == id })
            else { return .failure(StepupError(.enrolmentExpired)) }
            try await tx.append(
                AuditEvent(
                    at: now, action: "security.authenticator.added", outcome: .success, userID: session.userID,
                    sessionID: session.id, details: ["token": id]))
            return .success(info)
        }
        await notify(SecurityNotice(userID: session.userID, headline: "A new authenticator app was added to your online banking"))
        return confirmed
    }

    /// Removes an authenticator app, once this session confirmed it, never the last way to verify.
    public func removeAuthenticator(id: String, session: Session) async throws {
        guard session.stage == .authenticated else { throw StepupError(.notAuthenticated) }
        let now = clock.now
        let _: Bool = try await commit { tx in
            let properties = try await tx.systemProperties()
            guard try await tx.authenticators(userID: session.userID).contains(where: { $0.id == id }) else {
                return .failure(StepupError(.notFound, message: "You have no such authenticator app."))
            }
            if let refusal = try await FactorInventory.refuseRemoval(
                .authenticator(id), userID: session.userID, passkeysOffered: self.configuration.passkeys != nil, keys: self.keys,
                properties: properties, in: tx)
            {
                return .failure(refusal)
            }
            if let refusal = try await Self.requireConfirmed(
                .removeAuthenticator, level: .aal2, session: session, properties: properties, now: now, in: tx)
            {
                return .failure(refusal)
            }
            guard try await tx.removeAccessToken(id: id, userID: session.userID) else {
                return .failure(StepupError(.notFound, message: "You have no such authenticator app."))
            }
            try await tx.append(
                AuditEvent(
                    at: now, action: "security.authenticator.removed", outcome: .success, userID: session.userID,
                    sessionID: session.id, details: ["token": id]))
            return .success(true)
        }
        await notify(SecurityNotice(userID: session.userID, headline: "An authenticator app was removed from your online banking"))
    }

    /// 1 to 64 characters of printable text, trimmed; `fallback` when none is given.
    static func factorName(_ raw: String?, default fallback: String) throws -> String {
        let name = (raw ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if name.isEmpty { return fallback }
        guard name.count <= 64, !name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw StepupError(.badRequest, message: "A name has 1 to 64 characters.")
        }
        return name
    }
}
