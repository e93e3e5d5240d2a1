import Testing

@testable import StepupSDKOIDC

@Suite struct PKCETests {
    @Test func rfc7636AppendixBVector() {
        #expect(PKCE.challenge(for: "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk") == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")
    }

    @Test func verifiersAreFreshAndWellFormed() {
        let first = PKCE.makeVerifier()
        let second = PKCE.makeVerifier()
        #expect(first != second)
        #expect(PKCE.isValidVerifier(first))
        #expect(first.utf8.count == 43)
    }

    @Test func malformedVerifiersAreRefused() {
        #expect(!PKCE.isValidVerifier(String(repeating: "a", count: 42)))
        #expect(!PKCE.isValidVerifier(String(repeating: "a", count: 129)))
        #expect(!PKCE.isValidVerifier(String(repeating: "a", count: 42) + "+"))
        #expect(PKCE.isValidVerifier(String(repeating: "a", count: 40) + "-._~"))
    }
}
