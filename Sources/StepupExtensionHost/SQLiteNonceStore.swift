import Foundation
import NIOPosix
import SQLiteNIO
import Synchronization
// SQLiteNIO's own copy of SQLite, as the platform's store uses: one SQLite library per process.
import VaporCSQLite

/// The default ``NonceStore``: a SQLite file, so replays are refused across restarts and across the processes of
/// one service on one host (WAL mode and a busy timeout let them share it). One `INSERT OR IGNORE` per request
/// decides; entries older than twice the signature window are pruned as it goes, so the file stays small.
///
/// The file is opened on first use; a file that cannot be opened makes every signed call fail with
/// `store_unavailable` rather than accept a request it cannot check.
public final class SQLiteNonceStore: NonceStore, @unchecked Sendable {
    public let path: String
    private let window: TimeInterval
    private let state = Mutex<State>(State())

    private struct State {
        var db: OpaquePointer?
        var uses = 0
    }

    public init(path: String, window: TimeInterval = 60) {
        self.path = path
        self.window = window
    }

    deinit {
        state.withLock { state in
            if let db = state.db { sqlite_nio_sqlite3_close_v2(db) }
        }
    }

    public func use(_ nonce: String, now: Date) async throws -> Bool {
        guard !nonce.isEmpty, nonce.utf8.count <= 128 else { return false }
        let at = Int64((now.timeIntervalSince1970 * 1000).rounded(.down))
        // SQLite may wait up to the busy timeout for another process and fsyncs: on NIO's blocking pool, never on
        // the cooperative threads every request shares.
        return try await NIOThreadPool.singleton.runIfActive { try self.record(nonce, at: at) }
    }

    private func record(_ nonce: String, at: Int64) throws -> Bool {
        try state.withLock { state throws(NonceStoreFailure) -> Bool in
            let db = try Self.open(&state, path: path)
            state.uses &+= 1
            if state.uses % 256 == 0 {
                try Self.run(db, "DELETE FROM used_nonces WHERE at < ?1", int: at - Int64(2 * window * 1000))
            }
            try Self.run(db, "INSERT OR IGNORE INTO used_nonces (nonce, at) VALUES (?1, ?2)", text: nonce, int: at)
            return sqlite_nio_sqlite3_changes(db) == 1
        }
    }

    private static func open(_ state: inout State, path: String) throws(NonceStoreFailure) -> OpaquePointer {
        if let db = state.db { return db }
        var handle: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX
        guard sqlite_nio_sqlite3_open_v2(path, &handle, flags, nil) == SQLITE_OK, let handle else {
            if let handle { sqlite_nio_sqlite3_close_v2(handle) }
            throw NonceStoreFailure()
        }
        sqlite_nio_sqlite3_busy_timeout(handle, 5_000)
        for sql in [
            "PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL",
            "CREATE TABLE IF NOT EXISTS used_nonces (nonce TEXT PRIMARY KEY, at INTEGER NOT NULL)",
            "CREATE INDEX IF NOT EXISTS used_nonces_at ON used_nonces (at)",
        ] where sqlite_nio_sqlite3_exec(handle, sql, nil, nil, nil) != SQLITE_OK {
            sqlite_nio_sqlite3_close_v2(handle)
            throw NonceStoreFailure()
        }
        state.db = handle
        return handle
    }

    private static func run(_ db: OpaquePointer, _ sql: String, text: String? = nil, int: Int64) throws(NonceStoreFailure) {
        var statement: OpaquePointer?
        guard sqlite_nio_sqlite3_prepare_v2(db, sql, -1, &statement, nil) == SQLITE_OK, let statement else {
            throw NonceStoreFailure()
        }
        defer { sqlite_nio_sqlite3_finalize(statement) }
        if let text {
            guard sqlite_nio_sqlite3_bind_text64(statement, 1, text, UInt64(text.utf8.count), transient, UInt8(SQLITE_UTF8)) == SQLITE_OK,
                sqlite_nio_sqlite3_bind_int64(statement, 2, int) == SQLITE_OK
            else { throw NonceStoreFailure() }
        } else {
            guard sqlite_nio_sqlite3_bind_int64(statement, 1, int) == SQLITE_OK else { throw NonceStoreFailure() }
        }
        guard sqlite_nio_sqlite3_step(statement) == SQLITE_DONE else { throw NonceStoreFailure() }
    }
}

/// The nonce file could not be opened or written: the request is refused, not waved through.
struct NonceStoreFailure: Error {}

/// SQLITE_TRANSIENT: SQLite copies the bound bytes before the call returns.
private let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
