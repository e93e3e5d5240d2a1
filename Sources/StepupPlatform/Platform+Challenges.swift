import Foundation
import StepupCore
import StepupStore

/// A challenge as the banking app sees it: state and what the user can do next, never a secret or an address.
public struct ChallengeView: Sendable, Equatable {
    public let challenge: Challenge
    /// The targets this context may use, by id with their masked form.
    public let targets: [MaskedTarget]
    /// Whether the user has an access token (TOTP) to enter instead of a code.
    public let accessTokenAvailable: Bool
    /// The extension that is this user's external MFA for the challenge's context, shown instead of the code screens.
    public let externalExtension: String?
}

/// A delivery target as shown to its owner.
public struct MaskedTarget: Sendable, Equatable, Codable {
    public let id: String
    public let kind: TargetKind
    public let masked: String

    init(_ target: DeliveryTarget) {
        id = target.id
        kind = target.kind
        masked = target.masked
    }
}

extension Platform {
    /// The open challenge of this session for `context`, or a new one: one challenge per pending context.
    public func openChallenge(session: Session, context: MFAContext) async throws -> Challenge {
        let now = clock.now
        return try await store.write { tx in
            try await Self.openChallenge(
                for: context, session: session, now: now, properties: try await tx.systemProperties(), in: tx)
        }
    }

    /// The challenge with its allowed (masked) targets and available methods.
    public func describeChallenge(id: String, session: Session) async throws -> ChallengeView {
        let view = try await describeOwnChallenge(id: id, session: session)
        guard view.challenge.state.isOpen,
            let external = try await externalMFAProvider(userID: session.userID, context: view.challenge.context)
        else { return view }
        return ChallengeView(challenge: view.challenge, targets: [], accessTokenAvailable: false, externalExtension: external)
    }

    private func describeOwnChallenge(id: String, session: Session) async throws -> ChallengeView {
        let now = clock.now
        return try await commit { tx in
            switch try await Self.ownedChallenge(id: id, session: session, now: now, in: tx) {
            case .failure(let error): return .failure(error)
            case .success(let challenge):
                let properties = try await tx.systemProperties()
                let targets = TargetPolicy(properties: properties)
                    .allowedTargets(try await tx.targets(userID: session.userID), for: challenge.context)
                let tokens = try await tx.accessTokens(userID: session.userID)
                return .success(
                    ChallengeView(
                        challenge: challenge, targets: targets.map(MaskedTarget.init),
                        accessTokenAvailable: !tokens.isEmpty, externalExtension: nil))
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
    public func consumeCompletion(session: Session, context: MFAContext) async throws -> MFACompletion? {
        let now = clock.now
        return try await store.write { tx in
            let properties = try await tx.systemProperties()
            let notBefore = now.addingTimeInterval(-Double(properties.mfaFreshness))
            guard
                let completion = try await tx.consumeCompletion(
                    sessionID: session.id, context: context, notBefore: notBefore, at: now)
            else { return nil }
            try await tx.append(
                AuditEvent(
                    at: now, action: "mfa.completion.consumed", outcome: .success, userID: completion.userID,
                    sessionID: session.id, challengeID: completion.challengeID,
                    details: ["context": context.kind, "completion": completion.id]))
            return completion
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
