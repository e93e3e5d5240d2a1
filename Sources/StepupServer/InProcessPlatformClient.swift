import Foundation
import StepupCore
import StepupPlatform
import StepupSDK

/// The `PlatformClient` of an extension hosted in this process: direct calls into the platform, bound to the one
/// session and user the request serves.
struct InProcessPlatformClient: PlatformClient {
    let platform: Platform
    let session: Session
    /// The extension the client serves: external MFA tokens are accepted only from the user's own provider.
    let extensionName: String

    func setExternalMFAToken(_ token: String) async throws {
        try await platform.setExternalMFAToken(token, extensionName: extensionName, session: session)
    }

    func issueExternalMFAToken() async throws -> String {
        try await platform.issueExternalMFAToken(extensionName: extensionName, session: session)
    }

    func beginExternalMFAAttempt() async throws -> String {
        try await platform.beginExternalAttempt(extensionName: extensionName, session: session)
    }

    func finishExternalMFAAttempt(_ attemptID: String, succeeded: Bool) async throws -> String {
        try await platform.finishExternalAttempt(
            attemptID, succeeded: succeeded, extensionName: extensionName, session: session)
    }

    func recordEvent(_ action: String, succeeded: Bool, details: [String: String]) async throws {
        try await platform.recordExtensionEvent(
            action, succeeded: succeeded, details: details, extensionName: extensionName, session: session)
    }

    var user: any UserAPI {
        PolicedUserAPI(isAuthenticated: session.stage == .authenticated, base: InProcessUserAPI(platform: platform, session: session))
    }
    var backOffice: any BackOfficeAPI {
        PolicedBackOfficeAPI(sessionUserID: session.userID, base: InProcessBackOfficeAPI(platform: platform))
    }
}

/// The user API in process, for the session's user; ``PolicedUserAPI`` refuses it before logon has completed.
struct InProcessUserAPI: UserAPI {
    let platform: Platform
    let session: Session

    func profile() async throws -> UserProfile { try await platform.profile(userID: session.userID) }
    func accounts() async throws -> [Account] { try await platform.accounts(userID: session.userID) }
    func acceptDisclaimer(id: String) async throws { try await platform.acceptDisclaimer(userID: session.userID, disclaimerID: id) }
    func transfer(_ request: TransferRequest) async throws -> TransferReceipt { try await platform.transfer(request, session: session) }
}

/// The back-office API in process; ``PolicedBackOfficeAPI`` limits it to the session's own user.
struct InProcessBackOfficeAPI: BackOfficeAPI {
    let platform: Platform

    func profile(userID: String) async throws -> UserProfile { try await platform.profile(userID: userID) }
    func accounts(userID: String) async throws -> [Account] { try await platform.accounts(userID: userID) }
    func markDisclaimerAccepted(userID: String, id: String) async throws {
        try await platform.acceptDisclaimer(userID: userID, disclaimerID: id)
    }
}

/// The guard's view of the platform for one session.
struct PlatformGuardBackend: MFAGuardBackend {
    let platform: Platform
    let session: Session

    func satisfy(contexts: [MFAContext], freshFor: Int?, level: AssuranceLevel) async throws -> MFAContext? {
        try await platform.satisfy(contexts: contexts, freshFor: freshFor, level: level, session: session)
    }

    func openChallenge(for context: MFAContext, level: AssuranceLevel) async throws -> String {
        try await platform.openChallenge(session: session, context: context, level: level).id
    }

    func challenge(id: String) async throws -> (state: ChallengeState, context: MFAContext)? {
        try await platform.challengeState(id: id, session: session)
    }

    func completionLifetime() async throws -> Int {
        try await platform.systemProperties().mfaFreshness
    }

    func evaluateEvent(action: String, details: [String: String], linked: MFAContext?, level: AssuranceLevel) async throws
        -> EDVOutcome
    {
        try await platform.evaluateEvent(action: action, details: details, linked: linked, level: level, session: session)
    }
}
