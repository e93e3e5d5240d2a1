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
    /// holds (a code digest) never outlives its use. Methods reach it through ``state(of:as:)``, which answers only
    /// the chosen method, so one method never reads another's (a code digest and its target).
    package var methodState: MethodState
    public let createdAt: Date
    public let expiresAt: Date
    public var closedAt: Date?
    /// The least level a method must reach to complete it: the guard's or an EDV outcome's. The dialog offers only
    /// methods that reach it, and a proof by any other is refused.
    public var requiredLevel: AssuranceLevel

    public init(
        id: String = SecureRandom.identifier(), userID: String, sessionID: String, context: MFAContext,
        createdAt: Date, lifetime: TimeInterval, requiredLevel: AssuranceLevel = .aal1
    ) {
        self.requiredLevel = requiredLevel
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

    /// The state `method` keeps on this challenge; nil when another method is chosen, or it keeps none.
    public func state<T: Decodable>(of method: MFAMethodID, as type: T.Type) -> T? {
        guard self.method == method else { return nil }
        return methodState.decode(T.self)
    }

    /// Replaces the state of `method`, which must be the chosen one.
    public mutating func setState<T: Encodable>(_ value: T, of method: MFAMethodID) throws {
        guard self.method == method else {
            throw StepupError(.illegalTransition, message: "\(method) is not the chosen way of verifying.")
        }
        try methodState.encode(value)
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

    /// The state as `type`, or nil when there is none or it is of another shape.
    func decode<T: Decodable>(_ type: T.Type) -> T? {
        guard let json else { return nil }
        return try? Self.decoder.decode(T.self, from: Data(json.utf8))
    }

    /// Replaces the state.
    mutating func encode<T: Encodable>(_ value: T) throws {
        json = String(decoding: try Self.encoder.encode(value), as: UTF8.self)
    }

    /// Sorted keys and milliseconds since 1970, so state written on one node reads the same on another. One of
    /// each, shared: a challenge's state is read and written several times a request.
    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        encoder.dateEncodingStrategy = .millisecondsSince1970
        return encoder
    }()

    private static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .millisecondsSince1970
        return decoder
    }()
}
