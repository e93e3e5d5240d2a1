import Foundation
import StepupCore
import StepupStore

/// Which of the customer's factors can still complete a challenge, so a removal never leaves them without a way
/// to sign in or to confirm a payment.
///
/// A factor counts where the bank lets it be used: a verified target only in the contexts its kind is allowed in
/// (the `LogonTacAllow…`/`EdvTacAllow…` flags), an authenticator app only when the platform has keys to open it,
/// a passkey only when this bank has passkeys. Recovery codes never count: they are single use and, by default,
/// for logon only. A removal is refused when it would take the last such factor of logon or of the other
/// contexts away; a customer who already has none for one of them is not stopped from tidying up the others.
enum FactorInventory {
    enum Removal {
        case passkey(String)
        case authenticator(String)
        case target(String)
    }

    /// `last_factor` when removing `removal` would leave no factor for logon or for the other contexts.
    static func refuseRemoval(
        _ removal: Removal, userID: String, passkeysOffered: Bool, keys: KeySet?, properties: SystemProperties,
        in tx: StoreTransaction
    ) async throws -> StepupError? {
        // The user's factors are locked first: two removals in parallel cannot each leave the other's factor as the
        // last one and together remove both.
        try await tx.lockSubject(scope: "factors.user", subject: userID)
        let passkeys = passkeysOffered ? try await tx.passkeys(userID: userID).map(\.id) : []
        let tokens = keys == nil ? [] : try await tx.accessTokens(userID: userID).map(\.id)
        let targets = try await tx.targets(userID: userID)
        for context in [MFAContext.logon, .eventDrivenValidation(auditActionID: "", auditActionName: "", detailsHash: "")] {
            let usable = targets.filter { properties.allows($0.kind, in: context) }.map(\.id)
            let before = passkeys.count + tokens.count + usable.count
            var after = before
            switch removal {
            case .passkey(let id): if passkeys.contains(id) { after -= 1 }
            case .authenticator(let id): if tokens.contains(id) { after -= 1 }
            case .target(let id): if usable.contains(id) { after -= 1 }
            }
            if before > 0 && after == 0 {
                return StepupError(
                    .lastFactor,
                    message: context == .logon
                        ? "This is your last way to verify when you sign in, so it cannot be removed. Add another one first."
                        : "This is your last way to confirm payments and changes, so it cannot be removed. Add another one first.")
            }
        }
        return nil
    }
}
