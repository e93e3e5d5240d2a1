import Foundation
import StepupCore
import StepupStore

/// A completed challenge: the completion it produced and the session's new secrets, which the browser must get now.
public struct VerificationResult: Sendable {
    public let challenge: Challenge
    public let completion: MFACompletion
    public let issued: IssuedSession
}

extension Platform {
    /// Starts `method` on a challenge (an access code sent to a target). The method's writes run on the session's
    /// open challenge, refused for a locked user.
    public func start<M: MFAMethod>(_ method: M, request: M.Start, challengeID: String, session: Session) async throws
        -> MethodStarted<M.Started>
    {
        try requireRegistered(method)
        return try await method.start(
            request,
            MethodRun(challengeID: challengeID, session: session, platform: self, level: method.assurance.level, now: clock.now))
    }

    /// Verifies a proof with `method`: the shared shape of every verification. Ownership and expiry, the method's
    /// precheck (free), the lockout check and the reserved attempt, the method's comparison, then either the
    /// completion (with session rotation) or the counted, audited failure, locking at the limit.
    ///
    /// The attempt is counted against the user's one failure counter *before* the comparison, in the same
    /// transaction, so parallel guesses stop at the limit; a refusal commits the count and its audit event and
    /// then answers with the attempts left, or `attempts_exhausted` with the lockout's end.
    public func verify<M: MFAMethod>(_ method: M, proof: M.Proof, challengeID: String, session: Session) async throws
        -> VerificationResult
    {
        try requireRegistered(method)
        let now = clock.now
        let (result, notice): (VerificationResult, SecurityNotice?) = try await commit { tx in
            let properties = try await tx.systemProperties()
            var challenge: Challenge
            switch try await Self.openOwnedChallenge(id: challengeID, session: session, now: now, in: tx) {
            case .failure(let error): return .failure(error)
            case .success(let owned): challenge = owned
            }
            let loaded = challenge
            // Before anything is counted: a method below the level cannot complete this challenge however it answers.
            guard method.assurance.level >= challenge.requiredLevel else {
                return .failure(StepupError(.levelInsufficient, message: challenge.requiredLevel.unreachableAdvice))
            }
            var step = MethodStep(transaction: tx, challenge: challenge, session: session, properties: properties, now: now)
            if let refusal = try await method.precheck(step) { return .failure(refusal) }

            let limit = properties.attemptLimit
            switch try await tx.reserveAttempt(userID: challenge.userID, limit: limit, at: now) {
            case .locked:
                return .failure(try await Self.refuseLocked(&challenge, properties: properties, now: now, in: tx))
            case .reserved(let failures):
                if let refusal = try await method.verify(proof, &step) {
                    challenge = step.challenge
                    let audit = AuditEvent(
                        at: now, action: "mfa.verify", outcome: .failure, userID: challenge.userID,
                        sessionID: session.id, challengeID: challenge.id,
                        details: ["method": method.id.rawValue, "failures": String(failures), "reason": refusal.code.rawValue])
                    try await tx.append(audit)
                    if failures >= limit {
                        return .failure(try await Self.exhaust(&challenge, properties: properties, now: now, in: tx))
                    }
                    if challenge != loaded { try await tx.update(challenge) }
                    var answer = refusal
                    answer.attemptsLeft = limit - failures
                    return .failure(answer)
                }
                challenge = step.challenge
                var assurance = step.assurance ?? method.assurance
                // A method may narrow what one proof showed, never claim more than it declares.
                if assurance.level > method.assurance.level { assurance.level = method.assurance.level }
                guard assurance.level >= challenge.requiredLevel else {
                    if challenge != loaded { try await tx.update(challenge) }
                    return .failure(StepupError(.levelInsufficient, message: challenge.requiredLevel.unreachableAdvice))
                }
                try await tx.resetFailures(userID: challenge.userID)
                let result = try await self.complete(
                    &challenge, session: session, method: method.id, assurance: assurance, now: now, in: tx)
                return .success((result, step.notice))
            }
        }
        // After the commit: a notice about a proof that did not commit would be a false alarm.
        if let notice { await notify(notice) }
        return result
    }

    /// Refuses a method instance the platform was not given: routes and callers reach methods through the registry,
    /// so an unregistered one is a programming error, answered as an unknown method rather than run unchecked.
    func requireRegistered(_ method: some MFAMethod) throws {
        guard methods[method.id] != nil else { throw StepupError(.mfaMethodNotFound) }
    }

