import Foundation
import HTTPTypes
import Hummingbird
import StepupCore
import StepupPlatform

/// Reads the session cookie, resumes the session, enforces its stage and the CSRF header, and writes cookies.
struct SessionGate: Sendable {
    static let cookieName = "stepup_session"

    let platform: Platform
    let configuration: ServerConfiguration

    enum Requirement {
        /// Any live session, including one still doing logon MFA.
        case anySession
        /// Only a session that has passed logon.
        case authenticated
    }

    /// The session of the request. State-changing methods must carry the session's CSRF token in `X-CSRF-Token`.
    func session(_ request: Request, context: StepupRequestContext, requirement: Requirement = .authenticated)
        async throws -> ResumedSession
    {
        guard let token = request.cookies[Self.cookieName]?.value, !token.isEmpty else {
            throw StepupError(.notAuthenticated)
        }
        let resumed = try await platform.resumeSession(token: token)
        if request.method != .get && request.method != .head {
            try platform.checkCSRF(request.headers[.csrfToken], for: resumed.session)
        }
        if requirement == .authenticated && resumed.session.stage != .authenticated {
            throw StepupError(.notAuthenticated, message: "Complete sign-in first.")
        }
        return resumed
    }

    /// The CSRF token of the request's session, re-derived from its cookie.
    func csrfToken(_ request: Request) -> String? {
        request.cookies[Self.cookieName].map { SessionSecrets.csrfToken(forSessionToken: $0.value) }
    }

    func setCookie(_ secrets: SessionSecrets, on response: inout Response, request: Request, context: StepupRequestContext) {
        response.setCookie(
            Cookie(
                name: Self.cookieName, value: secrets.sessionToken, path: "/",
                secure: isSecure(request, context: context), httpOnly: true, sameSite: .strict))
    }

    func clearCookie(on response: inout Response, request: Request, context: StepupRequestContext) {
        response.setCookie(
            Cookie(
                name: Self.cookieName, value: "", maxAge: 0, path: "/", secure: isSecure(request, context: context),
                httpOnly: true, sameSite: .strict))
    }

    /// Secure unless plain HTTP on loopback; a trusted proxy's `X-Forwarded-Proto: https` makes it Secure too.
    func isSecure(_ request: Request, context: StepupRequestContext) -> Bool {
        configuration.secureCookiesByDefault || ClientAddress.cameOverHTTPS(request, context: context, configuration: configuration)
    }
}

/// The client's address: the TCP peer, or, when the peer is a configured proxy, the nearest untrusted address of
/// `X-Forwarded-For`. Headers from anyone else are ignored, so a client cannot choose the address it is throttled by.
enum ClientAddress {
    static func of(_ request: Request, context: StepupRequestContext, configuration: ServerConfiguration) -> String? {
        guard isTrustedProxy(context.peerAddress, configuration: configuration),
            let forwarded = request.headers[.forwardedFor]
        else { return context.peerAddress }
        let hops = forwarded.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        return hops.reversed().first { !configuration.trustedProxies.contains($0) } ?? context.peerAddress
    }

    /// Whether the request reached the bank over TLS: `serve` speaks HTTP, so only a trusted proxy can say so.
    static func cameOverHTTPS(_ request: Request, context: StepupRequestContext, configuration: ServerConfiguration) -> Bool {
        isTrustedProxy(context.peerAddress, configuration: configuration)
            && request.headers[.forwardedProto]?.trimmingCharacters(in: .whitespaces).lowercased() == "https"
    }

    static func isTrustedProxy(_ peer: String?, configuration: ServerConfiguration) -> Bool {
        guard let peer else { return false }
        return configuration.trustedProxies.contains(peer)
    }
}
