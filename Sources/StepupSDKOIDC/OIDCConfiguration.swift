import Foundation

/// How one extension signs its users in at one OpenID provider, for redirect-based external MFA.
///
/// ```swift
/// let configuration = try OIDCConfiguration(
///     issuer: "https://idp.example.com", clientID: "bank", clientSecret: secret,
///     redirectURI: "https://bank.example.com/ext/idp-verify/assets/verify.html")
/// ```
public struct OIDCConfiguration: Sendable {
    /// How the client authenticates at the token and PAR endpoints (RFC 6749 §2.3.1).
    public enum ClientAuthentication: String, Sendable, CaseIterable {
        /// HTTP Basic with the form-encoded client id and secret.
        case clientSecretBasic = "client_secret_basic"
        /// `client_id` and `client_secret` in the form body.
        case clientSecretPost = "client_secret_post"
    }

    /// Which of the user's platform values the provider's `sub` must equal.
    public enum SubjectSource: String, Sendable {
        /// The user's `mfa_registration` value for this extension.
        case registrationValue = "registration"
        /// The user's `sso_user_logon` identifier.
        case ssoIdentifier = "sso"
    }

    /// How the freshness of the provider's login is proven.
    public enum Freshness: Sendable, Equatable {
        /// The ID token's `auth_time` must be no earlier than the start of this flow (less `skew` seconds): the
        /// request's `max_age=0` was honoured. The default, and what OpenID Connect Core §3.1.2.1 promises.
        case authTime(skew: TimeInterval)
        /// The provider is configured to demand a fresh login for this client itself and does not report a usable
        /// `auth_time` (Glewlwyd 2.7 reports 0). `auth_time` is not checked; the bank vouches for the provider.
        case providerEnforced
    }

    /// The issuer identifier: discovery is read from `{issuer}/.well-known/openid-configuration` and must name this
    /// issuer exactly.
    public let issuer: String
    public let clientID: String
    public let clientSecret: String
    public let clientAuthentication: ClientAuthentication
    /// Where the provider sends the user back: the extension's `verify.html`, as an absolute URL registered with
    /// the provider.
    public let redirectURI: String
    public let scope: String
    public let subjectSource: SubjectSource
    public let freshness: Freshness
    /// The longest any one call to the provider may take.
    public let requestTimeout: TimeInterval
    /// How long a started flow (its state, nonce and verifier) may wait for the user's return.
    public let flowLifetime: TimeInterval
    /// How long discovery and the key set are cached (default 600 s). The key set is refetched sooner, at most every
    /// ``OIDCProvider/keyRefetchInterval``, for a token under a key it lacks or failing its signature.
    public let metadataLifetime: TimeInterval
    /// Leeway for `exp` and `iat` against this server's clock.
    public let clockSkew: TimeInterval
    /// Hosts besides the issuer's that discovery may name for endpoints and keys (some providers serve keys from
    /// another host). Empty: every endpoint must be on the issuer's origin.
    public let additionalEndpointHosts: Set<String>

    /// The shortest client secret accepted, in UTF-8 bytes. The secret only authenticates the client at the PAR and
    /// token endpoints: ID tokens signed with it (HS256, whose RFC 7518 §3.2 key must have 32 bytes) are refused,
    /// so this is a floor against a placeholder, not a key size. Give 32 random bytes or more.
    public static let minimumSecretLength = 16

    /// - Throws: `configuration_invalid` when the issuer or redirect URI is not an absolute https URL (http only on
    ///   loopback: `127.0.0.1`, `::1`, `localhost`), or the client has no id or a secret shorter than
    ///   ``minimumSecretLength``.
    public init(
        issuer: String, clientID: String, clientSecret: String,
        clientAuthentication: ClientAuthentication = .clientSecretBasic, redirectURI: String, scope: String = "openid",
        subjectSource: SubjectSource = .registrationValue, freshness: Freshness = .authTime(skew: 5),
        requestTimeout: TimeInterval = 5, flowLifetime: TimeInterval = 300, metadataLifetime: TimeInterval = 600,
        clockSkew: TimeInterval = 30, additionalEndpointHosts: Set<String> = []
    ) throws {
        let issuer = issuer.hasSuffix("/") ? String(issuer.dropLast()) : issuer
        guard Self.isAllowedURL(issuer), Self.isAllowedURL(redirectURI) else {
            throw OIDCFailure.configuration("The issuer and redirect URI must be absolute https URLs (http only on loopback).")
        }
        guard !clientID.isEmpty, clientSecret.utf8.count >= Self.minimumSecretLength else {
            throw OIDCFailure.configuration(
                "The client needs an id and a secret of at least \(Self.minimumSecretLength) bytes (UTF-8).")
        }
        guard scope.split(separator: " ").contains("openid") else {
            throw OIDCFailure.configuration("The scope must include openid.")
        }
        self.issuer = issuer
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.clientAuthentication = clientAuthentication
        self.redirectURI = redirectURI
        self.scope = scope
        self.subjectSource = subjectSource
        self.freshness = freshness
        self.requestTimeout = requestTimeout
        self.flowLifetime = flowLifetime
        self.metadataLifetime = metadataLifetime
        self.clockSkew = clockSkew
        self.additionalEndpointHosts = additionalEndpointHosts
    }

    /// An https URL, or http to a loopback host (for tests and development against a local provider).
    static func isAllowedURL(_ string: String) -> Bool {
        guard let url = URL(string: string), let scheme = url.scheme?.lowercased(), let host = url.host?.lowercased(),
            url.user == nil, url.password == nil, url.fragment == nil
        else { return false }
        if scheme == "https" { return true }
        return scheme == "http" && ["127.0.0.1", "localhost", "::1", "[::1]"].contains(host)
    }

    /// The issuer's origin (`https://idp.example.com[:port]`): where the banking app may open the sign-in popup.
    public var issuerOrigin: String {
        guard let url = URL(string: issuer), let scheme = url.scheme, let host = url.host else { return issuer }
        return url.port.map { "\(scheme)://\(host):\($0)" } ?? "\(scheme)://\(host)"
    }

    /// Whether `endpoint` is on the issuer's origin (or an allowed extra host) with an allowed scheme.
    func isTrustedEndpoint(_ endpoint: String) -> Bool {
        guard Self.isAllowedURL(endpoint), let url = URL(string: endpoint), let issuerURL = URL(string: issuer) else {
            return false
        }
        if url.scheme == issuerURL.scheme, url.host?.lowercased() == issuerURL.host?.lowercased(), url.port == issuerURL.port {
            return true
        }
        return url.scheme == "https" && additionalEndpointHosts.contains(url.host?.lowercased() ?? "")
    }
}
