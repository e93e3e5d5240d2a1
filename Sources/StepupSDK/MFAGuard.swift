import StepupCore

/// Why a guarded handler did not run.
public enum MFAFailure: Error, Sendable, Equatable {
    /// No matching completion: the host opened (or reused) this challenge for the banking app to drive.
    case required(challengeID: String, context: MFAContext)
    /// The user left the workflow, or it ended without success (`cancelled`, `failed`, `locked`, `expired`).
    case abandoned(challengeState: ChallengeState)
    /// EDV answered block.
    case blocked
    /// The workflow itself failed (the store was down, the request named bad transactions…).
    case workflow(StepupError)

    /// The typed error the host answers with when the route has no error handler.
    public var error: StepupError {
        switch self {
        case .required(let challengeID, let context):
            var error = StepupError(.mfaRequired, challengeID: challengeID)
            error.context = context.kind
            return error
        case .abandoned(let state):
            return StepupError(.mfaAbandoned, message: "Multi-factor authentication was \(state.rawValue).")
        case .blocked:
            return StepupError(.mfaBlocked)
        case .workflow(let error):
            return error
        }
    }
}

/// Renders the answer of a guarded route whose MFA was abandoned, failed, blocked or threw.
public typealias MFAErrorHandler = @Sendable (ExtensionRequest, MFAFailure) async throws -> ExtensionResponse

/// The guard of one route: what completion it needs and how long one stays good.
public struct MFAGuard: Sendable {
    /// The audit action name, when the route is decided by event-driven validation.
    public let auditAction: String?
    let details: AuditDetails?
    let transactions: (@Sendable (ExtensionRequest) throws -> [TransactionItem])?
    /// Seconds; nil means each completion opens one call.
    public let freshFor: Int?
    /// The least assurance level the MFA must reach (`.phishingResistant`: a passkey); nil for any method the
    /// platform offers. An EDV rule may raise it for one outcome, never lower it.
    public let level: AssuranceLevel?
    let errorHandler: MFAErrorHandler?

    /// The MFA context this guard opens a challenge for on `request`: the transactions it names, the EDV context of
    /// its audit event (with `eventID`), or its own route's prompt context. For hosts and test kits.
    public func challengeContext(for request: ExtensionRequest, eventID: String) throws -> MFAContext {
        let contexts = try acceptedContexts(for: request)
        guard let auditAction, transactions == nil else { return contexts[0] }
        let details = try AuditDetails.details(details, request: request, transactions: nil)
        return .eventDrivenValidation(auditActionID: eventID, auditActionName: auditAction, detailsHash: EDVInput.hash(details))
    }

    /// The contexts a completion may have to open this route, most specific first. A plain guard accepts its own
    /// route's context or the extension's `promptForMFA` context; a transaction guard accepts only its exact
    /// transactions.
    func acceptedContexts(for request: ExtensionRequest) throws -> [MFAContext] {
        if let transactions {
            let items = try transactions(request)
            guard (1...100).contains(items.count), Set(items.map(\.id)).count == items.count,
                items.allSatisfy({
                    (1...MoneyLimits.maximumMinorUnits).contains($0.amountMinor) && !$0.payee.isEmpty
                        && $0.currency.count == 3
                }),
                MoneyLimits.total(items.map(\.amountMinor)) != nil
            else {
                throw StepupError(.badRequest, message: "The transactions to authorise are not valid.")
            }
            return [.transaction(items)]
        }
        return [
            .extensionPrompt(extension: request.extensionName, route: request.routingKey),
            .extensionPrompt(extension: request.extensionName, route: nil),
        ]
    }
}

/// What the guard needs of the platform, for one session. The host provides it; extension code never sees it.
package protocol MFAGuardBackend: Sendable {
    /// Consumes (or, with `freshFor`, finds) a completion of at least `level` whose context is one of `contexts`,
    /// trying them in order.
    func satisfy(contexts: [MFAContext], freshFor: Int?, level: AssuranceLevel) async throws -> MFAContext?
    /// Opens, or reuses, the session's challenge for `context`, needing at least `level`; returns its id.
    func openChallenge(for context: MFAContext, level: AssuranceLevel) async throws -> String
    /// The state of one of this session's challenges, and its context; nil if there is no such challenge.
    func challenge(id: String) async throws -> (state: ChallengeState, context: MFAContext)?
    /// Seconds a single-use completion stays good (the `max_age` reported to API clients).
    func completionLifetime() async throws -> Int
    /// Creates the audit event of a call and answers with the platform's EDV decision. `linked` is the
    /// transaction context of a route that names its transactions: MFA, when asked, is then for exactly those.
    /// MFA, when asked, reaches at least `level`.
    func evaluateEvent(action: String, details: [String: String], linked: MFAContext?, level: AssuranceLevel) async throws
        -> EDVOutcome
}
