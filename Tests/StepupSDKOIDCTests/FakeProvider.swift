import Foundation
import NIOHTTP1
import Synchronization

@testable import StepupSDKOIDC

/// An OpenID provider in memory behind ``ProviderTransport``: discovery, a JWKS for a key it can rotate, PAR and a
/// token endpoint whose answers a test sets. It counts the requests to each path, which is how the tests see how
/// often the relying party refetched the key set.
final class FakeProvider: ProviderTransport {
    static let issuer = "https://idp.example.test"

    struct Answer: Sendable {
        var status: Int
        var body: String
    }

    private struct State {
        var jwks: Answer
        var discovery: Answer
        var par = Answer(status: 201, body: #"{"request_uri":"urn:ietf:params:oauth:request_uri:fake","expires_in":60}"#)
        var token = Answer(status: 400, body: #"{"error":"invalid_grant"}"#)
        var requests: [String: Int] = [:]
    }

    private let state: Mutex<State>
    /// How long the key set takes to arrive: long enough that a burst of calls overlaps one fetch.
    private let jwksDelay: Duration

    init(signer: TestSigner, jwksDelay: Duration = .zero) throws {
        state = Mutex(State(jwks: Answer(status: 200, body: try signer.jwks()), discovery: Self.discovery()))
        self.jwksDelay = jwksDelay
    }

    /// A discovery document with every endpoint on the issuer's origin; `omitting` drops fields from it.
    static func discovery(omitting omitted: Set<String> = []) -> Answer {
        let fields = [
            "issuer": issuer, "authorization_endpoint": issuer + "/auth", "token_endpoint": issuer + "/token",
            "jwks_uri": issuer + "/jwks", "pushed_authorization_request_endpoint": issuer + "/par",
        ].filter { !omitted.contains($0.key) }
        let object = fields.map { #""\#($0.key)":"\#($0.value)""# }.joined(separator: ",")
        return Answer(status: 200, body: #"{\#(object),"code_challenge_methods_supported":["S256"]}"#)
    }

    /// Publishes `signer`'s key instead of the current one (under whatever `kid` it has).
    func rotate(to signer: TestSigner) throws {
        let jwks = Answer(status: 200, body: try signer.jwks())
        state.withLock { $0.jwks = jwks }
    }

    func answer(jwks: Answer? = nil, discovery: Answer? = nil, par: Answer? = nil, token: Answer? = nil) {
        state.withLock {
            if let jwks { $0.jwks = jwks }
            if let discovery { $0.discovery = discovery }
            if let par { $0.par = par }
            if let token { $0.token = token }
        }
    }

    /// How many requests `path` (after the issuer) has had.
    func requests(to path: String) -> Int { state.withLock { $0.requests[path, default: 0] } }

    func send(_ request: ProviderRequest, timeout: TimeInterval, maximumBody: Int) async throws -> ProviderResponse {
        guard request.url.hasPrefix(Self.issuer) else { return ProviderResponse(status: 404, body: []) }
        let path = String(request.url.dropFirst(Self.issuer.count))
        state.withLock { $0.requests[path, default: 0] += 1 }
        if path == "/jwks" && jwksDelay > .zero { try await Task.sleep(for: jwksDelay) }
        let answer: Answer? = state.withLock { state in
            switch (request.method, path) {
            case (.GET, "/.well-known/openid-configuration"): state.discovery
            case (.GET, "/jwks"): state.jwks
            case (.POST, "/par"): state.par
            case (.POST, "/token"): state.token
            default: nil
            }
        }
        guard let answer else { return ProviderResponse(status: 404, body: []) }
        return ProviderResponse(status: answer.status, body: Array(answer.body.utf8))
    }
}
