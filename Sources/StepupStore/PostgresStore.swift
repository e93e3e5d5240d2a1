import Foundation
import Logging
import NIOCore
import NIOPosix
@preconcurrency import PostgresKit
import SQLKit
import StepupCore

/// The scale-out store: PostgreSQL through postgres-kit, a connection pool per process, several nodes on one
/// database. Read-modify-write takes row locks (`FOR UPDATE`); the counters and single-use consumptions are
/// conditional `UPDATE … RETURNING`, so they hold across nodes.
///
/// When the database goes away, every call answers `store_unavailable` (503) and ``isReachable()`` is false; the
/// pool makes new connections once it is back, without a restart.
// @unchecked: async-kit's pool is not annotated, but it guards its state with a lock and hands each event loop's
// connections out on that loop; it is documented for use from any thread.
public final class PostgresStore: Store, @unchecked Sendable {
    private let pool: EventLoopGroupConnectionPool<PostgresConnectionSource>
    private let logger: Logger

    private init(pool: EventLoopGroupConnectionPool<PostgresConnectionSource>, logger: Logger) {
        self.pool = pool
        self.logger = logger
    }

    /// Connects to `url` (`postgres://user:password@host:port/database?tlsmode=…`), with up to `poolSize`
    /// connections per event loop, and runs pending migrations (under an advisory lock, so nodes starting together
    /// migrate once).
    public static func open(url: String, poolSize: Int = 4, logger: Logger = Logger(label: "stepup.store")) async throws
        -> PostgresStore
    {
        let configuration: SQLPostgresConfiguration
        do {
            configuration = try SQLPostgresConfiguration(url: url)
        } catch {
            throw StepupError(.configurationInvalid, message: "the PostgreSQL URL is not valid")
        }
        let pool = EventLoopGroupConnectionPool(
            source: PostgresConnectionSource(sqlConfiguration: configuration), maxConnectionsPerEventLoop: poolSize,
            requestTimeout: .seconds(5), logger: logger, on: MultiThreadedEventLoopGroup.singleton)
        let store = PostgresStore(pool: pool, logger: logger)
        do {
            try await store.withConnection { database in
                _ = try await database.raw("SELECT pg_advisory_lock(727387)").all()
                do {
                    try await Migrations.run(on: database, dialect: .postgres)
                    _ = try await database.raw("SELECT pg_advisory_unlock(727387)").all()
                } catch {
                    _ = try? await database.raw("SELECT pg_advisory_unlock(727387)").all()
                    throw error
                }
            }
        } catch {
            try? await pool.shutdownAsync()
            throw StepupError(.configurationInvalid, message: "cannot use PostgreSQL at \(Self.redacted(url)): \(SQLiteStore.reason(error))")
        }
        return store
    }

    private func withConnection<T>(_ body: (any SQLDatabase) async throws -> T) async throws -> T {
        let connection = try await pool.requestConnection(logger: logger).get()
        defer { pool.releaseConnection(connection, logger: logger) }
        return try await body(connection.sql(queryLogLevel: nil))
    }

    public func write<T: Sendable>(_ body: @escaping @Sendable (StoreTransaction) async throws -> T) async throws -> T {
        try await transaction(body)
    }

    /// Runs `body`'s statements on one pooled connection, without `BEGIN` and `COMMIT`: under PostgreSQL's default
    /// isolation, READ COMMITTED, every statement takes its own snapshot inside a transaction too, so the two would
    /// cost two round trips of the dozen or so a request makes and buy nothing. A read has no side effects, so one that
    /// fails on a connection which died with a database restart runs once more on a fresh connection.
    public func read<T: Sendable>(_ body: @escaping @Sendable (StoreTransaction) async throws -> T) async throws -> T {
        try await withPooledConnection { connection in
            do {
                return try await body(StoreTransaction(database: connection.sql(queryLogLevel: nil), dialect: .postgres))
            } catch let error as StepupError {
                throw error
            } catch {
                throw Retry(cause: error)
            }
        }
    }

    /// A pooled connection may have died with a database restart without the pool knowing yet. `BEGIN` is harmless
    /// to repeat, so a connection whose `BEGIN` fails is closed and the transaction starts once more on a fresh one;
    /// nothing of the body has run yet.
    private func transaction<T: Sendable>(_ body: @escaping @Sendable (StoreTransaction) async throws -> T) async throws -> T {
        let logger = self.logger
        return try await withPooledConnection { connection in
            do {
                try await connection.sql(queryLogLevel: nil).raw("BEGIN").run()
            } catch {
                throw Retry(cause: error)
            }
            return try await StoreTransaction.run(
                on: connection.sql(queryLogLevel: nil), dialect: .postgres, begin: nil, logger: logger, body)
        }
    }

    /// `work` failed before it could have changed anything; it may run again on a fresh connection.
    private struct Retry: Error {
        let cause: any Error
    }

    /// Runs `work` on a pooled connection; when it throws ``Retry``, closes that connection and runs `work` once more
    /// on another. Every other failure passes through.
    private func withPooledConnection<T: Sendable>(_ work: (PostgresConnection) async throws -> T) async throws -> T {
        for attempt in 1...2 {
            let connection: PostgresConnection
            do {
                connection = try await pool.requestConnection(logger: logger).get()
            } catch {
                logger.error("store unavailable", metadata: ["reason": "\(SQLiteStore.reason(error))"])
                throw StepupError(.storeUnavailable)
            }
            do {
                let result = try await work(connection)
                pool.releaseConnection(connection, logger: logger)
                return result
            } catch let retry as Retry {
                try? await connection.close().get()
                pool.releaseConnection(connection, logger: logger)
                if attempt == 2 {
                    logger.error("store unavailable", metadata: ["reason": "\(SQLiteStore.reason(retry.cause))"])
                    throw StepupError(.storeUnavailable)
                }
            } catch {
                pool.releaseConnection(connection, logger: logger)
                throw error
            }
        }
        throw StepupError(.storeUnavailable)
    }

    public func isReachable() async -> Bool {
        (try? await read { tx in try await tx.rows("SELECT 1 AS one").count == 1 }) ?? false
    }

    public func close() async {
        try? await pool.shutdownAsync()
    }

    /// The URL without its password, for messages.
    static func redacted(_ url: String) -> String {
        guard var components = URLComponents(string: url) else { return "the configured URL" }
        if components.password != nil { components.password = "…" }
        return components.string ?? "the configured URL"
    }
}
