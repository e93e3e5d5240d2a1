import Foundation
import SQLKit
import StepupCore

/// A WebAuthn challenge issued outside an MFA challenge (a passkey's registration): bound to one session and one
/// purpose, short-lived, used once.
public struct CeremonyRecord: Sendable, Equatable {
    public let id: String
    public let userID: String
    public let sessionID: String
    /// What the ceremony is for (`passkey.register`); a challenge issued for one purpose never serves another.
    public let purpose: String
    /// The WebAuthn challenge bytes, base64url.
    public let challenge: String
    public let createdAt: Date
    public let expiresAt: Date

    public init(
        id: String = SecureRandom.identifier(), userID: String, sessionID: String, purpose: String, challenge: String,
        createdAt: Date, expiresAt: Date
    ) {
        self.id = id
        self.userID = userID
        self.sessionID = sessionID
        self.purpose = purpose
        self.challenge = challenge
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }
}

extension StoreTransaction {
    public func insert(_ ceremony: CeremonyRecord) async throws {
        try await run(
            """
            INSERT INTO ceremonies (id, user_id, session_id, purpose, challenge, created_at, expires_at)
            VALUES (\(bind: ceremony.id), \(bind: ceremony.userID), \(bind: ceremony.sessionID), \(bind: ceremony.purpose),
              \(bind: ceremony.challenge), \(bind: Millis.from(ceremony.createdAt)), \(bind: Millis.from(ceremony.expiresAt)))
            """)
    }

    /// Uses the ceremony once: one conditional update, so of two finishes racing on any nodes exactly one gets it.
    /// Nil when it is not this session's, not for `purpose`, used, or expired.
    public func useCeremony(id: String, sessionID: String, purpose: String, at now: Date) async throws -> CeremonyRecord? {
        try await first(
            """
            UPDATE ceremonies SET used_at = \(bind: Millis.from(now))
            WHERE id = \(bind: id) AND session_id = \(bind: sessionID) AND purpose = \(bind: purpose)
              AND used_at IS NULL AND expires_at > \(bind: Millis.from(now))
            RETURNING *
            """
        ).map { row in
            CeremonyRecord(
                id: try row.string("id"), userID: try row.string("user_id"), sessionID: try row.string("session_id"),
                purpose: try row.string("purpose"), challenge: try row.string("challenge"),
                createdAt: try row.date("created_at"), expiresAt: try row.date("expires_at"))
        }
    }

    /// Drops a session's ceremonies that ended (used or expired) before `before`, so the table stays small.
    public func pruneCeremonies(before: Date) async throws {
        try await run(
            """
            DELETE FROM ceremonies WHERE expires_at < \(bind: Millis.from(before))
              OR (used_at IS NOT NULL AND used_at < \(bind: Millis.from(before)))
            """)
    }
}
