import Foundation
import StepupCore

/// The wire format between the platform and an extension service (`StepupExtensionHost`). The platform runs the
/// guard; the service describes what the guard needs for a call, runs the handler, and renders the error handler.

/// What a route's guard needs for one call, evaluated on the service (its closures live there).
public struct GuardRequirement: Sendable, Codable, Equatable {
    public var auditAction: String?
    /// The author's details of the audit event (the platform adds the defaults).
    public var details: [String: String]?
    public var transactions: [TransactionItem]?
    public var freshFor: Int?
    public var hasErrorHandler: Bool
}

/// One call as the platform forwards it.
public struct RemoteCall: Sendable, Codable, Equatable {
    public var method: String
    public var routingKey: String
    public var formFields: [String: String]
    public var body: JSONValue?
    /// The raw body, base64.
    public var rawBody: String
    public var challengeHint: String?
    /// For `/stepup/error`: why the guard refused.
    public var failure: RemoteFailure?

    public init(method: String, routingKey: String, formFields: [String: String], body: JSONValue?, rawBody: [UInt8], challengeHint: String?, failure: RemoteFailure? = nil) {
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
public struct RemoteDescription: Sendable, Codable, Equatable {
    public var found: Bool
    public var requirement: GuardRequirement?
}

/// A handler's answer on the wire.
public struct RemoteResponse: Sendable, Codable, Equatable {
    public var status: Int
    public var headers: [String: String]
    /// Base64.
    public var body: String

    public init(_ response: ExtensionResponse) {
        status = response.status
        headers = response.headers
        body = Data(response.body).base64EncodedString()
    }

    public var response: ExtensionResponse {
        ExtensionResponse(status: status, headers: headers, body: Array(Data(base64Encoded: body) ?? Data()))
    }
}

/// ``MFAFailure`` on the wire.
public struct RemoteFailure: Sendable, Codable, Equatable {
    public var kind: String
    public var challengeState: String?
    public var code: String?

    public init(_ failure: MFAFailure) {
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

    public var failure: MFAFailure {
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
    public func requirement(for request: ExtensionRequest) throws -> GuardRequirement {
        GuardRequirement(
            auditAction: auditAction, details: try details?.evaluate(for: request),
            transactions: try transactions?(request), freshFor: freshFor, hasErrorHandler: errorHandler != nil)
    }
}

extension ExtensionRoute {
    /// A route of a remote extension as the platform enforces it: the guard rebuilt from the service's description,
    /// the handler and error handler forwarded to the service.
    public static func remote(
        _ routingKey: String, method: ExtensionRequest.Method, requirement: GuardRequirement?,
        handler: @escaping ExtensionHandler, errorHandler: @escaping MFAErrorHandler
    ) -> ExtensionRoute {
        let route = ExtensionRoute(routingKey, methods: [method], handler: handler)
        guard let requirement else { return route }
        var transactions: (@Sendable (ExtensionRequest) throws -> [TransactionItem])?
        if let items = requirement.transactions { transactions = { @Sendable _ in items } }
        return route.mfaValidationRequired(
            auditAction: requirement.auditAction, details: requirement.details.map { .dictionary($0) },
            transactions: transactions, freshFor: requirement.freshFor,
            errorHandler: requirement.hasErrorHandler ? errorHandler : nil)
    }
}

extension ExtensionDispatcher {
    /// Runs a route's own handler, for a host whose platform already enforced the guard (the extension service).
    public static func runHandler(_ request: ExtensionRequest, to ext: any Extension) async throws -> ExtensionResponse {
        guard let route = ext.route(request.routingKey), route.methods.contains(request.method) else {
            throw StepupError(.notFound, message: "The extension has no such route.")
        }
        return try await route.handler(request)
    }

    /// Runs a route's error handler with the platform's reason.
    public static func renderError(_ request: ExtensionRequest, to ext: any Extension, failure: MFAFailure) async throws -> ExtensionResponse {
        guard let route = ext.route(request.routingKey), let errorHandler = route.mfaGuard?.errorHandler else {
            throw failure.error
        }
        return try await errorHandler(request, failure)
    }

    /// The service's description of a call.
    public static func describe(_ request: ExtensionRequest, to ext: any Extension) throws -> RemoteDescription {
        guard let route = ext.route(request.routingKey), route.methods.contains(request.method) else {
            return RemoteDescription(found: false, requirement: nil)
        }
        return RemoteDescription(found: true, requirement: try route.mfaGuard?.requirement(for: request))
    }
}
