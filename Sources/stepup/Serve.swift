import ArgumentParser
import Foundation
import Hummingbird
import Logging
import StepupCore
import StepupExamples
import StepupSDK
import StepupSDKOIDC
import StepupPlatform
import StepupServer
import StepupStore

/// `stepup serve`: the platform API on one port.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve the platform API.",
        discussion: """
            Settings come from, lowest precedence first: defaults, --config FILE (JSON), STEPUP_* environment \
            variables (STEPUP_HOST, STEPUP_PORT, STEPUP_DATABASE, STEPUP_TRUSTED_PROXIES, …), then these flags.
            """)

    @Option(help: "A JSON configuration file.") var config: String?
    @Option(help: "Address to listen on (default 127.0.0.1).") var host: String?
    @Option(help: "Port to listen on (default 8080).") var port: Int?
    @Option(help: "SQLite database file (default stepup.sqlite), or a postgres:// URL.") var database: String?
    @Option(help: "Comma-separated proxy addresses whose X-Forwarded-For/Proto are believed.") var trustedProxies: String?
    @Option(help: "The WebAuthn RP ID for passkeys: the bank's domain (default localhost on loopback, else none).")
    var passkeyRpId: String?
    @Option(help: "Comma-separated origins the banking app is served from (default https://<RP ID>).")
    var passkeyOrigins: String?
    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.") var logLevel: String?
    @Option(help: "The platform key set file (default: <database>.keys.json; or STEPUP_KEYS).") var keys: String?
    @Option(help: "Mount an extension service: NAME=URL (repeatable); its key comes from STEPUP_EXTENSION_KEY_<NAME>.")
    var `extension`: [String] = []
    @Flag(help: "Mount /ext/bench/{open,fresh,step} and a dev outbox for ./scripts/bench (loopback only).")
    var benchmarkRoutes = false
    @Option(help: "With --benchmark-routes: users bench-0… (password bench-pw, an email target each) to seed.")
    var benchmarkUsers = 0
    @Flag(help: "Seed a demo bank into an empty database and keep a dev outbox at /dev/outbox (loopback only).")
    var demo = false

    func run() async throws {
        var settings = ServerConfiguration()
        do {
            if let config { try settings.apply(file: config) }
            try settings.apply(environment: ProcessInfo.processInfo.environment)
            if let host { settings.host = host }
            if let port { settings.port = port }
            if let database { settings.database = database }
            if let trustedProxies { try settings.apply(values: ["trustedProxies": trustedProxies], source: "flags") }
            if let passkeyRpId { try settings.apply(values: ["passkeyRpId": passkeyRpId], source: "flags") }
            if let passkeyOrigins { try settings.apply(values: ["passkeyOrigins": passkeyOrigins], source: "flags") }
            if let logLevel { settings.logLevel = logLevel }
            if let keys { settings.keysFile = keys }
            if demo { settings.demo = true }
            if benchmarkRoutes { settings.benchmarkMode = true }
            try settings.validate()
            if benchmarkUsers > 0 && !benchmarkRoutes { Self.fail("--benchmark-users goes with --benchmark-routes") }
        } catch let error as StepupError {
            Self.fail(error.message)
        }

        let level = Logger.Level(rawValue: settings.logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "stepup")
        let environment = ProcessInfo.processInfo.environment

        var builder = StepupBuilder(configuration: settings, environment: environment)
        builder.logger = logger
        // The example extensions are part of the demo bank, not of a production platform.
        if settings.demo {
            builder.register(TransfersExtension())
            builder.register(PassphraseExtension())
        }
        if benchmarkRoutes { builder.register(BenchmarkExtension()) }
        do {
            if let identityProvider = try IdentityProviderSettings.extensionFromEnvironment(environment) {
                builder.register(identityProvider)
            }
        } catch let failure as OIDCFailure {
            Self.fail(failure.stepupError.message)
        }
        for mount in `extension` {
            let parts = mount.split(separator: "=", maxSplits: 1).map(String.init)
            let variable = "STEPUP_EXTENSION_KEY_" + (parts.first ?? "").uppercased().replacingOccurrences(of: "-", with: "_")
            guard parts.count == 2, let key = environment[variable] else {
                Self.fail("--extension takes NAME=URL, with the key in \(variable)")
            }
            let service = RegisteredExtension(name: parts[0], baseURL: parts[1], key: key)
            // Refused before the database, the key file or the demo bank exist: a bad flag leaves nothing behind.
            do { try service.validate() } catch let error as StepupError { Self.fail("--extension \(parts[0]): \(error.message)") }
            builder.register(service: service)
        }

        let stepup: StepupInstance
        do {
            stepup = try await builder.build()
        } catch let error as StepupError {
            Self.fail(error.message)
        }
        let platform = stepup.platform
        if settings.demo {
            let seeded = try await DemoBank.seedIfEmpty(platform)
            Self.printDemoHelp(settings: settings, seeded: seeded)
        }
        if benchmarkUsers > 0 { try await BenchmarkUsers.seed(benchmarkUsers, on: platform) }

        let app = try stepup.application()
        logger.info(
            "stepup serving",
            metadata: ["host": "\(settings.host)", "port": "\(settings.port)", "database": "\(settings.database)"])
        do {
            try await app.runService()
        } catch {
            // Most often the port is taken; say so in one line and close the store cleanly instead of crashing.
            await stepup.close()
            Self.fail("cannot serve on \(settings.host):\(settings.port): \(String(describing: error).split(separator: "\n").first ?? "")")
        }
        await stepup.close()
    }

    static func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("stepup: \(message)\n".utf8))
        Foundation.exit(1)
    }

    static func printDemoHelp(settings: ServerConfiguration, seeded: Bool) {
        let base = "http://\(settings.host):\(settings.port)"
        var text = seeded ? "Demo bank seeded into \(settings.database).\n" : "Demo bank in \(settings.database).\n"
        text += "Sign in with one of:\n"
        for user in DemoBank.users {
            let mfa = user.logonMFA == .always ? "logon MFA" : "no logon MFA"
            text += "  \(user.username) / \(user.password)   (\(mfa))\n"
        }
        text += "Codes sent in demo mode appear at \(base)/dev/outbox.\n"
        text += "The example transfer extension is at \(base)/ext/transfers/form (submit needs MFA).\n"
        text += "alice's access token uses the RFC 6238 test key (ASCII 12345678901234567890, SHA-1, 6 digits).\n"
        FileHandle.standardOutput.write(Data(text.utf8))
    }
}
