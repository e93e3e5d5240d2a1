import Foundation
import StepupCore
import StepupStore

/// The demo bank `stepup serve --demo` seeds into an empty database: a few users with every kind of target and a
/// TOTP token. The password hashes are precomputed (bcrypt cost 12) so a first start does not spend seconds hashing.
public enum DemoBank {
    public struct DemoUser: Sendable {
        public let username: String
        public let password: String
        public let displayName: String
        public let passwordHash: String
        public let logonMFA: LogonMFAPolicy
        public let targets: [(TargetKind, String)]
        public let hasAccessToken: Bool
        /// External MFA registrations: provider → registration value (dora's passphrase is "blue harbour lantern").
        public var registrations: [String: String] = [:]
        /// Name, number (masked), opening balance in minor units.
        public var accounts: [(String, String, Int64)] = [("Everyday Checking", "••••4821", 250_000), ("Savings", "••••9377", 1_200_000)]

        /// The customer record: first and last name from the display name, the first email target, a number.
        public var details: CustomerDetails {
            let names = displayName.split(separator: " ", maxSplits: 1).map(String.init)
            let number = 100_000 + (DemoBank.users.firstIndex { $0.username == username } ?? 0) + 1
            return CustomerDetails(
                firstName: names.first, lastName: names.count > 1 ? names[1] : nil,
                email: targets.first { $0.0 == .email }?.1, customerNumber: String(number))
        }
    }

    /// The demo TOTP secret: RFC 6238's own test key, so any authenticator tool can produce its codes.
    public static let accessTokenSecret = Array("12345678901234567890".utf8)

    public static let users: [DemoUser] = [
        DemoUser(
            username: "alice", password: "demo-alice-pw", displayName: "Alice Archer",
            passwordHash: "$2b$12$Zk4VHl1Q2CLlTY1GbcGWDezku6ILeRclx4fONWIKHVpmrnzCwcYrC", logonMFA: .always,
            targets: [
                (.email, "alice@example.com"), (.sms, "+15550100101"), (.voice, "+15550100102"),
                (.push, "device-alice-phone-7781"),
            ], hasAccessToken: true),
        DemoUser(
            username: "bob", password: "demo-bob-pw", displayName: "Bob Baker",
            passwordHash: "$2b$12$C3Y8hsJPvFBpblqX3EX43ubJ.Rl9pQw/bl3ZxJfS3v60AUZi/CDYS", logonMFA: .never,
            targets: [(.email, "bob@example.com"), (.sms, "+15550100201")], hasAccessToken: false),
        DemoUser(
            username: "carol", password: "demo-carol-pw", displayName: "Carol Chen",
            passwordHash: "$2b$12$ZhjATGomGj4efg3g4FsArODpoc96E76XXIBVMlLThRAx8rVYtC0SC", logonMFA: .always,
            targets: [(.email, "carol@example.com")], hasAccessToken: false),
        DemoUser(
            username: "dora", password: "demo-dora-pw", displayName: "Dora Diaz",
            passwordHash: "$2b$12$W1qCEb7ZSE8/rrk.AlEZQ.pGUqpT3iWoFLgEopifruPYlKu4fkp.y", logonMFA: .always,
            targets: [(.email, "dora@example.com")], hasAccessToken: false,
            registrations: ["passphrase": "sha256:demo-salt-dora:14c891f396f4eeb2b1bb05e79927212f0e2a1b5ed9b8d34eabf0d26809ec4814"]),
    ]

    /// The demo bank's EDV rules: block transfers above 10,000.00, exempt those up to 30.00 (a low-value
    /// exemption, while art. 16's cumulative 100.00 and five in a row since the last SCA allow), ask for MFA in between; ask for MFA to add a payee, then not again for 10 minutes.
    public static let edvRules: [EDVRuleDefinition] = [
        EDVRuleDefinition(
            id: "block-large-transfers", position: 10, action: "TransferFunds",
            conditions: [.detailAbove(key: "transaction.amountMinor", threshold: 1_000_000)], decision: .block),
        EDVRuleDefinition(
            id: "exempt-small-transfers", position: 20, action: "TransferFunds",
            conditions: [.detailAtMost(key: "transaction.amountMinor", threshold: 3_000)], decision: .allow),
        // Above 5,000.00 only a passkey will do: a phishing-resistant factor for the payments worth stealing.
        EDVRuleDefinition(
            id: "passkey-large-transfers", position: 25, action: "TransferFunds",
            conditions: [.detailAbove(key: "transaction.amountMinor", threshold: 500_000)], decision: .requireMFA,
            level: .phishingResistant),
        EDVRuleDefinition(
            id: "mfa-transfers", position: 30, action: "TransferFunds",
            conditions: [.detailAbove(key: "transaction.amountMinor", threshold: 3_000)], decision: .requireMFA),
        EDVRuleDefinition(id: "mfa-add-payee", position: 40, action: "AddPayee", decision: .requireMFA, repromptAfterMinutes: 10),
    ]

    /// Seeds the demo users when the database has no user at all; returns whether it did.
    @discardableResult
    public static func seedIfEmpty(_ platform: Platform) async throws -> Bool {
        guard try await platform.store.read({ try await $0.userCount() }) == 0 else { return false }
        try await platform.saveEDVRules(edvRules)
        // The demo bank keeps its books in USD: the art. 16 cumulative limit (100.00) is counted in it.
        try await platform.setProperty("ExemptionCurrency", to: "USD")
        // The rule above asks for a passkey past 5,000.00; this floor makes the transfer API hold it too, whatever a
        // route's guard asked.
        try await platform.setProperty("PhishingResistantAboveMinor", to: "500000")
        for demo in users {
            let user = try await platform.createUser(
                username: demo.username, displayName: demo.displayName, passwordHash: demo.passwordHash,
                logonMFA: demo.logonMFA, details: demo.details)
            for (kind, address) in demo.targets {
                try await platform.addTarget(userID: user.id, kind: kind, address: address)
            }
            if demo.hasAccessToken { try await platform.addAccessToken(userID: user.id, secret: accessTokenSecret) }
            for (provider, value) in demo.registrations {
                try await platform.store.write { try await $0.setRegistration(userID: user.id, provider: provider, value: value) }
            }
            for (name, number, balance) in demo.accounts {
                try await platform.addAccount(userID: user.id, name: name, number: number, balanceMinor: balance, currency: "USD")
            }
        }
        return true
    }
}
