import Foundation

/// A one-time access code: random digits, kept only as a digest salted with its challenge's id.
///
/// The plain code exists only in ``plain`` on the value ``issue(for:length:lifetime:now:)`` returns, long enough to be
/// handed to a delivery channel.
public struct AccessCode: Sendable {
    public let plain: String
    public let digest: String
    public let expiresAt: Date

    public static func issue(for challengeID: String, length: Int, lifetime: TimeInterval, now: Date) -> AccessCode {
        let plain = SecureRandom.digits(length)
        return AccessCode(
            plain: plain, digest: SecretHash.digest(plain, salt: challengeID),
            expiresAt: now.addingTimeInterval(lifetime))
    }

    /// Checks `attempt` against a challenge's outstanding code: expiry first (an expired code is refused even when
    /// right), then a constant-time digest comparison.
    public static func verify(_ attempt: String, challenge: Challenge, now: Date) throws {
        guard let digest = challenge.codeDigest, let expiresAt = challenge.codeExpiresAt else {
            throw StepupError(.noCodeSent)
        }
        guard now < expiresAt else { throw StepupError(.codeExpired) }
        let trimmed = attempt.trimmingCharacters(in: .whitespaces)
        guard SecretHash.matches(trimmed, digest: digest, salt: challenge.id) else {
            throw StepupError(.codeInvalid)
        }
    }
}
