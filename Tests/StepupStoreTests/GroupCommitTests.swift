import Foundation
import StepupCore
@testable import StepupStore
import Testing

/// Concurrent writes share one commit on SQLite (group commit); each must still behave as its own transaction.
/// The same tests run on PostgreSQL, where every write has its own transaction, so the two stores are held to one
/// contract.
@Suite("Concurrent writes behave as separate transactions")
struct GroupCommitTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    struct Boom: Error {}

    @Test(arguments: StoreKind.available)
    func aFailingWriteLosesOnlyItsOwnRowsAndEveryWriteGetsItsOwnAnswer(kind: StoreKind) async throws {
        try await TemporaryDatabase.with(kind) { store, _ async throws in
            let outcomes = try await withThrowingTaskGroup(of: (Int, Result<Int, StepupError>).self) { group in
                for i in 0..<60 {
                    group.addTask {
                        do {
                            let value = try await store.write { tx in
                                try await tx.append(AuditEvent(id: "e\(i)", at: self.now, action: "x", outcome: .info, userID: nil))
                                switch i % 3 {
                                case 1: throw StepupError(.badRequest)
                                case 2: throw Boom()
                                default: return i * 2
                                }
                            }
                            return (i, .success(value))
                        } catch let error as StepupError {
                            return (i, .failure(error))
                        }
                    }
                }
                return try await group.reduce(into: [Int: Result<Int, StepupError>]()) { $0[$1.0] = $1.1 }
            }
            for i in 0..<60 {
                switch i % 3 {
                case 1: #expect(outcomes[i] == .failure(StepupError(.badRequest)))
                case 2: #expect(outcomes[i] == .failure(StepupError(.storeUnavailable)))
                default: #expect(outcomes[i] == .success(i * 2))
                }
            }
            let kept = Set(try await store.read { try await $0.auditEvents(limit: 100) }.map(\.id))
            #expect(kept == Set(stride(from: 0, to: 60, by: 3).map { "e\($0)" }))
        }
    }

    @Test(arguments: StoreKind.available)
    func aConstraintViolationInOneWriteLeavesTheOthersCommitted(kind: StoreKind) async throws {
        try await TemporaryDatabase.with(kind) { store, _ async throws in
            try await store.write { tx in try await tx.append(AuditEvent(id: "taken", at: self.now, action: "x", outcome: .info, userID: nil)) }
            let failures = try await withThrowingTaskGroup(of: Bool.self) { group in
                for i in 0..<20 {
                    group.addTask {
                        do {
                            try await store.write { tx in
                                try await tx.append(AuditEvent(id: "mine-\(i)", at: self.now, action: "x", outcome: .info, userID: nil))
                                if i.isMultiple(of: 2) {
                                    try await tx.append(AuditEvent(id: "taken", at: self.now, action: "x", outcome: .info, userID: nil))
                                }
                            }
                            return false
                        } catch let error as StepupError {
                            #expect(error == StepupError(.storeUnavailable))
                            return true
                        }
                    }
                }
                return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(failures == 10)
            let kept = Set(try await store.read { try await $0.auditEvents(limit: 100) }.map(\.id))
            #expect(kept == Set(["taken"] + stride(from: 1, to: 20, by: 2).map { "mine-\($0)" }))
        }
    }

    @Test
    func writesThatArriveWhileOneCommitsShareTheNextCommit() async throws {
        let database = try await TemporaryDatabase(.sqlite)
        let store = try await SQLiteStore.open(path: database.path)
        let before = store.committedBatches
        let (started, signal) = AsyncStream.makeStream(of: Void.self)
        let (release, releaser) = AsyncStream.makeStream(of: Void.self)
        async let slow: Void = store.write { tx in
            try await tx.append(AuditEvent(id: "slow", at: self.now, action: "x", outcome: .info, userID: nil))
            signal.yield()
            for await _ in release { break }
        }
        for await _ in started { break }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<30 {
                group.addTask {
                    try await store.write { tx in
                        try await tx.append(AuditEvent(id: "q\(i)", at: self.now, action: "x", outcome: .info, userID: nil))
                    }
                }
            }
            // Hold the slow write's transaction open until all thirty are queued behind it, however slow the
            // machine is at starting tasks.
            while store.waitingWrites < 30 { try await Task.sleep(for: .milliseconds(2)) }
            releaser.yield()
            try await group.waitForAll()
        }
        try await slow
        let batches = store.committedBatches - before
        let count = try await store.read { try await $0.auditEvents(limit: 100) }.count
        await store.close()
        await database.remove()
        #expect(count == 31)
        // The slow write's own commit, then one for all thirty that queued behind it.
        #expect(batches == 2)
    }

    @Test
    func aStoreClosedWhileWritesRunAnswersStoreUnavailableAndNeverCrashes() async throws {
        let database = try await TemporaryDatabase(.sqlite)
        let store = try await SQLiteStore.open(path: database.path)
        let answers = try await withThrowingTaskGroup(of: Bool.self) { group in
            for i in 0..<200 {
                group.addTask {
                    do {
                        try await store.write { tx in
                            try await tx.append(AuditEvent(id: "c\(i)", at: self.now, action: "x", outcome: .info, userID: nil))
                        }
                        return true
                    } catch let error as StepupError {
                        #expect(error == StepupError(.storeUnavailable))
                        return false
                    }
                }
            }
            group.addTask {
                await store.close()
                return false
            }
            return try await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        await #expect(throws: StepupError(.storeUnavailable)) {
            try await store.write { tx in try await tx.append(AuditEvent(id: "late", at: self.now, action: "x", outcome: .info, userID: nil)) }
        }
        await #expect(throws: StepupError(.storeUnavailable)) { try await store.read { try await $0.userCount() } }
        #expect(await store.isReachable() == false)
        // What was answered as committed is in the file.
        let reopened = try await SQLiteStore.open(path: database.path)
        let kept = try await reopened.read { try await $0.auditEvents(limit: 500) }.count
        await reopened.close()
        await database.remove()
        #expect(kept == answers.filter { $0 }.count)
    }

    @Test
    func writesAnsweredBeforeACloseAreThereAfterReopening() async throws {
        let database = try await TemporaryDatabase(.sqlite)
        let store = try await database.open()
        try await store.appendConcurrently(ids: (0..<40).map { "d\($0)" }, at: now)
        await store.close()
        let reopened = try await database.open()
        let count = try await reopened.read { try await $0.auditEvents(limit: 100) }.count
        await reopened.close()
        await database.remove()
        #expect(count == 40)
    }
}

