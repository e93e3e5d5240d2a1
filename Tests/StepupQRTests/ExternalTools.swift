import Foundation

@testable import StepupQR

/// Locating and running the outside programs some tests compare against (python3 + segno, zbarimg,
/// rsvg-convert). Tests that need one are disabled, with the reason shown, when it is missing, so a plain
/// `swift test` on a bare machine still passes while CI with the tools installed checks everything.
enum ExternalTools {
    /// First executable called `name` on `PATH`.
    static func find(_ name: String) -> URL? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = URL(fileURLWithPath: String(directory)).appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        return nil
    }

    struct Result {
        let status: Int32
        let stdout: Data
        let stderr: String
    }

    /// Runs to completion with output sent to files rather than pipes, so a large output cannot fill a pipe
    /// buffer and deadlock the test.
    static func run(_ executable: URL, _ arguments: [String]) throws -> Result {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let outURL = directory.appendingPathComponent("stdout")
        let errURL = directory.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let out = try FileHandle(forWritingTo: outURL)
        let err = try FileHandle(forWritingTo: errURL)
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        try out.close()
        try err.close()
        return Result(
            status: process.terminationStatus,
            stdout: try Data(contentsOf: outURL),
            stderr: String(decoding: try Data(contentsOf: errURL), as: UTF8.self))
    }

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("stepupqr-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static let python3: URL? = find("python3")
    static let zbarimg: URL? = find("zbarimg")
    static let rsvgConvert: URL? = find("rsvg-convert")

    /// True when `python3 -c "import segno"` succeeds.
    static let hasSegno: Bool = {
        guard let python3 else { return false }
        return (try? run(python3, ["-c", "import segno"]))?.status == 0
    }()
}

/// Payloads shared by the comparison and decoding tests.
enum Fixtures {
    static let otpauth =
        "otpauth://totp/Demo%20Bank:alice?secret=JBSWY3DPEHPK3PXP&issuer=Demo%20Bank&algorithm=SHA1&digits=6&period=30"

    /// Deterministic bytes that look random enough to exercise every mask and penalty feature.
    static func pseudoRandomBytes(count: Int, seed: UInt32) -> [UInt8] {
        var state = seed == 0 ? 0x9E37_79B9 : seed
        return (0..<count).map { _ in
            state ^= state << 13
            state ^= state >> 17
            state ^= state << 5
            return UInt8(truncatingIfNeeded: state >> 11)
        }
    }

    /// Printable ASCII, so a decoder's charset guessing cannot get in the way.
    static func ascii(count: Int) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 -_.:/?&=%")
        let random = pseudoRandomBytes(count: count, seed: 1000)
        return String(random.map { alphabet[Int($0) % alphabet.count] })
    }

    /// Named payloads for the segno comparison: short, the enrolment URI, 100 bytes, 300 bytes (version ≥ 7
    /// at every level, so version information is compared too) and every byte value once.
    static let comparisonPayloads: [(name: String, bytes: [UInt8])] = [
        ("short", Array("hello".utf8)),
        ("otpauth", Array(otpauth.utf8)),
        ("100 bytes", pseudoRandomBytes(count: 100, seed: 100)),
        ("300 bytes", pseudoRandomBytes(count: 300, seed: 300)),
        ("0x00-0xFF", (0...255).map { UInt8($0) }),
    ]
}

extension QRCode.ErrorCorrection {
    /// segno's spelling of the level.
    var segnoName: String {
        switch self {
        case .low: "l"
        case .medium: "m"
        case .quartile: "q"
        case .high: "h"
        }
    }
}

extension QRCode {
    /// Rows of "0"/"1", the shape the Python side reports, for readable failure messages.
    var rows: [String] {
        (0..<size).map { y in String((0..<size).map { x in self[x, y] ? "1" : "0" }) }
    }
}
