import Foundation
import StepupCore
import StepupStore
import Synchronization
import Testing

@testable import StepupPlatform

/// A Swift rule that blocks one action outright, counting how often it was asked.
struct BlockAction: EDVRule {
    let id: String
    let position: Int
    let action: String
    func evaluate(_ input: EDVInput, facts: any EDVFacts) async throws -> EDVDecision? {
        input.action == action ? .block : nil
    }
}

/// A Swift rule that writes through the platform while it decides, as a rule asking a fraud engine that itself
/// calls the bank would; and that answers from the history it is shown, which must count this call's event once.
struct WritesWhileDeciding: EDVRule {
    final class Platforms: @unchecked Sendable {
        var platform: Platform?
        var counts: [Int] = []
    }
    let id = "writes-while-deciding"
    let position = 1
    let platforms: Platforms
    func evaluate(_ input: EDVInput, facts: any EDVFacts) async throws -> EDVDecision? {
        guard let platform = platforms.platform else { return nil }
        _ = try await platform.createUser(
            username: "written-\(UUID().uuidString.lowercased())", displayName: "W", password: "pw-written", logonMFA: .never)
        let count = try await facts.eventCount(action: input.action, since: input.at.addingTimeInterval(-3600))
        platforms.counts.append(count)
        return count >= 2 ? .requireMFA : nil
    }
}

/// A velocity rule in Swift: the fifth call of an action within the hour and every one after need MFA; it counts
/// how often it was asked and can be told to fail.
struct Velocity: EDVRule {
    final class Asked: @unchecked Sendable {
        private let lock = NSLock()
        private var count = 0
        var fails = false
        func ask() { lock.withLock { count += 1 } }
        var times: Int { lock.withLock { count } }
    }
    struct EngineDown: Error {}
    let id = "velocity"
    let position: Int
    let asked: Asked
    func evaluate(_ input: EDVInput, facts: any EDVFacts) async throws -> EDVDecision? {
        asked.ask()
        if asked.fails { throw EngineDown() }
        let count = try await facts.eventCount(action: input.action, since: input.at.addingTimeInterval(-3600))
        return count >= 5 ? .requireMFA : .allow
    }
}

@Suite("Event-driven validation")
struct EDVTests {
    /// Parallel calls each see a history without the others' events when the rule is asked outside the writer; the
    /// answer is committed only if the facts it read still hold inside it, so exactly four calls pass the limit.
    @Test func aSwiftVelocityRuleHoldsUnderParallelCalls() async throws {
        let asked = Velocity.Asked()
        let fixture = try await PlatformFixture(edvRules: [Velocity(position: 1, asked: asked)])
        let session = try await bobSession(fixture)
        let answers = Mutex<[String]>([])
        let failures = await RacesAndRetriesTests.parallel(20) { _ in
            let outcome = try await fixture.platform.evaluateEvent(action: "AddPayee", details: [:], linked: nil, session: session)
            let name = if case .requireMFA = outcome { "require_mfa" } else { outcome == .allow(nil) ? "allow" : "other" }
            answers.withLock { $0.append(name) }
        }
        #expect(failures.allSatisfy { $0 == "ok" })
        let outcomes = answers.withLock { $0 }
        #expect(outcomes.filter { $0 == "allow" }.count == 4)
        #expect(outcomes.filter { $0 == "require_mfa" }.count == 16)
        let events = try await fixture.platform.auditTrail(userID: session.userID).filter { $0.action == "AddPayee" }
        #expect(events.count == 20)
        await fixture.close()
    }