/// The direct SQLite connection under the store.
@Suite("SQLite connection")
struct SQLiteHandleTests {
    @Test
    func aCachedStatementAnswersForEachNewBinding() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("stepup-handle-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let handle = try SQLiteHandle(path: folder.appendingPathComponent("h.sqlite").path)
        defer { handle.close() }
        try handle.execute("CREATE TABLE t (k TEXT PRIMARY KEY, v INTEGER)", binds: []) { _, _ in }
        for (key, value) in [("a", 1), ("b", 0), ("c", 7)] {
            try handle.execute("INSERT INTO t (k, v) VALUES (?, ?)", binds: [.text(key), .integer(value)]) { _, _ in }
        }
        for (key, value) in [("c", 7), ("b", 0), ("a", 1), ("b", 0)] {
            var found: [SQLiteValuesRow] = []
            try handle.execute("SELECT v FROM t WHERE k = ? LIMIT 1", binds: [.text(key)]) {
                found.append(SQLiteValuesRow(columns: $0, values: $1))
            }
            #expect(try found.map { try $0.decode(column: "v", as: Int.self) } == [value])
        }
        // A second statement would be silently ignored by SQLite; the handle refuses the text instead.
        #expect(throws: SQLiteFailure.self) {
            try handle.execute("DELETE FROM t; DROP TABLE t", binds: []) { _, _ in }
        }
        #expect(throws: SQLiteFailure.self) {
            try handle.execute("SELECT nothing FROM nowhere", binds: []) { _, _ in }
        }
        var count = 0
        try handle.execute("SELECT COUNT(*) AS n FROM t", binds: []) { _, values in count = values.count }
        #expect(count == 1)
    }
}
