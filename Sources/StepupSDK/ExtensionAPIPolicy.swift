import StepupCore

/// Who an extension may act for, written once for every host (in process, the service's platform route, the test
/// kit): the user API acts as the signed-in user, so it is refused before logon has completed; the back-office API
/// acts by user id, for the session's own user only, so an extension cannot reach another customer's data.
///
/// Hosts wrap their own unchecked implementations in these.
package struct PolicedUserAPI: UserAPI {
    let isAuthenticated: Bool
    let base: any UserAPI

    package init(isAuthenticated: Bool, base: any UserAPI) {
        self.isAuthenticated = isAuthenticated
        self.base = base
    }

    private func check() throws {
        guard isAuthenticated else {
            throw StepupError(.notAuthenticated, message: "The user API needs a completed logon; use the back-office API.")
        }
    }

    package func profile() async throws -> UserProfile {
        try check()
        return try await base.profile()
    }

    package func accounts() async throws -> [Account] {
        try check()
        return try await base.accounts()
    }

    package func acceptDisclaimer(id: String) async throws {
        try check()
        try await base.acceptDisclaimer(id: id)
    }

    package func transfer(_ request: TransferRequest) async throws -> TransferReceipt {
        try check()
        return try await base.transfer(request)
    }
}

/// See ``PolicedUserAPI``.
package struct PolicedBackOfficeAPI: BackOfficeAPI {
    let sessionUserID: String
    let base: any BackOfficeAPI

    package init(sessionUserID: String, base: any BackOfficeAPI) {
        self.sessionUserID = sessionUserID
        self.base = base
    }

    private func check(_ userID: String) throws {
        guard userID == sessionUserID else {
            throw StepupError(.forbidden, message: "The back-office API acts only for the session's own user.")
        }
    }

    package func profile(userID: String) async throws -> UserProfile {
        try check(userID)
        return try await base.profile(userID: userID)
    }

    package func accounts(userID: String) async throws -> [Account] {
        try check(userID)
        return try await base.accounts(userID: userID)
    }

    package func markDisclaimerAccepted(userID: String, id: String) async throws {
        try check(userID)
        try await base.markDisclaimerAccepted(userID: userID, id: id)
    }
}
