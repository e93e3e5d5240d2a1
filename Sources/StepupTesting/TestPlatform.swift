import Foundation
import StepupCore
import StepupSDK
import Synchronization

/// An in-memory platform for extension unit tests: one user's accounts, transfers, disclaimers and consumed
/// completions. It enforces what the real platform enforces for an extension: the user API refuses before logon,
/// the back-office API serves only the session's user, and a transfer needs a consumed completion that authorised
/// exactly its transaction. (The real platform's own tests prove the real thing; this is for extension authors.)
public final class TestPlatform: Sendable {
    struct State {
        var accounts: [Account]
        var transfers: [TransferRequest] = []
        var disclaimers: [String] = []
        var consumed: [MFAContext] = []
        var usedTransactions: Set<String> = []
        var externalTokens: [String] = []
        var events: [RecordedEvent] = []
        var receipts: [String: (TransferRequest, TransferReceipt)] = [:]
        var failures = 0
        var openAttempts: Set<String> = []
    }

    /// Consecutive failures on the user's counter, as the platform keeps them: external proofs that failed.
    public var failures: Int { state.withLock { $0.failures } }
    /// The failure counter's limit (the platform's `MfaAttemptLimit`, default 5).
    public let attemptLimit: Int

    /// An event the extension wrote with ``PlatformClient/recordEvent(_:succeeded:details:)``.
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
    public let registrationValue: String?
    public let ssoIdentifier: String?
    private let state: Mutex<State>

    public init(
        userID: String, accounts: [Account]? = nil, registrationValue: String? = nil, ssoIdentifier: String? = nil,
        attemptLimit: Int = 5
    ) {
        self.attemptLimit = attemptLimit
        self.userID = userID
        self.registrationValue = registrationValue
        self.ssoIdentifier = ssoIdentifier
        state = Mutex(
            State(
                accounts: accounts ?? [
                    Account(id: "acct-1", userID: userID, name: "Checking", number: "••1234", balanceMinor: 100_000, currency: "USD")
                ]))
    }

    public var accounts: [Account] { state.withLock { $0.accounts } }
    public var transfers: [TransferRequest] { state.withLock { $0.transfers } }
    public var acceptedDisclaimers: [String] { state.withLock { $0.disclaimers } }

    func recordConsumed(_ context: MFAContext) { state.withLock { $0.consumed.append(context) } }

    func transfer(_ request: TransferRequest) throws -> TransferReceipt {
        try state.withLock { state in
            // As the platform: one payment per transaction id; a repeat answers the first receipt.
            if let (earlier, receipt) = state.receipts[request.transactionID] {
                guard earlier.samePayment(as: request) else { throw StepupError(.transactionIDReused) }
                var repeated = receipt
                repeated.repeated = true
                return repeated
            }
            let authorised = state.consumed.contains { context in
                if case .transaction(let items) = context { return items.contains(request.item) }
                return false
            }
            guard authorised, !state.usedTransactions.contains(request.transactionID) else {
                throw StepupError(.transferNotAuthorized)
            }
            guard let index = state.accounts.firstIndex(where: { $0.id == request.fromAccountID }) else {
                throw StepupError(.notFound, message: "No such account.")
            }
            let account = state.accounts[index]
            guard request.amountMinor > 0 else { throw StepupError(.badRequest, message: "The transfer's fields are not valid.") }
            guard account.balanceMinor >= request.amountMinor else { throw StepupError(.insufficientFunds) }
            state.accounts[index] = Account(
                id: account.id, userID: account.userID, name: account.name, number: account.number,
                balanceMinor: account.balanceMinor - request.amountMinor, currency: account.currency)
            state.usedTransactions.insert(request.transactionID)
            state.transfers.append(request)
            let receipt = TransferReceipt(
                transferID: "transfer-\(state.transfers.count)", transactionID: request.transactionID,
                balanceMinor: account.balanceMinor - request.amountMinor)
            state.receipts[request.transactionID] = (request, receipt)
            return receipt
        }
    }

    func acceptDisclaimer(_ id: String) { state.withLock { $0.disclaimers.append(id) } }

    func recordExternalToken(_ token: String) { state.withLock { $0.externalTokens.append(token) } }

    /// The platform's reservation before an external proof: refused once the counter is at its limit.
    func beginAttempt() throws -> String {
        try state.withLock { state in
            guard state.failures < attemptLimit else { throw StepupError(.userLocked) }
            state.failures += 1
            let id = SecureRandom.identifier()
            state.openAttempts.insert(id)
            return id
        }
    }

