/// When a user must pass MFA to sign in.
public enum LogonMFAPolicy: String, Sendable, Codable, CaseIterable {
    /// Every logon asks for a second factor.
    case always
    /// Password alone signs in; step-up still applies inside the session.
    case never
}

/// An online-banking user.
public struct User: Sendable, Codable, Equatable, Identifiable {
    public let id: String
    public let username: String
    public var displayName: String
    /// A bcrypt hash; never a password.
    public var passwordHash: String
    public var logonMFA: LogonMFAPolicy

    public init(id: String, username: String, displayName: String, passwordHash: String, logonMFA: LogonMFAPolicy) {
        self.id = id
        self.username = username
        self.displayName = displayName
        self.passwordHash = passwordHash
        self.logonMFA = logonMFA
    }
}
