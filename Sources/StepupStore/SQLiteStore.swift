import Foundation
import Logging
import SQLKit
import SQLiteKit
import StepupCore

/// The embedded store: one SQLite file in WAL mode.
///
/// One connection, guarded by an async FIFO lock, serves reads and writes. SQLite allows one writer at a time
/// anyway; queueing in the process keeps concurrent requests waiting instead of failing, and `busy_timeout` covers
/// another process (a CLI command) holding the file.
public final class SQLiteStore: Store {
    private let connection: SQLiteConnection
    private let database: any SQLDatabase
    private let lock = AsyncLock()
    private let logger: Logger
    public let path: String

    private init(connection: SQLiteConnection, path: String, logger: Logger) {
        self.connection = connection
        self.database = connection.sql(queryLogLevel: nil)
        self.path = path
        self.logger = logger
    }

    /// Opens (creating if needed) the database at `path`, configures it and runs pending migrations.
    ///
    /// Throws `configuration_invalid` with a one-line reason when the file cannot be opened, is not a database, or
    /// its folder cannot be written.
    public static func open(path: String, logger: Logger = Logger(label: "stepup.store")) async throws -> SQLiteStore {
        let connection: SQLiteConnection
        do {
            connection = try await SQLiteConnection.open(storage: .file(path: path), logger: logger)
        } catch {
            throw StepupError(.configurationInvalid, message: "cannot open database \(path): \(Self.reason(error))")
        }
        let store = SQLiteStore(connection: connection, path: path, logger: logger)
        do {
            // WAL lets readers in other processes proceed while one writer commits; busy_timeout waits for them.
            _ = try await store.database.raw("PRAGMA journal_mode = WAL").all()
            try await store.database.raw("PRAGMA busy_timeout = 5000").run()
            try await store.database.raw("PRAGMA foreign_keys = ON").run()
            try await store.database.raw("PRAGMA synchronous = NORMAL").run()
            try await Migrations.run(on: store.database, dialect: .sqlite)
        } catch {
            try? await connection.close()
            throw StepupError(.configurationInvalid, message: "cannot use database \(path): \(Self.reason(error))")
        }
        return store
    }

    public func write<T: Sendable>(_ body: @Sendable (StoreTransaction) async throws -> T) async throws -> T {
        try await transaction(begin: "BEGIN IMMEDIATE", body)
    }

    public func read<T: Sendable>(_ body: @Sendable (StoreTransaction) async throws -> T) async throws -> T {
        try await transaction(begin: "BEGIN", body)
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
        try? await connection.close()
    }

    static func reason(_ error: any Error) -> String {
        String(describing: error).split(separator: "\n").first.map(String.init) ?? "unknown error"
    }
}
