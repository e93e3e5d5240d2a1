import Foundation
import StepupCore
import StepupSDK
import Testing

/// The extension both sides run: an audit-action route, a transaction route decided by EDV, a plain guard, a
/// freshness guard and a velocity-checked action.
struct ParityExtension: Extension {
    let name = "parity"

    var routes: [ExtensionRoute] {
        [
            ExtensionRoute("audited", handler: Self.ran)
                .mfaValidationRequired(auditAction: "ParityCheck", details: ["purpose": "parity"]),
            ExtensionRoute("pay", handler: Self.ran)
                .mfaValidationRequired(
                    auditAction: "ParityPay",
                    transactions: { request in
                        [
                            TransactionItem(
                                id: request.formFields["id"] ?? "", amountMinor: Int64(request.formFields["amountMinor"] ?? "") ?? 0,
                                currency: "USD", payee: "Parity Payee")
                        ]
                    }),
            ExtensionRoute("plain", handler: Self.ran).mfaValidationRequired(),
            ExtensionRoute("fresh", handler: Self.ran).mfaValidationRequired(freshFor: 120),
            ExtensionRoute("burst", handler: Self.ran).mfaValidationRequired(auditAction: "ParityBurst"),
            ExtensionRoute("vault", handler: Self.ran).mfaValidationRequired(level: .phishingResistant),
        ]
    }

    @Sendable static func ran(_ request: ExtensionRequest) async throws -> ExtensionResponse { .text("ran") }
}

/// One step of a scenario, as the banking app and the customer take it.
enum ParityStep: Sendable, CustomStringConvertible {
    /// Calls a route (with form fields); an `mfa_required` answer's challenge becomes the current one.
    case call(String, [String: String] = [:])
    /// The customer passes MFA on the current challenge.
    case completeMFA
    /// The customer cancels the current challenge.
    case cancelMFA
    /// The banking app retries a route naming the current challenge (`X-Stepup-Challenge`).
    case retry(String, [String: String] = [:])
    /// The customer offers an access code for the current challenge; its outcome (`completed` or the refusal) is
    /// recorded. For challenges a code may not complete (a level above it): the kit completes any other.
    case offerCode

    var description: String {
        switch self {
        case .call(let route, _): "call \(route)"
        case .completeMFA: "complete MFA"
        case .cancelMFA: "cancel MFA"
        case .retry(let route, _): "retry \(route)"
        case .offerCode: "offer a code"
        }
    }
}

/// A bank's policy and what a customer does, with the outcome of each call: `ran` or the error code.
struct ParityScenario: Sendable, CustomTestStringConvertible {
    let name: String
    var rules: [EDVRuleDefinition] = []
    var properties: [String: String] = [:]
    let steps: [ParityStep]
    let expected: [String]

    var testDescription: String { name }

