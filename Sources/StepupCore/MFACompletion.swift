import Foundation

/// How a challenge was completed.
public enum MFAMethod: String, Sendable, Codable {
    case accessCode = "access_code"
    case accessToken = "access_token"
    case externalToken = "external_token"
    /// No second factor: an explicit EDV allow rule exempted this transaction (a risk-based exemption).
    case exemption
}

/// Proof that a session passed MFA for one context. Consumed at most once, within the freshness window.
public struct MFACompletion: Sendable, Codable, Equatable, Identifiable {
    public let id: String
    public let sessionID: String
    public let challengeID: String
    public let userID: String
    public let context: MFAContext
    public let method: MFAMethod
    public let completedAt: Date
    public var consumedAt: Date?

    public init(
        id: String = SecureRandom.identifier(), sessionID: String, challengeID: String, userID: String,
        context: MFAContext, method: MFAMethod, completedAt: Date
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
