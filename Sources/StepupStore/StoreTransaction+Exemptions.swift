import Foundation
import SQLKit
import StepupCore

extension StoreTransaction {
    /// Reserves `amountMinor` and `transactions` against the user's art. 16 counters, or nothing: one conditional
    /// update, so parallel requests on any number of nodes cannot exempt more than the limits allow. Returns nil
    /// when reserved, else why not.
    public func reserveExemption(
        userID: String, amountMinor: Int64, transactions: Int, amountLimit: Int64, transactionLimit: Int
    ) async throws -> ExemptionRefusal? {
        try await run(
            """
            INSERT INTO exemption_counters (user_id, amount_minor, transactions) VALUES (\(bind: userID), 0, 0)
            ON CONFLICT (user_id) DO NOTHING
            """)
        let reserved = try await first(
            """
            UPDATE exemption_counters
            SET amount_minor = amount_minor + \(bind: amountMinor), transactions = transactions + \(bind: transactions)
            WHERE user_id = \(bind: userID) AND amount_minor + \(bind: amountMinor) <= \(bind: amountLimit)
              AND transactions + \(bind: transactions) <= \(bind: transactionLimit)
            RETURNING transactions
            """)
        if reserved != nil { return nil }
        let row = try await first("SELECT transactions FROM exemption_counters WHERE user_id = \(bind: userID)")
        let count = try row?.int("transactions") ?? 0
        return count + transactions > transactionLimit ? .consecutiveTransactions : .cumulativeAmount
    }

    /// What the user's exemptions add up to since their last SCA.
    public func exemptionCounters(userID: String) async throws -> (amountMinor: Int64, transactions: Int) {
        guard let row = try await first(
            "SELECT amount_minor, transactions FROM exemption_counters WHERE user_id = \(bind: userID)")
        else { return (0, 0) }
        return (try row.int64("amount_minor"), try row.int("transactions"))
    }

    /// A completed strong authentication starts both counters again.
    public func resetExemptions(userID: String) async throws {
        try await run(
            """
            UPDATE exemption_counters SET amount_minor = 0, transactions = 0
            WHERE user_id = \(bind: userID) AND (amount_minor <> 0 OR transactions <> 0)
            """)
    }
}

extension StoreTransaction {
    /// Whether the user already has an exemption for exactly this context (the same transactions, amounts, payees).
    public func hasExemption(userID: String, context: MFAContext) async throws -> Bool {
        try await first(
            """
            SELECT id FROM completions WHERE user_id = \(bind: userID) AND context_binding = \(bind: context.binding)
              AND method = \(bind: MFAMethodID.exemption.rawValue)
            LIMIT 1
            """) != nil
    }
}
