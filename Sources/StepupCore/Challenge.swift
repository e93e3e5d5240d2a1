import Foundation

/// One pending MFA context of one session, driven by its id through ``ChallengeState``.
public struct Challenge: Sendable, Codable, Equatable, Identifiable {
    public let id: String
    public let userID: String
    /// The row id of the session (never the session secret) the challenge belongs to.
    public let sessionID: String
    public let context: MFAContext
    public var state: ChallengeState
    public var targetID: String?
    /// Digest of the current access code, salted with ``id``; nil when no code is outstanding.
    public var codeDigest: String?
    public var codeSentAt: Date?
    public var codeExpiresAt: Date?
    public var sendCount: Int
    public let createdAt: Date
    public let expiresAt: Date
    public var closedAt: Date?

    public init(
        id: String = SecureRandom.identifier(), userID: String, sessionID: String, context: MFAContext,
        createdAt: Date, lifetime: TimeInterval
    ) {
        self.id = id
        self.userID = userID
        self.sessionID = sessionID
        self.context = context
        self.state = .created
        self.sendCount = 0
        self.createdAt = createdAt
        self.expiresAt = createdAt.addingTimeInterval(lifetime)
    }

    /// Applies `event` at `now`; an open challenge past its lifetime expires first, and the event is then refused.
    public mutating func apply(_ event: ChallengeEvent, at now: Date) throws {
        if state.isOpen, now >= expiresAt, event != .expire, event != .cancel {
            state = .expired
            closedAt = now
            throw StepupError(.challengeExpired)
        }
        state = try state.applying(event)
        if !state.isOpen {
            closedAt = now
            codeDigest = nil
        }
        if event == .chooseTarget || event == .chooseToken || event == .chooseExternal { codeDigest = nil }
    }

    /// Records a freshly issued code; a new code voids the previous one.
    public mutating func record(_ code: AccessCode, at now: Date) throws {
        try apply(state == .codeSent ? .resendCode : .sendCode, at: now)
        codeDigest = code.digest
        codeSentAt = now
        codeExpiresAt = code.expiresAt
        sendCount += 1
    }
}
