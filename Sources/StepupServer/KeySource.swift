import Foundation
import StepupCore

/// Where the platform's key set comes from: `STEPUP_KEYS` (the key set's JSON itself), else the key file
/// (`keysFile`, default `<database>.keys.json`). Demo mode creates the file on first run, readable by its owner only;
/// anywhere else a missing key set is a start-up error, never a silently generated key.
public enum KeySource {
    public static func defaultFile(for configuration: ServerConfiguration) -> String {
        if let file = configuration.keysFile { return file }
        return StoreFactory.isPostgres(configuration.database) ? "stepup.keys.json" : configuration.database + ".keys.json"
    }

    public static func load(
        _ configuration: ServerConfiguration, environment: [String: String], createIfMissing: Bool
    ) throws -> KeySet {
        if let inline = environment["STEPUP_KEYS"], !inline.isEmpty {
            return try KeySet(json: Data(inline.utf8))
        }
        let path = defaultFile(for: configuration)
        if let data = FileManager.default.contents(atPath: path) {
            return try KeySet(json: data)
        }
        guard createIfMissing else {
            throw StepupError(
                .configurationInvalid,
                message: "no key set: \(path) does not exist and STEPUP_KEYS is empty (create one with `stepup keys init \(path)`)")
        }
        let keys = try KeySet.generate()
        try write(keys, to: path)
        return keys
    }

    /// Writes a key set to a new file with mode 0600; refuses to overwrite.
    public static func write(_ keys: KeySet, to path: String, replace: Bool = false) throws {
        let url = URL(fileURLWithPath: path)
        if !replace, FileManager.default.fileExists(atPath: path) {
            throw StepupError(.configurationInvalid, message: "\(path) exists already")
        }
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString)")
        guard FileManager.default.createFile(atPath: temporary.path, contents: try keys.json(), attributes: [.posixPermissions: 0o600])
        else { throw StepupError(.configurationInvalid, message: "cannot write \(path)") }
        // rename(2) replaces atomically: a crash leaves the old key set or the new one, never half of either.
        guard rename(temporary.path, path) == 0 else {
            try? FileManager.default.removeItem(at: temporary)
            throw StepupError(.configurationInvalid, message: "cannot write \(path)")
        }
    }
}
