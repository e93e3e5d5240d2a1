import Foundation
import Logging
import NIOPosix
import SQLKit
import StepupCore
import Synchronization

/// The embedded store: one SQLite file in WAL mode.
///
/// One writer connection, driven by ``SQLiteGroupCommit``: concurrent write transactions queue in the process and
/// are committed together (`busy_timeout` covers another process, a CLI command, holding the file). Reads go to a few
/// read-only connections of their own, each behind its own lock: WAL lets them read the last committed state while
/// the writer commits, so a read never waits for a write. Statements run synchronously on the calling task
/// (``SQLiteHandle``); an indexed statement takes microseconds, far less than a thread switch. The writer's calls
/// that can wait long run on a thread of the store's own instead, off Swift's cooperative pool: `COMMIT` (its
/// `fsync`) always, `BEGIN IMMEDIATE` only when another process holds the write lock (it is tried first without
/// waiting, so the usual batch makes one thread hop, not two).
public final class SQLiteStore: Store {
    private let writer: SQLiteHandle
    private let groupCommit: SQLiteGroupCommit
    private let readers: [(handle: SQLiteHandle, database: SQLiteHandleDatabase, lock: AsyncLock)]
    private let nextReader = Mutex(0)
    private let logger: Logger
    public let path: String

    /// How long the writer waits for another process (a CLI command) holding the file's write lock.
    static let busyTimeoutMilliseconds: Int32 = 5000

    /// The writer's own thread, for the calls that wait on the disk or on another process (``SQLiteHandleDatabase/blocking(_:)``).
    private let blockingPool: NIOThreadPool

    private init(writer: SQLiteHandle, readers: [SQLiteHandle], path: String, logger: Logger) {
        self.writer = writer
        let pool = NIOThreadPool(numberOfThreads: 1)
        pool.start()
        self.blockingPool = pool
        var database = SQLiteHandleDatabase(handle: writer, logger: logger)
        database.blockingPool = pool
        self.groupCommit = SQLiteGroupCommit(database: database, logger: logger)
        self.readers = readers.map { ($0, SQLiteHandleDatabase(handle: $0, logger: logger), AsyncLock()) }
        self.path = path
        self.logger = logger
    }

    /// Opens (creating if needed) the database at `path`, configures it and runs pending migrations.
    ///
    /// Commits are durable on power loss (`synchronous = FULL`): group commit makes that one `fsync` per batch
    /// rather than one per request.
    ///
    /// Throws `configuration_invalid` with a one-line reason when the file cannot be opened, is not a database, or
    /// its folder cannot be written.
    public static func open(path: String, readerCount: Int = 4, logger: Logger = Logger(label: "stepup.store")) async throws -> SQLiteStore {
        let writer: SQLiteHandle
        do {
            writer = try SQLiteHandle(path: path)
        } catch {
            throw StepupError(.configurationInvalid, message: "cannot open database \(path): \(Self.reason(error))")
        }
        var readers: [SQLiteHandle] = []
        do {
            let database = SQLiteHandleDatabase(handle: writer, logger: logger)
            // WAL lets readers proceed while one writer commits; busy_timeout waits for another process's writer.
            _ = try await database.raw("PRAGMA journal_mode = WAL").all()
            try await database.raw("PRAGMA busy_timeout = \(unsafeRaw: String(Self.busyTimeoutMilliseconds))").run()
            try await database.raw("PRAGMA foreign_keys = ON").run()
            try await database.raw("PRAGMA synchronous = FULL").run()
            try await Migrations.run(on: database, dialect: .sqlite)
            for _ in 0..<readerCount {
                let reader = try SQLiteHandle(path: path)
                readers.append(reader)
                let database = SQLiteHandleDatabase(handle: reader, logger: logger)
                try await database.raw("PRAGMA busy_timeout = 5000").run()
                try await database.raw("PRAGMA query_only = ON").run()
            }
        } catch {
            for reader in readers { reader.close() }
            writer.close()
            throw StepupError(.configurationInvalid, message: "cannot use database \(path): \(Self.reason(error))")
        }
        return SQLiteStore(writer: writer, readers: readers, path: path, logger: logger)
    }

    public func write<T: Sendable>(_ body: @escaping @Sendable (StoreTransaction) async throws -> T) async throws -> T {
        try await groupCommit.write(body)
    }

    public func read<T: Sendable>(_ body: @escaping @Sendable (StoreTransaction) async throws -> T) async throws -> T {
        guard !readers.isEmpty else { return try await write(body) }
        let index = nextReader.withLock { value -> Int in
            value = (value + 1) % readers.count
            return value
        }
        let reader = readers[index]
        let logger = self.logger
        return try await reader.lock.withLock {
            try await StoreTransaction.run(on: reader.database, dialect: .sqlite, begin: "BEGIN", logger: logger, body)
        }
    }

    /// Write batches committed since the store was opened (for tests of group commit).
    var committedBatches: Int { groupCommit.committedBatches }

    /// Writes queued behind the batch that runs now (for tests of group commit).
    var waitingWrites: Int { groupCommit.waitingWrites }

    public func isReachable() async -> Bool {
        (try? await read { tx in try await tx.rows("SELECT 1 AS one").count == 1 }) ?? false
    }

    /// Closes the connections: a statement running now finishes first, and every call after it answers
    /// `store_unavailable`.
    public func close() async {
        for reader in readers { try? await reader.lock.withLock { reader.handle.close() } }
        writer.close()
        try? await blockingPool.shutdownGracefully()
    }

    static func reason(_ error: any Error) -> String {
        String(describing: error).split(separator: "\n").first.map(String.init) ?? "unknown error"
    }
}
