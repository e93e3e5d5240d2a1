import Foundation
import HummingbirdBcrypt

/// bcrypt, run off the caller's executor: it is slow on purpose and must not stall an event loop.
public struct PasswordHasher: Sendable {
    public let cost: UInt8
    /// A real bcrypt hash of a random password at the same cost, verified against when a username is unknown, so
    /// that unknown and known usernames take the same time.
    private let dummyHash: String

    public init(cost: UInt8) {
        self.cost = cost
        self.dummyHash = Bcrypt.hash(SecureRandomPassword.make(), cost: cost)
    }

    public func hash(_ password: String) async -> String {
        let cost = self.cost
        return await Task.detached { Bcrypt.hash(password, cost: cost) }.value
    }

    /// Verifies `password` against `hash`, or against the dummy hash when there is no user, always doing the work.
    public func verify(_ password: String, hash: String?) async -> Bool {
        let target = hash ?? dummyHash
        let matched = await Task.detached { Bcrypt.verify(password, hash: target) }.value
        return matched && hash != nil
    }
}

enum SecureRandomPassword {
    static func make() -> String {
        var generator = SystemRandomNumberGenerator()
        return String((0..<24).map { _ in "abcdefghijklmnopqrstuvwxyz0123456789".randomElement(using: &generator)! })
    }
}
