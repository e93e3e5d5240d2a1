import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import StepupCore
import StepupPlatform
import StepupSDK

/// Hosts in-process extensions at `/ext/{extension}/{route}` and their assets at `/ext/{extension}/assets/{file}`.
///
/// The extension's name comes from the path the banking app posts to, never from the body. The session must be
/// authenticated unless the extension runs before logon; a POST needs the session's CSRF token. The guard runs in
/// ``ExtensionDispatcher`` before the handler.
struct ExtensionRoutes {
    static let challengeHeader = HTTPField.Name("X-Stepup-Challenge")!

    let platform: Platform
    let gate: SessionGate
    let extensions: [String: any Extension]
    let forwarder: RemoteExtensionForwarder

    func add(to router: Router<StepupRequestContext>) {
        router.get("/ext/{extension}/assets/{file}") { _, context in try await asset(context) }
        router.get("/ext/{extension}/{route}") { request, context in try await call(request, context, method: .get) }
        router.post("/ext/{extension}/{route}") { request, context in try await call(request, context, method: .post) }
    }

    func asset(_ context: StepupRequestContext) async throws -> Response {
        guard let name = context.parameters.get("extension") else { throw StepupError(.extensionNotFound) }
        guard let ext = extensions[name] else {
            guard let registered = try await platform.registeredExtension(name: name), let file = context.parameters.get("file") else {
                throw StepupError(.extensionNotFound)
            }
            let (contentType, bytes) = try await forwarder.asset(file, of: registered)
            return Response(status: .ok, headers: [.contentType: contentType, .cacheControl: "no-cache"], body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
        }
        guard let file = context.parameters.get("file"), let asset = ext.assets.first(where: { $0.path == file }) else {
            throw StepupError(.notFound)
        }
        return Response(
            status: .ok, headers: [.contentType: asset.contentType, .cacheControl: "no-cache"],
            body: .init(byteBuffer: ByteBuffer(bytes: asset.content)))
    }

    func call(_ request: Request, _ context: StepupRequestContext, method: ExtensionRequest.Method) async throws
        -> Response
    {
        guard let name = context.parameters.get("extension") else { throw StepupError(.extensionNotFound) }
        let ext = extensions[name]
        let registered = ext == nil ? try await platform.registeredExtension(name: name) : nil
        guard ext != nil || registered != nil else { throw StepupError(.extensionNotFound) }
        let runsBeforeLogon = ext?.runsBeforeLogon ?? registered?.runsBeforeLogon ?? false
        let routingKey = context.parameters.get("route") ?? ""
        let resumed = try await gate.session(
            request, context: context, requirement: runsBeforeLogon ? .anySession : .authenticated)
        let (fields, json, raw) = try await Self.body(of: request, context: context)
        let (registration, sso) = try await platform.registration(userID: resumed.user.id, provider: name)
        // An external MFA extension learns which workflow it is proving the user for.
        var mfaInfo = MFAInfo(registrationValue: registration, ssoIdentifier: sso)
        if registration != nil, let pending = try await platform.pendingExternalChallenge(extensionName: name, session: resumed.session) {
            mfaInfo = MFAInfo(context: pending.context, registrationValue: registration, ssoIdentifier: sso)
        }
        let extensionRequest = ExtensionRequest(
            extensionName: name, routingKey: routingKey, method: method, formFields: fields, body: json,
            rawBody: raw,
            onlineUser: OnlineUser(UserProfile(resumed.user)),
            isAuthenticated: resumed.session.stage == .authenticated, baseAssetsURL: "/ext/\(name)/assets/",
            platform: InProcessPlatformClient(platform: platform, session: resumed.session, extensionName: name),
            mfaInfo: mfaInfo,
            challengeHint: request.headers[Self.challengeHeader])
        if let ext {
            let answer = try await ExtensionDispatcher.dispatch(
                extensionRequest, to: ext, backend: PlatformGuardBackend(platform: platform, session: resumed.session))
            return try Self.response(answer)
        }
        guard let registered else { throw StepupError(.extensionNotFound) }
        let answer = try await forwarder.dispatch(
            extensionRequest, to: registered, session: resumed.session, user: resumed.user, logger: context.logger)
        return try Self.response(answer)
    }

    /// Query parameters, then url-encoded form fields or the scalar fields of a JSON object, as strings; the JSON
    /// value itself; and the raw bytes.
    static func body(of request: Request, context: StepupRequestContext) async throws
        -> ([String: String], JSONValue?, [UInt8])
    {
        var fields: [String: String] = [:]
        for (key, value) in request.uri.queryParameters { fields[String(key)] = String(value) }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: context.bodyLimit)
        } catch {
            throw StepupError(.bodyTooLarge)
        }
        let raw = Array(buffer.readableBytesView)
        guard !raw.isEmpty else { return (fields, nil, raw) }
        let mediaType = request.headers[.contentType].flatMap { MediaType(from: $0) }
        if mediaType?.isType(.applicationJson) == true {
            guard let json = try? JSONDecoder().decode(JSONValue.self, from: Data(raw)) else {
                throw StepupError(.malformedJSON)
            }
            if case .object(let object) = json {
                for (key, value) in object { if let text = value.stringValue { fields[key] = text } }
            }
            return (fields, json, raw)
        }
        if mediaType?.isType(.applicationUrlEncoded) == true {
            // Parsed by hand: `URLComponents.percentEncodedQuery` traps (a fatal error) on characters a query may not
            // hold, and this text comes straight from the client.
            for pair in String(decoding: raw, as: UTF8.self).split(separator: "&", omittingEmptySubsequences: true) {
                let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                func decoded(_ text: Substring) -> String? {
                    String(text).replacingOccurrences(of: "+", with: " ").removingPercentEncoding
                }
                // A pair that is not valid percent-encoding is dropped, not guessed at.
                guard let name = decoded(parts[0]), !name.isEmpty, let value = parts.count == 2 ? decoded(parts[1]) : ""
                else { continue }
                fields[name] = value
            }
        }
        return (fields, nil, raw)
    }

    /// An extension's answer as the banking app gets it. An extension (a remote service above all) is less trusted
    /// than the platform: a status outside 200–599, more than ``maxHeaders`` headers, an over-long value or a header
    /// the platform owns (cookies, framing, transport) is refused or dropped, never passed to HTTP types that trap.
    static func response(_ answer: ExtensionResponse) throws -> Response {
        guard (200...599).contains(answer.status), answer.headers.count <= maxHeaders else {
            throw StepupError(.internal, message: "The extension answered something the bank cannot pass on.")
        }
        var headers: HTTPFields = [:]
        for (name, value) in answer.headers where value.utf8.count <= 4096 && !reservedHeaders.contains(name.lowercased()) {
            if let field = HTTPField.Name(name) { headers[field] = value }
        }
        if headers[.contentType] == nil { headers[.contentType] = "application/octet-stream" }
        return Response(
            status: HTTPResponse.Status(code: answer.status), headers: headers,
            body: .init(byteBuffer: ByteBuffer(bytes: answer.body)))
    }

    static let maxHeaders = 32
    /// Headers only the platform sets on an `/ext/*` answer.
    static let reservedHeaders: Set<String> = [
        "set-cookie", "cookie", "content-length", "transfer-encoding", "connection", "content-security-policy",
        "x-frame-options", "strict-transport-security",
    ]
}
