import Foundation
import StepupCore

/// The platform API an extension service calls (`POST /api/extension-platform/{area}/{name}`), named once for both
/// sides: `HTTPPlatformClient` sends one, the platform's route decodes it and switches over every case, so an
/// operation cannot exist on one side only.
package enum PlatformOperation: Sendable, Equatable {
    case profile
    case accounts
    case acceptDisclaimer(IDBody)
    case transfer(TransferRequest)
    case backOfficeProfile(UserBody)
    case backOfficeAccounts(UserBody)
    case markDisclaimerAccepted(UserItemBody)
    case setExternalToken(TokenBody)
    case recordEvent(EventBody)
    case issueExternalToken
    case beginExternalAttempt
    case finishExternalAttempt(FinishBody)

    package struct Empty: Codable, Sendable, Equatable {
        package init() {}
    }
    package struct IDBody: Codable, Sendable, Equatable {
        package let id: String
        package init(id: String) { self.id = id }
    }
    package struct UserBody: Codable, Sendable, Equatable {
        package let userID: String
        package init(userID: String) { self.userID = userID }
    }
    package struct UserItemBody: Codable, Sendable, Equatable {
        package let userID: String
        package let id: String
        package init(userID: String, id: String) {
            self.userID = userID
            self.id = id
        }
    }
    package struct TokenBody: Codable, Sendable, Equatable {
        package let token: String
        package init(token: String) { self.token = token }
    }
    package struct EventBody: Codable, Sendable, Equatable {
        package let action: String
        package let succeeded: Bool
        package let details: [String: String]
        package init(action: String, succeeded: Bool, details: [String: String]) {
            self.action = action
            self.succeeded = succeeded
            self.details = details
        }
    }
    package struct FinishBody: Codable, Sendable, Equatable {
        package let attemptID: String
        package let succeeded: Bool
        package init(attemptID: String, succeeded: Bool) {
            self.attemptID = attemptID
            self.succeeded = succeeded
        }
    }
    /// The answer of the token-issuing operations.
    package struct TokenAnswer: Codable, Sendable, Equatable {
        package let token: String
        package init(token: String) { self.token = token }
    }
    package struct AttemptAnswer: Codable, Sendable, Equatable {
        package let attemptID: String
        package init(attemptID: String) { self.attemptID = attemptID }
    }

    /// The route's prefix; the operation's ``name`` follows it.
    package static let pathPrefix = "/api/extension-platform/"

    /// `area/name`, the path after ``pathPrefix``.
    package var name: String {
        switch self {
        case .profile: "user/profile"
        case .accounts: "user/accounts"
        case .acceptDisclaimer: "user/accept-disclaimer"
        case .transfer: "user/transfer"
        case .backOfficeProfile: "back-office/profile"
        case .backOfficeAccounts: "back-office/accounts"
        case .markDisclaimerAccepted: "back-office/mark-disclaimer"
        case .setExternalToken: "mfa/set-external-token"
        case .recordEvent: "audit/record"
        case .issueExternalToken: "mfa/issue-external-token"
        case .beginExternalAttempt: "mfa/begin-external-attempt"
        case .finishExternalAttempt: "mfa/finish-external-attempt"
        }
    }

    package var path: String { Self.pathPrefix + name }

    /// The request body.
    package var body: any Encodable & Sendable {
        switch self {
        case .profile, .accounts, .issueExternalToken, .beginExternalAttempt: Empty()
        case .acceptDisclaimer(let body): body
        case .transfer(let body): body
        case .backOfficeProfile(let body), .backOfficeAccounts(let body): body
        case .markDisclaimerAccepted(let body): body
        case .setExternalToken(let body): body
        case .recordEvent(let body): body
        case .finishExternalAttempt(let body): body
        }
    }

    /// The operation `name` names, with `body` decoded as its request: `not_found` for a name no operation has,
    /// `malformed_json` for a body of another shape.
    package static func decode(name: String, body: Data) throws -> PlatformOperation {
        func decoded<T: Decodable>(_ type: T.Type) throws -> T {
            guard let value = try? JSONDecoder().decode(T.self, from: body) else { throw StepupError(.malformedJSON) }
            return value
        }
        switch name {
        case "user/profile": return .profile
        case "user/accounts": return .accounts
        case "user/accept-disclaimer": return .acceptDisclaimer(try decoded(IDBody.self))
        case "user/transfer": return .transfer(try decoded(TransferRequest.self))
        case "back-office/profile": return .backOfficeProfile(try decoded(UserBody.self))
        case "back-office/accounts": return .backOfficeAccounts(try decoded(UserBody.self))
        case "back-office/mark-disclaimer": return .markDisclaimerAccepted(try decoded(UserItemBody.self))
        case "mfa/set-external-token": return .setExternalToken(try decoded(TokenBody.self))
        case "audit/record": return .recordEvent(try decoded(EventBody.self))
        case "mfa/issue-external-token": return .issueExternalToken
        case "mfa/begin-external-attempt": return .beginExternalAttempt
        case "mfa/finish-external-attempt": return .finishExternalAttempt(try decoded(FinishBody.self))
        default: throw StepupError(.notFound)
        }
    }
}
