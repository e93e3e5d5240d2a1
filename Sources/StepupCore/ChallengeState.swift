/// Where a challenge stands. The open states can move on; the five closed ones are final.
///
/// The states say nothing about *which* method is in use (``Challenge/method`` does), so a new method needs no new
/// state: it chooses, may send a secret, and completes.
public enum ChallengeState: String, Sendable, Codable, CaseIterable {
    case created
    /// A method is chosen (a delivery target, the authenticator app, an external MFA extension); nothing is on its way.
    case methodChosen = "method_chosen"
    /// The chosen method sent a secret (a code to a target) that the user is to enter.
    case secretSent = "secret_sent"
    case completed, failed, expired, locked, cancelled

    public var isOpen: Bool {
        switch self {
        case .created, .methodChosen, .secretSent: true
        case .completed, .failed, .expired, .locked, .cancelled: false
        }
    }

    /// The state a row written before migration 7 named by its method, or nil for a name that was never used.
    public init?(storedName: String) {
        if let state = ChallengeState(rawValue: storedName) {
            self = state
            return
        }
        switch storedName {
        case "target_chosen", "token_chosen", "external_chosen": self = .methodChosen
        case "code_sent": self = .secretSent
        default: return nil
        }
    }
}

/// What can happen to a challenge.
public enum ChallengeEvent: String, Sendable, Codable, CaseIterable {
    /// A method (or another target of the same method) is chosen.
    case choose
    /// The chosen method sent a secret; sending again voids the previous one.
    case send
    case complete
    /// The method failed for good (an external provider refused); a wrong code alone does not fail a challenge.
    case fail
    case expire
    case lock
    case cancel
}

extension ChallengeState {
    /// The state after `event`, or `illegal_transition` (or `challenge_closed` from a final state).
    ///
    /// The table is the whole state machine; the platform never sets a state any other way.
    public func applying(_ event: ChallengeEvent) throws -> ChallengeState {
        guard isOpen else {
            throw StepupError(.challengeClosed, message: "The MFA challenge is \(rawValue); it can no longer change.")
        }
        switch (self, event) {
        case (_, .expire): return .expired
        case (_, .lock): return .locked
        case (_, .cancel): return .cancelled
        case (_, .fail): return .failed
        case (_, .choose): return .methodChosen
        case (.methodChosen, .send), (.secretSent, .send): return .secretSent
        case (.methodChosen, .complete), (.secretSent, .complete): return .completed
        default:
            throw StepupError(
                .illegalTransition, message: "A challenge that is \(rawValue) cannot \(event.rawValue.replacingOccurrences(of: "_", with: " ")).")
        }
    }
}
