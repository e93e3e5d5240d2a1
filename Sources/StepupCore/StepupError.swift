import Foundation

/// The one error family of Stepup.
///
/// Every failure the platform can report has a stable machine-readable ``Code``, an HTTP status and a message that is
/// safe to show a user: it never names which part of a secret was wrong and never carries a secret.
///
/// ```swift
/// throw StepupError(.codeInvalid, attemptsLeft: 3)
/// ```
public struct StepupError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Stable identifiers clients can switch on; renaming one is a breaking change.
    public enum Code: String, Sendable, Codable, CaseIterable {
        case badRequest = "bad_request"
        case malformedJSON = "malformed_json"
        case bodyTooLarge = "body_too_large"
        case notFound = "not_found"
        case methodNotAllowed = "method_not_allowed"
        case notAuthenticated = "not_authenticated"
        case logonFailed = "logon_failed"
        case logonThrottled = "logon_throttled"
        case sessionExpired = "session_expired"
        case csrfInvalid = "csrf_invalid"
        case mfaRequired = "mfa_required"
        case mfaBlocked = "mfa_blocked"
        case challengeNotFound = "challenge_not_found"
        case challengeExpired = "challenge_expired"
        case challengeClosed = "challenge_closed"
        case illegalTransition = "illegal_transition"
        case targetNotFound = "target_not_found"
        case targetNotAllowed = "target_not_allowed"
        case noCodeSent = "no_code_sent"
        case resendTooSoon = "resend_too_soon"
        case sendLimitReached = "send_limit_reached"
        case deliveryFailed = "delivery_failed"
        case codeInvalid = "code_invalid"
        case codeExpired = "code_expired"
        case tokenInvalid = "token_invalid"
        case tokenReplayed = "token_replayed"
        case noAccessToken = "no_access_token"
        /// No registered MFA method has that id.
        case mfaMethodNotFound = "mfa_method_not_found"
        case attemptsExhausted = "attempts_exhausted"
        case userLocked = "user_locked"
        case completionNotFound = "completion_not_found"
        case mfaAbandoned = "mfa_abandoned"
        case transferNotAuthorized = "transfer_not_authorized"
        case insufficientFunds = "insufficient_funds"
        /// A transaction id already paid with other details (amount, currency, payee or account).
        case transactionIDReused = "transaction_id_reused"
        /// The same amount went to the same payee a moment ago; the customer must confirm this is not a duplicate.
        case transferDuplicateSuspected = "transfer_duplicate_suspected"
        /// An extension's proof of the user (a passphrase, say) did not hold; counted like a wrong code.
        case externalProofInvalid = "external_proof_invalid"
        case extensionNotFound = "extension_not_found"
        /// An extension's own service did not answer, or refused the platform (its key or clock differs).
        case extensionUnavailable = "extension_unavailable"
        /// A signed request between the platform and an extension service does not verify with the key the
        /// receiver holds for the sender (or its timestamp is outside the window).
        case signatureInvalid = "signature_invalid"
        case forbidden = "forbidden"
        case storeUnavailable = "store_unavailable"
        case configurationInvalid = "configuration_invalid"
        /// Redirect-based external MFA: the `state` is missing, unknown, expired, or not this user's.
        case oidcStateInvalid = "oidc_state_invalid"
        /// Redirect-based external MFA: the `state` was already used.
        case oidcStateReplayed = "oidc_state_replayed"
        /// The provider refused the authorization code (reused, expired, or a PKCE verifier that does not match).
        case oidcCodeRejected = "oidc_code_rejected"
        /// The provider could not be reached in time, or answered with something that is not OpenID Connect.
        case oidcProviderUnavailable = "oidc_provider_unavailable"
        /// The ID token failed a check: signature, unknown key, issuer, audience, authorised party, expiry, issue
        /// time or nonce.
        case oidcTokenInvalid = "oidc_token_invalid"
        /// The provider's login is older than the flow asked for (`max_age`, `auth_time`).
        case oidcAuthStale = "oidc_auth_stale"
        /// The provider authenticated someone other than the user's registered identity.
        case oidcSubjectMismatch = "oidc_subject_mismatch"
        /// The RFC 9207 `iss` parameter on the return names another issuer (a mix-up attack).
        case oidcIssuerMismatch = "oidc_issuer_mismatch"
        /// WebAuthn: a registration or assertion that does not parse or is out of bounds.
        case webauthnMalformed = "webauthn_malformed"
        case webauthnTypeMismatch = "webauthn_type_mismatch"
        /// The passkey signed another challenge than this ceremony's (a replayed or stale assertion).
        case webauthnChallengeMismatch = "webauthn_challenge_mismatch"
        /// The ceremony ran on another origin than the bank's: a look-alike site relaying it.
        case webauthnOriginMismatch = "webauthn_origin_mismatch"
        case webauthnRPMismatch = "webauthn_rp_mismatch"
        case webauthnUserNotPresent = "webauthn_user_not_present"
        /// The authenticator did not verify the user (PIN or biometric), which strong authentication needs.
        case webauthnUserNotVerified = "webauthn_user_not_verified"
        case webauthnSignatureInvalid = "webauthn_signature_invalid"
        /// The passkey is not registered to this user.
        case webauthnCredentialUnknown = "webauthn_credential_unknown"
        /// The passkey's counter did not move on: a cloned authenticator, or a replayed assertion.
        case webauthnSignCountRegressed = "webauthn_sign_count_regressed"
        /// The bank does not accept this authenticator model (its AAGUID).
        case webauthnAAGUIDRefused = "webauthn_aaguid_refused"
        case webauthnUnsupportedAlgorithm = "webauthn_unsupported_algorithm"
        case webauthnAttestationInvalid = "webauthn_attestation_invalid"
        /// The passkey reported another backup eligibility than at registration (§7.2): not the registered one.
        case webauthnBackupEligibilityChanged = "webauthn_backup_eligibility_changed"
        /// No passkey ceremony is pending for this step (never started, used, or expired): start it again. Costs
        /// no attempt.
        case webauthnCeremonyMissing = "webauthn_ceremony_missing"
        /// This passkey (its credential id) is registered already.
        case passkeyExists = "passkey_exists"
        /// Removing this factor would leave the customer no way to verify.
        case lastFactor = "last_factor"
        /// The way of verifying does not reach the assurance level this step needs (a code where a passkey is
        /// required).
        case levelInsufficient = "level_insufficient"
        /// The customer has this email address, number or authenticator already.
        case factorExists = "factor_exists"
        /// The set-up of a new factor ended (its time or attempts ran out, or another session started it): start
        /// again.
        case enrolmentExpired = "enrolment_expired"
        case `internal` = "internal_error"

        /// The HTTP status this code is answered with.
        public var httpStatus: Int {
            switch self {
            case .badRequest, .malformedJSON, .illegalTransition, .noCodeSent, .targetNotAllowed: 400
            case .notAuthenticated, .logonFailed, .sessionExpired, .mfaRequired, .codeInvalid, .tokenInvalid,
                .tokenReplayed, .codeExpired, .externalProofInvalid:
                401
            case .csrfInvalid, .mfaBlocked, .transferNotAuthorized, .forbidden, .signatureInvalid: 403
            case .mfaAbandoned: 401
            case .insufficientFunds, .transactionIDReused, .transferDuplicateSuspected: 409
            case .extensionNotFound: 404
            case .notFound, .challengeNotFound, .targetNotFound, .completionNotFound, .noAccessToken, .mfaMethodNotFound: 404
            case .methodNotAllowed: 405
            case .challengeExpired, .challengeClosed: 410
            case .bodyTooLarge: 413
            case .logonThrottled, .resendTooSoon, .sendLimitReached: 429
            case .attemptsExhausted, .userLocked: 423
            case .deliveryFailed: 502
            case .storeUnavailable, .extensionUnavailable: 503
            case .configurationInvalid, .internal: 500
            case .oidcStateInvalid, .oidcStateReplayed, .oidcCodeRejected, .oidcIssuerMismatch: 400
            case .oidcTokenInvalid, .oidcAuthStale: 401
            case .oidcSubjectMismatch: 403
            case .oidcProviderUnavailable: 503
            case .webauthnMalformed, .webauthnTypeMismatch, .webauthnUnsupportedAlgorithm, .webauthnAttestationInvalid,
                .webauthnCeremonyMissing:
                400
            case .webauthnChallengeMismatch, .webauthnOriginMismatch, .webauthnRPMismatch, .webauthnUserNotPresent,
                .webauthnUserNotVerified, .webauthnSignatureInvalid, .webauthnCredentialUnknown,
                .webauthnSignCountRegressed, .webauthnBackupEligibilityChanged:
                401
            case .webauthnAAGUIDRefused, .levelInsufficient: 403
            case .lastFactor, .passkeyExists, .factorExists: 409
            case .enrolmentExpired: 410
            }
        }

        var defaultMessage: String {
            switch self {
            case .badRequest: "The request is not valid."
            case .malformedJSON: "The request body is not valid JSON of the expected shape."
            case .bodyTooLarge: "The request body is too large."
            case .notFound: "No such resource."
            case .methodNotAllowed: "That method is not allowed here."
            case .notAuthenticated: "Sign in first."
            case .logonFailed: "The username or password is not correct."
            case .logonThrottled: "Too many sign-in attempts. Wait and try again."
            case .sessionExpired: "The session has expired. Sign in again."
            case .csrfInvalid: "The request is missing a valid CSRF token."
            case .mfaRequired: "Multi-factor authentication is required."
            case .mfaBlocked: "This action is blocked."
            case .challengeNotFound: "No such MFA challenge."
            case .challengeExpired: "The MFA challenge has expired. Start again."
            case .challengeClosed: "The MFA challenge is no longer open."
            case .illegalTransition: "That step is not possible in the challenge's current state."
            case .targetNotFound: "No such delivery target."
            case .targetNotAllowed: "That delivery target may not be used here."
            case .noCodeSent: "No access code has been sent for this challenge."
            case .resendTooSoon: "Wait before asking for another code."
            case .sendLimitReached: "Too many codes were sent. Try again later."
            case .deliveryFailed: "The code could not be delivered. Choose another target."
            case .codeInvalid: "The code is not correct."
            case .codeExpired: "The code has expired. Ask for a new one."
            case .tokenInvalid: "The token is not correct."
            case .tokenReplayed: "That token was already used."
            case .noAccessToken: "No access token is registered for this user."
            case .mfaMethodNotFound: "There is no such way of verifying. Choose one the dialog offers."
            case .attemptsExhausted: "Too many failed attempts. The user is locked."
            case .userLocked: "The user is locked after too many failed attempts."
            case .completionNotFound: "No matching MFA completion."
            case .mfaAbandoned: "Multi-factor authentication was not completed."
            case .transferNotAuthorized: "No completed multi-factor authentication authorises this transfer."
            case .insufficientFunds: "The account does not hold enough money for this transfer."
            case .transactionIDReused: "This transaction id was already used for a different transfer."
            case .transferDuplicateSuspected:
                "You sent the same amount to this payee a moment ago. Confirm that this is not a duplicate."
            case .externalProofInvalid: "That is not right."
            case .extensionNotFound: "No such extension."
            case .extensionUnavailable: "This part of online banking is not available right now. Try again later."
            case .signatureInvalid: "The request signature is not valid."
            case .forbidden: "That is not allowed."
            case .storeUnavailable: "The service is temporarily unavailable."
            case .configurationInvalid: "The configuration is not valid."
            case .internal: "An internal error occurred."
            case .oidcStateInvalid: "The sign-in at the identity provider does not belong to this verification. Start again."
            case .oidcStateReplayed: "That sign-in at the identity provider was already used. Start again."
            case .oidcCodeRejected: "The identity provider refused the sign-in. Start again."
            case .oidcProviderUnavailable: "The identity provider is not reachable. Try again later."
            case .oidcTokenInvalid: "The identity provider's answer could not be verified."
            case .oidcAuthStale: "The identity provider did not ask you to sign in again. Start again."
            case .oidcSubjectMismatch: "You signed in at the identity provider as someone else."
            case .oidcIssuerMismatch: "The answer came from another identity provider."
            case .webauthnMalformed: "The passkey's answer could not be read. Try again."
            case .webauthnTypeMismatch: "The passkey answered another kind of request. Try again."
            case .webauthnChallengeMismatch: "The passkey signed an older request. Try again."
            case .webauthnOriginMismatch: "The passkey was used on another website than the bank's."
            case .webauthnRPMismatch: "The passkey belongs to another website."
            case .webauthnUserNotPresent: "The passkey did not confirm you were there. Try again."
            case .webauthnUserNotVerified:
                "Your passkey must check it is you (PIN, fingerprint or face). Try again, or use another way."
            case .webauthnSignatureInvalid: "The passkey's signature is not valid."
            case .webauthnCredentialUnknown: "This passkey is not registered for you. Use another passkey or way."
            case .webauthnSignCountRegressed:
                "This passkey looks copied, so it was refused. Use another way and contact the bank."
            case .webauthnAAGUIDRefused: "The bank does not accept this kind of passkey or security key."
            case .webauthnUnsupportedAlgorithm: "This passkey uses a key type the bank does not accept."
            case .webauthnAttestationInvalid: "The security key's attestation could not be verified."
            case .webauthnBackupEligibilityChanged: "This passkey does not match the one you registered. Use another way."
            case .webauthnCeremonyMissing: "This passkey request has ended. Start again."
            case .passkeyExists: "This passkey is registered already."
            case .lastFactor: "This is your last way to verify, so it cannot be removed. Add another one first."
            case .levelInsufficient: "This step needs a stronger way of verifying."
            case .factorExists: "You have added this already."
            case .enrolmentExpired: "This set-up has ended. Start again."
            }
        }
    }

    public let code: Code
    public let message: String
    /// Seconds-since-1970 instant until which the user is locked, when the error is about a lockout.
    public var lockedUntil: Date?
    /// Failures the user may still make before lockout, when the error is about a refused secret.
    public var attemptsLeft: Int?
    /// The challenge the client should drive, for `mfa_required`.
    public var challengeID: String?
    /// Seconds to wait before retrying, for throttling errors.
    public var retryAfter: Int?
    /// The MFA context's kind, for `mfa_required`.
    public var context: String?
    /// Seconds a completion may be old (RFC 9470 `max_age`), for `mfa_required`.
    public var maxAge: Int?
    /// The assurance level the MFA must reach (RFC 9470 `acr_values`: `aal2`, `phr`), for `mfa_required`.
    public var acrValues: String?
    /// The methods the resource answers, for `method_not_allowed` (the `Allow` header).
    public var allow: [String]?

    /// `405`: the route exists, but not for this method.
    public static func methodNotAllowed(_ allow: [String]) -> StepupError {
        var error = StepupError(.methodNotAllowed, message: "This route answers \(allow.joined(separator: " and ")) only.")
        error.allow = allow
        return error
    }

    public init(
        _ code: Code, message: String? = nil, lockedUntil: Date? = nil, attemptsLeft: Int? = nil,
        challengeID: String? = nil, retryAfter: Int? = nil
    ) {
        self.code = code
        self.message = message ?? code.defaultMessage
        self.lockedUntil = lockedUntil
        self.attemptsLeft = attemptsLeft
        self.challengeID = challengeID
        self.retryAfter = retryAfter
    }

    public var httpStatus: Int { code.httpStatus }
    public var description: String { "\(code.rawValue): \(message)" }
}
