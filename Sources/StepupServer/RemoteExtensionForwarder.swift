import AsyncHTTPClient
import Foundation
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

    init(platform: Platform, client: HTTPClient = .shared) {
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
        _ request: ExtensionRequest, to registered: RegisteredExtension, session: Session, user: User
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
            "describe", call, to: registered, credential: try credential(request.mfaInfo))
        guard description.found else { throw StepupError(.notFound, message: "The extension has no such route.") }
        let route = ExtensionRoute.remote(
            request.routingKey, method: request.method, requirement: description.requirement,
            handler: { forwarded in
                let answer: RemoteResponse = try await post("call", call, to: registered, credential: try credential(forwarded.mfaInfo))
                return answer.response
            },
            errorHandler: { forwarded, failure in
                var failed = call
                failed.failure = RemoteFailure(failure)
                let answer: RemoteResponse = try await post("error", failed, to: registered, credential: try credential(forwarded.mfaInfo))
                return answer.response
            })
        let proxy = Proxy(name: registered.name, runsBeforeLogon: registered.runsBeforeLogon, routes: [route])
        return try await ExtensionDispatcher.dispatch(request, to: proxy, backend: PlatformGuardBackend(platform: platform, session: session))
    }

    func post<Answer: Decodable>(_ action: String, _ call: RemoteCall, to registered: RegisteredExtension, credential: String)
        async throws -> Answer
    {
        let answer: SignedCall.Answer
        do {
            answer = try await SignedCall(client: client, key: registered.key, credential: credential).post(
                base: registered.baseURL, path: "/stepup/\(registered.name)/\(action)", body: call, now: platform.clock.now,
                timeout: .seconds(15), limit: 4 << 20)
        } catch is SignedCall.Unreachable {
            throw StepupError(.deliveryFailed, message: "The extension service did not answer.")
        }
        // A service answers 200 or an error envelope; anything else is its failure, not the user's.
        return try answer.decode(Answer.self) { status in
            StepupError(.deliveryFailed, message: "The extension service answered \(status).")
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
