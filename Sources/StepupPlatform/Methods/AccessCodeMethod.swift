import Foundation
import Logging
import StepupCore
import StepupStore

/// A one-time access code sent to one of the user's delivery targets that the context allows (the seeds'
/// `LogonTacAllow…` / `EdvTacAllow…` properties), kept as a digest salted with the challenge.
public struct AccessCodeMethod: MFAMethod {
    public struct Start: Decodable, Sendable {
        public let targetId: String
        public init(targetId: String) { self.targetId = targetId }
    }

    public struct Proof: Decodable, Sendable {
        public let code: String
        public init(code: String) { self.code = code }
    }

    /// Where the code went and when another may be asked for.
    public struct Started: Encodable, Sendable, Equatable {
        public let target: MethodChoice
        public let resendAvailableAt: Date
    }

    public let id = MFAMethodID.accessCode
    /// A code is relayable by a look-alike site: AAL2, never phishing-resistant.
    public var assurance: MethodAssurance { MethodAssurance(amr: ["otp"], level: .aal2) }
    let delivery: DeliveryProviders
    let bankName: String
    let logger: Logger

    public init(delivery: DeliveryProviders, bankName: String, logger: Logger) {
        self.delivery = delivery
        self.bankName = bankName
        self.logger = logger
    }

    public func offer(_ step: MethodStep) async throws -> MethodOffer? {
        let targets = TargetPolicy(properties: step.properties)
            .allowedTargets(try await step.transaction.targets(userID: step.challenge.userID), for: step.challenge.context)
        guard !targets.isEmpty else { return nil }
        return MethodOffer(
            method: id, label: "Get a code sent",
            choices: targets.map(MethodChoice.init),
            prompt: "Where should we send your access code?", startLabel: "Send code", startField: "targetId",
            entry: .code(label: "Access code", field: "code"))
    }

    /// Sends a fresh code to one of the user's allowed targets; the new code voids any older one. Refused within
    /// the resend cooldown, past the per-user or per-target hourly cap, or for a locked user.
    ///
    /// The code is stored (as a digest) and committed before it is handed to the provider; if the provider fails,
    /// the code is voided in a second transaction, the failure audited, and the challenge stays open for another
    /// target.
    public func start(_ request: Start, _ run: MethodRun) async throws -> MethodStarted<Started> {
        let targetID = request.targetId
        let bankName = self.bankName
        let (sent, target, code, properties): (Challenge, DeliveryTarget, AccessCode, SystemProperties) = try await run.step { step in
            let (tx, now, properties) = (step.transaction, step.now, step.properties)
            guard let target = try await tx.targets(userID: step.challenge.userID).first(where: { $0.id == targetID }) else {
                return .failure(StepupError(.targetNotFound))
            }
            guard properties.allows(target.kind, in: step.challenge.context) else {
                return .failure(StepupError(.targetNotAllowed))
            }
            if let sentAt = step.challenge.accessCode.sentAt {
                let wait = Double(properties.resendCooldown) - now.timeIntervalSince(sentAt)
                if wait > 0 { return .failure(StepupError(.resendTooSoon, retryAfter: Int(wait.rounded(.up)))) }
            }
            // Both caps are reserved before the code is made (the subject rows locked, then counted), so parallel
            // sends on any number of nodes stop exactly at the cap.
            let slots = [
                RateSlot(scope: "send.user", subject: step.challenge.userID, limit: properties.sendCapPerUserPerHour),
                RateSlot(scope: "send.target", subject: target.id, limit: properties.sendCapPerTargetPerHour),
            ]
            guard try await tx.reserveRateEvents(slots, since: now.addingTimeInterval(-3600), at: now) != nil else {
                try await step.audit("mfa.code.capped", outcome: .failure, details: ["target": target.id])
                return .failure(StepupError(.sendLimitReached, retryAfter: 3600))
            }
            // A resend to the same target keeps the code's history; anything else chooses (another method's state reads
            // as no target, so choosing access codes again comes here too).
            if step.challenge.accessCode.targetID != target.id || step.challenge.state != .secretSent {
                try step.challenge.chooseTarget(target.id, at: now)
            }
            let code = AccessCode.issue(
                for: step.challenge.id, length: properties.accessCodeLength,
                lifetime: TimeInterval(properties.accessCodeLifetime), now: now)
            try step.challenge.record(code, at: now)
            try await step.audit(
                "mfa.code.sent", outcome: .success,
                details: ["target": target.id, "kind": target.kind.rawValue, "send": String(step.challenge.accessCode.sendCount)])
            return .success((step.challenge, target, code, properties))
        }
        let message = DeliveryMessage(
            target: target, code: code.plain,
            text: MessageText.make(
                bank: bankName, code: code.plain, context: sent.context, lifetime: properties.accessCodeLifetime),
            challengeID: sent.id, sentAt: run.now)
        let provider = delivery.provider(for: target.kind)
        do {
            try await provider.deliver(message)
        } catch {
            let failure = DeliveryFailure.from(error, provider: provider.name)
            logger.warning(
                "delivery failed",
                metadata: ["challenge": "\(sent.id)", "kind": "\(target.kind.rawValue)", "provider": "\(failure.provider)"])
            // The user is told the delivery failed even if the challenge ended meanwhile (then nothing is left to void).
            try? await voidUndelivered(sent, target: target, failure: failure, run)
            throw StepupError(.deliveryFailed)
        }
        return MethodStarted(
            challenge: sent,
            answer: Started(
                target: MethodChoice(target), resendAvailableAt: run.now.addingTimeInterval(Double(properties.resendCooldown))))
    }

