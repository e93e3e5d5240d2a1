import StepupCore

/// How an extension reaches the platform. In process it calls the platform directly; as its own service it speaks
/// HTTP with a per-request credential. Either way it acts only for the session and user it is serving.
public protocol PlatformClient: Sendable {
    /// Acts as the signed-in user (the seeds' WedgeOnlineBanking). Throws `not_authenticated` before logon.
    var user: any UserAPI { get }
    /// Acts by user id, for the session's own user only (the seeds' Q2API); works before logon.
    var backOffice: any BackOfficeAPI { get }
    /// Hands the platform an external MFA token (at least 128 bits) for the session's pending challenge; only the
    /// extension the platform names as this user's external MFA for it may. The page then passes the same token to
    /// `bridge.actions.verifyMFA({token})`.
    func setExternalMFAToken(_ token: String) async throws
    /// Mints a 256-bit token, sets it as ``setExternalMFAToken(_:)`` does, and returns it. To test a secret the
    /// user typed, use ``externalMFA``'s `attempt` instead, which counts the guess.
    func issueExternalMFAToken() async throws -> String
    /// Reserves one failure on the user's failure counter for an external proof and returns the attempt's id;
    /// throws `user_locked` when no attempt is left. Called by ``ExternalMFA/attempt(_:)``.
    func beginExternalMFAAttempt() async throws -> String
    /// Ends an attempt once: a proof that held gives the failure back and answers a fresh external MFA token; one
    /// that failed keeps it and throws `external_proof_invalid` (with `attemptsLeft`) or `attempts_exhausted`.
    func finishExternalMFAAttempt(_ attemptID: String, succeeded: Bool) async throws -> String
    /// Writes an event to the platform's audit trail for the session's user, as `ext.{extension}.{action}`: how
    /// an extension records its own decisions (a refused sign-in at an identity provider, say). `action` is
    /// lower-case letters, digits, `.`, `_` or `-`, at most 64 characters; at most 16 details of 512 characters.
    func recordEvent(_ action: String, succeeded: Bool, details: [String: String]) async throws
}



/// The user API: calls made as the signed-in user.
public protocol UserAPI: Sendable {
    func profile() async throws -> UserProfile
    func accounts() async throws -> [Account]
    func acceptDisclaimer(id: String) async throws
    /// Moves money; refused with `transfer_not_authorized` unless a completion consumed in this session authorised
    /// exactly this transaction, amount, currency and payee.
    func transfer(_ request: TransferRequest) async throws -> TransferReceipt
}

/// The back-office API: calls by user id, limited to the session's own user.
public protocol BackOfficeAPI: Sendable {
    func profile(userID: String) async throws -> UserProfile
    func accounts(userID: String) async throws -> [Account]
    func markDisclaimerAccepted(userID: String, id: String) async throws
}
