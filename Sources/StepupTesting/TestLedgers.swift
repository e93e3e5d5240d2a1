import Foundation
import StepupCore

/// ``CompletionPolicy``'s reads and writes on the test platform's memory.
struct TestCompletionLedger: CompletionLedger {
    let platform: TestPlatform

    func properties() async throws -> SystemProperties { platform.properties }

    func consume(_ context: MFAContext, level: AssuranceLevel, notBefore: Date, at now: Date) async throws -> MFACompletion? {
        platform.state.withLock { state in
            guard
                let index = state.completions.indices
                    .filter({ state.completions[$0].context == context && state.completions[$0].consumedAt == nil })
                    .filter({ state.completions[$0].level >= level })
                    .filter({ state.completions[$0].completedAt >= notBefore })
                    .min(by: { state.completions[$0].completedAt < state.completions[$1].completedAt })
            else { return nil }
            state.completions[index].consumedAt = now
            let completion = state.completions[index]
            state.trail.append(
                AuditEvent(
                    at: now, action: "mfa.completion.consumed", outcome: .success, userID: completion.userID,
                    sessionID: TestPlatform.sessionID, challengeID: completion.challengeID,
                    details: ["context": context.kind, "completion": completion.id]))
            return completion
        }
    }

    func reuse(_ context: MFAContext, level: AssuranceLevel, notBefore: Date, freshFor: Int, at now: Date) async throws
        -> MFACompletion?
    {
        platform.state.withLock { state in
            guard
                let completion = state.completions
                    .filter({ $0.context == context && $0.completedAt >= notBefore && $0.level >= level })
                    .max(by: { $0.completedAt < $1.completedAt })
            else { return nil }
            state.trail.append(
                AuditEvent(
                    at: now, action: "mfa.completion.reused", outcome: .success, userID: completion.userID,
                    sessionID: TestPlatform.sessionID, challengeID: completion.challengeID,
                    details: ["context": context.kind, "freshFor": String(freshFor)]))
            return completion
        }
    }
}

/// History for EDV rules from the test platform's trail; the call's own event counts as the platform counts it.
struct TestEDVFacts: EDVFacts {
    let platform: TestPlatform
    let input: EDVInput

    func eventCount(action: String, since: Date) async throws -> Int {
        let stored = platform.state.withLock { state in
            state.trail.filter { $0.action == action && $0.at >= since && $0.userID == input.userID }.count
        }
        return stored + (action == input.action && input.at >= since ? 1 : 0)
    }

    func isNewAddress() async throws -> Bool { platform.state.withLock { $0.newAddress } }
}

/// ``EDVPolicy``'s reads and writes on the test platform's memory, for one call.
struct TestEDVLedger: EDVLedger {
    let platform: TestPlatform
    let input: EDVInput

    var facts: any EDVFacts { TestEDVFacts(platform: platform, input: input) }

    func properties() async throws -> SystemProperties { platform.properties }

    func unconsumedCompletions(since: Date) async throws -> [MFACompletion] {
        platform.state.withLock { state in
            state.completions.filter { $0.consumedAt == nil && $0.completedAt >= since }.sorted { $0.completedAt < $1.completedAt }
        }
    }

    func consume(_ completion: MFACompletion, at now: Date) async throws -> Bool {
        platform.state.withLock { state in
            guard let index = state.completions.firstIndex(where: { $0.id == completion.id && $0.consumedAt == nil })
            else { return false }
            state.completions[index].consumedAt = now
            return true
        }
    }

    func completions(since: Date) async throws -> [MFACompletion] {
        platform.state.withLock { state in state.completions.filter { $0.completedAt >= since } }
    }

    func ruleThatOpened(challengeID: String) async throws -> String? {
        platform.state.withLock { state in
            state.trail.first { event in
                event.action == "edv.decision" && event.challengeID == challengeID && event.details["answer"] == "require_mfa"
            }?.details["rule"]
        }
    }

    /// Data rules first in their list, Swift rules tagged by position in theirs: the platform's one order.
    func rules() async throws -> [EDVRuleEntry] {
        let all = platform.state.withLock { $0.rules }
        let data = all.filter { $0 is EDVRuleDefinition }
        let swift = all.filter { !($0 is EDVRuleDefinition) }
        return EDVRuleEntry.ordered(data: data, swift: swift)
    }

    func answer(of entry: EDVRuleEntry, for input: EDVInput) async throws -> EDVRuleAnswer {
        .decision(try await entry.rule.evaluate(input, facts: facts))
    }

    func hasExemption(_ context: MFAContext) async throws -> Bool {
        platform.state.withLock { state in state.completions.contains { $0.method == .exemption && $0.context == context } }
    }

