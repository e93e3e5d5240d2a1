import Foundation
import StepupCore
import StepupExamples
import StepupSDK
import StepupSDKOIDC
import StepupTesting
import Testing

/// The redirect-based flow end to end against a real OpenID provider with PAR and PKCE (Glewlwyd on 127.0.0.1):
/// the example extension's `start` and `token` routes, the user's sign-in at the provider in between.
/// Serialized: Glewlwyd on its SQLite database answers parallel sign-ins with spurious errors.
@Suite(
    "Redirect-based external MFA against Glewlwyd", .serialized,
    .enabled(
        if: ProcessInfo.processInfo.environment["STEPUP_TEST_OIDC"] != nil
            || ProcessInfo.processInfo.environment["STEPUP_TEST_REQUIRE_SERVERS"] != nil,
        "skipped: no OpenID provider (STEPUP_TEST_OIDC); ./scripts/test starts Glewlwyd"))
struct OIDCProviderFlowTests {
    let provider: TestProvider

    init() throws {
        provider = try TestProvider.load()
    }

    func tester(
        _ configuration: OIDCConfiguration, registeredAs username: String = "alice-idp", userID: String = "user-1",
        pending: (any PendingAuthorizationStore)? = nil
    ) -> (ExtensionTester, OIDCRelyingParty) {
        let party = OIDCRelyingParty(
            provider: OIDCProvider(configuration: configuration), pending: pending ?? InMemoryPendingAuthorizations())
        let platform = TestPlatform(userID: userID, registrationValue: provider.users[username]?.sub)
        let tester = ExtensionTester(
            IdentityProviderExtension(relyingParty: party),
            user: OnlineUser(id: userID, username: "alice", displayName: "Alice"), platform: platform)
        return (tester, party)
    }

    func start(_ tester: ExtensionTester) async throws -> String {
        let started = await tester.run("start", isAuthenticated: false, pendingContext: "logon")
        #expect(started.error == nil, "\(String(describing: started.error))")
        let url = try #require(started.field("authorizationURL"))
        #expect(url.hasPrefix(provider.issuer))
        #expect(url.contains("request_uri="))
        #expect(!url.contains("code_challenge"), "PAR keeps the request's parameters off the browser's address")
        return url
    }

    func finish(_ tester: ExtensionTester, _ back: TestProvider.Return) async -> ExtensionTestResult {
        await tester.run("token", json: back.json, isAuthenticated: false, pendingContext: "logon")
    }

    @Test(arguments: OIDCConfiguration.ClientAuthentication.allCases)
    func aFreshSignInSetsAnExternalToken(_ authentication: OIDCConfiguration.ClientAuthentication) async throws {
        let (tester, _) = tester(try provider.configuration(authentication: authentication))
        let back = try await provider.signIn("alice-idp", at: try await start(tester))
        #expect(back.iss == provider.issuer, "Glewlwyd sends the RFC 9207 iss parameter")
        let finished = await finish(tester, back)
        #expect(finished.error == nil, "\(String(describing: finished.error))")
        let token = try #require(finished.field("token"))
        #expect(tester.platform.externalTokens == [token])
        #expect(tester.platform.events.map(\.action) == ["oidc.started", "oidc.verified"])
    }

    @Test func aStateWorksOnce() async throws {
        let (tester, _) = tester(try provider.configuration())
        let back = try await provider.signIn("alice-idp", at: try await start(tester))
        #expect(await finish(tester, back).error == nil)
        let again = await finish(tester, back)
        #expect(again.error?.code == .oidcStateReplayed)
        #expect(tester.platform.externalTokens.count == 1)
        #expect(tester.platform.events.last == .init(action: "oidc.failed", succeeded: false, details: ["reason": "state_replayed", "issuer": provider.issuer]))
    }

    @Test func aMissingOrForgedStateIsRefused() async throws {
        let (tester, _) = tester(try provider.configuration())
        let back = try await provider.signIn("alice-idp", at: try await start(tester))
        let missing = await tester.run("token", json: .object(["code": .string(back.code)]), pendingContext: "logon")
        #expect(missing.error?.code == .oidcStateInvalid)
        let forged = await finish(tester, .init(code: back.code, state: SecureRandom.token(), iss: back.iss))
        #expect(forged.error?.code == .oidcStateInvalid)
        #expect(tester.platform.externalTokens.isEmpty)
        #expect(tester.platform.events.suffix(2).map { $0.details["reason"] } == ["state_missing", "state_unknown"])
    }

