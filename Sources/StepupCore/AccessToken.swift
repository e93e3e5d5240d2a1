import Foundation

/// A user's registered access token: a TOTP authenticator, with the last step it accepted (the replay guard).
public struct AccessToken: Sendable, Codable, Equatable, Identifiable {
    public let id: String
    public let userID: String
    public let secret: [UInt8]
    public let digits: Int
    public let algorithm: OTPAlgorithm
    public let period: Int
    public var lastUsedStep: Int64?

    public init(
        id: String = SecureRandom.identifier(), userID: String, secret: [UInt8], digits: Int = 6,
        algorithm: OTPAlgorithm = .sha1, period: Int = 30, lastUsedStep: Int64? = nil
    ) {
        self.id = id
        self.userID = userID
        self.secret = secret
        self.digits = digits
        self.algorithm = algorithm
        self.period = period
        self.lastUsedStep = lastUsedStep
    }

    public func totp() throws -> TOTP { try TOTP(secret: secret, digits: digits, algorithm: algorithm, period: period) }
}
