import Foundation
import StepupCore
import StepupSDK
import Synchronization

/// An in-memory platform for extension unit tests: one user in one session, with accounts, transfers, the bank's
/// EDV rules and system properties, challenges, completions and the audit trail.
///
/// It answers what the platform answers because it runs the platform's own policy code on memory: the EDV walk and
/// its default (`EDVPolicy`: completion first, rules by position, `EdvDefaultDecision`, art. 16 exemptions,
/// re-prompt windows), the choice of completion (`CompletionPolicy`: single use within `MfaFreshnessSeconds`, or
/// a route's `freshFor`), dynamic linking at the transfer API, and the external MFA attempt counter. A parity test
/// in the Stepup repository runs the same scenarios here and against a real `stepup serve`.
///
/// ```swift
/// let platform = TestPlatform(userID: "user-1", rules: [
///     EDVRuleDefinition(id: "small", position: 10, action: "TransferFunds",
///                       conditions: [.detailAtMost(key: "amount", threshold: 30)], decision: .allow),
/// ])
/// let tester = ExtensionTester(MyExtension(), platform: platform)
/// let first = await tester.run("confirm", fields: ["amount": "2500"])      // no rule decides: mfa_required
/// try platform.completeChallenge(first.error!.challengeID!)                // the customer passes MFA
/// let retry = await tester.run("confirm", fields: ["amount": "2500"])      // the handler runs, once
/// ```
public final class TestPlatform: Sendable {
    struct TransferEntry {
        let request: TransferRequest
        let receipt: TransferReceipt
        let completionID: String
        let at: Date
    }

    struct State {
        var accounts: [Account]
        var transfers: [TransferEntry] = []
        var disclaimers: [String] = []
        var externalTokens: [String] = []
        var events: [RecordedEvent] = []
        var failures = 0
        var openAttempts: Set<String> = []
        var rules: [any EDVRule]
        var properties: SystemProperties
        var completions: [MFACompletion] = []
        var challenges: [Challenge] = []
        var trail: [AuditEvent] = []
        var exemptedAmountMinor: Int64 = 0
        var exemptedTransactions = 0
        var newAddress: Bool
    }

    /// The one session the kit's user is signed in with.
    public static let sessionID = "test-session"

    /// Consecutive failures on the user's counter, as the platform keeps them: external proofs that failed.
    public var failures: Int { state.withLock { $0.failures } }
    /// The failure counter's limit (the platform's `MfaAttemptLimit`, default 5).
    public var attemptLimit: Int { state.withLock { $0.properties.attemptLimit } }

    /// An event the extension wrote with `PlatformClient.recordEvent(_:succeeded:details:)`.
    public struct RecordedEvent: Sendable, Equatable {
        public let action: String
        public let succeeded: Bool
        public let details: [String: String]

        public init(action: String, succeeded: Bool, details: [String: String]) {
            self.action = action
            self.succeeded = succeeded
            self.details = details
        }
    }

    /// The events the extension recorded, in order.
    public var events: [RecordedEvent] { state.withLock { $0.events } }

    func record(_ event: RecordedEvent) { state.withLock { $0.events.append(event) } }

    public let userID: String
    /// The user as the platform's user record describes them (the SDK's `OnlineUser` and `UserProfile`).
    public let profile: UserProfile
    public let registrationValue: String?
    public let ssoIdentifier: String?
    let clock: @Sendable () -> Date
    let state: Mutex<State>

    /// - Parameters:
    ///   - userID: the signed-in user's id, in the kit's one session (``TestPlatform/sessionID``).
    ///   - accounts: the user's accounts; by default one checking account with 1,000.00 USD.
    ///   - registrationValue: the user's `mfa_registration` value for the extension, as `mfaInfo` shows it.
    ///   - ssoIdentifier: the user's SSO identifier, as `mfaInfo` shows it.
    ///   - attemptLimit: the failure counter's limit; overrides `MfaAttemptLimit` in `properties`.
    ///   - rules: the bank's EDV rules, data (`EDVRuleDefinition`) and Swift (`EDVRule`), as `stepup edv load`
    ///     and the composition root give them to the platform. None: every audit action answers the default.
    ///   - properties: the bank's system properties (`stepup props set`); `attemptLimit` overrides `MfaAttemptLimit`.
    ///   - profile: the user's record (the SDK's `OnlineUser`); by default Alice Example, customer number 100001.
    ///   - newAddress: whether the session's address is new for the user (the `new_address` condition).
    ///   - clock: the time the kit's platform reads.
    public init(
        userID: String, accounts: [Account]? = nil, registrationValue: String? = nil, ssoIdentifier: String? = nil,
        attemptLimit: Int? = nil, rules: [any EDVRule] = [], properties: SystemProperties = SystemProperties(),
        profile: UserProfile? = nil, newAddress: Bool = false, clock: @escaping @Sendable () -> Date = { Date() }
    ) {
        var properties = properties
        if let attemptLimit { properties.attemptLimit = attemptLimit }
        self.userID = userID
        self.profile = profile
            ?? UserProfile(
                userID: userID, username: "alice", displayName: "Alice", firstName: "Alice", lastName: "Example",
                email: "alice@example.com", customerNumber: "100001")
        self.registrationValue = registrationValue
        self.ssoIdentifier = ssoIdentifier
        self.clock = clock
        state = Mutex(
            State(
                accounts: accounts ?? [
                    Account(id: "acct-1", userID: userID, name: "Checking", number: "••1234", balanceMinor: 100_000, currency: "USD")
                ],
                rules: rules, properties: properties, newAddress: newAddress))
    }

