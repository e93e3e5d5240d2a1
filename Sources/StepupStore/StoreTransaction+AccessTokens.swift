import Foundation
import SQLKit
import StepupCore

extension StoreTransaction {
    public func insert(_ token: AccessToken, at now: Date) async throws {
        try await run(
            """
            INSERT INTO access_tokens (id, user_id, secret, digits, algorithm, period, last_used_step, created_at)
            VALUES (\(bind: token.id), \(bind: token.userID), \(bind: Base32.encode(token.secret)), \(bind: token.digits),
              \(bind: token.algorithm.rawValue), \(bind: token.period), \(bind: token.lastUsedStep),
              \(bind: Millis.from(now)))
            """)
    }

    public func accessTokens(userID: String) async throws -> [AccessToken] {
        try await rows("SELECT * FROM access_tokens WHERE user_id = \(bind: userID) ORDER BY created_at, id").map { row in
            AccessToken(
                id: try row.string("id"), userID: try row.string("user_id"),
                secret: Base32.decode(try row.string("secret")) ?? [], digits: try row.int("digits"),
                algorithm: OTPAlgorithm(rawValue: try row.string("algorithm")) ?? .sha1, period: try row.int("period"),
                lastUsedStep: try row.optionalInt64("last_used_step"))
        }
    }

    /// Records `step` as used, only if it is newer than every step used before; false when another request got
    /// there first (the replay guard holds across nodes).
    public func markStepUsed(tokenID: String, step: Int64) async throws -> Bool {
        try await first(
            """
            UPDATE access_tokens SET last_used_step = \(bind: step)
            WHERE id = \(bind: tokenID) AND (last_used_step IS NULL OR last_used_step < \(bind: step))
            RETURNING id
            """) != nil
    }
}
