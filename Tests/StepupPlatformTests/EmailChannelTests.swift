import Foundation
import StepupCore
import Testing

@testable import StepupPlatform

@Suite(
    "Email over a real SMTP server",
    .enabled(if: TestServers.available("STEPUP_TEST_SMTP_PORT"), "skipped: no SMTP sink (STEPUP_TEST_SMTP_PORT); ./scripts/test starts one"))
struct EmailChannelTests {
    func plain() throws -> SMTPConfiguration {
        SMTPConfiguration(host: "127.0.0.1", port: try TestServers.port("STEPUP_TEST_SMTP_PORT"), tlsMode: .none, from: "codes@bank.example", timeout: 15, retryDelay: 0.1)
    }

    func starttls(password: String? = nil, ca: Bool = true) throws -> SMTPConfiguration {
        SMTPConfiguration(
            host: "127.0.0.1", port: try TestServers.port("STEPUP_TEST_SMTP_TLS_PORT"), tlsMode: .starttls,
            caCertificateFile: ca ? try TestServers.value("STEPUP_TEST_SMTP_CA") : nil,
            username: try TestServers.value("STEPUP_TEST_SMTP_USER"),
            password: try password ?? TestServers.value("STEPUP_TEST_SMTP_PASSWORD"),
            from: "codes@bank.example", timeout: 15, retryDelay: 0.1)
    }

    func message(to address: String, code: String = SecureRandom.digits(6)) -> DeliveryMessage {
        DeliveryMessage(
            target: DeliveryTarget(id: "t", userID: "u", kind: .email, address: address), code: code,
            text: "Stepup Bank: your access code is \(code).", challengeID: "c", sentAt: Date())
    }

    func unique(_ local: String) -> String { "\(local)+\(UUID().uuidString.prefix(8).lowercased())@example.com" }

    @Test func deliversOverPlainSMTP() async throws {
        let address = unique("alice")
        let message = message(to: address)
        try await EmailChannel(configuration: try plain(), bankName: "Stepup Bank").deliver(message)
        #expect(try await mailBody(to: address).contains(message.code))
    }

    @Test func deliversOverSTARTTLSWithAuthentication() async throws {
        let address = unique("bob")
        let message = message(to: address)
        try await EmailChannel(configuration: try starttls(), bankName: "Bänk Ünïcode").deliver(message)
        #expect(try await mailBody(to: address).contains(message.code))
    }

    @Test func anUntrustedCertificateIsRefused() async throws {
        let channel = try EmailChannel(configuration: try starttls(ca: false), bankName: "Stepup Bank")
        await #expect(throws: (any Error).self) { try await channel.deliver(message(to: unique("carol"))) }
    }

    @Test func aWrongPasswordIsAPermanentFailure() async throws {
        let channel = try EmailChannel(configuration: try starttls(password: "wrong"), bankName: "Stepup Bank")
        do {
            try await channel.deliver(message(to: unique("dave")))
            Issue.record("delivered with a wrong password")
        } catch let failure as DeliveryFailure {
            guard let error = failure.underlying as? SMTPError, case .reply(let code, _) = error else {
                Issue.record("\(failure)")
                return
            }
            #expect(code == 535)
            #expect(!error.isTransient)
            #expect(failure.reason == "smtp reply 535")
        }
    }

    @Test func aRefusedRecipientFailsAndATransientRefusalIsRetriedOnce() async throws {
        let channel = try EmailChannel(configuration: try plain(), bankName: "Stepup Bank")
        let refused = await #expect(throws: DeliveryFailure.self) {
            try await channel.deliver(self.message(to: "refuse@example.com"))
        }
        #expect(refused?.underlying as? SMTPError == .reply(code: 550, text: "5.1.1 Mailbox refused"))
        #expect(refused?.reason == "smtp reply 550")
        let flaky = "flaky+\(UUID().uuidString.prefix(8).lowercased())@example.com"
        let flakyMessage = self.message(to: flaky)
        try await channel.deliver(flakyMessage)  // 451 first, accepted on the retry
        #expect(try await mailBody(to: flaky).contains(flakyMessage.code))
    }

    @Test func aServerThatIsDownIsATypedFailure() async throws {
        var configuration = try plain()
        configuration.port = 1  // nothing listens on port 1 here
        let channel = try EmailChannel(configuration: configuration, bankName: "Stepup Bank")
        let failure = await #expect(throws: DeliveryFailure.self) { try await channel.deliver(message(to: unique("erin"))) }
        #expect(failure?.underlying is SMTPError)
    }

    @Test func theWholeFlowReadsTheCodeBackFromTheMail() async throws {
        let channel = try EmailChannel(configuration: try plain(), bankName: "Stepup Bank")
        let fixture = try await PlatformFixture(channels: DeliveryProviders(providers: [.email: channel]))
        let user = try await fixture.platform.createUser(username: "frank", displayName: "Frank", password: PlatformFixture.password)
        let address = unique("frank")
        let refused = try await fixture.platform.addTarget(userID: user.id, kind: .email, address: "refuse@example.com")
        let good = try await fixture.platform.addTarget(userID: user.id, kind: .email, address: address)
        let logon = try await fixture.logon("frank")
        let challenge = try #require(logon.challenge)
        let failure = await stepupError { _ = try await fixture.platform.sendCode(challengeID: challenge.id, targetID: refused.id, session: logon.issued.session) }
        #expect(failure?.code == .deliveryFailed)
        #expect(try await fixture.audit(user).contains("mfa.code.delivery_failed:failure"))
        _ = try await fixture.platform.sendCode(challengeID: challenge.id, targetID: good.id, session: logon.issued.session)
        let body = try await mailBody(to: address)
        let code = try #require(body.firstMatch(of: /access code is (\d{6})/)?.1)
        let result = try await fixture.platform.verifyCode(challengeID: challenge.id, code: String(code), session: logon.issued.session)
        #expect(result.issued.session.stage == .authenticated)
        await fixture.close()
    }
}