    @Test func aSwiftRuleIsNotAskedWhenACompletionOpensTheCallOrAnEarlierRuleDecides() async throws {
        let asked = Velocity.Asked()
        let fixture = try await PlatformFixture(edvRules: [Velocity(position: 5, asked: asked)])
        let session = try await bobSession(fixture)
        try await fixture.platform.saveEDVRules([
            EDVRuleDefinition(id: "no-exports", position: 1, action: "ExportHistory", decision: .block),
            EDVRuleDefinition(id: "mfa", position: 2, action: "AddPayee", decision: .requireMFA),
        ])
        #expect(try await fixture.platform.evaluateEvent(action: "ExportHistory", details: [:], linked: nil, session: session) == .block)
        guard case .requireMFA(let challengeID, _) = try await fixture.platform.evaluateEvent(
            action: "AddPayee", details: ["payee": "x"], linked: nil, session: session)
        else { Issue.record("AddPayee should need MFA"); return }
        #expect(asked.times == 0)
        try await completeWithTOTP(fixture, challengeID: challengeID, session: session)
        let retried = try await fixture.platform.evaluateEvent(
            action: "AddPayee", details: ["payee": "x"], linked: nil, session: session)
        guard case .allow = retried else { Issue.record("the completed call should run: \(retried)"); return }
        #expect(asked.times == 0)
        #expect(try await fixture.platform.evaluateEvent(action: "Other", details: [:], linked: nil, session: session) == .allow(nil))
        #expect(asked.times == 1)
        await fixture.close()
    }

