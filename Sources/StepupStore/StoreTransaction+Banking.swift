import Foundation
import SQLKit
import StepupCore

/// A transfer as stored.
public struct TransferRecord: Sendable, Equatable {
    public let id: String
    public let userID: String
    public let sessionID: String
    public let completionID: String
    public let request: TransferRequest
    public let createdAt: Date
    /// The source account's balance after the debit; nil only while the transfer's transaction is still open.
    public var balanceAfterMinor: Int64?

    public init(
        id: String, userID: String, sessionID: String, completionID: String, request: TransferRequest, createdAt: Date,
        balanceAfterMinor: Int64? = nil
    ) {
        self.id = id
        self.userID = userID
        self.sessionID = sessionID
        self.completionID = completionID
        self.request = request
        self.createdAt = createdAt
        self.balanceAfterMinor = balanceAfterMinor
    }
}

extension StoreTransaction {
    public func insert(_ account: Account, at now: Date) async throws {
        try await run(
            """
            INSERT INTO accounts (id, user_id, name, number, balance_minor, currency, created_at)
            VALUES (\(bind: account.id), \(bind: account.userID), \(bind: account.name), \(bind: account.number),
              \(bind: account.balanceMinor), \(bind: account.currency), \(bind: Millis.from(now)))
            """)
    }

    public func accounts(userID: String) async throws -> [Account] {
        try await rows("SELECT * FROM accounts WHERE user_id = \(bind: userID) ORDER BY created_at, id").map(Self.account)
    }

    public func account(id: String) async throws -> Account? {
        try await first("SELECT * FROM accounts WHERE id = \(bind: id)\(forUpdate)").map(Self.account)
    }

    /// Debits an account only if it holds enough; false when it does not (checked and written in one statement).
    public func debit(accountID: String, amountMinor: Int64) async throws -> Int64? {
        try await first(
            """
            UPDATE accounts SET balance_minor = balance_minor - \(bind: amountMinor)
            WHERE id = \(bind: accountID) AND balance_minor >= \(bind: amountMinor)
            RETURNING balance_minor
            """
        ).map { try $0.int64("balance_minor") }
    }

    /// Claims a transaction id for a transfer: inserted only if the user has no transfer with that id. False when
    /// one exists; on PostgreSQL a concurrent claim of the same id waits for the first to commit or roll back, so
    /// exactly one transaction moves money for one transaction id, on every node.
    public func claim(_ transfer: TransferRecord) async throws -> Bool {
        try await first(
            """
            INSERT INTO transfers (id, user_id, session_id, completion_id, transaction_id, from_account, amount_minor,
              currency, payee, memo, created_at)
            VALUES (\(bind: transfer.id), \(bind: transfer.userID), \(bind: transfer.sessionID),
              \(bind: transfer.completionID), \(bind: transfer.request.transactionID),
              \(bind: transfer.request.fromAccountID), \(bind: transfer.request.amountMinor),
              \(bind: transfer.request.currency), \(bind: transfer.request.payee), \(bind: transfer.request.memo),
              \(bind: Millis.from(transfer.createdAt)))
            ON CONFLICT (user_id, transaction_id) DO NOTHING
            RETURNING id
            """) != nil
    }

    /// Stores the balance a claimed transfer left, which a repeat of it answers.
    public func settle(transferID: String, balanceAfterMinor: Int64) async throws {
        try await run("UPDATE transfers SET balance_after_minor = \(bind: balanceAfterMinor) WHERE id = \(bind: transferID)")
    }

    /// Gives a claimed transaction id back when its transfer could not be made (insufficient funds).
    public func unclaim(transferID: String) async throws {
        try await run("DELETE FROM transfers WHERE id = \(bind: transferID)")
    }

    /// The user's transfer with this transaction id, if any.
    public func transfer(userID: String, transactionID: String) async throws -> TransferRecord? {
        try await first(
            "SELECT * FROM transfers WHERE user_id = \(bind: userID) AND transaction_id = \(bind: transactionID)"
        ).map(Self.transferRecord)
    }

    /// Whether the user sent this amount in this currency to this payee at or after `since`.
    public func similarTransferExists(userID: String, payee: String, amountMinor: Int64, currency: String, since: Date)
        async throws -> Bool
    {
        try await first(
            """
            SELECT id FROM transfers WHERE user_id = \(bind: userID) AND payee = \(bind: payee)
              AND amount_minor = \(bind: amountMinor) AND currency = \(bind: currency)
              AND created_at >= \(bind: Millis.from(since))
            LIMIT 1
            """) != nil
    }

    public func transferExists(completionID: String, transactionID: String) async throws -> Bool {
        try await first(
            """
            SELECT id FROM transfers WHERE completion_id = \(bind: completionID) AND transaction_id = \(bind: transactionID)
            """) != nil
    }

    public func acceptDisclaimer(userID: String, disclaimerID: String, at now: Date) async throws {
        try await run(
            """
            INSERT INTO disclaimer_acceptances (user_id, disclaimer_id, accepted_at)
            VALUES (\(bind: userID), \(bind: disclaimerID), \(bind: Millis.from(now)))
            ON CONFLICT (user_id, disclaimer_id) DO NOTHING
            """)
    }

    public func acceptedDisclaimers(userID: String) async throws -> [String] {
        try await rows("SELECT disclaimer_id FROM disclaimer_acceptances WHERE user_id = \(bind: userID) ORDER BY disclaimer_id")
            .map { try $0.string("disclaimer_id") }
    }

    private static func transferRecord(_ row: any SQLRow) throws -> TransferRecord {
        TransferRecord(
            id: try row.string("id"), userID: try row.string("user_id"), sessionID: try row.string("session_id"),
            completionID: try row.string("completion_id"),
            request: TransferRequest(
                transactionID: try row.string("transaction_id"), fromAccountID: try row.string("from_account"),
                amountMinor: try row.int64("amount_minor"), currency: try row.string("currency"),
                payee: try row.string("payee"), memo: try row.optionalString("memo")),
            createdAt: try row.date("created_at"), balanceAfterMinor: try row.optionalInt64("balance_after_minor"))
    }

    private static func account(_ row: any SQLRow) throws -> Account {
        Account(
            id: try row.string("id"), userID: try row.string("user_id"), name: try row.string("name"),
            number: try row.string("number"), balanceMinor: try row.int64("balance_minor"),
            currency: try row.string("currency"))
    }
}
