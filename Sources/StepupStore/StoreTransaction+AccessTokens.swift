import Foundation
import SQLKit
import StepupCore

/// An access token as stored: its secret sealed by the platform's key set (the store never sees it in clear).
public struct AccessTokenRecord: Sendable, Equatable {
    public let id: String
    public let userID: String
    public let sealedSecret: String
    public let digits: Int
    public let algorithm: OTPAlgorithm
    public let period: Int
    public let lastUsedStep: Int64?

    public init(
        id: String, userID: String, sealedSecret: String, digits: Int, algorithm: OTPAlgorithm, period: Int,
        lastUsedStep: Int64?
    ) {
        self.id = id
        self.userID = userID
        self.sealedSecret = sealedSecret
        self.digits = digits
        self.algorithm = algorithm
        self.period = period
        self.lastUsedStep = lastUsedStep
    }
}

extension StoreTransaction {
    public func insert(_ token: AccessTokenRecord, at now: Date) async throws {
        try await run(
            """
            INSERT INTO access_tokens (id, user_id, secret, digits, algorithm, period, last_used_step, created_at)
            VALUES (\(bind: token.id), \(bind: token.userID), \(bind: token.sealedSecret), \(bind: token.digits),
              \(bind: token.algorithm.rawValue), \(bind: token.period), \(bind: token.lastUsedStep),
              \(bind: Millis.from(now)))
            """)
    }

    public func accessTokens(userID: String) async throws -> [AccessTokenRecord] {
        try await rows("SELECT * FROM access_tokens WHERE user_id = \(bind: userID) ORDER BY created_at, id").map { row in
            AccessTokenRecord(
                id: try row.string("id"), userID: try row.string("user_id"), sealedSecret: try row.string("secret"),
                digits: try row.int("digits"), algorithm: OTPAlgorithm(rawValue: try row.string("algorithm")) ?? .sha1,
                period: try row.int("period"), lastUsedStep: try row.optionalInt64("last_used_step"))
        }
    }

    /// Removes a user's access tokens; returns how many there were.
    public func removeAccessTokens(userID: String) async throws -> Int {
        try await rows("DELETE FROM access_tokens WHERE user_id = \(bind: userID) RETURNING id").count
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
