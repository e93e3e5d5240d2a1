import Foundation
import StepupCore
import StepupSDK

/// The platform client an extension's handler gets in tests: the hosts' one API policy over the test platform.
struct TestPlatformClient: PlatformClient {
    let platform: TestPlatform
    let isAuthenticated: Bool

    func setExternalMFAToken(_ token: String) async throws {
        try ExternalMFATokenRule.validate(token)
        platform.recordExternalToken(token)
    }

    func issueExternalMFAToken() async throws -> String {
        let token = SecureRandom.token(bits: 256)
        platform.recordExternalToken(token)
        return token
    }

    func recordEvent(_ action: String, succeeded: Bool, details: [String: String]) async throws {
        try ExtensionEventLimits.validate(action: action, details: details)
        platform.record(.init(action: action, succeeded: succeeded, details: details))
    }

    func beginExternalMFAAttempt() async throws -> String { try platform.beginAttempt() }

    func finishExternalMFAAttempt(_ attemptID: String, succeeded: Bool) async throws -> String {
        try platform.finishAttempt(attemptID, succeeded: succeeded)
    }

    var user: any UserAPI { PolicedUserAPI(isAuthenticated: isAuthenticated, base: TestUserAPI(platform: platform)) }
    var backOffice: any BackOfficeAPI {
        PolicedBackOfficeAPI(sessionUserID: platform.userID, base: TestBackOfficeAPI(platform: platform))
    }
}

/// The user API of the test kit; the hosts' one policy (``PolicedUserAPI``) refuses it before logon.
struct TestUserAPI: UserAPI {
    let platform: TestPlatform

    func profile() async throws -> UserProfile { platform.profile }
    func accounts() async throws -> [Account] { platform.accounts }
    func acceptDisclaimer(id: String) async throws { try platform.acceptDisclaimer(id) }
    func transfer(_ request: TransferRequest) async throws -> TransferReceipt { try platform.transfer(request) }
}

/// The back-office API of the test kit, limited to the test user by ``PolicedBackOfficeAPI``.
struct TestBackOfficeAPI: BackOfficeAPI {
    let platform: TestPlatform

    func profile(userID: String) async throws -> UserProfile { platform.profile }
    func accounts(userID: String) async throws -> [Account] { platform.accounts }
    func markDisclaimerAccepted(userID: String, id: String) async throws { try platform.acceptDisclaimer(id) }
}
