import Foundation
import StepupCore
import StepupStore

/// The banking data extensions read and change through the user API and the back-office API.
extension Platform {
    public func profile(userID: String) async throws -> UserProfile {
        guard let user = try await store.read({ try await $0.user(id: userID) }) else { throw StepupError(.notFound) }
        return UserProfile(user)
    }

    public func accounts(userID: String) async throws -> [Account] {
        try await store.read { try await $0.accounts(userID: userID) }
    }

    @discardableResult
    public func addAccount(userID: String, name: String, number: String, balanceMinor: Int64, currency: String)
        async throws -> Account
    {
        let now = clock.now
        // Sortable ids keep accounts made in one millisecond in the order they were opened.
        let account = Account(
            id: SortableID.make(at: now), userID: userID, name: name, number: number, balanceMinor: balanceMinor,
            currency: currency)
        try await store.write { tx in try await tx.insert(account, at: now) }
        return account
    }

    public func acceptDisclaimer(userID: String, disclaimerID: String) async throws {
        let now = clock.now
        guard !disclaimerID.isEmpty, disclaimerID.count <= 64 else { throw StepupError(.badRequest) }
        try await store.write { tx in
            try await tx.acceptDisclaimer(userID: userID, disclaimerID: disclaimerID, at: now)
            try await tx.append(
                AuditEvent(
                    at: now, action: "disclaimer.accepted", outcome: .success, userID: userID,
                    details: ["disclaimer": disclaimerID]))
        }
    }

    /// Makes a transfer for an authenticated session, only if a completion this session consumed within the
    /// freshness window authorised exactly this transaction id, amount, currency and payee, and no transfer was made
    /// on that authorisation before. This holds whatever the calling extension's guard did or forgot.
    ///
    /// Idempotent per user and transaction id: a repeat (a double click, a retry after a timeout, another node)
    /// answers the first receipt and moves nothing; the same id with other details is `transaction_id_reused`. The
    /// same amount to the same payee within `DuplicateTransferWindowSeconds` needs the customer's confirmation
    /// (`transfer_duplicate_suspected`). A user's transfers are serialised by a row lock, so these checks hold
    /// under parallel requests on any number of nodes.
    public func transfer(_ request: TransferRequest, session: Session) async throws -> TransferReceipt {
        let now = clock.now
        guard session.stage == .authenticated else { throw StepupError(.notAuthenticated) }
        guard request.isWellFormed else { throw StepupError(.badRequest, message: "The transfer's fields are not valid.") }
        return try await commit { tx in
            try await tx.lockSubject(scope: "transfer.user", subject: session.userID)
            if let earlier = try await tx.transfer(userID: session.userID, transactionID: request.transactionID) {
                return try await Self.repeatAnswer(earlier, of: request, session: session, now: now, in: tx)
            }
            let properties = try await tx.systemProperties()
            let since = now.addingTimeInterval(-Double(properties.mfaFreshness))
            var authorizing: MFACompletion?
            var belowLevel = false
            for completion in try await tx.consumedCompletions(sessionID: session.id, since: since) {
                guard completion.authorizes(request) else { continue }
                // The bank's floor (a passkey above an amount) holds whatever the calling extension's guard asked.
                guard completion.level >= properties.requiredLevel(for: completion.context) else {
                    belowLevel = true
                    continue
                }
                if try await tx.transferExists(completionID: completion.id, transactionID: request.transactionID) {
                    continue
                }
                authorizing = completion
                break
            }
            guard let authorizing else {
                try await tx.append(
                    AuditEvent(
                        at: now, action: "transfer.refused", outcome: .failure, userID: session.userID,
                        sessionID: session.id,
                        details: [
                            "transaction": request.transactionID,
                            "reason": belowLevel ? "completion below the required level" : "no matching completion",
                        ]))
                if belowLevel {
                    return .failure(StepupError(.levelInsufficient, message: AssuranceLevel.phishingResistant.unreachableAdvice))
                }
                return .failure(StepupError(.transferNotAuthorized))
            }
            if request.confirmedNotDuplicate != true, properties.duplicateTransferWindow > 0,
                try await tx.similarTransferExists(
                    userID: session.userID, payee: request.payee, amountMinor: request.amountMinor,
                    currency: request.currency, since: now.addingTimeInterval(-Double(properties.duplicateTransferWindow)))
            {
                // Nothing was paid on the authorisation: the customer's confirmed call of this exact transaction
                // finds it again here (consumed, unused, within the freshness window) without another MFA.
                try await tx.append(
                    AuditEvent(
                        at: now, action: "transfer.duplicate_suspected", outcome: .info, userID: session.userID,
                        sessionID: session.id, challengeID: authorizing.challengeID,
                        details: ["transaction": request.transactionID, "payee": request.payee]))
                return .failure(StepupError(.transferDuplicateSuspected))
            }
            guard let account = try await tx.account(id: request.fromAccountID), account.userID == session.userID,
                account.currency == request.currency
            else { return .failure(StepupError(.notFound, message: "No such account.")) }
            let record = TransferRecord(
                id: SecureRandom.identifier(), userID: session.userID, sessionID: session.id,
                completionID: authorizing.id, request: request, createdAt: now)
            guard try await tx.claim(record) else {
                // Another transaction made it between our look-up and the claim (only possible without the lock).
                guard let earlier = try await tx.transfer(userID: session.userID, transactionID: request.transactionID)
                else { return .failure(StepupError(.storeUnavailable)) }
                return try await Self.repeatAnswer(earlier, of: request, session: session, now: now, in: tx)
            }
            guard let balance = try await tx.debit(accountID: account.id, amountMinor: request.amountMinor) else {
                try await tx.unclaim(transferID: record.id)
                return .failure(StepupError(.insufficientFunds))
            }
            try await tx.settle(transferID: record.id, balanceAfterMinor: balance)
            try await tx.append(
                AuditEvent(
                    at: now, action: "transfer.made", outcome: .success, userID: session.userID, sessionID: session.id,
                    challengeID: authorizing.challengeID,
                    details: [
                        "transfer": record.id, "transaction": request.transactionID,
                        "amountMinor": String(request.amountMinor), "currency": request.currency,
                        "payee": request.payee, "completion": authorizing.id, "method": authorizing.method.rawValue,
                    ]))
            return .success(TransferReceipt(transferID: record.id, transactionID: request.transactionID, balanceMinor: balance))
        }
    }

    /// The answer to a transaction id already paid: its first receipt if the details are the same, else a refusal.
    private static func repeatAnswer(
        _ earlier: TransferRecord, of request: TransferRequest, session: Session, now: Date, in tx: StoreTransaction
    ) async throws -> Result<TransferReceipt, StepupError> {
        guard earlier.request.samePayment(as: request) else {
            try await tx.append(
                AuditEvent(
                    at: now, action: "transfer.refused", outcome: .failure, userID: session.userID, sessionID: session.id,
                    details: ["transaction": request.transactionID, "reason": "transaction id reused with other details"]))
            return .failure(StepupError(.transactionIDReused))
        }
        try await tx.append(
            AuditEvent(
                at: now, action: "transfer.repeated", outcome: .info, userID: session.userID, sessionID: session.id,
                details: ["transfer": earlier.id, "transaction": request.transactionID]))
        // A transfer made before balances were recorded answers the account's balance now.
        var balance = earlier.balanceAfterMinor
        if balance == nil { balance = try await tx.account(id: earlier.request.fromAccountID)?.balanceMinor }
        return .success(
            TransferReceipt(
                transferID: earlier.id, transactionID: earlier.request.transactionID, balanceMinor: balance ?? 0,
                repeated: true))
    }
}
