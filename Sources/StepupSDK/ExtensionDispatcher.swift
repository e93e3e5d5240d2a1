import StepupCore

/// Runs one extension call: the route's guard, then its handler. Every host (in process, the extension service,
/// `StepupTesting`) dispatches through here, so the guard means the same everywhere.
public enum ExtensionDispatcher {
    /// Finds the route, enforces its guard and runs its handler. Throws `not_found` for an unknown route or method,
    /// and `mfa_required`, `mfa_abandoned`, `mfa_blocked` when the guard refuses and the route has no error
    /// handler. The handler runs only after a matching completion was consumed.
    ///
    /// `willRunHandler` is called just before the route's own handler runs (not an error handler): hosts and test
    /// kits use it to prove when a handler did or did not run.
    public static func dispatch(
        _ request: ExtensionRequest, to ext: any Extension, backend: any MFAGuardBackend,
        willRunHandler: (@Sendable () -> Void)? = nil
    ) async throws -> ExtensionResponse {
        guard let route = ext.route(request.routingKey), route.methods.contains(request.method) else {
            throw StepupError(.notFound, message: "The extension has no such route.")
        }
        guard let mfaGuard = route.mfaGuard else {
            willRunHandler?()
            return try await route.handler(request)
        }

        var request = request
        let outcome = await check(mfaGuard, request: request, backend: backend)
        switch outcome {
        case .success(let context):
            request.mfaInfo = MFAInfo(
                context: context, registrationValue: request.mfaInfo.registrationValue,
                ssoIdentifier: request.mfaInfo.ssoIdentifier)
            willRunHandler?()
            return try await route.handler(request)
        case .failure(let failure):
            if case .required = failure {
                // The banking app must see this to start the workflow; an error handler is for its end.
                var error = failure.error
                if let freshFor = mfaGuard.freshFor {
                    error.maxAge = freshFor
                } else {
                    error.maxAge = try? await backend.completionLifetime()
                }
                throw error
            }
            if let errorHandler = mfaGuard.errorHandler { return try await errorHandler(request, failure) }
            throw failure.error
        }
    }

    static func check(_ mfaGuard: MFAGuard, request: ExtensionRequest, backend: any MFAGuardBackend) async
        -> Result<MFAContext, MFAFailure>
    {
        do {
            let contexts = try mfaGuard.acceptedContexts(for: request)
            if let context = try await backend.satisfy(contexts: contexts, freshFor: mfaGuard.freshFor) {
                return .success(context)
            }
            // The banking app retries with the challenge it drove; if that one ended without success, the user
            // left the workflow (or failed it) and the error handler decides what to show.
            if let hint = request.challengeHint, let driven = try await backend.challenge(id: hint),
                contexts.contains(driven.context), !driven.state.isOpen, driven.state != .completed
            {
                return .failure(.abandoned(challengeState: driven.state))
            }
            let challengeID = try await backend.openChallenge(for: contexts[0])
            return .failure(.required(challengeID: challengeID, context: contexts[0]))
        } catch let error as StepupError {
            return .failure(.workflow(error))
        } catch {
            return .failure(.workflow(StepupError(.internal)))
        }
    }
}
