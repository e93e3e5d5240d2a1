import Foundation
import Logging
import StepupCore
import StepupStore

/// Opens the store a configuration names: a `postgres://` (or `postgresql://`) URL selects PostgreSQL, anything
/// else is the path of an SQLite file.
public enum StoreFactory {
    public static func isPostgres(_ database: String) -> Bool {
        database.hasPrefix("postgres://") || database.hasPrefix("postgresql://") || database.hasPrefix("postgres+tcp://")
    }

    public static func open(_ configuration: ServerConfiguration, logger: Logger) async throws -> any Store {
        if isPostgres(configuration.database) {
            return try await PostgresStore.open(url: configuration.database, poolSize: configuration.databasePoolSize, logger: logger)
        }
        return try await SQLiteStore.open(path: configuration.database, logger: logger)
    }
}
