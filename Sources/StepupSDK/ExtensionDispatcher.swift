import StepupCore

/// Runs one extension call: the route's guard, then its handler. Every host (in process, the extension service,
/// `StepupTesting`) dispatches through here, so the guard means the same everywhere.
package enum ExtensionDispatcher {
    /// Finds the route, enforces its guard and runs its handler. Throws `not_found` for an unknown route and
    /// `method_not_allowed` (with the route's methods, for `Allow`) for a method it does not answer,
    /// and `mfa_required`, `mfa_abandoned`, `mfa_blocked` when the guard refuses and the route has no error
    /// handler. The handler runs only after a matching completion was consumed.
    ///
    /// `willRunHandler` is called just before the route's own handler runs (not an error handler): hosts and test
    /// kits use it to prove when a handler did or did not run.
    package static func dispatch(
        _ request: ExtensionRequest, to ext: any Extension, backend: any MFAGuardBackend,
        willRunHandler: (@Sendable () -> Void)? = nil
    ) async throws -> ExtensionResponse {
        guard let route = ext.route(request.routingKey) else {
            throw StepupError(.notFound, message: "The extension has no such route.")
        }
        guard route.methods.contains(request.method) else { throw StepupError.methodNotAllowed(route.allowedMethods) }
        guard let mfaGuard = route.mfaGuard else {
            willRunHandler?()
            return try await route.handler(request)
        }

        var request = request
        let outcome = await check(mfaGuard, request: request, backend: backend)
        switch outcome {
        case .success(let context):
            if let context {
                request.mfaInfo = MFAInfo(
                    context: context, registrationValue: request.mfaInfo.registrationValue,
                    ssoIdentifier: request.mfaInfo.ssoIdentifier)
            }
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
                if let level = mfaGuard.level, level > .aal1 { error.acrValues = level.acr }
                throw error
            }
            if let errorHandler = mfaGuard.errorHandler { return try await errorHandler(request, failure) }
            throw failure.error
        }
    }

    static func check(_ mfaGuard: MFAGuard, request: ExtensionRequest, backend: any MFAGuardBackend) async
        -> Result<MFAContext?, MFAFailure>
    {
        do {
            if let action = mfaGuard.auditAction {
                return try await checkEvent(action: action, mfaGuard, request: request, backend: backend)
            }
            let contexts = try mfaGuard.acceptedContexts(for: request)
            let level = mfaGuard.level ?? .aal1
            if let context = try await backend.satisfy(contexts: contexts, freshFor: mfaGuard.freshFor, level: level) {
                return .success(context)
            }
            // The banking app retries with the challenge it drove; if that one ended without success, the user
            // left the workflow (or failed it) and the error handler decides what to show.
            if let state = try await abandonedState(request, backend: backend, matching: { contexts.contains($0) }) {
                return .failure(.abandoned(challengeState: state))
            }
            let challengeID = try await backend.openChallenge(for: contexts[0], level: level)
            return .failure(.required(challengeID: challengeID, context: contexts[0]))
        } catch let error as StepupError {
            return .failure(.workflow(error))
        } catch {
            return .failure(.workflow(StepupError(.internal)))
        }
    }

    /// The EDV path: the call's audit event goes to the platform's rules, which allow, block or ask for MFA.
    static func checkEvent(
        action: String, _ mfaGuard: MFAGuard, request: ExtensionRequest, backend: any MFAGuardBackend
    ) async throws -> Result<MFAContext?, MFAFailure> {
        let linked = mfaGuard.transactions != nil ? try mfaGuard.acceptedContexts(for: request).first : nil
        let items: [TransactionItem]? =
            if case .transaction(let items)? = linked { items } else { nil }
        let details = try AuditDetails.details(mfaGuard.details, request: request, transactions: items)
        let detailsHash = EDVInput.hash(details)
        let abandoned = try await abandonedState(request, backend: backend) { context in
            if let linked { return context == linked }
            if case .eventDrivenValidation(_, let name, let hash) = context { return name == action && hash == detailsHash }
            return false
        }
        if let abandoned { return .failure(.abandoned(challengeState: abandoned)) }
        switch try await backend.evaluateEvent(action: action, details: details, linked: linked, level: mfaGuard.level ?? .aal1) {
        case .allow(let context): return .success(context)
        case .block: return .failure(.blocked)
        case .requireMFA(let challengeID, let context): return .failure(.required(challengeID: challengeID, context: context))
        }
    }

    /// The state of the challenge the banking app says it drove for this call, if it matches and ended without
    /// success; nil otherwise (no hint, another call's challenge, still open, or completed).
    static func abandonedState(
        _ request: ExtensionRequest, backend: any MFAGuardBackend, matching: (MFAContext) -> Bool
    ) async throws -> ChallengeState? {
        guard let hint = request.challengeHint, let driven = try await backend.challenge(id: hint),
            matching(driven.context), !driven.state.isOpen, driven.state != .completed
        else { return nil }
        return driven.state
    }
}
