import Foundation
import SQLKit
import StepupCore

extension StoreTransaction {
    public func insert(_ session: Session) async throws {
        try await run(
            """
            INSERT INTO sessions (id, secret_digest, csrf_digest, user_id, stage, created_at, last_seen_at, client_address)
            VALUES (\(bind: session.id), \(bind: session.secretDigest), \(bind: session.csrfDigest), \(bind: session.userID),
                    \(bind: session.stage.rawValue), \(bind: Millis.from(session.createdAt)),
                    \(bind: Millis.from(session.lastSeenAt)), \(bind: session.clientAddress))
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

    private static func session(_ row: any SQLRow) throws -> Session {
        var session = Session(
            id: try row.string("id"), secretDigest: try row.string("secret_digest"),
            csrfDigest: try row.string("csrf_digest"), userID: try row.string("user_id"),
            stage: SessionStage(rawValue: try row.string("stage")) ?? .preAuthentication,
            createdAt: try row.date("created_at"), clientAddress: try row.optionalString("client_address"))
        session.lastSeenAt = try row.date("last_seen_at")
        return session
    }
}
