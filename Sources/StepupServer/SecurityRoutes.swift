import Foundation
import HTTPTypes
import Hummingbird
import StepupCore
import StepupPlatform
import StepupStore

/// The customer's own factors, under `/api/security`: their passkeys (list, add after a step-up, rename, remove
/// after a step-up and never the last way to verify).
struct SecurityRoutes {
    let platform: Platform
    let gate: SessionGate

    func add(to router: Router<StepupRequestContext>) {
        let group = router.group("/api/security/passkeys")
        group.get { request, context in try await list(request, context) }
        group.post("/options") { request, context in try await options(request, context) }
        group.post { request, context in try await register(request, context) }
        group.patch("/{id}") { request, context in try await rename(request, context) }
        group.delete("/{id}") { request, context in try await remove(request, context) }
    }

    func list(_ request: Request, _ context: StepupRequestContext) async throws -> Response {
        let resumed = try await gate.session(request, context: context)
        let settings = platform.configuration.passkeys
        let passkeys = settings == nil ? [] : try await platform.passkeys(session: resumed.session)
        return try JSONBody.response(
            API.PasskeysBody(available: settings != nil, rpId: settings?.rpID, passkeys: passkeys.map(API.PasskeyBody.init)))
    }

    /// `mfa_required` (with the challenge to complete) until this session confirmed the addition; then the
    /// options for `navigator.credentials.create`.
    func options(_ request: Request, _ context: StepupRequestContext) async throws -> Response {
        let resumed = try await gate.session(request, context: context)
        return try JSONBody.response(try await platform.beginPasskeyRegistration(session: resumed.session))
    }

    func register(_ request: Request, _ context: StepupRequestContext) async throws -> Response {
        let resumed = try await gate.session(request, context: context)
        let body = try await JSONBody.decode(PasskeyRegistrationRequest.self, from: request, context: context)
        let record = try await platform.finishPasskeyRegistration(body, session: resumed.session)
        return try JSONBody.response(API.PasskeyBody(record), status: .created)
    }

    func rename(_ request: Request, _ context: StepupRequestContext) async throws -> Response {
        let resumed = try await gate.session(request, context: context)
        let body = try await JSONBody.decode(API.PasskeyRename.self, from: request, context: context)
        let record = try await platform.renamePasskey(id: try id(context), to: body.name, session: resumed.session)
        return try JSONBody.response(API.PasskeyBody(record))
    }

    func remove(_ request: Request, _ context: StepupRequestContext) async throws -> Response {
        let resumed = try await gate.session(request, context: context)
        try await platform.removePasskey(id: try id(context), session: resumed.session)
        return Response(status: .noContent)
    }

    private func id(_ context: StepupRequestContext) throws -> String {
        guard let id = context.parameters.get("id"), (1...1400).contains(id.utf8.count) else {
            throw StepupError(.notFound, message: "You have no such passkey.")
        }
        return id
    }
}

extension API {
    struct PasskeysBody: Encodable {
        /// Whether this bank offers passkeys at all.
        let available: Bool
        /// The domain passkeys are bound to: the browser can use them only on it (or a subdomain).
        let rpId: String?
        let passkeys: [PasskeyBody]
    }

    /// A passkey as its owner sees it: never its key.
    struct PasskeyBody: Encodable {
        let id: String
        let name: String
        let createdAt: Date
        let lastUsedAt: Date?
        /// `synced` (BE: a passkey the provider copies between devices) or `device_bound`.
        let kind: String
        let backedUp: Bool
        let transports: [String]

        init(_ record: PasskeyRecord) {
            id = record.id
            name = record.name
            createdAt = record.createdAt
            lastUsedAt = record.lastUsedAt
            kind = record.backupEligible ? "synced" : "device_bound"
            backedUp = record.backedUp
            transports = record.transports
        }
    }

    struct PasskeyRename: Decodable {
        let name: String
    }
}
