import Foundation
import Logging
import StepupCore
import StepupStore

/// The platform (the seeds' HQ): it owns users, sessions and every MFA decision.
///
/// Services are extensions on this type, one file each (`Platform+Logon.swift`, `Platform+Verification.swift`, …);
/// each public method is one or two store transactions and appends its audit events in the same transaction as its
/// change. The ways of proving a factor are ``MFAMethod``s in ``methods``; codes go out through ``delivery``.
public final class Platform: Sendable {
    /// The store is the platform's own: callers go through the platform's methods, which audit and lock.
    let store: any Store
    public let clock: any StepupClock
    public let configuration: PlatformConfiguration
    /// The delivery provider of each target kind.
    public let delivery: DeliveryProviders
    public let hasher: PasswordHasher
    /// Seals secrets the platform must read back (TOTP secrets). Nil only for admin tools that never touch them:
    /// then sealing or opening is a `configuration_invalid` error, never a silently generated key.
    public let keys: KeySet?
    /// EDV rules written in Swift; they run together with the data rules, by position.
    public let swiftEDVRules: [any EDVRule]
    /// Who is whose external MFA: in-process providers and the registry's.
    public let directory: ExtensionDirectory
    /// The ways of proving a factor, built-in ones first, in the order the dialog offers them.
    public let methods: MFAMethods
    let logger: Logger

    /// - Parameters:
    ///   - externalMFAProviders: in-process extensions that serve MFA contexts as external MFA: name → context kinds.
    ///   - methods: a bank's own methods, offered after the built-in ones (passkey, access code, access token,
    ///     external token); one with a built-in's id replaces it.
    public init(
        store: any Store, keys: KeySet?, clock: any StepupClock = SystemClock(),
        configuration: PlatformConfiguration = .init(),
        delivery: DeliveryProviders = .init(), edvRules: [any EDVRule] = [],
        externalMFAProviders: [String: [String]] = [:], methods: [any MFAMethod] = [],
        logger: Logger = Logger(label: "stepup.platform")
    ) {
        let directory = ExtensionDirectory(inProcess: externalMFAProviders)
        self.directory = directory
        self.swiftEDVRules = edvRules
        self.keys = keys
        self.store = store
        self.clock = clock
        self.configuration = configuration
        self.delivery = delivery
        self.hasher = PasswordHasher(cost: configuration.bcryptCost)
        self.logger = logger
        // A passkey first: the dialog opens on the first offer, and the phishing-resistant way should be the easy one.
        let builtIn: [any MFAMethod] = [
            PasskeyMethod(settings: configuration.passkeys),
            AccessCodeMethod(delivery: delivery, bankName: configuration.bankName, logger: logger),
            AccessTokenMethod(keys: keys),
            ExternalTokenMethod(directory: directory),
            RecoveryCodeMethod(),
        ]
        self.methods = MFAMethods(builtIn: builtIn, added: methods)
    }

    /// Runs a write whose body may *refuse* without rolling back: what it wrote (a counted attempt, an audit event,
    /// an expired state) commits, and the refusal is thrown afterwards.
    func commit<T: Sendable>(_ body: @Sendable @escaping (StoreTransaction) async throws -> Result<T, StepupError>)
        async throws -> T
    {
        try await store.write(body).get()
    }

    public func systemProperties() async throws -> SystemProperties {
        try await store.read { try await $0.systemProperties() }
    }

    /// Whether the store answers, for `/ready`.
    public func isStoreReachable() async -> Bool { await store.isReachable() }
}