    private func complete(
        _ challenge: inout Challenge, session: Session, method: MFAMethodID, assurance: MethodAssurance, now: Date,
        in tx: StoreTransaction
    ) async throws -> VerificationResult {
        // A method that needs no start is chosen by its proof; one that was started stays chosen.
        if challenge.method != method || challenge.state == .created { try challenge.choose(method, at: now) }
        try challenge.apply(.complete, at: now)
        try await tx.update(challenge)
        var completion = MFACompletion(
            sessionID: session.id, challengeID: challenge.id, userID: challenge.userID, context: challenge.context,
            method: method, completedAt: now, amr: assurance.amr, level: assurance.level)
        var current = try await tx.session(id: session.id) ?? session
        if challenge.context == .logon {
            // Logon is the completion's one use: the session becomes authenticated now.
            completion.consumedAt = now
            current.stage = .authenticated
        }
        try await tx.insert(completion)
        // A strong authentication: PSD2 RTS art. 16 counts low-value exemptions from here again.
        try await tx.resetExemptions(userID: challenge.userID)
        let secrets = try await rotate(&current, in: tx)
        try await tx.append(
            AuditEvent(
                at: now, action: "mfa.verify", outcome: .success, userID: challenge.userID, sessionID: session.id,
                challengeID: challenge.id,
                details: [
                    "method": method.rawValue, "context": challenge.context.kind, "level": assurance.level.rawValue,
                    "amr": assurance.amr.joined(separator: " "),
                ]))
        try await tx.append(
            AuditEvent(
                at: now, action: "mfa.completion.created", outcome: .success, userID: challenge.userID,
                sessionID: session.id, challengeID: challenge.id, details: ["completion": completion.id]))
        return VerificationResult(
            challenge: challenge, completion: completion, issued: IssuedSession(session: current, secrets: secrets))
    }

    /// The failure that reached the limit: the lockout is stored (or the one already stored kept) and the challenge
    /// locked until it ends, if it is still open.
    static func exhaust(
        _ challenge: inout Challenge, properties: SystemProperties, now: Date, in tx: StoreTransaction
    ) async throws -> StepupError {
        let until = now.addingTimeInterval(Double(properties.lockoutDuration))
        let stored = try await tx.lockIfAtLimit(userID: challenge.userID, limit: properties.attemptLimit, until: until) ?? until
        try await lock(&challenge, until: stored, now: now, in: tx)
        return StepupError(.attemptsExhausted, lockedUntil: stored, attemptsLeft: 0)
    }

    /// The answer when the counter has no attempt left. With a stored lockout the challenge is locked until it
    /// ends. At the limit without one, the last reservations belong to external proofs still running: their
    /// finishes store the lock, so nothing is locked yet; a reservation older than a minute belongs to a proof its
    /// extension never finished (a crash, a lost call), which counts as failed: the lockout is stored now, so the
    /// user is never left at the limit with no end to it.
    static func refuseLocked(
        _ challenge: inout Challenge, properties: SystemProperties, now: Date, in tx: StoreTransaction
    ) async throws -> StepupError {
        var lockedUntil = try await tx.failureCounter(userID: challenge.userID)?.lockedUntil
        if lockedUntil == nil {
            if try await tx.hasOpenExternalAttempt(userID: challenge.userID, since: now.addingTimeInterval(-60)) {
                return StepupError(.userLocked)
            }
            lockedUntil = try await tx.lockIfAtLimit(
                userID: challenge.userID, limit: properties.attemptLimit,
                until: now.addingTimeInterval(Double(properties.lockoutDuration)))
        }
        let until = lockedUntil ?? now.addingTimeInterval(Double(properties.lockoutDuration))
        try await lock(&challenge, until: until, now: now, in: tx)
        return StepupError(.userLocked, lockedUntil: until)
    }

    static func lock(_ challenge: inout Challenge, until: Date, now: Date, in tx: StoreTransaction) async throws {
        guard challenge.state.isOpen else { return }
        try challenge.apply(.lock, at: now)
        try await tx.update(challenge)
        try await tx.append(
            AuditEvent(
                at: now, action: "mfa.lockout", outcome: .failure, userID: challenge.userID,
                sessionID: challenge.sessionID, challengeID: challenge.id,
                details: ["lockedUntil": ISO8601DateFormatter().string(from: until)]))
    }
}
