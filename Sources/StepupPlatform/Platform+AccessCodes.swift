import Foundation
import StepupCore
import StepupStore

/// The answer to a send: where the code went and when another may be asked for.
public struct CodeSent: Sendable, Equatable {
    public let challenge: Challenge
    public let target: MaskedTarget
    public let resendAvailableAt: Date
}

extension Platform {
    /// Sends a fresh access code for a challenge to one of the user's allowed targets; the new code voids any older
    /// one. Refused within the resend cooldown, past the per-user or per-target hourly cap, or for a locked user.
    ///
    /// The code is stored (as a digest) and committed before it is handed to the channel; if the channel fails, the
    /// code is voided in a second transaction, the failure audited, and the challenge stays open for another target.
    public func sendCode(challengeID: String, targetID: String, session: Session) async throws -> CodeSent {
        let now = clock.now
        let bank = configuration.bankName
        let prepared: (Challenge, DeliveryTarget, AccessCode, SystemProperties) = try await commit { tx in
            let properties = try await tx.systemProperties()
            var challenge: Challenge
            switch try await Self.openOwnedChallenge(id: challengeID, session: session, now: now, in: tx) {
            case .failure(let error): return .failure(error)
            case .success(let owned): challenge = owned
            }
            if let counter = try await tx.failureCounter(userID: challenge.userID), counter.isLocked(at: now) {
                return .failure(StepupError(.userLocked, lockedUntil: counter.lockedUntil))
            }
            guard let target = try await tx.targets(userID: challenge.userID).first(where: { $0.id == targetID }) else {
                return .failure(StepupError(.targetNotFound))
            }
            guard properties.allows(target.kind, in: challenge.context) else {
                return .failure(StepupError(.targetNotAllowed))
            }
            if let sentAt = challenge.codeSentAt {
                let wait = Double(properties.resendCooldown) - now.timeIntervalSince(sentAt)
                if wait > 0 { return .failure(StepupError(.resendTooSoon, retryAfter: Int(wait.rounded(.up)))) }
            }
            // Both caps are reserved before the code is made (the subject rows locked, then counted), so parallel
            // sends on any number of nodes stop exactly at the cap.
            let slots = [
                RateSlot(scope: "send.user", subject: challenge.userID, limit: properties.sendCapPerUserPerHour),
                RateSlot(scope: "send.target", subject: target.id, limit: properties.sendCapPerTargetPerHour),
            ]
            guard try await tx.reserveRateEvents(slots, since: now.addingTimeInterval(-3600), at: now) != nil else {
                try await tx.append(
                    AuditEvent(
                        at: now, action: "mfa.code.capped", outcome: .failure, userID: challenge.userID,
                        sessionID: session.id, challengeID: challenge.id, details: ["target": target.id]))
                return .failure(StepupError(.sendLimitReached, retryAfter: 3600))
            }
            if challenge.targetID != target.id || challenge.state != .codeSent {
                try challenge.apply(.chooseTarget, at: now)
                challenge.targetID = target.id
            }
            let code = AccessCode.issue(
                for: challenge.id, length: properties.accessCodeLength,
                lifetime: TimeInterval(properties.accessCodeLifetime), now: now)
            try challenge.record(code, at: now)
            try await tx.update(challenge)
            try await tx.append(
                AuditEvent(
                    at: now, action: "mfa.code.sent", outcome: .success, userID: challenge.userID,
                    sessionID: session.id, challengeID: challenge.id,
                    details: ["target": target.id, "kind": target.kind.rawValue, "send": String(challenge.sendCount)]))
            return .success((challenge, target, code, properties))
        }
        let (challenge, target, code, properties) = prepared
        let message = DeliveryMessage(
            target: target, code: code.plain,
            text: MessageText.make(
                bank: bank, code: code.plain, context: challenge.context, lifetime: properties.accessCodeLifetime),
            challengeID: challenge.id, sentAt: now)
        do {
            try await channels.channel(for: target.kind).deliver(message)
        } catch {
            logger.warning(
                "delivery failed",
                metadata: ["challenge": "\(challenge.id)", "kind": "\(target.kind.rawValue)", "error": "\(type(of: error))"])
            try await voidUndeliveredCode(challenge: challenge, target: target, reason: Self.failureSummary(error))
            throw StepupError(.deliveryFailed)
        }
        return CodeSent(
            challenge: challenge, target: MaskedTarget(target),
            resendAvailableAt: now.addingTimeInterval(Double(properties.resendCooldown)))
    }

    /// A short, secret-free account of a channel failure, for the audit trail.
    static func failureSummary(_ error: any Error) -> String {
        switch error {
        case let smtp as SMTPError:
            if case .reply(let code, _) = smtp { return "smtp reply \(code)" }
            return "smtp: \(smtp)"
        case WebhookError.status(let status): return "webhook status \(status)"
        case is UnconfiguredChannel.NotConfigured: return "no channel configured for this kind"
        default: return String(describing: type(of: error))
        }
    }

    private func voidUndeliveredCode(challenge sent: Challenge, target: DeliveryTarget, reason: String) async throws {
        let now = clock.now
        try await store.write { tx in
            guard var challenge = try await tx.challenge(id: sent.id), challenge.codeDigest == sent.codeDigest,
                challenge.state.isOpen
            else { return }
            try challenge.apply(.chooseTarget, at: now)
            challenge.codeSentAt = nil
            challenge.codeExpiresAt = nil
            try await tx.update(challenge)
            try await tx.append(
                AuditEvent(
                    at: now, action: "mfa.code.delivery_failed", outcome: .failure, userID: challenge.userID,
                    sessionID: challenge.sessionID, challengeID: challenge.id,
                    details: ["target": target.id, "kind": target.kind.rawValue, "reason": reason]))
        }
    }
}
