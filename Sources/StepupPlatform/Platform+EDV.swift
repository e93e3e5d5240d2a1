import Foundation
import StepupCore
import StepupStore

/// History for EDV rules, read from the open transaction.
struct StoreEDVFacts: EDVFacts {
    let tx: StoreTransaction
    let input: EDVInput

    func eventCount(action: String, since: Date) async throws -> Int {
        try await tx.auditEventCount(userID: input.userID, action: action, since: since)
    }

    func isNewAddress() async throws -> Bool {
        guard let address = input.clientAddress else { return false }
        return try await !tx.addressSeenBefore(userID: input.userID, address: address, exceptSessionID: input.sessionID)
    }
}

/// History for Swift EDV rules, which run before the write transaction: each fact is a short read of its own, so
/// a rule that calls a fraud engine holds no connection while it waits. The call's own event is not written yet, so
/// it is counted here as the data rules see it in the transaction.
struct PendingEDVFacts: EDVFacts {
    let store: any Store
    let input: EDVInput

    func eventCount(action: String, since: Date) async throws -> Int {
        let input = self.input
        let stored = try await store.read { try await $0.auditEventCount(userID: input.userID, action: action, since: since) }
        return stored + (action == input.action && input.at >= since ? 1 : 0)
    }

    func isNewAddress() async throws -> Bool {
        let input = self.input
        guard let address = input.clientAddress else { return false }
        return try await !store.read {
            try await $0.addressSeenBefore(userID: input.userID, address: address, exceptSessionID: input.sessionID)
        }
    }
}

extension Platform {
    /// The Swift rules' answers, in order up to the first decisive one (a later Swift rule can never win over it),
    /// computed before the write transaction. Nil entries are rules that answered nothing.
    func evaluateSwiftRules(_ input: EDVInput) async throws -> [String: EDVDecision] {
        var answers: [String: EDVDecision] = [:]
        let facts = PendingEDVFacts(store: store, input: input)
        for rule in swiftEDVRules.sorted(by: { ($0.position, $0.id) < ($1.position, $1.id) }) {
            if let answer = try await rule.evaluate(input, facts: facts) {
                answers[rule.id] = answer
                break
            }
        }
        return answers
    }

