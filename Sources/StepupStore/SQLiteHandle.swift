import Foundation
import NIOCore
import SQLiteKit
import Synchronization
// SQLiteNIO's own copy of SQLite (symbols prefixed `sqlite_nio_`), reached through SQLiteKit: one SQLite library in
// the process, so POSIX locks on the database file are never split between two copies.
import VaporCSQLite

/// A failure reported by SQLite: its result code and message. The message names tables and constraints, never
/// bound values, so it may be logged.
struct SQLiteFailure: Error, CustomStringConvertible {
    let code: Int32
    let message: String
    var description: String { "sqlite error \(code): \(message)" }
}

/// One SQLite connection, called synchronously on the caller's thread.
///
/// SQLiteNIO runs every statement on a thread pool and answers on an event loop, so a transaction of five statements
/// cost some fifteen thread switches; a profile of the extension route showed the server busier switching threads
/// than executing SQL. Here a statement runs where the task runs (an indexed statement takes microseconds), and
/// prepared statements are kept per SQL text, so the parser runs once per distinct statement, not per call.
///
/// ``SQLiteStore`` hands a handle to one task at a time; the lock is for ``close()``, which may come from another
/// task while a statement runs (a server shutting down): it waits for that statement, and any statement after it
/// fails with an error instead of touching freed memory.
final class SQLiteHandle: @unchecked Sendable {
    private let lock = Mutex(())
    private let db: OpaquePointer
    private var statements: [String: OpaquePointer] = [:]
    private var closed = false
    /// Statements with a varying number of placeholders would grow the cache without end; past this it starts over.
    private let statementLimit = 256

    init(path: String) throws {
        var handle: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX
        let status = sqlite_nio_sqlite3_open_v2(path, &handle, flags, nil)
        guard status == SQLITE_OK, let handle else {
            let message = handle.map { String(cString: sqlite_nio_sqlite3_errmsg($0)) } ?? "cannot open"
            if let handle { sqlite_nio_sqlite3_close_v2(handle) }
            throw SQLiteFailure(code: status, message: message)
        }
        db = handle
        sqlite_nio_sqlite3_extended_result_codes(db, 1)
    }

    /// Runs one statement with its bound values and hands each result row's values to `onRow`.
    func execute(_ sql: String, binds: [SQLiteData], onRow: (_ columns: [String], _ values: [SQLiteData]) -> Void) throws {
        try lock.withLock { _ throws(any Error) in
            guard !closed else { throw SQLiteFailure(code: SQLITE_MISUSE, message: "the connection is closed") }
            try step(sql, binds: binds, onRow: onRow)
        }
    }

    /// Runs `sql` once without waiting for another connection's lock: `busy` (not an error) when one holds it.
    func executeWithoutWaiting(_ sql: String, busyTimeoutMilliseconds: Int32) throws -> Bool {
        try lock.withLock { _ throws(any Error) in
            guard !closed else { throw SQLiteFailure(code: SQLITE_MISUSE, message: "the connection is closed") }
            sqlite_nio_sqlite3_busy_timeout(db, 0)
            defer { sqlite_nio_sqlite3_busy_timeout(db, busyTimeoutMilliseconds) }
            do {
                try step(sql, binds: []) { _, _ in }
                return true
            } catch let failure as SQLiteFailure where failure.code & 0xFF == SQLITE_BUSY {
                return false
            }
        }
    }

    private func step(_ sql: String, binds: [SQLiteData], onRow: (_ columns: [String], _ values: [SQLiteData]) -> Void) throws {
        let statement = try prepared(sql)
        // No sqlite3_clear_bindings: it marks a statement whose plan looked at a bound value as expired, so the next
        // call would parse it again. Every call binds every parameter anew.
        defer { sqlite_nio_sqlite3_reset(statement) }
        try bind(binds, to: statement)
        var columns: [String]?
        while true {
            let status = sqlite_nio_sqlite3_step(statement)
            if status == SQLITE_DONE { return }
            guard status == SQLITE_ROW else { throw failure(status) }
            let count = sqlite_nio_sqlite3_column_count(statement)
            if columns == nil {
                columns = (0..<count).map { String(cString: sqlite_nio_sqlite3_column_name(statement, $0)) }
            }
            onRow(columns!, try (0..<count).map { try value(statement, at: $0) })
        }
    }

