import Foundation
import HTTPTypes
import Hummingbird
import StepupCore
import StepupPlatform

/// The MFA workflow under `/api/mfa/challenges`: describe, targets, send, verify a code or token, cancel.
///
/// Every route works for a pre-authentication session too: logon MFA is driven through them.
struct MFARoutes {
    let platform: Platform
    let gate: SessionGate
    /// Entry routes of in-process extensions, for the external MFA slot (remote ones use `verify`).
    let entryRoutes: [String: String]
    /// Origins each in-process extension may open a sign-in popup on.
    var authorizationOrigins: [String: [String]] = [:]

    func add(to router: Router<StepupRequestContext>) {
        let group = router.group("/api/mfa/challenges")
        group.post { request, context in try await create(request, context) }
        group.get("/{id}") { request, context in try await describe(request, context) }
        group.get("/{id}/targets") { request, context in try await targets(request, context) }
        group.post("/{id}/send") { request, context in try await send(request, context) }
        group.post("/{id}/verify-code") { request, context in try await verifyCode(request, context) }
        group.post("/{id}/verify-token") { request, context in try await verifyToken(request, context) }
        group.post("/{id}/verify-external") { request, context in try await verifyExternal(request, context) }
        group.post("/{id}/cancel") { request, context in try await cancel(request, context) }
    }

    /// Opens an extension's own prompt (the bridge's `promptForMFA`); other contexts are opened by the platform.
    func create(_ request: Request, _ context: StepupRequestContext) async throws -> Response {
        let resumed = try await gate.session(request, context: context)
        let body = try await JSONBody.decode(API.NewChallengeRequest.self, from: request, context: context)
        guard !body.extensionName.isEmpty, body.extensionName.count <= 64 else {
            throw StepupError(.badRequest, message: "Name the extension that prompts.")
        }
        let challenge = try await platform.openChallenge(
            session: resumed.session, context: .extensionPrompt(extension: body.extensionName, route: body.route))
        return try JSONBody.response(API.ChallengeBody(challenge), status: .created)
    }

    func describe(_ request: Request, _ context: StepupRequestContext) async throws -> Response {
        let view = try await view(request, context)
        var methods: [String] = []
        if !view.targets.isEmpty { methods.append(MFAMethod.accessCode.rawValue) }
        if view.accessTokenAvailable { methods.append(MFAMethod.accessToken.rawValue) }
        if view.externalExtension != nil { methods.append(MFAMethod.externalToken.rawValue) }
        var external: API.ExternalBody?
        if let name = view.externalExtension {
            // In-process extensions declare their origins; a service's come from the bank's registry, never from it.
            var origins = authorizationOrigins[name] ?? []
            if authorizationOrigins[name] == nil {
                origins = try await platform.registeredExtension(name: name)?.authorizationOrigins ?? []
            }
            external = API.ExternalBody(extension: name, entryRoute: entryRoutes[name] ?? "verify", authorizationOrigins: origins)
        }
        return try JSONBody.response(
            API.ChallengeDetailBody(challenge: .init(view.challenge), targets: view.targets, methods: methods, external: external))
    }

    func targets(_ request: Request, _ context: StepupRequestContext) async throws -> Response {
        try JSONBody.response(API.TargetsBody(targets: try await view(request, context).targets))
    }

    func send(_ request: Request, _ context: StepupRequestContext) async throws -> Response {
        let resumed = try await gate.session(request, context: context, requirement: .anySession)
        let body = try await JSONBody.decode(API.SendRequest.self, from: request, context: context)
        let sent = try await platform.sendCode(
            challengeID: try id(context), targetID: body.targetId, session: resumed.session)
        return try JSONBody.response(
            API.SendBody(challenge: .init(sent.challenge), target: sent.target, resendAvailableAt: sent.resendAvailableAt))
    }

    func verifyCode(_ request: Request, _ context: StepupRequestContext) async throws -> Response {
        let resumed = try await gate.session(request, context: context, requirement: .anySession)
        let body = try await JSONBody.decode(API.VerifyCodeRequest.self, from: request, context: context)
        let result = try await platform.verifyCode(
            challengeID: try id(context), code: String(body.code.prefix(32)), session: resumed.session)
        return try verified(result, request, context)
    }

    func verifyToken(_ request: Request, _ context: StepupRequestContext) async throws -> Response {
        let resumed = try await gate.session(request, context: context, requirement: .anySession)
        let body = try await JSONBody.decode(API.VerifyTokenRequest.self, from: request, context: context)
        let result = try await platform.verifyToken(
            challengeID: try id(context), token: String(body.token.prefix(32)), session: resumed.session)
        return try verified(result, request, context)
    }

    /// The seed's step 6–7: the token the external MFA extension's page handed to `verifyMFA`.
    func verifyExternal(_ request: Request, _ context: StepupRequestContext) async throws -> Response {
        let resumed = try await gate.session(request, context: context, requirement: .anySession)
        let body = try await JSONBody.decode(API.VerifyTokenRequest.self, from: request, context: context)
        let result = try await platform.verifyExternalToken(
            challengeID: try id(context), token: String(body.token.prefix(300)), session: resumed.session)
        return try verified(result, request, context)
    }

    func cancel(_ request: Request, _ context: StepupRequestContext) async throws -> Response {
        let resumed = try await gate.session(request, context: context, requirement: .anySession)
        let challenge = try await platform.cancelChallenge(id: try id(context), session: resumed.session)
        return try JSONBody.response(API.ChallengeBody(challenge))
    }

    /// A completion rotated the session: the new cookie and CSRF token go back now, so the banking app's automatic
    /// retry of the guarded call carries valid ones.
    private func verified(_ result: VerificationResult, _ request: Request, _ context: StepupRequestContext) throws
        -> Response
    {
        var response = try JSONBody.response(
            API.VerifyBody(
                challenge: .init(result.challenge), completionId: result.completion.id,
                stage: result.issued.session.stage.rawValue, csrfToken: result.issued.secrets.csrfToken))
        gate.setCookie(result.issued.secrets, on: &response, request: request, context: context)
        return response
    }

    private func view(_ request: Request, _ context: StepupRequestContext) async throws -> ChallengeView {
        let resumed = try await gate.session(request, context: context, requirement: .anySession)
        return try await platform.describeChallenge(id: try id(context), session: resumed.session)
    }

    private func id(_ context: StepupRequestContext) throws -> String {
        guard let id = context.parameters.get("id"), id.count <= 64 else { throw StepupError(.challengeNotFound) }
        return id
    }
}
