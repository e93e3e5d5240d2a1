/// The banking data the platform serves to extensions through the user API and the back-office API.

/// Bounds on amounts that come from outside, so no sum or product of a few of them can overflow `Int64`.
public enum MoneyLimits {
    /// 999,999,999,999.99 in minor units: larger than any transfer, and a million of them still fit in `Int64`.
    public static let maximumMinorUnits: Int64 = 99_999_999_999_999

    /// The sum of `amounts`, or nil if any is out of bounds or the sum overflows.
    public static func total(_ amounts: some Sequence<Int64>) -> Int64? {
        var sum: Int64 = 0
        for amount in amounts {
            guard (0...maximumMinorUnits).contains(amount) else { return nil }
            let (next, overflow) = sum.addingReportingOverflow(amount)
            if overflow { return nil }
            sum = next
        }
        return sum
    }
}

/// A user's profile as extensions see it.
public struct UserProfile: Sendable, Codable, Equatable {
    public let userID: String
    public let username: String
    public let displayName: String
    public let firstName: String?
    public let lastName: String?
    public let email: String?
    /// The customer's number in the bank's core system.
    public let customerNumber: String?

    public init(
        userID: String, username: String, displayName: String, firstName: String? = nil, lastName: String? = nil,
        email: String? = nil, customerNumber: String? = nil
    ) {
        self.userID = userID
        self.username = username
        self.displayName = displayName
        self.firstName = firstName
        self.lastName = lastName
        self.email = email
        self.customerNumber = customerNumber
    }

    /// The profile of a user record.
    public init(_ user: User) {
        self.init(
            userID: user.id, username: user.username, displayName: user.displayName, firstName: user.details.firstName,
            lastName: user.details.lastName, email: user.details.email, customerNumber: user.details.customerNumber)
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
    /// The customer confirmed this is not a duplicate of a transfer of the same amount to the same payee moments
    /// ago (``StepupError/Code/transferDuplicateSuspected``).
    public let confirmedNotDuplicate: Bool?

    public init(
        transactionID: String, fromAccountID: String, amountMinor: Int64, currency: String, payee: String,
        memo: String? = nil, confirmedNotDuplicate: Bool? = nil
    ) {
        self.transactionID = transactionID
        self.fromAccountID = fromAccountID
        self.amountMinor = amountMinor
        self.currency = currency
        self.payee = payee
        self.memo = memo
        self.confirmedNotDuplicate = confirmedNotDuplicate
    }

    /// Whether `other` asks for the same payment (what a repeat of one transaction id must match).
    public func samePayment(as other: TransferRequest) -> Bool {
        transactionID == other.transactionID && fromAccountID == other.fromAccountID
            && amountMinor == other.amountMinor && currency == other.currency && payee == other.payee
    }

    /// The transaction line MFA must have authorised for this transfer.
    /// Whether the fields are within what the transfer API accepts (checked before anything is read or written).
    public var isWellFormed: Bool {
        !transactionID.isEmpty && transactionID.count <= 64 && amountMinor > 0
            && amountMinor <= MoneyLimits.maximumMinorUnits && currency.count == 3 && !payee.isEmpty
            && payee.count <= 100 && (memo?.count ?? 0) <= 140
    }

    public var item: TransactionItem {
        TransactionItem(id: transactionID, amountMinor: amountMinor, currency: currency, payee: payee)
    }
}

/// What a made transfer returns. A repeat of the same transaction id answers the first receipt again, with
/// `repeated` set, and moves nothing.
public struct TransferReceipt: Sendable, Codable, Equatable {
    public let transferID: String
    public let transactionID: String
    /// The source account's balance just after this transfer.
    public let balanceMinor: Int64
    /// True when this answers a repeat of a transfer already made.
    public var repeated: Bool?

    public init(transferID: String, transactionID: String, balanceMinor: Int64, repeated: Bool? = nil) {
        self.transferID = transferID
        self.transactionID = transactionID
        self.balanceMinor = balanceMinor
        self.repeated = repeated
    }
}
