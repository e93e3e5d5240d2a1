import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import StepupCore
import StepupPlatform
import StepupSDK
import StepupStore

@testable import StepupServer

/// The router of a real platform on a temporary SQLite file, driven without sockets, with a tiny cookie jar.
final class ServerFixture: Sendable {
    let folder: URL
    let store: SQLiteStore
    let clock = ManualClock()
    let outbox = DevOutbox()
    let platform: Platform
    let configuration: ServerConfiguration
    let stepup: StepupInstance

    let extensions: [any Extension]

    init(
        demo: Bool = true, extensions: [any Extension] = [], configure: (inout ServerConfiguration) -> Void = { _ in },
        compose: (inout StepupBuilder) throws -> Void = { _ in }
    ) async throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("stepup-server-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        store = try await SQLiteStore.open(path: folder.appendingPathComponent("stepup.sqlite").path)
        var configuration = ServerConfiguration()
        configuration.demo = demo
        configure(&configuration)
        // Built the way `stepup serve` builds it, with a temporary store, a manual clock and cheap bcrypt.
        var builder = StepupBuilder(configuration: configuration, environment: [:])
        builder.store = store
        builder.keys = try KeySet.generate()
        builder.clock = clock
        builder.outbox = outbox
        builder.platformConfiguration.bcryptCost = 4
        for ext in extensions { builder.register(ext) }
        try compose(&builder)
        let stepup = try await builder.build()
        self.stepup = stepup
        self.extensions = stepup.extensions
        platform = stepup.platform
        self.configuration = configuration
        let alice = try await platform.createUser(username: "alice", displayName: "Alice", password: "pw-alice", logonMFA: .always)
        try await platform.addTarget(userID: alice.id, kind: .sms, address: "+15550100101")
        try await platform.addAccessToken(userID: alice.id, secret: Array("12345678901234567890".utf8))
        try await platform.addAccount(userID: alice.id, name: "Checking", number: "••1234", balanceMinor: 100_000, currency: "USD")
        try await platform.createUser(username: "bob", displayName: "Bob", password: "pw-bob", logonMFA: .never)
    }

    /// The TOTP of alice's token at the fixture's clock; each call moves the clock one step on, since a step is
    /// accepted only once.
    func nextTOTP() throws -> String {
        clock.advance(by: 30)
        return try TOTP(secret: Array("12345678901234567890".utf8)).code(at: clock.now)
    }

    deinit { try? FileManager.default.removeItem(at: folder) }

    var router: Router<StepupRequestContext> {
        try! stepup.router()
    }

    func test<T>(_ body: @escaping @Sendable (any TestClientProtocol) async throws -> T) async throws -> T {
        let app = Application(router: router)
        let result = try await app.test(.router, body)
        await store.close()
        return result
    }
}

/// A browser's state in tests: the session cookie and the CSRF token it was last given.
final class Browser: @unchecked Sendable {
    var cookie: String?
    var csrf: String?
    let client: any TestClientProtocol

    init(_ client: any TestClientProtocol) { self.client = client }

    @discardableResult
    func get(_ uri: String) async throws -> TestResponse {
        try await send(uri, method: .get, json: nil)
    }

    @discardableResult
    func post(_ uri: String, json: String? = "{}", csrf sendCSRF: Bool = true, headers extra: HTTPFields = [:]) async throws -> TestResponse {
        try await send(uri, method: .post, json: json, sendCSRF: sendCSRF, extra: extra)
    }

    func send(_ uri: String, method: HTTPRequest.Method, json: String?, sendCSRF: Bool = true, extra: HTTPFields = [:]) async throws -> TestResponse {
        var headers = extra
        if let json, headers[.contentType] == nil { headers[.contentType] = "application/json"; _ = json }
        if let cookie { headers[.cookie] = "stepup_session=\(cookie)" }
        if sendCSRF, let csrf { headers[.init("X-CSRF-Token")!] = csrf }
        let response = try await client.execute(uri: uri, method: method, headers: headers, body: json.map { ByteBuffer(string: $0) })
        if let setCookie = response.headers[.setCookie], setCookie.hasPrefix("stepup_session=") {
            let value = setCookie.dropFirst("stepup_session=".count).prefix { $0 != ";" }
            cookie = value.isEmpty ? nil : String(value)
        }
        if let token = (try? response.json())?["csrfToken"] as? String { csrf = token }
        return response
    }

    /// Signs alice in and completes logon MFA with her TOTP.
    func signInAlice(_ fixture: ServerFixture) async throws {
        let logon = try await self.logon("alice", "pw-alice")
        let challenge = (logon["challenge"] as? [String: Any])?["id"] as? String ?? ""
        let verified = try await post("/api/mfa/challenges/\(challenge)/verify-token", json: #"{"token":"\#(try fixture.nextTOTP())"}"#)
        guard verified.status == .ok else { throw StepupError(.internal, message: "logon MFA failed: \(verified.text)") }
    }

    /// Completes a challenge the guard opened, with alice's next TOTP.
    @discardableResult
    func complete(_ challengeID: String, _ fixture: ServerFixture) async throws -> TestResponse {
        try await post("/api/mfa/challenges/\(challengeID)/verify-token", json: #"{"token":"\#(try fixture.nextTOTP())"}"#)
    }

    /// Completes a challenge with a code sent to the first target and read from the outbox; the clock stays put.
    @discardableResult
    func completeWithCode(_ challengeID: String, _ fixture: ServerFixture) async throws -> TestResponse {
        let targets = try await get("/api/mfa/challenges/\(challengeID)/targets").json()["targets"] as? [[String: Any]]
        let target = targets?.first?["id"] as? String ?? ""
        _ = try await post("/api/mfa/challenges/\(challengeID)/send", json: #"{"targetId":"\#(target)"}"#)
        let code = await fixture.outbox.all().first?.code ?? ""
        return try await post("/api/mfa/challenges/\(challengeID)/verify-code", json: #"{"code":"\#(code)"}"#)
    }

    /// The id of the first account the transfer extension lists.
    func firstAccountID() async throws -> String {
        let accounts = try JSONSerialization.jsonObject(with: Data(try await get("/ext/transfers/accounts").body.readableBytesView)) as? [[String: Any]]
        guard let id = accounts?.first?["id"] as? String else { throw StepupError(.notFound, message: "no account listed") }
        return id
    }

    /// The challenge id of an `mfa_required` answer.
    /// The balance a transfer receipt reports.
    func firstBalance(_ receipt: TestResponse) throws -> Int? { try receipt.json()["balanceMinor"] as? Int }

    func challengeID(of response: TestResponse) throws -> String {
        guard let id = ((try response.json())["error"] as? [String: Any])?["challengeId"] as? String else {
            throw StepupError(.notFound, message: "no challenge in \(response.text)")
        }
        return id
    }

    /// Signs in; returns the logon answer.
    func logon(_ username: String, _ password: String) async throws -> [String: Any] {
        let response = try await post("/api/logon", json: #"{"username":"\#(username)","password":"\#(password)"}"#, csrf: false)
        return try response.json()
    }
}

extension TestResponse {
    func json() throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any] ?? [:]
    }

    /// The stable error code of an error answer.
    var errorCode: String? {
        ((try? json())?["error"] as? [String: Any])?["code"] as? String
    }

    var text: String { String(buffer: body) }
}
