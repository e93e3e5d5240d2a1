import Foundation
import HTTPTypes
import Hummingbird
import StepupCore
import StepupPlatform

/// The MFA workflow under `/api/mfa/challenges`: describe, start a method, verify a proof, cancel.
///
/// Every route works for a pre-authentication session too: logon MFA is driven through them. The routes know no
/// method: `/{id}/methods/{method}/start` and `/verify` decode the body as that method's own `Start` and `Proof`.
/// The paths of earlier versions (`send`, `verify-code`, `verify-token`, `verify-external`) are aliases for the
/// built-in methods' paths.
struct MFARoutes {
    let platform: Platform
    let gate: SessionGate
    /// Entry routes of in-process extensions, for a method's frame (remote ones use `verify`).
    let entryRoutes: [String: String]
    /// Origins each in-process extension may open a sign-in popup on.
    var authorizationOrigins: [String: [String]] = [:]

    /// The paths of earlier versions, and the built-in method each one starts or verifies.
    static let aliases: [(path: String, method: MFAMethodID, verifies: Bool)] = [
        ("send", .accessCode, false), ("verify-code", .accessCode, true), ("verify-token", .accessToken, true),
        ("verify-external", .externalToken, true),
    ]

    func add(to router: Router<StepupRequestContext>) {
        let group = router.group("/api/mfa/challenges")
        group.post { request, context in try await create(request, context) }
        group.get("/{id}") { request, context in try await describe(request, context) }
        group.get("/{id}/targets") { request, context in try await targets(request, context) }
        group.post("/{id}/methods/{method}/start") { request, context in
            try await start(try method(context), request, context)
        }
        group.post("/{id}/methods/{method}/verify") { request, context in
            try await verify(try method(context), request, context)
        }
        for alias in Self.aliases {
            group.post("/{id}/\(alias.path)") { request, context in
                guard let method = platform.methods[alias.method] else { throw StepupError(.mfaMethodNotFound) }
                return alias.verifies ? try await verify(method, request, context) : try await start(method, request, context)
            }
        }
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
        return try JSONBody.response(API.ChallengeBody(challenge, methods: platform.methods), status: .created)
    }

    func describe(_ request: Request, _ context: StepupRequestContext) async throws -> Response {
        let view = try await view(request, context)
        var offers: [MethodOffer] = []
        for var offer in view.offers {
            if var frame = offer.frame {
                // In-process extensions declare their origins; a service's come from the bank's registry, never from it.
                let name = frame.extension
                var origins = authorizationOrigins[name] ?? []
                if authorizationOrigins[name] == nil {
                    origins = try await platform.registeredExtension(name: name)?.authorizationOrigins ?? []
                }
                frame.entryRoute = entryRoutes[name] ?? "verify"
                frame.authorizationOrigins = origins
                offer.frame = frame
            }
            offers.append(offer)
        }
        let external = offers.lazy.compactMap(\.frame).first.map {
            API.ExternalBody(extension: $0.extension, entryRoute: $0.entryRoute ?? "verify", authorizationOrigins: $0.authorizationOrigins ?? [])
        }
        return try JSONBody.response(
            API.ChallengeDetailBody(
                challenge: .init(view.challenge, methods: platform.methods), offers: offers,
                methods: offers.map(\.method.rawValue), targets: offers.flatMap(\.choices), external: external,
                advice: view.advice))
    }

    func targets(_ request: Request, _ context: StepupRequestContext) async throws -> Response {
        try JSONBody.response(API.TargetsBody(targets: try await view(request, context).offers.flatMap(\.choices)))
    }

    /// Starts `method` with the body as its `Start` (a target to send a code to).
    func start<M: MFAMethod>(_ method: M, _ request: Request, _ context: StepupRequestContext) async throws -> Response {
        let resumed = try await gate.session(request, context: context, requirement: .anySession)
        let body = try await JSONBody.decode(M.Start.self, from: request, context: context)
        let started = try await platform.start(method, request: body, challengeID: try id(context), session: resumed.session)
        return try JSONBody.response(
            try API.StartBody(challenge: .init(started.challenge, methods: platform.methods), answer: started.answer))
    }

    /// Verifies the body as `method`'s `Proof`; the seed's steps 6–7 for an external MFA's token.
    func verify<M: MFAMethod>(_ method: M, _ request: Request, _ context: StepupRequestContext) async throws -> Response {
        let resumed = try await gate.session(request, context: context, requirement: .anySession)
        let proof = try await JSONBody.decode(M.Proof.self, from: request, context: context)
        let result = try await platform.verify(method, proof: proof, challengeID: try id(context), session: resumed.session)
        return try verified(result, request, context)
    }

    func cancel(_ request: Request, _ context: StepupRequestContext) async throws -> Response {
        let resumed = try await gate.session(request, context: context, requirement: .anySession)
        let challenge = try await platform.cancelChallenge(id: try id(context), session: resumed.session)
        return try JSONBody.response(API.ChallengeBody(challenge, methods: platform.methods))
    }

    /// A completion rotated the session: the new cookie and CSRF token go back now, so the banking app's automatic
    /// retry of the guarded call carries valid ones.
    private func verified(_ result: VerificationResult, _ request: Request, _ context: StepupRequestContext) throws
        -> Response
    {
        var response = try JSONBody.response(
            API.VerifyBody(
                challenge: .init(result.challenge, methods: platform.methods), completionId: result.completion.id,
                stage: result.issued.session.stage.rawValue, csrfToken: result.issued.secrets.csrfToken))
        gate.setCookie(result.issued.secrets, on: &response, request: request, context: context)
        return response
    }

    private func view(_ request: Request, _ context: StepupRequestContext) async throws -> ChallengeView {
        let resumed = try await gate.session(request, context: context, requirement: .anySession)
        return try await platform.describeChallenge(id: try id(context), session: resumed.session)
    }

    private func method(_ context: StepupRequestContext) throws -> any MFAMethod {
        guard let name = context.parameters.get("method"), MFAMethodID.isValid(name), let method = platform.methods[MFAMethodID(rawValue: name)]
        else { throw StepupError(.mfaMethodNotFound) }
        return method
    }

    private func id(_ context: StepupRequestContext) throws -> String {
        guard let id = context.parameters.get("id"), id.count <= 64 else { throw StepupError(.challengeNotFound) }
        return id
    }
}
