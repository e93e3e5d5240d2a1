import Foundation
import StepupCore
import StepupStore

/// A session resumed from its cookie, with what a request needs to know about it.
public struct ResumedSession: Sendable {
    public let session: Session
    public let user: User
}

/// A session whose secrets were just created or rotated: the browser must get ``secrets`` now, they are not kept.
public struct IssuedSession: Sendable {
    public let session: Session
    public let secrets: SessionSecrets
}

extension Platform {
    /// Seconds between two writes of a session's last activity: the idle timeout is measured to this precision, and
    /// a burst of requests costs one write instead of one each.
    static let activityResolution: TimeInterval = 10

    /// Finds the live session for a cookie secret and marks it active; ends it when idle or too old.
    public func resumeSession(token: String) async throws -> ResumedSession {
        let now = clock.now
        let digest = SecretHash.digest(token)
        // Most requests only read: the session is live and was marked active moments ago.
        let seen = try await store.read { tx -> (Session, User, SystemProperties)? in
            guard let session = try await tx.session(secretDigest: digest), let user = try await tx.user(id: session.userID) else { return nil }
            return (session, user, try await tx.systemProperties())
        }
        guard let (session, user, properties) = seen else { throw StepupError(.notAuthenticated) }
        if session.isLive(at: now, properties: properties), now.timeIntervalSince(session.lastSeenAt) < Self.activityResolution {
            return ResumedSession(session: session, user: user)
        }
        return try await commit { tx in
            guard var session = try await tx.session(secretDigest: digest), let user = try await tx.user(id: session.userID)
            else { return .failure(StepupError(.notAuthenticated)) }
            guard session.isLive(at: now, properties: properties) else {
                try await tx.endSession(id: session.id, at: now)
                try await tx.append(
                    AuditEvent(at: now, action: "session.expired", outcome: .info, userID: user.id, sessionID: session.id))
                return .failure(StepupError(.sessionExpired))
            }
            session.lastSeenAt = now
            try await tx.update(session)
            return .success(ResumedSession(session: session, user: user))
        }
    }

    /// Whether `token` is the CSRF token of `session`, compared in constant time over digests.
    public func checkCSRF(_ token: String?, for session: Session) throws {
        guard let token, SecretHash.matches(token, digest: session.csrfDigest) else {
            throw StepupError(.csrfInvalid)
        }
    }

    public func logout(sessionID: String) async throws {
        let now = clock.now
        try await store.write { tx in
            guard let session = try await tx.session(id: sessionID) else { return }
            try await tx.endSession(id: session.id, at: now)
            try await tx.append(
                AuditEvent(at: now, action: "session.logout", outcome: .success, userID: session.userID, sessionID: session.id))
        }
    }

    /// Gives a session new secrets (after logon and each MFA completion), so an id seen before is worthless after.
    func rotate(_ session: inout Session, in tx: StoreTransaction) async throws -> SessionSecrets {
        let secrets = SessionSecrets()
        session.secretDigest = secrets.sessionDigest
        session.csrfDigest = secrets.csrfDigest
        try await tx.update(session)
        return secrets
    }
}
