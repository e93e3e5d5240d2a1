import StepupCore

/// The author's part of an audit event's details (the seeds' `audit_details`): a string, a dictionary, or a closure
/// over the request evaluated when the event is created.
///
/// ```swift
/// .mfaValidationRequired(auditAction: "CustomAuditAction", details: "Example details")
/// .mfaValidationRequired(auditAction: "CustomAuditAction", details: ["key": "value"])
/// .mfaValidationRequired(auditAction: "CustomAuditAction", details: .dynamic { request in
///     ["detailItem": request.formFields["detail_item"] ?? "", "firstName": request.onlineUser.displayName]
/// })
/// ```
public enum AuditDetails: Sendable, ExpressibleByStringLiteral, ExpressibleByDictionaryLiteral {
    case text(String)
    case dictionary([String: String])
    case dynamic(@Sendable (ExtensionRequest) throws -> [String: String])

    public init(stringLiteral value: String) { self = .text(value) }

    public init(dictionaryLiteral elements: (String, String)...) {
        self = .dictionary(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }

    /// The author's details for one request.
    func evaluate(for request: ExtensionRequest) throws -> [String: String] {
        switch self {
        case .text(let text): ["details": text]
        case .dictionary(let dictionary): dictionary
        case .dynamic(let closure): try closure(request)
        }
    }

    /// The full details of the event: the author's, then the defaults every event carries (extension name and
    /// routing key), then, for a route that names its transactions, the platform's own summary of them, which the
    /// author cannot override, so a rule on amounts sees the amounts the transfer will be held to.
    static func details(
        _ authored: AuditDetails?, request: ExtensionRequest, transactions: [TransactionItem]?
    ) throws -> [String: String] {
        var details = try authored?.evaluate(for: request) ?? [:]
        details["extension"] = request.extensionName
        details["routingKey"] = request.routingKey
        if let transactions {
            details["transaction.count"] = String(transactions.count)
            guard let total = MoneyLimits.total(transactions.map(\.amountMinor)) else {
                throw StepupError(.badRequest, message: "The transactions' amounts are out of range.")
            }
            details["transaction.amountMinor"] = String(total)
            details["transaction.currency"] = Set(transactions.map(\.currency)).sorted().joined(separator: ",")
            details["transaction.payees"] = transactions.map(\.payee).joined(separator: ",")
        }
        return details
    }
}
