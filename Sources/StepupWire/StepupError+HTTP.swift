import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import NIOFoundationCompat
import StepupCore

/// A Stepup error renders itself as an HTTP answer, as Hummingbird's `HTTPResponseError` asks: its status, the
/// envelope, `Retry-After` when it says when to retry, and RFC 9470's `WWW-Authenticate` for `mfa_required`.
extension StepupError: HTTPResponseError {
    public var status: HTTPResponse.Status { HTTPResponse.Status(code: httpStatus) }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        response(requestID: context.id)
    }

    /// The answer, with the request's id in the body so a customer's report can be found in the logs.
    package func response(requestID: String?) -> Response {
        var headers: HTTPFields = [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store"]
        if let retryAfter { headers[.retryAfter] = String(retryAfter) }
        if let allow, !allow.isEmpty { headers[.allow] = allow.joined(separator: ", ") }
        if code == .mfaRequired {
            // RFC 9470: tells API clients that a stronger, fresher authentication is needed, and how fresh.
            var challenge = #"Bearer error="insufficient_user_authentication", error_description="Multi-factor authentication is required""#
            if let acrValues { challenge += #", acr_values="\#(acrValues)""# }
            if let maxAge { challenge += ", max_age=\(maxAge)" }
            headers[.wwwAuthenticate] = challenge
        }
        let body = ErrorEnvelope(self, requestID: requestID).encoded()
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(data: body)))
    }

    /// Any error as a Stepup error: itself, a framework error by its status, anything else `internal_error` (whose
    /// answer says nothing of the cause); `unexpected` is told which, to log it.
    package static func from(_ error: any Error, unexpected: (String) -> Void) -> StepupError {
        if let stepupError = error as? StepupError { return stepupError }
        if let httpError = error as? HTTPError {
            let code: StepupError.Code =
                switch httpError.status {
                case .notFound: .notFound
                case .methodNotAllowed: .methodNotAllowed
                case .contentTooLarge: .bodyTooLarge
                case .badRequest: .badRequest
                default: .internal
                }
            if code == .internal { unexpected("framework status \(httpError.status.code)") }
            return StepupError(code)
        }
        unexpected(String(describing: type(of: error)))
        return StepupError(.internal)
    }
}
