import StepupCore
import StepupExamples
import StepupSDK
import StepupTesting
import Testing

@Suite("The example passphrase external MFA")
struct PassphraseTests {
    let registration = PassphraseExtension.registrationValue(for: "blue harbour lantern", salt: "demo-salt-dora")

    @Test func theDemoRegistrationValueIsThePhrasesHash() {
        #expect(registration == "sha256:demo-salt-dora:14c891f396f4eeb2b1bb05e79927212f0e2a1b5ed9b8d34eabf0d26809ec4814")
        #expect(!registration.contains("lantern"))
    }

    @Test(arguments: [PassphraseExtension() as any Extension, PassphraseClientExtension()])
    func theRightPhraseSetsTheTokenItReturnsAndAWrongOneIsCounted(ext: any Extension) async throws {
        let platform = TestPlatform(userID: "user-1", registrationValue: registration)
        let tester = ExtensionTester(ext, platform: platform)
        let wrong = await tester.run("check", fields: ["phrase": "red harbour lantern"], isAuthenticated: false)
        #expect(wrong.error?.code == .externalProofInvalid && wrong.error?.attemptsLeft == 4)
        #expect(platform.externalTokens.isEmpty && platform.failures == 1)
        let right = await tester.run("check", fields: ["phrase": "  Blue Harbour Lantern "], isAuthenticated: false)
        let token = try #require(right.response?.text.firstMatch(of: /"token":"([A-Za-z0-9_-]+)"/)?.1)
        #expect(platform.externalTokens == [String(token)])
        // The right phrase gave its own slot back; the earlier failure stands until the platform completes MFA.
        #expect(platform.failures == 1)
    }

    @Test func fiveWrongPhrasesLockAndTheRightOneIsNoLongerTried() async {
        let platform = TestPlatform(userID: "user-1", registrationValue: registration)
        let tester = ExtensionTester(PassphraseExtension(), platform: platform)
        var codes: [StepupError.Code?] = []
        for _ in 0..<5 { codes.append(await tester.run("check", fields: ["phrase": "guess"], isAuthenticated: false).error?.code) }
        #expect(codes == [.externalProofInvalid, .externalProofInvalid, .externalProofInvalid, .externalProofInvalid, .attemptsExhausted])
        let right = await tester.run("check", fields: ["phrase": "blue harbour lantern"], isAuthenticated: false)
        #expect(right.error?.code == .userLocked && platform.externalTokens.isEmpty)
    }

    @Test func withoutARegistrationNoPhraseWorks() async {
        let platform = TestPlatform(userID: "user-1", registrationValue: nil)
        let result = await ExtensionTester(PassphraseExtension(), platform: platform).run("check", fields: ["phrase": "blue harbour lantern"])
        #expect(result.error?.code == .externalProofInvalid)
        #expect(platform.externalTokens.isEmpty)
    }

    @Test func theClientVariantServesAStaticShellAndItsContextAsJSON() async {
        let tester = ExtensionTester(PassphraseClientExtension(), platform: TestPlatform(userID: "u", registrationValue: registration))
        let shell = await tester.run("app", method: .get, isAuthenticated: false)
        #expect(shell.response?.text.contains("stepup-bridge.js") == true)
        #expect(shell.response?.text.contains("lantern") == false)
        let context = await tester.run("context", isAuthenticated: false)
        #expect(context.response?.text == #"{"context":"logon","enrolled":"yes"}"#)
    }
}
