import Crypto
import Foundation

/// One line of a transaction the user is asked to authorise; amounts in minor units so no rounding can creep in.
public struct TransactionItem: Sendable, Codable, Hashable {
    public let id: String
    public let amountMinor: Int64
    public let currency: String
    public let payee: String

    public init(id: String, amountMinor: Int64, currency: String, payee: String) {
        self.id = id
        self.amountMinor = amountMinor
        self.currency = currency
        self.payee = payee
    }
}

/// The workflow in which MFA is asked for; a completion satisfies only the context it was completed for.
public enum MFAContext: Sendable, Codable, Hashable {
    /// Signing in.
    case logon
    /// Authorising exactly these transactions (dynamic linking: amounts and payees are part of the context).
    case transaction([TransactionItem])
    /// Event-driven validation of one audit event; `detailsHash` binds the completion to the event's details.
    case eventDrivenValidation(auditActionID: String, auditActionName: String, detailsHash: String)
    /// An extension's own prompt (the bridge's `promptForMFA`), or its plain guarded route.
    case extensionPrompt(extension: String, route: String?)

    /// The stable name of the context's kind, as APIs and `mfaInfo` report it.
    public var kind: String {
        switch self {
        case .logon: "logon"
        case .transaction: "transaction"
        case .eventDrivenValidation: "event_driven_validation"
        case .extensionPrompt: "extension_prompt"
        }
    }

    /// The transactions a payment's MFA authorises; nil for any other context.
    public var transactions: [TransactionItem]? {
        if case .transaction(let items) = self { return items }
        return nil
    }

    /// Logon is the one context governed by the `LogonTacAllow…` properties.
    public var usesLogonTargetPolicy: Bool { self == .logon }

    /// A digest that identifies the context exactly, so a completion can be matched without decoding it.
    public var binding: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = (try? encoder.encode(self)) ?? Data()
        return SecretHash.hex(Array(SHA256.hash(data: data)))
    }
}
