import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import StepupCore
import StepupPlatform

/// `/health` (the process answers), `/ready` (and its store too), `/openapi.json`, and in demo mode `/dev/outbox`.
struct OperationalRoutes {
    let platform: Platform
    let outbox: DevOutbox?

    func add(to router: Router<StepupRequestContext>) {
        router.get("/health") { _, _ in try JSONBody.response(API.HealthBody(status: "ok")) }
        router.get("/ready") { _, _ in
            guard await platform.isStoreReachable() else { throw StepupError(.storeUnavailable) }
            return try JSONBody.response(API.HealthBody(status: "ready"))
        }
        router.get("/openapi.json") { _, _ in
            guard let document = OpenAPIDocument.data else { throw StepupError(.notFound) }
            return Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(bytes: document)))
        }
        if let outbox {
            router.get("/dev/outbox") { request, _ in
                let challenge = request.uri.queryParameters.get("challenge")
                let found = if let challenge { await outbox.messages(challengeID: challenge) } else { await outbox.all() }
                let messages = found.map { message in
                    API.OutboxBody.Message(
                        to: message.target.masked, kind: message.target.kind.rawValue, code: message.code,
                        text: message.text, challengeId: message.challengeID, sentAt: message.sentAt)
                }
                return try JSONBody.response(API.OutboxBody(messages: messages))
            }
        }
    }
}

/// The checked-in OpenAPI 3.1 description of the API.
public enum OpenAPIDocument {
    public static let data: Data? = Bundle.module.url(
        forResource: "openapi", withExtension: "json", subdirectory: "Resources"
    ).flatMap { try? Data(contentsOf: $0) }
}
