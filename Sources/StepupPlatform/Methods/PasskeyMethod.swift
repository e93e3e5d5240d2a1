import Foundation
import StepupCore
import StepupStore
import StepupWebAuthn

/// A passkey (a WebAuthn credential) registered to the user: phishing-resistant, because the browser signs the
/// bank's origin into every assertion and a look-alike site cannot ask for one.
///
/// The start issues a fresh WebAuthn challenge, bound to this MFA challenge and, for a payment, to its amounts and
/// payees (``CeremonyChallenge``); it is kept on the challenge and consumed by the first proof, accepted or not.
/// The proof is the browser's `PublicKeyCredential` (base64url fields). User verification is required; a counter
/// that did not grow is audited and refused unless `PasskeySignCountPolicy` is `accept`; a model on
/// `PasskeyAaguidDenyList` is refused at every use.
public struct PasskeyMethod: MFAMethod {
    public struct Proof: Decodable, Sendable {
        public struct Response: Decodable, Sendable {
            public let clientDataJSON: String
            public let authenticatorData: String
            public let signature: String
            public let userHandle: String?
        }

        /// The credential id, base64url.
        public let id: String
        public let response: Response
    }

    /// `PublicKeyCredentialRequestOptions`, base64url where the browser wants bytes.
    public struct Started: Encodable, Sendable, Equatable {
        public struct Options: Encodable, Sendable, Equatable {
            public let challenge: String
            public let rpId: String
            public let timeout: Int
            public let userVerification: String
            public let allowCredentials: [CredentialDescriptor]
        }

        public let publicKey: Options
    }

    /// What the challenge keeps between start and verify: the nonce the WebAuthn challenge was made from.
    struct State: Codable {
        var nonce: String?
        var expiresAt: Date
    }

    public let id = MFAMethodID.passkey
    /// Declared at its most general; each proof narrows `amr` to `hwk` (device-bound) or `swk` (synced).
    public var assurance: MethodAssurance { MethodAssurance(amr: ["swk", "user"], level: .phishingResistant) }
    let settings: PasskeySettings?

    public init(settings: PasskeySettings?) { self.settings = settings }

    public func offer(_ step: MethodStep) async throws -> MethodOffer? {
        guard settings != nil, try await !step.transaction.passkeys(userID: step.challenge.userID).isEmpty else { return nil }
        return MethodOffer(method: id, label: "Use a passkey", ceremony: "webauthn", ceremonyLabel: "Use passkey")
    }

    public func start(_ request: NoStart, _ run: MethodRun) async throws -> MethodStarted<Started> {
        guard let settings else { throw StepupError(.mfaMethodNotFound, message: "Passkeys are not set up at this bank.") }
        let methodID = id
        return try await run.step { step in
            let passkeys = try await step.transaction.passkeys(userID: step.challenge.userID)
            guard !passkeys.isEmpty else {
                return .failure(StepupError(.webauthnCredentialUnknown, message: "You have no passkey. Add one in Security."))
            }
            let nonce = SecureRandom.bytes(32)
            let expiresAt = min(step.now.addingTimeInterval(TimeInterval(settings.ceremonyTimeout)), step.challenge.expiresAt)
            try step.challenge.choose(methodID, at: step.now)
            try step.challenge.apply(.send, at: step.now)
            try step.challenge.setState(State(nonce: Base64URL.encode(nonce), expiresAt: expiresAt), of: methodID)
            try await step.audit("mfa.passkey.requested", outcome: .info, details: ["passkeys": String(passkeys.count)])
            let challenge = CeremonyChallenge.make(
                nonce: nonce, challengeID: step.challenge.id, transactions: step.challenge.context.transactions)
            let options = Started.Options(
                challenge: Base64URL.encode(challenge), rpId: settings.rpID, timeout: settings.ceremonyTimeout * 1000,
                userVerification: "required", allowCredentials: passkeys.map(CredentialDescriptor.init))
            return .success(MethodStarted(challenge: step.challenge, answer: Started(publicKey: options)))
        }
    }

