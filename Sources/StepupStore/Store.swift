import Logging
import SQLKit
import StepupCore

/// Where the platform keeps its state.
///
/// Every change goes through ``write(_:)``: one transaction, committed whole or not at all. Rows are reached through
/// the ``StoreTransaction`` the body receives, whose methods speak in domain types.
///
/// ```swift
/// let user = try await store.write { tx in
///     try await tx.insert(user)
///     try await tx.append(AuditEvent(at: now, action: "user.created", outcome: .success, userID: user.id))
///     return user
/// }
/// ```
public protocol Store: Sendable {
    /// Runs `body` in one write transaction (on SQLite `BEGIN IMMEDIATE`); rolls back if it throws. Answers after the
    /// commit. On SQLite, bodies waiting together share one commit and may run in another caller's task, so a body
    /// only reads and writes rows: no task-local values, no waiting on anything but the transaction.
    func write<T: Sendable>(_ body: @escaping @Sendable (StoreTransaction) async throws -> T) async throws -> T
    /// Runs `body` to read. On SQLite the whole body reads one snapshot; on PostgreSQL (READ COMMITTED) each
    /// statement reads the latest committed state, as it would inside a transaction there.
    func read<T: Sendable>(_ body: @escaping @Sendable (StoreTransaction) async throws -> T) async throws -> T
    /// Whether the database answers a trivial query now.
    func isReachable() async -> Bool
    /// Closes connections; the store is unusable afterwards.
    func close() async
}
