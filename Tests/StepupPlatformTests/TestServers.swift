import Foundation
import Testing

/// The real servers `./scripts/test` starts for these tests. Under `./scripts/test` (which sets
/// `STEPUP_TEST_REQUIRE_SERVERS`) a missing variable fails the test that needs it; a plain `swift test` skips those
/// suites with a message instead, so it passes on a laptop.
enum TestServers {
    /// Whether the suites needing `name` run: its server is there, or this run requires every server.
    static func available(_ name: String) -> Bool {
        let environment = ProcessInfo.processInfo.environment
        return environment[name] != nil || environment["STEPUP_TEST_REQUIRE_SERVERS"] != nil
    }

    static func value(_ name: String) throws -> String {
        try #require(ProcessInfo.processInfo.environment[name], "\(name) is not set: run the tests with ./scripts/test, which starts the servers")
    }

    static func port(_ name: String) throws -> Int {
        try #require(Int(try value(name)))
    }

    /// Waits (bounded) for a file in `folder` whose contents contain `needle`, and returns its contents.
    static func waitForFile(in folder: String, containing needle: String, timeout: Double = 10) async throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            for name in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] where !name.hasSuffix(".tmp") {
                let text = (try? String(contentsOfFile: folder + "/" + name, encoding: .utf8)) ?? ""
                if text.contains(needle) { return text }
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("no file in \(folder) contains \(needle)")
        return ""
    }
}

/// The decoded text body of a stored mail, found by its recipient.
func mailBody(to recipient: String) async throws -> String {
    let raw = try await TestServers.waitForFile(in: try TestServers.value("STEPUP_TEST_SMTP_MAILDIR"), containing: "To: <\(recipient)>")
    let parts = raw.components(separatedBy: "\r\n\r\n")
    let body = parts.dropFirst().joined(separator: "\r\n\r\n").replacingOccurrences(of: "\r\n", with: "")
    return String(decoding: Data(base64Encoded: body) ?? Data(), as: UTF8.self)
}
