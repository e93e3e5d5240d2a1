import Foundation
import StepupCore
import StepupPlatform
import StepupSDK

/// The JSON shapes of the platform API; `openapi.json` documents each.
enum API {
    /// A key named at run time: the fields a method adds beside the common ones.
    struct NamedKey: CodingKey {
        let stringValue: String
        init(stringValue: String) { self.stringValue = stringValue }
        var intValue: Int? { nil }
        init?(intValue: Int) { nil }
    }

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

    /// A challenge: what every challenge has, the chosen method, and what that method shows of its state
    /// (``MFAMethod/progress(of:)``: an access code's target, expiry and send count).
    struct ChallengeBody: Encodable {
        let id: String
        let context: String
        let state: String
        let expiresAt: Date
        let method: String?
        let transactions: [TransactionItem]?
        let auditActionId: String?
        let auditActionName: String?
        /// The least assurance level a method must reach (`aal1`, `aal2`, `phr`).
        let requiredLevel: String
        let progress: [String: MethodField]

        init(_ challenge: Challenge, methods: MFAMethods) {
            id = challenge.id
            requiredLevel = challenge.requiredLevel.rawValue
            context = challenge.context.kind
            state = challenge.state.rawValue
            expiresAt = challenge.expiresAt
            method = challenge.method?.rawValue
            progress = challenge.method.flatMap { methods[$0] }?.progress(of: challenge) ?? [:]
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

        private enum Keys: String, CodingKey {
            case id, context, state, expiresAt, method, transactions, auditActionId, auditActionName, requiredLevel
        }


        /// The method's fields sit beside the common ones, where clients of earlier versions read `targetId`,
        /// `codeExpiresAt` and `sendCount`; a method cannot overwrite a common field.
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Keys.self)
            try container.encode(id, forKey: .id)
            try container.encode(context, forKey: .context)
            try container.encode(state, forKey: .state)
            try container.encode(expiresAt, forKey: .expiresAt)
            try container.encodeIfPresent(method, forKey: .method)
            try container.encodeIfPresent(transactions, forKey: .transactions)
            try container.encodeIfPresent(auditActionId, forKey: .auditActionId)
            try container.encodeIfPresent(auditActionName, forKey: .auditActionName)
            try container.encode(requiredLevel, forKey: .requiredLevel)
            var extra = encoder.container(keyedBy: NamedKey.self)
            for (name, value) in progress.sorted(by: { $0.key < $1.key }) where Keys(rawValue: name) == nil {
                try extra.encode(value, forKey: NamedKey(stringValue: name))
            }
        }
    }

    /// A challenge and what the dialog offers for it. `targets` and `external` are the offers' choices and frame,
    /// under the names the banking app of earlier versions reads.
    struct ChallengeDetailBody: Encodable {
        let challenge: ChallengeBody
        let offers: [MethodOffer]
        let methods: [String]
        let targets: [MethodChoice]
        let external: ExternalBody?
        /// When no offer reaches the challenge's level: what the customer can do ("Add a passkey in Security").
        let advice: String?
    }

    /// The extension to show in the workflow's external MFA slot.
    struct ExternalBody: Encodable {
        let `extension`: String
        let entryRoute: String
        /// Where the extension may send the user to sign in (redirect-based external MFA).
        let authorizationOrigins: [String]
    }

    struct TargetsBody: Encodable {
        let targets: [MethodChoice]
    }

    struct NewChallengeRequest: Decodable {
        let extensionName: String
        let route: String?

        enum CodingKeys: String, CodingKey {
            case extensionName = "extension"
            case route
        }
    }

    /// A method's start: its own answer's fields (where a code went) beside the challenge. An answer that is not a
    /// JSON object (a bank's method may answer anything encodable) goes under `answer` instead, and one that names
    /// `challenge` cannot hide it.
    struct StartBody: Encodable {
        let challenge: ChallengeBody
        let fields: [String: JSONValue]

        init(challenge: ChallengeBody, answer: some Encodable) throws {
            self.challenge = challenge
            let value = try JSONDecoder().decode(JSONValue.self, from: try JSONBody.encoder.encode(answer))
            if case .object(let object) = value {
                fields = object.filter { $0.key != "challenge" }
            } else {
                fields = ["answer": value]
            }
        }


        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: NamedKey.self)
            try container.encode(challenge, forKey: NamedKey(stringValue: "challenge"))
            for (name, value) in fields { try container.encode(value, forKey: NamedKey(stringValue: name)) }
        }
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
