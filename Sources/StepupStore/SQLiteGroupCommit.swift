import Logging
import SQLKit
import StepupCore
import Synchronization

/// The SQLite writer: write transactions that arrive together are committed together.
///
/// SQLite has one writer, so under load every write used to wait for the commit before it. Here the writes waiting
/// at any moment form a batch: one task (the leader) opens one transaction, runs each waiting body inside a
/// `SAVEPOINT` of its own, and commits once; then every waiter is answered. A body that throws rolls back to its
/// savepoint, so its writes vanish and the others' stay, exactly as if each had had its own transaction. Nobody is
/// answered before the commit that holds their writes has returned, so durability is what `PRAGMA synchronous`
/// says, not less. If the commit fails, every body of the batch fails with `store_unavailable` and nothing of it
/// survives.
///
/// Leadership passes on after each batch to the first waiter left, so no request stays leader for ever under load.
/// A body therefore runs in the leader's task, not its caller's: it must not read task-local values or react to
/// cancellation (none of the platform's bodies do; they only read and write rows).
final class SQLiteGroupCommit: Sendable {
    private let database: SQLiteHandleDatabase
    private let logger: Logger
    private let state = Mutex(State())
    /// Bounds the time one batch holds the write lock and the work one leader does for others.
    private let batchLimit = 64
    private let commits = Atomic<Int>(0)

    /// Batches committed so far: fewer than the writes when writes arrived together.
    var committedBatches: Int { commits.load(ordering: .relaxed) }

    /// Writes queued behind the batch that runs now.
    var waitingWrites: Int { state.withLock { $0.pending.count } }

    private struct State {
        var pending: [PendingWrite] = []
        var leading = false
    }

    init(database: SQLiteHandleDatabase, logger: Logger) {
        self.database = database
        self.logger = logger
    }

    func write<T: Sendable>(_ body: @escaping @Sendable (StoreTransaction) async throws -> T) async throws -> T {
        let result = ResultBox<T>()
        let job = PendingWrite { tx in result.value = try await body(tx) }
        let role = await withCheckedContinuation { (continuation: CheckedContinuation<PendingWrite.Wake, Never>) in
            job.wake = continuation
            let leads = state.withLock { state -> Bool in
                state.pending.append(job)
                if state.leading { return false }
                state.leading = true
                return true
            }
            if leads { continuation.resume(returning: .lead) }
        }
        if role == .lead {
            await runBatch(leader: job)
            handOver()
        }
        if let error = job.error { throw error }
        guard let value = result.value else { throw StepupError(.storeUnavailable) }
        return value
    }

    private func runBatch(leader: PendingWrite) async {
        let batch = state.withLock { state -> [PendingWrite] in
            let count = min(batchLimit, state.pending.count)
            defer { state.pending.removeFirst(count) }
            return Array(state.pending.prefix(count))
        }
        defer {
            for job in batch where job !== leader { job.wake?.resume(returning: .done) }
        }
        do {
            try await database.beginImmediate()
        } catch {
            logger.error("store unavailable", metadata: ["reason": "\(SQLiteStore.reason(error))"])
            for job in batch { job.error = StepupError(.storeUnavailable) }
            return
        }
        var broken = false
        for job in batch {
            guard !broken else {
                job.error = StepupError(.storeUnavailable)
                continue
            }
            broken = await run(job)
        }
        if !broken {
            do {
                try await database.blocking("COMMIT")
                commits.add(1, ordering: .relaxed)
                return
            } catch {
                logger.error("store commit failed", metadata: ["reason": "\(SQLiteStore.reason(error))"])
            }
        }
        try? await database.blocking("ROLLBACK")
        for job in batch where job.error == nil { job.error = StepupError(.storeUnavailable) }
    }

    /// Runs one body inside its own savepoint; answers whether the transaction as a whole is broken (SQLite rolls
    /// the whole transaction back on some errors, such as a full disk, and then the savepoint is gone too).
    private func run(_ job: PendingWrite) async -> Bool {
        do {
            try await database.raw("SAVEPOINT write").run()
        } catch {
            logger.error("store unavailable", metadata: ["reason": "\(SQLiteStore.reason(error))"])
            job.error = StepupError(.storeUnavailable)
            return true
        }
        do {
            try await job.work(StoreTransaction(database: database, dialect: .sqlite))
            try await database.raw("RELEASE write").run()
            return false
        } catch {
            if let stepupError = error as? StepupError {
                job.error = stepupError
            } else {
                logger.error("store transaction failed", metadata: ["reason": "\(SQLiteStore.reason(error))"])
                job.error = StepupError(.storeUnavailable)
            }
            do {
                try await database.raw("ROLLBACK TO write").run()
                try await database.raw("RELEASE write").run()
                return false
            } catch {
                return true
            }
        }
    }

    private func handOver() {
        let next = state.withLock { state -> PendingWrite? in
            guard let first = state.pending.first else {
                state.leading = false
                return nil
            }
            return first
        }
        next?.wake?.resume(returning: .lead)
    }
}

/// One body waiting for the writer, and what became of it. Touched by its own task until it is queued, then only by
/// the leader until the leader resumes it; the continuation orders the two.
private final class PendingWrite: @unchecked Sendable {
    enum Wake { case lead, done }
    let work: @Sendable (StoreTransaction) async throws -> Void
    var wake: CheckedContinuation<Wake, Never>?
    var error: (any Error)?

    init(work: @escaping @Sendable (StoreTransaction) async throws -> Void) {
        self.work = work
    }
}

/// The value a body returned, carried from the leader's task to the waiter's.
private final class ResultBox<T>: @unchecked Sendable {
    var value: T?
}
