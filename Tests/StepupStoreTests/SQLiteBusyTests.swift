import Foundation
import StepupCore
@testable import StepupStore
import Synchronization
import Testing

/// The SQLite writer starts its transaction without waiting when it can, and on the store's own thread, waiting up
/// to `busy_timeout`, when another process (here a second store on the file, as a CLI command would be) holds the
/// write lock: the write then goes through once the lock is given back, and nothing is lost.
@Suite("SQLite's writer and another process's lock")
struct SQLiteBusyTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func aWriteWaitsForAnotherProcessesLockAndThenCommits() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("stepup-busy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("busy.sqlite").path
        let holder = try await SQLiteStore.open(path: path)
        let waiter = try await SQLiteStore.open(path: path)
        let (holdingStream, held) = AsyncStream.makeStream(of: Void.self)
        let (released, release) = AsyncStream.makeStream(of: Void.self)
        let now = self.now
        // The holder takes the write lock and keeps it until told to give it back.
        let holding = Task {
            try await holder.write { tx in
                try await tx.append(AuditEvent(id: "held", at: now, action: "x", outcome: .info, userID: nil))
                held.yield()
                for await _ in released { break }
            }
        }
        for await _ in holdingStream { break }
        let waiting = Task {
            try await waiter.write { tx in try await tx.append(AuditEvent(id: "waited", at: now, action: "x", outcome: .info, userID: nil)) }
        }
        // The waiter cannot have committed while the lock is held.
        try await Task.sleep(for: .milliseconds(200))
        #expect(try await holder.read { try await $0.auditEvents(limit: 10) }.allSatisfy { $0.id != "waited" })
        release.yield()
        try await holding.value
        try await waiting.value
        let ids = Set(try await waiter.read { try await $0.auditEvents(limit: 10) }.map(\.id))
        #expect(ids == ["held", "waited"])
        await holder.close()
        await waiter.close()
    }
}
