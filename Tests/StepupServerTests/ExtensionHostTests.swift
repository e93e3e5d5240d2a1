import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import StepupCore
import StepupExamples
import StepupSDK
import Synchronization
import Testing

@testable import StepupServer

/// Counts how often each route's own handler ran, across concurrent requests.
final class RunCounter: Sendable {
    private let counts = Mutex([String: Int]())
    func hit(_ key: String) { counts.withLock { $0[key, default: 0] += 1 } }
    func count(_ key: String) -> Int { counts.withLock { $0[key] ?? 0 } }
}

/// An extension with guarded routes, a careless unguarded route that tries to move money, and a page and asset.
struct HostTestExtension: Extension {
    let name = "hosttest"
    let counter: RunCounter

    var routes: [ExtensionRoute] {
        [
            ExtensionRoute("a") { _ in counter.hit("a"); return .text("a ran") }.mfaValidationRequired(),
            ExtensionRoute("b") { _ in counter.hit("b"); return .text("b ran") }.mfaValidationRequired(),
            ExtensionRoute("handled") { _ in counter.hit("handled"); return .text("ran") }
                .mfaValidationRequired(errorHandler: { _, failure in .html("<p>MFA Failure - \(failure.error.code.rawValue)</p>") }),
            ExtensionRoute("careless") { request in
                counter.hit("careless")
                let fields = request.formFields
                let receipt = try await request.platform.user.transfer(
                    TransferRequest(transactionID: fields["id"] ?? "", fromAccountID: fields["account"] ?? "",
                                    amountMinor: Int64(fields["amount"] ?? "") ?? 0, currency: "USD", payee: fields["payee"] ?? ""))
                return try .json(receipt)
            },
            ExtensionRoute("whoami") { request in .text("\(request.onlineUser.username) \(request.isAuthenticated)") },
        ]
    }

    var assets: [ExtensionAsset] { [ExtensionAsset(path: "app.js", contentType: "text/javascript", text: "console.log(1)")] }
}

struct PreLogonExtension: Extension {
    let name = "prelogon"
    let runsBeforeLogon = true
    var routes: [ExtensionRoute] {
        [
            ExtensionRoute("whoami") { request in .text("\(request.onlineUser.username) \(request.isAuthenticated)") },
            ExtensionRoute("user-api") { request in .text(try await request.platform.user.profile().username) },
            ExtensionRoute("back-office") { request in .text(try await request.platform.backOffice.profile(userID: request.onlineUser.id).username) },
        ]
    }
}

@Suite("Extensions hosted in process")
struct ExtensionHostTests {
    let counter = RunCounter()

    func fixture() async throws -> ServerFixture {
        try await ServerFixture(extensions: [HostTestExtension(counter: counter), PreLogonExtension(), TransfersExtension()])
    }

    @Test func aGuardedCallAnswersMFARequiredAndRunsOnceAfterCompletion() async throws {
        let fixture = try await fixture()
        let counter = self.counter
        try await fixture.test { client async throws in
            let browser = Browser(client)
            try await browser.signInAlice(fixture)
            let first = try await browser.post("/ext/hosttest/a")
            #expect(first.status == .unauthorized)
            #expect(first.errorCode == "mfa_required")
            #expect(first.headers[.wwwAuthenticate]?.contains(#"error="insufficient_user_authentication""#) == true)
            #expect(first.headers[.wwwAuthenticate]?.contains("max_age=300") == true)
            #expect(first.headers[.contentSecurityPolicy]?.hasPrefix("sandbox allow-scripts allow-forms") == true)
            let error = try #require(try first.json()["error"] as? [String: Any])
            #expect(error["context"] as? String == "extension_prompt")
            let challenge = try #require(error["challengeId"] as? String)
            #expect(counter.count("a") == 0)

            #expect(try await browser.complete(challenge, fixture).status == .ok)
            let retry = try await browser.post("/ext/hosttest/a")
            #expect(retry.status == .ok)
            #expect(retry.text == "a ran")
            let again = try await browser.post("/ext/hosttest/a")
            #expect(again.errorCode == "mfa_required")
            #expect(counter.count("a") == 1)
        }
    }

    @Test func aCompletionForRouteADoesNotOpenRouteB() async throws {
        let fixture = try await fixture()
        let counter = self.counter
        try await fixture.test { client async throws in
            let browser = Browser(client)
            try await browser.signInAlice(fixture)
            let challenge = try browser.challengeID(of: try await browser.post("/ext/hosttest/a"))
            try await browser.complete(challenge, fixture)
            #expect(try await browser.post("/ext/hosttest/b").errorCode == "mfa_required")
            #expect(counter.count("b") == 0)
            #expect(try await browser.post("/ext/hosttest/a").status == .ok)
        }
    }

