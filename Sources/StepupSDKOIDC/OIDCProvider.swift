import AsyncHTTPClient
import Foundation
import JWTKit
import NIOCore
import NIOHTTP1
import StepupCore

/// One OpenID provider as the relying party sees it: discovery and the key set fetched with AsyncHTTPClient only
/// from the configured issuer's origin, cached, and refreshed at most every `keyRefreshInterval` when a token names
/// a key the cache does not hold; the pushed authorization request and the code exchange, each under a timeout.
public actor OIDCProvider {
    public nonisolated let configuration: OIDCConfiguration
    private let httpClient: HTTPClient
    private let clock: any StepupClock
    private var metadata: (value: ProviderMetadata, fetchedAt: Date)?
    private var keys: (value: ProviderKeys, fetchedAt: Date)?
    /// A token with an unknown key may trigger one refetch per interval, not one per token (a forged token with
    /// a random `kid` must not make us hammer the provider).
    private let keyRefreshInterval: TimeInterval = 30
    /// The largest discovery, key set or token answer read.
    private let maximumBody = 256 * 1024

    public init(configuration: OIDCConfiguration, httpClient: HTTPClient = .shared, clock: any StepupClock = SystemClock()) {
        self.configuration = configuration
        self.httpClient = httpClient
        self.clock = clock
    }

    // MARK: discovery and keys

    /// The provider's metadata, from cache or `{issuer}/.well-known/openid-configuration`.
    public func discover() async throws(OIDCFailure) -> ProviderMetadata {
        let now = clock.now
        if let metadata, now.timeIntervalSince(metadata.fetchedAt) < configuration.metadataLifetime { return metadata.value }
        let (status, body) = try await send(url: configuration.issuer + "/.well-known/openid-configuration", method: .GET)
        guard status == 200, let value = try? JSONDecoder().decode(ProviderMetadata.self, from: Data(body)) else {
            throw .providerUnavailable("discovery answered \(status)")
        }
        // OpenID Connect Discovery §4.3: the document must name exactly the issuer it was fetched for.
        guard value.issuer == configuration.issuer else { throw .providerMisconfigured("discovery names another issuer") }
        for endpoint in [value.authorizationEndpoint, value.tokenEndpoint, value.jwksURI] + [value.pushedAuthorizationRequestEndpoint].compactMap({ $0 })
        where !configuration.isTrustedEndpoint(endpoint) {
            throw .providerMisconfigured("an endpoint is outside the issuer's origin")
        }
        guard value.pushedAuthorizationRequestEndpoint != nil else { throw .providerMisconfigured("no PAR endpoint") }
        if let methods = value.codeChallengeMethodsSupported, !methods.contains("S256") {
            throw .providerMisconfigured("no PKCE S256")
        }
        metadata = (value, now)
        return value
    }

    /// The provider's key set, refetched when `kid` is not in the cache (at most once per interval) or the cache
    /// is older than the metadata lifetime.
    public func keySet(containing kid: String?) async throws(OIDCFailure) -> ProviderKeys {
        let now = clock.now
        if let keys {
            let fresh = now.timeIntervalSince(keys.fetchedAt) < configuration.metadataLifetime
            let known = kid.map { keys.value.keyIDs.contains($0) } ?? true
            let mayRefetch = now.timeIntervalSince(keys.fetchedAt) >= keyRefreshInterval
            if fresh && (known || !mayRefetch) { return keys.value }
        }
        let metadata = try await discover()
        let (status, body) = try await send(url: metadata.jwksURI, method: .GET)
        guard status == 200 else { throw .providerUnavailable("the key set answered \(status)") }
        let read = try await ProviderKeys.read(jwks: body)
        keys = (read, now)
        return read
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
        let (status, body) = try await postForm(endpoint, parameters)
        struct Answer: Decodable {
            let request_uri: String
            let expires_in: Int?
        }
        guard status == 201 || status == 200, let answer = try? JSONDecoder().decode(Answer.self, from: Data(body)) else {
            throw status >= 500 ? .providerUnavailable("PAR answered \(status)") : .providerMisconfigured("PAR refused (\(status))")
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
            metadata.tokenEndpoint,
            [("grant_type", "authorization_code"), ("code", code), ("redirect_uri", configuration.redirectURI),
             ("code_verifier", codeVerifier)])
        struct Answer: Decodable { let id_token: String? }
        struct Refusal: Decodable { let error: String }
        if status == 200 {
            guard let token = (try? JSONDecoder().decode(Answer.self, from: Data(body)))?.id_token else {
                throw .providerMisconfigured("the token answer has no id_token")
            }
            return token
        }
        if status >= 500 { throw .providerUnavailable("the token endpoint answered \(status)") }
        // Providers answer a reused code or a wrong verifier with 400 invalid_grant (Glewlwyd: 403 invalid_code).
        let reason = (try? JSONDecoder().decode(Refusal.self, from: Data(body)))?.error ?? "status \(status)"
        throw .codeRejected(String(reason.prefix(64)))
    }

    // MARK: HTTP

    private func postForm(_ url: String, _ parameters: [(String, String)]) async throws(OIDCFailure) -> (Int, [UInt8]) {
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
        return try await send(url: url, method: .POST, headers: headers, body: body)
    }

    private func send(url: String, method: HTTPMethod, headers: HTTPHeaders = [:], body: String? = nil) async throws(OIDCFailure) -> (Int, [UInt8]) {
        guard configuration.isTrustedEndpoint(url) else { throw .providerMisconfigured("an endpoint is outside the issuer's origin") }
        var request = HTTPClientRequest(url: url)
        request.method = method
        request.headers = headers
        request.headers.add(name: "Accept", value: "application/json")
        if let body { request.body = .bytes(ByteBuffer(string: body)) }
        do {
            let response = try await httpClient.execute(request, timeout: .milliseconds(Int64(configuration.requestTimeout * 1000)))
            let buffer = try await response.body.collect(upTo: maximumBody)
            return (Int(response.status.code), Array(buffer.readableBytesView))
        } catch {
            throw .providerUnavailable("\(type(of: error))")
        }
    }

    /// `application/x-www-form-urlencoded` (RFC 6749 Appendix B): everything but unreserved characters escaped.
    static func formEncode(_ value: String) -> String {
        let allowed = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
        return value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value
    }
}
