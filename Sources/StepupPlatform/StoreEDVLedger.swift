import Foundation
import StepupCore
import StepupStore
import Synchronization

/// ``EDVPolicy``'s reads and writes on the platform's open write transaction, for one call of one session.
///
/// A Swift rule's answer comes from its prepared answer, and only while every fact it read still holds; otherwise
/// the walk is abandoned (nothing written) and the platform asks again.
final class StoreEDVLedger: EDVLedger {
    let tx: StoreTransaction
    let event: AuditEvent
    let input: EDVInput
    let session: Session
    let swiftRules: [any EDVRule]
    let prepared: [Int: PreparedAnswer]?
    let inline: Bool
    private let abandoned = Mutex<Platform.Evaluation?>(nil)

    init(
        tx: StoreTransaction, event: AuditEvent, input: EDVInput, session: Session, swiftRules: [any EDVRule],
        prepared: [Int: PreparedAnswer]?, inline: Bool
    ) {
        self.tx = tx
        self.event = event
        self.input = input
        self.session = session
        self.swiftRules = swiftRules
        self.prepared = prepared
        self.inline = inline
    }

    /// Why the walk was abandoned: `.retry` (a fact changed) or `.failed` (a Swift rule threw).
    var abandonedAs: Platform.Evaluation? { abandoned.withLock { $0 } }

    var facts: any EDVFacts { StoreEDVFacts(tx: tx, input: input) }

    func properties() async throws -> SystemProperties { try await tx.systemProperties() }

    func unconsumedCompletions(since: Date) async throws -> [MFACompletion] {
        try await tx.unconsumedCompletions(sessionID: session.id, since: since)
    }

    func consume(_ completion: MFACompletion, at now: Date) async throws -> Bool {
        try await tx.consume(completionID: completion.id, at: now)
    }

    func completions(since: Date) async throws -> [MFACompletion] {
        try await tx.completions(sessionID: session.id, since: since)
    }

    func ruleThatOpened(challengeID: String) async throws -> String? {
        // The decision that opened it was made within the challenge's lifetime and the completion's freshness.
        let properties = try await tx.systemProperties()
        let since = input.at.addingTimeInterval(-Double(properties.challengeLifetime + properties.mfaFreshness))
        return try await tx.ruleThatOpened(challengeID: challengeID, userID: session.userID, since: since)
    }

    func rules() async throws -> [EDVRuleEntry] {
        EDVRuleEntry.ordered(data: try await tx.edvRules(), swift: swiftRules)
    }

    func answer(of entry: EDVRuleEntry, for input: EDVInput) async throws -> EDVRuleAnswer {
        guard let index = entry.tag else { return .decision(try await entry.rule.evaluate(input, facts: facts)) }
        if inline {
            // Inline, a Swift rule's own error is answered as it is, as on the prepared path.
            do {
                return .decision(try await entry.rule.evaluate(input, facts: facts))
            } catch {
                return abandon(.failed(error))
            }
        }
        guard let prepared = prepared?[index] else { return abandon(.retry) }
        for fact in prepared.facts where try await !fact.holds(in: facts) { return abandon(.retry) }
        switch prepared.answer {
        case .success(let value): return .decision(value)
        case .failure(let error): return abandon(.failed(error))
        }
    }

    private func abandon(_ why: Platform.Evaluation) -> EDVRuleAnswer {
        abandoned.withLock { $0 = why }
        return .abandon
    }

    func hasExemption(_ context: MFAContext) async throws -> Bool {
        // The user's row lock makes "counted once per transaction" hold for parallel repeats on several nodes.
        try await tx.lockSubject(scope: "exemption.user", subject: session.userID)
        return try await tx.hasExemption(userID: session.userID, context: context)
    }

    func reserveExemption(amountMinor: Int64, transactions: Int, properties: SystemProperties) async throws
        -> ExemptionRefusal?
    {
        try await tx.reserveExemption(
            userID: session.userID, amountMinor: amountMinor, transactions: transactions,
            amountLimit: properties.exemptionCumulativeAmountMinor,
            transactionLimit: properties.exemptionConsecutiveTransactions)
    }

    func exempt(_ context: MFAContext, eventID: String, at now: Date) async throws -> String {
        try await Platform.exempt(context, session: session, eventID: eventID, now: now, in: tx).challengeID
    }

    func openChallenge(for context: MFAContext, level: AssuranceLevel, properties: SystemProperties, at now: Date)
        async throws -> (id: String, context: MFAContext)
    {
        let challenge = try await Platform.openChallenge(
            for: context, level: level, session: session, now: now, properties: properties, in: tx)
        return (challenge.id, challenge.context)
    }

    func record(_ decision: EDVDecisionRecord) async throws {
        try await tx.append(event)
        var details = ["event": event.id, "auditAction": input.action, "answer": decision.answer, "rule": decision.rule]
        if let reason = decision.reason { details["reason"] = reason }
        if let level = decision.level { details["level"] = level.rawValue }
        try await tx.append(
            AuditEvent(
                at: input.at, action: "edv.decision", outcome: decision.answer == "block" ? .failure : .info,
                userID: session.userID, sessionID: session.id, challengeID: decision.challengeID, details: details))
    }
}
