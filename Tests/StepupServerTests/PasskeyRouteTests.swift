import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import StepupCore
import StepupTesting
import StepupWebAuthnTesting
import Testing

@testable import StepupServer

/// The security page's passkey routes and the passkey method over HTTP, as the banking app drives them.
@Suite("Passkeys over HTTP: /api/security/passkeys and the passkey method")
struct PasskeyRouteTests {
    /// On loopback the RP ID is `localhost` and the origin `http://localhost:<port>`.
    static func authenticator() -> SoftwareAuthenticator { SoftwareAuthenticator(rpID: "localhost", origin: "http://localhost:8080") }

    /// Steps up for the factor change the answer asks for, and repeats the call.
    func confirmed(_ browser: Browser, _ fixture: ServerFixture, _ call: () async throws -> TestResponse) async throws -> TestResponse {
        let first = try await call()
        #expect(first.status == .unauthorized)
        #expect(first.errorCode == "mfa_required")
        let challenge = try browser.challengeID(of: first)
        let view = try await browser.get("/api/mfa/challenges/\(challenge)").json()
        #expect((view["challenge"] as? [String: Any])?["context"] as? String == "event_driven_validation")
        #expect(try await browser.complete(challenge, fixture).status == .ok)
        return try await call()
    }

    func register(_ browser: Browser, _ fixture: ServerFixture, _ authenticator: SoftwareAuthenticator, name: String) async throws -> TestResponse {
        let options = try await confirmed(browser, fixture) { try await browser.post("/api/security/passkeys/options") }
        #expect(options.status == .ok, "\(options.text)")
        let creation = try options.json()
        let publicKey = try #require(creation["publicKey"] as? [String: Any])
        #expect((publicKey["rp"] as? [String: Any])?["id"] as? String == "localhost")
        let challengeText = try #require(publicKey["challenge"] as? String)
        let challenge = try #require(Base64URL.decodeStrict(challengeText))
        let (attestation, clientData) = try authenticator.register(challenge: challenge)
        let body: [String: Any] = [
            "ceremonyId": try #require(creation["ceremonyId"] as? String), "name": name, "id": authenticator.credentialIDText,
            "response": [
                "clientDataJSON": Base64URL.encode(clientData), "attestationObject": Base64URL.encode(attestation),
                "transports": ["internal"],
            ],
        ]
        return try await browser.post("/api/security/passkeys", json: String(decoding: try JSONSerialization.data(withJSONObject: body), as: UTF8.self))
    }

