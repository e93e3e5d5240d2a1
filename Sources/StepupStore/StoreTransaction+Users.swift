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
