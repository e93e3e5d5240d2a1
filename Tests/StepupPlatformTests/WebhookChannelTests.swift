import AsyncHTTPClient
import Foundation
import NIOCore
import StepupCore
import Testing

@testable import StepupPlatform

@Suite(
    "SMS, voice and push over a signed webhook",
    .enabled(if: TestServers.available("STEPUP_TEST_WEBHOOK_URL"), "skipped: no webhook receiver (STEPUP_TEST_WEBHOOK_URL); ./scripts/test starts one"))
struct WebhookChannelTests {
    func channel(_ kind: TargetKind, secret: String? = nil) throws -> WebhookChannel {
        try WebhookChannel(
            kind: kind, url: try TestServers.value("STEPUP_TEST_WEBHOOK_URL") + "/" + kind.rawValue,
            secret: try secret ?? TestServers.value("STEPUP_TEST_WEBHOOK_SECRET"), timeoutSeconds: 5)
    }

    func message(_ kind: TargetKind, to address: String, code: String = SecureRandom.digits(6)) -> DeliveryMessage {
        DeliveryMessage(
            target: DeliveryTarget(id: "t", userID: "u", kind: kind, address: address), code: code,
            text: "Stepup Bank: your access code is \(code).", challengeID: "c-\(UUID().uuidString)", sentAt: Date())
    }

    func post(_ signed: (headers: [(String, String)], body: [UInt8]), kind: TargetKind) async throws -> Int {
        var request = HTTPClientRequest(url: try TestServers.value("STEPUP_TEST_WEBHOOK_URL") + "/" + kind.rawValue)
        request.method = .POST
        for (name, value) in signed.headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(bytes: signed.body))
        return Int(try await HTTPClient.shared.execute(request, timeout: .seconds(5)).status.code)
    }

    @Test func anSMSArrivesSignedWithTheCode() async throws {
        let message = message(.sms, to: "+15550100101")
        try await channel(.sms).deliver(message)
        let stored = try await TestServers.waitForFile(in: try TestServers.value("STEPUP_TEST_WEBHOOK_DIR"), containing: message.challengeID)
        #expect(stored.contains("your access code is \(message.code)"))
        #expect(stored.contains("\"channel\": \"sms\""))
    }

    @Test func aVoiceMessageSpellsTheCodeDigitByDigit() async throws {
        let message = message(.voice, to: "+15550100102", code: "471902")
        try await channel(.voice).deliver(message)
        let stored = try await TestServers.waitForFile(in: try TestServers.value("STEPUP_TEST_WEBHOOK_DIR"), containing: message.challengeID)
        #expect(stored.contains("4, 7, 1, 9, 0, 2"))
        #expect(!stored.contains("471902"))
    }

    @Test func theReceiverRefusesAReplayATamperedBodyAndAWrongSecret() async throws {
        let channel = try channel(.push)
        let signed = try channel.signedRequest(for: message(.push, to: "device-1"))
        #expect(try await post(signed, kind: .push) == 200)
        #expect(try await post(signed, kind: .push) == 409)
        var tampered = try channel.signedRequest(for: message(.push, to: "device-1"))
        tampered.body[tampered.body.count - 3] ^= 0x01
        #expect(try await post(tampered, kind: .push) == 401)
        let stranger = try self.channel(.push, secret: "a-different-secret-of-at-least-32-bytes")
        let refused = await #expect(throws: DeliveryFailure.self) { try await stranger.deliver(message(.push, to: "device-1")) }
        #expect(refused?.underlying as? WebhookError == .status(401))
        #expect(refused?.reason == "webhook status 401")
        let stale = try channel.signedRequest(for: message(.push, to: "device-1"), at: Date().addingTimeInterval(-3600))
        #expect(try await post(stale, kind: .push) == 401)
    }

    @Test func aFailingProviderIsADeliveryFailureAndTheChallengeStaysUsable() async throws {
        let outbox = DevOutbox()
        let fixture = try await PlatformFixture(channels: DeliveryProviders(providers: [.sms: try channel(.sms)], fallback: outbox))
        let user = try await fixture.platform.createUser(username: "gina", displayName: "Gina", password: PlatformFixture.password)
        let down = try await fixture.platform.addTarget(userID: user.id, kind: .sms, address: "+15550000500")
        let email = try await fixture.platform.addTarget(userID: user.id, kind: .email, address: "gina@example.com")
        let logon = try await fixture.logon("gina")
        let challenge = try #require(logon.challenge)
        #expect(await stepupError { _ = try await fixture.platform.sendCode(challengeID: challenge.id, targetID: down.id, session: logon.issued.session) }?.code == .deliveryFailed)
        _ = try await fixture.platform.sendCode(challengeID: challenge.id, targetID: email.id, session: logon.issued.session)
        let code = try #require(await outbox.all().first?.code)
        _ = try await fixture.platform.verifyCode(challengeID: challenge.id, code: code, session: logon.issued.session)
        await fixture.close()
    }

    @Test func weakSecretsAndBadURLsAreRefusedAtConfiguration() {
        #expect(throws: StepupError.self) { try WebhookChannel(kind: .sms, url: "http://127.0.0.1/sms", secret: "short") }
        #expect(throws: StepupError.self) { try WebhookChannel(kind: .sms, url: "ftp://x/sms", secret: String(repeating: "s", count: 40)) }
    }
}
