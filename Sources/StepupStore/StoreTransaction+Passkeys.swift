import Foundation
import SQLKit
import StepupCore

/// A registered passkey (a WebAuthn credential) as stored: its key as SubjectPublicKeyInfo and COSE algorithm, the
/// authenticator's counter, model and backup state. The store keeps bytes as base64url text, the same on both
/// engines; it never interprets them.
public struct PasskeyRecord: Sendable, Equatable {
    /// The credential id, base64url.
    public let id: String
    public let userID: String
    public var name: String
    /// The public key's SubjectPublicKeyInfo DER, base64url.
    public let publicKey: String
    /// The COSE algorithm (-7 ES256, -8 EdDSA, -257 RS256).
    public let algorithm: Int
    public var signCount: Int64
    /// The authenticator model, 32 hex digits (all zero when not disclosed).
    public let aaguid: String
    /// What the browser reported (`internal`, `hybrid`, `usb`, …).
    public let transports: [String]
    /// BE: a synced (multi-device) passkey may be; BS: it is backed up now.
    public let backupEligible: Bool
    public var backedUp: Bool
    public let createdAt: Date
    public var lastUsedAt: Date?

    public init(
        id: String, userID: String, name: String, publicKey: String, algorithm: Int, signCount: Int64, aaguid: String,
        transports: [String], backupEligible: Bool, backedUp: Bool, createdAt: Date, lastUsedAt: Date? = nil
    ) {
        self.id = id
        self.userID = userID
        self.name = name
        self.publicKey = publicKey
        self.algorithm = algorithm
        self.signCount = signCount
        self.aaguid = aaguid
        self.transports = transports
        self.backupEligible = backupEligible
        self.backedUp = backedUp
        self.createdAt = createdAt
        self.lastUsedAt = lastUsedAt
    }
}

extension StoreTransaction {
    /// Stores a new passkey; false when the credential id is registered already (to anyone), so one authenticator
    /// credential is never two users' factor.
    public func insert(_ passkey: PasskeyRecord) async throws -> Bool {
        try await first(
            """
            INSERT INTO passkeys (id, user_id, name, public_key, algorithm, sign_count, aaguid, transports,
                                  backup_eligible, backed_up, created_at, last_used_at)
            VALUES (\(bind: passkey.id), \(bind: passkey.userID), \(bind: passkey.name), \(bind: passkey.publicKey),
                    \(bind: passkey.algorithm), \(bind: passkey.signCount), \(bind: passkey.aaguid),
                    \(bind: try JSONText.encode(passkey.transports)), \(bind: passkey.backupEligible ? 1 : 0),
                    \(bind: passkey.backedUp ? 1 : 0), \(bind: Millis.from(passkey.createdAt)),
                    \(bind: passkey.lastUsedAt.map(Millis.from)))
            ON CONFLICT (id) DO NOTHING
            RETURNING id
            """) != nil
    }

    public func passkeys(userID: String) async throws -> [PasskeyRecord] {
        try await rows("SELECT * FROM passkeys WHERE user_id = \(bind: userID) ORDER BY created_at, id").map(Self.passkey)
    }

    public func passkey(id: String) async throws -> PasskeyRecord? {
        try await first("SELECT * FROM passkeys WHERE id = \(bind: id)").map(Self.passkey)
    }

    /// Records one use, only if the authenticator's counter moved on (or it keeps none: both zero). False when it
    /// did not: a cloned authenticator, or a parallel assertion with the same counter that got there first; the
    /// conditional update makes that hold across nodes. With `acceptingRegression` (the bank's policy allows a
    /// counter that did not grow, audited) the use is recorded anyway and the stored counter never goes back.
    public func recordPasskeyUse(
        id: String, signCount: Int64, backedUp: Bool, at now: Date, acceptingRegression: Bool = false
    ) async throws -> Bool {
        if acceptingRegression {
            return try await first(
                """
                UPDATE passkeys SET sign_count = CASE WHEN sign_count < \(bind: signCount) THEN \(bind: signCount) ELSE sign_count END,
                  backed_up = \(bind: backedUp ? 1 : 0), last_used_at = \(bind: Millis.from(now))
                WHERE id = \(bind: id) RETURNING id
                """) != nil
        }
        return try await first(
            """
            UPDATE passkeys SET sign_count = \(bind: signCount), backed_up = \(bind: backedUp ? 1 : 0),
              last_used_at = \(bind: Millis.from(now))
            WHERE id = \(bind: id) AND (sign_count < \(bind: signCount) OR (sign_count = 0 AND \(bind: signCount) = 0))
            RETURNING id
            """) != nil
    }

    /// Renames one of a user's passkeys; false when the user has no such passkey.
    public func renamePasskey(id: String, userID: String, to name: String) async throws -> Bool {
        try await first(
            "UPDATE passkeys SET name = \(bind: name) WHERE id = \(bind: id) AND user_id = \(bind: userID) RETURNING id"
        ) != nil
    }

    /// Removes one of a user's passkeys; false when the user has no such passkey.
    public func removePasskey(id: String, userID: String) async throws -> Bool {
        try await first("DELETE FROM passkeys WHERE id = \(bind: id) AND user_id = \(bind: userID) RETURNING id") != nil
    }

    private static func passkey(_ row: any SQLRow) throws -> PasskeyRecord {
        PasskeyRecord(
            id: try row.string("id"), userID: try row.string("user_id"), name: try row.string("name"),
            publicKey: try row.string("public_key"), algorithm: try row.int("algorithm"),
            signCount: try row.int64("sign_count"), aaguid: try row.string("aaguid"),
            transports: try row.json("transports", as: [String].self), backupEligible: try row.int("backup_eligible") != 0,
            backedUp: try row.int("backed_up") != 0, createdAt: try row.date("created_at"),
            lastUsedAt: try row.optionalDate("last_used_at"))
    }
}
