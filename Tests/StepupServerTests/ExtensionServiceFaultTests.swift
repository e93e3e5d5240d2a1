import AsyncHTTPClient
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import StepupCore
import StepupExtensionHost
import StepupPlatform
import StepupSDK
import Synchronization
import Testing

@testable import StepupServer

/// A swift-log handler that keeps every line, for tests that prove what an operator reads.
final class RecordedLog: Sendable {
    struct Line: Sendable {
        let level: Logger.Level
        let message: String
        let metadata: [String: String]
    }

    private let lines = Mutex<[Line]>([])
    var all: [Line] { lines.withLock { $0 } }
    func append(_ line: Line) { lines.withLock { $0.append(line) } }

    func logger(_ label: String) -> Logger {
        Logger(label: label) { _ in Handler(log: self) }
    }

    struct Handler: LogHandler {
        let log: RecordedLog
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let merged = metadata.merging(event.metadata ?? [:]) { $1 }
            log.append(Line(level: event.level, message: "\(event.message)", metadata: merged.mapValues { "\($0)" }))
        }
    }
}

/// The routes these tests call on a service: one answering POST only, one that reads the user record.
struct FaultExtension: Extension {
    let name = "fault"
    var routes: [ExtensionRoute] {
        [
            ExtensionRoute("post-only", methods: [.post]) { _ in .text("posted") },
            ExtensionRoute("who") { request in
                .text("\(request.onlineUser.firstName ?? "-") \(request.onlineUser.lastName ?? "-") \(request.onlineUser.customerNumber ?? "-")")
            },
            ExtensionRoute("platform-profile") { request in .text(try await request.platform.user.profile().email ?? "-") },
        ]
    }
}

@Suite("An extension service that is down, misconfigured or called wrongly")
struct ExtensionServiceFaultTests {
    static let key = "fault-key-" + String(repeating: "f", count: 40)

    /// The platform live on a port with bob signed in, `fault` served by its own service with `serviceKey` and
    /// registered with `platformKey` (or at `url` instead, for a service that is not there).
    func withPlatform(
        serviceKey: String = Self.key, platformKey: String = Self.key, url: String? = nil, log: RecordedLog = RecordedLog(),
        _ body: @escaping @Sendable (ServerFixture, Browser) async throws -> Void
    ) async throws {
        let fixture = try await ServerFixture()
        fixture.clock.set(Date())
        let app = Application(router: fixture.router, logger: log.logger("stepup.platform"))
        do {
            try await app.test(.live) { client async throws in
                let platformURL = "http://127.0.0.1:\(try #require(client.port))"
                let service = try await RunningService.start(
                    ExtensionService(extensions: [FaultExtension()], keys: ["fault": serviceKey], platformURL: platformURL),
                    logger: log.logger("stepup.extension-host"))
                try await fixture.platform.register(
                    RegisteredExtension(name: "fault", baseURL: url ?? "http://127.0.0.1:\(service.port)", key: platformKey))
                let browser = Browser(client)
                _ = try await browser.logon("bob", "pw-bob")
                do {
                    try await body(fixture, browser)
                    await service.stop()
                } catch {
                    await service.stop()
                    throw error
                }
            }
        } catch {
            await fixture.store.close()
            throw error
        }
        await fixture.store.close()
    }

    @Test func aStoppedServiceAnswersExtensionUnavailableAndTheLogSaysWhichService() async throws {
        let log = RecordedLog()
        let closed = try ServeDriver.freePort()
        try await withPlatform(url: "http://127.0.0.1:\(closed)", log: log) { _, browser in
            let answer = try await browser.post("/ext/fault/post-only")
            #expect(answer.status == .serviceUnavailable)
            #expect(answer.errorCode == "extension_unavailable")
            // A frame navigating to it gets a page a customer can read, with the same code.
            let page = try await browser.send(
                "/ext/fault/who", method: .get, json: nil, extra: [HTTPField.Name("Sec-Fetch-Dest")!: "iframe"])
            #expect(page.status == .serviceUnavailable)
            #expect(page.headers[.contentType]?.hasPrefix("text/html") == true)
            #expect(page.text.contains("Not available right now"))
            #expect(page.text.contains(#"data-error-code="extension_unavailable""#))
            // The banking app's page for a registered service frames its index route.
            let host = try await browser.get("/extensions/fault")
            #expect(host.status == .ok)
            #expect(host.text.contains(#"data-src="/ext/fault/index""#))
            #expect(try await browser.get("/extensions/nobody").status == .notFound)
        }
        let warning = try #require(log.all.first { $0.message == "extension service did not answer" })
        #expect(warning.level == .warning)
        #expect(warning.metadata["extension"] == "fault")
        #expect(warning.metadata["url"] == "http://127.0.0.1:\(closed)")
    }

    /// An address nothing answers on (TEST-NET-1): the connect gives up after about two seconds, not after the
    /// call's fifteen. A watchdog, not a timing assertion: where the network refuses at once, it passes at once.
    @Test(.timeLimit(.minutes(1))) func anUnansweredConnectGivesUpWellBeforeTheCallsTimeout() async throws {
        try await withPlatform(url: "http://192.0.2.1:9") { _, browser in
            let started = ContinuousClock.now
            let answer = try await browser.post("/ext/fault/post-only")
            #expect(answer.errorCode == "extension_unavailable")
            #expect(ContinuousClock.now - started < .seconds(10), "the connect timeout is not in force")
        }
    }