    @Test func twentyConcurrentCallsConsumeOneCompletionOnce() async throws {
        let fixture = try await fixture()
        let counter = self.counter
        try await fixture.test { client async throws in
            let browser = Browser(client)
            try await browser.signInAlice(fixture)
            let challenge = try browser.challengeID(of: try await browser.post("/ext/hosttest/a"))
            try await browser.complete(challenge, fixture)
            let cookie = browser.cookie
            let csrf = browser.csrf
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<20 {
                    group.addTask {
                        let parallel = Browser(client)
                        parallel.cookie = cookie
                        parallel.csrf = csrf
                        return Int(try await parallel.post("/ext/hosttest/a").status.code)
                    }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == 200 }.count == 1)
            #expect(statuses.filter { $0 == 401 }.count == 19)
            #expect(counter.count("a") == 1)
        }
    }

    @Test func aTransferNeedsMFAForItsExactAmountAndPayee() async throws {
        let fixture = try await fixture()
        try await fixture.test { client async throws in
            let browser = Browser(client)
            try await browser.signInAlice(fixture)
            let account = try await browser.firstAccountID()
            func body(_ id: String, _ amount: String, _ payee: String) -> String {
                #"{"transactionId":"\#(id)","fromAccount":"\#(account)","toPayee":"\#(payee)","amount":"\#(amount)"}"#
            }
            let first = try await browser.post("/ext/transfers/submit", json: body("tx-1", "125.00", "Acme Rent"))
            let error = try #require(try first.json()["error"] as? [String: Any])
            #expect(error["context"] as? String == "transaction")
            let challenge = try #require(error["challengeId"] as? String)
            let detail = try await browser.get("/api/mfa/challenges/\(challenge)").json()
            let transactions = (detail["challenge"] as? [String: Any])?["transactions"] as? [[String: Any]]
            #expect(transactions?.first?["payee"] as? String == "Acme Rent")
            #expect(transactions?.first?["amountMinor"] as? Int == 12_500)
            try await browser.complete(challenge, fixture)
            // The same completion does not open a changed amount, payee or transaction id.
            #expect(try await browser.post("/ext/transfers/submit", json: body("tx-1", "125.01", "Acme Rent")).errorCode == "mfa_required")
            #expect(try await browser.post("/ext/transfers/submit", json: body("tx-1", "125.00", "Mallory")).errorCode == "mfa_required")
            #expect(try await browser.post("/ext/transfers/submit", json: body("tx-2", "125.00", "Acme Rent")).errorCode == "mfa_required")
            let made = try await browser.post("/ext/transfers/submit", json: body("tx-1", "125.00", "Acme Rent"))
            #expect(made.status == .ok)
            #expect(try made.json()["balanceMinor"] as? Int == 100_000 - 12_500)
            #expect(try await browser.post("/ext/transfers/submit", json: body("tx-1", "125.00", "Acme Rent")).errorCode == "mfa_required")
        }
    }

    @Test func thePlatformRefusesATransferNoCompletionAuthorisedEvenFromAnUnguardedRoute() async throws {
        let fixture = try await fixture()
        let counter = self.counter
        try await fixture.test { client async throws in
            let browser = Browser(client)
            try await browser.signInAlice(fixture)
            let account = try await browser.firstAccountID()
            let careless = try await browser.post("/ext/hosttest/careless", json: #"{"id":"tx-1","account":"\#(account)","amount":"12500","payee":"Acme Rent"}"#)
            #expect(careless.status == .forbidden)
            #expect(careless.errorCode == "transfer_not_authorized")
            #expect(counter.count("careless") == 1)
            // Even after an MFA completed for that very transaction through the guarded route, the careless route
            // cannot pay it twice: the guarded route consumed it and made the transfer, and a repeat of the
            // transaction id answers that transfer's receipt and moves nothing.
            let first = try await browser.post("/ext/transfers/submit", json: #"{"transactionId":"tx-1","fromAccount":"\#(account)","toPayee":"Acme Rent","amount":"125.00"}"#)
            let challenge = try #require((try first.json()["error"] as? [String: Any])?["challengeId"] as? String)
            try await browser.complete(challenge, fixture)
            #expect(try await browser.post("/ext/transfers/submit", json: #"{"transactionId":"tx-1","fromAccount":"\#(account)","toPayee":"Acme Rent","amount":"125.00"}"#).status == .ok)
            let replay = try await browser.post("/ext/hosttest/careless", json: #"{"id":"tx-1","account":"\#(account)","amount":"12500","payee":"Acme Rent"}"#)
            #expect(try replay.status == .ok && (replay.json()["repeated"] as? Bool) == true)
            let transfers = try await fixture.platform.auditTrail(userID: nil).filter { $0.action == "transfer.made" }
            #expect(transfers.count == 1)
            let altered = try await browser.post("/ext/hosttest/careless", json: #"{"id":"tx-1","account":"\#(account)","amount":"99","payee":"Mallory"}"#)
            #expect(altered.errorCode == "transaction_id_reused")
        }
    }

    @Test func aPromptCompletionOpensPlainGuardsButNeverATransaction() async throws {
        let fixture = try await fixture()
        try await fixture.test { client async throws in
            let browser = Browser(client)
            try await browser.signInAlice(fixture)
            let prompt = try await browser.post("/api/mfa/challenges", json: #"{"extension":"transfers"}"#).json()
            try await browser.complete(try #require(prompt["id"] as? String), fixture)
            let account = try await browser.firstAccountID()
            let submit = try await browser.post("/ext/transfers/submit", json: #"{"transactionId":"t","fromAccount":"\#(account)","toPayee":"Acme","amount":"1.00"}"#)
            #expect(submit.errorCode == "mfa_required")

            let hostPrompt = try await browser.post("/api/mfa/challenges", json: #"{"extension":"hosttest"}"#).json()
            try await browser.complete(try #require(hostPrompt["id"] as? String), fixture)
            #expect(try await browser.post("/ext/hosttest/b").status == .ok)
        }
    }

    @Test func leavingTheWorkflowReachesTheErrorHandlerOrATypedError() async throws {
        let fixture = try await fixture()
        let counter = self.counter
        try await fixture.test { client async throws in
            let browser = Browser(client)
            try await browser.signInAlice(fixture)
            let challenge = try browser.challengeID(of: try await browser.post("/ext/hosttest/handled"))
            #expect(try await browser.post("/api/mfa/challenges/\(challenge)/cancel").status == .ok)
            let rendered = try await browser.post("/ext/hosttest/handled", headers: [ExtensionRoutes.challengeHeader: challenge])
            #expect(rendered.status == .ok)
            #expect(rendered.text == "<p>MFA Failure - mfa_abandoned</p>")
            #expect(counter.count("handled") == 0)

            let other = try browser.challengeID(of: try await browser.post("/ext/hosttest/a"))
            _ = try await browser.post("/api/mfa/challenges/\(other)/cancel")
            let typed = try await browser.post("/ext/hosttest/a", headers: [ExtensionRoutes.challengeHeader: other])
            #expect(typed.errorCode == "mfa_abandoned")
            // A hint naming another route's challenge is ignored: the call just needs MFA.
            #expect(try await browser.post("/ext/hosttest/b", headers: [ExtensionRoutes.challengeHeader: other]).errorCode == "mfa_required")
        }
    }

    @Test func extensionsNeedASessionACSRFTokenAndLogonUnlessTheyRunBeforeIt() async throws {
        let fixture = try await fixture()
        try await fixture.test { client async throws in
            let anonymous = Browser(client)
            #expect(try await anonymous.get("/ext/hosttest/whoami").errorCode == "not_authenticated")
            let browser = Browser(client)
            _ = try await browser.logon("alice", "pw-alice")  // logon MFA still pending
            #expect(try await browser.get("/ext/hosttest/whoami").errorCode == "not_authenticated")
            #expect(try await browser.get("/ext/prelogon/whoami").text == "alice false")
            #expect(try await browser.post("/ext/prelogon/user-api").errorCode == "not_authenticated")
            #expect(try await browser.post("/ext/prelogon/back-office").text == "alice")
            #expect(try await browser.post("/ext/prelogon/whoami", csrf: false).errorCode == "csrf_invalid")
        }
    }

    @Test func unknownExtensionsAndRoutesAreTypedAndSandboxed() async throws {
        let fixture = try await fixture()
        try await fixture.test { client async throws in
            let browser = Browser(client)
            _ = try await browser.logon("bob", "pw-bob")
            let unknown = try await browser.get("/ext/nope/x")
            #expect(unknown.errorCode == "extension_not_found")
            #expect(unknown.headers[.contentSecurityPolicy]?.hasPrefix("sandbox allow-scripts allow-forms") == true)
            #expect(try await browser.get("/ext/hosttest/nope").errorCode == "not_found")
            let asset = try await browser.get("/ext/hosttest/assets/app.js")
            #expect(asset.text == "console.log(1)")
            #expect(asset.headers[.contentSecurityPolicy]?.hasPrefix("sandbox allow-scripts allow-forms") == true)
            #expect(try await browser.get("/ext/hosttest/assets/missing.js").status == .notFound)
            #expect(try await browser.get("/api/session").headers[.init("X-Frame-Options")!] == "DENY")
        }
    }
}