    static let all: [ParityScenario] = [
        ParityScenario(
            name: "no rule: MFA is required, opens one call",
            steps: [.call("audited"), .completeMFA, .call("audited"), .call("audited")],
            expected: ["mfa_required", "ran", "mfa_required"]),
        ParityScenario(
            name: "no rule: a cancelled MFA is abandoned",
            steps: [.call("audited"), .cancelMFA, .retry("audited")],
            expected: ["mfa_required", "mfa_abandoned"]),
        ParityScenario(
            name: "an allow rule lets the call run",
            rules: [EDVRuleDefinition(id: "parity-allow", position: 1, action: "ParityCheck", decision: .allow)],
            steps: [.call("audited"), .call("audited")],
            expected: ["ran", "ran"]),
        ParityScenario(
            name: "a require rule asks for MFA",
            rules: [EDVRuleDefinition(id: "parity-require", position: 1, action: "ParityCheck", decision: .requireMFA)],
            steps: [.call("audited"), .completeMFA, .call("audited")],
            expected: ["mfa_required", "ran"]),
        ParityScenario(
            name: "a block rule blocks",
            rules: [EDVRuleDefinition(id: "parity-block", position: 1, action: "ParityCheck", decision: .block)],
            steps: [.call("audited")],
            expected: ["mfa_blocked"]),
        ParityScenario(
            name: "the bank's default set to allow",
            properties: ["EdvDefaultDecision": "allow"],
            steps: [.call("audited")],
            expected: ["ran"]),
        ParityScenario(
            name: "the bank's default set to block",
            properties: ["EdvDefaultDecision": "block"],
            steps: [.call("audited")],
            expected: ["mfa_blocked"]),
        ParityScenario(
            name: "a re-prompt window spares the second call",
            rules: [
                EDVRuleDefinition(
                    id: "parity-reprompt", position: 1, action: "ParityCheck", decision: .requireMFA, repromptAfterMinutes: 10)
            ],
            steps: [.call("audited"), .completeMFA, .call("audited"), .call("audited")],
            expected: ["mfa_required", "ran", "ran"]),
        ParityScenario(
            name: "a small payment is exempt by rule, a larger one needs MFA for exactly it",
            rules: [
                EDVRuleDefinition(
                    id: "parity-small", position: 1, action: "ParityPay",
                    conditions: [.detailAtMost(key: "transaction.amountMinor", threshold: 500)], decision: .allow)
            ],
            properties: ["ExemptionCurrency": "USD"],
            steps: [
                .call("pay", ["id": "p-1", "amountMinor": "400"]), .call("pay", ["id": "p-2", "amountMinor": "9000"]),
                .completeMFA, .call("pay", ["id": "p-3", "amountMinor": "9000"]),
                .call("pay", ["id": "p-2", "amountMinor": "9000"]),
            ],
            expected: ["ran", "mfa_required", "mfa_required", "ran"]),
        ParityScenario(
            name: "no rule and a default of allow: a payment still needs MFA",
            properties: ["EdvDefaultDecision": "allow"],
            steps: [.call("pay", ["id": "p-9", "amountMinor": "100"])],
            expected: ["mfa_required"]),
        ParityScenario(
            name: "a plain guard: one completion, one call",
            steps: [.call("plain"), .completeMFA, .call("plain"), .call("plain")],
            expected: ["mfa_required", "ran", "mfa_required"]),
        ParityScenario(
            name: "a freshness guard: a completion opens calls for its window",
            steps: [.call("fresh"), .completeMFA, .call("fresh"), .call("fresh")],
            expected: ["mfa_required", "ran", "ran"]),
        ParityScenario(
            name: "a velocity rule blocks the third call within the hour",
            rules: [
                EDVRuleDefinition(
                    id: "parity-burst", position: 1, action: "ParityBurst",
                    conditions: [.moreThan(count: 2, withinSeconds: 3600)], decision: .block),
                EDVRuleDefinition(id: "parity-burst-allow", position: 2, action: "ParityBurst", decision: .allow),
            ],
            steps: [.call("burst"), .call("burst"), .call("burst")],
            expected: ["ran", "ran", "mfa_blocked"]),
        ParityScenario(
            name: "a guard that needs a passkey refuses a code and stays closed",
            steps: [.call("vault"), .offerCode, .call("vault")],
            expected: ["mfa_required", "level_insufficient", "mfa_required"]),
        ParityScenario(
            name: "a rule that asks for a passkey refuses a code",
            rules: [
                EDVRuleDefinition(
                    id: "parity-passkey", position: 1, action: "ParityCheck", decision: .requireMFA, level: .phishingResistant)
            ],
            steps: [.call("audited"), .offerCode, .call("audited")],
            expected: ["mfa_required", "level_insufficient", "mfa_required"]),
    ]
}

/// One side of the comparison: the test kit or a real `stepup serve`, driven step by step.
protocol ParityDriver {
    /// Puts the bank's policy in place for a scenario and starts a new session.
    mutating func begin(_ scenario: ParityScenario) async throws
    /// Calls a route; the outcome (`ran` or an error code) and an `mfa_required` answer's challenge.
    mutating func call(_ route: String, fields: [String: String], hint: String?) async throws -> (String, String?)
    mutating func completeMFA(_ challengeID: String) async throws
    /// Offers an access code; `completed` or the refusal's code.
    mutating func offerCode(_ challengeID: String) async throws -> String
    mutating func cancelMFA(_ challengeID: String) async throws
    /// Takes the scenario's policy away again.
    mutating func end(_ scenario: ParityScenario) async throws
}

extension ParityDriver {
    /// Runs a scenario's steps; the outcomes of its calls, in order.
    mutating func run(_ scenario: ParityScenario) async throws -> [String] {
        try await begin(scenario)
        var outcomes: [String] = []
        var current: String?
        for step in scenario.steps {
            switch step {
            case .call(let route, let fields), .retry(let route, let fields):
                var hint: String?
                if case .retry = step { hint = current }
                let (outcome, challenge) = try await call(route, fields: fields, hint: hint)
                outcomes.append(outcome)
                if let challenge { current = challenge }
            case .completeMFA:
                guard let current else { throw StepupError(.internal, message: "\(scenario.name): no challenge to complete") }
                try await completeMFA(current)
            case .cancelMFA:
                guard let current else { throw StepupError(.internal, message: "\(scenario.name): no challenge to cancel") }
                try await cancelMFA(current)
            case .offerCode:
                guard let current else { throw StepupError(.internal, message: "\(scenario.name): no challenge for a code") }
                outcomes.append(try await offerCode(current))
            }
        }
        try await end(scenario)
        return outcomes
    }
}
