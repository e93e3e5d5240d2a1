import Foundation
import StepupCore
import StepupStore

/// The banking data extensions read and change through the user API and the back-office API.
extension Platform {
    public func profile(userID: String) async throws -> UserProfile {
        guard let user = try await store.read({ try await $0.user(id: userID) }) else { throw StepupError(.notFound) }
        return UserProfile(userID: user.id, username: user.username, displayName: user.displayName)
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
    public func transfer(_ request: TransferRequest, session: Session) async throws -> TransferReceipt {
        let now = clock.now
        guard session.stage == .authenticated else { throw StepupError(.notAuthenticated) }
        return try await commit { tx in
            let properties = try await tx.systemProperties()
            let since = now.addingTimeInterval(-Double(properties.mfaFreshness))
            var authorizing: MFACompletion?
            for completion in try await tx.consumedCompletions(sessionID: session.id, since: since) {
                guard case .transaction(let items) = completion.context, items.contains(request.item) else { continue }
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
                        details: ["transaction": request.transactionID, "reason": "no matching completion"]))
                return .failure(StepupError(.transferNotAuthorized))
            }
            guard let account = try await tx.account(id: request.fromAccountID), account.userID == session.userID,
                account.currency == request.currency
            else { return .failure(StepupError(.notFound, message: "No such account.")) }
            guard let balance = try await tx.debit(accountID: account.id, amountMinor: request.amountMinor) else {
                return .failure(StepupError(.insufficientFunds))
            }
            let record = TransferRecord(
                id: SecureRandom.identifier(), userID: session.userID, sessionID: session.id,
                completionID: authorizing.id, request: request, createdAt: now)
            try await tx.insert(record)
            try await tx.append(
                AuditEvent(
                    at: now, action: "transfer.made", outcome: .success, userID: session.userID, sessionID: session.id,
                    challengeID: authorizing.challengeID,
                    details: [
                        "transfer": record.id, "transaction": request.transactionID,
                        "amountMinor": String(request.amountMinor), "currency": request.currency,
                        "payee": request.payee, "completion": authorizing.id,
                    ]))
            return .success(TransferReceipt(transferID: record.id, transactionID: request.transactionID, balanceMinor: balance))
        }
    }
}
