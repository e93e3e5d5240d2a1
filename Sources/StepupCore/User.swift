/// When a user must pass MFA to sign in.
public enum LogonMFAPolicy: String, Sendable, Codable, CaseIterable {
    /// Every logon asks for a second factor.
    case always
    /// Password alone signs in; step-up still applies inside the session.
    case never
}

/// What the bank records of a customer beyond the sign-in name: each field optional, as a bank's core system may
/// not hand all of them over.
public struct CustomerDetails: Sendable, Codable, Equatable {
    public var firstName: String?
    public var lastName: String?
    public var email: String?
    /// The customer's number in the bank's core system (not the username).
    public var customerNumber: String?

    public init(firstName: String? = nil, lastName: String? = nil, email: String? = nil, customerNumber: String? = nil) {
        self.firstName = firstName
        self.lastName = lastName
        self.email = email
        self.customerNumber = customerNumber
    }

    /// Refuses what a bank's record would not hold: names of 1 to 100 characters without control characters, an
    /// email address with one `@` (at most 254 characters), a customer number of 1 to 32 letters, digits or `-`.
    public func validate() throws {
        func name(_ value: String?, _ field: String) throws {
            guard let value else { return }
            guard (1...100).contains(value.count), !value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
            else { throw StepupError(.badRequest, message: "The \(field) has 1 to 100 characters and no control characters.") }
        }
        try name(firstName, "first name")
        try name(lastName, "last name")
        if let email {
            let parts = email.split(separator: "@", omittingEmptySubsequences: false)
            guard email.count <= 254, parts.count == 2, !parts[0].isEmpty, parts[1].contains("."),
                !email.contains(where: { $0.isWhitespace })
            else { throw StepupError(.badRequest, message: "The email address is not valid.") }
        }
        if let customerNumber {
            guard (1...32).contains(customerNumber.count),
                customerNumber.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") })
            else { throw StepupError(.badRequest, message: "A customer number has 1 to 32 letters, digits or '-'.") }
        }
    }
}

/// An online-banking user.
public struct User: Sendable, Codable, Equatable, Identifiable {
    public let id: String
    public let username: String
    public var displayName: String
    /// A bcrypt hash; never a password.
    public var passwordHash: String
    public var logonMFA: LogonMFAPolicy
    public var details: CustomerDetails

    public init(
        id: String, username: String, displayName: String, passwordHash: String, logonMFA: LogonMFAPolicy,
        details: CustomerDetails = CustomerDetails()
    ) {
        self.id = id
        self.username = username
        self.displayName = displayName
        self.passwordHash = passwordHash
        self.logonMFA = logonMFA
        self.details = details
    }
}
