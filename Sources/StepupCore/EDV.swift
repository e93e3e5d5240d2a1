import Crypto
import Foundation

/// What event-driven validation answers for an audit event.
public enum EDVDecision: String, Sendable, Codable, CaseIterable {
    case allow
    case requireMFA = "require_mfa"
    case block
}

/// A condition of a data rule on the audit event, its details and its history.
public enum EDVCondition: Sendable, Equatable, Codable {
    /// A numeric detail strictly above a threshold (a missing or non-numeric detail does not match).
    case detailAbove(key: String, threshold: Double)
    /// A numeric detail at most a threshold.
    case detailAtMost(key: String, threshold: Double)
    /// A detail equal to a value.
    case detailEquals(key: String, value: String)
    /// More than `count` events of this action by this user within `seconds` (this one included).
    case moreThan(count: Int, withinSeconds: Int)
    /// The session's client address was never used by this user before.
    case newAddress

    enum CodingKeys: String, CodingKey { case type, key, threshold, value, count, withinSeconds }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        switch try c.decode(String.self, forKey: .type) {
        case "detail_above": self = .detailAbove(key: try c.decode(String.self, forKey: .key), threshold: try c.decode(Double.self, forKey: .threshold))
        case "detail_at_most": self = .detailAtMost(key: try c.decode(String.self, forKey: .key), threshold: try c.decode(Double.self, forKey: .threshold))
        case "detail_equals": self = .detailEquals(key: try c.decode(String.self, forKey: .key), value: try c.decode(String.self, forKey: .value))
        case "more_than":
            self = .moreThan(count: try c.decode(Int.self, forKey: .count), withinSeconds: try c.decode(Int.self, forKey: .withinSeconds))
        case "new_address": self = .newAddress
        case let other:
            throw DecodingError.dataCorruptedError(forKey: .type, in: c, debugDescription: "unknown condition type \(other)")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .detailAbove(let key, let threshold):
            try c.encode("detail_above", forKey: .type)
            try c.encode(key, forKey: .key)
            try c.encode(threshold, forKey: .threshold)
        case .detailAtMost(let key, let threshold):
            try c.encode("detail_at_most", forKey: .type)
            try c.encode(key, forKey: .key)
            try c.encode(threshold, forKey: .threshold)
        case .detailEquals(let key, let value):
            try c.encode("detail_equals", forKey: .type)
            try c.encode(key, forKey: .key)
            try c.encode(value, forKey: .value)
        case .moreThan(let count, let seconds):
            try c.encode("more_than", forKey: .type)
            try c.encode(count, forKey: .count)
            try c.encode(seconds, forKey: .withinSeconds)
        case .newAddress:
            try c.encode("new_address", forKey: .type)
        }
    }
}

/// An audit event as EDV rules see it.
public struct EDVInput: Sendable, Equatable {
    public let eventID: String
    public let action: String
    public let details: [String: String]
    public let userID: String
    public let sessionID: String
    public let clientAddress: String?
    public let at: Date

    public init(eventID: String, action: String, details: [String: String], userID: String, sessionID: String, clientAddress: String?, at: Date) {
        self.eventID = eventID
        self.action = action
        self.details = details
        self.userID = userID
        self.sessionID = sessionID
        self.clientAddress = clientAddress
        self.at = at
    }

    /// A digest of the details that binds an EDV completion to exactly these details.
    public var detailsHash: String { EDVInput.hash(details) }

    public static func hash(_ details: [String: String]) -> String {
        let canonical = details.keys.sorted().map { "\($0.count):\($0)=\(details[$0]!.count):\(details[$0]!)" }.joined(separator: ";")
        return SecretHash.hex(Array(SHA256.hash(data: Array(canonical.utf8))))
    }
}

/// History an EDV rule may ask about, looked up only when a rule needs it.
public protocol EDVFacts: Sendable {
    /// Events of `action` by the input's user at or after `since`.
    func eventCount(action: String, since: Date) async throws -> Int
    /// Whether the input's client address is new for its user.
    func isNewAddress() async throws -> Bool
}

