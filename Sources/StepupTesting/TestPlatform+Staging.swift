import Foundation
import StepupCore

/// What one ``ExtensionTester/run(_:method:fields:json:mfa:isAuthenticated:pendingContext:challengeHint:)`` put
/// into the test platform for its ``MFAState``, taken out again after the call unless the call used it.
struct StagedMFA {
    var completionIDs: [String] = []
    var challengeIDs: [String] = []
    var ruleID: String?
    var challengeHint: String?
    var failure: StepupError?
}

extension TestPlatform {
    /// Puts the platform in `mfa` for one call whose guard expects `expected`, at the guard's `level` (a staged
    /// completion is a passkey's where the guard needs one, an access code's otherwise).
    func stage(_ mfa: MFAState, expected: MFAContext?, auditAction: String?, level: AssuranceLevel? = nil) -> StagedMFA {
        var staged = StagedMFA()
        let now = clock()
        let method: MFAMethodID = (level ?? .aal1) > .aal2 ? .passkey : .accessCode
        let assurance = Self.assurance(of: method)
        func complete(_ context: MFAContext) {
            let completion = MFACompletion(
                sessionID: Self.sessionID, challengeID: "staged-" + SecureRandom.identifier(), userID: userID,
                context: context, method: method, completedAt: now, amr: assurance.amr, level: assurance.level)
            // As the platform's completion of a strong authentication: art. 16's counters start again.
            state.withLock { state in
                state.completions.append(completion)
                state.exemptedAmountMinor = 0
                state.exemptedTransactions = 0
            }
            staged.completionIDs.append(completion.id)
        }
        switch mfa {
        case .completed:
            if let expected { complete(expected) }
        case .completedFor(let context):
            complete(context)
        case .notCompleted:
            break
        case .abandoned(let ending):
            guard let expected else { break }
            var challenge = Challenge(
                userID: userID, sessionID: Self.sessionID, context: expected, createdAt: now,
                lifetime: TimeInterval(properties.challengeLifetime))
            challenge.state = ending
            state.withLock { [challenge] in $0.challenges.append(challenge) }
            staged.challengeIDs.append(challenge.id)
            staged.challengeHint = challenge.id
        case .failing(let error):
            staged.failure = error
        case .blocked:
            // Before every rule of the bank's: the call's audit event is blocked, whatever else would decide.
            let rule = EDVRuleDefinition(id: "staged-block", position: Int.min, action: auditAction ?? "*", decision: .block)
            state.withLock { $0.rules.insert(rule, at: 0) }
            staged.ruleID = rule.id
        }
        return staged
    }

    /// Takes out what ``stage(_:expected:auditAction:level:)`` put in and the call did not use: an unconsumed
    /// completion, the abandoned challenge, the blocking rule.
    func unstage(_ staged: StagedMFA) {
        state.withLock { state in
            state.completions.removeAll { staged.completionIDs.contains($0.id) && $0.consumedAt == nil }
            state.challenges.removeAll { staged.challengeIDs.contains($0.id) }
            if let ruleID = staged.ruleID { state.rules.removeAll { $0.id == ruleID } }
        }
    }
}
