import Foundation
import HTTPTypes
import Hummingbird
import Logging
import StepupCore
import StepupWire

/// Turns every error into Stepup's error envelope with the code's status (``StepupError`` renders itself, in
/// `StepupWire`). Framework errors map to their Stepup codes; anything unexpected becomes a logged
/// `internal_error` whose body says nothing about the cause.
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = StepupRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        do {
            return try await next(request, context)
        } catch {
            let stepupError = StepupError.from(error) { cause in
                context.logger.error("unexpected error", metadata: ["type": "\(cause)"])
            }
            if ExtensionErrorPage.applies(to: request) { return ExtensionErrorPage.response(stepupError, requestID: context.id) }
            return stepupError.response(requestID: context.id)
        }
    }
}
