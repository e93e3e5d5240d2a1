import Foundation
import Logging
import SQLKit
import SQLiteKit
import StepupCore
import Synchronization

/// The embedded store: one SQLite file in WAL mode.
///
/// One writer connection, guarded by an async FIFO lock: SQLite allows one writer at a time anyway, and queueing in
/// the process keeps concurrent requests waiting instead of failing (`busy_timeout` covers another process, a CLI
/// command, holding the file). Reads go to a few read-only connections of their own, each behind its own lock: WAL
/// lets them read the last committed state while the writer commits, so a read never waits for a write.
public final class SQLiteStore: Store {
    private let connection: SQLiteConnection
    private let database: any SQLDatabase
    private let lock = AsyncLock()
    private let readers: [(connection: SQLiteConnection, database: any SQLDatabase, lock: AsyncLock)]
    private let nextReader = Mutex(0)
    private let logger: Logger
    public let path: String

    private init(connection: SQLiteConnection, readers: [SQLiteConnection], path: String, logger: Logger) {
        self.connection = connection
        self.database = connection.sql(queryLogLevel: nil)
        self.readers = readers.map { ($0, $0.sql(queryLogLevel: nil), AsyncLock()) }
        self.path = path
        self.logger = logger
    }

    /// Opens (creating if needed) the database at `path`, configures it and runs pending migrations.
    ///
    /// Throws `configuration_invalid` with a one-line reason when the file cannot be opened, is not a database, or
    /// its folder cannot be written.
    public static func open(path: String, readerCount: Int = 4, logger: Logger = Logger(label: "stepup.store")) async throws -> SQLiteStore {
        let connection: SQLiteConnection
        do {
            connection = try await SQLiteConnection.open(storage: .file(path: path), logger: logger)
        } catch {
            throw StepupError(.configurationInvalid, message: "cannot open database \(path): \(Self.reason(error))")
        }
        var readers: [SQLiteConnection] = []
        do {
            let writer = connection.sql(queryLogLevel: nil)
            // WAL lets readers proceed while one writer commits; busy_timeout waits for another process's writer.
            _ = try await writer.raw("PRAGMA journal_mode = WAL").all()
            try await writer.raw("PRAGMA busy_timeout = 5000").run()
            try await writer.raw("PRAGMA foreign_keys = ON").run()
            try await writer.raw("PRAGMA synchronous = NORMAL").run()
            try await Migrations.run(on: writer, dialect: .sqlite)
            for _ in 0..<readerCount {
                let reader = try await SQLiteConnection.open(storage: .file(path: path), logger: logger)
                readers.append(reader)
                try await reader.sql(queryLogLevel: nil).raw("PRAGMA busy_timeout = 5000").run()
                try await reader.sql(queryLogLevel: nil).raw("PRAGMA query_only = ON").run()
            }
        } catch {
            for reader in readers { try? await reader.close() }
            try? await connection.close()
            throw StepupError(.configurationInvalid, message: "cannot use database \(path): \(Self.reason(error))")
        }
        return SQLiteStore(connection: connection, readers: readers, path: path, logger: logger)
    }

    public func write<T: Sendable>(_ body: @Sendable (StoreTransaction) async throws -> T) async throws -> T {
        try await transaction(begin: "BEGIN IMMEDIATE", body)
    }

    public func read<T: Sendable>(_ body: @Sendable (StoreTransaction) async throws -> T) async throws -> T {
        guard !readers.isEmpty else { return try await transaction(begin: "BEGIN", body) }
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

    private func transaction<T: Sendable>(begin: String, _ body: @Sendable (StoreTransaction) async throws -> T)
        async throws -> T
    {
        let database = self.database
        let logger = self.logger
        return try await lock.withLock {
            try await StoreTransaction.run(on: database, dialect: .sqlite, begin: begin, logger: logger, body)
        }
    }

    public func isReachable() async -> Bool {
        let database = self.database
        return (try? await lock.withLock { try await database.raw("SELECT 1 AS one").all().count == 1 }) ?? false
    }

    public func close() async {
        for reader in readers { try? await reader.connection.close() }
        try? await connection.close()
    }

    static func reason(_ error: any Error) -> String {
        String(describing: error).split(separator: "\n").first.map(String.init) ?? "unknown error"
    }
}
