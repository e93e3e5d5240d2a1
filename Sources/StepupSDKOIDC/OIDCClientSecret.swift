import Foundation

/// Where a relying party's client secret comes from: a variable (`STEPUP_OIDC_CLIENT_SECRET`) or a file that a
/// variable of the same name with `_FILE` appended names (a mounted secret). One of the two, not both: with both set
/// it is not ours to guess which one the operator meant, so that is an error.
public enum OIDCClientSecret {
    /// The largest secret file read; anything longer is not a client secret (or is `/dev/zero`).
    public static let maximumFileSize = 4096

    /// The secret from `environment[variable]` or from the file `environment[variable + "_FILE"]` names. An
    /// empty variable counts as unset.
    ///
    /// - Throws: `configuration` when neither or both are set; ``OIDCFailure/clientSecretUnreadable(path:reason:)``
    ///   when the file cannot be read.
    public static func fromEnvironment(
        _ environment: [String: String], variable: String = "STEPUP_OIDC_CLIENT_SECRET"
    ) throws(OIDCFailure) -> String {
        let fileVariable = variable + "_FILE"
        let value = environment[variable].flatMap { $0.isEmpty ? nil : $0 }
        let path = environment[fileVariable].flatMap { $0.isEmpty ? nil : $0 }
        switch (value, path) {
        case (let value?, nil): return value
        case (nil, let path?): return try read(file: path)
        case (.some, .some): throw .configuration("Set \(variable) or \(fileVariable), not both.")
        case (nil, nil): throw .configuration("Give the client secret in \(variable) or \(fileVariable).")
        }
    }

    /// The secret in the file at `path`, surrounding whitespace and newlines trimmed (`echo secret > file` adds one).
    ///
    /// - Throws: ``OIDCFailure/clientSecretUnreadable(path:reason:)`` naming the path and why, never the content.
    public static func read(file path: String) throws(OIDCFailure) -> String {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw .clientSecretUnreadable(path: path, reason: "no such file")
        }
        guard !isDirectory.boolValue else { throw .clientSecretUnreadable(path: path, reason: "it is a directory") }
        let bytes: Data
        do {
            let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
            defer { try? handle.close() }
            bytes = try handle.read(upToCount: maximumFileSize + 1) ?? Data()
        } catch {
            let reason = FileManager.default.isReadableFile(atPath: path) ? "the read failed" : "permission denied"
            throw .clientSecretUnreadable(path: path, reason: reason)
        }
        guard bytes.count <= maximumFileSize else {
            throw .clientSecretUnreadable(path: path, reason: "it is longer than \(maximumFileSize) bytes")
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw .clientSecretUnreadable(path: path, reason: "it is not UTF-8 text")
        }
        let secret = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !secret.isEmpty else { throw .clientSecretUnreadable(path: path, reason: "it is empty") }
        return secret
    }
}
