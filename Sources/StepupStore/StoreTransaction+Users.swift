import Foundation
import SQLKit
import StepupCore

extension StoreTransaction {
    public func insert(_ user: User, at now: Date) async throws {
        try await run(
            """
            INSERT INTO users (id, username, display_name, password_hash, logon_mfa, created_at, first_name,
                               last_name, email, customer_number)
            VALUES (\(bind: user.id), \(bind: user.username), \(bind: user.displayName), \(bind: user.passwordHash),
                    \(bind: user.logonMFA.rawValue), \(bind: Millis.from(now)), \(bind: user.details.firstName),
                    \(bind: user.details.lastName), \(bind: user.details.email), \(bind: user.details.customerNumber))
            """)
    }

    public func user(id: String) async throws -> User? {
        try await first("SELECT * FROM users WHERE id = \(bind: id)").map(Self.user)
    }

    public func user(username: String) async throws -> User? {
        try await first("SELECT * FROM users WHERE username = \(bind: username)").map(Self.user)
    }

    public func users() async throws -> [User] {
        try await rows("SELECT * FROM users ORDER BY username").map(Self.user)
    }

    public func userCount() async throws -> Int {
        try await first("SELECT COUNT(*) AS n FROM users")?.int("n") ?? 0
    }

    public func insert(_ target: DeliveryTarget, at now: Date) async throws {
        try await run(
            """
            INSERT INTO delivery_targets (id, user_id, kind, address, created_at)
            VALUES (\(bind: target.id), \(bind: target.userID), \(bind: target.kind.rawValue), \(bind: target.address),
                    \(bind: Millis.from(now)))
            """)
    }

    public func targets(userID: String) async throws -> [DeliveryTarget] {
        try await rows("SELECT * FROM delivery_targets WHERE user_id = \(bind: userID) ORDER BY created_at, id")
            .map { row in
                DeliveryTarget(
                    id: try row.string("id"), userID: try row.string("user_id"),
                    kind: TargetKind(rawValue: try row.string("kind")) ?? .email, address: try row.string("address"))
            }
    }

    /// Removes one of a user's targets; false when the user has no such target.
    public func removeTarget(id: String, userID: String) async throws -> Bool {
        try await first("DELETE FROM delivery_targets WHERE id = \(bind: id) AND user_id = \(bind: userID) RETURNING id") != nil
    }

    private static func user(_ row: any SQLRow) throws -> User {
        User(
            id: try row.string("id"), username: try row.string("username"),
            displayName: try row.string("display_name"), passwordHash: try row.string("password_hash"),
            logonMFA: LogonMFAPolicy(rawValue: try row.string("logon_mfa")) ?? .always,
            details: CustomerDetails(
                firstName: try row.optionalString("first_name"), lastName: try row.optionalString("last_name"),
                email: try row.optionalString("email"), customerNumber: try row.optionalString("customer_number")))
    }
}
