import Foundation
import SQLKit
import StepupCore

extension StoreTransaction {
    public func insert(_ challenge: Challenge) async throws {
        try await run(
            """
            INSERT INTO challenges (id, user_id, session_id, context, context_binding, state, target_id, code_digest,
              code_sent_at, code_expires_at, send_count, created_at, expires_at, closed_at)
            VALUES (\(bind: challenge.id), \(bind: challenge.userID), \(bind: challenge.sessionID),
              \(bind: try JSONText.encode(challenge.context)), \(bind: challenge.context.binding),
              \(bind: challenge.state.rawValue), \(bind: challenge.targetID), \(bind: challenge.codeDigest),
              \(bind: Millis.from(challenge.codeSentAt)), \(bind: Millis.from(challenge.codeExpiresAt)),
              \(bind: challenge.sendCount), \(bind: Millis.from(challenge.createdAt)),
              \(bind: Millis.from(challenge.expiresAt)), \(bind: Millis.from(challenge.closedAt)))
            """)
    }

    /// The challenge with this id, locked for update where the engine needs it.
    public func challenge(id: String) async throws -> Challenge? {
        try await first("SELECT * FROM challenges WHERE id = \(bind: id)\(forUpdate)").map(Self.challenge)
    }

    public func update(_ challenge: Challenge) async throws {
        try await run(
            """
            UPDATE challenges SET state = \(bind: challenge.state.rawValue), target_id = \(bind: challenge.targetID),
              code_digest = \(bind: challenge.codeDigest), code_sent_at = \(bind: Millis.from(challenge.codeSentAt)),
              code_expires_at = \(bind: Millis.from(challenge.codeExpiresAt)), send_count = \(bind: challenge.sendCount),
              closed_at = \(bind: Millis.from(challenge.closedAt))
            WHERE id = \(bind: challenge.id)
            """)
    }

    static func challenge(_ row: any SQLRow) throws -> Challenge {
        var challenge = Challenge(
            id: try row.string("id"), userID: try row.string("user_id"), sessionID: try row.string("session_id"),
            context: try row.json("context", as: MFAContext.self), createdAt: try row.date("created_at"),
            lifetime: try row.date("expires_at").timeIntervalSince(try row.date("created_at")))
        challenge.state = ChallengeState(rawValue: try row.string("state")) ?? .failed
        challenge.targetID = try row.optionalString("target_id")
        challenge.codeDigest = try row.optionalString("code_digest")
        challenge.codeSentAt = try row.optionalDate("code_sent_at")
        challenge.codeExpiresAt = try row.optionalDate("code_expires_at")
        challenge.sendCount = try row.int("send_count")
        challenge.closedAt = try row.optionalDate("closed_at")
        return challenge
    }
}
