import Foundation
import StepupCore

/// The wire format between the platform and an extension service (`StepupExtensionHost`), `package` access: host
/// plumbing, not an extension author's API. The platform runs the
/// guard; the service describes what the guard needs for a call, runs the handler, and renders the error handler.

/// What a route's guard needs for one call, evaluated on the service (its closures live there).
package struct GuardRequirement: Sendable, Codable, Equatable {
    package var auditAction: String?
    /// The author's details of the audit event (the platform adds the defaults).
    package var details: [String: String]?
    package var transactions: [TransactionItem]?
    package var freshFor: Int?
    /// `aal1`, `aal2` or `phr`; a level this platform does not know fails the description, never lowers the bar.
    package var level: AssuranceLevel?
    package var hasErrorHandler: Bool
}

/// One call as the platform forwards it.
package struct RemoteCall: Sendable, Codable, Equatable {
    package var method: String
    package var routingKey: String
    package var formFields: [String: String]
    package var body: JSONValue?
    /// The raw body, base64.
    package var rawBody: String
    package var challengeHint: String?
    /// For `/stepup/error`: why the guard refused.
    package var failure: RemoteFailure?

    package init(method: String, routingKey: String, formFields: [String: String], body: JSONValue?, rawBody: [UInt8], challengeHint: String?, failure: RemoteFailure? = nil) {
        self.method = method
        self.routingKey = routingKey
        self.formFields = formFields
        self.body = body
        self.rawBody = Data(rawBody).base64EncodedString()
        self.challengeHint = challengeHint
        self.failure = failure
    }
}

/// The service's description of a call: whether the route exists for the method, and its guard.
package struct RemoteDescription: Sendable, Codable, Equatable {
    package var found: Bool
    package var requirement: GuardRequirement?
    /// When the route exists but not for the call's method: the methods it answers (for `405` and `Allow`).
    package var allow: [String]?
}

/// A handler's answer on the wire.
package struct RemoteResponse: Sendable, Codable, Equatable {
    package var status: Int
    package var headers: [String: String]
    /// Base64.
    package var body: String

    package init(_ response: ExtensionResponse) {
        status = response.status
        headers = response.headers
        body = Data(response.body).base64EncodedString()
    }

    package var response: ExtensionResponse {
        ExtensionResponse(status: status, headers: headers, body: Array(Data(base64Encoded: body) ?? Data()))
    }
}

/// ``MFAFailure`` on the wire.
package struct RemoteFailure: Sendable, Codable, Equatable {
    package var kind: String
    package var challengeState: String?
    package var code: String?

    package init(_ failure: MFAFailure) {
        switch failure {
        case .required: kind = "required"
        case .abandoned(let state):
            kind = "abandoned"
            challengeState = state.rawValue
        case .blocked: kind = "blocked"
        case .workflow(let error):
            kind = "workflow"
            code = error.code.rawValue
        }
    }

    package var failure: MFAFailure {
        switch kind {
        case "abandoned": .abandoned(challengeState: ChallengeState(storedName: challengeState ?? "") ?? .cancelled)
        case "blocked": .blocked
        case "workflow": .workflow(StepupError(StepupError.Code(rawValue: code ?? "") ?? .internal))
        default: .workflow(StepupError(.internal))
        }
    }
}

extension MFAGuard {
    /// What this guard needs for `request`, with its closures evaluated: for a service to send to the platform.
    package func requirement(for request: ExtensionRequest) throws -> GuardRequirement {
        GuardRequirement(
            auditAction: auditAction, details: try details?.evaluate(for: request),
            transactions: try transactions?(request), freshFor: freshFor, level: level, hasErrorHandler: errorHandler != nil)
    }
}

extension ExtensionRoute {
    /// A route of a remote extension as the platform enforces it: the guard rebuilt from the service's description,
    /// the handler and error handler forwarded to the service.
    package static func remote(
        _ routingKey: String, method: ExtensionRequest.Method, requirement: GuardRequirement?,
        handler: @escaping ExtensionHandler, errorHandler: @escaping MFAErrorHandler
    ) -> ExtensionRoute {
        let route = ExtensionRoute(routingKey, methods: [method], handler: handler)
        guard let requirement else { return route }
        var transactions: (@Sendable (ExtensionRequest) throws -> [TransactionItem])?
        if let items = requirement.transactions { transactions = { @Sendable _ in items } }
        return route.mfaValidationRequired(
            auditAction: requirement.auditAction, details: requirement.details.map { .dictionary($0) },
            transactions: transactions, freshFor: requirement.freshFor, level: requirement.level,
            errorHandler: requirement.hasErrorHandler ? errorHandler : nil)
    }
}

extension ExtensionDispatcher {
    /// Runs a route's own handler, for a host whose platform already enforced the guard (the extension service).
    package static func runHandler(_ request: ExtensionRequest, to ext: any Extension) async throws -> ExtensionResponse {
        guard let route = ext.route(request.routingKey), route.methods.contains(request.method) else {
            throw StepupError(.notFound, message: "The extension has no such route.")
        }
        return try await route.handler(request)
    }

    /// Runs a route's error handler with the platform's reason.
    package static func renderError(_ request: ExtensionRequest, to ext: any Extension, failure: MFAFailure) async throws -> ExtensionResponse {
        guard let route = ext.route(request.routingKey), let errorHandler = route.mfaGuard?.errorHandler else {
            throw failure.error
        }
        return try await errorHandler(request, failure)
    }

    /// The service's description of a call.
    package static func describe(_ request: ExtensionRequest, to ext: any Extension) throws -> RemoteDescription {
        guard let route = ext.route(request.routingKey) else { return RemoteDescription(found: false, requirement: nil) }
        guard route.methods.contains(request.method) else {
            return RemoteDescription(found: false, requirement: nil, allow: route.allowedMethods)
        }
        return RemoteDescription(found: true, requirement: try route.mfaGuard?.requirement(for: request))
    }
}
