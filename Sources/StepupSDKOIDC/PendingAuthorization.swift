import Foundation

/// What one started sign-in keeps on the server until the user returns: never sent to the browser, used once.
public struct PendingAuthorization: Sendable, Equatable {
    /// The user the flow was started for.
    public let userID: String
    /// The MFA context the flow serves (kind plus transaction or audit action), so a return cannot be replayed
    /// into another challenge of the same user.
    public let contextKey: String
    public let nonce: String
    public let codeVerifier: String
    public let startedAt: Date
    public let expiresAt: Date

    public init(userID: String, contextKey: String, nonce: String, codeVerifier: String, startedAt: Date, expiresAt: Date) {
        self.userID = userID
        self.contextKey = contextKey
        self.nonce = nonce
        self.codeVerifier = codeVerifier
        self.startedAt = startedAt
        self.expiresAt = expiresAt
    }
}

/// Where started sign-ins wait for the user's return, keyed by `state`. Taking one removes it: a state works once.
/// An extension served by several processes needs one shared implementation; ``InMemoryPendingAuthorizations``
/// serves one process.
public protocol PendingAuthorizationStore: Sendable {
    func insert(_ pending: PendingAuthorization, state: String) async throws
    /// Removes and returns the flow for `state`; tells a state already used from one never issued.
    func take(state: String, now: Date) async throws -> Result<PendingAuthorization, OIDCFailure>
}

/// Pending sign-ins in this process's memory, keyed by a SHA-256 of the state. Used states are remembered until
/// they would have expired, so a replay is told apart from a forgery. Bounded: beyond `capacity` waiting flows the
/// oldest are dropped.
public actor InMemoryPendingAuthorizations: PendingAuthorizationStore {
    private var pending: [String: PendingAuthorization] = [:]
    private var used: [String: Date] = [:]
    private let capacity: Int

    public init(capacity: Int = 10_000) {
        self.capacity = capacity
    }

    public func insert(_ flow: PendingAuthorization, state: String) {
        prune(now: flow.startedAt)
        if pending.count >= capacity, let oldest = pending.min(by: { $0.value.startedAt < $1.value.startedAt })?.key {
            pending[oldest] = nil
        }
        pending[Self.key(state)] = flow
    }

    public func take(state: String, now: Date) -> Result<PendingAuthorization, OIDCFailure> {
        let key = Self.key(state)
        if used[key] != nil { return .failure(.stateReplayed) }
        guard let flow = pending.removeValue(forKey: key) else { return .failure(.stateUnknown) }
        used[key] = flow.expiresAt
        prune(now: now)
        return now < flow.expiresAt ? .success(flow) : .failure(.stateExpired)
    }

    /// How many flows are waiting (for tests and metrics).
    public var waiting: Int { pending.count }

    private func prune(now: Date) {
        pending = pending.filter { now < $0.value.expiresAt }
        used = used.filter { now < $0.value }
    }

    static func key(_ state: String) -> String { PKCE.challenge(for: state) }
}
