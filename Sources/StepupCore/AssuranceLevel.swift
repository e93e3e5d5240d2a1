/// How strongly a completed MFA proved the user, in three ordered steps a bank can require of a route or an EDV
/// rule's outcome.
///
/// | Level | Reached by | NIST SP 800-63B-4 | RFC 9470 `acr` / OpenID EAP |
/// |---|---|---|---|
/// | `aal1` | any completed method | AAL1 | `aal1` |
/// | `aal2` | a code sent to a target, a TOTP app, an external MFA, each on top of the password | AAL2 | `aal2` |
/// | `phr` | a passkey with user verification, bound to the bank's origin | AAL2, phishing-resistant | `phr` |
///
/// EAP's `phrh` (phishing-resistant *hardware*) is never claimed: whether a passkey is device-bound is the
/// authenticator's own unattested claim (the BE flag) unless the bank verifies attestation against its trust anchors.
///
/// ```swift
/// try await guardRoute(level: .phishingResistant)   // a passkey, nothing less
/// ```
public enum AssuranceLevel: String, Sendable, Codable, CaseIterable, Comparable {
    case aal1
    case aal2
    /// A phishing-resistant authenticator: the proof is bound to the bank's origin, so a look-alike site cannot relay it.
    case phishingResistant = "phr"

    private var rank: Int {
        switch self {
        case .aal1: 1
        case .aal2: 2
        case .phishingResistant: 3
        }
    }

    public static func < (a: AssuranceLevel, b: AssuranceLevel) -> Bool { a.rank < b.rank }

    /// The RFC 9470 `acr` value the level is announced and asked for with.
    public var acr: String { rawValue }

    /// The level named by an `acr` value or a rule's stored level; nil for one Stepup does not define.
    public init?(acr: String) { self.init(rawValue: acr) }

    /// What the customer is told when none of their ways of verifying reaches the level.
    public var unreachableAdvice: String {
        switch self {
        case .phishingResistant: "This needs a passkey. Add a passkey in Security, then try again."
        case .aal2, .aal1: "No way to verify is set up for you here. Add one in Security, or contact the bank."
        }
    }
}

/// What a method declares it proves: its RFC 8176 `amr` values and the level it reaches.
///
/// ```swift
/// MethodAssurance(amr: ["otp"], level: .aal2)
/// ```
public struct MethodAssurance: Sendable, Codable, Equatable {
    /// RFC 8176 Authentication Method Reference values (`otp`, `sms`, `tel`, `hwk`, `swk`, `user`, `pin`, …).
    public var amr: [String]
    public var level: AssuranceLevel

    public init(amr: [String], level: AssuranceLevel) {
        self.amr = amr
        self.level = level
    }
}
