import Foundation
import StepupCore
import StepupStore

/// A new set of recovery codes: shown once, never again (only digests are kept).
public struct RecoveryCodeSet: Sendable, Equatable {
    public let codes: [String]
    public let createdAt: Date
}

/// How many recovery codes the customer has left.
public struct RecoveryCodeStatus: Sendable, Equatable {
    public let left: Int
    public let createdAt: Date?
}

extension Platform {
    public func recoveryCodeStatus(session: Session) async throws -> RecoveryCodeStatus {
        guard session.stage == .authenticated else { throw StepupError(.notAuthenticated) }
        let summary = try await store.read { try await $0.recoveryCodeSummary(userID: session.userID) }
        return RecoveryCodeStatus(left: summary.left, createdAt: summary.createdAt)
    }

    /// Makes ten new recovery codes, once this session confirmed it; the old set, used or not, stops working in
    /// the same transaction.
    public func newRecoveryCodes(session: Session) async throws -> RecoveryCodeSet {
        guard session.stage == .authenticated else { throw StepupError(.notAuthenticated) }
        let now = clock.now
        let set: RecoveryCodeSet = try await commit { tx in
            let properties = try await tx.systemProperties()
            let level = try await Self.addLevel(userID: session.userID, in: tx)
            if let refusal = try await Self.requireConfirmed(
                .newRecoveryCodes, level: level, session: session, properties: properties, now: now, in: tx)
            {
                return .failure(refusal)
            }
            let codes = (0..<RecoveryCodes.count).map { _ in RecoveryCodes.make() }
            let records = codes.enumerated().map { index, code in
                let id = SortableID.make(at: now) + String(format: "%02d", index)
                return RecoveryCodeRecord(
                    id: id, userID: session.userID, digest: SecretHash.digest(RecoveryCodes.normalise(code), salt: id),
                    createdAt: now)
            }
            try await tx.replaceRecoveryCodes(userID: session.userID, with: records)
            try await tx.append(
                AuditEvent(
                    at: now, action: "security.recovery.generated", outcome: .success, userID: session.userID,
                    sessionID: session.id, details: ["count": String(records.count)]))
            return .success(RecoveryCodeSet(codes: codes, createdAt: now))
        }
        await notify(SecurityNotice(userID: session.userID, headline: "New recovery codes were made for your online banking"))
        return set
    }

    /// Whether this session signed in with a recovery code: the security centre then asks for a new factor.
    public func signedInWithRecoveryCode(session: Session) async throws -> Bool {
        try await store.read { try await $0.loggedOn(sessionID: session.id, with: .recoveryCode) }
    }
}
