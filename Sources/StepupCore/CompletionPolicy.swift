import Foundation

/// Where a guard's completion is looked up, for one session: the platform's store transaction or the test kit's
/// memory. The choice of completion is ``CompletionPolicy/satisfy(contexts:freshFor:level:at:in:)``, written once.
///
/// ```swift
/// let context = try await CompletionPolicy.satisfy(contexts: accepted, freshFor: nil, level: .aal2, at: now, in: ledger)
/// ```
public protocol CompletionLedger: Sendable {
    func properties() async throws -> SystemProperties
    /// Consumes the oldest unconsumed completion for exactly `context` of at least `level` completed at or after
    /// `notBefore`, once (a conditional update: parallel calls take it once), and audits it; nil if there is none.
    func consume(_ context: MFAContext, level: AssuranceLevel, notBefore: Date, at now: Date) async throws -> MFACompletion?
    /// The newest completion for exactly `context` of at least `level` completed at or after `notBefore`, consumed
    /// or not, audited as reused (`freshFor` seconds); nil if there is none.
    func reuse(_ context: MFAContext, level: AssuranceLevel, notBefore: Date, freshFor: Int, at now: Date) async throws
        -> MFACompletion?
}

/// How a route's guard is satisfied by a completion: single use within the bank's freshness window
/// (`MfaFreshnessSeconds`), or, for a route that opts in with `freshFor`, any completion of that age.
public enum CompletionPolicy {
    /// The freshness windows a route may ask for, in seconds.
    public static let freshForRange = 1...86_400

    /// The first of `contexts` (most specific first) a completion of at least `level` opens; nil when none does.
    public static func satisfy(
        contexts: [MFAContext], freshFor: Int?, level: AssuranceLevel = .aal1, at now: Date, in ledger: some CompletionLedger
    ) async throws -> MFAContext? {
        // A remote service's description names this number: bounded before it becomes a date.
        if let freshFor {
            guard freshForRange.contains(freshFor) else {
                throw StepupError(.badRequest, message: "A freshness window is 1 to 86400 seconds.")
            }
            let notBefore = now.addingTimeInterval(-Double(freshFor))
            for context in contexts
            where try await ledger.reuse(context, level: level, notBefore: notBefore, freshFor: freshFor, at: now) != nil {
                return context
            }
            return nil
        }
        let notBefore = now.addingTimeInterval(-Double(try await ledger.properties().mfaFreshness))
        for context in contexts where try await ledger.consume(context, level: level, notBefore: notBefore, at: now) != nil {
            return context
        }
        return nil
    }
}

/// What the platform's transfer API asks of a completion before it pays (dynamic linking, PSD2 RTS art. 5).
extension MFACompletion {
    /// Whether this completion authorised exactly `request`: its transaction id, amount, currency and payee.
    public func authorizes(_ request: TransferRequest) -> Bool {
        guard case .transaction(let items) = context else { return false }
        return items.contains(request.item)
    }
}
