import ArgumentParser
import Foundation
import StepupCore
import StepupPlatform
import StepupSDK

/// `stepup account`: open and list a user's accounts (what the user API's transfers debit).
struct AccountCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "account", abstract: "Open and list a user's accounts.", subcommands: [Add.self, List.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Open an account for a user with a starting balance.")
        @OptionGroup var options: AdminOptions
        @Argument(help: "The username.") var username: String
        @Option(help: "The account's name, as the customer sees it.") var name: String = "Checking"
        @Option(help: "The account number shown (masked as you like).") var number: String
        @Option(help: "The starting balance, such as 1250.00.") var balance: String = "0"
        @Option(help: "The ISO 4217 currency code.") var currency: String = "USD"

        func run() async throws {
            guard currency.count == 3, currency.allSatisfy({ $0.isASCII && $0.isUppercase }) else {
                Admin.fail("--currency is a three-letter code such as USD")
            }
            let minor: Int64
            if balance.trimmingCharacters(in: .whitespaces).allSatisfy({ $0 == "0" || $0 == "." }) {
                minor = 0
            } else {
                do { minor = try MoneyAmount.minorUnits(balance, field: "--balance") } catch let error as StepupError {
                    Admin.fail(error.message)
                }
            }
            await Admin.run(options) { platform in
                let user = try await platform.user(named: username)
                let account = try await platform.addAccount(
                    userID: user.id, name: name, number: number, balanceMinor: minor, currency: currency)
                Admin.print("opened \(account.id) for \(user.username): \(name) \(number), \(balance) \(currency)")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List a user's accounts and balances.")
        @OptionGroup var options: AdminOptions
        @Argument(help: "The username.") var username: String

        func run() async throws {
            await Admin.run(options) { platform in
                let user = try await platform.user(named: username)
                for account in try await platform.accounts(userID: user.id) {
                    Admin.print("\(account.id)\t\(account.name)\t\(account.number)\t\(account.balanceMinor)\t\(account.currency)")
                }
            }
        }
    }
}