    @Test func aCodeWorksOnceAtTheProvider() async throws {
        let (tester, _) = tester(try provider.configuration())
        let first = try await provider.signIn("alice-idp", at: try await start(tester))
        #expect(await finish(tester, first).error == nil)
        // A second flow's state with the first flow's (used) code: the provider refuses the code.
        let second = try await provider.signIn("alice-idp", at: try await start(tester))
        let replay = await finish(tester, .init(code: first.code, state: second.state, iss: second.iss))
        #expect(replay.error?.code == .oidcCodeRejected)
        #expect(tester.platform.externalTokens.count == 1)
    }

    @Test func aWrongVerifierIsRefusedByTheProvider() async throws {
        let (tester, _) = tester(try provider.configuration(), pending: SwappingVerifiers())
        let back = try await provider.signIn("alice-idp", at: try await start(tester))
        let refused = await finish(tester, back)
        #expect(refused.error?.code == .oidcCodeRejected)
        #expect(tester.platform.events.last?.details["reason"] == "code_rejected")
    }

    @Test func someoneElsesSignInIsRefused() async throws {
        let (tester, _) = tester(try provider.configuration(), registeredAs: "alice-idp")
        let back = try await provider.signIn("mallory-idp", at: try await start(tester))
        let refused = await finish(tester, back)
        #expect(refused.error?.code == .oidcSubjectMismatch)
        #expect(refused.error?.httpStatus == 403)
        #expect(tester.platform.externalTokens.isEmpty)
    }

    @Test func aReturnNamingAnotherIssuerIsRefused() async throws {
        let (tester, _) = tester(try provider.configuration())
        let back = try await provider.signIn("alice-idp", at: try await start(tester))
        let mixedUp = await finish(tester, .init(code: back.code, state: back.state, iss: "https://evil.example.test"))
        #expect(mixedUp.error?.code == .oidcIssuerMismatch)
    }

    @Test func anotherUsersStateIsRefused() async throws {
        let configuration = try provider.configuration()
        let pending = InMemoryPendingAuthorizations()
        let (alice, _) = tester(configuration, userID: "user-1", pending: pending)
        let (bob, _) = tester(configuration, userID: "user-2", pending: pending)
        let back = try await provider.signIn("alice-idp", at: try await start(alice))
        let refused = await finish(bob, back)
        #expect(refused.error?.code == .oidcStateInvalid)
        #expect(bob.platform.events.last?.details["reason"] == "state_not_yours")
    }

    @Test func glewlwydsAuthTimeIsNotFreshEnoughForTheStrictCheck() async throws {
        // Glewlwyd 2.7 reports auth_time 0; with the default freshness check the sign-in is refused as stale.
        let (tester, _) = tester(try provider.configuration(freshness: .authTime(skew: 5)))
        let back = try await provider.signIn("alice-idp", at: try await start(tester))
        let refused = await finish(tester, back)
        #expect(refused.error?.code == .oidcAuthStale)
    }

    @Test func aProviderThatIsDownIsATypedError() async throws {
        let closed = try ClosedPort()
        let (tester, _) = tester(try provider.configuration(issuer: "http://127.0.0.1:\(closed.port)/api/oidc", timeout: 1))
        let started = await tester.run("start", pendingContext: "logon")
        #expect(started.error?.code == .oidcProviderUnavailable)
        #expect(started.error?.httpStatus == 503)
        #expect(tester.platform.events.last?.details["reason"] == "provider_unavailable")
    }

    @Test func aProviderThatNeverAnswersTimesOut() async throws {
        let silent = try SilentListener()
        let (tester, _) = tester(try provider.configuration(issuer: "http://127.0.0.1:\(silent.port)/api/oidc", timeout: 0.5))
        let started = await tester.run("start", pendingContext: "logon")
        #expect(started.error?.code == .oidcProviderUnavailable)
    }

    @Test func aUserWithoutARegistrationCannotStart() async throws {
        let party = OIDCRelyingParty(provider: OIDCProvider(configuration: try provider.configuration()))
        let tester = ExtensionTester(IdentityProviderExtension(relyingParty: party))
        let started = await tester.run("start", pendingContext: "logon")
        #expect(started.error?.code == .forbidden)
    }
}

/// A pending store that hands back a different PKCE verifier than the one the flow's challenge was made from.
actor SwappingVerifiers: PendingAuthorizationStore {
    let inner = InMemoryPendingAuthorizations()

    func insert(_ pending: PendingAuthorization, state: String) async throws {
        let swapped = PendingAuthorization(
            userID: pending.userID, contextKey: pending.contextKey, nonce: pending.nonce, codeVerifier: PKCE.makeVerifier(),
            startedAt: pending.startedAt, expiresAt: pending.expiresAt)
        await inner.insert(swapped, state: state)
    }

    func take(state: String, now: Date) async throws -> Result<PendingAuthorization, OIDCFailure> {
        await inner.take(state: state, now: now)
    }
}
