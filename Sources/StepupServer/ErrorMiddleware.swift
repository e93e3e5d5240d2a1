import Foundation
import HTTPTypes
import Hummingbird
import Logging
import StepupCore

/// Turns every error into Stepup's JSON error body, `{"error": {"code": …, "message": …}}`, with the code's
/// status. Framework errors map to their Stepup codes; anything unexpected becomes a logged `internal_error`
/// whose body says nothing about the cause.
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = StepupRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        do {
            return try await next(request, context)
        } catch let error as StepupError {
            return Self.response(for: error, requestID: context.id)
        } catch let error as HTTPError {
            let code: StepupError.Code =
                switch error.status {
                case .notFound: .notFound
                case .methodNotAllowed: .methodNotAllowed
                case .contentTooLarge: .bodyTooLarge
                case .badRequest: .badRequest
                default: .internal
                }
            if code == .internal {
                context.logger.error("unmapped framework error", metadata: ["status": "\(error.status.code)"])
            }
            return Self.response(for: StepupError(code), requestID: context.id)
        } catch {
            context.logger.error("unexpected error", metadata: ["type": "\(type(of: error))"])
            return Self.response(for: StepupError(.internal), requestID: context.id)
        }
    }

    struct Body: Encodable {
        struct Detail: Encodable {
            let code: String
            let message: String
            let lockedUntil: Date?
            let attemptsLeft: Int?
            let challengeId: String?
            let retryAfter: Int?
            let context: String?
            let maxAge: Int?
            let requestId: String
        }
        let error: Detail
    }

    static func response(for error: StepupError, requestID: String) -> Response {
        var headers: HTTPFields = [:]
        if let retryAfter = error.retryAfter { headers[.retryAfter] = String(retryAfter) }
        if error.code == .mfaRequired {
            // RFC 9470: tells API clients that a stronger, fresher authentication is needed, and how fresh.
            var challenge = #"Bearer error="insufficient_user_authentication", error_description="Multi-factor authentication is required""#
            if let maxAge = error.maxAge { challenge += ", max_age=\(maxAge)" }
            headers[.wwwAuthenticate] = challenge
        }
        let body = Body(
            error: .init(
                code: error.code.rawValue, message: error.message, lockedUntil: error.lockedUntil,
                attemptsLeft: error.attemptsLeft, challengeId: error.challengeID, retryAfter: error.retryAfter,
                context: error.context, maxAge: error.maxAge, requestId: requestID))
        let status = HTTPResponse.Status(code: error.httpStatus)
        return (try? JSONBody.response(body, status: status, headers: headers))
            ?? Response(status: .internalServerError)
    }
}
