import Testing

@testable import StepupSDKOIDC

/// The limits the README states for a provider's configuration: the client secret's length, plain http for loopback
/// issuers only, and the cache lifetimes.
@Suite struct ConfigurationLimitsTests {
    @Test func theDocumentedLimitsHold() throws {
        func configuration(issuer: String = "https://idp.example.test", secret: String) throws -> OIDCConfiguration {
            try OIDCConfiguration(issuer: issuer, clientID: "bank", clientSecret: secret, redirectURI: "https://bank.example.test/v")
        }
        #expect(OIDCConfiguration.minimumSecretLength == 16)
        #expect(throws: OIDCFailure.self) { try configuration(secret: String(repeating: "s", count: 15)) }
        #expect(try configuration(secret: String(repeating: "s", count: 16)).clientSecret.count == 16)
        // Glewlwyd's test client has secrets.token_urlsafe(32): 43 characters.
        #expect(throws: Never.self) { try configuration(secret: String(repeating: "s", count: 43)) }
        for issuer in ["http://idp.example.test", "http://localhost.example.test", "http://127.0.0.1.example.test", "http://10.0.0.1"] {
            #expect(throws: OIDCFailure.self, "\(issuer)") { try configuration(issuer: issuer, secret: String(repeating: "s", count: 16)) }
        }
        for issuer in ["http://127.0.0.1:4000/api/oidc", "http://localhost:4000", "http://[::1]:4000"] {
            #expect(throws: Never.self, "\(issuer)") { try configuration(issuer: issuer, secret: String(repeating: "s", count: 16)) }
        }
        #expect(try configuration(secret: String(repeating: "s", count: 16)).metadataLifetime == 600)
        #expect(OIDCProvider.keyRefetchInterval == 30)
    }
}
