/// What an extension may know about the MFA in play for its request (the seeds' `mfa_info`): the context, its
/// transactions or audit action, and the user's registration value and SSO identifier where they exist.
public struct MFAInfo: Sendable, Codable, Equatable {
    /// The context's kind: `logon`, `transaction`, `event_driven_validation` or `extension_prompt`.
    public var context: String?
    /// Present for transaction authorization.
    public var transactionIDs: [String]?
    /// Present for event-driven validation.
    public var auditActionID: String?
    /// Present for event-driven validation.
    public var auditActionName: String?
    /// The user's row in `mfa_registration` for this extension, if the extension needs one and it exists.
    public var registrationValue: String?
    /// The user's row in `sso_user_logon`, if any.
    public var ssoIdentifier: String?

    public init(
        context: String? = nil, transactionIDs: [String]? = nil, auditActionID: String? = nil,
        auditActionName: String? = nil, registrationValue: String? = nil, ssoIdentifier: String? = nil
    ) {
        self.context = context
        self.transactionIDs = transactionIDs
        self.auditActionID = auditActionID
        self.auditActionName = auditActionName
        self.registrationValue = registrationValue
        self.ssoIdentifier = ssoIdentifier
    }

    /// The info of one MFA context, over the user's registration value and SSO identifier.
    public init(context mfaContext: MFAContext, registrationValue: String? = nil, ssoIdentifier: String? = nil) {
        self.init(context: mfaContext.kind, registrationValue: registrationValue, ssoIdentifier: ssoIdentifier)
        switch mfaContext {
        case .transaction(let items): transactionIDs = items.map(\.id)
        case .eventDrivenValidation(let actionID, let actionName, _):
            auditActionID = actionID
            auditActionName = actionName
        case .logon, .extensionPrompt: break
        }
    }
}
