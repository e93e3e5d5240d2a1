import ArgumentParser
import Foundation
import StepupScaffold

/// `stepup create-extension`: the scaffolder, with the seed's menus or flags.
struct CreateExtensionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create-extension",
        abstract: "Generate an extension package that builds and passes its tests.",
        discussion: """
            Without flags it asks, in order: the name, the type, and for an online extension its rendering, its \
            integration and, for external MFA, standard or redirect-based. Return takes the default. Types Stepup does \
            not build (\(ExtensionType.allCases.filter { !$0.isSupported }.map(\.rawValue).joined(separator: ", "))) are \
            refused.
            """)

    @Option(help: "The extension's Swift type name (asked when missing).") var name: String?
    @Option(help: "online, audit-action or base (asked when missing; the seed's other types are refused).") var type: String?
    @Option(help: "For online: server or client (rendered).") var rendering: String?
    @Option(help: "For online: authenticated, unauthenticated or external-mfa.") var integration: String?
    @Option(help: "For external-mfa: standard or redirect.") var mfa: String?
    @Option(help: "The folder to create (default: ./NAME).") var output: String?
    @Flag(help: "Replace the output folder if it exists.") var force = false
    @Option(help: "Depend on this Stepup checkout (default: the checkout this binary was built from).") var stepupPath: String?
    @Option(help: "Depend on Stepup by git URL instead (with --stepup-version).") var stepupURL: String?
    @Option(help: "The Stepup version for --stepup-url.") var stepupVersion: String?

    func run() throws {
        do {
            let choices = try resolveChoices()
            try choices.validate()
            let source = try stepupSource()
            let folder = URL(fileURLWithPath: output ?? choices.name, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
            let written = try Scaffolder(choices: choices, stepup: source).write(to: folder, force: force)
            print("\nCreated \(choices.summary) in \(folder.standardizedFileURL.path) (\(written.count) files).")
            print("Next: cd \(folder.standardizedFileURL.path) && swift test")
        } catch let error as ScaffoldError {
            FileHandle.standardError.write(Data("stepup create-extension: \(error.message)\n".utf8))
            throw ExitCode(2)
        }
    }

    /// With any choice flag, the flags (defaults for the rest, `--name` required); with none, the menus.
    func resolveChoices() throws -> ScaffoldChoices {
        func parse<T: RawRepresentable>(_ value: String?, _ flag: String, as: T.Type) throws -> T? where T.RawValue == String {
            guard let value else { return nil }
            guard let parsed = T(rawValue: value.lowercased()) else { throw ScaffoldError("--\(flag) \(value) is not one of the choices; see --help.") }
            return parsed
        }
        let givenType = try parse(type, "type", as: ExtensionType.self)
        if let givenType, !givenType.isSupported {
            throw ScaffoldError("\(givenType.title) extensions are not built by Stepup; choose online, audit-action or base.")
        }
        let givenRendering = try parse(rendering, "rendering", as: Rendering.self)
        let givenIntegration = try parse(integration, "integration", as: Integration.self)
        let givenMFA = try parse(mfa, "mfa", as: MFAIntegration.self)
        let anyChoice = name != nil || givenType != nil || givenRendering != nil || givenIntegration != nil || givenMFA != nil
        if anyChoice {
            guard let name else { throw ScaffoldError("--name is needed with the other choices (or give none and answer the menus).") }
            return ScaffoldChoices(
                name: name, type: givenType ?? .online, rendering: givenRendering ?? .server,
                integration: givenIntegration ?? .authenticated, mfa: givenMFA ?? .standard)
        }
        let prompter = ScaffoldPrompter(readLine: { Swift.readLine(strippingNewline: true) }, write: { text in
            FileHandle.standardOutput.write(Data(text.utf8))
        })
        return try prompter.ask()
    }

    func stepupSource() throws -> StepupSource {
        if let stepupURL {
            guard let stepupVersion, !stepupVersion.isEmpty else { throw ScaffoldError("--stepup-url needs --stepup-version.") }
            return .url(stepupURL, version: stepupVersion)
        }
        if stepupVersion != nil { throw ScaffoldError("--stepup-version goes with --stepup-url.") }
        let path = stepupPath ?? Self.thisCheckout
        guard FileManager.default.fileExists(atPath: path + "/Package.swift") else {
            throw ScaffoldError("\(path) is not a Stepup checkout (no Package.swift); pass --stepup-path or --stepup-url.")
        }
        return .path(URL(fileURLWithPath: path).standardizedFileURL.path)
    }

    /// The checkout this binary was built from (three folders up from this source file).
    static var thisCheckout: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    }
}
