/// The banking data the platform serves to extensions through the user API and the back-office API.

/// A user's profile as extensions see it.
public struct UserProfile: Sendable, Codable, Equatable {
    public let userID: String
    public let username: String
    public let displayName: String

    public init(userID: String, username: String, displayName: String) {
        self.userID = userID
        self.username = username
        self.displayName = displayName
    }
}

/// One of a user's accounts; balances in minor units.
public struct Account: Sendable, Codable, Equatable, Identifiable {
    public let id: String
    public let userID: String
    public let name: String
    public let number: String
    public let balanceMinor: Int64
    public let currency: String

    public init(id: String, userID: String, name: String, number: String, balanceMinor: Int64, currency: String) {
        self.id = id
        self.userID = userID
        self.name = name
        self.number = number
        self.balanceMinor = balanceMinor
        self.currency = currency
    }
}

/// A transfer an extension asks the platform to make. It is made only if a consumed MFA completion of the same
/// session authorised exactly this transaction id, amount, currency and payee (dynamic linking).
public struct TransferRequest: Sendable, Codable, Equatable {
    public let transactionID: String
    public let fromAccountID: String
    public let amountMinor: Int64
    public let currency: String
    public let payee: String
    public let memo: String?

    public init(
        transactionID: String, fromAccountID: String, amountMinor: Int64, currency: String, payee: String,
        memo: String? = nil
    ) {
        self.transactionID = transactionID
        self.fromAccountID = fromAccountID
        self.amountMinor = amountMinor
        self.currency = currency
        self.payee = payee
        self.memo = memo
    }

    /// The transaction line MFA must have authorised for this transfer.
    public var item: TransactionItem {
        TransactionItem(id: transactionID, amountMinor: amountMinor, currency: currency, payee: payee)
    }
}

/// What a made transfer returns.
public struct TransferReceipt: Sendable, Codable, Equatable {
    public let transferID: String
    public let transactionID: String
    public let balanceMinor: Int64

    public init(transferID: String, transactionID: String, balanceMinor: Int64) {
        self.transferID = transferID
        self.transactionID = transactionID
        self.balanceMinor = balanceMinor
    }
}
