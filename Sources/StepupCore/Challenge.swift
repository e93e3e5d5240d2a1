import Foundation

/// One pending MFA context of one session, driven by its id through ``ChallengeState``.
///
/// The row knows nothing of any method: ``method`` names the chosen one and ``methodState`` holds that method's own
/// state (an access code's digest and target, say), which only the method reads.
public struct Challenge: Sendable, Codable, Equatable, Identifiable {
    public let id: String
    public let userID: String
    /// The row id of the session (never the session secret) the challenge belongs to.
    public let sessionID: String
    public let context: MFAContext
    public var state: ChallengeState
    /// The method chosen last; nil until one is.
    public var method: MFAMethodID?
    /// The chosen method's own state. Cleared when the challenge closes or another method is chosen, so a secret it
    /// holds (a code digest) never outlives its use.
    public var methodState: MethodState
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
        self.methodState = MethodState()
        self.createdAt = createdAt
        self.expiresAt = createdAt.addingTimeInterval(lifetime)
    }

    /// Applies `event` at `now`; an open challenge past its lifetime expires first, and the event is then refused.
    public mutating func apply(_ event: ChallengeEvent, at now: Date) throws {
        if state.isOpen, now >= expiresAt, event != .expire, event != .cancel {
            state = .expired
            closedAt = now
            methodState = MethodState()
            throw StepupError(.challengeExpired)
        }
        state = try state.applying(event)
        if !state.isOpen {
            closedAt = now
            methodState = MethodState()
        }
    }

    /// Chooses `method`. Choosing another method than the current one drops the old one's state; choosing the same
    /// one again keeps it, for the method to amend (a resend cooldown spans targets).
    public mutating func choose(_ chosen: MFAMethodID, at now: Date) throws {
        try apply(.choose, at: now)
        if method != chosen { methodState = MethodState() }
        method = chosen
    }
}

/// A method's own state on a challenge: a JSON object only that method reads and writes.
public struct MethodState: Sendable, Codable, Equatable {
    /// The encoded state, or nil for none.
    public private(set) var json: String?

    public init(json: String? = nil) { self.json = json }

    /// The state as `type`, or nil when there is none or it was written by another method.
    public func decode<T: Decodable>(_ type: T.Type) -> T? {
        guard let json else { return nil }
        return try? JSONDecoder.stepup.decode(T.self, from: Data(json.utf8))
    }

    /// Replaces the state.
    public mutating func encode<T: Encodable>(_ value: T) throws {
        json = String(decoding: try JSONEncoder.stepup.encode(value), as: UTF8.self)
    }
}

extension JSONEncoder {
    /// Sorted keys and milliseconds since 1970, so state written on one node reads the same on another.
    static var stepup: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        encoder.dateEncodingStrategy = .millisecondsSince1970
        return encoder
    }
}

extension JSONDecoder {
    static var stepup: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .millisecondsSince1970
        return decoder
    }
}
