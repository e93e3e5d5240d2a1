import Foundation

/// Why PSD2 RTS art. 16 refused a low-value exemption.
public enum ExemptionRefusal: String, Sendable, Equatable {
    /// The amount exempted since the last SCA would pass the cumulative limit.
    case cumulativeAmount = "art16_cumulative_amount"
    /// As many exempted transactions as allowed already follow one another.
    case consecutiveTransactions = "art16_consecutive_transactions"
    /// The transaction is not in the bank's currency, so it cannot be counted against the limit.
    case currency = "art16_currency"
}

/// One rule in the walk, with a tag its ledger uses to tell where the answer comes from (the platform: which Swift
/// rule was asked before the transaction).
public struct EDVRuleEntry: Sendable {
    public let rule: any EDVRule
    public let tag: Int?

    public init(rule: any EDVRule, tag: Int? = nil) {
        self.rule = rule
        self.tag = tag
    }

    /// Data rules and Swift rules in their one order: by position, then id, then registration order.
    public static func ordered(data: [any EDVRule], swift: [any EDVRule]) -> [EDVRuleEntry] {
        let tagged = data.map { EDVRuleEntry(rule: $0) } + swift.enumerated().map { EDVRuleEntry(rule: $1, tag: $0) }
        return tagged.sorted { ($0.rule.position, $0.rule.id, $0.tag ?? -1) < ($1.rule.position, $1.rule.id, $1.tag ?? -1) }
    }
}

/// A rule's answer as the ledger gives it: its decision (nil: none), or `abandon` to end the walk with nothing
/// written (the platform's prepared answer no longer holds, or a Swift rule failed).
public enum EDVRuleAnswer: Sendable {
    case decision(EDVDecision?)
    case abandon
}

/// What one decision writes: the call's audit event and an `edv.decision` event with these fields.
public struct EDVDecisionRecord: Sendable, Equatable {
    /// `satisfied`, `allow`, `allow_within_reprompt_window`, `require_mfa` or `block`.
    public let answer: String
    /// The rule that decided; for `satisfied`, the rule that asked for the MFA; `default` when no rule decided.
    public let rule: String
    public let challengeID: String?
    /// Why SCA was required although a rule allowed (art. 16), or that no rule decided.
    public let reason: String?
    /// For `require_mfa` above `aal1`: the level the MFA must reach.
    public let level: AssuranceLevel?

    public init(answer: String, rule: String, challengeID: String? = nil, reason: String? = nil, level: AssuranceLevel? = nil) {
        self.level = level
        self.answer = answer
        self.rule = rule
        self.challengeID = challengeID
        self.reason = reason
    }
}

/// Where an EDV decision reads and writes, for one session: the platform's open store transaction, or the test
/// kit's memory. The decision itself is ``EDVPolicy/decide(_:linked:level:in:)``, written once, so an extension's tests
/// get the answer the platform gives.
///
/// ```swift
/// struct MemoryLedger: EDVLedger { … }   // every requirement reads or writes the session's own rows
/// let outcome = try await EDVPolicy.decide(input, linked: nil, in: MemoryLedger(…))
/// ```
public protocol EDVLedger: Sendable {
    func properties() async throws -> SystemProperties
    /// History for data rules.
    var facts: any EDVFacts { get }
    /// The session's completions not yet consumed, completed at or after `since`, oldest first.
    func unconsumedCompletions(since: Date) async throws -> [MFACompletion]
    /// Marks a completion consumed, once; false if another call took it first.
    func consume(_ completion: MFACompletion, at now: Date) async throws -> Bool
    /// The session's completions, consumed or not, completed at or after `since`.
    func completions(since: Date) async throws -> [MFACompletion]
    /// The rule that answered `require_mfa` when `challengeID` was opened, if one did.
    func ruleThatOpened(challengeID: String) async throws -> String?
    /// The rules in the order they are asked.
    func rules() async throws -> [EDVRuleEntry]
    /// One rule's answer for `input`.
    func answer(of entry: EDVRuleEntry, for input: EDVInput) async throws -> EDVRuleAnswer
    /// Whether the user already has an exemption for exactly `context` (a repeat of the same payment).
    func hasExemption(_ context: MFAContext) async throws -> Bool
    /// Adds to the user's art. 16 counters if both stay within their limits, atomically; nil when reserved.
    func reserveExemption(amountMinor: Int64, transactions: Int, properties: SystemProperties) async throws
        -> ExemptionRefusal?
    /// Records the exemption as a consumed completion for exactly `context`; returns its challenge id.
    func exempt(_ context: MFAContext, eventID: String, at now: Date) async throws -> String
    /// The session's open challenge for `context` (for EDV: the same action and details), or a new one, needing
    /// at least `level` (an open one is raised to it, never lowered).
    func openChallenge(for context: MFAContext, level: AssuranceLevel, properties: SystemProperties, at now: Date)
        async throws -> (id: String, context: MFAContext)
    /// Writes the call's audit event and the decision.
    func record(_ decision: EDVDecisionRecord) async throws
}

