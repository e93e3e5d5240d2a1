import Foundation
import SQLKit
import StepupCore

extension StoreTransaction {
    public func insert(_ session: Session) async throws {
        try await run(
            """
            INSERT INTO sessions (id, secret_digest, csrf_digest, user_id, stage, created_at, last_seen_at, client_address,
              user_agent)
            VALUES (\(bind: session.id), \(bind: session.secretDigest), \(bind: session.csrfDigest), \(bind: session.userID),
                    \(bind: session.stage.rawValue), \(bind: Millis.from(session.createdAt)),
                    \(bind: Millis.from(session.lastSeenAt)), \(bind: session.clientAddress), \(bind: session.userAgent))
            """)
    }

    /// The live (not ended) session whose cookie secret has this digest.
    public func session(secretDigest: String) async throws -> Session? {
        try await first(
            "SELECT * FROM sessions WHERE secret_digest = \(bind: secretDigest) AND ended_at IS NULL\(forUpdate)"
        ).map(Self.session)
    }

    public func session(id: String) async throws -> Session? {
        try await first("SELECT * FROM sessions WHERE id = \(bind: id) AND ended_at IS NULL\(forUpdate)").map(Self.session)
    }

    /// Writes a session's mutable fields: secrets (rotation), stage and last activity.
    public func update(_ session: Session) async throws {
        try await run(
            """
            UPDATE sessions SET secret_digest = \(bind: session.secretDigest), csrf_digest = \(bind: session.csrfDigest),
              stage = \(bind: session.stage.rawValue), last_seen_at = \(bind: Millis.from(session.lastSeenAt))
            WHERE id = \(bind: session.id)
            """)
    }

    public func endSession(id: String, at now: Date) async throws {
        try await run("UPDATE sessions SET ended_at = \(bind: Millis.from(now)) WHERE id = \(bind: id)")
    }

    /// The user's sessions not ended and active since `activeSince`, most recently active first.
    public func sessions(userID: String, activeSince: Date) async throws -> [Session] {
        try await rows(
            """
            SELECT * FROM sessions WHERE user_id = \(bind: userID) AND ended_at IS NULL
              AND last_seen_at >= \(bind: Millis.from(activeSince))
            ORDER BY last_seen_at DESC, id LIMIT 100
            """
        ).map(Self.session)
    }

    /// Ends every session of the user but `keep`; returns the ids ended.
    public func endSessions(userID: String, except keep: String?, at now: Date) async throws -> [String] {
        try await rows(
            """
            UPDATE sessions SET ended_at = \(bind: Millis.from(now))
            WHERE user_id = \(bind: userID) AND ended_at IS NULL AND id <> \(bind: keep ?? "")
            RETURNING id
            """
        ).map { try $0.string("id") }
    }

    private static func session(_ row: any SQLRow) throws -> Session {
        var session = Session(
            id: try row.string("id"), secretDigest: try row.string("secret_digest"),
            csrfDigest: try row.string("csrf_digest"), userID: try row.string("user_id"),
            stage: SessionStage(rawValue: try row.string("stage")) ?? .preAuthentication,
            createdAt: try row.date("created_at"), clientAddress: try row.optionalString("client_address"))
        session.lastSeenAt = try row.date("last_seen_at")
        session.userAgent = try row.optionalString("user_agent")
        return session
    }
}