    /// The code that could not be delivered is voided, unless a newer one replaced it meanwhile; the cooldown is
    /// lifted so another target can be chosen at once.
    private func voidUndelivered(_ sent: Challenge, target: DeliveryTarget, failure: DeliveryFailure, _ run: MethodRun) async throws {
        let digest = sent.accessCode.digest
        let _: Bool = try await run.step(refuseWhenLocked: false) { step in
            guard step.challenge.accessCode.digest == digest else { return .success(false) }
            try step.challenge.chooseTarget(target.id, at: step.now)
            var state = step.challenge.accessCode
            state.digest = nil
            state.sentAt = nil
            state.expiresAt = nil
            try step.challenge.setAccessCode(state)
            try await step.audit(
                "mfa.code.delivery_failed", outcome: .failure,
                details: ["target": target.id, "kind": target.kind.rawValue, "provider": failure.provider, "reason": failure.reason])
            return .success(true)
        }
    }

    /// An expired code is refused without a comparison, so it costs no attempt.
    public func precheck(_ step: MethodStep) async throws -> StepupError? {
        let state = step.challenge.accessCode
        guard state.digest != nil, let expiresAt = state.expiresAt else { return StepupError(.noCodeSent) }
        return step.now >= expiresAt ? StepupError(.codeExpired) : nil
    }

    public func verify(_ proof: Proof, _ step: inout MethodStep) async throws -> StepupError? {
        do {
            try AccessCode.verify(String(proof.code.prefix(32)), challenge: step.challenge, now: step.now)
            // RFC 8176 names the channel: `sms` for a text, `tel` for a call; email and push codes are plain `otp`.
            let targetID = step.challenge.accessCode.targetID
            if let targetID { try await step.transaction.touchTarget(id: targetID, at: step.now) }
            switch try await step.transaction.targets(userID: step.challenge.userID).first(where: { $0.id == targetID })?.kind {
            case .sms: step.assurance = MethodAssurance(amr: ["sms", "otp"], level: .aal2)
            case .voice: step.assurance = MethodAssurance(amr: ["tel", "otp"], level: .aal2)
            default: break
            }
            return nil
        } catch let error as StepupError {
            return error
        }
    }

    public func progress(of challenge: Challenge) -> [String: MethodField] {
        let state = challenge.accessCode
        var fields: [String: MethodField] = ["sendCount": .int(state.sendCount)]
        if let target = state.targetID { fields["targetId"] = .string(target) }
        if state.digest != nil, let expires = state.expiresAt { fields["codeExpiresAt"] = .date(expires) }
        return fields
    }
}

/// The answer to a send: where the code went and when another may be asked for.
public struct CodeSent: Sendable, Equatable {
    public let challenge: Challenge
    public let target: MethodChoice
    public let resendAvailableAt: Date
}

extension MethodChoice {
    /// A delivery target as its owner sees it: by id, with its masked address, never the address.
    init(_ target: DeliveryTarget) {
        self.init(id: target.id, kind: target.kind.rawValue, masked: target.masked)
    }
}

extension Platform {
    /// The built-in method `id` as registered; `mfa_method_not_found` when a bank replaced it with its own.
    func builtIn<M: MFAMethod>(_ id: MFAMethodID, as type: M.Type) throws -> M {
        guard let method = methods[id] as? M else { throw StepupError(.mfaMethodNotFound) }
        return method
    }

    /// Sends a fresh access code for a challenge (``AccessCodeMethod/start(_:_:)``).
    public func sendCode(challengeID: String, targetID: String, session: Session) async throws -> CodeSent {
        let method = try builtIn(.accessCode, as: AccessCodeMethod.self)
        let started = try await start(method, request: .init(targetId: targetID), challengeID: challengeID, session: session)
        return CodeSent(challenge: started.challenge, target: started.answer.target, resendAvailableAt: started.answer.resendAvailableAt)
    }

    /// Verifies an access code for a challenge (``AccessCodeMethod/verify(_:_:)``), under the one failure counter.
    public func verifyCode(challengeID: String, code: String, session: Session) async throws -> VerificationResult {
        let method = try builtIn(.accessCode, as: AccessCodeMethod.self)
        return try await verify(method, proof: .init(code: code), challengeID: challengeID, session: session)
    }
}
