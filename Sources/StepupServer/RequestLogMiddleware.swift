import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// The outermost middleware: applies the configured body limit, tags the answer with `X-Request-ID` and writes one
/// structured log line per request. It logs the path without its query and never a header or a body, so no
/// cookie, token or code reaches the log.
struct RequestLogMiddleware: RouterMiddleware {
    typealias Context = StepupRequestContext
    let bodyLimit: Int
    let configuration: ServerConfiguration

    static let extensionPolicy = "sandbox allow-scripts allow-forms; frame-ancestors 'self'"
    /// No inline script or style anywhere on the banking app's pages; nothing may frame them.
    static let appPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        + "frame-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'"

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        var context = context
        context.bodyLimit = bodyLimit
        let started = ContinuousClock.now
        var response = try await next(request, context)
        response.headers[.requestID] = context.id
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[.referrerPolicy] = "no-referrer"
        if configuration.hstsMaxAge > 0, ClientAddress.cameOverHTTPS(request, context: context, configuration: configuration) {
            response.headers[.strictTransportSecurity] = "max-age=\(configuration.hstsMaxAge)"
        }
        if request.uri.path.hasPrefix("/ext/") {
            // Extensions are less trusted than the platform: sandboxed even when opened top-level, errors included,
            // and framed only by the banking app.
            response.headers[.contentSecurityPolicy] = Self.extensionPolicy
        } else {
            response.headers[.contentSecurityPolicy] = Self.appPolicy
            response.headers[.xFrameOptions] = "DENY"
        }
        let elapsed = ContinuousClock.now - started
        let millis = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        context.logger.info(
            "request",
            metadata: [
                "method": "\(request.method.rawValue)", "path": "\(request.uri.path)",
                "status": "\(response.status.code)", "ms": "\(String(format: "%.1f", millis))",
            ])
        return response
    }
}

extension HTTPField.Name {
    static let requestID = Self("X-Request-ID")!
    static let csrfToken = Self("X-CSRF-Token")!
    static let xContentTypeOptions = Self("X-Content-Type-Options")!
    static let referrerPolicy = Self("Referrer-Policy")!
    static let forwardedFor = Self("X-Forwarded-For")!
    static let forwardedProto = Self("X-Forwarded-Proto")!
    static let xFrameOptions = Self("X-Frame-Options")!
    static let strictTransportSecurity = Self("Strict-Transport-Security")!
}
