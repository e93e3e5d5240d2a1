import Foundation
import StepupCore
import Testing

#if canImport(Glibc)
import Glibc
#endif

@testable import StepupSDKOIDC

/// The client secret from `STEPUP_OIDC_CLIENT_SECRET` or the file `STEPUP_OIDC_CLIENT_SECRET_FILE` names: a file
/// that cannot be read is one typed error with the path and why, never its content.
@Suite final class OIDCClientSecretTests {
    let directory: String

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("stepup-oidc-secret-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: directory) }

    func write(_ name: String, _ bytes: [UInt8]) throws -> String {
        let path = directory + "/" + name
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    func fromFile(_ path: String) throws(OIDCFailure) -> String {
        try OIDCClientSecret.fromEnvironment(["STEPUP_OIDC_CLIENT_SECRET_FILE": path])
    }

    @Test func aMissingFileSaysItCouldNotBeReadWithThePath() throws {
        let path = directory + "/absent"
        #expect(throws: OIDCFailure.clientSecretUnreadable(path: path, reason: "no such file")) { try fromFile(path) }
        let error = OIDCFailure.clientSecretUnreadable(path: path, reason: "no such file").stepupError
        #expect(error.code == .configurationInvalid)
        #expect(error.message == "The client secret file \(path) could not be read: no such file.")
        #expect(OIDCFailure.clientSecretUnreadable(path: path, reason: "x").auditReason == "client_secret_unreadable")
    }

    @Test func aDirectoryIsNotASecretFile() throws {
        #expect(throws: OIDCFailure.clientSecretUnreadable(path: directory, reason: "it is a directory")) { try fromFile(directory) }
    }

    @Test func aFileThatIsNoSecretIsRefusedWithoutItsContent() throws {
        let long = try write("long", Array(repeating: UInt8(ascii: "s"), count: OIDCClientSecret.maximumFileSize + 1))
        let binary = try write("binary", [0x73, 0x65, 0xFF, 0xFE, 0x63])
        let blank = try write("blank", Array(" \n\t\n".utf8))
        for (path, reason) in [(long, "it is longer than 4096 bytes"), (binary, "it is not UTF-8 text"), (blank, "it is empty")] {
            do {
                _ = try fromFile(path)
                Issue.record("\(path) was accepted")
            } catch {
                #expect(error == .clientSecretUnreadable(path: path, reason: reason))
                #expect(!error.stepupError.message.contains("sss"))
            }
        }
    }

    @Test(.enabled(if: getuid() != 0, "root reads any file"))
    func aFileWithoutReadPermissionSaysSo() throws {
        let path = try write("locked", Array("a-client-secret-of-some-length".utf8))
        try FileManager.default.setAttributes([.posixPermissions: 0o000], ofItemAtPath: path)
        #expect(throws: OIDCFailure.clientSecretUnreadable(path: path, reason: "permission denied")) { try fromFile(path) }
    }

    @Test func aSecretFileIsReadAndTrimmed() throws {
        let path = try write("secret", Array("a-client-secret-of-some-length\n".utf8))
        #expect(try fromFile(path) == "a-client-secret-of-some-length")
    }

    @Test func theVariableWorksAloneAndBothOrNeitherIsAnError() throws {
        let path = try write("secret", Array("from-the-file-0123456789".utf8))
        #expect(try OIDCClientSecret.fromEnvironment(["STEPUP_OIDC_CLIENT_SECRET": "from-the-variable-0123"]) == "from-the-variable-0123")
        #expect(throws: OIDCFailure.configuration("Set STEPUP_OIDC_CLIENT_SECRET or STEPUP_OIDC_CLIENT_SECRET_FILE, not both.")) {
            try OIDCClientSecret.fromEnvironment(["STEPUP_OIDC_CLIENT_SECRET": "from-the-variable-0123", "STEPUP_OIDC_CLIENT_SECRET_FILE": path])
        }
        #expect(throws: OIDCFailure.configuration("Give the client secret in STEPUP_OIDC_CLIENT_SECRET or STEPUP_OIDC_CLIENT_SECRET_FILE.")) {
            try OIDCClientSecret.fromEnvironment(["STEPUP_OIDC_CLIENT_SECRET": "", "STEPUP_OIDC_CLIENT_SECRET_FILE": ""])
        }
    }
}
