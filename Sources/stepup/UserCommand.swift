import ArgumentParser
import Foundation
import StepupCore
import StepupPlatform

/// `stepup user`: add, list and unlock users.
struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user", abstract: "Add, list and unlock users.", subcommands: [Add.self, List.self, Unlock.self, RegisterMFA.self])

    struct RegisterMFA: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "register-mfa",
            abstract: "Register a user with an external MFA provider (the value its extension checks: a subject at an identity provider, say).")
        @OptionGroup var options: AdminOptions
        @Argument(help: "The username.") var username: String
        @Option(help: "The provider: the external MFA extension's name.") var provider: String
        @Option(help: "The registration value.") var value: String

        func run() async throws {
            await Admin.run(options) { platform in
                let user = try await platform.user(named: username)
                try await platform.setRegistration(userID: user.id, provider: provider, value: value)
                Admin.print("registered \(user.username) with \(provider)")
            }
        }
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a user. The password is read from standard input (one line), never from a flag.")
        @OptionGroup var options: AdminOptions
        @Argument(help: "The username.") var username: String
        @Option(help: "The name shown to the user.") var displayName: String?
        @Option(help: "Logon MFA: always or never.") var logonMfa: String = "always"
        @Option(help: "The customer's first name (an extension's onlineUser.firstName).") var firstName: String?
        @Option(help: "The customer's last name.") var lastName: String?
        @Option(help: "The customer's email address (a record, not a delivery target: see `stepup target add`).")
        var email: String?
        @Option(help: "The customer's number in the bank's core system.") var customerNumber: String?

        func run() async throws {
            guard let policy = LogonMFAPolicy(rawValue: logonMfa) else { Admin.fail("--logon-mfa is always or never") }
            let details = CustomerDetails(
                firstName: firstName, lastName: lastName, email: email, customerNumber: customerNumber)
            do { try details.validate() } catch let error as StepupError { Admin.fail(error.message) }
            guard let password = readLine(strippingNewline: true), password.count >= 8 else {
                Admin.fail("give the password (at least 8 characters) on standard input")
            }
            await Admin.run(options) { platform in
                let user = try await platform.createUser(
                    username: username, displayName: displayName ?? Self.displayName(details) ?? username,
                    password: password, logonMFA: policy, details: details)
                Admin.print("added \(user.username) (\(user.id)), logon MFA \(policy.rawValue)")
            }
        }

        /// "First Last" when either is given, so a customer added with names is not shown their username.
        static func displayName(_ details: CustomerDetails) -> String? {
            let parts = [details.firstName, details.lastName].compactMap { $0 }
            return parts.isEmpty ? nil : parts.joined(separator: " ")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List users with their lockout state.")
        @OptionGroup var options: AdminOptions

        func run() async throws {
            await Admin.run(options) { platform in
                for user in try await platform.users() {
                    let counter = try await platform.failureCounter(userID: user.id)
                    var state = "failures \(counter?.failures ?? 0)"
                    if let until = counter?.lockedUntil, until > platform.clock.now {
                        state += ", locked until \(ISO8601DateFormatter().string(from: until))"
                    }
                    // The counter's state stays the last column: scripts read it there.
                    let customer = user.details.customerNumber.map { "\tcustomer \($0)" } ?? ""
                    Admin.print(
                        "\(user.username)\t\(user.id)\t\(user.displayName)\(customer)\tlogon MFA \(user.logonMFA.rawValue)\t\(state)")
                }
            }
        }
    }

    struct Unlock: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Clear a user's failure counter and lockout.")
        @OptionGroup var options: AdminOptions
        @Argument(help: "The username.") var username: String

        func run() async throws {
            await Admin.run(options) { platform in
                let user = try await platform.user(named: username)
                try await platform.unlock(userID: user.id)
                Admin.print("unlocked \(user.username)")
            }
        }
    }
}
