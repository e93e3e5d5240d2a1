import ArgumentParser
import Foundation
import Logging
import StepupCore
import StepupPlatform
import StepupServer
import StepupStore

/// The options every admin command shares: which database, found the same way `serve` finds it.
struct AdminOptions: ParsableArguments {
    @Option(help: "A JSON configuration file (as for serve).") var config: String?
    @Option(help: "SQLite database file or postgres:// URL (default: as serve would use).") var database: String?
    @Option(help: "The platform key set file (default: <database>.keys.json; or STEPUP_KEYS).") var keys: String?

    /// The settings `serve` would use, or exits with one line and code 1.
    func settings() -> ServerConfiguration {
        var settings = ServerConfiguration()
        do {
            if let config { try settings.apply(file: config) }
            try settings.apply(environment: ProcessInfo.processInfo.environment)
        } catch let error as StepupError {
            Admin.fail(error.message)
        } catch {
            Admin.fail("\(error)")
        }
        if let database { settings.database = database }
        if let keys { settings.keysFile = keys }
        return settings
    }

    /// Exits with the one line that says what to run first when there is no key set, before the command reads
    /// anything or touches the database: for commands that seal a secret (an extension's key, a TOTP secret).
    func requireKeySet() {
        let settings = settings()
        do {
            _ = try KeySource.load(settings, environment: ProcessInfo.processInfo.environment, createIfMissing: false)
        } catch let error as StepupError {
            Admin.fail(error.message)
        } catch {
            Admin.fail("\(error)")
        }
    }

    /// Opens the platform on the configured database, or exits with one line and code 1.
    func platform() async -> (Platform, any Store) {
        let settings = settings()
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .warning
            return handler
        }
        do {
            // Commands that never touch a TOTP secret work without a key set; those that do fail with one line. A
            // key set that exists but does not load is always an error.
            let environment = ProcessInfo.processInfo.environment
            let present = !(environment["STEPUP_KEYS"] ?? "").isEmpty
                || FileManager.default.fileExists(atPath: KeySource.defaultFile(for: settings))
            let keys = present ? try KeySource.load(settings, environment: environment, createIfMissing: false) : nil
            // Checked here, not with `validate()`: an admin command never listens, so its port may be anything.
            guard (4...31).contains(settings.bcryptCost) else {
                throw StepupError(.configurationInvalid, message: "bcryptCost must be 4 to 31")
            }
            let store = try await StoreFactory.open(settings, logger: Logger(label: "stepup.store"))
            var configuration = PlatformConfiguration()
            configuration.bcryptCost = UInt8(settings.bcryptCost)
            configuration.bankName = settings.bankName
            return (Platform(store: store, keys: keys, configuration: configuration), store)
        } catch let error as StepupError {
            Admin.fail(error.message)
        } catch {
            Admin.fail("\(error)")
        }
    }
}

enum Admin {
    static func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("stepup: \(message)\n".utf8))
        Foundation.exit(1)
    }

    /// Runs an admin action, turning a typed error into one line on stderr and exit code 1. A database file is never
    /// removed on failure: another process (serve, a second command) may have opened it meanwhile; commands that
    /// need the key set refuse before touching the database instead (`requireKeySet`).
    static func run(_ options: AdminOptions, _ body: (Platform) async throws -> Void) async {
        let (platform, store) = await options.platform()
        do {
            try await body(platform)
            await store.close()
        } catch let error as StepupError {
            await store.close()
            fail(error.message)
        } catch {
            await store.close()
            fail("\(error)")
        }
    }

    static func print(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }
}
