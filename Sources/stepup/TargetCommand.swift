import ArgumentParser
import Foundation
import StepupCore
import StepupPlatform

/// `stepup target`: a user's delivery targets.
struct TargetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "target", abstract: "Add, list and remove a user's delivery targets.",
        subcommands: [Add.self, List.self, Remove.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a target: email, sms, voice or push.")
        @OptionGroup var options: AdminOptions
        @Argument(help: "The username.") var username: String
        @Argument(help: "email, sms, voice or push.") var kind: String
        @Argument(help: "The address: an email address, an E.164 number, a push device id.") var address: String

        func run() async throws {
            guard let kind = TargetKind(rawValue: kind) else { Admin.fail("the kind is email, sms, voice or push") }
            guard Self.isValid(address, kind: kind) else { Admin.fail("\(address) is not a valid \(kind.rawValue) address") }
            await Admin.run(options) { platform in
                let user = try await platform.user(named: username)
                let target = try await platform.addTarget(userID: user.id, kind: kind, address: address)
                Admin.print("added \(kind.rawValue) target \(target.id) (\(target.masked)) for \(user.username)")
            }
        }

        static func isValid(_ address: String, kind: TargetKind) -> Bool {
            switch kind {
            case .email:
                let parts = address.split(separator: "@")
                return parts.count == 2 && parts[1].contains(".") && !address.contains(where: \.isWhitespace)
            case .sms, .voice:
                return address.hasPrefix("+") && (8...16).contains(address.count) && address.dropFirst().allSatisfy(\.isNumber)
            case .push:
                return (4...200).contains(address.count) && !address.contains(where: \.isWhitespace)
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List a user's targets, masked.")
        @OptionGroup var options: AdminOptions
        @Argument(help: "The username.") var username: String

        func run() async throws {
            await Admin.run(options) { platform in
                let user = try await platform.user(named: username)
                for target in try await platform.targets(userID: user.id) {
                    Admin.print("\(target.id)\t\(target.kind.rawValue)\t\(target.masked)")
                }
            }
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove one of a user's targets by id.")
        @OptionGroup var options: AdminOptions
        @Argument(help: "The username.") var username: String
        @Argument(help: "The target id.") var id: String

        func run() async throws {
            await Admin.run(options) { platform in
                let user = try await platform.user(named: username)
                try await platform.removeTarget(id: id, userID: user.id)
                Admin.print("removed \(id)")
            }
        }
    }
}
