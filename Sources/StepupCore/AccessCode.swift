import Foundation

/// A one-time access code: random digits, kept only as a digest salted with its challenge's id.
///
/// The plain code exists only in ``plain`` on the value ``issue(for:length:lifetime:now:)`` returns, long enough to be
/// handed to a delivery channel.
public struct AccessCode: Sendable {
    public let plain: String
    public let digest: String
    public let expiresAt: Date

    public static func issue(for challengeID: String, length: Int, lifetime: TimeInterval, now: Date) -> AccessCode {
        let plain = SecureRandom.digits(length)
        return AccessCode(
            plain: plain, digest: SecretHash.digest(plain, salt: challengeID),
            expiresAt: now.addingTimeInterval(lifetime))
    }

    /// Checks `attempt` against a challenge's outstanding code: expiry first (an expired code is refused even when
    /// right), then a constant-time digest comparison.
    public static func verify(_ attempt: String, challenge: Challenge, now: Date) throws {
        let state = challenge.accessCode
        guard let digest = state.digest, let expiresAt = state.expiresAt else {
            throw StepupError(.noCodeSent)
        }
        guard now < expiresAt else { throw StepupError(.codeExpired) }
        let trimmed = attempt.trimmingCharacters(in: .whitespaces)
        guard SecretHash.matches(trimmed, digest: digest, salt: challenge.id) else {
            throw StepupError(.codeInvalid)
        }
    }
}

/// The access-code method's state on a challenge: the target chosen and the outstanding code, as a digest.
public struct AccessCodeState: Sendable, Codable, Equatable {
    public var targetID: String?
    /// Digest of the current code, salted with the challenge's id; nil when none is outstanding.
    public var digest: String?
    public var sentAt: Date?
    public var expiresAt: Date?
    public var sendCount: Int

    public init(targetID: String? = nil, digest: String? = nil, sentAt: Date? = nil, expiresAt: Date? = nil, sendCount: Int = 0) {
        self.targetID = targetID
        self.digest = digest
        self.sentAt = sentAt
        self.expiresAt = expiresAt
        self.sendCount = sendCount
    }
}

extension Challenge {
    /// The access-code state, empty unless access codes are the chosen method.
    public var accessCode: AccessCodeState {
        state(of: .accessCode, as: AccessCodeState.self) ?? AccessCodeState()
    }

    /// Replaces the access-code state (access codes must be the chosen method).
    public mutating func setAccessCode(_ state: AccessCodeState) throws {
        try setState(state, of: .accessCode)
    }

    /// Chooses `targetID` for access codes; another target than the current one voids the outstanding code.
    public mutating func chooseTarget(_ targetID: String, at now: Date) throws {
        try choose(.accessCode, at: now)
        var state = accessCode
        if state.targetID != targetID { state.digest = nil }
        state.targetID = targetID
        try setAccessCode(state)
    }

    /// Records a freshly issued code; a new code voids the previous one.
    public mutating func record(_ code: AccessCode, at now: Date) throws {
        try apply(.send, at: now)
        var state = accessCode
        state.digest = code.digest
        state.sentAt = now
        state.expiresAt = code.expiresAt
        state.sendCount += 1
        try setAccessCode(state)
    }
}
