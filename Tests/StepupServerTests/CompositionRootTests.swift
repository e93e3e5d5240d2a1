import Foundation
import HTTPTypes
import HummingbirdTesting
import StepupCore
import StepupExamples
import StepupPlatform
import Testing

@testable import StepupServer

/// A server built at the composition root with a method and a provider of the bank's own (`Recipes/`), driven end to
/// end over HTTP: the method is offered, counts under the one failure counter, completes logon and satisfies the
/// guard; the provider delivers codes for its kind and reports failures in its own words.
@Suite("The composition root")
struct CompositionRootTests {
    let provider = RecordingProvider()

    func fixture() async throws -> ServerFixture {
        let provider = self.provider
        return try await ServerFixture(extensions: [HostTestExtension(counter: RunCounter())], compose: { builder in
            try builder.register(method: StaticCodeMethod(code: "271828"))
            builder.register(provider: provider, for: .sms)
        })
    }

    func logonChallenge(_ browser: Browser) async throws -> String {
        let logon = try await browser.logon("alice", "pw-alice")
        return try #require((logon["challenge"] as? [String: Any])?["id"] as? String)
    }

    @Test func aRegisteredMethodIsOfferedCountedAndCompletesLogon() async throws {
        let fixture = try await fixture()
        try await fixture.test { client in
            let browser = Browser(client)
            let challenge = try await logonChallenge(browser)
            let detail = try await browser.get("/api/mfa/challenges/\(challenge)").json()
            let offers = try #require(detail["offers"] as? [[String: Any]])
            #expect(offers.compactMap { $0["method"] as? String } == ["access_code", "access_token", "static_code"])
            let entry = try #require(offers.last?["entry"] as? [String: Any])
            #expect(entry["field"] as? String == "code")
            #expect(entry["label"] as? String == "Code on your card")

            let wrong = try await browser.post("/api/mfa/challenges/\(challenge)/methods/static_code/verify", json: #"{"code":"000000"}"#)
            #expect(wrong.status == .unauthorized)
            #expect(wrong.errorCode == "code_invalid")
            #expect((try wrong.json()["error"] as? [String: Any])?["attemptsLeft"] as? Int == 4)
            let audit = try await fixture.platform.auditTrail().first { $0.action == "mfa.verify" && $0.outcome == .failure }
            #expect(audit?.details["method"] == "static_code")

            let right = try await browser.post("/api/mfa/challenges/\(challenge)/methods/static_code/verify", json: #"{"code":"271828"}"#)
            #expect(right.status == .ok)
            let body = try right.json()
            #expect(body["stage"] as? String == "authenticated")
            #expect((body["challenge"] as? [String: Any])?["method"] as? String == "static_code")
            let completion = try await fixture.platform.auditTrail().first { $0.action == "mfa.verify" && $0.outcome == .success }
            #expect(completion?.details["method"] == "static_code")
        }
    }

    @Test func itsFailuresShareTheOneCounterWithEveryOtherMethod() async throws {
        let fixture = try await fixture()
        try await fixture.test { client in
            let browser = Browser(client)
            let challenge = try await logonChallenge(browser)
            for _ in 0..<4 {
                let wrong = try await browser.post("/api/mfa/challenges/\(challenge)/methods/static_code/verify", json: #"{"code":"000000"}"#)
                #expect(wrong.errorCode == "code_invalid")
            }
            // The fifth failure, with another method, exhausts the same counter and locks the challenge.
            let token = try await browser.post("/api/mfa/challenges/\(challenge)/methods/access_token/verify", json: #"{"token":"000000"}"#)
            #expect(token.errorCode == "attempts_exhausted")
            let right = try await browser.post("/api/mfa/challenges/\(challenge)/methods/static_code/verify", json: #"{"code":"271828"}"#)
            #expect(right.errorCode == "challenge_closed" || right.errorCode == "user_locked")
        }
    }

    @Test func aCompletionWithItSatisfiesTheGuard() async throws {
        let fixture = try await fixture()
        try await fixture.test { client in
            let browser = Browser(client)
            try await browser.signInAlice(fixture)
            let first = try await browser.post("/ext/hosttest/a")
            #expect(first.errorCode == "mfa_required")
            let challenge = try #require((try first.json()["error"] as? [String: Any])?["challengeId"] as? String)
            let verified = try await browser.post("/api/mfa/challenges/\(challenge)/methods/static_code/verify", json: #"{"code":"271828"}"#)
            #expect(verified.status == .ok)
            let retried = try await browser.post("/ext/hosttest/a")
            #expect(retried.status == .ok)
            #expect(retried.text == "a ran")
        }
    }

    @Test func aRegisteredProviderDeliversItsKindAndReportsFailuresInItsOwnWords() async throws {
        let fixture = try await fixture()
        let alice = try #require(try await fixture.platform.users().first { $0.username == "alice" })
        try await fixture.platform.addTarget(userID: alice.id, kind: .sms, address: "+4930123456")
        try await fixture.test { client in
            let browser = Browser(client)
            let challenge = try await logonChallenge(browser)
            let choices = try #require(try await browser.get("/api/mfa/challenges/\(challenge)/targets").json()["targets"] as? [[String: Any]])
            let reachable = try #require(choices.first { ($0["masked"] as? String)?.hasSuffix("0101") == true }?["id"] as? String)
            let unreachable = try #require(choices.first { ($0["masked"] as? String)?.hasSuffix("3456") == true }?["id"] as? String)

            let sent = try await browser.post("/api/mfa/challenges/\(challenge)/methods/access_code/start", json: #"{"targetId":"\#(reachable)"}"#)
            #expect(sent.status == .ok)
            let code = try #require(provider.messages.last?.code)
            #expect(await fixture.outbox.all().isEmpty)

            fixture.clock.advance(by: 120)
            let refused = try await browser.post("/api/mfa/challenges/\(challenge)/send", json: #"{"targetId":"\#(unreachable)"}"#)
            #expect(refused.errorCode == "delivery_failed")
            let audit = try #require(try await fixture.platform.auditTrail().first { $0.action == "mfa.code.delivery_failed" })
            #expect(audit.details["provider"] == "recording-sms")
            #expect(audit.details["reason"] == "number outside the test range")

            // Choosing the other target voided the first code, and the failed send its own: a new one is sent.
            #expect(try await browser.post("/api/mfa/challenges/\(challenge)/verify-code", json: #"{"code":"\#(code)"}"#).errorCode == "no_code_sent")
            fixture.clock.advance(by: 120)
            _ = try await browser.post("/api/mfa/challenges/\(challenge)/methods/access_code/start", json: #"{"targetId":"\#(reachable)"}"#)
            let latest = try #require(provider.messages.last?.code)
            #expect(provider.messages.count == 2)
            let verified = try await browser.post("/api/mfa/challenges/\(challenge)/methods/access_code/verify", json: #"{"code":"\#(latest)"}"#)
            #expect(verified.status == .ok)
        }
    }

    @Test func theBuilderRefusesTwoMethodsWithOneIDAndAnIDThatIsNotAName() throws {
        var builder = StepupBuilder(configuration: ServerConfiguration(), environment: [:])
        try builder.register(method: StaticCodeMethod(code: "1"))
        #expect(throws: StepupError.self) { try builder.register(method: StaticCodeMethod(code: "2")) }
        struct BadName: MFAMethod {
            let id: MFAMethodID = "Bad Name"
            func offer(_ step: MethodStep) async throws -> MethodOffer? { nil }
            func verify(_ proof: NoStart, _ step: inout MethodStep) async throws -> StepupError? { nil }
        }
        #expect(throws: StepupError.self) { try builder.register(method: BadName()) }
    }

    /// A bank's method offered for transactions only, whose start answers a bare string.
    struct TransactionsOnly: MFAMethod {
        let id: MFAMethodID = "transactions_only"
        func offer(_ step: MethodStep) async throws -> MethodOffer? {
            guard case .transaction = step.challenge.context else { return nil }
            return MethodOffer(method: id, label: "Transactions only", entry: .code(label: "Code", field: "code"))
        }
        func start(_ request: NoStart, _ run: MethodRun) async throws -> MethodStarted<String> {
            let challenge: Challenge = try await run.step { step in
                try step.challenge.choose(id, at: step.now)
                return .success(step.challenge)
            }
            return MethodStarted(challenge: challenge, answer: "started")
        }
        func verify(_ proof: AccessCodeMethod.Proof, _ step: inout MethodStep) async throws -> StepupError? {
            // Another method's state is not readable, whatever was chosen before.
            step.challenge.state(of: id, as: AccessCodeState.self) == nil ? nil : StepupError(.internal)
        }
    }

    @Test func aMethodTakesNoProofWhereItIsNotOfferedAndItsStartMayAnswerAnything() async throws {
        let fixture = try await ServerFixture(compose: { try $0.register(method: TransactionsOnly()) })
        try await fixture.test { client in
            let browser = Browser(client)
            let challenge = try await logonChallenge(browser)
            let offers = try await browser.get("/api/mfa/challenges/\(challenge)").json()["offers"] as? [[String: Any]]
            #expect(offers?.contains { $0["method"] as? String == "transactions_only" } == false)
            let refused = try await browser.post("/api/mfa/challenges/\(challenge)/methods/transactions_only/verify", json: #"{"code":"123456"}"#)
            #expect(refused.status == .badRequest)
            #expect(refused.errorCode == "illegal_transition")
            let started = try await browser.post("/api/mfa/challenges/\(challenge)/methods/transactions_only/start", json: "{}")
            #expect(started.status == .ok)
            let body = try started.json()
            #expect(body["answer"] as? String == "started")
            #expect((body["challenge"] as? [String: Any])?["method"] as? String == "transactions_only")
            // Nothing was counted: the refusal came before an attempt was reserved.
            let user = try #require(try await fixture.platform.users().first { $0.username == "alice" })
            #expect((try await fixture.platform.failureCounter(userID: user.id)?.failures ?? 0) == 0)
        }
    }

    @Test func anUnknownMethodIsATypedNotFound() async throws {
        let fixture = try await fixture()
        try await fixture.test { client in
            let browser = Browser(client)
            let challenge = try await logonChallenge(browser)
            for name in ["no_such_method", "Bad%20Name", String(repeating: "a", count: 40)] {
                let answer = try await browser.post("/api/mfa/challenges/\(challenge)/methods/\(name)/verify", json: #"{"code":"1"}"#)
                #expect(answer.status == .notFound)
                #expect(answer.errorCode == "mfa_method_not_found")
            }
        }
    }
}
