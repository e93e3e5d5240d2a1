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
            integration and, for external MFA, standard or redirect-based. Return takes the default. Each answer is \
            checked when it is given and asked again with the reason: a name that is not a Swift type name, a name \
            whose folder exists (unless --force), a type Stepup does not build \
            (\(ExtensionType.allCases.filter { !$0.isSupported }.map(\.rawValue).joined(separator: ", "))). With \
            flags nothing is asked, and a bad value fails at once. Either way a refusal exits 2 with nothing written.
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
            // Flags fail at once: where Stepup comes from is checked before any question is asked.
            let source = try stepupSource()
            let request = ScaffoldRequest(
                name: name, type: type, rendering: rendering, integration: integration, mfa: mfa, output: output, force: force)
            let created = try request.create(
                stepup: source, readLine: { Swift.readLine(strippingNewline: true) },
                write: { text in FileHandle.standardOutput.write(Data(text.utf8)) })
            print("\nCreated \(created.choices.summary) in \(created.folder.path) (\(created.files.count) files).")
            print("Next: cd \(created.folder.path) && swift test")
        } catch let error as ScaffoldError {
            FileHandle.standardError.write(Data("stepup create-extension: \(error.message)\n".utf8))
            throw ExitCode(2)
        }
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
