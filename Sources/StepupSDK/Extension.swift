import StepupCore

/// A small web app inside online banking: named routes, optional static assets, and whether it may run before logon
/// (an external MFA extension must).
///
/// ```swift
/// struct Greeter: Extension {
///     let name = "greeter"
///     var routes: [ExtensionRoute] {
///         [
///             ExtensionRoute("hello") { request in .html("<p>Hello, \(request.onlineUser.displayName)</p>") },
///             ExtensionRoute("secret") { _ in .text("42") }.mfaValidationRequired(),
///         ]
///     }
/// }
/// ```
public protocol Extension: Sendable {
    /// Lower-case letters, digits and `-` or `_`; unique on a platform; the `{extension}` of `/ext/{extension}/…`.
    var name: String { get }
    var routes: [ExtensionRoute] { get }
    var assets: [ExtensionAsset] { get }
    /// Whether the extension may serve a session that has not passed logon yet (external MFA at logon).
    var runsBeforeLogon: Bool { get }
    /// The name the banking app shows for the extension.
    var title: String { get }
    /// The route the banking app loads in the extension's frame.
    var entryRoute: String { get }
    /// The MFA context kinds this extension serves as external MFA (`logon`, `transaction`,
    /// `event_driven_validation`), for users with a registration for it.
    var externalMFAContexts: [String] { get }
    /// Origins (`https://idp.example.com`) the banking app may open a popup on for this extension's
    /// redirect-based external MFA (`bridge.actions.redirectForAuthentication`); any other is refused.
    var authorizationOrigins: [String] { get }
}

extension Extension {
    public var assets: [ExtensionAsset] { [] }
    public var runsBeforeLogon: Bool { false }
    public var title: String { name }
    public var externalMFAContexts: [String] { [] }
    public var authorizationOrigins: [String] { [] }
    public var entryRoute: String { routes.first { $0.methods.contains(.get) }?.routingKey ?? "index" }

    /// The route for a routing key, if the extension has one.
    public func route(_ routingKey: String) -> ExtensionRoute? {
        routes.first { $0.routingKey == routingKey }
    }

    /// Whether `name` may be used as an extension name: it appears in paths and contexts.
    public static func isValidName(_ name: String) -> Bool { ExtensionName.isValid(name) }
}

/// A route handler.
public typealias ExtensionHandler = @Sendable (ExtensionRequest) async throws -> ExtensionResponse

/// One routing key of an extension, its handler and, optionally, the MFA guard the host enforces before it.
public struct ExtensionRoute: Sendable {
    public let routingKey: String
    public let methods: Set<ExtensionRequest.Method>
    let handler: ExtensionHandler
    /// The guard, when the route requires MFA.
    public private(set) var mfaGuard: MFAGuard?

    /// The methods the route answers, as an `Allow` header names them.
    public var allowedMethods: [String] { methods.map(\.rawValue).sorted() }

    public init(
        _ routingKey: String, methods: Set<ExtensionRequest.Method> = [.get, .post],
        handler: @escaping ExtensionHandler
    ) {
        self.routingKey = routingKey
        self.methods = methods
        self.handler = handler
    }

    /// Requires a completed MFA workflow before the handler runs (the seeds' `@mfa_validation_required`).
    ///
    /// - Parameters:
    ///   - auditAction: the audit action name (the seeds' `audit_action_name`): each call creates an audit event
    ///     and the platform's EDV rules answer allow, require MFA, or block. When no rule decides, the bank's
    ///     `EdvDefaultDecision` answers, which requires MFA unless the bank set it to `allow` or `block`: the guard
    ///     fails closed. With transactions, only an explicit allow rule exempts the call from MFA.
    ///   - details: the author's details of that event: a string, a dictionary or a closure over the request.
    ///   - transactions: the transactions the call performs; the completion must authorise exactly these ids,
    ///     amounts, currencies and payees. Without it, the completion must be for this extension and route (or
    ///     from the extension's own `promptForMFA`).
    ///   - freshFor: accept any completion of the context no older than this many seconds, consumed or not,
    ///     instead of consuming one completion per call.
    ///   - level: the least assurance level the MFA must reach: `.aal2` (a code, TOTP, an external MFA) or
    ///     `.phishingResistant` (a passkey). Only methods that reach it are offered, only completions of it open
    ///     the route, and the `mfa_required` answer names it as RFC 9470 `acr_values`.
    ///   - errorHandler: renders the answer when the user left the workflow, MFA failed, or the workflow threw;
    ///     without it those are typed errors.
    public func mfaValidationRequired(
        auditAction: String? = nil,
        details: AuditDetails? = nil,
        transactions: (@Sendable (ExtensionRequest) throws -> [TransactionItem])? = nil,
        freshFor: Int? = nil,
        level: AssuranceLevel? = nil,
        errorHandler: MFAErrorHandler? = nil
    ) -> ExtensionRoute {
        var copy = self
        copy.mfaGuard = MFAGuard(
            auditAction: auditAction, details: details, transactions: transactions, freshFor: freshFor, level: level,
            errorHandler: errorHandler)
        return copy
    }
}
