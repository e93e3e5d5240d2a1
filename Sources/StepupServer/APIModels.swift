import Foundation
import StepupCore
import StepupPlatform

/// The JSON shapes of the platform API; `openapi.json` documents each.
enum API {
    struct LogonRequest: Decodable {
        let username: String
        let password: String
    }

    struct UserBody: Encodable {
        let id: String
        let username: String
        let displayName: String

        init(_ user: User) {
            id = user.id
            username = user.username
            displayName = user.displayName
        }
    }

    struct SessionBody: Encodable {
        let stage: String
        let csrfToken: String?
        let user: UserBody
        let challenge: ChallengeBody?
    }

    struct ChallengeBody: Encodable {
        let id: String
        let context: String
        let state: String
        let expiresAt: Date
        let targetId: String?
        let codeExpiresAt: Date?
        let sendCount: Int
        let transactions: [TransactionItem]?
        let auditActionId: String?
        let auditActionName: String?

        init(_ challenge: Challenge) {
            id = challenge.id
            context = challenge.context.kind
            state = challenge.state.rawValue
            expiresAt = challenge.expiresAt
            targetId = challenge.targetID
            codeExpiresAt = challenge.codeDigest == nil ? nil : challenge.codeExpiresAt
            sendCount = challenge.sendCount
            switch challenge.context {
            case .transaction(let items):
                transactions = items
                auditActionId = nil
                auditActionName = nil
            case .eventDrivenValidation(let actionID, let actionName, _):
                transactions = nil
                auditActionId = actionID
                auditActionName = actionName
            case .logon, .extensionPrompt:
                transactions = nil
                auditActionId = nil
                auditActionName = nil
            }
        }
    }

    struct ChallengeDetailBody: Encodable {
        let challenge: ChallengeBody
        let targets: [MaskedTarget]
        let methods: [String]
        let external: ExternalBody?
    }

    /// The extension to show in the workflow's external MFA slot.
    struct ExternalBody: Encodable {
        let `extension`: String
        let entryRoute: String
        /// Where the extension may send the user to sign in (redirect-based external MFA).
        let authorizationOrigins: [String]
    }

    struct TargetsBody: Encodable {
        let targets: [MaskedTarget]
    }

    struct NewChallengeRequest: Decodable {
        let extensionName: String
        let route: String?

        enum CodingKeys: String, CodingKey {
            case extensionName = "extension"
            case route
        }
    }

    struct SendRequest: Decodable {
        let targetId: String
    }

    struct SendBody: Encodable {
        let challenge: ChallengeBody
        let target: MaskedTarget
        let resendAvailableAt: Date
    }

    struct VerifyCodeRequest: Decodable {
        let code: String
    }

    struct VerifyTokenRequest: Decodable {
        let token: String
    }

    struct VerifyBody: Encodable {
        let challenge: ChallengeBody
        let completionId: String
        let stage: String
        let csrfToken: String
    }

    struct HealthBody: Encodable {
        let status: String
    }

    struct OutboxBody: Encodable {
        struct Message: Encodable {
            let to: String
            let kind: String
            let code: String
            let text: String
            let challengeId: String
            let sentAt: Date
        }
        let messages: [Message]
    }
}