/// The platform's answer to a guarded call's audit event (the seeds' Patrol), independent of where it is stored.
public enum EDVPolicy {
    /// Decides one call. A completion the session holds for exactly this call (the transactions, or this action
    /// with these details) is consumed and the call allowed. Otherwise the rules run in order and the first
    /// decisive answer wins. With no decisive rule, the bank's `EdvDefaultDecision` answers (require MFA unless the
    /// bank chose otherwise): a guard is never open because nobody wrote a rule. A route that names its
    /// transactions is exempt only by an explicit allow rule, within art. 16's counters. MFA, when asked, must
    /// reach `level` (the guard's) or the deciding rule's `requiredLevel`, whichever is higher, and only a
    /// completion of that level opens the call. Nil when the ledger abandoned the walk (nothing was written).
    public static func decide(_ input: EDVInput, linked: MFAContext?, level: AssuranceLevel = .aal1, in ledger: some EDVLedger)
        async throws -> EDVOutcome?
    {
        let now = input.at
        let action = input.action
        let properties = try await ledger.properties()

        // 1. A completion for exactly this call, of the guard's level and the bank's floor, opens it. (It was made
        // for a challenge this call's rules opened, at the level they asked then.)
        let floor = max(level, properties.requiredLevel(for: linked))
        let freshSince = now.addingTimeInterval(-Double(properties.mfaFreshness))
        for completion in try await ledger.unconsumedCompletions(since: freshSince) {
            if completion.level >= floor, authorizes(completion, action: action, linked: linked, input: input),
                try await ledger.consume(completion, at: now)
            {
                let rule = try await ledger.ruleThatOpened(challengeID: completion.challengeID)
                try await ledger.record(
                    EDVDecisionRecord(answer: "satisfied", rule: rule ?? "default", challengeID: completion.challengeID))
                return .allow(completion.context)
            }
        }

        // 2. The rules, in order; then the bank's default.
        var decision: (EDVDecision, any EDVRule)?
        for entry in try await ledger.rules() {
            switch try await ledger.answer(of: entry, for: input) {
            case .abandon: return nil
            case .decision(nil): continue
            case .decision(let answer?): decision = (answer, entry.rule)
            }
            break
        }

        var reason: String?
        // A guard that names a level above aal1 always asks for MFA at it: an allow (a rule's, an exemption, the
        // default) never opens a route its author said needs a passkey.
        if level > .aal1, decision?.0 == .allow || (decision == nil && properties.edvDefaultDecision == .allow) {
            let context = linked
                ?? .eventDrivenValidation(auditActionID: input.eventID, auditActionName: action, detailsHash: input.detailsHash)
            let challenge = try await ledger.openChallenge(for: context, level: level, properties: properties, at: now)
            try await ledger.record(
                EDVDecisionRecord(
                    answer: "require_mfa", rule: decision?.1.id ?? "default", challengeID: challenge.id,
                    reason: "guard_level", level: level))
            return .requireMFA(challengeID: challenge.id, context: challenge.context)
        }
        switch decision {
        case (.block, let rule)?:
            try await ledger.record(EDVDecisionRecord(answer: "block", rule: rule.id))
            return .block
        case (.allow, let rule)?:
            guard let linked else {
                try await ledger.record(EDVDecisionRecord(answer: "allow", rule: rule.id))
                return .allow(nil)
            }
            if let refusal = try await reserveExemption(linked, properties: properties, in: ledger) {
                reason = refusal.rawValue
                break
            }
            let challengeID = try await ledger.exempt(linked, eventID: input.eventID, at: now)
            try await ledger.record(EDVDecisionRecord(answer: "allow", rule: rule.id, challengeID: challengeID))
            return .allow(linked)
        case (.requireMFA, let rule)?:
            if linked == nil, let minutes = rule.repromptAfterMinutes {
                // Exclusive: at exactly N minutes the window has ended.
                let since = now.addingTimeInterval(-Double(minutes * 60) + 0.001)
                // Only an MFA of the level this answer needs spares the next one.
                let needed = max(level, rule.requiredLevel ?? .aal1)
                let recent = try await ledger.completions(since: since).contains { completion in
                    guard completion.level >= needed else { return false }
                    if case .eventDrivenValidation(_, let name, _) = completion.context { return name == action }
                    return false
                }
                if recent {
                    try await ledger.record(EDVDecisionRecord(answer: "allow_within_reprompt_window", rule: rule.id))
                    return .allow(nil)
                }
            }
        case nil:
            reason = "no_rule_decided"
            switch properties.edvDefaultDecision {
            case .block:
                try await ledger.record(EDVDecisionRecord(answer: "block", rule: "default", reason: reason))
                return .block
            case .allow where linked == nil:
                try await ledger.record(EDVDecisionRecord(answer: "allow", rule: "default", reason: reason))
                return .allow(nil)
            case .allow, .requireMFA:
                break
            }
        }
        let context = linked
            ?? .eventDrivenValidation(auditActionID: input.eventID, auditActionName: action, detailsHash: input.detailsHash)
        let required = max(level, decision?.1.requiredLevel ?? .aal1)
        let challenge = try await ledger.openChallenge(for: context, level: required, properties: properties, at: now)
        try await ledger.record(
            EDVDecisionRecord(
                answer: "require_mfa", rule: decision?.1.id ?? "default", challengeID: challenge.id, reason: reason,
                level: required == .aal1 ? nil : required))
        return .requireMFA(challengeID: challenge.id, context: challenge.context)
    }

    /// Whether `completion` is the MFA for exactly this call: its transactions, or this action with these details.
    public static func authorizes(_ completion: MFACompletion, action: String, linked: MFAContext?, input: EDVInput) -> Bool {
        if let linked { return completion.context == linked }
        if case .eventDrivenValidation(_, let name, let hash) = completion.context {
            return name == action && hash == input.detailsHash
        }
        return false
    }

    /// Takes a transaction's amounts and count from the user's art. 16 counters, or says why not.
    static func reserveExemption(_ context: MFAContext, properties: SystemProperties, in ledger: some EDVLedger)
        async throws -> ExemptionRefusal?
    {
        guard case .transaction(let items) = context else { return nil }
        guard items.allSatisfy({ $0.currency == properties.exemptionCurrency }) else { return .currency }
        // The same transaction again (a double click, a retry): the transfer API pays it once, so it is counted once.
        if try await ledger.hasExemption(context) { return nil }
        guard let total = MoneyLimits.total(items.map(\.amountMinor)) else { return .cumulativeAmount }
        return try await ledger.reserveExemption(amountMinor: total, transactions: items.count, properties: properties)
    }
}