    @Test func aCustomerAddsAPasskeyAndSignsWithIt() async throws {
        let fixture = try await ServerFixture()
        try await fixture.test { client async throws in
            let browser = Browser(client)
            try await browser.signInAlice(fixture)
            let empty = try await browser.get("/api/security/passkeys").json()
            #expect(empty["available"] as? Bool == true)
            #expect(empty["rpId"] as? String == "localhost")
            var authenticator = Self.authenticator()
            let added = try await register(browser, fixture, authenticator, name: "Laptop")
            #expect(added.status == .created, "\(added.text)")
            #expect(try added.json()["kind"] as? String == "synced")
            let listed = try await browser.get("/api/security/passkeys").json()["passkeys"] as? [[String: Any]]
            #expect(listed?.map { $0["name"] as? String } == ["Laptop"])
            #expect(listed?.first?["publicKey"] == nil)

            // An extension's prompt, completed with the passkey.
            let opened = try await browser.post("/api/mfa/challenges", json: #"{"extension":"transfers"}"#)
            let challenge = try #require(try opened.json()["id"] as? String)
            let view = try await browser.get("/api/mfa/challenges/\(challenge)").json()
            let offers = try #require(view["offers"] as? [[String: Any]])
            #expect(offers.contains { $0["method"] as? String == "passkey" && $0["ceremony"] as? String == "webauthn" })
            let started = try await browser.post("/api/mfa/challenges/\(challenge)/methods/passkey/start")
            #expect(started.status == .ok, "\(started.text)")
            let options = try #require(try started.json()["publicKey"] as? [String: Any])
            #expect(options["rpId"] as? String == "localhost")
            let challengeText = try #require(options["challenge"] as? String)
            let bytes = try #require(Base64URL.decodeStrict(challengeText))
            let assertion = try authenticator.assert(challenge: bytes)
            let proof: [String: Any] = [
                "id": authenticator.credentialIDText, "type": "public-key",
                "response": [
                    "clientDataJSON": Base64URL.encode(assertion.clientData),
                    "authenticatorData": Base64URL.encode(assertion.authenticatorData),
                    "signature": Base64URL.encode(assertion.signature), "userHandle": NSNull(),
                ],
            ]
            let verified = try await browser.post(
                "/api/mfa/challenges/\(challenge)/methods/passkey/verify",
                json: String(decoding: try JSONSerialization.data(withJSONObject: proof), as: UTF8.self))
            #expect(verified.status == .ok, "\(verified.text)")
            let trail = try await fixture.platform.auditTrail().map(\.action)
            #expect(trail.contains("security.passkey.added"))
            let completion = try #require(try await fixture.platform.auditTrail().last { $0.action == "mfa.verify" && $0.outcome == .success })
            #expect(completion.details["level"] == "phr")
        }
    }

    @Test func renameAndRemoveAreTheOwnersAndRemovalIsASteppedUpChange() async throws {
        let fixture = try await ServerFixture()
        try await fixture.test { client async throws in
            let browser = Browser(client)
            try await browser.signInAlice(fixture)
            let authenticator = Self.authenticator()
            #expect(try await register(browser, fixture, authenticator, name: "Laptop").status == .created)
            let path = "/api/security/passkeys/\(authenticator.credentialIDText)"
            let renamed = try await browser.send(path, method: .patch, json: #"{"name":"Work laptop"}"#)
            #expect(renamed.status == .ok)
            #expect(try renamed.json()["name"] as? String == "Work laptop")
            let blank = try await browser.send(path, method: .patch, json: #"{"name":"\#(String(repeating: "x", count: 80))"}"#)
            #expect(blank.errorCode == "bad_request")
            // Without the CSRF header a change is refused.
            let forged = try await browser.send(path, method: .delete, json: nil, sendCSRF: false)
            #expect(forged.errorCode == "csrf_invalid")
            // The freshness window of the addition does not cover a removal: it is a change of its own.
            let removed = try await confirmed(browser, fixture) { try await browser.send(path, method: .delete, json: nil) }
            #expect(removed.status == .noContent)
            let again = try await browser.send(path, method: .delete, json: nil)
            #expect(again.errorCode == "not_found")
            #expect((try await browser.get("/api/security/passkeys").json()["passkeys"] as? [Any])?.isEmpty == true)
        }
    }

    @Test func hostileBodiesOnTheSecurityRoutesAnswerATypedRefusal() async throws {
        let fixture = try await ServerFixture()
        var fuzz = FuzzInput()
        var cases: [(HTTPRequest.Method, String, String)] = []
        for _ in 0..<max(150, FuzzInput.iterations / 5) {
            let id = fuzz.pick([fuzz.text(maxPieces: 2), String(repeating: "A", count: 1500), "..", "%00"])
                .addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "x"
            let body = fuzz.pick([
                fuzz.json(), #"{"ceremonyId":"\#(fuzz.text())","id":"\#(fuzz.text())","response":\#(fuzz.json())}"#,
                #"{"ceremonyId":"x","id":"AAAA","response":{"clientDataJSON":"\#(fuzz.text())","attestationObject":"\#(Base64URL.encode(fuzz.bytes(maxCount: 300)))"}}"#,
                #"{"name":\#(fuzz.json())}"#, String(decoding: fuzz.bytes(maxCount: 256), as: UTF8.self),
            ])
            let (method, path) = fuzz.pick([
                (HTTPRequest.Method.post, "/api/security/passkeys"), (.post, "/api/security/passkeys/options"),
                (.patch, "/api/security/passkeys/\(id)"), (.delete, "/api/security/passkeys/\(id)"),
            ])
            cases.append((method, path, body))
        }
        let all = cases
        try await fixture.test { client async throws in
            let browser = Browser(client)
            try await browser.signInAlice(fixture)
            for (method, path, body) in all {
                let answer = try await browser.send(path, method: method, json: body)
                #expect((400..<500).contains(answer.status.code), "\(method) \(path.prefix(60)) \(body.prefix(80)) → \(answer.status.code) \(answer.text.prefix(200))")
                #expect(answer.errorCode != nil, "\(path.prefix(60)) → \(answer.text.prefix(200))")
            }
            #expect(try await browser.get("/health").status == .ok)
        }
    }
}

/// Where passkeys live is configuration: checked when `serve` starts, never a guess on a public address.
@Suite("Passkey configuration")
struct PasskeyConfigurationTests {
    @Test func loopbackGetsLocalhostAndAPublicAddressGetsNothingUnlessNamed() throws {
        var local = ServerConfiguration()
        local.port = 9000
        #expect(local.passkeys?.rpID == "localhost")
        #expect(local.passkeys?.origins == ["http://localhost:9000"])
        var public_ = ServerConfiguration()
        public_.host = "0.0.0.0"
        #expect(public_.passkeys == nil)
        try public_.apply(values: ["passkeyRpId": "bank.example", "passkeyOrigins": "https://bank.example, https://app.bank.example"], source: "test")
        try public_.validate()
        #expect(public_.passkeys?.origins == ["https://bank.example", "https://app.bank.example"])
    }

    @Test func badRPIDsOriginsAndAttestationSettingsAreRefused() throws {
        for rpID in ["Bank.Example", "127.0.0.1", "bank..example", "-bank.example", "bank.example/", ""] {
            var configuration = ServerConfiguration()
            configuration.passkeyRpId = rpID.isEmpty ? "." : rpID
            #expect(throws: StepupError.self, "\(rpID)") { try configuration.validate() }
        }
        for origin in ["http://bank.example", "https://evil.example", "https://bank.example/path", "https://bank.example.evil"] {
            var configuration = ServerConfiguration()
            configuration.passkeyRpId = "bank.example"
            configuration.passkeyOrigins = [origin]
            #expect(throws: StepupError.self, "\(origin)") { try configuration.validate() }
        }
        var missing = ServerConfiguration()
        missing.passkeyAttestationRoots = "/nonexistent/roots.pem"
        #expect(throws: StepupError.self) { try missing.passkeySettings() }
        var required = ServerConfiguration()
        required.passkeyRequireAttestation = true
        #expect(throws: StepupError.self) { try required.passkeySettings() }
        let garbage = FileManager.default.temporaryDirectory.appendingPathComponent("roots-\(UUID().uuidString).pem")
        try Data("not a certificate".utf8).write(to: garbage)
        defer { try? FileManager.default.removeItem(at: garbage) }
        var unreadable = ServerConfiguration()
        unreadable.passkeyAttestationRoots = garbage.path
        #expect(throws: StepupError.self) { try unreadable.passkeySettings() }
    }
}
