import Foundation

/// Settings of the platform services that are not system properties: they belong to the deployment, not the bank's
/// policy, and do not change at run time.
public struct PlatformConfiguration: Sendable {
    /// The bank's name, used in messages that carry codes.
    public var bankName = "Stepup Bank"
    /// bcrypt cost for new password hashes; 12 in production, 4 in tests.
    public var bcryptCost: UInt8 = 12
    /// Failed password attempts per username within ``logonThrottleWindow`` before further attempts are refused.
    public var logonFailuresPerUser = 10
    /// Failed password attempts per client address within the window.
    public var logonFailuresPerAddress = 50
    /// Seconds over which failed password attempts are counted.
    public var logonThrottleWindow: TimeInterval = 900
    /// The bank's WebAuthn relying party; nil: passkeys are neither offered nor registered.
    public var passkeys: PasskeySettings?

    public init() {}
}
