import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import StepupCore
import Testing

@testable import StepupServer

@Suite("HTTP server")
struct ServerTests {
    @Test func healthAndReadinessAnswer() async throws {
        let fixture = try await ServerFixture()
        try await fixture.test { client async throws in
            let health = try await client.execute(uri: "/health", method: .get)
            #expect(health.status == .ok)
            #expect(health.headers[.init("X-Request-ID")!] != nil)
            #expect(try await client.execute(uri: "/ready", method: .get).status == .ok)
        }
    }

    @Test func readinessFailsWithATypedErrorWhenTheStoreIsGone() async throws {
        let fixture = try await ServerFixture()
        try await fixture.test { client async throws in
            await fixture.store.close()
            let ready = try await client.execute(uri: "/ready", method: .get)
            #expect(ready.status == .serviceUnavailable)
            #expect(ready.errorCode == "store_unavailable")
            let logon = try await Browser(client).post("/api/logon", json: #"{"username":"bob","password":"pw-bob"}"#)
            #expect(logon.status == .serviceUnavailable)
            #expect(logon.errorCode == "store_unavailable")
        }
    }

    @Test func unknownRoutesAndMethodsAreTypedErrors() async throws {
        let fixture = try await ServerFixture()
        try await fixture.test { client async throws in
            let missing = try await client.execute(uri: "/no/such/route", method: .get)
            #expect(missing.status == .notFound)
            #expect(missing.errorCode == "not_found")
            let wrongMethod = try await client.execute(uri: "/api/logon", method: .get)
            #expect([HTTPResponse.Status.notFound, .methodNotAllowed].contains(wrongMethod.status))
            #expect(["not_found", "method_not_allowed"].contains(wrongMethod.errorCode ?? ""))
        }
    }

    @Test func badBodiesAreRefusedWithTheirOwnCodes() async throws {
        let fixture = try await ServerFixture { $0.maxBodyBytes = 1024 }
        try await fixture.test { client async throws in
            let browser = Browser(client)
            let malformed = try await browser.post("/api/logon", json: "{not json")
            #expect(malformed.status == .badRequest)
            #expect(malformed.errorCode == "malformed_json")
            let wrongShape = try await browser.post("/api/logon", json: #"{"user":"bob"}"#)
            #expect(wrongShape.errorCode == "malformed_json")
            let form = try await browser.post("/api/logon", json: "username=bob&password=pw-bob", headers: [.contentType: "application/x-www-form-urlencoded"])
            #expect(form.status == .badRequest)
            #expect(form.errorCode == "malformed_json")
            let huge = String(repeating: "x", count: 4096)
            let oversized = try await browser.post("/api/logon", json: #"{"username":"bob","password":"\#(huge)"}"#)
            #expect(oversized.status == .contentTooLarge)
            #expect(oversized.errorCode == "body_too_large")
        }
    }

    @Test func logonMFAThroughTheAPIWithCookiesAndCSRF() async throws {
        let fixture = try await ServerFixture()
        try await fixture.test { client async throws in
            let browser = Browser(client)
            let logon = try await browser.post("/api/logon", json: #"{"username":"alice","password":"pw-alice"}"#, csrf: false)
            #expect(logon.status == .ok)
            let setCookie = try #require(logon.headers[.setCookie])
            #expect(setCookie.contains("HttpOnly"))
            #expect(setCookie.contains("SameSite=Strict"))
            #expect(!setCookie.contains("Secure"))  // plain HTTP on loopback
            let body = try logon.json()
            #expect(body["stage"] as? String == "pre_authentication")
            let challenge = try #require((body["challenge"] as? [String: Any])?["id"] as? String)
            let preLogonCookie = browser.cookie

            let detail = try await browser.get("/api/mfa/challenges/\(challenge)").json()
            #expect(detail["methods"] as? [String] == ["access_code", "access_token"])
            let targets = try #require(detail["targets"] as? [[String: Any]])
            #expect(targets.first?["masked"] as? String == "••••0101")
            #expect(!(try await browser.get("/api/mfa/challenges/\(challenge)/targets").text.contains("+15550100101")))
            let targetID = try #require(targets.first?["id"] as? String)

            let noCSRF = try await browser.post("/api/mfa/challenges/\(challenge)/send", json: #"{"targetId":"\#(targetID)"}"#, csrf: false)
            #expect(noCSRF.status == .forbidden)
            #expect(noCSRF.errorCode == "csrf_invalid")
            let sent = try await browser.post("/api/mfa/challenges/\(challenge)/send", json: #"{"targetId":"\#(targetID)"}"#)
            #expect(sent.status == .ok)
            let outbox = try await client.execute(uri: "/dev/outbox", method: .get).json()
            let code = try #require((outbox["messages"] as? [[String: Any]])?.first?["code"] as? String)

            let wrong = try await browser.post("/api/mfa/challenges/\(challenge)/verify-code", json: #"{"code":"\#(code == "000000" ? "111111" : "000000")"}"#)
            #expect(wrong.status == .unauthorized)
            #expect(wrong.errorCode == "code_invalid")
            #expect(((try wrong.json()["error"] as? [String: Any])?["attemptsLeft"] as? Int) == 4)

            let oldCSRF = browser.csrf
            let verified = try await browser.post("/api/mfa/challenges/\(challenge)/verify-code", json: #"{"code":"\#(code)"}"#)
            #expect(verified.status == .ok)
            #expect(try verified.json()["stage"] as? String == "authenticated")
            #expect(browser.cookie != preLogonCookie)
            #expect(browser.csrf != oldCSRF)

            let session = try await browser.get("/api/session").json()
            #expect(session["stage"] as? String == "authenticated")
            #expect(session["csrfToken"] as? String == browser.csrf)

            // The cookie from before MFA no longer opens anything.
            let stale = Browser(client)
            stale.cookie = preLogonCookie
            #expect(try await stale.get("/api/session").errorCode == "not_authenticated")
            // The old CSRF token is refused with the new session.
            browser.csrf = oldCSRF
            #expect(try await browser.post("/api/logout").errorCode == "csrf_invalid")
        }
    }

    @Test func aPreAuthenticatedSessionCannotOpenExtensionPrompts() async throws {
        let fixture = try await ServerFixture()
        try await fixture.test { client async throws in
            let browser = Browser(client)
            _ = try await browser.logon("alice", "pw-alice")
            let prompt = try await browser.post("/api/mfa/challenges", json: #"{"extension":"transfers"}"#)
            #expect(prompt.status == .unauthorized)
            #expect(prompt.errorCode == "not_authenticated")
        }
    }

    @Test func anAuthenticatedSessionOpensAPromptAndCompletesItWithATOTP() async throws {
        let fixture = try await ServerFixture()
        try await fixture.test { client async throws in
            let browser = Browser(client)
            _ = try await browser.logon("bob", "pw-bob")
            let created = try await browser.post("/api/mfa/challenges", json: #"{"extension":"transfers","route":"submit"}"#)
            #expect(created.status == .created)
            #expect(try created.json()["context"] as? String == "extension_prompt")
            let noToken = try await browser.post("/api/mfa/challenges/\(try created.json()["id"] as! String)/verify-token", json: #"{"token":"123456"}"#)
            #expect(noToken.errorCode == "no_access_token")
            let cancelled = try await browser.post("/api/mfa/challenges/\(try created.json()["id"] as! String)/cancel")
            #expect(try cancelled.json()["state"] as? String == "cancelled")
        }
    }

    @Test func accessTokenVerificationOverHTTP() async throws {
        let fixture = try await ServerFixture()
        try await fixture.test { client async throws in
            let browser = Browser(client)
            let logon = try await browser.logon("alice", "pw-alice")
            let challenge = try #require((logon["challenge"] as? [String: Any])?["id"] as? String)
            let totp = try TOTP(secret: Array("12345678901234567890".utf8)).code(at: fixture.clock.now)
            let verified = try await browser.post("/api/mfa/challenges/\(challenge)/verify-token", json: #"{"token":"\#(totp)"}"#)
            #expect(verified.status == .ok)
            #expect(try verified.json()["stage"] as? String == "authenticated")
            #expect(try await browser.post("/api/logout").status == .noContent)
            #expect(browser.cookie == nil)
        }
    }

    @Test func lockoutIsReportedWithItsEnd() async throws {
        let fixture = try await ServerFixture()
        try await fixture.test { client async throws in
            let browser = Browser(client)
            let logon = try await browser.logon("alice", "pw-alice")
            let challenge = try #require((logon["challenge"] as? [String: Any])?["id"] as? String)
            var last: TestResponse?
            for _ in 0..<5 {
                last = try await browser.post("/api/mfa/challenges/\(challenge)/verify-token", json: #"{"token":"000000"}"#)
            }
            #expect(last?.status.code == 423)
            #expect(last?.errorCode == "attempts_exhausted")
            let error = try #require(try last?.json()["error"] as? [String: Any])
            #expect(error["lockedUntil"] is String)
        }
    }

    @Test func throttledLogonsCarryRetryAfterAndNoSecretIsEchoed() async throws {
        let fixture = try await ServerFixture()
        try await fixture.test { client async throws in
            let browser = Browser(client)
            var last: TestResponse?
            for i in 0..<11 {
                last = try await browser.post("/api/logon", json: #"{"username":"bob","password":"secret-guess-\#(i)"}"#, csrf: false)
                #expect(!(last?.text.contains("secret-guess") ?? true))
            }
            #expect(last?.status == .tooManyRequests)
            #expect(last?.errorCode == "logon_throttled")
            #expect(last?.headers[.retryAfter] != nil)
        }
    }

    @Test func theBenchmarkModeRefusesToServeOffLoopback() throws {
        var configuration = ServerConfiguration()
        configuration.benchmarkMode = true
        configuration.host = "0.0.0.0"
        #expect(throws: StepupError.self) { try configuration.validate() }
    }

    @Test func theDevOutboxExistsOnlyInDemoMode() async throws {
        let fixture = try await ServerFixture(demo: false)
        try await fixture.test { client async throws in
            #expect(try await client.execute(uri: "/dev/outbox", method: .get).status == .notFound)
        }
    }

    @Test func cookiesAreSecureOffLoopback() async throws {
        let fixture = try await ServerFixture(demo: false) { $0.host = "0.0.0.0" }
        try await fixture.test { client async throws in
            let logon = try await Browser(client).post("/api/logon", json: #"{"username":"bob","password":"pw-bob"}"#)
            #expect(logon.headers[.setCookie]?.contains("Secure") == true)
        }
    }
}
