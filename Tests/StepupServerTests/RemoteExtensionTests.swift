import AsyncHTTPClient
import Foundation
import Logging
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import StepupCore
import StepupExamples
import StepupExtensionHost
import StepupPlatform
import StepupSDK
import Synchronization
import Testing

@testable import StepupServer

/// Where the extensions under test run.
enum Hosting: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case inProcess = "in process"
    case remote = "as their own service"
    var testDescription: String { rawValue }
}

/// An extension with a route that echoes what the guard gave it.
struct EchoExtension: Extension {
    let name = "echo"
    let runsBeforeLogon = true
    var routes: [ExtensionRoute] {
        [
            ExtensionRoute("whoami") { request in .text("\(request.onlineUser.username) \(request.isAuthenticated)") },
            ExtensionRoute("user-api") { request in .text(try await request.platform.user.profile().username) },
            ExtensionRoute("back-office") { request in .text(try await Profile.read(for: request).username) },
            ExtensionRoute("paid") { request in .text("\(request.mfaInfo.context ?? "-") \(request.mfaInfo.transactionIDs ?? [])") }
                .mfaValidationRequired(transactions: { _ in [TransactionItem(id: "t-echo", amountMinor: 100, currency: "USD", payee: "Echo")] }),
        ]
    }
}

/// Runs an extension service on an ephemeral port for one test.
final class RunningService: Sendable {
    let port: Int
    private let task: Task<Void, any Error>

    private init(port: Int, task: Task<Void, any Error>) {
        self.port = port
        self.task = task
    }

    static func start(_ service: ExtensionService, logger: Logger = Logger(label: "stepup.extension-host")) async throws -> RunningService {
        let (stream, continuation) = AsyncStream<Int>.makeStream()
        let app = service.application(host: "127.0.0.1", port: 0, logger: logger) { channel in
            continuation.yield(channel.localAddress?.port ?? 0)
            continuation.finish()
        }
        let task = Task { try await app.runService(gracefulShutdownSignals: []) }
        var iterator = stream.makeAsyncIterator()
        guard let port = await iterator.next(), port > 0 else { throw StepupError(.internal, message: "the service did not start") }
        return RunningService(port: port, task: task)
    }

    func stop() async {
        task.cancel()
        _ = try? await task.value
    }
}

@Suite("Extensions in process and as their own services")
struct RemoteExtensionTests {
    static let key = "extension-key-" + String(repeating: "k", count: 40)

    /// The platform live on a port, the extensions hosted as `hosting` says, and a body to run against both.
    func withPlatform(_ hosting: Hosting, _ body: @escaping @Sendable (ServerFixture, any TestClientProtocol) async throws -> Void) async throws {
        let examples: [any Extension] = [TransfersExtension(), EchoExtension()]
        let fixture = try await ServerFixture(extensions: hosting == .inProcess ? examples : [])
        // Credentials are checked against the service's wall clock: keep the platform's on it (and complete MFA with
        // codes, which do not move it).
        fixture.clock.set(Date())
        let app = Application(router: fixture.router)
        do {
        try await app.test(.live) { client async throws in
            var service: RunningService?
            if hosting == .remote {
                let platformURL = "http://127.0.0.1:\(try #require(client.port))"
                let running = try await RunningService.start(
                    ExtensionService(extensions: examples, keys: ["transfers": Self.key, "echo": Self.key], platformURL: platformURL))
                service = running
                try await fixture.platform.register(RegisteredExtension(name: "transfers", baseURL: "http://127.0.0.1:\(running.port)", key: Self.key))
                try await fixture.platform.register(RegisteredExtension(name: "echo", baseURL: "http://127.0.0.1:\(running.port)", key: Self.key, runsBeforeLogon: true))
            }
            do {
                try await body(fixture, client)
                await service?.stop()
            } catch {
                await service?.stop()
                throw error
            }
        }
        } catch {
            await fixture.store.close()
            throw error
        }
        await fixture.store.close()
    }

