import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import StepupCore
import StepupPlatform
import StepupSDK
import StepupWire

/// Forwards calls to a registered extension service, with the guard enforced here, in the platform, exactly as for
/// an in-process extension: the service describes what the route's guard needs for this call; the platform's
/// dispatcher enforces it; then the handler (or error handler) runs on the service with a fresh credential that
/// carries the MFA the call consumed.
struct RemoteExtensionForwarder: Sendable {
    let platform: Platform
    let client: HTTPClient

    /// The client extension services are called with: a stopped service is known within two seconds (a refused
    /// or unanswered connect), not after the whole call's timeout, so the banking app can say so at once.
    static let client: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.timeout.connect = .seconds(2)
        configuration.redirectConfiguration = .disallow
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()

    init(platform: Platform, client: HTTPClient = Self.client) {
        self.platform = platform
        self.client = client
    }

    /// The extension as the dispatcher sees it for this one call.
    struct Proxy: Extension {
        let name: String
        let runsBeforeLogon: Bool
        let routes: [ExtensionRoute]
    }

    func dispatch(
        _ request: ExtensionRequest, to registered: RegisteredExtension, session: Session, user: User, logger: Logger
    ) async throws -> ExtensionResponse {
        let call = RemoteCall(
            method: request.method.rawValue, routingKey: request.routingKey, formFields: request.formFields,
            body: request.body, rawBody: request.rawBody, challengeHint: request.challengeHint)
        @Sendable func credential(_ mfaInfo: MFAInfo) throws -> String {
            var credential = ExtensionCredential(
                extensionName: registered.name, sessionID: session.id, userID: user.id, username: user.username,
                displayName: user.displayName, isAuthenticated: session.stage == .authenticated,
                routingKey: request.routingKey, mfaInfo: mfaInfo, issuedAt: platform.clock.now)
            credential.details = user.details
            return try credential.signed(with: registered.key)
        }
        let description: RemoteDescription = try await post(
            "describe", call, to: registered, credential: try credential(request.mfaInfo), logger: logger)
        guard description.found else {
            if let allow = description.allow, !allow.isEmpty { throw StepupError.methodNotAllowed(allow) }
            throw StepupError(.notFound, message: "The extension has no such route.")
        }
        let route = ExtensionRoute.remote(
            request.routingKey, method: request.method, requirement: description.requirement,
            handler: { forwarded in
                let answer: RemoteResponse = try await post("call", call, to: registered, credential: try credential(forwarded.mfaInfo), logger: logger)
                return answer.response
            },
            errorHandler: { forwarded, failure in
                var failed = call
                failed.failure = RemoteFailure(failure)
                let answer: RemoteResponse = try await post("error", failed, to: registered, credential: try credential(forwarded.mfaInfo), logger: logger)
                return answer.response
            })
        let proxy = Proxy(name: registered.name, runsBeforeLogon: registered.runsBeforeLogon, routes: [route])
        return try await ExtensionDispatcher.dispatch(request, to: proxy, backend: PlatformGuardBackend(platform: platform, session: session))
    }

    func post<Answer: Decodable>(
        _ action: String, _ call: RemoteCall, to registered: RegisteredExtension, credential: String, logger: Logger
    ) async throws -> Answer
    {
        let answer: SignedCall.Answer
        let metadata: Logger.Metadata = ["extension": "\(registered.name)", "url": "\(registered.baseURL)", "step": "\(action)"]
        do {
            answer = try await SignedCall(client: client, key: registered.key, credential: credential).post(
                base: registered.baseURL, path: "/stepup/\(registered.name)/\(action)", body: call, now: platform.clock.now,
                timeout: .seconds(15), limit: 4 << 20)
        } catch let unreachable as SignedCall.Unreachable {
            logger.warning(
                "extension service did not answer", metadata: metadata.merging(["error": "\(unreachable.reason)"]) { $1 })
            throw StepupError(.extensionUnavailable)
        }
        // A service answers 200 or an error envelope; anything else is its failure, not the user's.
        do {
            return try answer.decode(Answer.self) { status in
                logger.warning(
                    "extension service answered outside the protocol", metadata: metadata.merging(["status": "\(status)"]) { $1 })
                return StepupError(.extensionUnavailable)
            }
        } catch let error as StepupError where error.code == .signatureInvalid {
            // The service refused the platform's own request: a configuration fault on one side, never the user's.
            logger.warning(
                "extension service refused the platform's request signature: the key registered for it here differs from the service's, or the clocks differ",
                metadata: metadata.merging(["reason": "\(error.message)"]) { $1 })
            throw StepupError(
                .extensionUnavailable,
                message: "This part of online banking is not available right now (its service refused the bank's signature). Try again later.")
        }
    }

    /// An asset of the service, proxied.
    func asset(_ file: String, of registered: RegisteredExtension) async throws -> (String, [UInt8]) {
        let base = registered.baseURL.hasSuffix("/") ? String(registered.baseURL.dropLast()) : registered.baseURL
        let response = try await client.execute(HTTPClientRequest(url: "\(base)/assets/\(registered.name)/\(file)"), timeout: .seconds(10))
        guard response.status.code == 200 else { throw StepupError(.notFound) }
        let bytes = Array(try await response.body.collect(upTo: 4 << 20).readableBytesView)
        return (response.headers.first(name: "Content-Type") ?? "application/octet-stream", bytes)
    }
}
