import Foundation
import StepupCore
import StepupStore

/// One of the customer's sessions as the security centre lists it.
public struct SessionInfo: Sendable, Equatable {
    public let id: String
    public let createdAt: Date
    public let lastSeenAt: Date
    public let clientAddress: String?
    public let userAgent: String?
    /// The session asking.
    public let current: Bool
}

extension Platform {
    /// The audit actions a customer sees under "Recent security events".
    static let securityEventActions = [
        "logon.password", "mfa.lockout", "mfa.recovery.used", "logon.throttled",
        "security.passkey.added", "security.passkey.removed", "admin.passkey.removed",
        "security.authenticator.added", "security.authenticator.removed",
        "security.target.added", "security.target.removed", "security.recovery.generated",
        "security.sessions.ended",
    ]

    /// The customer's live sessions, the current one included, most recently active first.
    public func sessions(session: Session) async throws -> [SessionInfo] {
        guard session.stage == .authenticated else { throw StepupError(.notAuthenticated) }
        let now = clock.now
        return try await store.read { tx in
            let properties = try await tx.systemProperties()
            return try await tx.sessions(
                userID: session.userID, activeSince: now.addingTimeInterval(-Double(properties.sessionIdleTimeout))
            )
            .filter { $0.isLive(at: now, properties: properties) }
            .map {
                SessionInfo(
                    id: $0.id, createdAt: $0.createdAt, lastSeenAt: $0.lastSeenAt, clientAddress: $0.clientAddress,
                    userAgent: $0.userAgent, current: $0.id == session.id)
            }
        }
    }

    /// Ends every other session of the customer ("sign out everywhere else"); returns how many ended.
    ///
    /// No step-up: it only takes access away, and a customer whose phone was stolen must be able to do it with
    /// the session they have.
    public func endOtherSessions(session: Session) async throws -> Int {
        guard session.stage == .authenticated else { throw StepupError(.notAuthenticated) }
        let now = clock.now
        return try await store.write { tx in
            let ended = try await tx.endSessions(userID: session.userID, except: session.id, at: now)
            try await tx.append(
                AuditEvent(
                    at: now, action: "security.sessions.ended", outcome: .success, userID: session.userID,
                    sessionID: session.id, details: ["count": String(ended.count)]))
            return ended.count
        }
    }

    /// The customer's recent sign-ins, lockouts and factor changes, newest first.
    public func securityEvents(session: Session, limit: Int = 20) async throws -> [AuditEvent] {
        guard session.stage == .authenticated else { throw StepupError(.notAuthenticated) }
        return try await store.read {
            try await $0.recentAuditEvents(userID: session.userID, actions: Self.securityEventActions, limit: min(max(limit, 1), 100))
        }
    }
}
