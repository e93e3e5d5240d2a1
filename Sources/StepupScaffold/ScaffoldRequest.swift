import Foundation

/// What `stepup create-extension` was given on its command line, and the run it asks for.
///
/// With any choice flag the flags are the whole answer: a bad value, a missing `--name` or an existing output folder
/// fails at once, before anything is asked or written. With none, ``ScaffoldPrompter`` asks, checking each answer as
/// it is given.
public struct ScaffoldRequest: Sendable {
    public var name: String?
    public var type: String?
    public var rendering: String?
    public var integration: String?
    public var mfa: String?
    /// The folder to create, relative to `directory`; nil for `./NAME`.
    public var output: String?
    /// Replace the output folder if it exists.
    public var force: Bool
    /// Where a relative `output` (or `./NAME`) is.
    public var directory: URL

    public init(
        name: String? = nil, type: String? = nil, rendering: String? = nil, integration: String? = nil, mfa: String? = nil,
        output: String? = nil, force: Bool = false,
        directory: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
    ) {
        self.name = name
        self.type = type
        self.rendering = rendering
        self.integration = integration
        self.mfa = mfa
        self.output = output
        self.force = force
        self.directory = directory
    }

    /// The folder the package for `name` is written to.
    public func folder(for name: String) -> URL {
        let path = output ?? name
        // Appended, not `relativeTo:`: a directory URL without a trailing slash would resolve against its parent.
        return (path.hasPrefix("/") ? URL(fileURLWithPath: path) : directory.appendingPathComponent(path)).standardizedFileURL
    }

    /// The path of the folder for `name` when it exists and `force` is off: the run must not write there.
    func existingFolder(for name: String) -> String? {
        let path = folder(for: name).path
        return !force && FileManager.default.fileExists(atPath: path) ? path : nil
    }

    /// The choices, from the flags or, when none is given, from the menus.
    public func choices(readLine: @escaping () -> String?, write: @escaping (String) -> Void) throws(ScaffoldError) -> ScaffoldChoices {
        if let flagged = try flaggedChoices() {
            try flagged.validate()
            if let path = existingFolder(for: flagged.name) { throw exists(path) }
            return flagged
        }
        // A fixed --output is taken whatever the name: say so now, not after every menu.
        if output != nil, let path = existingFolder(for: "any name") { throw exists(path) }
        let prompter = ScaffoldPrompter(readLine: readLine, write: write, existingFolder: { name in existingFolder(for: name) })
        return try prompter.ask()
    }

    /// Resolves the choices and writes the package depending on Stepup from `stepup`.
    public func create(
        stepup: StepupSource, readLine: @escaping () -> String?, write: @escaping (String) -> Void
    ) throws(ScaffoldError) -> ScaffoldResult {
        let choices = try choices(readLine: readLine, write: write)
        let folder = folder(for: choices.name)
        let files = try Scaffolder(choices: choices, stepup: stepup).write(to: folder, force: force)
        return ScaffoldResult(choices: choices, folder: folder, files: files)
    }

    func exists(_ path: String) -> ScaffoldError {
        ScaffoldError("\(path) already exists; choose another \(output == nil ? "--name or --output" : "--output") or pass --force to replace it.")
    }

    /// The choices the flags give, nil when no choice flag is given; a value that is not a choice throws.
    func flaggedChoices() throws(ScaffoldError) -> ScaffoldChoices? {
        func parse<T: RawRepresentable>(_ value: String?, _ flag: String, as: T.Type) throws(ScaffoldError) -> T?
        where T.RawValue == String {
            guard let value else { return nil }
            guard let parsed = T(rawValue: value.lowercased()) else {
                throw ScaffoldError("--\(flag) \(value) is not one of the choices; see --help.")
            }
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
        guard anyChoice else { return nil }
        guard let name else { throw ScaffoldError("--name is needed with the other choices (or give none and answer the menus).") }
        return ScaffoldChoices(
            name: name, type: givenType ?? .online, rendering: givenRendering ?? .server,
            integration: givenIntegration ?? .authenticated, mfa: givenMFA ?? .standard)
    }
}

/// What a run of ``ScaffoldRequest`` created.
public struct ScaffoldResult: Sendable, Equatable {
    public let choices: ScaffoldChoices
    /// The package folder, standardized.
    public let folder: URL
    /// The files written, relative to `folder`.
    public let files: [String]
}
