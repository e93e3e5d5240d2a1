import ArgumentParser
import Foundation
import StepupCore
import StepupPlatform

/// `stepup edv`: the event-driven validation rules, as data.
struct EDVCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "edv", abstract: "List, load and remove event-driven validation rules.",
        subcommands: [List.self, Load.self, Remove.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the rules in evaluation order, as JSON.")
        @OptionGroup var options: AdminOptions

        func run() async throws {
            await Admin.run(options) { platform in
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                Admin.print(String(decoding: try encoder.encode(try await platform.edvRules()), as: UTF8.self))
            }
        }
    }

    struct Load: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add or replace rules from a JSON array (see config/edv-rules.example.json); all or none.")
        @OptionGroup var options: AdminOptions
        @Argument(help: "The JSON file.") var file: String

        func run() async throws {
            await Admin.run(options) { platform in
                guard let data = FileManager.default.contents(atPath: file) else {
                    throw StepupError(.configurationInvalid, message: "cannot read \(file)")
                }
                let rules = try Platform.parseEDVRules(data)
                try await platform.saveEDVRules(rules)
                Admin.print("loaded \(rules.count) rule(s): \(rules.map(\.id).joined(separator: ", "))")
            }
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove one rule by id.")
        @OptionGroup var options: AdminOptions
        @Argument(help: "The rule's id.") var id: String

        func run() async throws {
            await Admin.run(options) { platform in
                try await platform.removeEDVRule(id: id)
                Admin.print("removed \(id)")
            }
        }
    }
}
