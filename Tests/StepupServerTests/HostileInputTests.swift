import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import StepupCore
import StepupExamples
import StepupSDK
import StepupTesting
import Testing

@testable import StepupServer

/// The whole HTTP surface fed hostile input with a signed-in session: every extension route's body (the `/ext/*`
/// surface schemathesis does not see), cookies, CSRF and forwarding headers. Every answer is a typed refusal or a
/// success; none is a 5xx, and the process survives (a trap would end the run).
@Suite("Hostile input over HTTP")
struct HostileInputTests {
    static let examples: [any Extension] = [TransfersExtension(), PassphraseExtension(), PassphraseClientExtension()]

    @Test func theAmountThatKilledTheServerIsABadRequestNamingTheField() async throws {
        let fixture = try await ServerFixture(extensions: Self.examples)
        try await fixture.test { client async throws in
            let browser = Browser(client)
            _ = try await browser.logon("bob", "pw-bob")
            for amount in ["92233720368547758.08", "92233720368547758.07", "9223372036854775807", "1e20", "999999999999999.99"] {
                let answer = try await browser.post(
                    "/ext/transfers/submit",
                    json: #"{"transactionId":"t-\#(amount)","fromAccount":"a","toPayee":"Acme","amount":"\#(amount)"}"#)
                #expect(answer.status == .badRequest, "\(amount)")
                #expect(answer.text.contains("\(amount) is not an amount."), "\(answer.text)")
            }
            // The server is still there.
            #expect(try await browser.get("/health").status == .ok)
        }
    }

    /// Found by the fuzz run below: `URLComponents.percentEncodedQuery` traps on such bodies, and form bodies were
    /// parsed with it.
    @Test func formBodiesWithCharactersAQueryMayNotHoldDoNotKillTheServer() async throws {
        let fixture = try await ServerFixture(extensions: Self.examples)
        try await fixture.test { client async throws in
            let browser = Browser(client)
            _ = try await browser.logon("bob", "pw-bob")
            for body in ["amount=1 0&toPayee=a b", "amount=%zz&toPayee=%", "a=\u{0}\"<>{}|^`", "=&&==&%&amount=1.00", "transactionId=t&amount=5%2E00"] {
                let answer = try await browser.post(
                    "/ext/transfers/submit", json: body, headers: [.contentType: "application/x-www-form-urlencoded"])
                #expect(answer.status.code < 500, "\(body) → \(answer.status.code)")
            }
            #expect(try await browser.get("/health").status == .ok)
        }
    }

    @Test func everyExtensionRouteRefusesHostileBodiesWithATypedAnswer() async throws {
        let fixture = try await ServerFixture(extensions: Self.examples)
        var fuzz = FuzzInput()
        var cases: [(String, HTTPRequest.Method, String, String?)] = []
        for _ in 0..<max(200, FuzzInput.iterations / 5) {
            let ext = fuzz.pick(Self.examples)
            let route = fuzz.pick(ext.routes.map(\.routingKey) + [fuzz.text(maxPieces: 2), "..", "%2e%2e", String(repeating: "a", count: 300)])
            let encoded = route.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? "x"
            let body = fuzz.pick([fuzz.json(), fuzz.json(), String(decoding: fuzz.bytes(maxCount: 256), as: UTF8.self), "amount=\(fuzz.text())&toPayee=x"])
            let type = fuzz.pick(["application/json", "application/x-www-form-urlencoded", "text/plain", "application/json; charset=latin1", nil])
            cases.append(("/ext/\(ext.name)/\(encoded)", fuzz.pick([.post, .post, .get, .put]), body, type))
        }
        let all = cases
        try await fixture.test { client async throws in
            let browser = Browser(client)
            try await browser.signInAlice(fixture)
            for (path, method, body, type) in all {
                var headers: HTTPFields = [:]
                if let type { headers[.contentType] = type }
                let answer = try await browser.send(path, method: method, json: body, extra: headers)
                #expect(answer.status.code < 500, "\(method) \(path) \(body.prefix(80)) → \(answer.status.code) \(answer.text.prefix(200))")
                if answer.status.code >= 400, answer.headers[.contentType]?.contains("application/json") == true {
                    let code = (try? answer.json()["error"] as? [String: Any])?["code"] as? String
                    #expect(code != nil, "\(path) → \(answer.text.prefix(200))")
                }
            }
            #expect(try await browser.get("/health").status == .ok)
        }
    }

    /// The MFA workflow's bodies are each method's own `Start` and `Proof`, decoded by name from the path: hostile
    /// names, bodies and media types on every method route and alias answer a typed 4xx, and no more attempts are
    /// counted than the limit allows.
    @Test func everyMethodRouteRefusesHostileBodiesWithATypedAnswer() async throws {
        let fixture = try await ServerFixture(extensions: Self.examples)
        var fuzz = FuzzInput()
        var cases: [(String, String, String?)] = []
        for _ in 0..<max(200, FuzzInput.iterations / 5) {
            let method = fuzz.pick(["access_code", "access_token", "external_token", "passkey", "exemption", fuzz.text(maxPieces: 2), String(repeating: "a", count: 40)])
            let encoded = method.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "x"
            let step = fuzz.pick(["methods/\(encoded)/start", "methods/\(encoded)/verify", "send", "verify-code", "verify-token", "verify-external"])
            let body = fuzz.pick([
                fuzz.json(), #"{"code":"\#(fuzz.text())"}"#, #"{"token":\#(fuzz.json())}"#, #"{"targetId":"\#(fuzz.text())"}"#,
                #"{"id":"\#(fuzz.text())","response":{"clientDataJSON":"\#(Base64URL.encode(fuzz.bytes(maxCount: 200)))","authenticatorData":"\#(Base64URL.encode(fuzz.bytes(maxCount: 80)))","signature":"\#(fuzz.text())"}}"#,
                String(decoding: fuzz.bytes(maxCount: 256), as: UTF8.self),
            ])
            cases.append((step, body, fuzz.pick(["application/json", "text/plain", nil])))
        }
        let all = cases
        try await fixture.test { client async throws in
            let browser = Browser(client)
            let logon = try await browser.logon("alice", "pw-alice")
            let challenge = try #require((logon["challenge"] as? [String: Any])?["id"] as? String)
            for (step, body, type) in all {
                var headers: HTTPFields = [:]
                if let type { headers[.contentType] = type }
                let answer = try await browser.send("/api/mfa/challenges/\(challenge)/\(step)", method: .post, json: body, extra: headers)
                #expect((400..<500).contains(answer.status.code), "\(step) \(body.prefix(80)) → \(answer.status.code) \(answer.text.prefix(200))")
                #expect(answer.errorCode != nil, "\(step) → \(answer.text.prefix(200))")
            }
            let alice = try #require(try await fixture.platform.users().first { $0.username == "alice" })
            #expect((try await fixture.platform.failureCounter(userID: alice.id)?.failures ?? 0) <= 5)
            #expect(try await browser.get("/health").status == .ok)
        }
    }

    @Test func hostileCookiesCSRFAndForwardingHeadersAreRefusedWithoutAFault() async throws {
        let fixture = try await ServerFixture(extensions: Self.examples) { $0.trustedProxies = ["127.0.0.1"] }
        var fuzz = FuzzInput()
        var cases: [(String, String, String, String)] = []
        for _ in 0..<max(200, FuzzInput.iterations / 5) {
            cases.append((
                fuzz.pick(["stepup_session=\(fuzz.text())", fuzz.text(), "stepup_session=" + String(repeating: "A", count: 5000), "a=b; stepup_session=; c"]),
                fuzz.text(), fuzz.pick([fuzz.text(), "1.2.3.4, " + fuzz.text(), String(repeating: "10.0.0.1,", count: 500)]),
                fuzz.pick(["/api/session", "/api/mfa/challenges", "/ext/transfers/submit", "/api/logout", "/"])))
        }
        let all = cases
        try await fixture.test { client async throws in
            for (cookie, csrf, forwarded, path) in all {
                var headers: HTTPFields = [.contentType: "application/json"]
                if let name = HTTPField.Name("Cookie") { headers[name] = cookie.filter { $0.isASCII && $0 != "\n" && $0 != "\r" && $0 != "\0" } }
                headers[HTTPField.Name("X-CSRF-Token")!] = csrf.filter { $0.isASCII && $0 != "\n" && $0 != "\r" && $0 != "\0" }
                headers[HTTPField.Name("X-Forwarded-For")!] = forwarded.filter { $0.isASCII && $0 != "\n" && $0 != "\r" && $0 != "\0" }
                let answer = try await client.execute(uri: path, method: .post, headers: headers, body: ByteBuffer(string: "{}"))
                #expect(answer.status.code < 500, "\(path) \(cookie.prefix(60)) → \(answer.status.code)")
            }
        }
    }

    @Test func httpsBehindATrustedProxyCarriesHSTSAndPlainHTTPDoesNot() async throws {
        let fixture = try await ServerFixture(demo: false) { $0.trustedProxies = ["127.0.0.1"] }
        let app = Application(router: fixture.router)
        try await app.test(.live) { client async throws in
            let https = try await client.execute(uri: "/health", method: .get, headers: [HTTPField.Name("X-Forwarded-Proto")!: "https"])
            #expect(https.headers[HTTPField.Name("Strict-Transport-Security")!] == "max-age=31536000")
            let plain = try await client.execute(uri: "/health", method: .get, headers: [:])
            #expect(plain.headers[HTTPField.Name("Strict-Transport-Security")!] == nil)
        }
        // A proxy that is not trusted cannot claim https.
        let untrusted = try await ServerFixture(demo: false)
        try await Application(router: untrusted.router).test(.live) { client async throws in
            let claimed = try await client.execute(uri: "/health", method: .get, headers: [HTTPField.Name("X-Forwarded-Proto")!: "https"])
            #expect(claimed.headers[HTTPField.Name("Strict-Transport-Security")!] == nil)
        }
        // The max-age is configurable; 0 sends none.
        let short = try await ServerFixture(demo: false) { $0.trustedProxies = ["127.0.0.1"]; $0.hstsMaxAge = 600 }
        try await Application(router: short.router).test(.live) { client async throws in
            let answer = try await client.execute(uri: "/health", method: .get, headers: [HTTPField.Name("X-Forwarded-Proto")!: "https"])
            #expect(answer.headers[HTTPField.Name("Strict-Transport-Security")!] == "max-age=600")
        }
        await fixture.store.close()
        await untrusted.store.close()
        await short.store.close()
    }

    @Test func anExtensionAnswerTheBankCannotPassOnIsRefusedNotATrap() throws {
        #expect(throws: StepupError.self) { _ = try ExtensionRoutes.response(ExtensionResponse(status: 1000, headers: [:], body: [])) }
        #expect(throws: StepupError.self) { _ = try ExtensionRoutes.response(ExtensionResponse(status: 99, headers: [:], body: [])) }
        let many = Dictionary(uniqueKeysWithValues: (0..<100).map { ("X-H\($0)", "v") })
        #expect(throws: StepupError.self) { _ = try ExtensionRoutes.response(ExtensionResponse(status: 200, headers: many, body: [])) }
        let cookie = try ExtensionRoutes.response(
            ExtensionResponse(status: 200, headers: ["Set-Cookie": "stepup_session=stolen", "Cookie": String(repeating: "a; ", count: 70_000), "X-Ok": "1"], body: []))
        #expect(cookie.headers[.setCookie] == nil && cookie.headers[.cookie] == nil && cookie.headers[HTTPField.Name("X-Ok")!] == "1")
    }
}
