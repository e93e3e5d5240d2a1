import Foundation
import Testing

@testable import StepupSDKOIDC

@Suite struct PendingAuthorizationTests {
    let start = Date(timeIntervalSince1970: 1_800_000_000)

    func flow(expiresIn seconds: TimeInterval = 300) -> PendingAuthorization {
        PendingAuthorization(
            userID: "u1", contextKey: "logon||", nonce: "n", codeVerifier: PKCE.makeVerifier(), startedAt: start,
            expiresAt: start.addingTimeInterval(seconds))
    }

    @Test func aStateWorksOnceAndItsReplayIsNamed() async throws {
        let store = InMemoryPendingAuthorizations()
        let pending = flow()
        await store.insert(pending, state: "state-1")
        #expect(try await store.take(state: "state-1", now: start).get() == pending)
        #expect(await store.take(state: "state-1", now: start) == .failure(.stateReplayed))
        #expect(await store.waiting == 0)
    }

    @Test func anUnknownStateIsRefused() async {
        let store = InMemoryPendingAuthorizations()
        await store.insert(flow(), state: "state-1")
        #expect(await store.take(state: "forged", now: start) == .failure(.stateUnknown))
    }

    @Test func anExpiredStateIsRefusedAndUsedUp() async {
        let store = InMemoryPendingAuthorizations()
        await store.insert(flow(expiresIn: 60), state: "state-1")
        #expect(await store.take(state: "state-1", now: start.addingTimeInterval(61)) == .failure(.stateExpired))
    }

    @Test func capacityDropsTheOldestFlow() async {
        let store = InMemoryPendingAuthorizations(capacity: 2)
        for index in 0..<3 {
            let pending = PendingAuthorization(
                userID: "u", contextKey: "k", nonce: "n", codeVerifier: "v", startedAt: start.addingTimeInterval(Double(index)),
                expiresAt: start.addingTimeInterval(300))
            await store.insert(pending, state: "s\(index)")
        }
        #expect(await store.waiting == 2)
        #expect(await store.take(state: "s0", now: start) == .failure(.stateUnknown))
    }

    @Test func configurationRefusesPlainHTTPBeyondLoopbackAndWeakClients() {
        #expect(throws: OIDCFailure.self) {
            try OIDCConfiguration(issuer: "http://idp.example.test", clientID: "c", clientSecret: "0123456789abcdef", redirectURI: "https://b.test/v")
        }
        #expect(throws: OIDCFailure.self) {
            try OIDCConfiguration(issuer: "https://idp.example.test", clientID: "c", clientSecret: "short", redirectURI: "https://b.test/v")
        }
        #expect(throws: OIDCFailure.self) {
            try OIDCConfiguration(
                issuer: "https://idp.example.test", clientID: "c", clientSecret: "0123456789abcdef", redirectURI: "https://b.test/v",
                scope: "profile")
        }
        let local = try? OIDCConfiguration(
            issuer: "http://127.0.0.1:4000/api/oidc/", clientID: "c", clientSecret: "0123456789abcdef", redirectURI: "http://localhost:8080/v")
        #expect(local?.issuer == "http://127.0.0.1:4000/api/oidc")
        #expect(local?.isTrustedEndpoint("http://127.0.0.1:4000/api/oidc/token") == true)
        #expect(local?.isTrustedEndpoint("http://127.0.0.1:4001/api/oidc/token") == false)
        #expect(local?.isTrustedEndpoint("https://evil.example.test/jwks") == false)
    }

    @Test func formEncodingEscapesEverythingButUnreserved() {
        #expect(OIDCProvider.formEncode("a b+c/é:") == "a%20b%2Bc%2F%C3%A9%3A")
    }
}
