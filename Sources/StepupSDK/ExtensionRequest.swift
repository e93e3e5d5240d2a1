import Foundation
import StepupCore

/// The signed-in (or signing-in) user an extension serves.
public struct OnlineUser: Sendable, Equatable {
    public let id: String
    public let username: String
    public let displayName: String
    /// The seeds' `online_user.first_name`; nil when the bank's record has none.
    public let firstName: String?
    public let lastName: String?
    public let email: String?
    /// The customer's number in the bank's core system (not the username).
    public let customerNumber: String?

    public init(
        id: String, username: String, displayName: String, firstName: String? = nil, lastName: String? = nil,
        email: String? = nil, customerNumber: String? = nil
    ) {
        self.id = id
        self.username = username
        self.displayName = displayName
        self.firstName = firstName
        self.lastName = lastName
        self.email = email
        self.customerNumber = customerNumber
    }

    /// The user a profile describes.
    public init(_ profile: UserProfile) {
        self.init(
            id: profile.userID, username: profile.username, displayName: profile.displayName,
            firstName: profile.firstName, lastName: profile.lastName, email: profile.email,
            customerNumber: profile.customerNumber)
    }
}

/// One call of an extension route, as its handler sees it. No server framework type appears here, so a handler can
/// be run by the in-process host, the extension service or a unit test alike.
public struct ExtensionRequest: Sendable {
    public enum Method: String, Sendable, Hashable, CaseIterable {
        case get = "GET"
        case post = "POST"
    }

    /// The extension's name, as the platform routes it.
    public let extensionName: String
    /// The route's routing key (the last path segment of `/ext/{extension}/{route}`).
    public let routingKey: String
    public let method: Method
    /// Query parameters, url-encoded form fields and the top-level scalar fields of a JSON object body, merged
    /// in that order (later wins), as strings.
    public let formFields: [String: String]
    /// The JSON body, if one was sent.
    public let body: JSONValue?
    /// The raw body bytes.
    public let rawBody: [UInt8]
    public let onlineUser: OnlineUser
    /// Whether the session has passed logon. False while an external MFA extension runs inside logon: then the user
    /// API refuses and the back-office API must be used.
    public let isAuthenticated: Bool
    /// Where the extension's assets are served, ending in `/`.
    public let baseAssetsURL: String
    /// How the extension reaches the platform.
    public let platform: any PlatformClient
    /// The MFA in play: for a guarded handler, the completion it consumed; always the user's registration value and
    /// SSO identifier where they exist.
    public internal(set) var mfaInfo: MFAInfo
    /// The challenge the banking app drove for this call, when it retries one (`X-Stepup-Challenge`).
    public let challengeHint: String?

    public init(
        extensionName: String, routingKey: String, method: Method = .post, formFields: [String: String] = [:],
        body: JSONValue? = nil, rawBody: [UInt8] = [], onlineUser: OnlineUser, isAuthenticated: Bool,
        baseAssetsURL: String, platform: any PlatformClient, mfaInfo: MFAInfo = MFAInfo(), challengeHint: String? = nil
    ) {
        self.extensionName = extensionName
        self.routingKey = routingKey
        self.method = method
        self.formFields = formFields
        self.body = body
        self.rawBody = rawBody
        self.onlineUser = onlineUser
        self.isAuthenticated = isAuthenticated
        self.baseAssetsURL = baseAssetsURL
        self.platform = platform
        self.mfaInfo = mfaInfo
        self.challengeHint = challengeHint
    }

    /// Decodes the raw body as JSON of type `T`, or throws `malformed_json`.
    public func decode<T: Decodable>(_ type: T.Type) throws -> T {
        do {
            return try JSONDecoder().decode(T.self, from: Data(rawBody))
        } catch {
            throw StepupError(.malformedJSON)
        }
    }
}