    /// The store's one conditional update, on memory.
    func reserveExemption(amountMinor: Int64, transactions: Int, properties: SystemProperties) async throws
        -> ExemptionRefusal?
    {
        platform.state.withLock { state in
            let amount = state.exemptedAmountMinor.addingReportingOverflow(amountMinor)
            if !amount.overflow, amount.partialValue <= properties.exemptionCumulativeAmountMinor,
                state.exemptedTransactions + transactions <= properties.exemptionConsecutiveTransactions
            {
                state.exemptedAmountMinor = amount.partialValue
                state.exemptedTransactions += transactions
                return nil
            }
            return state.exemptedTransactions + transactions > properties.exemptionConsecutiveTransactions
                ? .consecutiveTransactions : .cumulativeAmount
        }
    }

    func exempt(_ context: MFAContext, eventID: String, at now: Date) async throws -> String {
        var challenge = Challenge(
            userID: input.userID, sessionID: TestPlatform.sessionID, context: context, createdAt: now, lifetime: 60)
        try challenge.choose(.exemption, at: now)
        try challenge.apply(.complete, at: now)
        var completion = MFACompletion(
            sessionID: TestPlatform.sessionID, challengeID: challenge.id, userID: input.userID, context: context,
            method: .exemption, completedAt: now, amr: [], level: .aal1)
        completion.consumedAt = now
        platform.state.withLock { [challenge, completion] state in
            state.challenges.append(challenge)
            state.completions.append(completion)
            state.trail.append(
                AuditEvent(
                    at: now, action: "mfa.exemption", outcome: .success, userID: input.userID,
                    sessionID: TestPlatform.sessionID, challengeID: challenge.id,
                    details: ["event": eventID, "completion": completion.id]))
        }
        return challenge.id
    }

    func openChallenge(for context: MFAContext, level: AssuranceLevel, properties: SystemProperties, at now: Date)
        async throws -> (id: String, context: MFAContext)
    {
        platform.openChallenge(for: context, level: level, lifetime: properties.challengeLifetime, at: now)
    }

    func record(_ decision: EDVDecisionRecord) async throws {
        var details = ["event": input.eventID, "auditAction": input.action, "answer": decision.answer, "rule": decision.rule]
        if let reason = decision.reason { details["reason"] = reason }
        if let level = decision.level { details["level"] = level.rawValue }
        let call = AuditEvent(
            id: input.eventID, at: input.at, action: input.action, outcome: .info, userID: input.userID,
            sessionID: TestPlatform.sessionID, details: input.details)
        let decided = AuditEvent(
            at: input.at, action: "edv.decision", outcome: decision.answer == "block" ? .failure : .info,
            userID: input.userID, sessionID: TestPlatform.sessionID, challengeID: decision.challengeID, details: details)
        platform.state.withLock { state in state.trail.append(contentsOf: [call, decided]) }
    }
}

extension TestPlatform {
    /// The session's open challenge for `context` (for EDV: the same action and details), or a new one; the first
    /// is `test-challenge`, then `test-challenge-2`, … so tests can name them. It needs at least `level`; an open
    /// one asked for again with a higher level is raised, as on the platform.
    func openChallenge(for context: MFAContext, level: AssuranceLevel = .aal1, lifetime: Int, at now: Date)
        -> (id: String, context: MFAContext)
    {
        state.withLock { state in
            let level = max(level, state.properties.requiredLevel(for: context))
            let existing = state.challenges.lastIndex { candidate in
                guard candidate.state.isOpen, now < candidate.expiresAt else { return false }
                if case .eventDrivenValidation(_, let name, let hash) = context,
                    case .eventDrivenValidation(_, let otherName, let otherHash) = candidate.context
                {
                    return name == otherName && hash == otherHash
                }
                return candidate.context == context
            }
            if let existing {
                state.challenges[existing].requiredLevel = max(state.challenges[existing].requiredLevel, level)
                return (state.challenges[existing].id, state.challenges[existing].context)
            }
            let number = state.challenges.filter { $0.id.hasPrefix("test-challenge") }.count + 1
            let challenge = Challenge(
                id: number == 1 ? "test-challenge" : "test-challenge-\(number)", userID: userID,
                sessionID: Self.sessionID, context: context, createdAt: now, lifetime: TimeInterval(lifetime),
                requiredLevel: level)
            state.challenges.append(challenge)
            state.trail.append(
                AuditEvent(
                    at: now, action: "mfa.challenge.opened", outcome: .info, userID: userID, sessionID: Self.sessionID,
                    challengeID: challenge.id, details: ["context": context.kind]))
            return (challenge.id, challenge.context)
        }
    }
}
