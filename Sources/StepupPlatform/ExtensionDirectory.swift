import Foundation
import StepupCore
import StepupStore

/// Who is a user's external MFA for a context: an in-process extension or a registered service that serves the
/// context's kind as external MFA and for which the user has a registration (`mfa_registration`).
///
/// Its own service so the external-token method depends on this and nothing else of the platform.
public struct ExtensionDirectory: Sendable {
    /// In-process extensions that serve MFA contexts as external MFA: name → context kinds.
    public let inProcess: [String: [String]]

    public init(inProcess: [String: [String]]) { self.inProcess = inProcess }

    /// The extension that is `userID`'s external MFA for `context`, read in `tx`; the first by name when several
    /// could be.
    public func provider(userID: String, context: MFAContext, in tx: StoreTransaction) async throws -> String? {
        var providers = inProcess
        for record in try await tx.registeredExtensions() where !record.externalMFAContexts.isEmpty {
            providers[record.name] = record.externalMFAContexts
        }
        for name in providers.keys.sorted() where providers[name]?.contains(context.kind) == true {
            if try await tx.registration(userID: userID, provider: name) != nil { return name }
        }
        return nil
    }
}
