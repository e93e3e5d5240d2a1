import Foundation
import StepupCore
import Testing

@testable import StepupPlatform

@Suite("Logon and sessions")
struct LogonTests {
    @Test func aUserWhosePolicyAsksForMFAGetsAPreAuthenticatedSessionAndALogonChallenge() async throws {
        let fixture = try await PlatformFixture()
        let alice = try await fixture.makeUser()
        let result = try await fixture.logon()
        #expect(result.issued.session.stage == .preAuthentication)
        #expect(result.challenge?.context == .logon)
        #expect(result.challenge?.sessionID == result.issued.session.id)
        #expect(result.issued.session.secretDigest == SecretHash.digest(result.issued.secrets.sessionToken))
        #expect(try await fixture.audit(alice).contains("logon.password:success"))
        await fixture.close()
    }

    @Test func aUserWithoutLogonMFAIsAuthenticatedAtOnce() async throws {
        let fixture = try await PlatformFixture()
        try await fixture.makeUser("bob", logonMFA: .never)
        let result = try await fixture.logon("bob")
        #expect(result.issued.session.stage == .authenticated)
        #expect(result.challenge == nil)
        await fixture.close()
    }

    @Test func usernamesAreCaseAndSpaceInsensitive() async throws {
        let fixture = try await PlatformFixture()
        try await fixture.makeUser()
        let result = try await fixture.platform.logon(username: "  ALICE ", password: PlatformFixture.password, clientAddress: nil)
        #expect(result.user.username == "alice")
        await fixture.close()
    }

    @Test func aWrongPasswordAndAnUnknownUserAnswerTheSame() async throws {
        let fixture = try await PlatformFixture()
        let alice = try await fixture.makeUser()
        let wrong = await stepupError { _ = try await fixture.platform.logon(username: "alice", password: "nope", clientAddress: "1.1.1.1") }
        let unknown = await stepupError { _ = try await fixture.platform.logon(username: "mallory", password: "nope", clientAddress: "1.1.1.2") }
        #expect(wrong == StepupError(.logonFailed))
        #expect(unknown == StepupError(.logonFailed))
        #expect(try await fixture.audit(alice).contains("logon.password:failure"))
        await fixture.close()
    }

    @Test func passwordGuessesAreThrottledPerUserAndClearedBySuccessOrTime() async throws {
        let fixture = try await PlatformFixture()
        try await fixture.makeUser()
        for i in 0..<4 {
            let error = await stepupError { _ = try await fixture.platform.logon(username: "alice", password: "guess\(i)", clientAddress: "10.0.0.\(i)") }
            #expect(error?.code == .logonFailed)
        }
        // Even the right password is refused while throttled: the check comes before the password.
        let throttled = await stepupError { _ = try await fixture.logon(address: "10.0.1.1") }
        #expect(throttled?.code == .logonThrottled)
        #expect(throttled?.retryAfter != nil)
        fixture.clock.advance(by: 901)
        _ = try await fixture.logon()
        await fixture.close()
    }

    @Test func passwordGuessesAreThrottledPerAddressAcrossUsernames() async throws {
        let fixture = try await PlatformFixture()
        try await fixture.makeUser()
        for i in 0..<6 {
            _ = await stepupError { _ = try await fixture.platform.logon(username: "user\(i)", password: "x", clientAddress: "203.0.113.9") }
        }
        let error = await stepupError { _ = try await fixture.logon(address: "203.0.113.9") }
        #expect(error?.code == .logonThrottled)
        _ = try await fixture.logon(address: "203.0.113.10")
        await fixture.close()
    }

    @Test func aSessionResumesByItsSecretAndEndsWhenIdle() async throws {
        let fixture = try await PlatformFixture()
        try await fixture.makeUser("bob", logonMFA: .never)
        let result = try await fixture.logon("bob")
        let token = result.issued.secrets.sessionToken
        fixture.clock.advance(by: 200)
        let resumed = try await fixture.platform.resumeSession(token: token)
        #expect(resumed.user.username == "bob")
        fixture.clock.advance(by: 200)  // 200 s since the last request: still live
        _ = try await fixture.platform.resumeSession(token: token)
        fixture.clock.advance(by: 300)
        #expect(await stepupError { _ = try await fixture.platform.resumeSession(token: token) } == StepupError(.sessionExpired))
        #expect(await stepupError { _ = try await fixture.platform.resumeSession(token: token) } == StepupError(.notAuthenticated))
        #expect(await stepupError { _ = try await fixture.platform.resumeSession(token: "forged") } == StepupError(.notAuthenticated))
        await fixture.close()
    }

    @Test func logoutEndsTheSession() async throws {
        let fixture = try await PlatformFixture()
        try await fixture.makeUser("bob", logonMFA: .never)
        let result = try await fixture.logon("bob")
        try await fixture.platform.logout(sessionID: result.issued.session.id)
        #expect(await stepupError { _ = try await fixture.platform.resumeSession(token: result.issued.secrets.sessionToken) } == StepupError(.notAuthenticated))
        await fixture.close()
    }

    @Test func csrfTokensAreCheckedAgainstTheSession() async throws {
        let fixture = try await PlatformFixture()
        try await fixture.makeUser("bob", logonMFA: .never)
        let a = try await fixture.logon("bob")
        let b = try await fixture.logon("bob")
        try fixture.platform.checkCSRF(a.issued.secrets.csrfToken, for: a.issued.session)
        #expect(throws: StepupError(.csrfInvalid)) { try fixture.platform.checkCSRF(b.issued.secrets.csrfToken, for: a.issued.session) }
        #expect(throws: StepupError(.csrfInvalid)) { try fixture.platform.checkCSRF(nil, for: a.issued.session) }
        #expect(throws: StepupError(.csrfInvalid)) { try fixture.platform.checkCSRF("", for: a.issued.session) }
        await fixture.close()
    }

    @Test func theDemoBankSeedsOnceWithWorkingPasswords() async throws {
        let fixture = try await PlatformFixture()
        #expect(try await DemoBank.seedIfEmpty(fixture.platform))
        #expect(try await !DemoBank.seedIfEmpty(fixture.platform))
        for demo in DemoBank.users {
            let result = try await fixture.platform.logon(username: demo.username, password: demo.password, clientAddress: nil)
            #expect(result.issued.session.stage == (demo.logonMFA == .always ? .preAuthentication : .authenticated))
        }
        await fixture.close()
    }
}
