import ArgumentParser
import Foundation
import StepupCore
import StepupPlatform

/// `stepup props`: the system properties, validated.
struct PropsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "props", abstract: "Read and set system properties (LogonTacAllow…Targets, EdvTacAllow…Targets, …).",
        subcommands: [Get.self, Set.self])

    struct Get: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print one property, or all of them.")
        @OptionGroup var options: AdminOptions
        @Argument(help: "The property's name; omit for all.") var name: String?

        func run() async throws {
            await Admin.run(options) { platform in
                let properties = try await platform.systemProperties()
                if let name {
                    Admin.print(try properties.value(of: name))
                } else {
                    for name in SystemProperties.names { Admin.print("\(name)=\(try properties.value(of: name))") }
                }
            }
        }
    }

    struct Set: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Set one property; unknown names and bad values are refused.")
        @OptionGroup var options: AdminOptions
        @Argument(help: "The property's name.") var name: String
        @Argument(help: "The new value.") var value: String

        func run() async throws {
            await Admin.run(options) { platform in
                try await platform.setProperty(name, to: value)
                Admin.print("\(name)=\(value)")
            }
        }
    }
}
