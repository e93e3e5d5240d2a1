import Foundation
import StepupCore
import StepupStore
import Testing

@testable import StepupPlatform

@Suite("TOTP secrets under key rotation")
struct KeyRotationTests {
    @Test func aTokenEnrolledBeforeARotationStillVerifiesAfterIt() async throws {
        let oldKeys = try KeySet.generate(id: "k1")
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("stepup-keys-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("db.sqlite").path
        let clock = ManualClock()
        var configuration = PlatformConfiguration()
        configuration.bcryptCost = 4

        let before = Platform(store: try await SQLiteStore.open(path: path), keys: oldKeys, clock: clock, configuration: configuration)
        let user = try await before.createUser(username: "hana", displayName: "Hana", password: "pw", logonMFA: .always)
        try await before.addAccessToken(userID: user.id, secret: Array("12345678901234567890".utf8))
        let stored = try await before.store.read { try await $0.accessTokens(userID: user.id) }
        #expect(stored.first?.sealedSecret.hasPrefix("v1:k1:") == true)
        #expect(stored.first?.sealedSecret.contains("GEZDGNBV") == false)
        await before.store.close()

        let after = Platform(store: try await SQLiteStore.open(path: path), keys: try oldKeys.rotated(newID: "k2"), clock: clock, configuration: configuration)
        let logon = try await after.logon(username: "hana", password: "pw", clientAddress: nil)
        let code = try TOTP(secret: Array("12345678901234567890".utf8)).code(at: clock.now)
        let result = try await after.verifyToken(challengeID: try #require(logon.challenge).id, token: code, session: logon.issued.session)
        #expect(result.issued.session.stage == .authenticated)
        let newToken = try await after.addAccessToken(userID: user.id)
        let sealedNew = try await after.store.read { try await $0.accessTokens(userID: user.id) }.first { $0.id == newToken.id }
        #expect(sealedNew?.sealedSecret.hasPrefix("v1:k2:") == true)
        await after.store.close()

        let wrongKeys = Platform(store: try await SQLiteStore.open(path: path), keys: try KeySet.generate(id: "k1"), clock: clock, configuration: configuration)
        let again = try await wrongKeys.logon(username: "hana", password: "pw", clientAddress: nil)
        let refused = await stepupError { _ = try await wrongKeys.verifyToken(challengeID: try #require(again.challenge).id, token: code, session: again.issued.session) }
        #expect(refused?.code == .configurationInvalid)
        await wrongKeys.store.close()
    }
}
