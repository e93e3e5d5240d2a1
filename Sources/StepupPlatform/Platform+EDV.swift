import Foundation
import StepupCore
import StepupStore
import Synchronization

/// History for EDV rules, read from the open transaction. The call's own event is written only once the rules have
/// decided, so it is counted here as if it were.
struct StoreEDVFacts: EDVFacts {
    let tx: StoreTransaction
    let input: EDVInput

    func eventCount(action: String, since: Date) async throws -> Int {
        let stored = try await tx.auditEventCount(userID: input.userID, action: action, since: since)
        return stored + (action == input.action && input.at >= since ? 1 : 0)
    }

    func isNewAddress() async throws -> Bool {
        guard let address = input.clientAddress else { return false }
        return try await !tx.addressSeenBefore(userID: input.userID, address: address, exceptSessionID: input.sessionID)
    }
}

/// A fact a Swift rule read before the write transaction, and what it read: checked again inside it, so an answer
/// is committed only on the history it was given (parallel calls cannot all pass a velocity rule on one stale count).
enum ReadFact: Sendable, Equatable {
    case eventCount(action: String, since: Date, value: Int)
    case isNewAddress(value: Bool)

    func holds(in facts: some EDVFacts) async throws -> Bool {
        switch self {
        case .eventCount(let action, let since, let value): try await facts.eventCount(action: action, since: since) == value
        case .isNewAddress(let value): try await facts.isNewAddress() == value
        }
    }
}

/// History for Swift EDV rules, which run before the write transaction: each fact is a short read of its own, so
/// a rule that calls a fraud engine holds no connection while it waits; every fact read is recorded.
final class PendingEDVFacts: EDVFacts {
    let store: any Store
    let input: EDVInput
    private let recorded = Mutex<[ReadFact]>([])

    init(store: any Store, input: EDVInput) {
        self.store = store
        self.input = input
    }

    var read: [ReadFact] { recorded.withLock { $0 } }

    func eventCount(action: String, since: Date) async throws -> Int {
        let input = self.input
        let value = try await store.read { try await StoreEDVFacts(tx: $0, input: input).eventCount(action: action, since: since) }
        recorded.withLock { $0.append(.eventCount(action: action, since: since, value: value)) }
        return value
    }

    func isNewAddress() async throws -> Bool {
        let input = self.input
        let value = try await store.read { try await StoreEDVFacts(tx: $0, input: input).isNewAddress() }
        recorded.withLock { $0.append(.isNewAddress(value: value)) }
        return value
    }
}

/// A Swift rule's answer, asked before the write transaction, with the facts it read.
struct PreparedAnswer: Sendable {
    let answer: Result<EDVDecision?, any Error>
    let facts: [ReadFact]
}

extension Platform {
    /// The rules, data and Swift, in their one order; a Swift rule's tag is its index in `swiftEDVRules`.
    func orderedRules(data: [any EDVRule]) -> [EDVRuleEntry] {
        EDVRuleEntry.ordered(data: data, swift: swiftEDVRules)
    }

    /// Asks the Swift rules before the write transaction, as far as the walk in order would reach them: not at all
    /// when a completion already opens the call (the retry after MFA), and not past the first decisive rule, data
    /// or Swift. Nil when a completion is waiting.
    func prepareSwiftAnswers(_ input: EDVInput, linked: MFAContext?, session: Session, now: Date) async throws
        -> [Int: PreparedAnswer]?
    {
        let action = input.action
        let (data, waiting): ([EDVRuleDefinition], Bool) = try await store.read { tx in
            let properties = try await tx.systemProperties()
            let since = now.addingTimeInterval(-Double(properties.mfaFreshness))
            let waiting = try await tx.unconsumedCompletions(sessionID: session.id, since: since)
                .contains { EDVPolicy.authorizes($0, action: action, linked: linked, input: input) }
            return (waiting ? [] : try await tx.edvRules(), waiting)
        }
        if waiting { return nil }
        var answers: [Int: PreparedAnswer] = [:]
        for entry in orderedRules(data: data) {
            let facts = PendingEDVFacts(store: store, input: input)
            guard let index = entry.tag else {
                if try await entry.rule.evaluate(input, facts: facts) != nil { break }
                continue
            }
            let answer: Result<EDVDecision?, any Error>
            do {
                answer = .success(try await entry.rule.evaluate(input, facts: facts))
            } catch {
                answer = .failure(error)
            }
            answers[index] = PreparedAnswer(answer: answer, facts: facts.read)
            if case .success(nil) = answer { continue }
            break
        }
        return answers
    }

