import Foundation
import StepupCore
import StepupStore

/// A challenge as the banking app sees it: state and what the user can do next, never a secret or an address.
public struct ChallengeView: Sendable, Equatable {
    public let challenge: Challenge
    /// What the dialog offers, in registration order; an exclusive method's offer alone when it has one. Only
    /// methods that reach the challenge's required level.
    public let offers: [MethodOffer]
    /// When no method the user has reaches the level: what to tell them ("Add a passkey in Security").
    public var advice: String?

    /// The offered methods' ids.
    public var methods: [MFAMethodID] { offers.map(\.method) }

    /// The offer of `method`, if it is offered.
    public func offer(_ method: MFAMethodID) -> MethodOffer? { offers.first { $0.method == method } }
}

extension Platform {
    /// The open challenge of this session for `context`, or a new one: one challenge per pending context. It needs
    /// a method of at least `level`.
    public func openChallenge(session: Session, context: MFAContext, level: AssuranceLevel = .aal1) async throws -> Challenge {
        let now = clock.now
        return try await store.write { tx in
            try await Self.openChallenge(
                for: context, level: level, session: session, now: now, properties: try await tx.systemProperties(),
                in: tx)
        }
    }

    /// The challenge with what each method offers for it.
    public func describeChallenge(id: String, session: Session) async throws -> ChallengeView {
        let now = clock.now
        let methods = self.methods
        return try await commit { tx in
            switch try await Self.ownedChallenge(id: id, session: session, now: now, in: tx) {
            case .failure(let error): return .failure(error)
            case .success(let challenge):
                guard challenge.state.isOpen else { return .success(ChallengeView(challenge: challenge, offers: [])) }
                let step = MethodStep(
                    transaction: tx, challenge: challenge, session: session, properties: try await tx.systemProperties(),
                    now: now)
                var offers: [MethodOffer] = []
                var exclusive: [MethodOffer] = []
                for method in methods.all where method.assurance.level >= challenge.requiredLevel {
                    guard let offer = try await method.offer(step) else { continue }
                    if method.isExclusive { exclusive.append(offer) } else { offers.append(offer) }
                }
                var view = ChallengeView(challenge: challenge, offers: exclusive.isEmpty ? offers : exclusive)
                if view.offers.isEmpty { view.advice = challenge.requiredLevel.unreachableAdvice }
                return .success(view)
            }
        }
    }

    /// Cancels an open challenge (the user closed the MFA dialog).
    public func cancelChallenge(id: String, session: Session) async throws -> Challenge {
        let now = clock.now
        return try await commit { tx in
            switch try await Self.ownedChallenge(id: id, session: session, now: now, in: tx) {
            case .failure(let error): return .failure(error)
            case .success(var challenge):
                try challenge.apply(.cancel, at: now)
                try await tx.update(challenge)
                try await tx.append(
                    AuditEvent(
                        at: now, action: "mfa.challenge.cancelled", outcome: .info, userID: challenge.userID,
                        sessionID: session.id, challengeID: challenge.id))
                return .success(challenge)
            }
        }
    }

    /// Consumes, atomically and at most once, a completion of `session` for exactly `context` no older than the
    /// freshness window. Nil when there is none; the caller then asks for MFA.
    public func consumeCompletion(session: Session, context: MFAContext, level: AssuranceLevel = .aal1) async throws
        -> MFACompletion?
    {
        let now = clock.now
        return try await store.write { tx in
            let notBefore = now.addingTimeInterval(-Double(try await tx.systemProperties().mfaFreshness))
            return try await StoreCompletionLedger(tx: tx, session: session).consume(context, level: max(level, try await tx.systemProperties().requiredLevel(for: context)), notBefore: notBefore, at: now)
        }
    }

    /// Loads a challenge only if it belongs to `session`; another session's challenge is reported as not found, so
    /// ids cannot be probed. An open challenge past its lifetime is expired here and the expiry committed.
    static func ownedChallenge(id: String, session: Session, now: Date, in tx: StoreTransaction) async throws
        -> Result<Challenge, StepupError>
    {
        guard var challenge = try await tx.challenge(id: id), challenge.sessionID == session.id else {
            return .failure(StepupError(.challengeNotFound))
        }
        if challenge.state.isOpen, now >= challenge.expiresAt {
            try challenge.apply(.expire, at: now)
            try await tx.update(challenge)
            try await tx.append(
                AuditEvent(
                    at: now, action: "mfa.challenge.expired", outcome: .info, userID: challenge.userID,
                    sessionID: session.id, challengeID: challenge.id))
            return .failure(StepupError(.challengeExpired, challengeID: challenge.id))
        }
        return .success(challenge)
    }

    /// Like ``ownedChallenge(id:session:now:in:)`` but refuses a closed challenge too.
    static func openOwnedChallenge(id: String, session: Session, now: Date, in tx: StoreTransaction) async throws
        -> Result<Challenge, StepupError>
    {
        try await ownedChallenge(id: id, session: session, now: now, in: tx).flatMap { challenge in
            guard challenge.state.isOpen else {
                if challenge.state == .expired { return .failure(StepupError(.challengeExpired, challengeID: id)) }
                return .failure(
                    StepupError(.challengeClosed, message: "The MFA challenge is \(challenge.state.rawValue).", challengeID: id))
            }
            return .success(challenge)
        }
    }
}
