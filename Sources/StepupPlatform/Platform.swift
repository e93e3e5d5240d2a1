import Foundation
import Logging
import StepupCore
import StepupStore

/// The platform (the seeds' HQ): it owns users, sessions and every MFA decision.
///
/// Services are extensions on this type, one file each (`Platform+Logon.swift`, `Platform+MFA.swift`, …); each public
/// method is one or two store transactions and appends its audit events in the same transaction as its change.
public final class Platform: Sendable {
    public let store: any Store
    public let clock: any StepupClock
    public let configuration: PlatformConfiguration
    public let channels: DeliveryChannels
    public let hasher: PasswordHasher
    /// Seals secrets the platform must read back (TOTP secrets). Nil only for admin tools that never touch them:
    /// then sealing or opening is a `configuration_invalid` error, never a silently generated key.
    public let keys: KeySet?
    /// EDV rules written in Swift; they run together with the data rules, by position.
    public let swiftEDVRules: [any EDVRule]
    /// In-process extensions that serve MFA contexts as external MFA: name → context kinds.
    public let externalMFAProviders: [String: [String]]
    let logger: Logger

    public init(
        store: any Store, keys: KeySet?, clock: any StepupClock = SystemClock(),
        configuration: PlatformConfiguration = .init(),
        channels: DeliveryChannels = .init(), edvRules: [any EDVRule] = [],
        externalMFAProviders: [String: [String]] = [:], logger: Logger = Logger(label: "stepup.platform")
    ) {
        self.externalMFAProviders = externalMFAProviders
        self.swiftEDVRules = edvRules
        self.keys = keys
        self.store = store
        self.clock = clock
        self.configuration = configuration
        self.channels = channels
        self.hasher = PasswordHasher(cost: configuration.bcryptCost)
        self.logger = logger
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
}