    // MARK: The bank's policy

    /// Replaces the bank's EDV rules (as `stepup edv load` of exactly these would).
    public func setRules(_ rules: [any EDVRule]) { state.withLock { $0.rules = rules } }

    /// Sets a system property by its stored name, with the platform's validation (`stepup props set NAME VALUE`).
    public func setProperty(_ name: String, to value: String) throws {
        try state.withLock { try $0.properties.set(name, to: value) }
    }

    public var properties: SystemProperties { state.withLock { $0.properties } }

    // MARK: The MFA workflow, as the banking app and the customer drive it

    /// What the kit's platform wrote to the audit trail: each guarded call's event, `edv.decision`, completions
    /// consumed or reused, exemptions, challenges opened, completed and ended.
    public var auditTrail: [AuditEvent] { state.withLock { $0.trail } }

    /// The session's challenges, oldest first.
    public var challenges: [Challenge] { state.withLock { $0.challenges } }

    /// The session's completions, consumed or not, oldest first.
    public var completions: [MFACompletion] { state.withLock { $0.completions } }

    /// The customer passes MFA on an open challenge (with `method`, an access code by default): the challenge
    /// completes, a single-use completion for its context is recorded, and art. 16's counters start again. The
    /// completion has the level the platform's built-in method reaches (a passkey `phr`, others `aal2`); a
    /// challenge that needs more refuses it with `level_insufficient`, as the platform does.
    @discardableResult
    public func completeChallenge(_ id: String, method: MFAMethodID = .accessCode) throws -> MFACompletion {
        let now = clock()
        let assurance = Self.assurance(of: method)
        return try state.withLock { state in
            guard let index = state.challenges.firstIndex(where: { $0.id == id }) else {
                throw StepupError(.challengeNotFound)
            }
            var challenge = state.challenges[index]
            guard assurance.level >= challenge.requiredLevel else {
                throw StepupError(.levelInsufficient, message: challenge.requiredLevel.unreachableAdvice)
            }
            try challenge.choose(method, at: now)
            try challenge.apply(.complete, at: now)
            state.challenges[index] = challenge
            let completion = MFACompletion(
                sessionID: Self.sessionID, challengeID: id, userID: userID, context: challenge.context, method: method,
                completedAt: now, amr: assurance.amr, level: assurance.level)
            state.completions.append(completion)
            state.exemptedAmountMinor = 0
            state.exemptedTransactions = 0
            state.trail.append(
                AuditEvent(
                    at: now, action: "mfa.challenge.completed", outcome: .success, userID: userID,
                    sessionID: Self.sessionID, challengeID: id, details: ["method": method.rawValue]))
            return completion
        }
    }

    /// What the platform's built-in methods declare; a bank's own method is taken as AAL2.
    static func assurance(of method: MFAMethodID) -> MethodAssurance {
        switch method {
        case .passkey: MethodAssurance(amr: ["swk", "user"], level: .phishingResistant)
        case .accessCode, .accessToken: MethodAssurance(amr: ["otp"], level: .aal2)
        case .exemption: MethodAssurance(amr: [], level: .aal1)
        default: MethodAssurance(amr: ["mfa"], level: .aal2)
        }
    }

    /// The customer leaves (`.cancelled`) or the workflow ends without success (`.failed`, `.locked`, `.expired`).
    public func endChallenge(_ id: String, as ending: ChallengeState) throws {
        let event: ChallengeEvent
        switch ending {
        case .cancelled: event = .cancel
        case .failed: event = .fail
        case .locked: event = .lock
        case .expired: event = .expire
        default: throw StepupError(.badRequest, message: "A challenge ends cancelled, failed, locked or expired.")
        }
        let now = clock()
        try state.withLock { state in
            guard let index = state.challenges.firstIndex(where: { $0.id == id }) else {
                throw StepupError(.challengeNotFound)
            }
            try state.challenges[index].apply(event, at: now)
        }
    }

