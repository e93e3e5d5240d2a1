import Foundation
import Hummingbird
import Logging
import StepupCore
import StepupPlatform
import StepupSDK
import StepupStore

/// Builds the Stepup HTTP application from a platform and a configuration.
///
/// ```swift
/// let app = StepupApp.make(platform: platform, configuration: configuration, logger: logger)
/// try await app.runService()
/// ```
public enum StepupApp {
    /// The router with every route and middleware; tests drive it without a socket.
    public static func router(
        platform: Platform, configuration: ServerConfiguration, outbox: DevOutbox? = nil,
        extensions: [any Extension] = []
    ) throws -> Router<StepupRequestContext> {
        let router = Router(context: StepupRequestContext.self)
        router.add(middleware: RequestLogMiddleware(bodyLimit: configuration.maxBodyBytes, configuration: configuration))
        router.add(middleware: ErrorMiddleware())
        let gate = SessionGate(platform: platform, configuration: configuration)
        // The outbox only in demo and benchmark modes, both loopback only.
        OperationalRoutes(platform: platform, outbox: configuration.demo || configuration.benchmarkMode ? outbox : nil).add(to: router)
        SessionRoutes(platform: platform, gate: gate).add(to: router)
        SecurityRoutes(platform: platform, gate: gate).add(to: router)
        MFARoutes(
            platform: platform, gate: gate,
            entryRoutes: Dictionary(extensions.map { ($0.name, $0.entryRoute) }, uniquingKeysWith: { a, _ in a }),
            authorizationOrigins: Dictionary(extensions.map { ($0.name, $0.authorizationOrigins) }, uniquingKeysWith: { a, _ in a }))
            .add(to: router)
        let mounted = Dictionary(extensions.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        ExtensionRoutes(platform: platform, gate: gate, extensions: mounted, forwarder: RemoteExtensionForwarder(platform: platform))
            .add(to: router)
        ExtensionPlatformRoutes(platform: platform).add(to: router)
        WebPages(platform: platform, gate: gate, library: try WebPages.loadLibrary(), extensions: extensions).add(to: router)
        return router
    }

    public static func make(
        platform: Platform, configuration: ServerConfiguration, outbox: DevOutbox? = nil,
        extensions: [any Extension] = [], logger: Logger
    ) throws -> some ApplicationProtocol {
        Application(
            router: try router(platform: platform, configuration: configuration, outbox: outbox, extensions: extensions),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "stepup"),
            logger: logger)
    }
}
