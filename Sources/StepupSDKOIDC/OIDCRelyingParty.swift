import Foundation
import StepupCore
import StepupSDK

/// The redirect-based external MFA flow for one extension: ``start(_:)`` behind the extension's start route,
/// ``finish(_:)`` behind its token route (the route `verify.html` calls with what the provider sent back).
///
/// ```swift
/// let party = OIDCRelyingParty(provider: OIDCProvider(configuration: configuration))
/// ExtensionRoute("start", methods: [.post]) { request in try .json(["authorizationURL": try await party.start(request)]) }
/// ExtensionRoute("token", methods: [.post]) { request in try .json(["token": try await party.finish(request)]) }
/// ```
///
/// Every failure is written to the platform's audit trail (`ext.{extension}.oidc.failed` with a reason, never a
/// secret) and thrown as the typed `StepupError` of its ``OIDCFailure``.
public struct OIDCRelyingParty: Sendable {
    public let provider: OIDCProvider
    public let pending: any PendingAuthorizationStore
    private let clock: any StepupClock

    public init(
        provider: OIDCProvider, pending: any PendingAuthorizationStore = InMemoryPendingAuthorizations(),
        clock: any StepupClock = SystemClock()
    ) {
        self.provider = provider
        self.pending = pending
        self.clock = clock
    }

    /// The MFA context a flow is bound to: its kind and what it authorises.
    static func contextKey(_ info: MFAInfo) -> String {
        [info.context ?? "", info.auditActionID ?? "", (info.transactionIDs ?? []).joined(separator: ",")].joined(separator: "|")
    }

    /// Starts a sign-in for the request's user and MFA context: a fresh state, nonce and PKCE verifier kept
    /// server-side, the authorization request pushed to the provider; answers the URL to open.
    public func start(_ request: ExtensionRequest) async throws -> String {
        do {
            guard request.mfaInfo.context != nil else { throw OIDCFailure.stateNotYours }
            guard subject(for: request) != nil else { throw OIDCFailure.noRegistration }
            let now = clock.now
            let configuration = provider.configuration
            let state = SecureRandom.token(bits: 256)
            let nonce = SecureRandom.token(bits: 256)
            let verifier = PKCE.makeVerifier()
            let url = try await provider.pushAuthorizationRequest(
                state: state, nonce: nonce, codeChallenge: PKCE.challenge(for: verifier))
            try await pending.insert(
                PendingAuthorization(
                    userID: request.onlineUser.id, contextKey: Self.contextKey(request.mfaInfo), nonce: nonce,
                    codeVerifier: verifier, startedAt: now, expiresAt: now.addingTimeInterval(configuration.flowLifetime)),
                state: state)
            try? await request.platform.recordEvent("oidc.started", succeeded: true, details: ["issuer": configuration.issuer])
            return url
        } catch let failure as OIDCFailure {
            throw await refuse(failure, request)
        }
    }

    /// What the provider appended to `verify.html`, as the page posts it to the token route.
    public struct Return: Sendable, Decodable {
        public let code: String?
        public let state: String?
        public let iss: String?
        public let error: String?

        public init(code: String?, state: String?, iss: String?, error: String? = nil) {
            self.code = code
            self.state = state
            self.iss = iss
            self.error = error
        }
    }

    /// Finishes a sign-in from the request's body (``Return``): the state taken once, the issuer parameter, the
    /// code exchanged with the verifier, the ID token verified, its subject matched to the user's registration;
    /// then sets a fresh external MFA token with the platform and answers it for `verifyMFA`.
    public func finish(_ request: ExtensionRequest) async throws -> String {
        let input = Return(
            code: request.formFields["code"], state: request.formFields["state"], iss: request.formFields["iss"],
            error: request.formFields["error"])
        return try await finish(input, request)
    }

    /// ``finish(_:)`` with the return already read.
    public func finish(_ input: Return, _ request: ExtensionRequest) async throws -> String {
        do {
            let claims = try await verify(input, request)
            let token = try await request.platform.issueExternalMFAToken()
            try? await request.platform.recordEvent(
                "oidc.verified", succeeded: true, details: ["issuer": claims.iss])
            return token
        } catch let failure as OIDCFailure {
            throw await refuse(failure, request)
        }
    }

    /// The checks of ``finish(_:)`` without setting a token: the verified claims.
    public func verify(_ input: Return, _ request: ExtensionRequest) async throws(OIDCFailure) -> IDTokenClaims {
        let configuration = provider.configuration
        guard let state = input.state, !state.isEmpty, state.utf8.count <= 256 else { throw .stateMissing }
        let flow: PendingAuthorization
        do {
            flow = try await pending.take(state: state, now: clock.now).get()
        } catch let failure as OIDCFailure {
            throw failure
        } catch {
            throw .providerUnavailable("the pending store failed")
        }
        guard flow.userID == request.onlineUser.id, flow.contextKey == Self.contextKey(request.mfaInfo) else {
            throw .stateNotYours
        }
        if let error = input.error { throw .providerDeclined(String(error.prefix(64))) }
        // RFC 9207 §2.4: a provider that sends `iss` must send its own; one that advertises it must send it.
        let metadata = try await provider.discover()
        if let iss = input.iss {
            guard iss == configuration.issuer else { throw .issuerParameterMismatch }
        } else if metadata.authorizationResponseIssParameterSupported == true {
            throw .issuerParameterMismatch
        }
        guard let code = input.code, !code.isEmpty, code.utf8.count <= 2048 else { throw .codeMissing }
        let idToken = try await provider.exchange(code: code, codeVerifier: flow.codeVerifier)
        let claims = try await provider.verifyIDToken(idToken, nonce: flow.nonce, startedAt: flow.startedAt, now: clock.now)
        guard let expected = subject(for: request), ConstantTime.equals(claims.sub, expected) else { throw .subjectMismatch }
        return claims
    }

    private func subject(for request: ExtensionRequest) -> String? {
        let value =
            switch provider.configuration.subjectSource {
            case .registrationValue: request.mfaInfo.registrationValue
            case .ssoIdentifier: request.mfaInfo.ssoIdentifier
            }
        return value.flatMap { $0.isEmpty ? nil : $0 }
    }

    private func refuse(_ failure: OIDCFailure, _ request: ExtensionRequest) async -> StepupError {
        try? await request.platform.recordEvent(
            "oidc.failed", succeeded: false, details: ["reason": failure.auditReason, "issuer": provider.configuration.issuer])
        return failure.stepupError
    }
}
