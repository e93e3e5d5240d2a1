import Logging
import NIOCore
import NIOPosix
import SQLKit
import SQLiteKit

/// SQLKit's view of one ``SQLiteHandle``, so ``StoreTransaction`` and the migrations speak the same SQL to it as to
/// PostgreSQL. Statements run synchronously on the calling task's thread.
struct SQLiteHandleDatabase: SQLDatabase {
    let handle: SQLiteHandle
    let logger: Logger
    /// Where ``blocking(_:)`` runs; nil runs it inline (the readers, and the set-up before the pool starts).
    var blockingPool: NIOThreadPool? = nil
    let dialect: any SQLDialect = SQLiteDialect()
    var queryLogLevel: Logger.Level? { nil }
    /// SQLKit's legacy interface wants an event loop; nothing is scheduled on it.
    var eventLoop: any EventLoop { MultiThreadedEventLoopGroup.singleton.any() }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> ()) async throws {
        try run(query, onRow)
    }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> ()) -> EventLoopFuture<Void> {
        eventLoop.makeCompletedFuture { try run(query, onRow) }
    }

    /// Runs one statement that may block for long (`BEGIN IMMEDIATE` waits up to `busy_timeout` for another
    /// process's writer; `COMMIT` waits for `fsync`) on the store's own thread, so no thread of Swift's cooperative
    /// pool (two, on a two-core server) sleeps in the kernel meanwhile. Short statements stay on the calling task:
    /// a hop per statement would cost more than the statement.
    func blocking(_ sql: String) async throws {
        guard let blockingPool else { return try handle.execute(sql, binds: []) { _, _ in } }
        let handle = self.handle
        try await blockingPool.runIfActive { try handle.execute(sql, binds: []) { _, _ in } }
    }

    /// Starts the writer's transaction: at once on the calling task when no other process holds the write lock (the
    /// usual case, and no thread hop), else on the store's own thread, waiting up to `busy_timeout`.
    func beginImmediate() async throws {
        if blockingPool != nil, try handle.executeWithoutWaiting("BEGIN IMMEDIATE", busyTimeoutMilliseconds: SQLiteStore.busyTimeoutMilliseconds) {
            return
        }
        try await blocking("BEGIN IMMEDIATE")
    }

    private func run(_ query: any SQLExpression, _ onRow: @Sendable (any SQLRow) -> ()) throws {
        let (sql, binds) = serialize(query)
        let encoder = SQLiteDataEncoder()
        let values = try binds.map { try encoder.encode($0) }
        try handle.execute(sql, binds: values) { columns, values in
            onRow(SQLiteValuesRow(columns: columns, values: values))
        }
    }
}

/// One result row: the statement's column names and this row's values.
struct SQLiteValuesRow: SQLRow {
    let columns: [String]
    let values: [SQLiteData]

    var allColumns: [String] { columns }

    func contains(column: String) -> Bool { columns.contains(column) }

    func decodeNil(column: String) throws -> Bool {
        guard let index = columns.firstIndex(of: column) else { return true }
        return values[index] == .null
    }

    func decode<D: Decodable>(column: String, as type: D.Type) throws -> D {
        guard let index = columns.firstIndex(of: column) else {
            throw SQLiteFailure(code: 1, message: "no column \(column) in the result")
        }
        return try SQLiteDataDecoder().decode(D.self, from: values[index])
    }
}