    /// Finalizes the statements and closes the connection; later calls do nothing.
    func close() {
        lock.withLock { _ in
            guard !closed else { return }
            closed = true
            for statement in statements.values { sqlite_nio_sqlite3_finalize(statement) }
            statements.removeAll()
            sqlite_nio_sqlite3_close_v2(db)
        }
    }

    private func prepared(_ sql: String) throws -> OpaquePointer {
        if let statement = statements[sql] { return statement }
        if statements.count >= statementLimit {
            for statement in statements.values { sqlite_nio_sqlite3_finalize(statement) }
            statements.removeAll()
        }
        var statement: OpaquePointer?
        var trailingText = false
        let status = sql.withCString { text in
            var tail: UnsafePointer<CChar>?
            let status = sqlite_nio_sqlite3_prepare_v3(db, text, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, &tail)
            trailingText = tail.map { !String(cString: $0).allSatisfy(\.isWhitespace) } ?? false
            return status
        }
        guard status == SQLITE_OK, let statement else { throw failure(status) }
        // A second statement after the first would be silently dropped: refuse the text instead.
        guard !trailingText else {
            sqlite_nio_sqlite3_finalize(statement)
            throw SQLiteFailure(code: SQLITE_MISUSE, message: "more than one statement in one query")
        }
        statements[sql] = statement
        return statement
    }

    private func bind(_ binds: [SQLiteData], to statement: OpaquePointer) throws {
        for (offset, value) in binds.enumerated() {
            let index = Int32(offset + 1)
            let status: Int32
            switch value {
            case .integer(let number): status = sqlite_nio_sqlite3_bind_int64(statement, index, Int64(number))
            case .float(let number): status = sqlite_nio_sqlite3_bind_double(statement, index, number)
            case .null: status = sqlite_nio_sqlite3_bind_null(statement, index)
            case .text(let text):
                status = sqlite_nio_sqlite3_bind_text64(
                    statement, index, text, UInt64(text.utf8.count), Self.transient, UInt8(SQLITE_UTF8))
            case .blob(let buffer):
                status = buffer.withUnsafeReadableBytes {
                    sqlite_nio_sqlite3_bind_blob64(statement, index, $0.baseAddress, UInt64($0.count), Self.transient)
                }
            }
            guard status == SQLITE_OK else { throw failure(status) }
        }
    }

    private func value(_ statement: OpaquePointer, at column: Int32) throws -> SQLiteData {
        switch sqlite_nio_sqlite3_column_type(statement, column) {
        case SQLITE_INTEGER: return .integer(Int(sqlite_nio_sqlite3_column_int64(statement, column)))
        case SQLITE_FLOAT: return .float(sqlite_nio_sqlite3_column_double(statement, column))
        case SQLITE_TEXT:
            guard let text = sqlite_nio_sqlite3_column_text(statement, column) else { throw failure(SQLITE_NOMEM) }
            return .text(String(cString: text))
        case SQLITE_BLOB:
            let count = Int(sqlite_nio_sqlite3_column_bytes(statement, column))
            var buffer = ByteBufferAllocator().buffer(capacity: count)
            if let bytes = sqlite_nio_sqlite3_column_blob(statement, column) {
                buffer.writeBytes(UnsafeRawBufferPointer(start: bytes, count: count))
            }
            return .blob(buffer)
        default: return .null
        }
    }

    private func failure(_ status: Int32) -> SQLiteFailure {
        SQLiteFailure(code: status, message: String(cString: sqlite_nio_sqlite3_errmsg(db)))
    }

    /// SQLITE_TRANSIENT: SQLite copies the bound bytes before the call returns.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
}
