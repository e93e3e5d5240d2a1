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
            // The customer's "yes, send it again" after `transfer_duplicate_suspected`. Not guarded, and it need not
            // be: the platform pays only on the authorisation `submit`'s guard consumed for exactly this transaction
            // (and left unused), within the freshness window; anything else is `transfer_not_authorized`.
            ExtensionRoute("confirm", methods: [.post], handler: Self.confirm),
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

    @Sendable static func confirm(_ request: ExtensionRequest) async throws -> ExtensionResponse {
        let asked = try transferRequest(request)
        let confirmed = TransferRequest(
            transactionID: asked.transactionID, fromAccountID: asked.fromAccountID, amountMinor: asked.amountMinor,
            currency: asked.currency, payee: asked.payee, memo: asked.memo, confirmedNotDuplicate: true)
        return try .json(try await request.platform.user.transfer(confirmed))
    }

    /// Registers a payee; the demo EDV rules ask for MFA, then not again for ten minutes in the session.
    @Sendable static func addPayee(_ request: ExtensionRequest) async throws -> ExtensionResponse {
        guard let payee = request.formFields["payee"]?.trimmingCharacters(in: .whitespaces), !payee.isEmpty,
            payee.count <= 100
        else { throw StepupError(.badRequest, message: "Name the payee.") }
        return try .json(["payee": payee, "status": "added"])
    }

    /// What the customer reads when the guard stopped a transfer: what happened, that no money moved, and what to
    /// do. The banking app shows this text in its dialog (the page passes it to `showModal`).
    @Sendable static func handleMFAError(_ request: ExtensionRequest, _ failure: MFAFailure) async throws
        -> ExtensionResponse
    {
        let text: String
        let status: Int
        switch failure {
        case .abandoned(.cancelled):
            (text, status) = ("You cancelled the verification, so the transfer was not sent. No money was moved.", 403)
        case .abandoned(.locked):
            (text, status) = ("Too many wrong codes: verification is locked for now, so the transfer was not sent. No money was moved.", 423)
        case .abandoned(.expired):
            (text, status) = ("The verification timed out, so the transfer was not sent. No money was moved. Send it again when you are ready.", 403)
        case .abandoned:
            (text, status) = ("The verification did not succeed, so the transfer was not sent. No money was moved.", 403)
        case .blocked:
            (text, status) = ("The bank blocked this transfer. No money was moved. Call us if you need to send this amount.", 403)
        case .workflow(let error) where error.code == .badRequest:
            (text, status) = ("\(error.message) Nothing was sent.", 400)
        case .workflow(let error):
            (text, status) = ("The transfer was not sent: \(error.message)", error.httpStatus)
        case .required:
            (text, status) = ("This transfer needs you to verify it is you.", 401)
        }
        return .html("<p>\(HTML.escape(text))</p>", status: status)
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
