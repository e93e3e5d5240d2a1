/// Names a way of proving a factor: stored with every completion and audit event, and used in the API's paths.
///
/// A struct rather than an enum so a bank's own method (registered at the composition root) needs no change here;
/// the built-in names are constants.
public struct MFAMethodID: RawRepresentable, Hashable, Sendable, Codable, Comparable, ExpressibleByStringLiteral,
    CustomStringConvertible
{
    public let rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }

    public init(from decoder: any Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(String.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    public var description: String { rawValue }
    public static func < (a: MFAMethodID, b: MFAMethodID) -> Bool { a.rawValue < b.rawValue }

    /// Whether `name` can name a method: 1–32 lower-case letters, digits and underscores, so it is safe in a path,
    /// an audit detail and a metric label.
    public static func isValid(_ name: String) -> Bool {
        (1...32).contains(name.utf8.count)
            && name.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x5F }
    }

    /// A one-time access code sent to a delivery target.
    public static let accessCode: MFAMethodID = "access_code"
    /// The user's TOTP authenticator (the seeds' access token).
    public static let accessToken: MFAMethodID = "access_token"
    /// A token set by the user's external MFA extension.
    public static let externalToken: MFAMethodID = "external_token"
    /// A passkey (a WebAuthn credential) registered to the user.
    public static let passkey: MFAMethodID = "passkey"
    /// One of the user's single-use recovery codes (the phone is lost).
    public static let recoveryCode: MFAMethodID = "recovery_code"
    /// No second factor: an explicit EDV allow rule exempted this transaction (a risk-based exemption).
    public static let exemption: MFAMethodID = "exemption"
}
