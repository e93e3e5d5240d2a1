import StepupCore

/// Data objects that pick the user API or the back-office API from ``ExtensionRequest/isAuthenticated`` themselves,
/// so one extension works both inside logon (external MFA) and after it.
public enum Profile {
    public static func read(for request: ExtensionRequest) async throws -> UserProfile {
        request.isAuthenticated
            ? try await request.platform.user.profile()
            : try await request.platform.backOffice.profile(userID: request.onlineUser.id)
    }
}

public enum Accounts {
    public static func list(for request: ExtensionRequest) async throws -> [Account] {
        request.isAuthenticated
            ? try await request.platform.user.accounts()
            : try await request.platform.backOffice.accounts(userID: request.onlineUser.id)
    }
}

public enum Disclaimer {
    public static func accept(id: String, for request: ExtensionRequest) async throws {
        if request.isAuthenticated {
            try await request.platform.user.acceptDisclaimer(id: id)
        } else {
            try await request.platform.backOffice.markDisclaimerAccepted(userID: request.onlineUser.id, id: id)
        }
    }
}