    @Test(arguments: Hosting.allCases)
    func theGuardedTransferBehavesTheSame(hosting: Hosting) async throws {
        try await withPlatform(hosting) { fixture, client in
            let browser = Browser(client)
            let logon = try await browser.logon("alice", "pw-alice")
            try await browser.completeWithCode(try #require((logon["challenge"] as? [String: Any])?["id"] as? String), fixture)
            let account = try await browser.firstAccountID()
            let body = #"{"transactionId":"tx-1","fromAccount":"\#(account)","toPayee":"Acme Rent","amount":"125.00"}"#
            let first = try await browser.post("/ext/transfers/submit", json: body)
            #expect(first.errorCode == "mfa_required")
            let challenge = try #require((try first.json()["error"] as? [String: Any])?["challengeId"] as? String)
            try await browser.completeWithCode(challenge, fixture)
            let changed = try await browser.post("/ext/transfers/submit", json: body.replacingOccurrences(of: "125.00", with: "125.01"))
            #expect(changed.errorCode == "mfa_required")
            let made = try await browser.post("/ext/transfers/submit", json: body)
            #expect(made.status == .ok)
            #expect(try made.json()["balanceMinor"] as? Int == 100_000 - 12_500)
            #expect(try await browser.post("/ext/transfers/submit", json: body).errorCode == "mfa_required")
            // The extension's own error handler still renders a cancelled workflow.
            let again = try #require((try await browser.post("/ext/transfers/submit", json: body).json()["error"] as? [String: Any])?["challengeId"] as? String)
            _ = try await browser.post("/api/mfa/challenges/\(again)/cancel")
            let rendered = try await browser.post("/ext/transfers/submit", json: body, headers: [ExtensionRoutes.challengeHeader: again])
            #expect(rendered.status == .forbidden)
            #expect(rendered.text.contains("cancelled"))
            #expect(try await browser.get("/ext/transfers/assets/transfers.js").text.contains("bridge.connected"))
        }
    }

    @Test(arguments: Hosting.allCases)
    func preAuthenticationAndMFAInfoBehaveTheSame(hosting: Hosting) async throws {
        try await withPlatform(hosting) { fixture, client in
            let browser = Browser(client)
            _ = try await browser.logon("alice", "pw-alice")
            #expect(try await browser.get("/ext/echo/whoami").text == "alice false")
            #expect(try await browser.post("/ext/echo/user-api").errorCode == "not_authenticated")
            #expect(try await browser.post("/ext/echo/back-office").text == "alice")
            let logon = try await browser.get("/api/session").json()
            let challenge = try #require((logon["challenge"] as? [String: Any])?["id"] as? String)
            try await browser.completeWithCode(challenge, fixture)
            #expect(try await browser.post("/ext/echo/user-api").text == "alice")
            let first = try await browser.post("/ext/echo/paid")
            let paidChallenge = try #require((try first.json()["error"] as? [String: Any])?["challengeId"] as? String)
            try await browser.completeWithCode(paidChallenge, fixture)
            #expect(try await browser.post("/ext/echo/paid").text == #"transaction ["t-echo"]"#)
        }
    }

    /// A signed call to the platform's extension API, as an extension service would make it.
    func callPlatform(_ client: any TestClientProtocol, _ path: String, body: String, credential: String, key: String, nonce: String = SecureRandom.token(bits: 128), at date: Date = Date()) async throws -> TestResponse {
        var headers: HTTPFields = [.contentType: "application/json", HTTPField.Name("X-Stepup-Credential")!: credential]
        for (name, value) in RequestSignature.headers(key: key, method: "POST", path: path, body: Array(body.utf8), now: date, nonce: nonce) {
            headers[HTTPField.Name(name)!] = value
        }
        return try await client.execute(uri: path, method: .post, headers: headers, body: ByteBuffer(string: body))
    }

    @Test func thePlatformRefusesForgedReplayedExpiredAndForeignCalls() async throws {
        try await withPlatform(.remote) { fixture, client in
            let alice = Browser(client)
            let logon = try await alice.logon("alice", "pw-alice")
            try await alice.completeWithCode(try #require((logon["challenge"] as? [String: Any])?["id"] as? String), fixture)
            let session = try await fixture.platform.resumeSession(token: try #require(alice.cookie)).session
            let bob = Browser(client)
            _ = try await bob.logon("bob", "pw-bob")
            let bobSession = try await fixture.platform.resumeSession(token: try #require(bob.cookie))
            func credential(extensionName: String = "transfers", sessionID: String? = nil, userID: String? = nil, issuedAt: Date = Date()) throws -> String {
                try ExtensionCredential(
                    extensionName: extensionName, sessionID: sessionID ?? session.id, userID: userID ?? session.userID, username: "alice",
                    displayName: "Alice", isAuthenticated: true, routingKey: "accounts", mfaInfo: MFAInfo(), issuedAt: issuedAt
                ).signed(with: Self.key)
            }
            let path = "/api/extension-platform/user/profile"
            let good = try credential()
            #expect(try await callPlatform(client, path, body: "{}", credential: good, key: Self.key).status == .ok)

            let nonce = SecureRandom.token(bits: 128)
            #expect(try await callPlatform(client, path, body: "{}", credential: good, key: Self.key, nonce: nonce).status == .ok)
            let replay = try await callPlatform(client, path, body: "{}", credential: good, key: Self.key, nonce: nonce)
            #expect(replay.status == .forbidden)
            #expect(replay.text.contains("replayed"))

            let forged = try await callPlatform(client, path, body: "{}", credential: good, key: String(repeating: "x", count: 48))
            #expect(forged.status == .forbidden)
            #expect(try await callPlatform(client, path, body: "{}", credential: good + "0", key: Self.key).status == .forbidden)
            let stale = try await callPlatform(client, path, body: "{}", credential: good, key: Self.key, at: Date().addingTimeInterval(-600))
            #expect(stale.status == .forbidden)

            let expired = try credential(issuedAt: Date().addingTimeInterval(-120))
            #expect(try await callPlatform(client, path, body: "{}", credential: expired, key: Self.key).status == .forbidden)

            // A credential claiming another extension, signed with this one's key, does not verify under the other's.
            try await fixture.platform.register(RegisteredExtension(name: "other", baseURL: "http://127.0.0.1:1", key: String(repeating: "o", count: 40)))
            let foreign = try credential(extensionName: "other")
            #expect(try await callPlatform(client, path, body: "{}", credential: foreign, key: Self.key).status == .forbidden)

            // Another user's data, by id or by a credential that mixes sessions, is refused.
            let otherUser = try await callPlatform(client, "/api/extension-platform/back-office/profile", body: #"{"userID":"\#(bobSession.user.id)"}"#, credential: good, key: Self.key)
            #expect(otherUser.status == .forbidden)
            let mixed = try credential(sessionID: bobSession.session.id)
            #expect(try await callPlatform(client, path, body: "{}", credential: mixed, key: Self.key).status == .forbidden)

            // A session that ended takes its credentials with it.
            _ = try await alice.post("/api/logout")
            #expect(try await callPlatform(client, path, body: "{}", credential: try credential(), key: Self.key).status == .forbidden)
        }
    }

    @Test func theServiceRefusesCallsThePlatformDidNotSign() async throws {
        let service = try await RunningService.start(ExtensionService(extensions: [EchoExtension()], keys: ["echo": Self.key], platformURL: "http://127.0.0.1:1"))
        let url = "http://127.0.0.1:\(service.port)/stepup/echo/call"
        let call = Array(try JSONEncoder().encode(RemoteCall(method: "POST", routingKey: "whoami", formFields: [:], body: nil, rawBody: [], challengeHint: nil)))
        let credential = try ExtensionCredential(extensionName: "echo", sessionID: "s", userID: "u", username: "mallory", displayName: "M", isAuthenticated: true, routingKey: "whoami", mfaInfo: MFAInfo(), issuedAt: Date()).signed(with: Self.key)
        func post(signedWith key: String?, nonce: String = SecureRandom.token(bits: 128), credential: String) async throws -> Int {
            var request = HTTPClientRequest(url: url)
            request.method = .POST
            request.headers.add(name: "X-Stepup-Credential", value: credential)
            if let key {
                for (name, value) in RequestSignature.headers(key: key, method: "POST", path: "/stepup/echo/call", body: call, now: Date(), nonce: nonce) {
                    request.headers.add(name: name, value: value)
                }
            }
            request.body = .bytes(ByteBuffer(bytes: call))
            return Int(try await HTTPClient.shared.execute(request, timeout: .seconds(5)).status.code)
        }
        #expect(try await post(signedWith: nil, credential: credential) == 403)
        #expect(try await post(signedWith: String(repeating: "z", count: 40), credential: credential) == 403)
        let nonce = SecureRandom.token(bits: 128)
        #expect(try await post(signedWith: Self.key, nonce: nonce, credential: credential) == 200)
        #expect(try await post(signedWith: Self.key, nonce: nonce, credential: credential) == 403)
        let otherRoute = try ExtensionCredential(extensionName: "echo", sessionID: "s", userID: "u", username: "m", displayName: "M", isAuthenticated: true, routingKey: "back-office", mfaInfo: MFAInfo(), issuedAt: Date()).signed(with: Self.key)
        #expect(try await post(signedWith: Self.key, credential: otherRoute) == 400)
        await service.stop()
    }

    @Test func aReplayIsRefusedAfterARestartAndByAnotherProcessOfTheService() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("nonces-\(UUID().uuidString).sqlite").path
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: file + suffix) } }
        func service() -> ExtensionService {
            ExtensionService(
                extensions: [EchoExtension()], keys: ["echo": Self.key], platformURL: "http://127.0.0.1:1",
                nonces: SQLiteNonceStore(path: file))
        }
        let call = Array(try JSONEncoder().encode(RemoteCall(method: "POST", routingKey: "whoami", formFields: [:], body: nil, rawBody: [], challengeHint: nil)))
        func post(to running: RunningService, nonce: String) async throws -> Int {
            let credential = try ExtensionCredential(extensionName: "echo", sessionID: "s", userID: "u", username: "u", displayName: "U", isAuthenticated: true, routingKey: "whoami", mfaInfo: MFAInfo(), issuedAt: Date()).signed(with: Self.key)
            var request = HTTPClientRequest(url: "http://127.0.0.1:\(running.port)/stepup/echo/call")
            request.method = .POST
            request.headers.add(name: "X-Stepup-Credential", value: credential)
            for (name, value) in RequestSignature.headers(key: Self.key, method: "POST", path: "/stepup/echo/call", body: call, now: Date(), nonce: nonce) {
                request.headers.add(name: name, value: value)
            }
            request.body = .bytes(ByteBuffer(bytes: call))
            return Int(try await HTTPClient.shared.execute(request, timeout: .seconds(5)).status.code)
        }
        let nonce = SecureRandom.token(bits: 128)
        let first = try await RunningService.start(service())
        #expect(try await post(to: first, nonce: nonce) == 200)
        await first.stop()
        // The service restarted: its memory is new, the file is not.
        let restarted = try await RunningService.start(service())
        #expect(try await post(to: restarted, nonce: nonce) == 403)
        // Two processes of one service share the file: a nonce one accepted, the other refuses.
        let sibling = try await RunningService.start(service())
        let other = SecureRandom.token(bits: 128)
        #expect(try await post(to: restarted, nonce: other) == 200)
        #expect(try await post(to: sibling, nonce: other) == 403)
        await restarted.stop()
        await sibling.stop()
    }

    @Test func aNonceFileThatCannotBeWrittenRefusesRatherThanWavesThrough() async throws {
        let store = SQLiteNonceStore(path: "/proc/stepup-no-such-dir/nonces.sqlite")
        await #expect(throws: (any Error).self) { _ = try await store.use(SecureRandom.token(bits: 128), now: Date()) }
        let usable = FileManager.default.temporaryDirectory.appendingPathComponent("nonces-\(UUID().uuidString).sqlite").path
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: usable + suffix) } }
        let fresh = SQLiteNonceStore(path: usable)
        #expect(try await fresh.use("n-1", now: Date()))
        #expect(try await !fresh.use("n-1", now: Date()))
        #expect(try await !fresh.use("", now: Date()))
    }
}