    // MARK: Banking

    public var accounts: [Account] { state.withLock { $0.accounts } }
    public var transfers: [TransferRequest] { state.withLock { $0.transfers.map(\.request) } }
    public var acceptedDisclaimers: [String] { state.withLock { $0.disclaimers } }

    /// The platform's transfer API: the same checks, in the same order (`Platform.transfer`).
    func transfer(_ request: TransferRequest) throws -> TransferReceipt {
        guard request.isWellFormed else { throw StepupError(.badRequest, message: "The transfer's fields are not valid.") }
        let now = clock()
        return try state.withLock { state in
            // One payment per transaction id; a repeat answers the first receipt.
            if let earlier = state.transfers.first(where: { $0.request.transactionID == request.transactionID }) {
                guard earlier.request.samePayment(as: request) else { throw StepupError(.transactionIDReused) }
                var repeated = earlier.receipt
                repeated.repeated = true
                return repeated
            }
            let since = now.addingTimeInterval(-Double(state.properties.mfaFreshness))
            let properties = state.properties
            let candidates = state.completions.sorted { ($0.consumedAt ?? .distantPast) > ($1.consumedAt ?? .distantPast) }
                .filter { completion in
                    guard let consumedAt = completion.consumedAt, consumedAt >= since, completion.authorizes(request)
                    else { return false }
                    return !state.transfers.contains { $0.completionID == completion.id && $0.request.transactionID == request.transactionID }
                }
            guard let authorizing = candidates.first(where: { $0.level >= properties.requiredLevel(for: $0.context) }) else {
                if !candidates.isEmpty {
                    throw StepupError(.levelInsufficient, message: AssuranceLevel.phishingResistant.unreachableAdvice)
                }
                throw StepupError(.transferNotAuthorized)
            }
            let window = state.properties.duplicateTransferWindow
            if request.confirmedNotDuplicate != true, window > 0,
                state.transfers.contains(where: {
                    $0.request.payee == request.payee && $0.request.amountMinor == request.amountMinor
                        && $0.request.currency == request.currency && $0.at >= now.addingTimeInterval(-Double(window))
                })
            {
                throw StepupError(.transferDuplicateSuspected)
            }
            guard let index = state.accounts.firstIndex(where: { $0.id == request.fromAccountID }),
                state.accounts[index].userID == userID, state.accounts[index].currency == request.currency
            else { throw StepupError(.notFound, message: "No such account.") }
            let account = state.accounts[index]
            guard account.balanceMinor >= request.amountMinor else { throw StepupError(.insufficientFunds) }
            let balance = account.balanceMinor - request.amountMinor
            state.accounts[index] = Account(
                id: account.id, userID: account.userID, name: account.name, number: account.number,
                balanceMinor: balance, currency: account.currency)
            let receipt = TransferReceipt(
                transferID: "transfer-\(state.transfers.count + 1)", transactionID: request.transactionID,
                balanceMinor: balance)
            state.transfers.append(TransferEntry(request: request, receipt: receipt, completionID: authorizing.id, at: now))
            return receipt
        }
    }

    func acceptDisclaimer(_ id: String) throws {
        guard !id.isEmpty, id.count <= 64 else { throw StepupError(.badRequest) }
        state.withLock { $0.disclaimers.append(id) }
    }

    // MARK: External MFA

    func recordExternalToken(_ token: String) { state.withLock { $0.externalTokens.append(token) } }

    /// The platform's reservation before an external proof: refused once the counter is at its limit.
    func beginAttempt() throws -> String {
        try state.withLock { state in
            guard state.failures < state.properties.attemptLimit else { throw StepupError(.userLocked) }
            state.failures += 1
            let id = SecureRandom.identifier()
            state.openAttempts.insert(id)
            return id
        }
    }

    /// Ends an attempt once, as the platform does: success gives the failure back and mints a token.
    func finishAttempt(_ id: String, succeeded: Bool) throws -> String {
        let (failures, limit): (Int, Int) = try state.withLock { state in
            guard state.openAttempts.remove(id) != nil else {
                throw StepupError(.forbidden, message: "That attempt is unknown or already finished.")
            }
            if succeeded { state.failures -= 1 }
            return (state.failures, state.properties.attemptLimit)
        }
        guard succeeded else {
            if failures >= limit { throw StepupError(.attemptsExhausted, attemptsLeft: 0) }
            throw StepupError(.externalProofInvalid, attemptsLeft: limit - failures)
        }
        let token = SecureRandom.token(bits: 256)
        recordExternalToken(token)
        return token
    }

    /// The external MFA tokens the extension set, in order.
    public var externalTokens: [String] { state.withLock { $0.externalTokens } }
}