/// An EDV rule written as data: it matches an audit action (or `*`) when every condition holds, and then answers
/// its decision. Stored as a row, loaded from JSON, edited with `stepup edv`.
public struct EDVRuleDefinition: Sendable, Equatable, Codable, Identifiable {
    public let id: String
    /// Rules run in ascending position; the first decisive answer wins.
    public var position: Int
    /// The audit action name it applies to, or `*` for every action.
    public var action: String
    public var conditions: [EDVCondition]
    public var decision: EDVDecision
    /// For `require_mfa`: do not prompt again for this action in this session for this many minutes after an MFA.
    public var repromptAfterMinutes: Int?
    /// For `require_mfa`: the least assurance level the MFA must reach (`phr`: a passkey).
    public var level: AssuranceLevel?
    public var enabled: Bool

    public var requiredLevel: AssuranceLevel? { level }

    public init(
        id: String, position: Int, action: String, conditions: [EDVCondition] = [], decision: EDVDecision,
        repromptAfterMinutes: Int? = nil, level: AssuranceLevel? = nil, enabled: Bool = true
    ) {
        self.level = level
        self.id = id
        self.position = position
        self.action = action
        self.conditions = conditions
        self.decision = decision
        self.repromptAfterMinutes = repromptAfterMinutes
        self.enabled = enabled
    }

    enum CodingKeys: String, CodingKey { case id, position, action, conditions, decision, repromptAfterMinutes, level, enabled }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            id: try c.decode(String.self, forKey: .id), position: try c.decode(Int.self, forKey: .position),
            action: try c.decode(String.self, forKey: .action),
            conditions: try c.decodeIfPresent([EDVCondition].self, forKey: .conditions) ?? [],
            decision: try c.decode(EDVDecision.self, forKey: .decision),
            repromptAfterMinutes: try c.decodeIfPresent(Int.self, forKey: .repromptAfterMinutes),
            level: try c.decodeIfPresent(AssuranceLevel.self, forKey: .level),
            enabled: try c.decodeIfPresent(Bool.self, forKey: .enabled) ?? true)
        try validate()
    }

    /// Refuses rules that could never make sense, so a typo fails loudly at load time.
    public func validate() throws {
        guard !id.isEmpty, id.count <= 64, !action.isEmpty else {
            throw StepupError(.configurationInvalid, message: "An EDV rule needs an id (at most 64 characters) and an action.")
        }
        if let minutes = repromptAfterMinutes, !(1...1440).contains(minutes) || decision != .requireMFA {
            throw StepupError(.configurationInvalid, message: "Rule \(id): repromptAfterMinutes is 1 to 1440, on require_mfa rules only.")
        }
        if level != nil, decision != .requireMFA {
            throw StepupError(.configurationInvalid, message: "Rule \(id): a level (aal1, aal2 or phr) goes on require_mfa rules only.")
        }
        for condition in conditions {
            if case .moreThan(let count, let seconds) = condition, count < 0 || !(1...2_592_000).contains(seconds) {
                throw StepupError(.configurationInvalid, message: "Rule \(id): more_than needs count ≥ 0 and 1 to 2592000 seconds.")
            }
        }
    }

    /// Whether every condition holds for `input`; history is asked of `facts` only when a condition needs it.
    public func matches(_ input: EDVInput, facts: any EDVFacts) async throws -> Bool {
        guard enabled, action == "*" || action == input.action else { return false }
        for condition in conditions {
            switch condition {
            case .detailAbove(let key, let threshold):
                guard let value = input.details[key].flatMap(Double.init), value > threshold else { return false }
            case .detailAtMost(let key, let threshold):
                guard let value = input.details[key].flatMap(Double.init), value <= threshold else { return false }
            case .detailEquals(let key, let value):
                guard input.details[key] == value else { return false }
            case .moreThan(let count, let seconds):
                let since = input.at.addingTimeInterval(-Double(seconds))
                guard try await facts.eventCount(action: input.action, since: since) > count else { return false }
            case .newAddress:
                guard try await facts.isNewAddress() else { return false }
            }
        }
        return true
    }
}

/// The answer of the platform's EDV to one guarded call.
public enum EDVOutcome: Sendable, Equatable {
    /// The call may run; the context is the MFA completion (or exemption) it consumed, nil if none was needed.
    case allow(MFAContext?)
    case block
    /// The call needs MFA for `context`; the challenge is open.
    case requireMFA(challengeID: String, context: MFAContext)
}
