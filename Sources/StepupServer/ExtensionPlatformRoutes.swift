import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import StepupCore
import StepupPlatform
import StepupSDK
import StepupWire

/// The platform API of extension services (`POST /api/extension-platform/{area}/{operation}`), what
/// `HTTPPlatformClient` calls. Each request carries the per-request credential the platform issued for one call
/// and is signed with the extension's key; replays, expired or foreign credentials, and a credential whose session
/// has ended or belongs to another user are refused. The operations then act for that session only.
struct ExtensionPlatformRoutes {
    let platform: Platform

    func add(to router: Router<StepupRequestContext>) {
        router.post("\(PlatformOperation.pathPrefix){area}/{operation}") { request, context in try await handle(request, context) }
    }

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
        do {
            try RequestSignature.verify(
                key: registered.key, method: "POST", path: request.uri.path, body: body,
                timestamp: request.headers[HTTPField.Name("X-Stepup-Timestamp")!], nonce: request.headers[HTTPField.Name("X-Stepup-Nonce")!],
                signature: request.headers[HTTPField.Name("X-Stepup-Signature")!], now: now)
        } catch let error as StepupError {
            context.logger.warning(
                "refused a call from an extension service: its signature does not verify with the key registered for the extension (the service holds another key, or the clocks differ)",
                metadata: ["extension": "\(registered.name)", "operation": "\(request.uri.path)", "reason": "\(error.message)"])
            throw StepupError(
                .signatureInvalid,
                message: "The platform refused this service's request signature: the key registered for \(registered.name) differs from the service's, or the clocks differ.")
        }
        let credential = try ExtensionCredential.verify(token, key: registered.key, now: now, extensionName: registered.name)
        guard let nonce = request.headers[HTTPField.Name("X-Stepup-Nonce")!], try await platform.useNonce(nonce) else {
            throw StepupError(.forbidden, message: "The request was replayed.")
        }
        guard let session = try await platform.liveSession(id: credential.sessionID), session.userID == credential.userID else {
            throw StepupError(.forbidden, message: "The credential's session is not live.")
        }
        let client = InProcessPlatformClient(platform: platform, session: session, extensionName: registered.name)
        let name = "\(context.parameters.get("area") ?? "")/\(context.parameters.get("operation") ?? "")"
        let empty = PlatformOperation.Empty()
        switch try PlatformOperation.decode(name: name, body: Data(body)) {
        case .profile: return try JSONBody.response(try await client.user.profile())
        case .accounts: return try JSONBody.response(try await client.user.accounts())
        case .acceptDisclaimer(let input):
            try await client.user.acceptDisclaimer(id: input.id)
            return try JSONBody.response(empty)
        case .transfer(let input): return try JSONBody.response(try await client.user.transfer(input))
        case .backOfficeProfile(let input): return try JSONBody.response(try await client.backOffice.profile(userID: input.userID))
        case .backOfficeAccounts(let input): return try JSONBody.response(try await client.backOffice.accounts(userID: input.userID))
        case .markDisclaimerAccepted(let input):
            try await client.backOffice.markDisclaimerAccepted(userID: input.userID, id: input.id)
            return try JSONBody.response(empty)
        case .setExternalToken(let input):
            try await client.setExternalMFAToken(input.token)
            return try JSONBody.response(empty)
        case .recordEvent(let input):
            try await client.recordEvent(input.action, succeeded: input.succeeded, details: input.details)
            return try JSONBody.response(empty)
        case .issueExternalToken:
            return try JSONBody.response(PlatformOperation.TokenAnswer(token: try await client.issueExternalMFAToken()))
        case .beginExternalAttempt:
            return try JSONBody.response(PlatformOperation.AttemptAnswer(attemptID: try await client.beginExternalMFAAttempt()))
        case .finishExternalAttempt(let input):
            return try JSONBody.response(
                PlatformOperation.TokenAnswer(token: try await client.finishExternalMFAAttempt(input.attemptID, succeeded: input.succeeded)))
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