    @Test func aKeyMismatchSaysWhichSideRefusedOnBothSidesAndNeverTheKey() async throws {
        let log = RecordedLog()
        let other = "other-key-" + String(repeating: "o", count: 40)
        try await withPlatform(serviceKey: other, log: log) { _, browser in
            let answer = try await browser.post("/ext/fault/post-only")
            #expect(answer.errorCode == "extension_unavailable")
            #expect(answer.text.contains("refused the bank's signature"))
        }
        let service = try #require(log.all.first { $0.message.hasPrefix("refused a request that claims to come from the platform") })
        #expect(service.level == .warning)
        #expect(service.metadata["extension"] == "fault")
        let platform = try #require(log.all.first { $0.message.hasPrefix("extension service refused the platform's request signature") })
        #expect(platform.level == .warning)
        for line in log.all {
            #expect(!"\(line.message) \(line.metadata)".contains(Self.key))
            #expect(!"\(line.message) \(line.metadata)".contains(other))
        }
    }

    @Test func aServiceWhoseCallsThePlatformRefusesIsToldWhy() async throws {
        let log = RecordedLog()
        // The service's own calls back carry the credential signed with the right key but requests signed with
        // another: the platform names the extension whose key differs, and the service logs that it was refused.
        let fixture = try await ServerFixture()
        fixture.clock.set(Date())
        let app = Application(router: fixture.router, logger: log.logger("stepup.platform"))
        try await app.test(.live) { client async throws in
            let platformURL = "http://127.0.0.1:\(try #require(client.port))"
            try await fixture.platform.register(RegisteredExtension(name: "fault", baseURL: "http://127.0.0.1:1", key: Self.key))
            let session = try await fixture.platform.logon(username: "bob", password: "pw-bob", clientAddress: "127.0.0.1").issued.session
            let credential = try ExtensionCredential(
                extensionName: "fault", sessionID: session.id, userID: session.userID, username: "bob", displayName: "Bob",
                isAuthenticated: true, routingKey: "platform-profile", mfaInfo: MFAInfo(), issuedAt: Date()
            ).signed(with: Self.key)
            let wrong = HTTPPlatformClient(platformURL: platformURL, credential: credential, key: "wrong-" + String(repeating: "w", count: 40))
            await #expect(throws: StepupError.self) { try await wrong.user.profile() }
            do {
                _ = try await wrong.user.profile()
            } catch let error as StepupError {
                #expect(error.code == .signatureInvalid)
                #expect(error.message.contains("the key registered for fault differs"))
            }
        }
        await fixture.store.close()
        #expect(log.all.contains { $0.message.hasPrefix("refused a call from an extension service") && $0.metadata["extension"] == "fault" })
    }

    @Test(arguments: [true, false])
    func aWrongMethodIs405WithAllow(remote: Bool) async throws {
        if remote {
            try await withPlatform { _, browser in
                let answer = try await browser.send("/ext/fault/post-only", method: .get, json: nil)
                #expect(answer.status == .methodNotAllowed)
                #expect(answer.headers[.allow] == "POST")
                #expect(answer.errorCode == "method_not_allowed")
                // A frame navigating there gets the page, with Allow too.
                let page = try await browser.send(
                    "/ext/fault/post-only", method: .get, json: nil, extra: [HTTPField.Name("Sec-Fetch-Dest")!: "iframe"])
                #expect(page.status == .methodNotAllowed && page.headers[.allow] == "POST")
                #expect(try await browser.get("/ext/fault/nowhere").status == .notFound)
            }
        } else {
            let fixture = try await ServerFixture(extensions: [FaultExtension()])
            try await fixture.test { client in
                let browser = Browser(client)
                _ = try await browser.logon("bob", "pw-bob")
                let answer = try await browser.send("/ext/fault/post-only", method: .get, json: nil)
                #expect(answer.status == .methodNotAllowed)
                #expect(answer.headers[.allow] == "POST")
                #expect(try await browser.get("/ext/fault/nowhere").status == .notFound)
            }
        }
    }

    /// The seed's `online_user.first_name`: the customer's record reaches an extension in process and as a service.
    @Test(arguments: [true, false])
    func theOnlineUserCarriesTheCustomersRecord(remote: Bool) async throws {
        @Sendable func addErin(_ fixture: ServerFixture) async throws {
            try await fixture.platform.createUser(
                username: "erin", displayName: "Erin Evans", password: "pw-erin-long", logonMFA: .never,
                details: CustomerDetails(firstName: "Erin", lastName: "Evans", email: "erin@example.com", customerNumber: "C-1005"))
        }
        if remote {
            try await withPlatform { fixture, browser in
                try await addErin(fixture)
                _ = try await browser.logon("erin", "pw-erin-long")
                #expect(try await browser.get("/ext/fault/who").text == "Erin Evans C-1005")
                #expect(try await browser.get("/ext/fault/platform-profile").text == "erin@example.com")
            }
        } else {
            let fixture = try await ServerFixture(extensions: [FaultExtension()])
            try await addErin(fixture)
            try await fixture.test { client in
                let browser = Browser(client)
                _ = try await browser.logon("erin", "pw-erin-long")
                #expect(try await browser.get("/ext/fault/who").text == "Erin Evans C-1005")
                _ = try await browser.logon("bob", "pw-bob")
                #expect(try await browser.get("/ext/fault/who").text == "- - -")
            }
        }
    }
}