    /// Creates the audit event of a guarded call and decides it (the seeds' Patrol).
    ///
    /// In one transaction: a completion this session holds for exactly this call (the transactions, or this action
    /// with these details) is consumed and the call allowed; otherwise the rules run in order and the first decisive
    /// answer wins; the event is appended with the decision. Allow lets the call run; for a route that names its
    /// transactions only an explicit allow rule does, and it records a consumed *exemption* completion so the
    /// transfer API sees the authorisation. Block refuses. Require MFA opens (or reuses) the challenge, unless the
    /// rule's re-prompt window covers an MFA this session already did for the action. Every step is audited.
    ///
    /// Swift rules may call out (a fraud engine): they are asked before the write transaction, so SQLite's one
    /// writer and its group commit never wait on them, and their answers are used only if the facts they read still
    /// hold inside it. Otherwise (a parallel call changed the history, a completion was taken meanwhile, the rules
    /// changed) the evaluation starts again; after three tries the Swift rules are asked inside the transaction.
    public func evaluateEvent(
        action: String, details: [String: String], linked: MFAContext?, level: AssuranceLevel = .aal1, session: Session
    ) async throws -> EDVOutcome {
        guard !action.isEmpty, action.count <= 100 else {
            throw StepupError(.badRequest, message: "An audit action name has 1 to 100 characters.")
        }
        for attempt in 0..<4 {
            let now = clock.now
            let event = AuditEvent(
                at: now, action: action, outcome: .info, userID: session.userID, sessionID: session.id, details: details)
            let input = EDVInput(
                eventID: event.id, action: action, details: details, userID: session.userID, sessionID: session.id,
                clientAddress: session.clientAddress, at: now)
            let inline = attempt == 3
            let prepared = swiftEDVRules.isEmpty || inline ? [:] : try await prepareSwiftAnswers(input, linked: linked, session: session, now: now)
            switch try await decide(
                event, input: input, linked: linked, level: level, session: session, prepared: prepared, inline: inline)
            {
            case .decided(let outcome): return outcome
            case .failed(let error): throw error
            case .retry: continue
            }
        }
        throw StepupError(.storeUnavailable)
    }

    enum Evaluation: Sendable {
        case decided(EDVOutcome)
        /// A Swift rule threw; nothing was written.
        case failed(any Error)
        /// What the Swift rules were asked on no longer holds; nothing was written.
        case retry
    }

    private func decide(
        _ event: AuditEvent, input: EDVInput, linked: MFAContext?, level: AssuranceLevel, session: Session,
        prepared: [Int: PreparedAnswer]?, inline: Bool
    ) async throws -> Evaluation {
        let swiftRules = swiftEDVRules
        return try await store.write { tx in
            // One user's guarded calls are decided one after another on every node: on PostgreSQL (READ COMMITTED)
            // parallel calls would otherwise each count a history without the others' events, and all pass a
            // velocity rule. SQLite's one writer orders them anyway.
            try await tx.lockSubject(scope: "edv.user", subject: session.userID)
            let ledger = StoreEDVLedger(
                tx: tx, event: event, input: input, session: session, swiftRules: swiftRules, prepared: prepared,
                inline: inline)
            guard let outcome = try await EDVPolicy.decide(input, linked: linked, level: level, in: ledger) else {
                return ledger.abandonedAs ?? .retry
            }
            return .decided(outcome)
        }
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
            method: .exemption, completedAt: now, amr: [], level: .aal1)
        completion.consumedAt = now
        try await tx.insert(completion)
        try await tx.append(
            AuditEvent(
                at: now, action: "mfa.exemption", outcome: .success, userID: session.userID, sessionID: session.id,
                challengeID: challenge.id, details: ["event": eventID, "completion": completion.id]))
        return completion
    }

    /// The session's open challenge for `context` (for EDV: the same action and details), or a new one, needing at
    /// least `level`: an open one asked for again with a higher level is raised, never lowered.
    static func openChallenge(
        for context: MFAContext, level: AssuranceLevel = .aal1, session: Session, now: Date, properties: SystemProperties,
        in tx: StoreTransaction
    ) async throws -> Challenge {
        // The bank's floor for payments holds whoever opens the challenge: a plain transaction guard, EDV, the API.
        let level = max(level, properties.requiredLevel(for: context))
        let open = try await tx.openChallenges(sessionID: session.id).filter { now < $0.expiresAt }
        let existing = open.first { candidate in
            if case .eventDrivenValidation(_, let name, let hash) = context,
                case .eventDrivenValidation(_, let otherName, let otherHash) = candidate.context
            {
                return name == otherName && hash == otherHash
            }
            return candidate.context == context
        }
        if var existing {
            if existing.requiredLevel < level {
                existing.requiredLevel = level
                try await tx.update(existing)
            }
            return existing
        }
        let challenge = Challenge(
            userID: session.userID, sessionID: session.id, context: context, createdAt: now,
            lifetime: TimeInterval(properties.challengeLifetime), requiredLevel: level)
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
