import Crypto
import Foundation

/// How far a session has come.
public enum SessionStage: String, Sendable, Codable {
    /// Password accepted; logon MFA still to do. Only the MFA workflow and pre-logon extensions are open.
    case preAuthentication = "pre_authentication"
    case authenticated
}

/// A browser's session. The secret id lives only in the cookie; the row holds its digest.
public struct Session: Sendable, Codable, Equatable, Identifiable {
    /// A stable row id, safe to log and to reference from challenges and audit events.
    public let id: String
    /// SHA-256 of the cookie secret; rotated at logon and at every MFA completion.
    public var secretDigest: String
    /// SHA-256 of the CSRF token that belongs to this session; rotated with the secret.
    public var csrfDigest: String
    public let userID: String
    public var stage: SessionStage
    public let createdAt: Date
    public var lastSeenAt: Date
    public var clientAddress: String?
    /// The browser's `User-Agent` at logon (at most 256 characters), so the customer can tell their sessions apart.
    public var userAgent: String?

    public init(
        id: String = SecureRandom.identifier(), secretDigest: String, csrfDigest: String, userID: String,
        stage: SessionStage, createdAt: Date, clientAddress: String?
    ) {
        self.id = id
        self.secretDigest = secretDigest
        self.csrfDigest = csrfDigest
        self.userID = userID
        self.stage = stage
        self.createdAt = createdAt
        self.lastSeenAt = createdAt
        self.clientAddress = clientAddress
    }

    /// Whether the session is still usable at `now`: neither idle too long nor past its absolute lifetime.
    public func isLive(at now: Date, properties: SystemProperties) -> Bool {
        now.timeIntervalSince(lastSeenAt) < Double(properties.sessionIdleTimeout)
            && now.timeIntervalSince(createdAt) < Double(properties.sessionAbsoluteLifetime)
    }
}

/// The secrets handed to a browser when a session is created or rotated. Only their digests are stored.
///
/// The CSRF token is derived from the session secret, so the server can hand it out again on any request that
/// carries the cookie (a reloaded page), yet a cross-site page, which can neither read the cookie nor the answer,
/// cannot learn it. It rotates with the session secret.
public struct SessionSecrets: Sendable {
    public let sessionToken: String
    public let csrfToken: String

    public init() {
        sessionToken = SecureRandom.token(bits: 256)
        csrfToken = Self.csrfToken(forSessionToken: sessionToken)
    }

    public static func csrfToken(forSessionToken token: String) -> String {
        Base64URL.encode(Array(SHA256.hash(data: Array(("stepup-csrf:" + token).utf8))))
    }

    public var sessionDigest: String { SecretHash.digest(sessionToken) }
    public var csrfDigest: String { SecretHash.digest(csrfToken) }
}
