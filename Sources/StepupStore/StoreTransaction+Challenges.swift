import Foundation
import SQLKit
import StepupCore

extension StoreTransaction {
    public func insert(_ challenge: Challenge) async throws {
        try await run(
            """
            INSERT INTO challenges (id, user_id, session_id, context, context_binding, state, method, method_state,
              send_count, created_at, expires_at, closed_at, required_level)
            VALUES (\(bind: challenge.id), \(bind: challenge.userID), \(bind: challenge.sessionID),
              \(bind: try JSONText.encode(challenge.context)), \(bind: challenge.context.binding),
              \(bind: challenge.state.rawValue), \(bind: challenge.method?.rawValue), \(bind: challenge.methodState.json),
              0, \(bind: Millis.from(challenge.createdAt)), \(bind: Millis.from(challenge.expiresAt)),
              \(bind: Millis.from(challenge.closedAt)), \(bind: challenge.requiredLevel.rawValue))
            """)
    }

    /// The challenge with this id, locked for update where the engine needs it.
    public func challenge(id: String) async throws -> Challenge? {
        try await first("SELECT * FROM challenges WHERE id = \(bind: id)\(forUpdate)").map(Self.challenge)
    }

    /// Writes the state, the method and its state; the legacy code columns are cleared on the first write, so a
    /// row from before migration 7 is read from them only until it changes.
    public func update(_ challenge: Challenge) async throws {
        try await run(
            """
            UPDATE challenges SET state = \(bind: challenge.state.rawValue), method = \(bind: challenge.method?.rawValue),
              method_state = \(bind: challenge.methodState.json), target_id = NULL, code_digest = NULL,
              code_sent_at = NULL, code_expires_at = NULL, closed_at = \(bind: Millis.from(challenge.closedAt)),
              required_level = \(bind: challenge.requiredLevel.rawValue)
            WHERE id = \(bind: challenge.id)
            """)
    }

    static func challenge(_ row: any SQLRow) throws -> Challenge {
        var challenge = Challenge(
            id: try row.string("id"), userID: try row.string("user_id"), sessionID: try row.string("session_id"),
            context: try row.json("context", as: MFAContext.self), createdAt: try row.date("created_at"),
            lifetime: try row.date("expires_at").timeIntervalSince(try row.date("created_at")))
        challenge.state = ChallengeState(storedName: try row.string("state")) ?? .failed
        challenge.method = try row.optionalString("method").map(MFAMethodID.init(rawValue:))
        challenge.closedAt = try row.optionalDate("closed_at")
        // A level this build does not know is read as the highest: a challenge never becomes easier to complete.
        challenge.requiredLevel = AssuranceLevel(rawValue: try row.string("required_level")) ?? .phishingResistant
        if let json = try row.optionalString("method_state") {
            challenge.methodState = MethodState(json: json)
        } else if challenge.method == .accessCode, challenge.state.isOpen {
            // Written before migration 7: the code lived in columns of its own.
            try challenge.setAccessCode(
                AccessCodeState(
                    targetID: try row.optionalString("target_id"), digest: try row.optionalString("code_digest"),
                    sentAt: try row.optionalDate("code_sent_at"), expiresAt: try row.optionalDate("code_expires_at"),
                    sendCount: try row.int("send_count")))
        }
        return challenge
    }
}
