import ArgumentParser
import Foundation
import StepupCore
import StepupPlatform

/// `stepup passkey`: a user's passkeys, for the support desk. Customers add theirs on the security page.
struct PasskeyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "passkey", abstract: "List and remove a user's passkeys (customers add them on the security page).",
        subcommands: [List.self, Remove.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List a user's passkeys: id, name, synced or device-bound, model (AAGUID), added, last used.")
        @OptionGroup var options: AdminOptions
        @Argument(help: "The username.") var username: String

        func run() async throws {
            await Admin.run(options) { platform in
                let user = try await platform.user(named: username)
                let format = ISO8601DateFormatter()
                for passkey in try await platform.passkeys(userID: user.id) {
                    let kind = passkey.backupEligible ? "synced" : "device-bound"
                    let used = passkey.lastUsedAt.map { format.string(from: $0) } ?? "never used"
                    Admin.print("\(passkey.id)\t\(passkey.name)\t\(kind)\t\(passkey.aaguid)\t\(format.string(from: passkey.createdAt))\t\(used)")
                }
            }
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove one of a user's passkeys by id (a lost device), audited as admin.passkey.removed.")
        @OptionGroup var options: AdminOptions
        @Argument(help: "The username.") var username: String
        @Argument(help: "The passkey's id, as `passkey list` shows it.") var id: String

        func run() async throws {
            await Admin.run(options) { platform in
                let user = try await platform.user(named: username)
                try await platform.removePasskey(id: id, userID: user.id)
                Admin.print("removed passkey \(id) of \(user.username)")
            }
        }
    }
}
