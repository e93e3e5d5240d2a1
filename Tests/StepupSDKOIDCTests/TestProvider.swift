import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import StepupCore
import StepupExamples
import StepupSDK
import StepupSDKOIDC
import StepupTesting
import Testing

/// The real OpenID provider `./scripts/test` starts (Glewlwyd, with PAR and PKCE), as its description file says
/// (`STEPUP_TEST_OIDC`), and a user agent that signs in at it the way a browser would.
struct TestProvider: Decodable {
    struct User: Decodable {
        let password: String
        let sub: String
    }

    let issuer: String
    let base: String
    let client_id: String
    let client_secret: String
    let users: [String: User]
    let redirect_uris: [String]

    static func load() throws -> TestProvider {
        let path = try #require(
            ProcessInfo.processInfo.environment["STEPUP_TEST_OIDC"],
            "STEPUP_TEST_OIDC is not set: run ./scripts/test, which starts the Glewlwyd OpenID provider")
        return try JSONDecoder().decode(TestProvider.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
    }

    func configuration(
        authentication: OIDCConfiguration.ClientAuthentication = .clientSecretBasic,
        freshness: OIDCConfiguration.Freshness = .providerEnforced, issuer: String? = nil, timeout: TimeInterval = 5
    ) throws -> OIDCConfiguration {
        try OIDCConfiguration(
            issuer: issuer ?? self.issuer, clientID: client_id, clientSecret: client_secret, clientAuthentication: authentication,
            redirectURI: redirect_uris[0], freshness: freshness, requestTimeout: timeout)
    }

    /// What the provider put on the redirect back to `verify.html`.
    struct Return {
        let code: String
        let state: String
        let iss: String?
        var json: JSONValue {
            var fields: [String: JSONValue] = ["code": .string(code), "state": .string(state)]
            if let iss { fields["iss"] = .string(iss) }
            return .object(fields)
        }
    }

    /// Signs `username` in at the provider (its login API, then its consent), follows `authorizationURL`, and
    /// answers the parameters of the redirect to the extension's `verify.html`.
    func signIn(_ username: String, at authorizationURL: String) async throws -> Return {
        let user = try #require(users[username])
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))
        defer { _ = client.shutdown() }
        var login = HTTPClientRequest(url: base + "/api/auth/")
        login.method = .POST
        login.headers.add(name: "Content-Type", value: "application/json")
        login.body = .bytes(ByteBuffer(string: #"{"username":"\#(username)","password":"\#(user.password)"}"#))
        let loggedIn = try await client.execute(login, timeout: .seconds(10))
        #expect(loggedIn.status == .ok)
        let cookies = loggedIn.headers["Set-Cookie"].compactMap { $0.split(separator: ";").first.map(String.init) }
        let cookie = cookies.joined(separator: "; ")
        var grant = HTTPClientRequest(url: base + "/api/auth/grant/" + client_id)
        grant.method = .PUT
        grant.headers.add(name: "Content-Type", value: "application/json")
        grant.headers.add(name: "Cookie", value: cookie)
        grant.body = .bytes(ByteBuffer(string: #"{"scope":"openid"}"#))
        _ = try await client.execute(grant, timeout: .seconds(10))
        var authorize = HTTPClientRequest(url: authorizationURL + "&g_continue")
        authorize.headers.add(name: "Cookie", value: cookie)
        let redirect = try await client.execute(authorize, timeout: .seconds(10))
        let location = try #require(redirect.headers.first(name: "Location"), "the provider did not redirect")
        let items = URLComponents(string: location)?.queryItems ?? []
        func item(_ name: String) -> String? { items.first { $0.name == name }?.value }
        #expect(location.hasPrefix(redirect_uris[0]))
        return Return(code: try #require(item("code"), "no code in \(location)"), state: try #require(item("state")), iss: item("iss"))
    }
}

extension ExtensionTestResult {
    /// A string field of the JSON answer.
    func field(_ name: String) -> String? {
        guard let response else { return nil }
        return (try? JSONDecoder().decode(JSONValue.self, from: Data(response.body)))?[name]?.stringValue
    }
}
