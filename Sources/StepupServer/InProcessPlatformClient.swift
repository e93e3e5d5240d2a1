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

    var user: any UserAPI { InProcessUserAPI(platform: platform, session: session) }
    var backOffice: any BackOfficeAPI { InProcessBackOfficeAPI(platform: platform, session: session) }
}

/// Acts as the signed-in user; refuses before logon has completed.
struct InProcessUserAPI: UserAPI {
    let platform: Platform
    let session: Session

    private func requireAuthenticated() throws {
        guard session.stage == .authenticated else {
            throw StepupError(.notAuthenticated, message: "The user API needs a completed logon; use the back-office API.")
        }
    }

    func profile() async throws -> UserProfile {
        try requireAuthenticated()
        return try await platform.profile(userID: session.userID)
    }

    func accounts() async throws -> [Account] {
        try requireAuthenticated()
        return try await platform.accounts(userID: session.userID)
    }

    func acceptDisclaimer(id: String) async throws {
        try requireAuthenticated()
        try await platform.acceptDisclaimer(userID: session.userID, disclaimerID: id)
    }

    func transfer(_ request: TransferRequest) async throws -> TransferReceipt {
        try requireAuthenticated()
        return try await platform.transfer(request, session: session)
    }
}

/// Acts by user id, for the session's own user only: an extension cannot reach another customer's data.
struct InProcessBackOfficeAPI: BackOfficeAPI {
    let platform: Platform
    let session: Session

    private func requireOwnUser(_ userID: String) throws {
        guard userID == session.userID else {
            throw StepupError(.forbidden, message: "The back-office API acts only for the session's own user.")
        }
    }

    func profile(userID: String) async throws -> UserProfile {
        try requireOwnUser(userID)
        return try await platform.profile(userID: userID)
    }

    func accounts(userID: String) async throws -> [Account] {
        try requireOwnUser(userID)
        return try await platform.accounts(userID: userID)
    }

    func markDisclaimerAccepted(userID: String, id: String) async throws {
        try requireOwnUser(userID)
        try await platform.acceptDisclaimer(userID: userID, disclaimerID: id)
    }
}

/// The guard's view of the platform for one session.
struct PlatformGuardBackend: MFAGuardBackend {
    let platform: Platform
    let session: Session

    func satisfy(contexts: [MFAContext], freshFor: Int?) async throws -> MFAContext? {
        try await platform.satisfy(contexts: contexts, freshFor: freshFor, session: session)
    }

    func openChallenge(for context: MFAContext) async throws -> String {
        try await platform.openChallenge(session: session, context: context).id
    }

    func challenge(id: String) async throws -> (state: ChallengeState, context: MFAContext)? {
        try await platform.challengeState(id: id, session: session)
    }

    func completionLifetime() async throws -> Int {
        try await platform.systemProperties().mfaFreshness
    }

    func evaluateEvent(action: String, details: [String: String], linked: MFAContext?) async throws -> EDVOutcome {
        try await platform.evaluateEvent(action: action, details: details, linked: linked, session: session)
    }
}
