import Foundation
import Hummingbird
import Logging
import StepupCore
import StepupPlatform
import StepupSDK
import StepupStore

/// The composition root: what `stepup serve`, the test fixtures and a bank's own server package build Stepup with.
///
/// Register extensions, extension services, Swift EDV rules, MFA methods and delivery providers, then ``build()``:
/// the store the configuration names is opened (or the one given is used), the platform assembled, and a
/// ``StepupInstance`` answers the router and the application.
///
/// ```swift
/// var builder = StepupBuilder(configuration: configuration)
/// builder.register(TransfersExtension())
/// try builder.register(edvRule: NightTimeTransfers())
/// try builder.register(method: CardCodeMethod())
/// builder.register(provider: MySMSProvider(), for: .sms)
/// let stepup = try await builder.build()
/// try await stepup.application().runService()
/// await stepup.close()
/// ```
public struct StepupBuilder: Sendable {
    public var configuration: ServerConfiguration
    /// Where `STEPUP_*` secrets come from (SMTP password, webhook secret, the key set).
    public var environment: [String: String]
    public var clock: any StepupClock = SystemClock()
    public var logger = Logger(label: "stepup")
    /// Platform settings not in ``ServerConfiguration`` (logon throttles); bank name and bcrypt cost are taken
    /// from the configuration when they are left at their defaults.
    public var platformConfiguration = PlatformConfiguration()
    /// A store to use instead of opening the configured database; closed by ``StepupInstance/close()`` all the same.
    public var store: (any Store)?
    /// A key set to use instead of loading the configured one.
    public var keys: KeySet?
    /// The dev outbox; by default one in demo and benchmark modes only. When set, it takes every kind without a
    /// provider.
    public var outbox: DevOutbox?

    public private(set) var extensions: [any Extension] = []
    public private(set) var services: [RegisteredExtension] = []
    public private(set) var edvRules: [any EDVRule] = []
    public private(set) var methods: [any MFAMethod] = []
    public private(set) var providers: [(kind: TargetKind, provider: any DeliveryProvider)] = []

    public init(configuration: ServerConfiguration, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.configuration = configuration
        self.environment = environment
        if configuration.demo || configuration.benchmarkMode {
            outbox = DevOutbox(capacity: configuration.benchmarkMode ? 5000 : 200)
        }
    }

    /// Mounts an extension in process, at `/ext/{name}`.
    public mutating func register(_ ext: any Extension) { extensions.append(ext) }

    /// Mounts an extension served as its own service; its registry row is written when the instance is built.
    public mutating func register(service: RegisteredExtension) { services.append(service) }

    /// Adds a Swift EDV rule; rules run by position together with the data rules. Two Swift rules with one id are
    /// a configuration error: the audit trail names the rule that decided by its id.
    public mutating func register(edvRule: any EDVRule) throws {
        guard !edvRules.contains(where: { $0.id == edvRule.id }) else {
            throw StepupError(.configurationInvalid, message: "two Swift EDV rules are registered as \(edvRule.id)")
        }
        edvRules.append(edvRule)
    }

    /// Adds a way of proving a factor, offered after the built-in ones. A method with a built-in's id replaces it;
    /// two added methods with one id, or an id that is not 1–32 of `a-z0-9_`, are a configuration error.
    public mutating func register(method: any MFAMethod) throws {
        guard MFAMethodID.isValid(method.id.rawValue) else {
            throw StepupError(.configurationInvalid, message: "an MFA method id has 1 to 32 of a-z, 0-9 and _: \(method.id)")
        }
        guard method.id != .exemption else {
            throw StepupError(.configurationInvalid, message: "exemption names the EDV exemptions, not a method")
        }
        guard !methods.contains(where: { $0.id == method.id }) else {
            throw StepupError(.configurationInvalid, message: "two MFA methods are registered as \(method.id)")
        }
        methods.append(method)
    }

    /// Delivers codes for targets of `kind` through `provider`, instead of what the configuration names.
    public mutating func register(provider: any DeliveryProvider, for kind: TargetKind) {
        providers.append((kind, provider))
    }

    /// The delivery providers: the configuration's (SMTP, webhooks), then the registered ones over them.
    func deliveryProviders() throws -> DeliveryProviders {
        var delivery = try configuration.deliveryProviders(environment: environment, outbox: outbox)
        for (kind, provider) in providers { delivery.register(provider, for: kind) }
        return delivery
    }

    /// Opens the store, assembles the platform and registers the extension services.
    public func build() async throws -> StepupInstance {
        try configuration.validate()
        let keys = try self.keys ?? KeySource.load(configuration, environment: environment, createIfMissing: configuration.demo)
        let delivery = try deliveryProviders()
        let store: any Store
        if let given = self.store {
            store = given
        } else {
            store = try await StoreFactory.open(configuration, logger: Logger(label: "stepup.store"))
        }
        var platformConfiguration = self.platformConfiguration
        let defaults = PlatformConfiguration()
        if platformConfiguration.bankName == defaults.bankName { platformConfiguration.bankName = configuration.bankName }
        if platformConfiguration.bcryptCost == defaults.bcryptCost { platformConfiguration.bcryptCost = UInt8(configuration.bcryptCost) }
        if platformConfiguration.passkeys == nil { platformConfiguration.passkeys = try configuration.passkeySettings() }
        let providers = Dictionary(
            extensions.filter { !$0.externalMFAContexts.isEmpty }.map { ($0.name, $0.externalMFAContexts) },
            uniquingKeysWith: { first, _ in first })
        let platform = Platform(
            store: store, keys: keys, clock: clock, configuration: platformConfiguration, delivery: delivery,
            edvRules: edvRules, externalMFAProviders: providers, methods: methods, logger: Logger(label: "stepup.platform"))
        do {
            for service in services { try await platform.register(service) }
        } catch {
            await store.close()
            throw error
        }
        return StepupInstance(
            platform: platform, configuration: configuration, outbox: outbox, extensions: extensions, store: store, logger: logger)
    }
}

/// A built Stepup: its platform, and the HTTP application serving it.
public struct StepupInstance: Sendable {
    public let platform: Platform
    public let configuration: ServerConfiguration
    public let outbox: DevOutbox?
    public let extensions: [any Extension]
    let store: any Store
    let logger: Logger

    /// Every route and middleware; tests drive it without a socket.
    public func router() throws -> Router<StepupRequestContext> {
        try StepupApp.router(platform: platform, configuration: configuration, outbox: outbox, extensions: extensions)
    }

    /// The application on the configured host and port.
    public func application() throws -> some ApplicationProtocol {
        try StepupApp.make(platform: platform, configuration: configuration, outbox: outbox, extensions: extensions, logger: logger)
    }

    /// Closes the store; call it once the application has stopped.
    public func close() async { await store.close() }
}
