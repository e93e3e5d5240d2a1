import Foundation
import Testing

@testable import StepupCore

@Suite("Access codes and secrets")
struct AccessCodeTests {
    func challengeWithCode(length: Int = 6, clock: ManualClock) throws -> (Challenge, AccessCode) {
        var challenge = Challenge(userID: "u", sessionID: "s", context: .logon, createdAt: clock.now, lifetime: 600)
        try challenge.chooseTarget("t", at: clock.now)
        let code = AccessCode.issue(for: challenge.id, length: length, lifetime: 300, now: clock.now)
        try challenge.record(code, at: clock.now)
        return (challenge, code)
    }

    @Test(arguments: [6, 7, 8])
    func codesHaveTheConfiguredLengthOfDigits(length: Int) throws {
        let (_, code) = try challengeWithCode(length: length, clock: ManualClock())
        #expect(code.plain.count == length)
        #expect(code.plain.allSatisfy { $0.isNumber })
    }

    @Test func onlyTheDigestIsKeptAndItIsSaltedWithTheChallenge() throws {
        let clock = ManualClock()
        let (challenge, code) = try challengeWithCode(clock: clock)
        #expect(challenge.accessCode.digest == code.digest)
        #expect(!code.digest.contains(code.plain))
        #expect(code.digest != SecretHash.digest(code.plain))
        #expect(code.digest == SecretHash.digest(code.plain, salt: challenge.id))
    }

    @Test func rightCodeWithinLifetimePasses() throws {
        let clock = ManualClock()
        let (challenge, code) = try challengeWithCode(clock: clock)
        clock.advance(by: 299)
        try AccessCode.verify(" \(code.plain) ", challenge: challenge, now: clock.now)
    }

    @Test func wrongCodeIsInvalid() throws {
        let clock = ManualClock()
        let (challenge, code) = try challengeWithCode(clock: clock)
        let wrong = code.plain == "000000" ? "111111" : "000000"
        #expect(throws: StepupError(.codeInvalid)) { try AccessCode.verify(wrong, challenge: challenge, now: clock.now) }
    }

    @Test func rightCodeAfterItsLifetimeIsExpired() throws {
        let clock = ManualClock()
        let (challenge, code) = try challengeWithCode(clock: clock)
        clock.advance(by: 300)
        #expect(throws: StepupError(.codeExpired)) { try AccessCode.verify(code.plain, challenge: challenge, now: clock.now) }
    }

    @Test func codesAreNotPredictable() {
        let codes = Set((0..<200).map { _ in SecureRandom.digits(8) })
        #expect(codes.count > 190)
    }

    @Test func constantTimeEqualityIsEquality() {
        #expect(ConstantTime.equals("abc", "abc"))
        #expect(!ConstantTime.equals("abc", "abd"))
        #expect(!ConstantTime.equals("abc", "abcd"))
        #expect(ConstantTime.equals([UInt8](), []))
    }

    @Test func tokensCarryTheirEntropyInURLSafeText() {
        let token = SecureRandom.token(bits: 256)
        #expect(Base64URL.decode(token)?.count == 32)
        #expect(!token.contains("+") && !token.contains("/") && !token.contains("="))
    }

    @Test func sessionSecretsStoreDigestsAndDeriveTheCSRFToken() {
        let secrets = SessionSecrets()
        #expect(secrets.sessionDigest == SecretHash.digest(secrets.sessionToken))
        #expect(secrets.csrfToken == SessionSecrets.csrfToken(forSessionToken: secrets.sessionToken))
        #expect(secrets.csrfToken != secrets.sessionToken)
        #expect(SessionSecrets().sessionToken != secrets.sessionToken)
    }
}
