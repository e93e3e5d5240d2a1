import Foundation

/// The one counter of consecutive MFA failures a user has, across methods, challenges and nodes.
public struct FailureCounter: Sendable, Codable, Equatable {
    public let userID: String
    public var failures: Int
    public var lockedUntil: Date?

    public init(userID: String, failures: Int = 0, lockedUntil: Date? = nil) {
        self.userID = userID
        self.failures = failures
        self.lockedUntil = lockedUntil
    }

    public func isLocked(at now: Date) -> Bool { lockedUntil.map { now < $0 } ?? false }
}
