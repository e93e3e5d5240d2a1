import Foundation
import HTTPTypes
import Hummingbird
import StepupCore
import StepupPlatform

/// `/api/logon`, `/api/logout`, `/api/session`.
struct SessionRoutes {
    let platform: Platform
    let gate: SessionGate

    func add(to router: Router<StepupRequestContext>) {
        router.post("/api/logon") { request, context in try await logon(request, context) }
        router.post("/api/logout") { request, context in try await logout(request, context) }
        router.get("/api/session") { request, context in try await session(request, context) }
    }

    func logon(_ request: Request, _ context: StepupRequestContext) async throws -> Response {
        let body = try await JSONBody.decode(API.LogonRequest.self, from: request, context: context)
        guard body.username.count <= 256, body.password.count <= 1024 else { throw StepupError(.logonFailed) }
        let address = ClientAddress.of(request, context: context, configuration: gate.configuration)
        let result = try await platform.logon(
            username: body.username, password: body.password, clientAddress: address,
            userAgent: request.headers[.userAgent])
        var response = try JSONBody.response(
            API.SessionBody(
                stage: result.issued.session.stage.rawValue, csrfToken: result.issued.secrets.csrfToken,
                user: .init(result.user), challenge: result.challenge.map { API.ChallengeBody($0, methods: platform.methods) }))
        gate.setCookie(result.issued.secrets, on: &response, request: request, context: context)
        return response
    }

    func logout(_ request: Request, _ context: StepupRequestContext) async throws -> Response {
        let resumed = try await gate.session(request, context: context, requirement: .anySession)
        try await platform.logout(sessionID: resumed.session.id)
        var response = Response(status: .noContent)
        gate.clearCookie(on: &response, request: request, context: context)
        return response
    }

    func session(_ request: Request, _ context: StepupRequestContext) async throws -> Response {
        let resumed = try await gate.session(request, context: context, requirement: .anySession)
        var challenge: Challenge?
        if resumed.session.stage == .preAuthentication {
            challenge = try await platform.openChallenge(session: resumed.session, context: .logon)
        }
        return try JSONBody.response(
            API.SessionBody(
                stage: resumed.session.stage.rawValue, csrfToken: gate.csrfToken(request), user: .init(resumed.user),
                challenge: challenge.map { API.ChallengeBody($0, methods: platform.methods) }))
    }
}