    /// Creates the audit event of a guarded call and decides it (the seeds' Patrol).
    ///
    /// In one transaction: the event is appended; a completion this session holds for exactly this call (the
    /// transactions, or this action with these details) is consumed and the call allowed; otherwise the rules run in
    /// order and the first decisive answer wins. Allow lets the call run; for a route that names its transactions
    /// only an explicit allow rule does, and it records a consumed *exemption* completion so the transfer API sees
    /// the authorisation. Block refuses. Require MFA opens (or reuses) the challenge, unless the rule's re-prompt
    /// window covers an MFA this session already did for the action. Every step is audited.
    public func evaluateEvent(
        action: String, details: [String: String], linked: MFAContext?, session: Session
    ) async throws -> EDVOutcome {
        let now = clock.now
        let swiftRules = self.swiftEDVRules
        guard !action.isEmpty, action.count <= 100 else {
            throw StepupError(.badRequest, message: "An audit action name has 1 to 100 characters.")
        }
        let event = AuditEvent(
            at: now, action: action, outcome: .info, userID: session.userID, sessionID: session.id, details: details)
        let input = EDVInput(
            eventID: event.id, action: action, details: details, userID: session.userID, sessionID: session.id,
            clientAddress: session.clientAddress, at: now)
        // Swift rules may call out (a fraud engine): they are asked before the write transaction, so SQLite's one
        // writer and its group commit never wait on them; their answers take their places among the data rules.
        let swiftAnswers = swiftRules.isEmpty ? [:] : try await evaluateSwiftRules(input)
        return try await store.write { tx in
            let properties = try await tx.systemProperties()
            try await tx.append(event)
            func decided(_ answer: String, rule: String?, challengeID: String? = nil, reason: String? = nil) async throws {
                var details = ["event": event.id, "auditAction": action, "answer": answer, "rule": rule ?? "default"]
                if let reason { details["reason"] = reason }
                try await tx.append(
                    AuditEvent(
                        at: now, action: "edv.decision", outcome: answer == "block" ? .failure : .info,
                        userID: session.userID, sessionID: session.id, challengeID: challengeID, details: details))
            }

            // 1. A completion for exactly this call opens it.
            let freshSince = now.addingTimeInterval(-Double(properties.mfaFreshness))
            for completion in try await tx.unconsumedCompletions(sessionID: session.id, since: freshSince) {
                let matches: Bool
                if let linked {
                    matches = completion.context == linked
                } else if case .eventDrivenValidation(_, let name, let hash) = completion.context {
                    matches = name == action && hash == input.detailsHash
                } else {
                    matches = false
                }
                if matches, try await tx.consume(completionID: completion.id, at: now) {
                    try await decided("satisfied", rule: nil, challengeID: completion.challengeID)
                    return .allow(completion.context)
                }
            }

            // 2. The rules, in order.
            let dataRules: [any EDVRule] = try await tx.edvRules()
            let rules = (dataRules + swiftRules).sorted { ($0.position, $0.id) < ($1.position, $1.id) }
            let facts = StoreEDVFacts(tx: tx, input: input)
            var decision: (EDVDecision, any EDVRule)?
            for rule in rules {
                let answer = rule is EDVRuleDefinition ? try await rule.evaluate(input, facts: facts) : swiftAnswers[rule.id]
                if let answer {
                    decision = (answer, rule)
                    break
                }
            }

            // Why SCA is required although a rule allowed: PSD2 RTS art. 16's counters had no room.
            var exemptionRefused: ExemptionRefusal?
            switch decision {
            case (.block, let rule)?:
                try await decided("block", rule: rule.id)
                return .block
            case (.allow, let rule)? where linked != nil:
                guard let linked else { break }
                if let refusal = try await Self.reserveExemption(linked, userID: session.userID, properties: properties, in: tx) {
                    exemptionRefused = refusal
                    break
                }
                let exemption = try await Self.exempt(linked, session: session, eventID: event.id, now: now, in: tx)
                try await decided("allow", rule: rule.id, challengeID: exemption.challengeID)
                return .allow(linked)
            case (.allow, let rule)?:
                try await decided("allow", rule: rule.id)
                return .allow(nil)
            case nil where linked == nil:
                try await decided("allow", rule: nil)
                return .allow(nil)
            case (.requireMFA, let rule)?:
                if linked == nil, let minutes = rule.repromptAfterMinutes {
                    // Exclusive: at exactly N minutes the window has ended.
                    let since = now.addingTimeInterval(-Double(minutes * 60) + 0.001)
                    let recent = try await tx.completions(sessionID: session.id, since: since).contains { completion in
                        if case .eventDrivenValidation(_, let name, _) = completion.context { return name == action }
                        return false
                    }
                    if recent {
                        try await decided("allow_within_reprompt_window", rule: rule.id)
                        return .allow(nil)
                    }
                }
            default: break
            }
            let context = linked
                ?? .eventDrivenValidation(auditActionID: event.id, auditActionName: action, detailsHash: input.detailsHash)
            let challenge = try await Self.openChallenge(for: context, session: session, now: now, properties: properties, in: tx)
            try await decided("require_mfa", rule: decision?.1.id, challengeID: challenge.id, reason: exemptionRefused?.rawValue)
            return .requireMFA(challengeID: challenge.id, context: challenge.context)
        }
    }

