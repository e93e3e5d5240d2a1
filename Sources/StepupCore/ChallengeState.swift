/// Where a challenge stands. The open states can move on; the five closed ones are final.
public enum ChallengeState: String, Sendable, Codable, CaseIterable {
    case created
    /// Access code: a target is chosen, nothing sent yet.
    case targetChosen = "target_chosen"
    /// Access code: a code is on its way to the chosen target.
    case codeSent = "code_sent"
    /// The user chose to enter an access token (TOTP).
    case tokenChosen = "token_chosen"
    /// The user is proving themselves through an external MFA extension.
    case externalChosen = "external_chosen"
    case completed, failed, expired, locked, cancelled

    public var isOpen: Bool {
        switch self {
        case .created, .targetChosen, .codeSent, .tokenChosen, .externalChosen: true
        case .completed, .failed, .expired, .locked, .cancelled: false
        }
    }
}

/// What can happen to a challenge.
public enum ChallengeEvent: String, Sendable, Codable, CaseIterable {
    case chooseTarget = "choose_target"
    case sendCode = "send_code"
    case resendCode = "resend_code"
    case chooseToken = "choose_token"
    case chooseExternal = "choose_external"
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
        case (_, .chooseTarget): return .targetChosen
        case (_, .chooseToken): return .tokenChosen
        case (_, .chooseExternal): return .externalChosen
        case (.targetChosen, .sendCode): return .codeSent
        case (.codeSent, .resendCode): return .codeSent
        case (.codeSent, .complete), (.tokenChosen, .complete), (.externalChosen, .complete): return .completed
        default:
            throw StepupError(
                .illegalTransition, message: "A challenge that is \(rawValue) cannot \(event.rawValue.replacingOccurrences(of: "_", with: " ")).")
        }
    }
}
