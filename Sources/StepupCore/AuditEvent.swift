import Foundation

/// What came of an audited step.
public enum AuditOutcome: String, Sendable, Codable {
    case success, failure, info
}

/// One line of the append-only audit trail. Details never hold a secret: callers pass ids and masked values only.
public struct AuditEvent: Sendable, Codable, Equatable, Identifiable {
    public let id: String
    public let at: Date
    public let action: String
    public let outcome: AuditOutcome
    public let userID: String?
    public let sessionID: String?
    public let challengeID: String?
    public let details: [String: String]

    public init(
        id: String? = nil, at: Date, action: String, outcome: AuditOutcome, userID: String?,
        sessionID: String? = nil, challengeID: String? = nil, details: [String: String] = [:]
    ) {
        self.id = id ?? SortableID.make(at: at)
        self.at = at
        self.action = action
        self.outcome = outcome
        self.userID = userID
        self.sessionID = sessionID
        self.challengeID = challengeID
        self.details = details
    }
}
