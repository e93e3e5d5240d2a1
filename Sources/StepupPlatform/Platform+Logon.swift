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
    /// Unknown usernames cost one bcrypt verification like known ones and answer the same `logon_failed`. Each
    /// attempt reserves a slot per username and per client address *before* bcrypt runs, so parallel guesses on
    /// any number of nodes are checked at most as often as the limits allow; past either limit the answer is
    /// `logon_throttled` and no password is checked. A wrong password keeps both slots; a right one clears the
    /// username's and gives the address's back.
    public func logon(username: String, password: String, clientAddress: String?, userAgent: String? = nil) async throws
        -> LogonResult
    {
        let now = clock.now
        let config = configuration
        let windowStart = now.addingTimeInterval(-config.logonThrottleWindow)
        let address = clientAddress ?? "unknown"
        let normalized = username.trimmingCharacters(in: .whitespaces).lowercased()
        guard !normalized.isEmpty, normalized.utf8.count <= 256 else { throw StepupError(.logonFailed) }

        let reserved: (User?, [String]?) = try await store.write { tx in
            let user = try await tx.user(username: normalized)
            let slots = [
                RateSlot(scope: "logon.user", subject: normalized, limit: config.logonFailuresPerUser),
                RateSlot(scope: "logon.address", subject: address, limit: config.logonFailuresPerAddress),
            ]
            guard let ids = try await tx.reserveRateEvents(slots, since: windowStart, at: now) else {
                try await tx.append(
                    AuditEvent(
                        at: now, action: "logon.throttled", outcome: .failure, userID: user?.id,
                        details: ["clientAddress": address]))
                return (user, nil)
            }
            return (user, ids)
        }
        let (user, slotIDs) = reserved
        // Now and then, on its own, the throttle's tables are pruned of what no window still asks about.
        if UInt8.random(in: 0...255) == 0 {
            try? await store.write { tx in try await tx.pruneRateLimits(before: now.addingTimeInterval(-86_400)) }
        }
        guard let slotIDs else { throw StepupError(.logonThrottled, retryAfter: Int(config.logonThrottleWindow)) }
        let addressSlot = slotIDs[1]

        let passwordMatches = await hasher.verify(password, hash: user?.passwordHash)
        guard let user, passwordMatches else {
            try await store.write { tx in
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
            var session = Session(
                secretDigest: secrets.sessionDigest, csrfDigest: secrets.csrfDigest, userID: user.id, stage: stage,
                createdAt: now, clientAddress: clientAddress)
            session.userAgent = userAgent.map { String($0.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F }.prefix(256)) }
            try await tx.insert(session)
            try await tx.clearRateEvents(scope: "logon.user", subject: normalized)
            try await tx.releaseRateEvent(id: addressSlot)
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
