import Foundation

/// Generates an extension package from ``ScaffoldChoices`` and writes it atomically: into a hidden sibling folder
/// first, renamed into place only when every file is written, so a failure leaves nothing half-written.
public struct Scaffolder: Sendable {
    public let choices: ScaffoldChoices
    public let stepup: StepupSource

    public init(choices: ScaffoldChoices, stepup: StepupSource) {
        self.choices = choices
        self.stepup = stepup
    }

    /// The generated files, by path relative to the package folder.
    public func files() throws(ScaffoldError) -> [String: String] {
        try choices.validate()
        let template = Template(choices: choices, stepup: stepup)
        return template.files()
    }

    /// Writes the package into `folder` (which must not exist unless `force`); answers the files written.
    @discardableResult
    public func write(to folder: URL, force: Bool = false) throws(ScaffoldError) -> [String] {
        let files = try files()
        let manager = FileManager.default
        let target = folder.standardizedFileURL
        var isDirectory: ObjCBool = false
        let exists = manager.fileExists(atPath: target.path, isDirectory: &isDirectory)
        if exists && !force {
            throw ScaffoldError("\(target.path) already exists; choose another --output or pass --force to replace it.")
        }
        let staging = target.deletingLastPathComponent().appendingPathComponent(".\(target.lastPathComponent).creating-\(UUID().uuidString)")
        do {
            try manager.createDirectory(at: staging, withIntermediateDirectories: true)
            for (path, content) in files {
                let url = staging.appendingPathComponent(path)
                try manager.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try Data(content.utf8).write(to: url)
            }
            if exists { try manager.removeItem(at: target) }
            try manager.moveItem(at: staging, to: target)
        } catch {
            try? manager.removeItem(at: staging)
            throw ScaffoldError("Could not write \(target.path): \(error.localizedDescription); nothing was written.")
        }
        return files.keys.sorted()
    }
}
