import ArgumentParser
import Foundation
import Hummingbird
import Logging
import StepupCore
import StepupExamples
import StepupExtensionHost
import StepupPlatform
import StepupSDK

/// `stepup extension`: the registry of extension services.
struct ExtensionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "extension", abstract: "Register, list and remove extension services.",
        subcommands: [Add.self, List.self, Remove.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Register an extension service; its key (at least 32 bytes) is read from standard input.")
        @OptionGroup var options: AdminOptions
        @Argument(help: "The extension's name.") var name: String
        @Argument(help: "The service's base URL.") var url: String
        @Flag(help: "May serve sessions that have not passed logon (external MFA at logon).") var runsBeforeLogon = false
        @Option(help: "Comma-separated MFA contexts it serves as external MFA: logon, transaction, event_driven_validation.")
        var externalMfa: String = ""
        @Option(help: "An origin the extension may open a sign-in popup on (redirect-based external MFA); repeatable.")
        var authorizationOrigin: [String] = []

        func run() async throws {
            guard Self.isValidName(name) else { Admin.fail("\(name) is not a valid extension name (a-z, 0-9, - and _)") }
            // The key is sealed under the platform key set: say so before asking for it.
            options.requireKeySet()
            guard let key = readLine(strippingNewline: true), key.utf8.count >= 32 else {
                Admin.fail("give the extension's key (at least 32 bytes) on standard input")
            }
            await Admin.run(options) { platform in
                try await platform.register(
                    RegisteredExtension(
                        name: name, baseURL: url, key: key, runsBeforeLogon: runsBeforeLogon,
                        externalMFAContexts: externalMfa.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) },
                        authorizationOrigins: authorizationOrigin))
                Admin.print("registered \(name) at \(url)")
            }
        }

        static func isValidName(_ name: String) -> Bool { ExtensionName.isValid(name) }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List registered extension services (never their keys).")
        @OptionGroup var options: AdminOptions

        func run() async throws {
            await Admin.run(options) { platform in
                for ext in try await platform.registeredExtensions() {
                    Admin.print("\(ext.name)\t\(ext.baseURL)\tbefore logon: \(ext.runsBeforeLogon)\texternal MFA: \(ext.externalMFAContexts.joined(separator: ","))")
                }
            }
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove an extension service from the registry.")
        @OptionGroup var options: AdminOptions
        @Argument(help: "The extension's name.") var name: String

        func run() async throws {
            await Admin.run(options) { platform in
                try await platform.unregister(name: name)
                Admin.print("removed \(name)")
            }
        }
    }
}

/// `stepup serve-extension`: runs the example extensions as their own service.
struct ServeExtension: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve-extension",
        abstract: "Serve the example extensions as an extension service (StepupExtensionHost).",
        discussion: "The key shared with the platform's registry comes from STEPUP_EXTENSION_KEY.")
    @Option(help: "The platform's base URL.") var platform: String
    @Option(help: "Address to listen on.") var host = "127.0.0.1"
    @Option(help: "Port to listen on.") var port = 9090

    func run() async throws {
        guard let key = ProcessInfo.processInfo.environment["STEPUP_EXTENSION_KEY"], key.utf8.count >= 32 else {
            Admin.fail("STEPUP_EXTENSION_KEY must hold the extension's key (at least 32 bytes)")
        }
        let examples: [any Extension] = [TransfersExtension()]
        let service = ExtensionService(
            extensions: examples, keys: Dictionary(uniqueKeysWithValues: examples.map { ($0.name, key) }), platformURL: platform)
        try await service.application(host: host, port: port).runService()
    }
}
