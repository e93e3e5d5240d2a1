import Foundation
import StepupCore
import Testing

@testable import StepupSDKOIDC

/// What the relying party logs when the provider refuses: one `warning` naming the step, the provider's status and
/// its RFC 6749 error, bounded and without control characters; never the client secret, the code or the verifier.
@Suite struct ProviderWarningTests {
    static let secret = "client-secret-0123456789abcdef"
    let recorder = LogRecorder()

    func provider(_ fake: FakeProvider, authentication: OIDCConfiguration.ClientAuthentication = .clientSecretBasic) throws -> OIDCProvider {
        let configuration = try OIDCConfiguration(
            issuer: FakeProvider.issuer, clientID: "bank", clientSecret: Self.secret, clientAuthentication: authentication,
            redirectURI: "https://bank.example.test/ext/idp/assets/verify.html")
        return OIDCProvider(configuration: configuration, transport: fake, clock: ManualClock(), logger: recorder.logger)
    }

    func fake() async throws -> FakeProvider { try FakeProvider(signer: try await TestSigner()) }

    @Test(arguments: OIDCConfiguration.ClientAuthentication.allCases)
    func aRefusedPARNamesTheStepTheStatusAndTheError(_ authentication: OIDCConfiguration.ClientAuthentication) async throws {
        let fake = try await fake()
        // A provider that echoes the secret it refused, and puts a line break and an escape sequence in its text.
        fake.answer(par: .init(status: 401, body: #"{"error":"invalid_client","error_description":"bad secret \#(Self.secret)\n2030-01-01 critical: forged line \u001b[2J"}"#))
        let provider = try provider(fake, authentication: authentication)
        await #expect(throws: OIDCFailure.providerMisconfigured("PAR refused (401)")) {
            try await provider.pushAuthorizationRequest(
                state: "state-0123456789abcdef", nonce: "nonce-0123456789abcdef", codeChallenge: PKCE.challenge(for: PKCE.makeVerifier()))
        }
        let warning = try #require(recorder.warnings.first)
        #expect(recorder.warnings.count == 1)
        #expect(warning.message.contains("PAR"))
        #expect(warning.metadata["oidc_step"] == "par")
        #expect(warning.metadata["oidc_status"] == "401")
        #expect(warning.metadata["oidc_error"] == "invalid_client")
        #expect(warning.metadata["oidc_issuer"] == FakeProvider.issuer)
        let description = try #require(warning.metadata["oidc_error_description"])
        #expect(description.hasPrefix("bad secret [redacted]?2030-01-01 critical: forged line ?[2J"))
        #expect(!description.unicodeScalars.contains { $0.properties.generalCategory == .control })
        #expect(!recorder.text.contains(Self.secret))
        #expect(!recorder.text.contains("state-0123456789abcdef"))
    }

    @Test func aRefusedCodeExchangeNamesTheStepWithoutTheCodeOrVerifier() async throws {
        let fake = try await fake()
        let code = "code-0123456789abcdef"
        let verifier = PKCE.makeVerifier()
        fake.answer(token: .init(status: 400, body: #"{"error":"invalid_grant","error_description":"code \#(code) was used (verifier \#(verifier))"}"#))
        let provider = try provider(fake)
        await #expect(throws: OIDCFailure.codeRejected("invalid_grant")) { try await provider.exchange(code: code, codeVerifier: verifier) }
        let warning = try #require(recorder.warnings.first)
        #expect(warning.metadata["oidc_step"] == "token_exchange")
        #expect(warning.metadata["oidc_status"] == "400")
        #expect(warning.metadata["oidc_error"] == "invalid_grant")
        #expect(warning.metadata["oidc_error_description"] == "code [redacted] was used (verifier [redacted])")
        #expect(!recorder.text.contains(code))
        #expect(!recorder.text.contains(verifier))
    }

    @Test func aProviderWithoutPARIsNamedAtDiscovery() async throws {
        let fake = try await fake()
        fake.answer(discovery: FakeProvider.discovery(omitting: ["pushed_authorization_request_endpoint"]))
        let provider = try provider(fake)
        await #expect(throws: OIDCFailure.providerMisconfigured("no PAR endpoint")) { try await provider.discover() }
        let warning = try #require(recorder.warnings.first)
        #expect(warning.metadata["oidc_step"] == "discovery")
        #expect(warning.metadata["oidc_status"] == "200")
        #expect(warning.message.contains("pushed_authorization_request_endpoint"))
    }

    @Test func aFailingKeySetNamesTheStepAndStatus() async throws {
        let fake = try await fake()
        fake.answer(jwks: .init(status: 503, body: #"{"error":"temporarily_unavailable"}"#))
        let provider = try provider(fake)
        await #expect(throws: OIDCFailure.providerUnavailable("the key set answered 503")) { try await provider.keySet(containing: "k1") }
        let warning = try #require(recorder.warnings.first)
        #expect(warning.metadata["oidc_step"] == "jwks")
        #expect(warning.metadata["oidc_status"] == "503")
        #expect(warning.metadata["oidc_error"] == "temporarily_unavailable")
    }

    @Test func anAnswerThatSucceedsLogsNothing() async throws {
        let fake = try await fake()
        let provider = try provider(fake)
        _ = try await provider.pushAuthorizationRequest(state: "s", nonce: "n", codeChallenge: "c")
        _ = try await provider.keySet(containing: "k1")
        #expect(recorder.all.isEmpty)
    }

    @Test func theProvidersTextIsBoundedAndStrippedOfControlCharacters() {
        let long = String(repeating: "x", count: 5000)
        let answer = ProviderErrorAnswer(body: Array(#"{"error":"\#(long)","error_description":"a\tb\u0000c\u202Ed\u2028e"}"#.utf8))
        #expect(answer.error?.count == ProviderErrorAnswer.errorLimit)
        #expect(answer.error?.hasSuffix("…") == true)
        #expect(answer.description == "a?b?c?d?e")
        #expect(ProviderErrorAnswer(body: Array("<html>502</html>".utf8)) == ProviderErrorAnswer(error: nil, description: nil))
    }
}
