import AsyncHTTPClient
import Foundation
import NIOCore
import StepupCore
import StepupSDK

/// The `PlatformClient` of an extension running as its own service: calls the platform's extension API over HTTP,
/// presenting the per-request credential it was given and signing each request with the extension's key.
public struct HTTPPlatformClient: PlatformClient {
    let platformURL: String
    let credential: String
    let key: String
    let client: HTTPClient

    public init(platformURL: String, credential: String, key: String, client: HTTPClient = .shared) {
        self.platformURL = platformURL.hasSuffix("/") ? String(platformURL.dropLast()) : platformURL
        self.credential = credential
        self.key = key
        self.client = client
    }

    public var user: any UserAPI { HTTPUserAPI(client: self) }
    public var backOffice: any BackOfficeAPI { HTTPBackOfficeAPI(client: self) }

    public func setExternalMFAToken(_ token: String) async throws {
        _ = try await call("mfa/set-external-token", ["token": token], as: Empty.self)
    }

    public func recordEvent(_ action: String, succeeded: Bool, details: [String: String]) async throws {
        struct Body: Encodable { let action: String; let succeeded: Bool; let details: [String: String] }
        try ExtensionEventLimits.validate(action: action, details: details)
        _ = try await call("audit/record", Body(action: action, succeeded: succeeded, details: details), as: Empty.self)
    }

    public func issueExternalMFAToken() async throws -> String {
        struct Answer: Decodable { let token: String }
        return try await call("mfa/issue-external-token", Empty(), as: Answer.self).token
    }

    public func beginExternalMFAAttempt() async throws -> String {
        struct Answer: Decodable { let attemptID: String }
        return try await call("mfa/begin-external-attempt", Empty(), as: Answer.self).attemptID
    }

    public func finishExternalMFAAttempt(_ attemptID: String, succeeded: Bool) async throws -> String {
        struct Body: Encodable { let attemptID: String; let succeeded: Bool }
        struct Answer: Decodable { let token: String }
        return try await call("mfa/finish-external-attempt", Body(attemptID: attemptID, succeeded: succeeded), as: Answer.self).token
    }

    struct Empty: Codable {}

    func call<Body: Encodable, Answer: Decodable>(_ operation: String, _ body: Body, as: Answer.Type) async throws -> Answer {
        let path = "/api/extension-platform/\(operation)"
        let bytes = Array(try JSONEncoder().encode(body))
        var request = HTTPClientRequest(url: platformURL + path)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "X-Stepup-Credential", value: credential)
        for (name, value) in RequestSignature.headers(key: key, method: "POST", path: path, body: bytes, now: Date()) {
            request.headers.add(name: name, value: value)
        }
        request.body = .bytes(ByteBuffer(bytes: bytes))
        let response: HTTPClientResponse
        do {
            response = try await client.execute(request, timeout: .seconds(10))
        } catch {
            throw StepupError(.storeUnavailable, message: "The platform could not be reached.")
        }
        let data = Data(buffer: try await response.body.collect(upTo: 1 << 20))
        guard (200..<300).contains(response.status.code) else { throw Self.error(from: data, status: Int(response.status.code)) }
        do {
            return try JSONDecoder().decode(Answer.self, from: data)
        } catch {
            throw StepupError(.internal, message: "The platform's answer was not understood.")
        }
    }

    static func error(from data: Data, status: Int) -> StepupError {
        StepupError.decode(body: data) ?? StepupError(.internal, message: "The platform answered \(status).")
    }
}

struct HTTPUserAPI: UserAPI {
    let client: HTTPPlatformClient

    func profile() async throws -> UserProfile { try await client.call("user/profile", HTTPPlatformClient.Empty(), as: UserProfile.self) }
    func accounts() async throws -> [Account] { try await client.call("user/accounts", HTTPPlatformClient.Empty(), as: [Account].self) }
    func acceptDisclaimer(id: String) async throws {
        _ = try await client.call("user/accept-disclaimer", ["id": id], as: HTTPPlatformClient.Empty.self)
    }
    func transfer(_ request: TransferRequest) async throws -> TransferReceipt {
        try await client.call("user/transfer", request, as: TransferReceipt.self)
    }
}

struct HTTPBackOfficeAPI: BackOfficeAPI {
    let client: HTTPPlatformClient

    func profile(userID: String) async throws -> UserProfile {
        try await client.call("back-office/profile", ["userID": userID], as: UserProfile.self)
    }
    func accounts(userID: String) async throws -> [Account] {
        try await client.call("back-office/accounts", ["userID": userID], as: [Account].self)
    }
    func markDisclaimerAccepted(userID: String, id: String) async throws {
        _ = try await client.call("back-office/mark-disclaimer", ["userID": userID, "id": id], as: HTTPPlatformClient.Empty.self)
    }
}
