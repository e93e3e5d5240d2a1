import Foundation
import StepupCore
import StepupStore
import Testing

@testable import StepupPlatform

@Suite("External MFA tokens")
struct ExternalMFATests {
    func fixture() async throws -> PlatformFixture {
        try await PlatformFixture(externalMFAProviders: ["passphrase": ["logon", "transaction"], "other": ["logon"]])
    }

    @discardableResult func dora(_ fixture: PlatformFixture, registered: Bool = true) async throws -> User {
        let user = try await fixture.makeUser("dora", token: false)
        if registered {
            try await fixture.store.write { try await $0.setRegistration(userID: user.id, provider: "passphrase", value: "reg") }
        }
        return user
    }

    @Test func theNamedExtensionsTokenCompletesTheChallengeOnce() async throws {
        let fixture = try await fixture()
        let user = try await dora(fixture)
        let logon = try await fixture.logon("dora")
        let challenge = try #require(logon.challenge)
        let view = try await fixture.platform.describeChallenge(id: challenge.id, session: logon.issued.session)
        #expect(view.offers.map(\.frame) == [MethodFrame(extension: "passphrase")])
        #expect(view.methods == [.externalToken])
        let token = try await fixture.platform.issueExternalMFAToken(extensionName: "passphrase", session: logon.issued.session)
        let stored = try await fixture.store.read { try await $0.externalTokens(challengeID: challenge.id) }
        #expect(stored.count == 1 && stored[0].tokenDigest != token && !stored[0].tokenDigest.contains(token))
        let result = try await fixture.platform.verifyExternalToken(challengeID: challenge.id, token: token, session: logon.issued.session)
        #expect(result.completion.method == .externalToken)
        #expect(result.issued.session.stage == .authenticated)
        #expect(await stepupError { _ = try await fixture.platform.verifyExternalToken(challengeID: challenge.id, token: token, session: logon.issued.session) }?.code == .challengeClosed)
        // Not on the next challenge either: a token belongs to one challenge.
        let again = try await fixture.logon("dora")
        try await fixture.platform.setExternalMFAToken(SecureRandom.token(), extensionName: "passphrase", session: again.issued.session)
        #expect(await stepupError { _ = try await fixture.platform.verifyExternalToken(challengeID: again.challenge!.id, token: token, session: again.issued.session) }?.code == .tokenInvalid)
        #expect(try await fixture.audit(user).contains("mfa.external.token_set:success"))
        await fixture.close()
    }

    @Test func anotherSessionCannotUseTheToken() async throws {
        let fixture = try await fixture()
        try await dora(fixture)
        let mine = try await fixture.logon("dora")
        let theirs = try await fixture.logon("dora")
        let token = try await fixture.platform.issueExternalMFAToken(extensionName: "passphrase", session: mine.issued.session)
        #expect(await stepupError { _ = try await fixture.platform.verifyExternalToken(challengeID: mine.challenge!.id, token: token, session: theirs.issued.session) }?.code == .challengeNotFound)
        try await fixture.platform.setExternalMFAToken(SecureRandom.token(), extensionName: "passphrase", session: theirs.issued.session)
        #expect(await stepupError { _ = try await fixture.platform.verifyExternalToken(challengeID: theirs.challenge!.id, token: token, session: theirs.issued.session) }?.code == .tokenInvalid)
        await fixture.close()
    }

    @Test func anExpiredTokenIsRefused() async throws {
        let fixture = try await fixture()
        try await dora(fixture)
        let logon = try await fixture.logon("dora")
        let token = try await fixture.platform.issueExternalMFAToken(extensionName: "passphrase", session: logon.issued.session)
        fixture.clock.advance(by: 121)
        #expect(await stepupError { _ = try await fixture.platform.verifyExternalToken(challengeID: logon.challenge!.id, token: token, session: logon.issued.session) }?.code == .codeExpired)
        await fixture.close()
    }

    @Test func aTokenIsForItsChallengesContextOnly() async throws {
        let fixture = try await fixture()
        try await dora(fixture)
        let logon = try await fixture.logon("dora")
        let token = try await fixture.platform.issueExternalMFAToken(extensionName: "passphrase", session: logon.issued.session)
        let done = try await fixture.platform.verifyExternalToken(challengeID: logon.challenge!.id, token: token, session: logon.issued.session)
        let session = done.issued.session
        let payment = try await fixture.platform.openChallenge(session: session, context: .transaction([TransactionItem(id: "t", amountMinor: 100, currency: "USD", payee: "P")]))
        let prompt = try await fixture.platform.openChallenge(session: session, context: .extensionPrompt(extension: "x", route: nil))
        let second = try await fixture.platform.issueExternalMFAToken(extensionName: "passphrase", session: session)
        #expect(await stepupError { _ = try await fixture.platform.verifyExternalToken(challengeID: prompt.id, token: second, session: session) }?.code == .illegalTransition)
        _ = try await fixture.platform.verifyExternalToken(challengeID: payment.id, token: second, session: session)
        await fixture.close()
    }

    @Test func onlyTheExtensionNamedForTheUserAndContextMaySetAToken() async throws {
        let fixture = try await fixture()
        try await dora(fixture)
        let logon = try await fixture.logon("dora")
        // "other" serves logon as external MFA but dora has no registration for it; "stranger" serves nothing.
        for name in ["other", "stranger"] {
            #expect(await stepupError { try await fixture.platform.setExternalMFAToken(SecureRandom.token(), extensionName: name, session: logon.issued.session) }?.code == .forbidden)
        }
        // A user without any registration has no external MFA at all.
        try await fixture.makeUser("erik", token: false)
        let erik = try await fixture.logon("erik")
        #expect(try await fixture.platform.describeChallenge(id: erik.challenge!.id, session: erik.issued.session).offer(.externalToken) == nil)
        #expect(await stepupError { try await fixture.platform.setExternalMFAToken(SecureRandom.token(), extensionName: "passphrase", session: erik.issued.session) }?.code == .forbidden)
        // Weak tokens are refused.
        #expect(await stepupError { try await fixture.platform.setExternalMFAToken("short", extensionName: "passphrase", session: logon.issued.session) }?.code == .badRequest)
        await fixture.close()
    }

    @Test func wrongTokensCountTowardTheLockout() async throws {
        let fixture = try await fixture()
        let user = try await dora(fixture)
        let logon = try await fixture.logon("dora")
        let token = try await fixture.platform.issueExternalMFAToken(extensionName: "passphrase", session: logon.issued.session)
        var last: StepupError?
        for _ in 0..<5 {
            last = await stepupError { _ = try await fixture.platform.verifyExternalToken(challengeID: logon.challenge!.id, token: SecureRandom.token(), session: logon.issued.session) }
        }
        #expect(last?.code == .attemptsExhausted)
        #expect(try await fixture.failureCounter(user)?.failures == 5)
        #expect(await stepupError { _ = try await fixture.platform.verifyExternalToken(challengeID: logon.challenge!.id, token: token, session: logon.issued.session) }?.code == .challengeClosed)
        await fixture.close()
    }
}
