import Foundation
import StepupCore
import StepupStore

/// A change to the customer's own factors: each is a step-up of its own, satisfied by an MFA this session
/// completed for exactly that change within `SecurityChangeFreshnessSeconds`, and consumed by it.
public enum FactorChange: String, Sendable, CaseIterable {
    case addPasskey = "security.passkey.add"
    case removePasskey = "security.passkey.remove"
    case addAuthenticator = "security.authenticator.add"
    case removeAuthenticator = "security.authenticator.remove"
    case addTarget = "security.target.add"
    case removeTarget = "security.target.remove"
    case newRecoveryCodes = "security.recovery.generate"

    /// The dialog's words for it ("Confirm this action: Add a passkey.").
    public var title: String {
        switch self {
        case .addPasskey: "Add a passkey"
        case .removePasskey: "Remove a passkey"
        case .addAuthenticator: "Add an authenticator app"
        case .removeAuthenticator: "Remove an authenticator app"
        case .addTarget: "Add an email address or phone number"
        case .removeTarget: "Remove an email address or phone number"
        case .newRecoveryCodes: "Make new recovery codes"
        }
    }

    /// The MFA context the change is confirmed in; its own, so a completion for a payment never adds a passkey.
    public var context: MFAContext {
        .eventDrivenValidation(auditActionID: rawValue, auditActionName: title, detailsHash: "factor-change")
    }
}

extension Platform {
    /// Nil when this session completed MFA of at least `level` for `change` within the freshness window, and that
    /// completion is now consumed (one confirmation, one change; audited); otherwise the session's open challenge
    /// for it (opened now if needed, so its creation commits with the refusal) as `mfa_required`.
    static func requireConfirmed(
        _ change: FactorChange, level: AssuranceLevel, session: Session, properties: SystemProperties, now: Date,
        in tx: StoreTransaction
    ) async throws -> StepupError? {
        let freshness = min(properties.securityChangeFreshness, properties.mfaFreshness)
        let notBefore = now.addingTimeInterval(-Double(freshness))
        let ledger = StoreCompletionLedger(tx: tx, session: session)
        if try await ledger.consume(change.context, level: level, notBefore: notBefore, at: now) != nil {
            return nil
        }
        let challenge = try await openChallenge(
            for: change.context, level: level, session: session, now: now, properties: properties, in: tx)
        var error = StepupError(.mfaRequired, message: "Confirm it is you to \(change.title.lowercased()).", challengeID: challenge.id)
        error.context = change.context.kind
        error.maxAge = freshness
        if challenge.requiredLevel > .aal1 { error.acrValues = challenge.requiredLevel.acr }
        return error
    }

    /// The level a change of the customer's factors is confirmed at: a customer who has a passkey confirms a new
    /// factor with one, so a relayed code cannot buy a look-alike site a factor of its own.
    static func addLevel(userID: String, in tx: StoreTransaction) async throws -> AssuranceLevel {
        try await tx.passkeys(userID: userID).isEmpty ? .aal2 : .phishingResistant
    }
}
