import Foundation
import StepupCore
import StepupStore

/// What a successful password check gives the browser.
public struct LogonResult: Sendable {
    public let issued: IssuedSession
    public let user: User
    /// The logon challenge to complete before the session is authenticated; nil when no MFA is needed.
    public let challenge: Challenge?
}

extension Platform {
    /// Checks a username and password and opens a session: authenticated at once, or pre-authenticated with a logon
    /// challenge when the user's policy asks for MFA.
    ///
    /// Unknown usernames cost one bcrypt verification like known ones and answer the same `logon_failed`. Failed
    /// attempts are counted per username and per client address; past either limit the answer is
    /// `logon_throttled` before any password is checked.
    public func logon(username: String, password: String, clientAddress: String?) async throws -> LogonResult {
        let now = clock.now
        let config = configuration
        let windowStart = now.addingTimeInterval(-config.logonThrottleWindow)
        let address = clientAddress ?? "unknown"
        let normalized = username.trimmingCharacters(in: .whitespaces).lowercased()

        let (user, throttled) = try await store.read { tx in
            let byUser = try await tx.rateEventCount(scope: "logon.user", subject: normalized, since: windowStart)
            let byAddress = try await tx.rateEventCount(scope: "logon.address", subject: address, since: windowStart)
            let throttled = byUser >= config.logonFailuresPerUser || byAddress >= config.logonFailuresPerAddress
            return (try await tx.user(username: normalized), throttled)
        }
        if throttled {
            try await store.write { tx in
                try await tx.append(
                    AuditEvent(
                        at: now, action: "logon.throttled", outcome: .failure, userID: user?.id,
                        details: ["clientAddress": address]))
            }
            throw StepupError(.logonThrottled, retryAfter: Int(config.logonThrottleWindow))
        }

        let passwordMatches = await hasher.verify(password, hash: user?.passwordHash)
        guard let user, passwordMatches else {
            try await store.write { tx in
                try await tx.recordRateEvent(scope: "logon.user", subject: normalized, at: now)
                try await tx.recordRateEvent(scope: "logon.address", subject: address, at: now)
                try await tx.append(
                    AuditEvent(
                        at: now, action: "logon.password", outcome: .failure, userID: user?.id,
                        details: ["clientAddress": address]))
            }
            throw StepupError(.logonFailed)
        }

        return try await store.write { tx in
            let properties = try await tx.systemProperties()
            let secrets = SessionSecrets()
            let stage: SessionStage = user.logonMFA == .always ? .preAuthentication : .authenticated
            let session = Session(
                secretDigest: secrets.sessionDigest, csrfDigest: secrets.csrfDigest, userID: user.id, stage: stage,
                createdAt: now, clientAddress: clientAddress)
            try await tx.insert(session)
            try await tx.clearRateEvents(scope: "logon.user", subject: normalized)
            try await tx.append(
                AuditEvent(
                    at: now, action: "logon.password", outcome: .success, userID: user.id, sessionID: session.id,
                    details: ["clientAddress": address, "stage": stage.rawValue]))
            var challenge: Challenge?
            if stage == .preAuthentication {
                let opened = Challenge(
                    userID: user.id, sessionID: session.id, context: .logon, createdAt: now,
                    lifetime: TimeInterval(properties.challengeLifetime))
                try await tx.insert(opened)
                try await tx.append(Self.challengeOpened(opened, at: now))
                challenge = opened
            }
            return LogonResult(
                issued: IssuedSession(session: session, secrets: secrets), user: user, challenge: challenge)
        }
    }

    static func challengeOpened(_ challenge: Challenge, at now: Date) -> AuditEvent {
        AuditEvent(
            at: now, action: "mfa.challenge.opened", outcome: .info, userID: challenge.userID,
            sessionID: challenge.sessionID, challengeID: challenge.id, details: ["context": challenge.context.kind])
    }
}
