import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import StepupCore
import StepupSDK
import StepupWire

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
        _ = try await call(.setExternalToken(.init(token: token)), as: PlatformOperation.Empty.self)
    }

    public func recordEvent(_ action: String, succeeded: Bool, details: [String: String]) async throws {
        try ExtensionEventLimits.validate(action: action, details: details)
        _ = try await call(
            .recordEvent(.init(action: action, succeeded: succeeded, details: details)), as: PlatformOperation.Empty.self)
    }

    public func issueExternalMFAToken() async throws -> String {
        try await call(.issueExternalToken, as: PlatformOperation.TokenAnswer.self).token
    }

    public func beginExternalMFAAttempt() async throws -> String {
        try await call(.beginExternalAttempt, as: PlatformOperation.AttemptAnswer.self).attemptID
    }

    public func finishExternalMFAAttempt(_ attemptID: String, succeeded: Bool) async throws -> String {
        try await call(
            .finishExternalAttempt(.init(attemptID: attemptID, succeeded: succeeded)), as: PlatformOperation.TokenAnswer.self
        ).token
    }

    func call<Answer: Decodable>(_ operation: PlatformOperation, as: Answer.Type) async throws -> Answer {
        let answer: SignedCall.Answer
        do {
            answer = try await SignedCall(client: client, key: key, credential: credential).post(
                base: platformURL, path: operation.path, body: operation.body, now: Date(), timeout: .seconds(10),
                limit: 1 << 20)
        } catch is SignedCall.Unreachable {
            throw StepupError(.storeUnavailable, message: "The platform could not be reached.")
        }
        do {
            return try answer.decode(Answer.self) { status in
                (200..<300).contains(status)
                    ? StepupError(.internal, message: "The platform's answer was not understood.")
                    : StepupError(.internal, message: "The platform answered \(status).")
            }
        } catch let error as StepupError where error.code == .signatureInvalid {
            // The platform refused this service's own request: its key for the extension differs from ours.
            Self.logger.warning(
                "the platform refused this service's request signature: the key it holds for this extension differs from STEPUP_EXTENSION_KEY, or the clocks differ",
                metadata: ["platform": "\(platformURL)", "operation": "\(operation.path)", "reason": "\(error.message)"])
            throw error
        }
    }

    static let logger = Logger(label: "stepup.extension-host")
}

struct HTTPUserAPI: UserAPI {
    let client: HTTPPlatformClient

    func profile() async throws -> UserProfile { try await client.call(.profile, as: UserProfile.self) }
    func accounts() async throws -> [Account] { try await client.call(.accounts, as: [Account].self) }
    func acceptDisclaimer(id: String) async throws {
        _ = try await client.call(.acceptDisclaimer(.init(id: id)), as: PlatformOperation.Empty.self)
    }
    func transfer(_ request: TransferRequest) async throws -> TransferReceipt {
        try await client.call(.transfer(request), as: TransferReceipt.self)
    }
}

struct HTTPBackOfficeAPI: BackOfficeAPI {
    let client: HTTPPlatformClient

    func profile(userID: String) async throws -> UserProfile {
        try await client.call(.backOfficeProfile(.init(userID: userID)), as: UserProfile.self)
    }
    func accounts(userID: String) async throws -> [Account] {
        try await client.call(.backOfficeAccounts(.init(userID: userID)), as: [Account].self)
    }
    func markDisclaimerAccepted(userID: String, id: String) async throws {
        _ = try await client.call(.markDisclaimerAccepted(.init(userID: userID, id: id)), as: PlatformOperation.Empty.self)
    }
}
