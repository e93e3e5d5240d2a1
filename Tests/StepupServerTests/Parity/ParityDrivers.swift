import AsyncHTTPClient
import Foundation
import NIOCore
import StepupCore
import StepupExtensionHost
import StepupSDK
import StepupTesting

#if canImport(Glibc)
    import Glibc
#endif

/// The test kit's side: a fresh ``TestPlatform`` per scenario, with the scenario's rules and properties.
struct KitDriver: ParityDriver {
    var tester = ExtensionTester(ParityExtension())

    mutating func begin(_ scenario: ParityScenario) async throws {
        let platform = TestPlatform(userID: "bob", rules: scenario.rules)
        for (name, value) in scenario.properties { try platform.setProperty(name, to: value) }
        tester = ExtensionTester(ParityExtension(), platform: platform)
    }

    mutating func call(_ route: String, fields: [String: String], hint: String?) async throws -> (String, String?) {
        let result = await tester.run(route, fields: fields, challengeHint: hint)
        if let error = result.error {
            return (error.code.rawValue, error.code == .mfaRequired ? error.challengeID : nil)
        }
        return (result.handlerRan ? "ran" : "no answer", nil)
    }

    mutating func completeMFA(_ challengeID: String) async throws { try tester.platform.completeChallenge(challengeID) }

    mutating func offerCode(_ challengeID: String) async throws -> String {
        do {
            try tester.platform.completeChallenge(challengeID, method: .accessCode)
            return "completed"
        } catch let error as StepupError {
            return error.code.rawValue
        }
    }

    mutating func cancelMFA(_ challengeID: String) async throws {
        try tester.platform.endChallenge(challengeID, as: .cancelled)
    }

    mutating func end(_ scenario: ParityScenario) async throws {}
}

/// A real `stepup serve --demo` (the built binary, its own SQLite file) with the parity extension served by
/// `StepupExtensionHost` and mounted with `--extension`; the bank's policy changed with the `stepup` CLI, the
/// customer (demo user bob) driven over HTTP, MFA completed with a code from the dev outbox.
final class ServeDriver: ParityDriver, @unchecked Sendable {
    /// The built `stepup` binary: `STEPUP_BINARY`, or this checkout's debug build.
    static var binary: String? {
        if let path = ProcessInfo.processInfo.environment["STEPUP_BINARY"] { return path }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        let path = root.appendingPathComponent(".build/debug/stepup").path
        return FileManager.default.isExecutableFile(atPath: path) ? path : nil
    }

    /// What `end` sets the properties a scenario changed back to: the demo bank's values.
    static let demoProperties = ["EdvDefaultDecision": "require_mfa", "ExemptionCurrency": "USD"]

    let binary: String
    let folder: URL
    let database: String
    let base: String
    private var server: Process?
    private var service: RunningService?
    private var cookies: [String: String] = [:]
    private var csrf = ""

