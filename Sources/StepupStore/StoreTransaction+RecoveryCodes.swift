import Foundation
import SQLKit
import StepupCore

/// One recovery code as stored: only its digest, salted with the row id.
public struct RecoveryCodeRecord: Sendable, Equatable {
    public let id: String
    public let userID: String
    public let digest: String
    public let createdAt: Date
    public let usedAt: Date?

    public init(id: String, userID: String, digest: String, createdAt: Date, usedAt: Date? = nil) {
        self.id = id
        self.userID = userID
        self.digest = digest
        self.createdAt = createdAt
        self.usedAt = usedAt
    }
}

extension StoreTransaction {
    /// Replaces the user's recovery codes with `codes`: the old set, used or not, is gone in the same transaction.
    public func replaceRecoveryCodes(userID: String, with codes: [RecoveryCodeRecord]) async throws {
        try await run("DELETE FROM recovery_codes WHERE user_id = \(bind: userID)")
        for code in codes {
            try await run(
                """
                INSERT INTO recovery_codes (id, user_id, digest, created_at)
                VALUES (\(bind: code.id), \(bind: code.userID), \(bind: code.digest), \(bind: Millis.from(code.createdAt)))
                """)
        }
    }

    /// The user's codes not used yet.
    public func unusedRecoveryCodes(userID: String) async throws -> [RecoveryCodeRecord] {
        try await rows("SELECT * FROM recovery_codes WHERE user_id = \(bind: userID) AND used_at IS NULL ORDER BY id").map { row in
            RecoveryCodeRecord(
                id: try row.string("id"), userID: try row.string("user_id"), digest: try row.string("digest"),
                createdAt: try row.date("created_at"))
        }
    }

    /// Marks a code used, only if it was unused: of parallel uses of one code on any node exactly one gets true.
    public func useRecoveryCode(id: String, at now: Date) async throws -> Bool {
        try await first(
            "UPDATE recovery_codes SET used_at = \(bind: Millis.from(now)) WHERE id = \(bind: id) AND used_at IS NULL RETURNING id"
        ) != nil
    }

    /// How many codes the user has left, and when the set was made (nil: no set).
    public func recoveryCodeSummary(userID: String) async throws -> (left: Int, createdAt: Date?) {
        let row = try await first(
            """
            SELECT COUNT(*) AS total, SUM(CASE WHEN used_at IS NULL THEN 1 ELSE 0 END) AS unused, MIN(created_at) AS made
            FROM recovery_codes WHERE user_id = \(bind: userID)
            """)
        guard let row, try row.int("total") > 0 else { return (0, nil) }
        return (Int(try row.optionalInt64("unused") ?? 0), try row.optionalDate("made"))
    }
}
