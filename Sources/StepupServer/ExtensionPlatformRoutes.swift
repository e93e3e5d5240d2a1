import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import StepupCore
import StepupPlatform
import StepupSDK

/// The platform API of extension services (`POST /api/extension-platform/{area}/{operation}`), what
/// `HTTPPlatformClient` calls. Each request carries the per-request credential the platform issued for one call
/// and is signed with the extension's key; replays, expired or foreign credentials, and a credential whose session
/// has ended or belongs to another user are refused. The operations then act for that session only.
struct ExtensionPlatformRoutes {
    let platform: Platform

    func add(to router: Router<StepupRequestContext>) {
        router.post("/api/extension-platform/{area}/{operation}") { request, context in try await handle(request, context) }
    }

    struct IDBody: Decodable { let id: String }
    struct UserBody: Decodable { let userID: String }
    struct UserIDBody: Decodable { let userID: String; let id: String }
    struct Empty: Codable {}
    struct TokenBody: Decodable { let token: String }
    struct EventBody: Decodable { let action: String; let succeeded: Bool; let details: [String: String] }
    struct TokenAnswer: Encodable { let token: String }
    struct AttemptAnswer: Encodable { let attemptID: String }
    struct FinishBody: Decodable { let attemptID: String; let succeeded: Bool }

    func handle(_ request: Request, _ context: StepupRequestContext) async throws -> Response {
        let body: [UInt8]
        do {
            body = Array(try await request.body.collect(upTo: context.bodyLimit).readableBytesView)
        } catch {
            throw StepupError(.bodyTooLarge)
        }
        let now = platform.clock.now
        guard let token = request.headers[HTTPField.Name("X-Stepup-Credential")!],
            let claimed = Self.claimedExtension(token), let registered = try await platform.registeredExtension(name: claimed)
        else { throw StepupError(.forbidden, message: "The extension credential is not valid.") }
        try RequestSignature.verify(
            key: registered.key, method: "POST", path: request.uri.path, body: body,
            timestamp: request.headers[HTTPField.Name("X-Stepup-Timestamp")!], nonce: request.headers[HTTPField.Name("X-Stepup-Nonce")!],
            signature: request.headers[HTTPField.Name("X-Stepup-Signature")!], now: now)
        let credential = try ExtensionCredential.verify(token, key: registered.key, now: now, extensionName: registered.name)
        guard let nonce = request.headers[HTTPField.Name("X-Stepup-Nonce")!], try await platform.useNonce(nonce) else {
            throw StepupError(.forbidden, message: "The request was replayed.")
        }
        guard let session = try await platform.liveSession(id: credential.sessionID), session.userID == credential.userID else {
            throw StepupError(.forbidden, message: "The credential's session is not live.")
        }
        let client = InProcessPlatformClient(platform: platform, session: session, extensionName: registered.name)
        func decode<T: Decodable>(_ type: T.Type) throws -> T {
            guard let value = try? JSONDecoder().decode(T.self, from: Data(body)) else { throw StepupError(.malformedJSON) }
            return value
        }
        let operation = "\(context.parameters.get("area") ?? "")/\(context.parameters.get("operation") ?? "")"
        switch operation {
        case "user/profile": return try JSONBody.response(try await client.user.profile())
        case "user/accounts": return try JSONBody.response(try await client.user.accounts())
        case "user/accept-disclaimer":
            try await client.user.acceptDisclaimer(id: try decode(IDBody.self).id)
            return try JSONBody.response(Empty())
        case "user/transfer": return try JSONBody.response(try await client.user.transfer(try decode(TransferRequest.self)))
        case "back-office/profile": return try JSONBody.response(try await client.backOffice.profile(userID: try decode(UserBody.self).userID))
        case "back-office/accounts": return try JSONBody.response(try await client.backOffice.accounts(userID: try decode(UserBody.self).userID))
        case "back-office/mark-disclaimer":
            let input = try decode(UserIDBody.self)
            try await client.backOffice.markDisclaimerAccepted(userID: input.userID, id: input.id)
            return try JSONBody.response(Empty())
        case "mfa/set-external-token":
            try await client.setExternalMFAToken(try decode(TokenBody.self).token)
            return try JSONBody.response(Empty())
        case "audit/record":
            let input = try decode(EventBody.self)
            try await client.recordEvent(input.action, succeeded: input.succeeded, details: input.details)
            return try JSONBody.response(Empty())
        case "mfa/issue-external-token": return try JSONBody.response(TokenAnswer(token: try await client.issueExternalMFAToken()))
        case "mfa/begin-external-attempt":
            return try JSONBody.response(AttemptAnswer(attemptID: try await client.beginExternalMFAAttempt()))
        case "mfa/finish-external-attempt":
            let input = try decode(FinishBody.self)
            return try JSONBody.response(
                TokenAnswer(token: try await client.finishExternalMFAAttempt(input.attemptID, succeeded: input.succeeded)))
        default: throw StepupError(.notFound)
        }
    }

    /// The extension a credential claims to be for, read before its signature can be checked (to find the key).
    static func claimedExtension(_ token: String) -> String? {
        guard let payload = token.split(separator: ".").first, let json = Base64URL.decode(String(payload)),
            let object = try? JSONSerialization.jsonObject(with: Data(json)) as? [String: Any]
        else { return nil }
        return object["extensionName"] as? String
    }
}
