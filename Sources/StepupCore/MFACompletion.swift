import Foundation

/// Proof that a session passed MFA for one context. Consumed at most once, within the freshness window.
public struct MFACompletion: Sendable, Codable, Equatable, Identifiable {
    public let id: String
    public let sessionID: String
    public let challengeID: String
    public let userID: String
    public let context: MFAContext
    public let method: MFAMethodID
    /// The RFC 9470 `auth_time`: when the user proved the factor.
    public let completedAt: Date
    public var consumedAt: Date?
    /// RFC 8176 values of what the method proved (`otp`, `hwk`, `user`, …).
    public var amr: [String]
    /// The level the method reached; a route or an EDV outcome that needs more is not satisfied by it.
    public var level: AssuranceLevel

    public init(
        id: String = SecureRandom.identifier(), sessionID: String, challengeID: String, userID: String,
        context: MFAContext, method: MFAMethodID, completedAt: Date, amr: [String] = [], level: AssuranceLevel = .aal2
    ) {
        self.amr = amr
        self.level = level
        self.id = id
        self.sessionID = sessionID
        self.challengeID = challengeID
        self.userID = userID
        self.context = context
        self.method = method
        self.completedAt = completedAt
    }
}
