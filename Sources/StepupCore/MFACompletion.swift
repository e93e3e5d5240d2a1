import Foundation

/// Proof that a session passed MFA for one context. Consumed at most once, within the freshness window.
public struct MFACompletion: Sendable, Codable, Equatable, Identifiable {
    public let id: String
    public let sessionID: String
    public let challengeID: String
    public let userID: String
    public let context: MFAContext
    public let method: MFAMethodID
    public let completedAt: Date
    public var consumedAt: Date?

    public init(
        id: String = SecureRandom.identifier(), sessionID: String, challengeID: String, userID: String,
        context: MFAContext, method: MFAMethodID, completedAt: Date
    ) {
        self.id = id
        self.sessionID = sessionID
        self.challengeID = challengeID
        self.userID = userID
        self.context = context
        self.method = method
        self.completedAt = completedAt
    }
}
