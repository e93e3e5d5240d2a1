import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import StepupCore
import StepupSDK
import StepupWire

/// Serves SDK extensions as their own HTTP service, for a platform that forwards calls to it.
///
/// Every call must come from the platform: signed with the extension's key (timestamp, single-use nonce, body) and
/// carrying a valid per-request credential for that extension and route. The platform has already run the guard;
/// the service describes a call's guard requirement, runs handlers and renders error handlers. Handlers reach the
/// platform through an ``HTTPPlatformClient`` bound to the credential.
///
/// ```swift
/// let service = ExtensionService(extensions: [TransfersExtension()], keys: ["transfers": key], platformURL: url)
/// try await service.application(host: "127.0.0.1", port: 9000).runService()
/// ```
///
/// Nonces of the requests it accepted are kept in a ``NonceStore`` (by default a SQLite file: `STEPUP_NONCE_FILE`,
/// else `stepup-extension-nonces.sqlite` in the working directory), so a replay within the signature window is
/// refused after a restart and by every process of the service that shares the file.
public struct ExtensionService: Sendable {
    let extensions: [String: any Extension]
    let keys: [String: String]
    let platformURL: String
    private let nonces: any NonceStore

    public init(extensions: [any Extension], keys: [String: String], platformURL: String, nonces: (any NonceStore)? = nil) {
        self.extensions = Dictionary(extensions.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        self.keys = keys
        self.platformURL = platformURL
        self.nonces = nonces ?? SQLiteNonceStore(
            path: ProcessInfo.processInfo.environment["STEPUP_NONCE_FILE"] ?? "stepup-extension-nonces.sqlite",
            window: RequestSignature.window)
    }

    public func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: ServiceErrorMiddleware())
        router.get("/health") { _, _ in Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: #"{"status":"ok"}"#))) }
        router.get("/assets/{extension}/{file}") { _, context in try asset(context) }
        router.post("/stepup/{extension}/{action}") { request, context in try await handle(request, context) }
        return router
    }

    public func application(host: String, port: Int, logger: Logger = Logger(label: "stepup.extension-host"),
                            onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in }) -> some ApplicationProtocol {
        Application(router: router(), configuration: .init(address: .hostname(host, port: port), serverName: "stepup-extension-host"),
                    onServerRunning: onServerRunning, logger: logger)
    }

    /// Serves until the process is told to stop (SIGINT or SIGTERM): what an extension's executable calls.
    public func run(host: String, port: Int, logger: Logger = Logger(label: "stepup.extension-host")) async throws {
        try await application(host: host, port: port, logger: logger).runService()
    }

    func asset(_ context: BasicRequestContext) throws -> Response {
        guard let name = context.parameters.get("extension"), let ext = extensions[name],
            let file = context.parameters.get("file"), let asset = ext.assets.first(where: { $0.path == file })
        else { throw StepupError(.notFound) }
        return Response(status: .ok, headers: [.contentType: asset.contentType], body: .init(byteBuffer: ByteBuffer(bytes: asset.content)))
    }

    func handle(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        guard let name = context.parameters.get("extension"), let ext = extensions[name], let key = keys[name] else {
            throw StepupError(.extensionNotFound)
        }
        let body = Array(try await request.body.collect(upTo: 1 << 20).readableBytesView)
        let now = Date()
        do {
            try RequestSignature.verify(
                key: key, method: "POST", path: request.uri.path, body: body,
                timestamp: request.headers[HTTPField.Name("X-Stepup-Timestamp")!], nonce: request.headers[HTTPField.Name("X-Stepup-Nonce")!],
                signature: request.headers[HTTPField.Name("X-Stepup-Signature")!], now: now)
        } catch let error as StepupError {
            // Which side refused, and why, for whoever runs the service; never the key.
            context.logger.warning(
                "refused a request that claims to come from the platform: its signature does not verify with this service's key for the extension (the platform holds another key, or the clocks differ)",
                metadata: ["extension": "\(name)", "path": "\(request.uri.path)", "reason": "\(error.message)"])
            throw error
        }
        guard let nonce = request.headers[HTTPField.Name("X-Stepup-Nonce")!] else {
            throw StepupError(.forbidden, message: "The request was replayed.")
        }
        let fresh: Bool
        do {
            fresh = try await nonces.use(nonce, now: now)
        } catch {
            throw StepupError(.storeUnavailable, message: "The service cannot check for replays right now.")
        }
        guard fresh else { throw StepupError(.forbidden, message: "The request was replayed.") }
        guard let token = request.headers[HTTPField.Name("X-Stepup-Credential")!] else {
            throw StepupError(.forbidden, message: "The extension credential is missing.")
        }
        let credential = try ExtensionCredential.verify(token, key: key, now: now, extensionName: name)
        guard let call = try? JSONDecoder().decode(RemoteCall.self, from: Data(body)), call.routingKey == credential.routingKey,
            let method = ExtensionRequest.Method(rawValue: call.method)
        else { throw StepupError(.badRequest, message: "The forwarded call is not valid.") }
        let extensionRequest = ExtensionRequest(
            extensionName: name, routingKey: call.routingKey, method: method, formFields: call.formFields, body: call.body,
            rawBody: Array(Data(base64Encoded: call.rawBody) ?? Data()),
            onlineUser: OnlineUser(
                id: credential.userID, username: credential.username, displayName: credential.displayName,
                firstName: credential.details?.firstName, lastName: credential.details?.lastName,
                email: credential.details?.email, customerNumber: credential.details?.customerNumber),
            isAuthenticated: credential.isAuthenticated, baseAssetsURL: "/ext/\(name)/assets/",
            platform: HTTPPlatformClient(platformURL: platformURL, credential: token, key: key),
            mfaInfo: credential.mfaInfo, challengeHint: call.challengeHint)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let answer: Data
        switch context.parameters.get("action") {
        case "describe": answer = try encoder.encode(try ExtensionDispatcher.describe(extensionRequest, to: ext))
        case "call": answer = try encoder.encode(RemoteResponse(try await ExtensionDispatcher.runHandler(extensionRequest, to: ext)))
        case "error":
            guard let failure = call.failure else { throw StepupError(.badRequest) }
            answer = try encoder.encode(RemoteResponse(try await ExtensionDispatcher.renderError(extensionRequest, to: ext, failure: failure.failure)))
        default: throw StepupError(.notFound)
        }
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(data: answer)))
    }
}

/// Typed errors in Stepup's one envelope (``StepupError`` renders itself, in `StepupWire`), so the platform passes
/// them on whole: the attempts left, the lockout's end, the challenge.
struct ServiceErrorMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let stepupError = StepupError.from(error) { cause in
                context.logger.error("extension service error", metadata: ["type": "\(cause)"])
            }
            return stepupError.response(requestID: nil)
        }
    }
}