    /// Takes a transaction's amounts and count from the user's art. 16 counters, or says why not.
    static func reserveExemption(
        _ context: MFAContext, userID: String, properties: SystemProperties, in tx: StoreTransaction
    ) async throws -> ExemptionRefusal? {
        guard case .transaction(let items) = context else { return nil }
        guard items.allSatisfy({ $0.currency == properties.exemptionCurrency }) else { return .currency }
        // The same transaction again (a double click, a retry): the transfer API pays it once, so it is counted once.
        // The user's row lock makes that hold for parallel repeats on several nodes too.
        try await tx.lockSubject(scope: "exemption.user", subject: userID)
        if try await tx.hasExemption(userID: userID, context: context) { return nil }
        guard let total = MoneyLimits.total(items.map(\.amountMinor)) else { return .cumulativeAmount }
        return try await tx.reserveExemption(
            userID: userID, amountMinor: total, transactions: items.count,
            amountLimit: properties.exemptionCumulativeAmountMinor,
            transactionLimit: properties.exemptionConsecutiveTransactions)
    }

    /// Records an explicit EDV exemption for a transaction as a completed, consumed challenge.
    static func exempt(_ context: MFAContext, session: Session, eventID: String, now: Date, in tx: StoreTransaction)
        async throws -> MFACompletion
    {
        var challenge = Challenge(userID: session.userID, sessionID: session.id, context: context, createdAt: now, lifetime: 60)
        try challenge.choose(.exemption, at: now)
        try challenge.apply(.complete, at: now)
        try await tx.insert(challenge)
        var completion = MFACompletion(
            sessionID: session.id, challengeID: challenge.id, userID: session.userID, context: context,
            method: .exemption, completedAt: now)
        completion.consumedAt = now
        try await tx.insert(completion)
        try await tx.append(
            AuditEvent(
                at: now, action: "mfa.exemption", outcome: .success, userID: session.userID, sessionID: session.id,
                challengeID: challenge.id, details: ["event": eventID, "completion": completion.id]))
        return completion
    }

    /// The session's open challenge for `context` (for EDV: the same action and details), or a new one.
    static func openChallenge(
        for context: MFAContext, session: Session, now: Date, properties: SystemProperties, in tx: StoreTransaction
    ) async throws -> Challenge {
        let open = try await tx.openChallenges(sessionID: session.id).filter { now < $0.expiresAt }
        let existing = open.first { candidate in
            if case .eventDrivenValidation(_, let name, let hash) = context,
                case .eventDrivenValidation(_, let otherName, let otherHash) = candidate.context
            {
                return name == otherName && hash == otherHash
            }
            return candidate.context == context
        }
        if let existing { return existing }
        let challenge = Challenge(
            userID: session.userID, sessionID: session.id, context: context, createdAt: now,
            lifetime: TimeInterval(properties.challengeLifetime))
        try await tx.insert(challenge)
        try await tx.append(challengeOpened(challenge, at: now))
        return challenge
    }

    // MARK: Rules as data

    public func edvRules() async throws -> [EDVRuleDefinition] {
        try await store.read { try await $0.edvRules() }
    }

    /// Adds or replaces rules (from a JSON file or the CLI), validated, in one transaction.
    public func saveEDVRules(_ rules: [EDVRuleDefinition]) async throws {
        let now = clock.now
        try await store.write { tx in
            for rule in rules {
                try await tx.save(rule)
                try await tx.append(
                    AuditEvent(at: now, action: "edv.rule.saved", outcome: .success, userID: nil, details: ["rule": rule.id]))
            }
        }
    }

    public func removeEDVRule(id: String) async throws {
        let now = clock.now
        let _: Bool = try await commit { tx in
            guard try await tx.removeEDVRule(id: id) else {
                return .failure(StepupError(.notFound, message: "There is no EDV rule \(id)."))
            }
            try await tx.append(AuditEvent(at: now, action: "edv.rule.removed", outcome: .success, userID: nil, details: ["rule": id]))
            return .success(true)
        }
    }

    /// Parses a JSON array of rules.
    public static func parseEDVRules(_ data: Data) throws -> [EDVRuleDefinition] {
        do {
            return try JSONDecoder().decode([EDVRuleDefinition].self, from: data)
        } catch let error as StepupError {
            throw error
        } catch {
            throw StepupError(.configurationInvalid, message: "The EDV rules are not a valid JSON array of rules: \(error)")
        }
    }
}
