/// Why the relying party refused a registration or an assertion: one stable code per reason, as the API answers it
/// and the audit records it.
public struct WebAuthnError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Reason: String, Sendable, CaseIterable {
        /// CBOR, JSON, base64url or a structure that does not parse or is out of bounds.
        case malformed = "webauthn_malformed"
        /// `clientDataJSON.type` is not the ceremony's (`webauthn.create` / `webauthn.get`).
        case typeMismatch = "webauthn_type_mismatch"
        /// The challenge is not the one this ceremony issued (or it was already used).
        case challengeMismatch = "webauthn_challenge_mismatch"
        /// The origin (or `topOrigin`, or a cross-origin frame) is not the bank's.
        case originMismatch = "webauthn_origin_mismatch"
        /// `rpIdHash` is not SHA-256 of the bank's RP ID.
        case rpMismatch = "webauthn_rp_mismatch"
        /// The authenticator did not report user presence.
        case userNotPresent = "webauthn_user_not_present"
        /// User verification was required (SCA) and the authenticator did not report it.
        case userNotVerified = "webauthn_user_not_verified"
        /// The signature does not verify with the credential's key.
        case signatureInvalid = "webauthn_signature_invalid"
        /// The credential is not registered, or is registered to someone else.
        case credentialUnknown = "webauthn_credential_unknown"
        /// The signature counter did not increase although the authenticator keeps one (a cloned key?).
        case signCountRegressed = "webauthn_sign_count_regressed"
        /// The authenticator's model (AAGUID) is not allowed by the bank's policy.
        case aaguidRefused = "webauthn_aaguid_refused"
        /// A COSE key type or algorithm the relying party does not accept.
        case unsupportedAlgorithm = "webauthn_unsupported_algorithm"
        /// The attestation statement does not verify, or its format is not accepted.
        case attestationInvalid = "webauthn_attestation_invalid"
        /// The credential's backup eligibility (BE) differs from the one it registered with: BE never changes for a
        /// credential (§7.2), so this is another authenticator's, or a forged one.
        case backupEligibilityChanged = "webauthn_backup_eligibility_changed"
    }

    public let reason: Reason
    public let message: String

    public init(_ reason: Reason, _ message: String) {
        self.reason = reason
        self.message = message
    }

    public var description: String { "\(reason.rawValue): \(message)" }
}
