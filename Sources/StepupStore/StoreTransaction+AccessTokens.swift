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

/// An authenticator app as its owner sees it in the security centre: never its secret.
public struct AuthenticatorInfo: Sendable, Equatable {
    public let id: String
    public let name: String
    public let createdAt: Date
    public let lastUsedAt: Date?
}

extension StoreTransaction {
    public func insert(_ token: AccessTokenRecord, at now: Date) async throws {
        try await run(
            """
            INSERT INTO access_tokens (id, user_id, secret, digits, algorithm, period, last_used_step, created_at, confirmed_at)
            VALUES (\(bind: token.id), \(bind: token.userID), \(bind: token.sealedSecret), \(bind: token.digits),
              \(bind: token.algorithm.rawValue), \(bind: token.period), \(bind: token.lastUsedStep),
              \(bind: Millis.from(now)), \(bind: Millis.from(now)))
            """)
    }

    public func accessTokens(userID: String) async throws -> [AccessTokenRecord] {
        try await rows(
            "SELECT * FROM access_tokens WHERE user_id = \(bind: userID) AND confirmed_at IS NOT NULL ORDER BY created_at, id"
        ).map { row in
            AccessTokenRecord(
                id: try row.string("id"), userID: try row.string("user_id"), sealedSecret: try row.string("secret"),
                digits: try row.int("digits"), algorithm: OTPAlgorithm(rawValue: try row.string("algorithm")) ?? .sha1,
                period: try row.int("period"), lastUsedStep: try row.optionalInt64("last_used_step"))
        }
    }

    /// Keeps an authenticator the customer is enrolling: unusable (no query above returns it) until
    /// ``confirmAccessToken(id:userID:sessionID:at:)`` proves the app holds its secret, and only for the session
    /// that started it.
    public func insertPending(_ token: AccessTokenRecord, name: String, sessionID: String, expiresAt: Date, at now: Date)
        async throws
    {
        try await run(
            """
            INSERT INTO access_tokens (id, user_id, secret, digits, algorithm, period, created_at, name, pending_session_id,
              enrol_expires_at)
            VALUES (\(bind: token.id), \(bind: token.userID), \(bind: token.sealedSecret), \(bind: token.digits),
              \(bind: token.algorithm.rawValue), \(bind: token.period), \(bind: Millis.from(now)), \(bind: name),
              \(bind: sessionID), \(bind: Millis.from(expiresAt)))
            """)
    }

    /// The pending enrolment `id` of this user and session, still within its time and attempts.
    public func pendingAccessToken(id: String, userID: String, sessionID: String, attemptLimit: Int, at now: Date)
        async throws -> AccessTokenRecord?
    {
        try await first(
            """
            SELECT * FROM access_tokens WHERE id = \(bind: id) AND user_id = \(bind: userID)
              AND pending_session_id = \(bind: sessionID) AND confirmed_at IS NULL
              AND enrol_expires_at > \(bind: Millis.from(now)) AND enrol_attempts < \(bind: attemptLimit)
            """
        ).map { row in
            AccessTokenRecord(
                id: try row.string("id"), userID: try row.string("user_id"), sealedSecret: try row.string("secret"),
                digits: try row.int("digits"), algorithm: OTPAlgorithm(rawValue: try row.string("algorithm")) ?? .sha1,
                period: try row.int("period"), lastUsedStep: nil)
        }
    }

    /// Spends one of a pending enrolment's attempts, only while some are left: false when parallel wrong codes
    /// used them up first.
    public func spendEnrolAttempt(id: String, attemptLimit: Int) async throws -> Bool {
        try await first(
            """
            UPDATE access_tokens SET enrol_attempts = enrol_attempts + 1
            WHERE id = \(bind: id) AND confirmed_at IS NULL AND enrol_attempts < \(bind: attemptLimit) RETURNING id
            """) != nil
    }

    /// Makes a pending authenticator usable, with `step` as its first used step (the code that proved it cannot
    /// then pass an MFA challenge too); false when it was confirmed, removed or expired meanwhile.
    public func confirmAccessToken(id: String, userID: String, sessionID: String, step: Int64, at now: Date) async throws -> Bool {
        try await first(
            """
            UPDATE access_tokens SET confirmed_at = \(bind: Millis.from(now)), pending_session_id = NULL,
              enrol_expires_at = NULL, last_used_step = \(bind: step)
            WHERE id = \(bind: id) AND user_id = \(bind: userID) AND pending_session_id = \(bind: sessionID)
              AND confirmed_at IS NULL AND enrol_expires_at > \(bind: Millis.from(now))
            RETURNING id
            """) != nil
    }

    /// The user's authenticators as they see them: confirmed ones, oldest first.
    public func authenticators(userID: String) async throws -> [AuthenticatorInfo] {
        try await rows(
            """
            SELECT id, name, created_at, last_used_at FROM access_tokens
            WHERE user_id = \(bind: userID) AND confirmed_at IS NOT NULL ORDER BY created_at, id
            """
        ).map { row in
            AuthenticatorInfo(
                id: try row.string("id"), name: try row.string("name"), createdAt: try row.date("created_at"),
                lastUsedAt: try row.optionalDate("last_used_at"))
        }
    }

    /// Removes one confirmed authenticator of the user; false when there is none with this id.
    public func removeAccessToken(id: String, userID: String) async throws -> Bool {
        try await first(
            "DELETE FROM access_tokens WHERE id = \(bind: id) AND user_id = \(bind: userID) AND confirmed_at IS NOT NULL RETURNING id"
        ) != nil
    }

    /// Drops this user's enrolments that were never confirmed and have expired.
    public func prunePendingAccessTokens(userID: String, at now: Date) async throws {
        try await run(
            """
            DELETE FROM access_tokens WHERE user_id = \(bind: userID) AND confirmed_at IS NULL
              AND enrol_expires_at <= \(bind: Millis.from(now))
            """)
    }

    public func touchAccessToken(id: String, at now: Date) async throws {
        try await run("UPDATE access_tokens SET last_used_at = \(bind: Millis.from(now)) WHERE id = \(bind: id)")
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
