import Foundation
import StepupCore
import StepupStore

@testable import StepupPlatform

/// A platform on a real SQLite file in a temporary folder, with a manual clock, cheap bcrypt and an outbox that
/// records every message.
final class PlatformFixture: Sendable {
    let folder: URL
    let store: SQLiteStore
    let clock = ManualClock()
    let outbox = DevOutbox()
    let platform: Platform

    static let password = "correct horse battery staple"

    init(channels: DeliveryProviders? = nil, edvRules: [any EDVRule] = [], keys: KeySet? = nil,
         externalMFAProviders: [String: [String]] = [:], methods: [any MFAMethod] = [],
         passkeys: PasskeySettings? = nil) async throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("stepup-platform-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        store = try await SQLiteStore.open(path: folder.appendingPathComponent("stepup.sqlite").path)
        var configuration = PlatformConfiguration()
        configuration.bcryptCost = 4
        configuration.logonFailuresPerUser = 4
        configuration.logonFailuresPerAddress = 6
        configuration.passkeys = passkeys
        platform = Platform(
            store: store, keys: try keys ?? KeySet.generate(), clock: clock, configuration: configuration, delivery: channels ?? DeliveryProviders(fallback: outbox),
            edvRules: edvRules, externalMFAProviders: externalMFAProviders, methods: methods)
    }

    deinit { try? FileManager.default.removeItem(at: folder) }

    func close() async { await store.close() }

    /// A user with one target of each kind and, optionally, a TOTP token on the RFC 6238 key.
    @discardableResult
    func makeUser(_ name: String = "alice", logonMFA: LogonMFAPolicy = .always, token: Bool = true) async throws -> User {
        let user = try await platform.createUser(username: name, displayName: name.capitalized, password: Self.password, logonMFA: logonMFA)
        try await platform.addTarget(userID: user.id, kind: .email, address: "\(name)@example.com")
        try await platform.addTarget(userID: user.id, kind: .sms, address: "+1555010\(name.count)")
        try await platform.addTarget(userID: user.id, kind: .voice, address: "+1555020\(name.count)")
        try await platform.addTarget(userID: user.id, kind: .push, address: "device-\(name)")
        if token { try await platform.addAccessToken(userID: user.id, secret: Array("12345678901234567890".utf8)) }
        return user
    }

    /// Signs in with the right password; returns the logon result (pre-authenticated when the user needs MFA).
    func logon(_ name: String = "alice", address: String = "10.0.0.1") async throws -> LogonResult {
        try await platform.logon(username: name, password: Self.password, clientAddress: address)
    }

    func target(_ kind: TargetKind, of challengeID: String, session: Session) async throws -> MethodChoice {
        try await platform.describeChallenge(id: challengeID, session: session).offer(.accessCode)!.choices.first { $0.kind == kind.rawValue }!
    }

    /// Sends a code to the SMS target and returns it as read from the outbox.
    func sendCode(challengeID: String, session: Session, kind: TargetKind = .sms) async throws -> String {
        let target = try await target(kind, of: challengeID, session: session)
        _ = try await platform.sendCode(challengeID: challengeID, targetID: target.id, session: session)
        return await outbox.all().first!.code
    }

    func currentTOTP(offsetSteps: Int = 0) throws -> String {
        try TOTP(secret: Array("12345678901234567890".utf8)).code(at: clock.now.addingTimeInterval(Double(offsetSteps * 30)))
    }

    func failureCounter(_ user: User) async throws -> FailureCounter? {
        try await store.read { try await $0.failureCounter(userID: user.id) }
    }

    func audit(_ user: User) async throws -> [String] {
        try await platform.auditTrail(userID: user.id).map { "\($0.action):\($0.outcome.rawValue)" }
    }
}

/// Runs `body` and returns the StepupError it threw, or nil.
func stepupError(_ body: () async throws -> Void) async -> StepupError? {
    do {
        try await body()
        return nil
    } catch let error as StepupError {
        return error
    } catch {
        return StepupError(.internal, message: "\(error)")
    }
}

/// A channel that always fails, to prove a failed delivery voids the code and leaves the challenge usable.
struct FailingChannel: DeliveryProvider {
    struct Down: Error {}
    func deliver(_ message: DeliveryMessage) async throws { throw Down() }
}
