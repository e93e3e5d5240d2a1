import ArgumentParser
import Foundation
import StepupCore
import StepupServer

/// `stepup keys`: create and rotate the platform key set file.
struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys", abstract: "Create or rotate the platform key set (TOTP secrets are sealed with it).",
        subcommands: [Init.self, Rotate.self])

    struct Init: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Write a new key set with one random key (mode 0600); never overwrites.")
        @Argument(help: "The key file to create.") var file: String

        func run() async throws {
            do {
                try KeySource.write(try KeySet.generate(), to: file)
                Admin.print("created \(file) with key k1")
            } catch let error as StepupError {
                Admin.fail(error.message)
            }
        }
    }

    struct Rotate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a new random key and make it current; old keys stay so old secrets still open.")
        @Argument(help: "The key file to rotate.") var file: String
        @Option(help: "The new key's id (default: k<n+1>).") var id: String?

        func run() async throws {
            do {
                guard let data = FileManager.default.contents(atPath: file) else {
                    throw StepupError(.configurationInvalid, message: "cannot read \(file)")
                }
                let keys = try KeySet(json: data)
                let newID = id ?? "k\(keys.ids.count + 1)"
                try KeySource.write(try keys.rotated(newID: newID), to: file, replace: true)
                Admin.print("rotated \(file): current key is \(newID)")
            } catch let error as StepupError {
                Admin.fail(error.message)
            }
        }
    }
}
