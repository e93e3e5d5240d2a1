import Foundation
import StepupCore
import StepupStore

/// The user's TOTP authenticator (the seeds' access token): a code from the app, accepted once per time step on
/// any node.
public struct AccessTokenMethod: MFAMethod {
    public struct Proof: Decodable, Sendable {
        public let token: String
        public init(token: String) { self.token = token }
    }

    public let id = MFAMethodID.accessToken
    /// A TOTP code: AAL2 on top of the password; relayable, so not phishing-resistant.
    public var assurance: MethodAssurance { MethodAssurance(amr: ["otp"], level: .aal2) }
    let keys: KeySet?

    public init(keys: KeySet?) { self.keys = keys }

    public func offer(_ step: MethodStep) async throws -> MethodOffer? {
        guard try await !step.transaction.accessTokens(userID: step.challenge.userID).isEmpty else { return nil }
        return MethodOffer(
            method: id, label: "Use my authenticator app",
            entry: .code(label: "Code from your authenticator app", field: "token"))
    }

    public func precheck(_ step: MethodStep) async throws -> StepupError? {
        try await step.transaction.accessTokens(userID: step.challenge.userID).isEmpty ? StepupError(.noAccessToken) : nil
    }

    /// Each of the user's tokens in turn; a step accepted once is refused ever after (`token_replayed`), since
    /// `markStepUsed` is a conditional update.
    public func verify(_ proof: Proof, _ step: inout MethodStep) async throws -> StepupError? {
        let attempt = String(proof.token.prefix(32))
        var sawReplay = false
        for record in try await step.transaction.accessTokens(userID: step.challenge.userID) {
            let accessToken = try AccessTokenSecrets.open(record, keys: keys)
            switch try accessToken.totp().verify(attempt, at: step.now, lastUsedStep: accessToken.lastUsedStep) {
            case .accepted(let counter):
                if try await step.transaction.markStepUsed(tokenID: accessToken.id, step: counter) {
                    try await step.transaction.touchAccessToken(id: accessToken.id, at: step.now)
                    return nil
                }
                sawReplay = true
            case .replayed: sawReplay = true
            case .invalid: continue
            }
        }
        return StepupError(sawReplay ? .tokenReplayed : .tokenInvalid)
    }
}

extension Platform {
    /// Verifies an access token (the user's TOTP) for a challenge, under the one failure counter.
    public func verifyToken(challengeID: String, token: String, session: Session) async throws -> VerificationResult {
        try await verify(
            try builtIn(.accessToken, as: AccessTokenMethod.self), proof: .init(token: token), challengeID: challengeID,
            session: session)
    }
}

/// TOTP secrets are sealed with the platform key set, bound to their row.
enum AccessTokenSecrets {
    static func purpose(_ id: String) -> String { "stepup:totp:\(id)" }

    static func require(_ keys: KeySet?) throws -> KeySet {
        guard let keys else {
            throw StepupError(.configurationInvalid, message: "no key set: TOTP secrets cannot be sealed or opened")
        }
        return keys
    }

    static func seal(_ token: AccessToken, keys: KeySet?) throws -> AccessTokenRecord {
        AccessTokenRecord(
            id: token.id, userID: token.userID, sealedSecret: try require(keys).seal(token.secret, purpose: purpose(token.id)),
            digits: token.digits, algorithm: token.algorithm, period: token.period, lastUsedStep: token.lastUsedStep)
    }

    static func open(_ record: AccessTokenRecord, keys: KeySet?) throws -> AccessToken {
        AccessToken(
            id: record.id, userID: record.userID, secret: try require(keys).open(record.sealedSecret, purpose: purpose(record.id)),
            digits: record.digits, algorithm: record.algorithm, period: record.period, lastUsedStep: record.lastUsedStep)
    }
}
