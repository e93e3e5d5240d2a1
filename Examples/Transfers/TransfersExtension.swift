import Foundation
import StepupCore
import StepupSDK

/// The example funds-transfer extension: a form, the user's accounts, and a `submit` route guarded with
/// `transactions:`, so the MFA the user completes names this amount and payee, and only this transfer runs on it.
public struct TransfersExtension: Extension {
    public let name = "transfers"
    public let title = "Transfer funds"
    public let entryRoute = "form"

    public init() {}

    public var assets: [ExtensionAsset] {
        [ExtensionAsset(path: "transfers.js", contentType: "text/javascript; charset=utf-8", text: TransfersPage.script)]
    }

    public var routes: [ExtensionRoute] {
        [
            ExtensionRoute("form", methods: [.get]) { request in .html(TransfersPage.html(baseAssetsURL: request.baseAssetsURL)) },
            ExtensionRoute("accounts") { request in try .json(try await Accounts.list(for: request)) },
            // Balances need a verified user too, but no particular transaction: a plain guard, which the bridge's
            // promptForMFA up front also satisfies.
            ExtensionRoute("statement", methods: [.post]) { request in try .json(try await Accounts.list(for: request)) }
                .mfaValidationRequired(),
            ExtensionRoute("submit", methods: [.post], handler: Self.submit)
                .mfaValidationRequired(
                    auditAction: "TransferFunds",
                    details: .dynamic { request in
                        ["fromAccount": request.formFields["fromAccount"] ?? "", "memo": request.formFields["memo"] ?? ""]
                    },
                    transactions: Self.transactions, errorHandler: Self.handleMFAError),
            ExtensionRoute("add-payee", methods: [.post], handler: Self.addPayee)
                .mfaValidationRequired(
                    auditAction: "AddPayee",
                    details: .dynamic { request in ["payee": request.formFields["payee"] ?? ""] },
                    errorHandler: Self.handleMFAError),
        ]
    }

    /// The one transaction a `submit` call performs, read from its fields: `transactionId`, `fromAccount`,
    /// `toPayee`, `amount`, `currency` (default USD).
    @Sendable static func transactions(_ request: ExtensionRequest) throws -> [TransactionItem] {
        [try transferRequest(request).item]
    }

    static func transferRequest(_ request: ExtensionRequest) throws -> TransferRequest {
        let fields = request.formFields
        guard let id = fields["transactionId"], !id.isEmpty, id.count <= 64,
            let from = fields["fromAccount"], !from.isEmpty,
            let payee = fields["toPayee"]?.trimmingCharacters(in: .whitespaces), !payee.isEmpty, payee.count <= 100,
            let amount = fields["amount"]
        else {
            throw StepupError(.badRequest, message: "A transfer needs transactionId, fromAccount, toPayee and amount.")
        }
        return TransferRequest(
            transactionID: id, fromAccountID: from, amountMinor: try MoneyAmount.minorUnits(amount),
            currency: fields["currency"] ?? "USD", payee: payee, memo: fields["memo"].map { String($0.prefix(140)) })
    }

    @Sendable static func submit(_ request: ExtensionRequest) async throws -> ExtensionResponse {
        let receipt = try await request.platform.user.transfer(try transferRequest(request))
        return try .json(receipt)
    }

    /// Registers a payee; the demo EDV rules ask for MFA, then not again for ten minutes in the session.
    @Sendable static func addPayee(_ request: ExtensionRequest) async throws -> ExtensionResponse {
        guard let payee = request.formFields["payee"]?.trimmingCharacters(in: .whitespaces), !payee.isEmpty,
            payee.count <= 100
        else { throw StepupError(.badRequest, message: "Name the payee.") }
        return try .json(["payee": payee, "status": "added"])
    }

    @Sendable static func handleMFAError(_ request: ExtensionRequest, _ failure: MFAFailure) async throws
        -> ExtensionResponse
    {
        let reason: String =
            switch failure {
            case .abandoned(let state): "the verification was \(state.rawValue)"
            case .blocked: "the bank blocked this transfer"
            case .workflow(let error): error.message
            case .required: "verification is required"
            }
        return .html(
            "<h1>Transfers: not sent</h1><p>MFA failure: \(HTML.escape(reason)). No money was moved.</p>", status: 403)
    }
}

/// Escapes text for HTML element content and attribute values.
enum HTML {
    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
            .replacingOccurrences(of: "'", with: "&#39;")
    }
}
