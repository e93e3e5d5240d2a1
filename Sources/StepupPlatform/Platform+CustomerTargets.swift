import Foundation
import StepupCore
import StepupStore

/// A target the customer added, waiting for the code sent to it.
public struct PendingTarget: Sendable, Equatable {
    public let record: TargetRecord
    /// When the code sent to it stops working.
    public let codeExpiresAt: Date
    /// When another code may be asked for.
    public let resendAvailableAt: Date
}

extension Platform {
    /// Wrong codes for one pending target before it is dropped.
    static let targetVerifyAttempts = 5

    /// Every target of the customer, pending ones included, in the order they were added.
    public func targetRecords(session: Session) async throws -> [TargetRecord] {
        guard session.stage == .authenticated else { throw StepupError(.notAuthenticated) }
        return try await store.read { try await $0.targetRecords(userID: session.userID) }
    }

    /// Adds an email address or a phone number (SMS or voice), once this session confirmed it: the target is
    /// pending, receives a code, and is used for nothing until ``verifyTarget(id:code:session:)`` gets that code
    /// back. The send caps apply: the user's hourly cap, and a cap per address across all users, so the form
    /// cannot be used to pump messages to one number.
    public func addTarget(kind: TargetKind, address raw: String, session: Session) async throws -> PendingTarget {
        guard session.stage == .authenticated else { throw StepupError(.notAuthenticated) }
        let address = try Self.customerAddress(raw, kind: kind)
        let now = clock.now
        let (pending, code, properties): (PendingTarget, AccessCode, SystemProperties) = try await commit { tx in
            let properties = try await tx.systemProperties()
            let context = MFAContext.eventDrivenValidation(auditActionID: "", auditActionName: "", detailsHash: "")
            guard properties.allows(kind, in: .logon) || properties.allows(kind, in: context) else {
                return .failure(StepupError(.targetNotAllowed, message: "This bank does not send codes by \(kind.rawValue)."))
            }
            let existing = try await tx.targetRecords(userID: session.userID)
            if existing.contains(where: { $0.verifiedAt != nil && $0.target.kind == kind && $0.target.address == address }) {
                return .failure(StepupError(.factorExists))
            }
            let level = try await Self.addLevel(userID: session.userID, in: tx)
            if let refusal = try await Self.requireConfirmed(
                .addTarget, level: level, session: session, properties: properties, now: now, in: tx)
            {
                return .failure(refusal)
            }
            // The same address added again replaces its pending row; an hour-old pending one is dropped.
            for stale in existing where stale.verifiedAt == nil && stale.target.kind == kind && stale.target.address == address {
                _ = try await tx.removeTarget(id: stale.target.id, userID: session.userID)
            }
            try await tx.prunePendingTargets(userID: session.userID, before: now.addingTimeInterval(-3600))
            guard try await Self.reserveVerificationSend(address: address, session: session, properties: properties, now: now, in: tx)
            else { return .failure(StepupError(.sendLimitReached, retryAfter: 3600)) }
            let target = DeliveryTarget(id: SortableID.make(at: now), userID: session.userID, kind: kind, address: address)
            let code = AccessCode.issue(
                for: target.id, length: properties.accessCodeLength, lifetime: TimeInterval(properties.accessCodeLifetime), now: now)
            try await tx.insertPending(target, sessionID: session.id, digest: code.digest, expiresAt: code.expiresAt, at: now)
            try await tx.append(
                AuditEvent(
                    at: now, action: "security.target.started", outcome: .info, userID: session.userID, sessionID: session.id,
                    details: ["target": target.id, "kind": kind.rawValue]))
            let record = TargetRecord(target: target, createdAt: now, verifiedAt: nil, lastUsedAt: nil)
            return .success(
                (PendingTarget(
                    record: record, codeExpiresAt: code.expiresAt,
                    resendAvailableAt: now.addingTimeInterval(Double(properties.resendCooldown))), code, properties))
        }
        do {
            try await sendVerification(pending.record.target, code: code, properties: properties, at: now)
        } catch {
            // Nothing reached the address: the pending row goes, so the customer can correct it and try again.
            try? await store.write { tx in _ = try await tx.removeTarget(id: pending.record.target.id, userID: session.userID) }
            throw error
        }
        return pending
    }

