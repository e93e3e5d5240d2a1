import Foundation
import StepupCore
import Testing

@testable import StepupSDKOIDC

/// The key set's early refetch: a key the provider rotated under the same `kid` is picked up after one refetch,
/// and forged tokens (another key under a known `kid`, or an unknown `kid`) never cause more than one refetch per
/// ``OIDCProvider/keyRefetchInterval``, however many arrive at once.
@Suite struct KeyRotationTests {
    let clock = ManualClock()
    let nonce = "nonce-0123456789abcdef0123"

    func provider(_ fake: FakeProvider) throws -> OIDCProvider {
        let configuration = try OIDCConfiguration(
            issuer: FakeProvider.issuer, clientID: "bank", clientSecret: "a-client-secret-of-some-length",
            redirectURI: "https://bank.example.test/ext/idp/assets/verify.html")
        return OIDCProvider(configuration: configuration, transport: fake, clock: clock, logger: LogRecorder().logger)
    }

    /// Claims for a sign-in that has just happened by `clock`.
    func claims() -> IDTokenClaims {
        let t = clock.now.timeIntervalSince1970
        return IDTokenClaims(iss: FakeProvider.issuer, sub: "subject-1", aud: ["bank"], exp: t + 300, iat: t - 1, nonce: nonce, authTime: t - 5, azp: nil)
    }

    func verify(_ token: String, at provider: OIDCProvider) async throws(OIDCFailure) -> IDTokenClaims {
        try await provider.verifyIDToken(token, nonce: nonce, startedAt: clock.now.addingTimeInterval(-20), now: clock.now)
    }

    /// The failure each of `count` concurrent verifications of `token` ended with (nil: it passed).
    func burst(_ token: String, count: Int, at provider: OIDCProvider) async -> [OIDCFailure?] {
        await withTaskGroup(of: OIDCFailure?.self) { group in
            for _ in 0..<count {
                group.addTask {
                    do throws(OIDCFailure) {
                        _ = try await verify(token, at: provider)
                        return nil
                    } catch {
                        return error
                    }
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
    }

    @Test func aKeyRotatedUnderTheSameKidIsAcceptedAfterOneRefetch() async throws {
        let before = try await TestSigner(kid: "k1")
        let fake = try FakeProvider(signer: before)
        let provider = try provider(fake)
        #expect(try await verify(try await before.sign(claims()), at: provider).sub == "subject-1")
        #expect(fake.requests(to: "/jwks") == 1)

        clock.advance(by: OIDCProvider.keyRefetchInterval + 1)
        let after = try await TestSigner(kid: "k1")
        try fake.rotate(to: after)
        #expect(try await verify(try await after.sign(claims()), at: provider).sub == "subject-1")
        #expect(fake.requests(to: "/jwks") == 2)
        // The refetched set is the cache now: the next sign-in needs no fetch.
        #expect(try await verify(try await after.sign(claims()), at: provider).sub == "subject-1")
        #expect(fake.requests(to: "/jwks") == 2)
    }

    @Test func anotherKeyUnderAKnownKidIsRefusedAfterAtMostOneRefetch() async throws {
        let signer = try await TestSigner(kid: "k1")
        let forger = try await TestSigner(kid: "k1")
        let fake = try FakeProvider(signer: signer)
        let provider = try provider(fake)
        _ = try await verify(try await signer.sign(claims()), at: provider)

        clock.advance(by: OIDCProvider.keyRefetchInterval + 1)
        let forged = try await forger.sign(claims())
        await #expect(throws: OIDCFailure.badSignature) { try await verify(forged, at: provider) }
        #expect(fake.requests(to: "/jwks") == 2, "one refetch, then refused")
        await #expect(throws: OIDCFailure.badSignature) { try await verify(forged, at: provider) }
        #expect(fake.requests(to: "/jwks") == 2, "no second refetch within the interval")

        clock.advance(by: OIDCProvider.keyRefetchInterval)
        await #expect(throws: OIDCFailure.badSignature) { try await verify(forged, at: provider) }
        #expect(fake.requests(to: "/jwks") == 3, "the limit is an interval, not a ban")
    }

    @Test(arguments: ["k1", "k-unknown"])
    func aBurstOfForgedTokensCausesAtMostOneRefetch(kid: String) async throws {
        let signer = try await TestSigner(kid: "k1")
        let forger = try await TestSigner(kid: kid)
        let fake = try FakeProvider(signer: signer, jwksDelay: .milliseconds(200))
        let provider = try provider(fake)
        _ = try await verify(try await signer.sign(claims()), at: provider)
        #expect(fake.requests(to: "/jwks") == 1)

        clock.advance(by: OIDCProvider.keyRefetchInterval + 1)
        let failures = await burst(try await forger.sign(claims()), count: 25, at: provider)
        let expected: OIDCFailure = kid == "k1" ? .badSignature : .unknownKey
        #expect(failures.count == 25)
        #expect(failures.allSatisfy { $0 == expected })
        #expect(fake.requests(to: "/jwks") == 2)
    }

    @Test func aGoodTokenArrivingDuringARefetchIsCheckedWithTheNewKeys() async throws {
        let before = try await TestSigner(kid: "k1")
        let fake = try FakeProvider(signer: before, jwksDelay: .milliseconds(200))
        let provider = try provider(fake)
        _ = try await verify(try await before.sign(claims()), at: provider)

        clock.advance(by: OIDCProvider.keyRefetchInterval + 1)
        let after = try await TestSigner(kid: "k1")
        try fake.rotate(to: after)
        // A burst of good tokens under the new key: one refetches, the rest wait for it or use what it fetched.
        let failures = await burst(try await after.sign(claims()), count: 10, at: provider)
        #expect(failures.allSatisfy { $0 == nil })
        #expect(fake.requests(to: "/jwks") == 2)
    }
}
