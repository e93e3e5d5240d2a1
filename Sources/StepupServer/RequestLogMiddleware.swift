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
        if request.uri.path.hasPrefix("/ext/") {
            // Extensions are less trusted than the platform: sandboxed even when opened top-level, errors included.
            response.headers[.contentSecurityPolicy] = "sandbox allow-scripts allow-forms"
        } else {
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
}