    /// Sends a new code to a pending target of this session (the old one is void), within the cooldown and caps.
    public func resendTargetCode(id: String, session: Session) async throws -> PendingTarget {
        guard session.stage == .authenticated else { throw StepupError(.notAuthenticated) }
        let now = clock.now
        let (pending, code, properties): (PendingTarget, AccessCode, SystemProperties) = try await commit { tx in
            let properties = try await tx.systemProperties()
            guard let verification = try await tx.targetVerification(id: id, userID: session.userID),
                verification.sessionID == session.id
            else { return .failure(StepupError(.enrolmentExpired)) }
            let sentAt = verification.expiresAt.addingTimeInterval(-Double(properties.accessCodeLifetime))
            let wait = Double(properties.resendCooldown) - now.timeIntervalSince(sentAt)
            if wait > 0 { return .failure(StepupError(.resendTooSoon, retryAfter: Int(wait.rounded(.up)))) }
            guard
                try await Self.reserveVerificationSend(
                    address: verification.target.address, session: session, properties: properties, now: now, in: tx)
            else { return .failure(StepupError(.sendLimitReached, retryAfter: 3600)) }
            let code = AccessCode.issue(
                for: id, length: properties.accessCodeLength, lifetime: TimeInterval(properties.accessCodeLifetime), now: now)
            try await tx.renewVerification(id: id, digest: code.digest, expiresAt: code.expiresAt)
            guard let record = try await tx.targetRecords(userID: session.userID).first(where: { $0.target.id == id }) else {
                return .failure(StepupError(.enrolmentExpired))
            }
            return .success(
                (PendingTarget(
                    record: record, codeExpiresAt: code.expiresAt,
                    resendAvailableAt: now.addingTimeInterval(Double(properties.resendCooldown))), code, properties))
        }
        try await sendVerification(pending.record.target, code: code, properties: properties, at: now)
        return pending
    }

    /// Proves a pending target with the code sent to it: it becomes usable for codes, and the customer's other
    /// channels are told. A wrong code spends one of five attempts; past them, past the code's life, or from another
    /// session, the answer is `enrolment_expired` (or `code_expired`, when only a new code is needed).
    public func verifyTarget(id: String, code: String, session: Session) async throws -> TargetRecord {
        guard session.stage == .authenticated else { throw StepupError(.notAuthenticated) }
        let attempt = String(code.filter { !$0.isWhitespace }.prefix(16))
        let now = clock.now
        let verified: TargetRecord = try await commit { tx in
            guard let verification = try await tx.targetVerification(id: id, userID: session.userID),
                verification.sessionID == session.id
            else { return .failure(StepupError(.enrolmentExpired)) }
            guard now < verification.expiresAt else { return .failure(StepupError(.codeExpired)) }
            guard try await tx.spendVerifyAttempt(id: id, limit: Self.targetVerifyAttempts) else {
                _ = try await tx.removeTarget(id: id, userID: session.userID)
                return .failure(StepupError(.enrolmentExpired, message: "Too many wrong codes. Add the address again."))
            }
            guard SecretHash.matches(attempt, digest: verification.digest, salt: id) else {
                try await tx.append(
                    AuditEvent(
                        at: now, action: "security.target.code_refused", outcome: .failure, userID: session.userID,
                        sessionID: session.id, details: ["target": id]))
                var refusal = StepupError(.codeInvalid)
                refusal.attemptsLeft = Self.targetVerifyAttempts - verification.attempts - 1
                return .failure(refusal)
            }
            guard try await tx.markTargetVerified(id: id, userID: session.userID, at: now),
                let record = try await tx.targetRecords(userID: session.userID).first(where: { $0.target.id == id })
            else { return .failure(StepupError(.enrolmentExpired)) }
            try await tx.append(
                AuditEvent(
                    at: now, action: "security.target.added", outcome: .success, userID: session.userID,
                    sessionID: session.id, details: ["target": id, "kind": record.target.kind.rawValue]))
            return .success(record)
        }
        await notify(
            SecurityNotice(
                userID: session.userID,
                headline: "\(verified.target.kind == .email ? "An email address" : "A phone number") was added to your online banking",
                except: verified.target.id))
        return verified
    }

