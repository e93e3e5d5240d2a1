import Crypto
import _CryptoExtras
import Foundation
import JWTKit
import StepupCore
import Testing

@testable import StepupSDKOIDC

/// The ID-token checks with real RS256 signatures made here, one test per check (the flow against a real provider
/// is in OIDCProviderFlowTests).
@Suite struct IDTokenVerifierTests {
    static let issuer = "https://idp.example.test"
    let now = Date(timeIntervalSince1970: 1_800_000_000)
    let startedAt = Date(timeIntervalSince1970: 1_800_000_000 - 20)
    let nonce = "nonce-0123456789abcdef0123"

    typealias Signer = TestSigner

    func configuration(freshness: OIDCConfiguration.Freshness = .authTime(skew: 5)) throws -> OIDCConfiguration {
        try OIDCConfiguration(
            issuer: Self.issuer, clientID: "bank", clientSecret: "a-client-secret-of-some-length",
            redirectURI: "https://bank.example.test/ext/idp/assets/verify.html", freshness: freshness)
    }

    func claims(
        iss: String = issuer, sub: String = "subject-1", aud: [String] = ["bank"], exp: Double? = nil, iat: Double? = nil,
        nonce: String? = "nonce-0123456789abcdef0123", authTime: Double? = nil, azp: String? = nil
    ) -> IDTokenClaims {
        let t = now.timeIntervalSince1970
        return IDTokenClaims(
            iss: iss, sub: sub, aud: aud, exp: exp ?? t + 300, iat: iat ?? t - 1, nonce: nonce,
            authTime: authTime ?? t - 10, azp: azp)
    }

    func verify(_ token: String, keys: ProviderKeys, freshness: OIDCConfiguration.Freshness = .authTime(skew: 5)) async throws -> IDTokenClaims {
        try await IDTokenVerifier(configuration: try configuration(freshness: freshness)).verify(
            token, keys: keys, nonce: nonce, startedAt: startedAt, now: now)
    }

    func expectFailure(_ expected: OIDCFailure, _ claims: IDTokenClaims, freshness: OIDCConfiguration.Freshness = .authTime(skew: 5)) async throws {
        let signer = try await Signer()
        let token = try await signer.sign(claims)
        let keys = try await signer.publicKeys()
        await #expect(throws: expected) { try await verify(token, keys: keys, freshness: freshness) }
    }

    @Test func aGoodTokenPasses() async throws {
        let signer = try await Signer()
        let verified = try await verify(try await signer.sign(claims()), keys: try await signer.publicKeys())
        #expect(verified.sub == "subject-1")
    }

    @Test func anotherKeysSignatureIsRefused() async throws {
        let signer = try await Signer(kid: "k1")
        let impostor = try await Signer(kid: "k1")
        let token = try await impostor.sign(claims())
        await #expect(throws: OIDCFailure.badSignature) { try await verify(token, keys: try await signer.publicKeys()) }
    }

    @Test func aTamperedPayloadIsRefused() async throws {
        let signer = try await Signer()
        let parts = try await signer.sign(claims()).split(separator: ".").map(String.init)
        let forged = claims(sub: "someone-else")
        let payload = Base64URL.encode(Array(try JSONEncoder().encode(forged)))
        await #expect(throws: OIDCFailure.badSignature) {
            try await verify([parts[0], payload, parts[2]].joined(separator: "."), keys: try await signer.publicKeys())
        }
    }

    @Test func anUnknownKeyIsRefused() async throws {
        let signer = try await Signer(kid: "k1")
        let other = try await Signer(kid: "k2")
        let token = try await other.sign(claims())
        await #expect(throws: OIDCFailure.unknownKey) { try await verify(token, keys: try await signer.publicKeys()) }
    }

    @Test func noneAndHMACAlgorithmsAreRefused() async throws {
        let signer = try await Signer()
        let body = Base64URL.encode(Array(try JSONEncoder().encode(claims())))
        for alg in ["none", "HS256"] {
            let header = Base64URL.encode(Array(#"{"alg":"\#(alg)","kid":"k1"}"#.utf8))
            await #expect(throws: OIDCFailure.unsupportedAlgorithm(alg)) {
                try await verify("\(header).\(body).", keys: try await signer.publicKeys())
            }
        }
        await #expect(throws: OIDCFailure.tokenMalformed) { try await verify("not-a-token", keys: try await signer.publicKeys()) }
    }

    @Test func wrongIssuerIsRefused() async throws {
        try await expectFailure(.wrongIssuer, claims(iss: "https://evil.example.test"))
    }

    @Test func wrongAudienceIsRefused() async throws {
        try await expectFailure(.wrongAudience, claims(aud: ["another-client"]))
    }

    @Test func severalAudiencesNeedOurAuthorizedParty() async throws {
        try await expectFailure(.wrongAuthorizedParty, claims(aud: ["bank", "other"]))
        try await expectFailure(.wrongAuthorizedParty, claims(aud: ["bank", "other"], azp: "other"))
        try await expectFailure(.wrongAuthorizedParty, claims(azp: "other"))
        let signer = try await Signer()
        let token = try await signer.sign(claims(aud: ["bank", "other"], azp: "bank"))
        #expect(try await verify(token, keys: try await signer.publicKeys()).azp == "bank")
    }

    @Test func anExpiredTokenIsRefused() async throws {
        try await expectFailure(.expired, claims(exp: now.timeIntervalSince1970 - 31))
    }

    @Test func anIssueTimeInTheFutureOrLongAgoIsRefused() async throws {
        try await expectFailure(.issuedAtInvalid, claims(iat: now.timeIntervalSince1970 + 60))
        try await expectFailure(.issuedAtInvalid, claims(iat: now.timeIntervalSince1970 - 601))
    }

    @Test func aWrongOrMissingNonceIsRefused() async throws {
        try await expectFailure(.nonceMismatch, claims(nonce: "nonce-of-another-flow-000000"))
        try await expectFailure(.nonceMismatch, claims(nonce: nil))
    }

    @Test func aLoginFromBeforeTheFlowIsStale() async throws {
        try await expectFailure(.staleAuthentication, claims(authTime: startedAt.timeIntervalSince1970 - 6))
        try await expectFailure(.staleAuthentication, claims(authTime: 0))
    }

    @Test func aMissingAuthTimeIsRefusedUnlessTheProviderEnforcesFreshness() async throws {
        let signer = try await Signer()
        let t = now.timeIntervalSince1970
        let noAuthTime = IDTokenClaims(iss: Self.issuer, sub: "s", aud: ["bank"], exp: t + 60, iat: t, nonce: nonce, authTime: nil, azp: nil)
        let token = try await signer.sign(noAuthTime)
        await #expect(throws: OIDCFailure.authTimeMissing) { try await verify(token, keys: try await signer.publicKeys()) }
        #expect(try await verify(token, keys: try await signer.publicKeys(), freshness: .providerEnforced).sub == "s")
    }

    @Test func everyFailureHasAStableCodeAndStatus() {
        #expect(OIDCFailure.stateReplayed.stepupError.code.rawValue == "oidc_state_replayed")
        #expect(OIDCFailure.badSignature.stepupError.code.rawValue == "oidc_token_invalid")
        #expect(OIDCFailure.staleAuthentication.stepupError.httpStatus == 401)
        #expect(OIDCFailure.subjectMismatch.stepupError.httpStatus == 403)
        #expect(OIDCFailure.providerUnavailable("x").stepupError.httpStatus == 503)
        #expect(OIDCFailure.issuerParameterMismatch.stepupError.code.rawValue == "oidc_issuer_mismatch")
    }
}
