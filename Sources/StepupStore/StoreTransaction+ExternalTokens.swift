import Foundation
import SQLKit
import StepupCore

/// An external MFA token as stored: only its digest.
public struct ExternalTokenRecord: Sendable, Equatable {
    public let id: String
    public let sessionID: String
    public let challengeID: String
    public let extensionName: String
    public let tokenDigest: String
    public let expiresAt: Date
    public let usedAt: Date?
}

extension StoreTransaction {
    /// Stores a new token for a challenge; earlier unused tokens of that challenge are voided.
    public func insertExternalToken(
        id: String, sessionID: String, challengeID: String, extensionName: String, tokenDigest: String, at now: Date,
        expiresAt: Date
    ) async throws {
        try await run("DELETE FROM external_mfa_tokens WHERE challenge_id = \(bind: challengeID) AND used_at IS NULL")
        try await run(
            """
            INSERT INTO external_mfa_tokens (id, session_id, challenge_id, extension, token_digest, created_at, expires_at, used_at)
            VALUES (\(bind: id), \(bind: sessionID), \(bind: challengeID), \(bind: extensionName), \(bind: tokenDigest),
              \(bind: Millis.from(now)), \(bind: Millis.from(expiresAt)), NULL)
            """)
    }

    public func externalTokens(challengeID: String) async throws -> [ExternalTokenRecord] {
        try await rows("SELECT * FROM external_mfa_tokens WHERE challenge_id = \(bind: challengeID)\(forUpdate)").map { row in
            ExternalTokenRecord(
                id: try row.string("id"), sessionID: try row.string("session_id"), challengeID: try row.string("challenge_id"),
                extensionName: try row.string("extension"), tokenDigest: try row.string("token_digest"),
                expiresAt: try row.date("expires_at"), usedAt: try row.optionalDate("used_at"))
        }
    }

    /// Marks a token used if nobody did first.
    public func useExternalToken(id: String, at now: Date) async throws -> Bool {
        try await first("UPDATE external_mfa_tokens SET used_at = \(bind: Millis.from(now)) WHERE id = \(bind: id) AND used_at IS NULL RETURNING id") != nil
    }
}

extension StoreTransaction {
    /// Opens an external proof attempt (its failure slot is reserved by the caller in the same transaction).
    public func insertExternalAttempt(
        id: String, sessionID: String, challengeID: String, extensionName: String, at now: Date
    ) async throws {
        try await run(
            """
            INSERT INTO external_attempts (id, session_id, challenge_id, extension, created_at, finished_at)
            VALUES (\(bind: id), \(bind: sessionID), \(bind: challengeID), \(bind: extensionName), \(bind: Millis.from(now)), NULL)
            """)
    }

    /// Finishes an attempt once, only for the session and extension that opened it; returns its challenge id, nil
    /// when there is no such open attempt (unknown, another session's or extension's, or already finished).
    public func finishExternalAttempt(id: String, sessionID: String, extensionName: String, at now: Date) async throws
        -> String?
    {
        try await first(
            """
            UPDATE external_attempts SET finished_at = \(bind: Millis.from(now))
            WHERE id = \(bind: id) AND session_id = \(bind: sessionID) AND extension = \(bind: extensionName)
              AND finished_at IS NULL
            RETURNING challenge_id
            """
        ).map { try $0.string("challenge_id") }
    }
}

extension StoreTransaction {
    /// Whether the user has an external proof attempt opened at or after `since` and not yet finished.
    public func hasOpenExternalAttempt(userID: String, since: Date) async throws -> Bool {
        try await first(
            """
            SELECT a.id FROM external_attempts a JOIN sessions s ON s.id = a.session_id
            WHERE s.user_id = \(bind: userID) AND a.finished_at IS NULL AND a.created_at >= \(bind: Millis.from(since))
            LIMIT 1
            """) != nil
    }
}