    /// Removes one of the customer's targets: a pending one at once (nothing was added), a verified one once this
    /// session confirmed it, never the last way to verify.
    public func removeTarget(id: String, session: Session) async throws {
        guard session.stage == .authenticated else { throw StepupError(.notAuthenticated) }
        let now = clock.now
        let removed: TargetRecord = try await commit { tx in
            let properties = try await tx.systemProperties()
            guard let record = try await tx.targetRecords(userID: session.userID).first(where: { $0.target.id == id }) else {
                return .failure(StepupError(.notFound, message: "You have no such email address or phone number."))
            }
            if record.verifiedAt != nil {
                if let refusal = try await FactorInventory.refuseRemoval(
                    .target(id), userID: session.userID, passkeysOffered: self.configuration.passkeys != nil, keys: self.keys,
                    properties: properties, in: tx)
                {
                    return .failure(refusal)
                }
                if let refusal = try await Self.requireConfirmed(
                    .removeTarget, level: .aal2, session: session, properties: properties, now: now, in: tx)
                {
                    return .failure(refusal)
                }
            }
            guard try await tx.removeTarget(id: id, userID: session.userID) else {
                return .failure(StepupError(.notFound, message: "You have no such email address or phone number."))
            }
            try await tx.append(
                AuditEvent(
                    at: now, action: record.verifiedAt == nil ? "security.target.cancelled" : "security.target.removed",
                    outcome: .success, userID: session.userID, sessionID: session.id,
                    details: ["target": id, "kind": record.target.kind.rawValue]))
            return .success(record)
        }
        if removed.verifiedAt != nil {
            await notify(
                SecurityNotice(
                    userID: session.userID,
                    headline: "\(removed.target.kind == .email ? "An email address" : "A phone number") was removed from your online banking"))
        }
    }

    /// Reserves one send for a verification code under the user's hourly cap and the address's (across users).
    static func reserveVerificationSend(
        address: String, session: Session, properties: SystemProperties, now: Date, in tx: StoreTransaction
    ) async throws -> Bool {
        let slots = [
            RateSlot(scope: "send.user", subject: session.userID, limit: properties.sendCapPerUserPerHour),
            RateSlot(scope: "send.address", subject: SecretHash.digest(address), limit: properties.sendCapPerTargetPerHour),
        ]
        guard try await tx.reserveRateEvents(slots, since: now.addingTimeInterval(-3600), at: now) != nil else {
            try await tx.append(
                AuditEvent(at: now, action: "security.target.capped", outcome: .failure, userID: session.userID, sessionID: session.id))
            return false
        }
        return true
    }

    private func sendVerification(_ target: DeliveryTarget, code: AccessCode, properties: SystemProperties, at now: Date) async throws {
        let what = target.kind == .email ? "email address" : "phone number"
        let text =
            "\(configuration.bankName): your code to add this \(what) to your online banking is \(code.plain). "
            + "It expires in \(max(1, properties.accessCodeLifetime / 60)) minutes. If you did not ask for it, ignore this message."
        let message = DeliveryMessage(
            target: target, code: code.plain, text: text, challengeID: "verify-\(target.id)", sentAt: now,
            subject: "\(configuration.bankName): confirm your \(what)")
        let provider = delivery.provider(for: target.kind)
        do {
            try await provider.deliver(message)
        } catch {
            let failure = DeliveryFailure.from(error, provider: provider.name)
            logger.warning("verification delivery failed", metadata: ["kind": "\(target.kind.rawValue)", "provider": "\(failure.provider)"])
            try? await store.write { tx in
                try await tx.append(
                    AuditEvent(
                        at: now, action: "security.target.delivery_failed", outcome: .failure, userID: target.userID,
                        details: ["target": target.id, "kind": target.kind.rawValue, "reason": failure.reason]))
            }
            throw StepupError(.deliveryFailed, message: "The code could not be sent there. Check the \(what) and try again.")
        }
    }

    /// An address as the customer typed it, checked and normalised: an email address (one `@`, a dotted domain,
    /// lower-cased domain) or an E.164 phone number (`+` and 8 to 15 digits; spaces, dots and dashes dropped).
    static func customerAddress(_ raw: String, kind: TargetKind) throws -> String {
        let trimmed = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        switch kind {
        case .email:
            let parts = trimmed.split(separator: "@", omittingEmptySubsequences: false)
            guard trimmed.utf8.count <= 254, parts.count == 2, !parts[0].isEmpty, parts[0].utf8.count <= 64,
                parts[1].contains("."), !parts[1].hasPrefix("."), !parts[1].hasSuffix("."),
                trimmed.unicodeScalars.allSatisfy({ $0.isASCII && $0.value > 0x20 && $0.value < 0x7F && $0 != "<" && $0 != ">" })
            else {
                throw StepupError(.badRequest, message: "Enter an email address such as name@example.com.")
            }
            return parts[0] + "@" + parts[1].lowercased()
        case .sms, .voice:
            let compact = trimmed.filter { !" -.()".contains($0) }
            let digits = compact.dropFirst()
            guard compact.hasPrefix("+"), (8...15).contains(digits.count), digits.allSatisfy({ $0.isASCII && $0.isNumber }),
                digits.first != "0"
            else {
                throw StepupError(.badRequest, message: "Enter the phone number with its country code, such as +44 7700 900123.")
            }
            return compact
        case .push:
            throw StepupError(.badRequest, message: "A phone app is added from the app itself, not here.")
        }
    }
}
