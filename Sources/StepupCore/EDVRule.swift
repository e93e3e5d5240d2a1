import Foundation

/// An event-driven validation rule written in Swift, for what data rules cannot express (a call to a fraud
/// engine, a model, a calendar). Data rules (``EDVRuleDefinition``) are the same protocol.
///
/// Swift rules are asked *before* the platform's write transaction, each fact a short read of its own, so a slow
/// rule never holds the store's writer; their answers then take their places among the data rules by position.
/// The call's own audit event already counts in `facts.eventCount`.
///
/// ```swift
/// struct NightTimeTransfers: EDVRule {
///     let id = "night-transfers"
///     let position = 50
///     func evaluate(_ input: EDVInput, facts: any EDVFacts) async throws -> EDVDecision? {
///         guard input.action == "TransferFunds" else { return nil }
///         let hour = Calendar(identifier: .gregorian).component(.hour, from: input.at)
///         return (0..<6).contains(hour) ? .requireMFA : nil
///     }
/// }
/// ```
public protocol EDVRule: Sendable {
    var id: String { get }
    /// Rules run in ascending position (data and Swift rules together); the first decisive answer wins.
    var position: Int { get }
    /// For a `require_mfa` answer: minutes after an MFA for this action in which this session is not prompted again.
    var repromptAfterMinutes: Int? { get }
    /// For a `require_mfa` answer: the least level the MFA must reach (`.phishingResistant`: a passkey); nil for
    /// whatever the guard asks.
    var requiredLevel: AssuranceLevel? { get }
    /// The rule's answer, or nil when it has none for this event.
    func evaluate(_ input: EDVInput, facts: any EDVFacts) async throws -> EDVDecision?
}

extension EDVRule {
    public var repromptAfterMinutes: Int? { nil }
    public var requiredLevel: AssuranceLevel? { nil }
}

extension EDVRuleDefinition: EDVRule {
    public func evaluate(_ input: EDVInput, facts: any EDVFacts) async throws -> EDVDecision? {
        try await matches(input, facts: facts) ? decision : nil
    }
}
