import Foundation
import SQLKit
import StepupCore

/// A delivery target as the security centre shows it: when it was added, proven and last used. A pending target
/// (`verifiedAt` nil) receives no access code and is offered to no challenge.
public struct TargetRecord: Sendable, Equatable {
    public let target: DeliveryTarget
    public let createdAt: Date
    public let verifiedAt: Date?
    public let lastUsedAt: Date?

    public init(target: DeliveryTarget, createdAt: Date, verifiedAt: Date?, lastUsedAt: Date?) {
        self.target = target
        self.createdAt = createdAt
        self.verifiedAt = verifiedAt
        self.lastUsedAt = lastUsedAt
    }
}

/// What proves a pending target: the digest of the code sent to it, for the session that added it.
public struct TargetVerification: Sendable, Equatable {
    public let target: DeliveryTarget
    public let sessionID: String
    public let digest: String
    public let expiresAt: Date
    public let attempts: Int
}

extension StoreTransaction {
    /// A target an operator adds: proven by the bank's own records, so usable at once.
    public func insert(_ target: DeliveryTarget, at now: Date) async throws {
        try await run(
            """
            INSERT INTO delivery_targets (id, user_id, kind, address, created_at, verified_at)
            VALUES (\(bind: target.id), \(bind: target.userID), \(bind: target.kind.rawValue), \(bind: target.address),
                    \(bind: Millis.from(now)), \(bind: Millis.from(now)))
            """)
    }

    /// A target the customer adds: usable only once ``markTargetVerified(id:userID:at:)`` records the code sent
    /// to it came back.
    public func insertPending(_ target: DeliveryTarget, sessionID: String, digest: String, expiresAt: Date, at now: Date)
        async throws
    {
        try await run(
            """
            INSERT INTO delivery_targets (id, user_id, kind, address, created_at, pending_session_id, verify_digest,
              verify_expires_at)
            VALUES (\(bind: target.id), \(bind: target.userID), \(bind: target.kind.rawValue), \(bind: target.address),
                    \(bind: Millis.from(now)), \(bind: sessionID), \(bind: digest), \(bind: Millis.from(expiresAt)))
            """)
    }

    /// The user's proven targets, in the order they were added: the only ones codes go to.
    public func targets(userID: String) async throws -> [DeliveryTarget] {
        try await rows(
            """
            SELECT * FROM delivery_targets WHERE user_id = \(bind: userID) AND verified_at IS NOT NULL
            ORDER BY created_at, id
            """
        ).map(Self.target)
    }

    /// Every target of the user, pending ones included, for the security centre.
    public func targetRecords(userID: String) async throws -> [TargetRecord] {
        try await rows("SELECT * FROM delivery_targets WHERE user_id = \(bind: userID) ORDER BY created_at, id").map { row in
            TargetRecord(
                target: try Self.target(row), createdAt: try row.date("created_at"),
                verifiedAt: try row.optionalDate("verified_at"), lastUsedAt: try row.optionalDate("last_used_at"))
        }
    }

    /// A pending target of this user, with its proof, locked for the rest of the transaction.
    public func targetVerification(id: String, userID: String) async throws -> TargetVerification? {
        guard
            let row = try await first(
                """
                SELECT * FROM delivery_targets WHERE id = \(bind: id) AND user_id = \(bind: userID)
                  AND verified_at IS NULL\(forUpdate)
                """),
            let sessionID = try row.optionalString("pending_session_id"),
            let digest = try row.optionalString("verify_digest"),
            let expiresAt = try row.optionalDate("verify_expires_at")
        else { return nil }
        return TargetVerification(
            target: try Self.target(row), sessionID: sessionID, digest: digest, expiresAt: expiresAt,
            attempts: try row.int("verify_attempts"))
    }

    /// Spends one attempt at a pending target's code while fewer than `limit` were spent: false when they are
    /// used up (parallel guesses included).
    public func spendVerifyAttempt(id: String, limit: Int) async throws -> Bool {
        try await first(
            """
            UPDATE delivery_targets SET verify_attempts = verify_attempts + 1
            WHERE id = \(bind: id) AND verified_at IS NULL AND verify_attempts < \(bind: limit) RETURNING id
            """) != nil
    }

    /// A new code for a pending target (a resend): the old one is void and the attempts start again.
    public func renewVerification(id: String, digest: String, expiresAt: Date) async throws {
        try await run(
            """
            UPDATE delivery_targets SET verify_digest = \(bind: digest), verify_expires_at = \(bind: Millis.from(expiresAt)),
              verify_attempts = 0
            WHERE id = \(bind: id) AND verified_at IS NULL
            """)
    }

    /// Makes a pending target usable; false when it was verified or removed meanwhile.
    public func markTargetVerified(id: String, userID: String, at now: Date) async throws -> Bool {
        try await first(
            """
            UPDATE delivery_targets SET verified_at = \(bind: Millis.from(now)), verify_digest = NULL,
              pending_session_id = NULL, verify_expires_at = NULL
            WHERE id = \(bind: id) AND user_id = \(bind: userID) AND verified_at IS NULL RETURNING id
            """) != nil
    }

    public func touchTarget(id: String, at now: Date) async throws {
        try await run("UPDATE delivery_targets SET last_used_at = \(bind: Millis.from(now)) WHERE id = \(bind: id)")
    }

    /// Drops this user's pending targets added before `cutoff` and never proven.
    public func prunePendingTargets(userID: String, before cutoff: Date) async throws {
        try await run(
            """
            DELETE FROM delivery_targets WHERE user_id = \(bind: userID) AND verified_at IS NULL
              AND created_at < \(bind: Millis.from(cutoff))
            """)
    }

    /// Removes one of a user's targets; false when the user has no such target.
    public func removeTarget(id: String, userID: String) async throws -> Bool {
        try await first("DELETE FROM delivery_targets WHERE id = \(bind: id) AND user_id = \(bind: userID) RETURNING id") != nil
    }

    private static func target(_ row: any SQLRow) throws -> DeliveryTarget {
        DeliveryTarget(
            id: try row.string("id"), userID: try row.string("user_id"),
            kind: TargetKind(rawValue: try row.string("kind")) ?? .email, address: try row.string("address"))
    }
}
