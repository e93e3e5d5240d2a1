import Foundation
import Logging
import NIOPosix
import PostgresKit
import StepupCore
import StepupStore
import Testing

/// The two stores every store test runs against.
enum StoreKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite, postgres
    var testDescription: String { rawValue }

    /// The engines this run can test: PostgreSQL only with a server (`STEPUP_TEST_POSTGRES_URL`), so a plain
    /// `swift test` on a laptop passes; `./scripts/test` sets `STEPUP_TEST_REQUIRE_SERVERS`, and then a missing
    /// server fails the PostgreSQL cases instead of leaving them out.
    static var available: [StoreKind] {
        let environment = ProcessInfo.processInfo.environment
        return environment["STEPUP_TEST_POSTGRES_URL"] != nil || environment["STEPUP_TEST_REQUIRE_SERVERS"] != nil
            ? allCases : [.sqlite]
    }
}

@Suite("PostgreSQL availability")
struct PostgresAvailability {
    @Test(.enabled(if: StoreKind.available.contains(.postgres),
                   "the PostgreSQL cases are skipped: STEPUP_TEST_POSTGRES_URL is not set (./scripts/test starts a server)"))
    func thePostgresCasesRun() async throws {
        // When they run, the server answers; when it does not, this says why they were left out.
        try await TemporaryDatabase.admin("SELECT 1")
    }
}

/// A fresh, empty database of one kind: an SQLite file in a new temporary folder, or a new database on the
/// PostgreSQL server `./scripts/test` starts (`STEPUP_TEST_POSTGRES_URL`). Dropped afterwards.
struct TemporaryDatabase: Sendable {
    let kind: StoreKind
    let folder: URL
    let postgresName: String

    var path: String { folder.appendingPathComponent("stepup.sqlite").path }

    init(_ kind: StoreKind = .sqlite) async throws {
        self.kind = kind
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("stepup-test-\(UUID().uuidString)")
        postgresName = "stepup_test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
        switch kind {
        case .sqlite: try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        case .postgres: try await Self.admin("CREATE DATABASE \(postgresName)")
        }
    }

    static func serverURL() throws -> String {
        try #require(ProcessInfo.processInfo.environment["STEPUP_TEST_POSTGRES_URL"], "STEPUP_TEST_POSTGRES_URL is not set: run ./scripts/test, which starts PostgreSQL")
    }

    /// This database's URL on the test server.
    func url() throws -> String {
        var components = try #require(URLComponents(string: try Self.serverURL()))
        components.path = "/" + postgresName
        return try #require(components.string)
    }

    func open() async throws -> any Store {
        switch kind {
        case .sqlite: try await SQLiteStore.open(path: path)
        case .postgres: try await PostgresStore.open(url: try url(), poolSize: 2)
        }
    }

    func remove() async {
        switch kind {
        case .sqlite: try? FileManager.default.removeItem(at: folder)
        case .postgres: try? await Self.admin("DROP DATABASE IF EXISTS \(postgresName) WITH (FORCE)")
        }
    }

    /// Runs one statement on the server's maintenance database.
    static func admin(_ sql: String) async throws {
        let configuration = try SQLPostgresConfiguration(url: try serverURL())
        let connection = try await PostgresConnection.connect(
            on: MultiThreadedEventLoopGroup.singleton.any(), configuration: configuration.coreConfiguration, id: 1,
            logger: Logger(label: "stepup.test.admin"))
        defer { Task { try? await connection.close() } }
        try await connection.sql().raw(SQLQueryString(sql)).run()
    }

    /// Opens a store of `kind`, runs `body`, closes and removes the database.
    static func with<T>(_ kind: StoreKind = .sqlite, _ body: (any Store, TemporaryDatabase) async throws -> T) async throws -> T {
        let database = try await TemporaryDatabase(kind)
        let store = try await database.open()
        do {
            let result = try await body(store, database)
            await store.close()
            await database.remove()
            return result
        } catch {
            await store.close()
            await database.remove()
            throw error
        }
    }
}

extension Store {
    /// Appends one audit event per id, each in its own write, all at once.
    func appendConcurrently(ids: [String], at date: Date) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for id in ids {
                group.addTask {
                    try await self.write { tx in
                        try await tx.append(AuditEvent(id: id, at: date, action: "x", outcome: .info, userID: nil))
                    }
                }
            }
            try await group.waitForAll()
        }
    }
}