    init(binary: String) throws {
        self.binary = binary
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("stepup-parity-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        database = folder.appendingPathComponent("stepup.sqlite").path
        base = "http://127.0.0.1:\(try Self.freePort())"
    }

    func start() async throws {
        let key = SecureRandom.token(bits: 256)
        let running = try await RunningService.start(
            ExtensionService(extensions: [ParityExtension()], keys: ["parity": key], platformURL: base))
        service = running
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.currentDirectoryURL = folder
        process.arguments = [
            "serve", "--demo", "--database", database, "--port", String(base.split(separator: ":").last ?? ""),
            "--extension", "parity=http://127.0.0.1:\(running.port)", "--log-level", "warning",
        ]
        var environment = ProcessInfo.processInfo.environment
        environment["STEPUP_EXTENSION_KEY_PARITY"] = key
        process.environment = environment
        let log = folder.appendingPathComponent("serve.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        server = process
        for _ in 0..<300 {
            if let (status, _) = try? await send("GET", "/health"), status == 200 {
                // Send caps are not what this compares, and a dozen codes to bob within a minute would meet them.
                for (name, value) in ["SendCapPerUserPerHour": "100", "SendCapPerTargetPerHour": "100", "ResendCooldownSeconds": "0"] {
                    try admin(["props", "set", name, value])
                }
                return
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw StepupError(.internal, message: "stepup serve did not answer /health: \(String(decoding: FileManager.default.contents(atPath: log.path) ?? Data(), as: UTF8.self))")
    }

    func stop() async {
        server?.terminate()
        server?.waitUntilExit()
        await service?.stop()
        try? FileManager.default.removeItem(at: folder)
    }

    func begin(_ scenario: ParityScenario) async throws {
        if !scenario.rules.isEmpty {
            let file = folder.appendingPathComponent("rules.json")
            try JSONEncoder().encode(scenario.rules).write(to: file)
            try admin(["edv", "load", file.path])
        }
        for (name, value) in scenario.properties { try admin(["props", "set", name, value]) }
        // A new session: no completion or open challenge of another scenario is in it.
        cookies = [:]
        let (status, body) = try await send("POST", "/api/logon", json: ["username": "bob", "password": "demo-bob-pw"])
        guard status == 200, let token = try Self.object(body)["csrfToken"] as? String else {
            throw StepupError(.internal, message: "bob's logon answered \(status)")
        }
        csrf = token
    }

    func call(_ route: String, fields: [String: String], hint: String?) async throws -> (String, String?) {
        var headers = ["X-CSRF-Token": csrf]
        if let hint { headers["X-Stepup-Challenge"] = hint }
        let (status, body) = try await send("POST", "/ext/parity/\(route)", json: fields, headers: headers)
        if status == 200 { return (String(decoding: body, as: UTF8.self) == "ran" ? "ran" : "no answer", nil) }
        let error = try Self.object(body)["error"] as? [String: Any] ?? [:]
        let code = (error["code"] as? String) ?? "status \(status)"
        let challenge: String? = code == "mfa_required" ? error["challengeId"] as? String : nil
        return (code, challenge)
    }

    /// A code straight to `verify-code`: a challenge that needs more than a code refuses it before anything else.
    func offerCode(_ challengeID: String) async throws -> String {
        let (status, body) = try await send(
            "POST", "/api/mfa/challenges/\(challengeID)/verify-code", json: ["code": "000000"], headers: ["X-CSRF-Token": csrf])
        if status == 200 { return "completed" }
        return ((try Self.object(body)["error"] as? [String: Any])?["code"] as? String) ?? "status \(status)"
    }

    func completeMFA(_ challengeID: String) async throws {
        let (_, targets) = try await send("GET", "/api/mfa/challenges/\(challengeID)/targets")
        guard let target = (try Self.object(targets)["targets"] as? [[String: Any]])?.first?["id"] as? String else {
            throw StepupError(.internal, message: "the challenge offers no target")
        }
        let (sent, _) = try await send(
            "POST", "/api/mfa/challenges/\(challengeID)/send", json: ["targetId": target], headers: ["X-CSRF-Token": csrf])
        guard sent == 200 else { throw StepupError(.internal, message: "send answered \(sent)") }
        let (_, outbox) = try await send("GET", "/dev/outbox?challenge=\(challengeID)")
        guard let code = (try Self.object(outbox)["messages"] as? [[String: Any]])?.last?["code"] as? String else {
            throw StepupError(.internal, message: "no code in the dev outbox")
        }
        let (verified, body) = try await send(
            "POST", "/api/mfa/challenges/\(challengeID)/verify-code", json: ["code": code], headers: ["X-CSRF-Token": csrf])
        guard verified == 200, let token = try Self.object(body)["csrfToken"] as? String else {
            throw StepupError(.internal, message: "verify-code answered \(verified)")
        }
        csrf = token
    }

    func cancelMFA(_ challengeID: String) async throws {
        let (status, _) = try await send("POST", "/api/mfa/challenges/\(challengeID)/cancel", headers: ["X-CSRF-Token": csrf])
        guard status == 200 else { throw StepupError(.internal, message: "cancel answered \(status)") }
    }

    func end(_ scenario: ParityScenario) async throws {
        for rule in scenario.rules { try admin(["edv", "remove", rule.id]) }
        for name in scenario.properties.keys { try admin(["props", "set", name, Self.demoProperties[name] ?? ""]) }
    }

    /// Runs one `stepup` admin command against the server's database, as an operator would.
    func admin(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.currentDirectoryURL = folder
        process.arguments = arguments + ["--database", database]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            throw StepupError(.internal, message: "stepup \(arguments.joined(separator: " ")): \(text)")
        }
    }

    private func send(_ method: String, _ path: String, json: [String: String]? = nil, headers: [String: String] = [:])
        async throws -> (Int, Data)
    {
        var request = HTTPClientRequest(url: base + path)
        request.method = .RAW(value: method)
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if !cookies.isEmpty { request.headers.add(name: "Cookie", value: cookies.map { "\($0)=\($1)" }.joined(separator: "; ")) }
        if let json {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: try JSONEncoder().encode(json)))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(15))
        for header in response.headers["set-cookie"] {
            let pair = header.split(separator: ";", maxSplits: 1).first ?? ""
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            if parts.count == 2 { cookies[parts[0]] = parts[1] }
        }
        let body = try await response.body.collect(upTo: 1 << 20)
        return (Int(response.status.code), Data(buffer: body))
    }

    private static func object(_ data: Data) throws -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
    }

    /// A port nothing listens on now: bound to port 0 by the kernel, then released.
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw StepupError(.internal, message: "no socket") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw StepupError(.internal, message: "no free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
