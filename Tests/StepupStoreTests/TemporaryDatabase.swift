import Foundation
import StepupStore

/// A real SQLite file in a fresh temporary folder, removed afterwards.
struct TemporaryDatabase {
    let folder: URL
    var path: String { folder.appendingPathComponent("stepup.sqlite").path }

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("stepup-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    func open() async throws -> SQLiteStore { try await SQLiteStore.open(path: path) }

    func remove() { try? FileManager.default.removeItem(at: folder) }

    /// Opens a store, runs `body`, closes and removes the file.
    static func with<T>(_ body: (SQLiteStore, TemporaryDatabase) async throws -> T) async throws -> T {
        let database = try TemporaryDatabase()
        defer { database.remove() }
        let store = try await database.open()
        do {
            let result = try await body(store, database)
            await store.close()
            return result
        } catch {
            await store.close()
            throw error
        }
    }
}