    @Test func aSwiftRuleThatFailsFailsTheCallAndWritesNothing() async throws {
        let asked = Velocity.Asked()
        asked.fails = true
        let fixture = try await PlatformFixture(edvRules: [Velocity(position: 1, asked: asked)])
        let session = try await bobSession(fixture)
        await #expect(throws: Velocity.EngineDown.self) {
            _ = try await fixture.platform.evaluateEvent(action: "AddPayee", details: [:], linked: nil, session: session)
        }
        #expect(try await fixture.platform.auditTrail(userID: session.userID).allSatisfy { $0.action != "AddPayee" && $0.action != "edv.decision" })
        await fixture.close()
    }

    /// Before, Swift rules ran inside the write transaction: on SQLite a rule that waited on anything that writes
    /// held the one writer, and here it would wait on itself for ever. Now it is asked before, with a history that
    /// already counts the call's own event (as the data rules see it), and its answer is committed after.
    @Test func swiftRulesRunBeforeTheWriteTransactionAndSeeTheCallsOwnEvent() async throws {
        let platforms = WritesWhileDeciding.Platforms()
        let fixture = try await PlatformFixture(edvRules: [WritesWhileDeciding(platforms: platforms)])
        platforms.platform = fixture.platform
        let session = try await bobSession(fixture)
        try await fixture.platform.setProperty("EdvDefaultDecision", to: "allow")
        let answers = Mutex<[EDVOutcome]>([])
        let evaluation = Task {
            for _ in 0..<2 {
                let outcome = try await fixture.platform.evaluateEvent(action: "AddPayee", details: [:], linked: nil, session: session)
                answers.withLock { $0.append(outcome) }
            }
        }
        // A watchdog, not a timing assertion: a rule run inside the writer never returns.
        for _ in 0..<200 where answers.withLock({ $0.count }) < 2 { try await Task.sleep(for: .milliseconds(50)) }
        let outcomes = answers.withLock { $0 }
        try #require(outcomes.count == 2, "the Swift rule's write waited on the writer its own evaluation held")
        _ = try await evaluation.value
        #expect(platforms.counts == [1, 2])
        #expect(outcomes.first == .allow(nil))
        guard case .requireMFA = outcomes.last else {
            Issue.record("the second call should need MFA: \(outcomes)")
            return
        }
        let decisions = try await fixture.platform.auditTrail(userID: session.userID).filter { $0.action == "edv.decision" }
        #expect(decisions.map { $0.details["rule"] }.contains("writes-while-deciding"))
        await fixture.close()
    }

    func bobSession(_ fixture: PlatformFixture, address: String = "10.0.0.1") async throws -> Session {
        try await fixture.makeUser("bob", logonMFA: .never)
        return try await fixture.logon("bob", address: address).issued.session
    }

    func completeWithTOTP(_ fixture: PlatformFixture, challengeID: String, session: Session) async throws {
        fixture.clock.advance(by: 30)
        _ = try await fixture.platform.verifyToken(challengeID: challengeID, token: try fixture.currentTOTP(), session: session)
    }

    /// A guard named `mfaValidationRequired` fails closed: with no decisive rule the bank's `EdvDefaultDecision`
    /// answers, and it requires MFA unless the bank chose `allow` or `block`.
    @Test func withoutADecisiveRuleTheBanksDefaultAnswersAndItRequiresMFA() async throws {
        let fixture = try await PlatformFixture()
        let session = try await bobSession(fixture)
        let outcome = try await fixture.platform.evaluateEvent(action: "CustomAuditAction", details: ["key": "value"], linked: nil, session: session)
        guard case .requireMFA(let challengeID, .eventDrivenValidation(_, "CustomAuditAction", _)) = outcome else {
            Issue.record("no rule should require MFA: \(outcome)")
            return
        }
        var trail = try await fixture.platform.auditTrail(userID: session.userID)
        let event = try #require(trail.first { $0.action == "CustomAuditAction" })
        #expect(event.details == ["key": "value"])
        let decision = try #require(trail.first { $0.action == "edv.decision" })
        #expect(decision.details["answer"] == "require_mfa")
        #expect(decision.details["rule"] == "default")
        #expect(decision.details["reason"] == "no_rule_decided")
        #expect(decision.details["event"] == event.id)
        #expect(decision.challengeID == challengeID)

        try await fixture.platform.setProperty("EdvDefaultDecision", to: "allow")
        #expect(try await fixture.platform.evaluateEvent(action: "CustomAuditAction", details: [:], linked: nil, session: session) == .allow(nil))
        try await fixture.platform.setProperty("EdvDefaultDecision", to: "block")
        #expect(try await fixture.platform.evaluateEvent(action: "CustomAuditAction", details: [:], linked: nil, session: session) == .block)
        trail = try await fixture.platform.auditTrail(userID: session.userID)
        #expect(trail.filter { $0.action == "edv.decision" }.map { $0.details["answer"] } == ["require_mfa", "allow", "block"])
        #expect(trail.filter { $0.action == "edv.decision" }.allSatisfy { $0.details["rule"] == "default" })
        #expect(throws: StepupError.self) { try SystemProperties(values: ["EdvDefaultDecision": "maybe"]) }
        await fixture.close()
    }

    /// A default of `allow` never exempts a transaction: only an explicit allow rule does, within art. 16.
    @Test func aDefaultOfAllowStillRequiresMFAForATransaction() async throws {
        let fixture = try await PlatformFixture()
        let session = try await bobSession(fixture)
        try await fixture.platform.setProperty("EdvDefaultDecision", to: "allow")
        let linked = MFAContext.transaction([TransactionItem(id: "tx-1", amountMinor: 500, currency: "EUR", payee: "Acme")])
        guard case .requireMFA(_, let context) = try await fixture.platform.evaluateEvent(action: "TransferFunds", details: [:], linked: linked, session: session) else {
            Issue.record("a transaction needs an explicit allow rule to be exempt")
            return
        }
        #expect(context == linked)
        await fixture.close()
    }

    /// The decision that lets a call run after MFA names the rule that asked for it, not `default`.
    @Test func aCallSatisfiedByMFANamesTheRuleThatAskedForIt() async throws {
        let fixture = try await PlatformFixture()
        let session = try await bobSession(fixture)
        try await fixture.platform.saveEDVRules([EDVRuleDefinition(id: "mfa-payees", position: 1, action: "AddPayee", decision: .requireMFA)])
        guard case .requireMFA(let challengeID, _) = try await fixture.platform.evaluateEvent(action: "AddPayee", details: ["payee": "Acme"], linked: nil, session: session) else {
            Issue.record("the rule should ask for MFA")
            return
        }
        try await completeWithTOTP(fixture, challengeID: challengeID, session: session)
        guard case .allow = try await fixture.platform.evaluateEvent(action: "AddPayee", details: ["payee": "Acme"], linked: nil, session: session) else {
            Issue.record("the completion should open the retry")
            return
        }
        let decisions = try await fixture.platform.auditTrail(userID: session.userID).filter { $0.action == "edv.decision" }
        #expect(decisions.map { $0.details["answer"] } == ["require_mfa", "satisfied"])
        #expect(decisions.map { $0.details["rule"] } == ["mfa-payees", "mfa-payees"])
        await fixture.close()
    }

    @Test func aBlockRuleBlocksAndSaysWhichRule() async throws {
        let fixture = try await PlatformFixture()
        let session = try await bobSession(fixture)
        try await fixture.platform.setProperty("EdvDefaultDecision", to: "allow")
        try await fixture.platform.saveEDVRules([EDVRuleDefinition(id: "no-exports", position: 1, action: "ExportHistory", decision: .block)])
        #expect(try await fixture.platform.evaluateEvent(action: "ExportHistory", details: [:], linked: nil, session: session) == .block)
        #expect(try await fixture.platform.evaluateEvent(action: "Other", details: [:], linked: nil, session: session) == .allow(nil))
        let decision = try #require(try await fixture.platform.auditTrail(userID: session.userID).first { $0.action == "edv.decision" })
        #expect(decision.details["rule"] == "no-exports")
        #expect(decision.outcome == .failure)
        await fixture.close()
    }

    @Test func requireMFAOpensAnEDVChallengeWhoseCompletionOpensThatCallOnce() async throws {
        let fixture = try await PlatformFixture()
        let session = try await bobSession(fixture)
        try await fixture.platform.saveEDVRules([EDVRuleDefinition(id: "mfa", position: 1, action: "AddPayee", decision: .requireMFA)])
        let details = ["payee": "Acme", "extension": "transfers", "routingKey": "add-payee"]
        guard case .requireMFA(let challengeID, let context) = try await fixture.platform.evaluateEvent(action: "AddPayee", details: details, linked: nil, session: session) else {
            Issue.record("expected require MFA")
            return
        }
        guard case .eventDrivenValidation(let eventID, let name, let hash) = context else {
            Issue.record("expected an EDV context")
            return
        }
        #expect(name == "AddPayee")
        #expect(hash == EDVInput.hash(details))
        let event = try await fixture.platform.auditTrail(userID: session.userID).first { $0.action == "AddPayee" }
        #expect(event?.id == eventID)
        // The same call again, before MFA, reuses the challenge.
        guard case .requireMFA(let again, _) = try await fixture.platform.evaluateEvent(action: "AddPayee", details: details, linked: nil, session: session) else {
            Issue.record("expected require MFA")
            return
        }
        #expect(again == challengeID)
        try await completeWithTOTP(fixture, challengeID: challengeID, session: session)
        // Other details are another call: not opened by this completion.
        guard case .requireMFA = try await fixture.platform.evaluateEvent(action: "AddPayee", details: details.merging(["payee": "Mallory"]) { $1 }, linked: nil, session: session) else {
            Issue.record("another call was opened")
            return
        }
        #expect(try await fixture.platform.evaluateEvent(action: "AddPayee", details: details, linked: nil, session: session) == .allow(context))
        guard case .requireMFA = try await fixture.platform.evaluateEvent(action: "AddPayee", details: details, linked: nil, session: session) else {
            Issue.record("the completion opened two calls")
            return
        }
        await fixture.close()
    }

    @Test func theRepromptWindowSkipsMFAForTheActionInThisSessionOnly() async throws {
        let fixture = try await PlatformFixture()
        let session = try await bobSession(fixture)
        try await fixture.platform.saveEDVRules([EDVRuleDefinition(id: "mfa", position: 1, action: "AddPayee", decision: .requireMFA, repromptAfterMinutes: 10)])
        guard case .requireMFA(let challengeID, _) = try await fixture.platform.evaluateEvent(action: "AddPayee", details: ["payee": "A"], linked: nil, session: session) else {
            Issue.record("expected require MFA")
            return
        }
        try await completeWithTOTP(fixture, challengeID: challengeID, session: session)
        #expect(try await fixture.platform.evaluateEvent(action: "AddPayee", details: ["payee": "B"], linked: nil, session: session) == .allow(nil))
        let other = try await fixture.logon("bob").issued.session
        guard case .requireMFA = try await fixture.platform.evaluateEvent(action: "AddPayee", details: ["payee": "B"], linked: nil, session: other) else {
            Issue.record("the window leaked to another session")
            return
        }
        fixture.clock.advance(by: 600)
        guard case .requireMFA = try await fixture.platform.evaluateEvent(action: "AddPayee", details: ["payee": "C"], linked: nil, session: session) else {
            Issue.record("the window did not end")
            return
        }
        #expect(try await fixture.platform.auditTrail(userID: session.userID).contains { $0.details["answer"] == "allow_within_reprompt_window" })
        await fixture.close()
    }

    @Test func rulesRunInOrderAndTheFirstDecisiveAnswerWinsAcrossDataAndSwiftRules() async throws {
        let store = try await PlatformFixture()
        await store.close()
        let fixture = try await PlatformFixture(edvRules: [BlockAction(id: "swift-block", position: 15, action: "TransferFunds")])
        let session = try await bobSession(fixture)
        try await fixture.platform.saveEDVRules([
            EDVRuleDefinition(id: "never-matches", position: 5, action: "TransferFunds", conditions: [.detailEquals(key: "x", value: "y")], decision: .allow),
            EDVRuleDefinition(id: "disabled", position: 6, action: "*", decision: .allow, enabled: false),
            EDVRuleDefinition(id: "mfa-first", position: 10, action: "TransferFunds", conditions: [.detailEquals(key: "channel", value: "web")], decision: .requireMFA),
            EDVRuleDefinition(id: "allow-after", position: 20, action: "*", decision: .allow),
        ])
        guard case .requireMFA = try await fixture.platform.evaluateEvent(action: "TransferFunds", details: ["channel": "web"], linked: nil, session: session) else {
            Issue.record("position 10 should win")
            return
        }
        #expect(try await fixture.platform.evaluateEvent(action: "TransferFunds", details: ["channel": "api"], linked: nil, session: session) == .block)
        #expect(try await fixture.platform.evaluateEvent(action: "Other", details: [:], linked: nil, session: session) == .allow(nil))
        let rules = try await fixture.platform.auditTrail(userID: session.userID).filter { $0.action == "edv.decision" }.map { $0.details["rule"] ?? "" }
        #expect(rules == ["mfa-first", "swift-block", "allow-after"])
        await fixture.close()
    }

    @Test func historyConditionsCountEventsAndSpotNewAddresses() async throws {
        let fixture = try await PlatformFixture()
        let session = try await bobSession(fixture, address: "10.0.0.1")
        try await fixture.platform.setProperty("EdvDefaultDecision", to: "allow")
        try await fixture.platform.saveEDVRules([
            EDVRuleDefinition(id: "burst", position: 1, action: "ExportHistory", conditions: [.moreThan(count: 2, withinSeconds: 3600)], decision: .block),
            EDVRuleDefinition(id: "new-address", position: 2, action: "AddPayee", conditions: [.newAddress], decision: .block),
        ])
        #expect(try await fixture.platform.evaluateEvent(action: "ExportHistory", details: [:], linked: nil, session: session) == .allow(nil))
        #expect(try await fixture.platform.evaluateEvent(action: "ExportHistory", details: [:], linked: nil, session: session) == .allow(nil))
        #expect(try await fixture.platform.evaluateEvent(action: "ExportHistory", details: [:], linked: nil, session: session) == .block)
        fixture.clock.advance(by: 3601)
        #expect(try await fixture.platform.evaluateEvent(action: "ExportHistory", details: [:], linked: nil, session: session) == .allow(nil))
        // The first session's address is new; a second session from it is not; another address is.
        #expect(try await fixture.platform.evaluateEvent(action: "AddPayee", details: [:], linked: nil, session: session) == .block)
        let sameAddress = try await fixture.logon("bob", address: "10.0.0.1").issued.session
        #expect(try await fixture.platform.evaluateEvent(action: "AddPayee", details: [:], linked: nil, session: sameAddress) == .allow(nil))
        let elsewhere = try await fixture.logon("bob", address: "198.51.100.7").issued.session
        #expect(try await fixture.platform.evaluateEvent(action: "AddPayee", details: [:], linked: nil, session: elsewhere) == .block)
        await fixture.close()
    }

    @Test func aLinkedTransactionNeedsMFAUnlessAnExplicitRuleExemptsIt() async throws {
        let fixture = try await PlatformFixture()
        let session = try await bobSession(fixture)
        let account = try await fixture.platform.addAccount(userID: session.userID, name: "Checking", number: "1", balanceMinor: 10_000, currency: "USD")
        let small = TransferRequest(transactionID: "t-small", fromAccountID: account.id, amountMinor: 2_000, currency: "USD", payee: "Cafe")
        let large = TransferRequest(transactionID: "t-large", fromAccountID: account.id, amountMinor: 5_000, currency: "USD", payee: "Acme")
        // No rule: MFA for exactly the transaction.
        guard case .requireMFA(_, let context) = try await fixture.platform.evaluateEvent(action: "TransferFunds", details: ["transaction.amountMinor": "2000"], linked: .transaction([small.item]), session: session) else {
            Issue.record("a linked call without a rule must need MFA")
            return
        }
        #expect(context == .transaction([small.item]))
        try await fixture.platform.saveEDVRules(DemoBank.edvRules)
        // Art. 16 counts exemptions in the bank's currency (EUR by default): a USD transfer is not exempted ...
        guard case .requireMFA = try await fixture.platform.evaluateEvent(action: "TransferFunds", details: ["transaction.amountMinor": "2000"], linked: .transaction([small.item]), session: session) else {
            Issue.record("a transaction outside the bank's currency must not be exempted")
            return
        }
        // ... until the bank's currency is USD.
        try await fixture.platform.setProperty("ExemptionCurrency", to: "USD")
        #expect(try await fixture.platform.evaluateEvent(action: "TransferFunds", details: ["transaction.amountMinor": "2000"], linked: .transaction([small.item]), session: session) == .allow(.transaction([small.item])))
        // The exemption authorises exactly that transfer, once: a repeat answers the same receipt and moves nothing.
        let first = try await fixture.platform.transfer(small, session: session)
        let again = try await fixture.platform.transfer(small, session: session)
        #expect(again.transferID == first.transferID && again.balanceMinor == first.balanceMinor && again.repeated == true)
        #expect(try await fixture.platform.accounts(userID: session.userID).first?.balanceMinor == 8_000)
        #expect(await stepupError { _ = try await fixture.platform.transfer(large, session: session) }?.code == .transferNotAuthorized)
        guard case .requireMFA = try await fixture.platform.evaluateEvent(action: "TransferFunds", details: ["transaction.amountMinor": "5000"], linked: .transaction([large.item]), session: session) else {
            Issue.record("above the exemption MFA is needed")
            return
        }
        #expect(try await fixture.platform.evaluateEvent(action: "TransferFunds", details: ["transaction.amountMinor": "2000000"], linked: .transaction([large.item]), session: session) == .block)
        #expect(try await fixture.platform.auditTrail(userID: session.userID).contains { $0.action == "mfa.exemption" })
        await fixture.close()
    }

    @Test func rulesLoadFromJSONAndBadRulesAreRefused() async throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("config/edv-rules.example.json")
        let rules = try Platform.parseEDVRules(try Data(contentsOf: url))
        #expect(rules.count == 6)
        #expect(rules.first { $0.id == "mfa-add-payee" }?.repromptAfterMinutes == 10)
        let bad = [
            #"[{"id":"x","position":1,"action":"A","decision":"maybe"}]"#,
            #"[{"id":"x","position":1,"action":"A","decision":"block","repromptAfterMinutes":5}]"#,
            #"[{"id":"x","position":1,"action":"A","decision":"block","conditions":[{"type":"teleport"}]}]"#,
            #"[{"id":"","position":1,"action":"A","decision":"block"}]"#,
            #"{"id":"x"}"#,
        ]
        for text in bad {
            #expect(throws: StepupError.self, "\(text)") { try Platform.parseEDVRules(Data(text.utf8)) }
        }
        let fixture = try await PlatformFixture()
        try await fixture.platform.saveEDVRules(rules)
        #expect(try await fixture.platform.edvRules().map(\.id) == ["block-large-transfers", "exempt-small-transfers", "mfa-transfers", "new-address-payee", "mfa-add-payee", "burst-of-exports"])
        try await fixture.platform.removeEDVRule(id: "burst-of-exports")
        #expect(await stepupError { try await fixture.platform.removeEDVRule(id: "burst-of-exports") }?.code == .notFound)
        await fixture.close()
    }
}
