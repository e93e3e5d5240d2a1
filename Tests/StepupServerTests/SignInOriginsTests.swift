import Foundation
import StepupCore
import StepupPlatform
import Testing

@testable import StepupServer

/// Where the banking app may open a redirect-based external MFA's popup: declared by an in-process extension, and
/// for an extension service, set by the bank in the registry (never taken from the service).
@Suite struct SignInOriginsTests {
    static let key = String(repeating: "k", count: 40)

    @Test func theRegistryKeepsOnlyWellFormedOrigins() async throws {
        let fixture = try await ServerFixture()
        for bad in ["http://idp.example.test", "https://idp.example.test/path", "https://u@idp.example.test", "idp.example.test", "https://idp.example.test/"] {
            await #expect(throws: StepupError.self, "\(bad)") {
                try await fixture.platform.register(
                    RegisteredExtension(name: "idp", baseURL: "http://127.0.0.1:9", key: Self.key, authorizationOrigins: [bad]))
            }
        }
        let origins = ["https://idp.example.test", "http://127.0.0.1:4000"]
        try await fixture.platform.register(
            RegisteredExtension(
                name: "idp", baseURL: "http://127.0.0.1:9", key: Self.key, runsBeforeLogon: true, externalMFAContexts: ["logon"],
                authorizationOrigins: origins))
        #expect(try await fixture.platform.registeredExtension(name: "idp")?.authorizationOrigins == origins)
        // A registration needs a real user, a provider and a value.
        await #expect(throws: StepupError.self) { try await fixture.platform.setRegistration(userID: "nobody", provider: "idp", value: "s") }
        let alice = try await fixture.platform.user(named: "alice")
        await #expect(throws: StepupError.self) { try await fixture.platform.setRegistration(userID: alice.id, provider: "", value: "s") }
        await #expect(throws: StepupError.self) { try await fixture.platform.setRegistration(userID: alice.id, provider: "idp", value: "") }
        await fixture.store.close()
    }

    @Test func theWorkflowNamesTheRegistrysOriginsForAServicesExternalMFA() async throws {
        let fixture = try await ServerFixture()
        try await fixture.platform.register(
            RegisteredExtension(
                name: "idp", baseURL: "http://127.0.0.1:9", key: Self.key, runsBeforeLogon: true, externalMFAContexts: ["logon"],
                authorizationOrigins: ["https://idp.example.test"]))
        let alice = try await fixture.platform.user(named: "alice")
        try await fixture.platform.setRegistration(userID: alice.id, provider: "idp", value: "subject-1")
        try await fixture.test { client in
            let browser = Browser(client)
            let logon = try await browser.logon("alice", "pw-alice")
            let challenge = try #require((logon["challenge"] as? [String: Any])?["id"] as? String)
            let view = try await browser.get("/api/mfa/challenges/\(challenge)").json()
            let external = try #require(view["external"] as? [String: Any])
            #expect(external["extension"] as? String == "idp")
            #expect(external["authorizationOrigins"] as? [String] == ["https://idp.example.test"])
        }
    }
}
