import Foundation
import HTTPTypes
import HummingbirdTesting
import StepupCore
import StepupExamples
import StepupPlatform
import Testing

@testable import StepupServer

@Suite("The demo transfer under the demo EDV rules")
struct EDVHostTests {
    func fixture() async throws -> ServerFixture {
        let fixture = try await ServerFixture(extensions: [TransfersExtension()])
        try await fixture.platform.saveEDVRules(DemoBank.edvRules)
        try await fixture.platform.setProperty("ExemptionCurrency", to: "USD")
        return fixture
    }

    func body(_ account: String, _ id: String, _ amount: String) -> String {
        #"{"transactionId":"\#(id)","fromAccount":"\#(account)","toPayee":"Acme","amount":"\#(amount)"}"#
    }

    @Test func smallTransfersAreExemptMediumOnesNeedMFAAndLargeOnesAreBlocked() async throws {
        let fixture = try await fixture()
        try await fixture.test { client async throws in
            let browser = Browser(client)
            try await browser.signInAlice(fixture)
            let account = try await browser.firstAccountID()

            let small = try await browser.post("/ext/transfers/submit", json: body(account, "t1", "20.00"))
            #expect(small.status == .ok)
            #expect(try small.json()["balanceMinor"] as? Int == 98_000)

            let medium = try await browser.post("/ext/transfers/submit", json: body(account, "t2", "500.00"))
            #expect(medium.errorCode == "mfa_required")
            #expect(((try medium.json()["error"] as? [String: Any])?["context"] as? String) == "transaction")

            let large = try await browser.post("/ext/transfers/submit", json: body(account, "t3", "10000.01"))
            #expect(large.status == .forbidden)
            #expect(large.text.contains("The bank blocked this transfer"))  // the extension's error handler

            let trail = try await fixture.platform.auditTrail()
            #expect(trail.filter { $0.action == "TransferFunds" }.count == 3)
            #expect(trail.filter { $0.action == "edv.decision" }.map { $0.details["rule"] ?? "" } == ["exempt-small-transfers", "mfa-transfers", "block-large-transfers"])
            #expect(trail.filter { $0.action == "transfer.made" }.count == 1)
        }
    }

    @Test func aLikelyDuplicateIsSentOnlyWhenTheCustomerConfirmsIt() async throws {
        let fixture = try await fixture()
        try await fixture.test { client async throws in
            let browser = Browser(client)
            try await browser.signInAlice(fixture)
            let account = try await browser.firstAccountID()
            #expect(try await browser.post("/ext/transfers/submit", json: body(account, "d1", "15.00")).status == .ok)
            let second = try await browser.post("/ext/transfers/submit", json: body(account, "d2", "15.00"))
            #expect(second.status == .conflict && second.errorCode == "transfer_duplicate_suspected")
            // "Yes, send it again": the unguarded confirm route pays on the authorisation submit consumed.
            let confirmed = try await browser.post("/ext/transfers/confirm", json: body(account, "d2", "15.00"))
            #expect(confirmed.status == .ok)
            #expect(try browser.firstBalance(confirmed) == 97_000)
            // It authorises nothing by itself.
            let unasked = try await browser.post("/ext/transfers/confirm", json: body(account, "d3", "15.00"))
            #expect(unasked.status == .forbidden && unasked.errorCode == "transfer_not_authorized")
            let made = try await fixture.platform.auditTrail().filter { $0.action == "transfer.made" }
            #expect(made.count == 2)
        }
    }

    @Test func addingAPayeeAsksOnceThenNotAgainForTenMinutes() async throws {
        let fixture = try await fixture()
        try await fixture.test { client async throws in
            let browser = Browser(client)
            try await browser.signInAlice(fixture)
            let first = try await browser.post("/ext/transfers/add-payee", json: #"{"payee":"Acme"}"#)
            #expect(first.errorCode == "mfa_required")
            #expect(((try first.json()["error"] as? [String: Any])?["context"] as? String) == "event_driven_validation")
            let challenge = try #require((try first.json()["error"] as? [String: Any])?["challengeId"] as? String)
            let detail = try await browser.get("/api/mfa/challenges/\(challenge)").json()
            #expect((detail["challenge"] as? [String: Any])?["auditActionName"] as? String == "AddPayee")
            try await browser.complete(challenge, fixture)
            #expect(try await browser.post("/ext/transfers/add-payee", json: #"{"payee":"Acme"}"#).status == .ok)
            #expect(try await browser.post("/ext/transfers/add-payee", json: #"{"payee":"Bolt"}"#).status == .ok)
            for _ in 0..<3 {  // stay active: the session's idle timeout is 5 minutes
                fixture.clock.advance(by: 201)
                _ = try await browser.get("/api/session")
            }
            #expect(try await browser.post("/ext/transfers/add-payee", json: #"{"payee":"Cargo"}"#).errorCode == "mfa_required")
        }
    }
}
