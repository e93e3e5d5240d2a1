import StepupCore

/// Why a redirect-based sign-in failed. Each case maps to one stable `StepupError` code (``stepupError``) and is
/// written to the audit trail under ``auditReason``.
public enum OIDCFailure: Error, Sendable, Equatable {
    case stateMissing
    case stateUnknown
    case stateReplayed
    case stateExpired
    /// The state belongs to another user or MFA context.
    case stateNotYours
    case issuerParameterMismatch
    /// The provider sent the user back with an error (`error=access_denied`, say).
    case providerDeclined(String)
    case codeMissing
    /// The provider refused the code: reused, expired, or a PKCE verifier that does not match (`invalid_grant`).
    case codeRejected(String)
    case providerUnavailable(String)
    case providerMisconfigured(String)
    case tokenMalformed
    case unsupportedAlgorithm(String)
    case unknownKey
    case badSignature
    case wrongIssuer
    case wrongAudience
    case wrongAuthorizedParty
    case expired
    case issuedAtInvalid
    case nonceMismatch
    case authTimeMissing
    case staleAuthentication
    case subjectMismatch
    case noRegistration
    case configuration(String)
    /// The client secret file could not be read: `reason` says why (never what the file holds).
    case clientSecretUnreadable(path: String, reason: String)

    /// A short, stable reason for the audit trail; never a secret.
    public var auditReason: String {
        switch self {
        case .stateMissing: "state_missing"
        case .stateUnknown: "state_unknown"
        case .stateReplayed: "state_replayed"
        case .stateExpired: "state_expired"
        case .stateNotYours: "state_not_yours"
        case .issuerParameterMismatch: "iss_parameter_mismatch"
        case .providerDeclined: "provider_declined"
        case .codeMissing: "code_missing"
        case .codeRejected: "code_rejected"
        case .providerUnavailable: "provider_unavailable"
        case .providerMisconfigured: "provider_misconfigured"
        case .tokenMalformed: "id_token_malformed"
        case .unsupportedAlgorithm: "id_token_algorithm"
        case .unknownKey: "id_token_unknown_key"
        case .badSignature: "id_token_signature"
        case .wrongIssuer: "id_token_issuer"
        case .wrongAudience: "id_token_audience"
        case .wrongAuthorizedParty: "id_token_azp"
        case .expired: "id_token_expired"
        case .issuedAtInvalid: "id_token_iat"
        case .nonceMismatch: "id_token_nonce"
        case .authTimeMissing: "auth_time_missing"
        case .staleAuthentication: "auth_time_stale"
        case .subjectMismatch: "subject_mismatch"
        case .noRegistration: "no_registration"
        case .configuration: "configuration"
        case .clientSecretUnreadable: "client_secret_unreadable"
        }
    }

    /// The typed platform error the extension answers with.
    public var stepupError: StepupError {
        switch self {
        case .stateMissing, .stateUnknown, .stateExpired, .stateNotYours: StepupError(.oidcStateInvalid)
        case .stateReplayed: StepupError(.oidcStateReplayed)
        case .issuerParameterMismatch: StepupError(.oidcIssuerMismatch)
        case .providerDeclined: StepupError(.oidcCodeRejected, message: "The identity provider did not sign you in.")
        case .codeMissing: StepupError(.badRequest, message: "The return from the identity provider has no code.")
        case .codeRejected: StepupError(.oidcCodeRejected)
        case .providerUnavailable, .providerMisconfigured: StepupError(.oidcProviderUnavailable)
        case .tokenMalformed, .unsupportedAlgorithm, .unknownKey, .badSignature, .wrongIssuer, .wrongAudience,
            .wrongAuthorizedParty, .expired, .issuedAtInvalid, .nonceMismatch:
            StepupError(.oidcTokenInvalid)
        case .authTimeMissing, .staleAuthentication: StepupError(.oidcAuthStale)
        case .subjectMismatch: StepupError(.oidcSubjectMismatch)
        case .noRegistration: StepupError(.forbidden, message: "No identity provider is registered for this user.")
        case .configuration(let message): StepupError(.configurationInvalid, message: message)
        case .clientSecretUnreadable(let path, let reason):
            StepupError(.configurationInvalid, message: "The client secret file \(path) could not be read: \(reason).")
        }
    }
}
