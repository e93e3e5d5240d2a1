import StepupCore
import StepupWebAuthn

/// Where the bank's passkeys live: the RP ID (the registrable domain the browser binds each passkey to) and the
/// exact origins the banking app runs on. Without them no passkey is offered or registered.
public struct PasskeySettings: Sendable, Equatable {
    /// `bank.example`; `localhost` on a developer's machine (browsers treat it as a secure context over http).
    public var rpID: String
    /// The name the browser shows when a passkey is created ("Stepup Bank").
    public var rpName: String
    /// `https://bank.example`, each exactly as the browser reports it.
    public var origins: Set<String>
    /// How long a started ceremony may take, in seconds (the browser's `timeout` too).
    public var ceremonyTimeout: Int = 180
    /// The bank's trust anchors for authenticator attestation (DER). With them, a packed attestation's chain must
    /// lead to one; without them, a chain is only the authenticator's claim.
    public var attestationRoots: [[UInt8]] = []
    /// Only authenticators whose attestation chains to ``attestationRoots`` may register (`none` is refused):
    /// for a bank that hands out certified security keys. Synced passkeys send no attestation.
    public var requireAttestation = false

    public init(rpID: String, rpName: String, origins: Set<String>) {
        self.rpID = rpID
        self.rpName = rpName
        self.origins = origins
    }

    /// The relying party that checks this bank's ceremonies under the current system properties.
    func relyingParty(_ properties: SystemProperties) -> RelyingParty {
        RelyingParty(
            id: rpID, origins: origins, requireUserVerification: true,
            aaguidPolicy: AAGUIDPolicy(
                allowed: Set(properties.passkeyAAGUIDAllowList.compactMap { SecretHash.bytes(hex: $0) }),
                denied: Set(properties.passkeyAAGUIDDenyList.compactMap { SecretHash.bytes(hex: $0) })))
    }
}