    /// No pending ceremony (never started, used by an earlier proof, expired) costs no attempt: start again.
    public func precheck(_ step: MethodStep) async throws -> StepupError? {
        guard settings != nil, let state = step.challenge.state(of: id, as: State.self), state.nonce != nil,
            step.now < state.expiresAt
        else { return StepupError(.webauthnCeremonyMissing) }
        return nil
    }

    public func verify(_ proof: Proof, _ step: inout MethodStep) async throws -> StepupError? {
        guard let settings, var state = step.challenge.state(of: id, as: State.self), let nonceText = state.nonce,
            let nonce = Base64URL.decodeStrict(nonceText)
        else { return StepupError(.webauthnCeremonyMissing) }
        // Single use: whatever this proof is, the next one needs a new start (the platform saves the challenge).
        state.nonce = nil
        try step.challenge.setState(state, of: id)

        guard let clientData = Base64URL.decodeStrict(proof.response.clientDataJSON, limit: 4096),
            let authenticatorData = Base64URL.decodeStrict(proof.response.authenticatorData, limit: 4096),
            let signature = Base64URL.decodeStrict(proof.response.signature, limit: 1024),
            proof.id.utf8.count <= 1400, Base64URL.decodeStrict(proof.id, limit: 1400) != nil
        else { return StepupError(.webauthnMalformed) }
        guard let record = try await step.transaction.passkey(id: proof.id), record.userID == step.challenge.userID else {
            try await step.audit("mfa.passkey.refused", outcome: .failure, details: ["reason": StepupError.Code.webauthnCredentialUnknown.rawValue])
            return StepupError(.webauthnCredentialUnknown)
        }
        if let handle = proof.response.userHandle, !handle.isEmpty,
            Base64URL.decodeStrict(handle, limit: 128) != Passkeys.userHandle(record.userID)
        {
            try await step.audit("mfa.passkey.refused", outcome: .failure, details: ["reason": "user_handle_mismatch", "passkey": record.id])
            return StepupError(.webauthnCredentialUnknown)
        }
        if step.properties.passkeyAAGUIDDenyList.contains(record.aaguid) {
            try await step.audit("mfa.passkey.refused", outcome: .failure, details: ["reason": "aaguid_denied", "aaguid": record.aaguid])
            return StepupError(.webauthnAAGUIDRefused)
        }
        let assertion: RelyingParty.Assertion
        do throws(WebAuthnError) {
            let key = try Passkeys.key(of: record)
            assertion = try settings.relyingParty(step.properties).assert(
                authenticatorData: authenticatorData, clientDataJSON: clientData, signature: signature,
                challenge: CeremonyChallenge.make(
                    nonce: nonce, challengeID: step.challenge.id, transactions: step.challenge.context.transactions),
                credential: RelyingParty.StoredCredential(
                    id: Base64URL.decodeStrict(record.id, limit: 1400) ?? [], publicKey: key,
                    signCount: UInt32(clamping: record.signCount), backupEligible: record.backupEligible))
        } catch {
            try await step.audit("mfa.passkey.refused", outcome: .failure, details: ["reason": error.reason.rawValue])
            return StepupError(error)
        }
        let accepted = step.properties.passkeySignCountRegressionAccepted
        if assertion.signCountRegressed {
            try await step.audit(
                "mfa.passkey.counter_regressed", outcome: accepted ? .info : .failure,
                details: ["passkey": record.id, "stored": String(record.signCount), "presented": String(assertion.signCount)])
            if !accepted { return StepupError(.webauthnSignCountRegressed) }
        }
        // The conditional update is what makes one assertion count once across nodes.
        guard
            try await step.transaction.recordPasskeyUse(
                id: record.id, signCount: Int64(assertion.signCount), backedUp: assertion.backedUp, at: step.now,
                acceptingRegression: accepted)
        else { return StepupError(.webauthnSignCountRegressed) }
        step.assurance = MethodAssurance(amr: [record.backupEligible ? "swk" : "hwk", "user"], level: .phishingResistant)
        return nil
    }
}
