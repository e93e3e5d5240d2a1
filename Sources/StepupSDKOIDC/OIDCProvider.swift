import AsyncHTTPClient
import Foundation
import JWTKit
// swift-log, which AsyncHTTPClient depends on and the platform logs through.
import Logging
import NIOCore
import NIOHTTP1
import StepupCore

/// One OpenID provider as the relying party sees it: discovery and the key set fetched only from the configured
/// issuer's origin and cached for `metadataLifetime`, the key set refetched early (at most every
/// ``keyRefetchInterval``) when a token names a key the cache does not hold or fails its signature under one it does;
/// the pushed authorization request and the code exchange, each under a timeout.
///
/// When the provider refuses or cannot be read, a `warning` names the step (`oidc_step`: `discovery`, `jwks`, `par`,
/// `token_exchange`), the provider's HTTP status (`oidc_status`) and its RFC 6749 `error` and `error_description`
/// (`oidc_error`, `oidc_error_description`; bounded, control characters replaced). The client secret, the code, the
/// verifier, the state, the nonce and tokens are never logged.
public actor OIDCProvider {
    /// The shortest time between two early refetches of the key set: a forged token (a random `kid`, or a known
    /// `kid` with another key's signature) must not make the relying party hammer the provider.
    public static let keyRefetchInterval: TimeInterval = ProviderKeyCache.refetchInterval

    public nonisolated let configuration: OIDCConfiguration
    private let transport: any ProviderTransport
    private let clock: any StepupClock
    private let logger: Logger
    private var metadata: (value: ProviderMetadata, fetchedAt: Date)?
    private nonisolated let keyCache: ProviderKeyCache
    /// The largest discovery, key set or token answer read.
    private let maximumBody = 256 * 1024

    /// A provider reached with AsyncHTTPClient.
    public init(
        configuration: OIDCConfiguration, httpClient: HTTPClient = .shared, clock: any StepupClock = SystemClock(),
        logger: Logger = Logger(label: "stepup.oidc")
    ) {
        self.init(configuration: configuration, transport: HTTPClientTransport(client: httpClient), clock: clock, logger: logger)
    }

    /// A provider reached through `transport`.
    public init(
        configuration: OIDCConfiguration, transport: any ProviderTransport, clock: any StepupClock = SystemClock(),
        logger: Logger = Logger(label: "stepup.oidc")
    ) {
        self.configuration = configuration
        self.transport = transport
        self.clock = clock
        var logger = logger
        // With several providers configured, the warning must say whose.
        logger[metadataKey: "oidc_issuer"] = .string(configuration.issuer)
        self.logger = logger
        keyCache = ProviderKeyCache(lifetime: configuration.metadataLifetime, clock: clock)
    }

    // MARK: discovery and keys

    /// The provider's metadata, from cache or `{issuer}/.well-known/openid-configuration`.
    public func discover() async throws(OIDCFailure) -> ProviderMetadata {
        let now = clock.now
        if let metadata, now.timeIntervalSince(metadata.fetchedAt) < configuration.metadataLifetime { return metadata.value }
        let (status, body) = try await send(.discovery, url: configuration.issuer + "/.well-known/openid-configuration", method: .GET)
        guard status == 200 else {
            warn(.discovery, "answered \(status)", status: status, answer: body)
            throw .providerUnavailable("discovery answered \(status)")
        }
        guard let value = try? JSONDecoder().decode(ProviderMetadata.self, from: Data(body)) else {
            warn(.discovery, "the document could not be read", status: status)
            throw .providerUnavailable("discovery answered \(status)")
        }
        // OpenID Connect Discovery §4.3: the document must name exactly the issuer it was fetched for.
        guard value.issuer == configuration.issuer else {
            warn(.discovery, "the document names another issuer (\(ProviderErrorAnswer.sanitised(value.issuer, limit: 200)))", status: status)
            throw .providerMisconfigured("discovery names another issuer")
        }
        for endpoint in [value.authorizationEndpoint, value.tokenEndpoint, value.jwksURI] + [value.pushedAuthorizationRequestEndpoint].compactMap({ $0 })
        where !configuration.isTrustedEndpoint(endpoint) {
            warn(.discovery, "the endpoint \(ProviderErrorAnswer.sanitised(endpoint, limit: 200)) is outside the issuer's origin", status: status)
            throw .providerMisconfigured("an endpoint is outside the issuer's origin")
        }
        guard value.pushedAuthorizationRequestEndpoint != nil else {
            warn(.discovery, "no pushed_authorization_request_endpoint: PAR (RFC 9126) is required", status: status)
            throw .providerMisconfigured("no PAR endpoint")
        }
        if let methods = value.codeChallengeMethodsSupported, !methods.contains("S256") {
            warn(.discovery, "code_challenge_methods_supported lacks S256: PKCE S256 is required", status: status)
            throw .providerMisconfigured("no PKCE S256")
        }
        metadata = (value, now)
        return value
    }

    /// The provider's key set for a token naming `kid`: from cache, or refetched when `kid` is not in it (at most
    /// once per ``keyRefetchInterval``) or the cache is older than the metadata lifetime.
    public func keySet(containing kid: String?) async throws(OIDCFailure) -> ProviderKeys {
        try await keyCache.keys(containing: kid) { () async throws(OIDCFailure) -> ProviderKeys in try await self.downloadKeys() }
    }

    /// After a token's signature failed under `used`: a newer key set to check it once more with, or nil when none
    /// can be had yet (the last early refetch was less than ``keyRefetchInterval`` ago).
    public func keySet(replacing used: ProviderKeys) async throws(OIDCFailure) -> ProviderKeys? {
        try await keyCache.keys(replacing: used) { () async throws(OIDCFailure) -> ProviderKeys in try await self.downloadKeys() }
    }

    /// Verifies an ID token of a flow started at `startedAt` with `nonce` (``IDTokenVerifier``) against the
    /// provider's keys. A signature that fails is checked once more against a refetched key set: a provider that
    /// rotates its key under the same `kid` would otherwise have correct sign-ins refused until the cache expires.
    public nonisolated func verifyIDToken(
        _ token: String, nonce: String, startedAt: Date, now: Date
    ) async throws(OIDCFailure) -> IDTokenClaims {
        let verifier = IDTokenVerifier(configuration: configuration)
        let keys = try await keySet(containing: IDTokenVerifier.header(of: token).kid)
        do {
            return try await verifier.verify(token, keys: keys, nonce: nonce, startedAt: startedAt, now: now)
        } catch .badSignature {
            guard let newer = try await keySet(replacing: keys) else { throw .badSignature }
            return try await verifier.verify(token, keys: newer, nonce: nonce, startedAt: startedAt, now: now)
        }
    }

    private func downloadKeys() async throws(OIDCFailure) -> ProviderKeys {
        let metadata = try await discover()
        let (status, body) = try await send(.jwks, url: metadata.jwksURI, method: .GET)
        guard status == 200 else {
            warn(.jwks, "answered \(status)", status: status, answer: body)
            throw .providerUnavailable("the key set answered \(status)")
        }
        do {
            return try await ProviderKeys.read(jwks: body)
        } catch {
            warn(.jwks, "the key set could not be read", status: status)
            throw error
        }
    }

    // MARK: the flow's two calls

    /// RFC 9126: pushes the authorization request; answers the URL to send the user to.
    public func pushAuthorizationRequest(state: String, nonce: String, codeChallenge: String) async throws(OIDCFailure) -> String {
        let metadata = try await discover()
        guard let endpoint = metadata.pushedAuthorizationRequestEndpoint else { throw .providerMisconfigured("no PAR endpoint") }
        let parameters = [
            ("response_type", "code"), ("client_id", configuration.clientID), ("redirect_uri", configuration.redirectURI),
            ("scope", configuration.scope), ("state", state), ("nonce", nonce), ("code_challenge", codeChallenge),
            ("code_challenge_method", "S256"), ("max_age", "0"), ("prompt", "login"),
        ]
        let (status, body) = try await postForm(.par, endpoint, parameters)
        struct Answer: Decodable {
            let request_uri: String
            let expires_in: Int?
        }
        guard status == 201 || status == 200 else {
            warn(.par, "answered \(status)", status: status, answer: body, redacting: [state, nonce])
            throw status >= 500 ? .providerUnavailable("PAR answered \(status)") : .providerMisconfigured("PAR refused (\(status))")
        }
        guard let answer = try? JSONDecoder().decode(Answer.self, from: Data(body)) else {
            warn(.par, "the answer has no request_uri", status: status)
            throw .providerMisconfigured("PAR answer")
        }
        guard var components = URLComponents(string: metadata.authorizationEndpoint) else {
            throw .providerMisconfigured("authorization endpoint")
        }
        let existing = components.queryItems ?? []
        components.queryItems = existing + [
            URLQueryItem(name: "client_id", value: configuration.clientID),
            URLQueryItem(name: "request_uri", value: answer.request_uri),
        ]
        guard let url = components.url?.absoluteString else { throw .providerMisconfigured("authorization endpoint") }
        return url
    }

    /// RFC 6749 §4.1.3 with RFC 7636 §4.5: the code and the verifier for the ID token.
    public func exchange(code: String, codeVerifier: String) async throws(OIDCFailure) -> String {
        let metadata = try await discover()
        let (status, body) = try await postForm(
            .tokenExchange, metadata.tokenEndpoint,
            [("grant_type", "authorization_code"), ("code", code), ("redirect_uri", configuration.redirectURI),
             ("code_verifier", codeVerifier)])
        struct Answer: Decodable { let id_token: String? }
        if status == 200 {
            guard let token = (try? JSONDecoder().decode(Answer.self, from: Data(body)))?.id_token else {
                // Not the body: a 200 answer holds tokens.
                warn(.tokenExchange, "the answer has no id_token", status: status)
                throw .providerMisconfigured("the token answer has no id_token")
            }
            return token
        }
        warn(.tokenExchange, "answered \(status)", status: status, answer: body, redacting: [code, codeVerifier])
        if status >= 500 { throw .providerUnavailable("the token endpoint answered \(status)") }
        // Providers answer a reused code or a wrong verifier with 400 invalid_grant (Glewlwyd: 403 invalid_code).
        let reason = ProviderErrorAnswer(body: body, redacting: [code, codeVerifier, configuration.clientSecret]).error
        throw .codeRejected(reason ?? "status \(status)")
    }

    // MARK: HTTP

    private func postForm(_ step: ProviderStep, _ url: String, _ parameters: [(String, String)]) async throws(OIDCFailure) -> (Int, [UInt8]) {
        var all = parameters
        var headers = HTTPHeaders()
        switch configuration.clientAuthentication {
        case .clientSecretBasic:
            let credentials = Self.formEncode(configuration.clientID) + ":" + Self.formEncode(configuration.clientSecret)
            headers.add(name: "Authorization", value: "Basic " + Data(credentials.utf8).base64EncodedString())
        case .clientSecretPost:
            // The PAR body already names the client; a second client_id is refused.
            if !all.contains(where: { $0.0 == "client_id" }) { all.append(("client_id", configuration.clientID)) }
            all.append(("client_secret", configuration.clientSecret))
        }
        headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        let body = all.map { Self.formEncode($0.0) + "=" + Self.formEncode($0.1) }.joined(separator: "&")
        return try await send(step, url: url, method: .POST, headers: headers, body: body)
    }

    private func send(
        _ step: ProviderStep, url: String, method: HTTPMethod, headers: HTTPHeaders = [:], body: String? = nil
    ) async throws(OIDCFailure) -> (Int, [UInt8]) {
        guard configuration.isTrustedEndpoint(url) else {
            warn(step, "the endpoint \(ProviderErrorAnswer.sanitised(url, limit: 200)) is outside the issuer's origin")
            throw .providerMisconfigured("an endpoint is outside the issuer's origin")
        }
        var request = ProviderRequest(method: method, url: url, headers: headers, body: body.map { Array($0.utf8) })
        request.headers.add(name: "Accept", value: "application/json")
        do {
            let response = try await transport.send(request, timeout: configuration.requestTimeout, maximumBody: maximumBody)
            return (response.status, response.body)
        } catch {
            // The error says what went wrong with the connection; it never holds the request's body.
            warn(step, "no answer (\(ProviderErrorAnswer.sanitised(String(describing: error), limit: 200)))")
            throw .providerUnavailable("\(type(of: error))")
        }
    }

    /// One `warning` for a step the provider refused or answered unreadably; see the type's documentation.
    private func warn(_ step: ProviderStep, _ problem: String, status: Int? = nil, answer: [UInt8]? = nil, redacting: [String] = []) {
        var metadata: Logger.Metadata = ["oidc_step": .string(step.rawValue)]
        if let status { metadata["oidc_status"] = .string(String(status)) }
        if let answer {
            let refusal = ProviderErrorAnswer(body: answer, redacting: redacting + [configuration.clientSecret])
            if let error = refusal.error { metadata["oidc_error"] = .string(error) }
            if let description = refusal.description { metadata["oidc_error_description"] = .string(description) }
        }
        logger.warning("OpenID provider \(step.label): \(problem)", metadata: metadata)
    }

    /// `application/x-www-form-urlencoded` (RFC 6749 Appendix B): everything but unreserved characters escaped.
    static func formEncode(_ value: String) -> String {
        let allowed = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
        return value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value
    }
}