    /// Ends an attempt once, as the platform does: success gives the failure back and mints a token.
    func finishAttempt(_ id: String, succeeded: Bool) throws -> String {
        let limit = attemptLimit
        let failures: Int = try state.withLock { state in
            guard state.openAttempts.remove(id) != nil else {
                throw StepupError(.forbidden, message: "That attempt is unknown or already finished.")
            }
            if succeeded { state.failures -= 1 }
            return state.failures
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

    func profile() -> UserProfile { UserProfile(userID: userID, username: "alice", displayName: "Alice") }
}

struct TestPlatformClient: PlatformClient {
    let platform: TestPlatform
    let isAuthenticated: Bool

    func setExternalMFAToken(_ token: String) async throws {
        guard token.count >= 22 else { throw StepupError(.badRequest, message: "An external MFA token has at least 128 bits.") }
        platform.recordExternalToken(token)
    }

    func issueExternalMFAToken() async throws -> String {
        let token = SecureRandom.token(bits: 256)
        platform.recordExternalToken(token)
        return token
    }

    func recordEvent(_ action: String, succeeded: Bool, details: [String: String]) async throws {
        try ExtensionEventLimits.validate(action: action, details: details)
        platform.record(.init(action: action, succeeded: succeeded, details: details))
    }

    func beginExternalMFAAttempt() async throws -> String { try platform.beginAttempt() }

    func finishExternalMFAAttempt(_ attemptID: String, succeeded: Bool) async throws -> String {
        try platform.finishAttempt(attemptID, succeeded: succeeded)
    }

    var user: any UserAPI { PolicedUserAPI(isAuthenticated: isAuthenticated, base: TestUserAPI(platform: platform)) }
    var backOffice: any BackOfficeAPI {
        PolicedBackOfficeAPI(sessionUserID: platform.userID, base: TestBackOfficeAPI(platform: platform))
    }
}

/// The user API of the test kit; the hosts' one policy (``PolicedUserAPI``) refuses it before logon.
struct TestUserAPI: UserAPI {
    let platform: TestPlatform

    func profile() async throws -> UserProfile { platform.profile() }
    func accounts() async throws -> [Account] { platform.accounts }
    func acceptDisclaimer(id: String) async throws { platform.acceptDisclaimer(id) }
    func transfer(_ request: TransferRequest) async throws -> TransferReceipt { try platform.transfer(request) }
}

/// The back-office API of the test kit, limited to the test user by ``PolicedBackOfficeAPI``.
struct TestBackOfficeAPI: BackOfficeAPI {
    let platform: TestPlatform

    func profile(userID: String) async throws -> UserProfile { platform.profile() }
    func accounts(userID: String) async throws -> [Account] { platform.accounts }
    func markDisclaimerAccepted(userID: String, id: String) async throws { platform.acceptDisclaimer(id) }
}

/// The guard's backend in tests: answers from the chosen ``MFAState`` and logs what it was asked.
final class TestGuardBackend: MFAGuardBackend {
    static let challengeID = "test-challenge"
    static let eventID = "test-event"
    let state: MFAState
    let platform: TestPlatform
    let expectedContext: MFAContext?
    private let log = Mutex(GuardLog())

    init(state: MFAState, platform: TestPlatform, expectedContext: MFAContext?) {
        self.state = state
        self.platform = platform
        self.expectedContext = expectedContext
    }

    var seen: GuardLog { log.withLock { $0 } }

    func satisfy(contexts: [MFAContext], freshFor: Int?) async throws -> MFAContext? {
        log.withLock { $0.askedFor.append(contexts) }
        let matched: MFAContext?
        switch state {
        case .completed: matched = contexts.first
        case .completedFor(let context): matched = contexts.contains(context) ? context : nil
        case .failing(let error): throw error
        case .notCompleted, .abandoned, .blocked: matched = nil
        }
        if let matched {
            log.withLock { $0.consumed.append(matched) }
            platform.recordConsumed(matched)
        }
        return matched
    }

    func openChallenge(for context: MFAContext) async throws -> String {
        log.withLock { $0.openedChallenges.append(context) }
        return Self.challengeID
    }

    func challenge(id: String) async throws -> (state: ChallengeState, context: MFAContext)? {
        guard id == Self.challengeID, case .abandoned(let challengeState) = state, let expectedContext else { return nil }
        return (challengeState, expectedContext)
    }

    func completionLifetime() async throws -> Int { 300 }

    func evaluateEvent(action: String, details: [String: String], linked: MFAContext?) async throws -> EDVOutcome {
        log.withLock { $0.auditEvents.append(RecordedAuditEvent(action: action, details: details)) }
        let context = linked
            ?? .eventDrivenValidation(auditActionID: Self.eventID, auditActionName: action, detailsHash: EDVInput.hash(details))
        switch state {
        case .failing(let error): throw error
        case .blocked: return .block
        case .completed:
            platform.recordConsumed(context)
            log.withLock { $0.consumed.append(context) }
            return .allow(context)
        case .completedFor(let completed) where completed == context:
            platform.recordConsumed(context)
            log.withLock { $0.consumed.append(context) }
            return .allow(context)
        case .completedFor, .notCompleted, .abandoned:
            log.withLock { $0.openedChallenges.append(context) }
            return .requireMFA(challengeID: Self.challengeID, context: context)
        }
    }
}
