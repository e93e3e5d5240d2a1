import Foundation
import StepupCore

/// The provider's key set as the relying party keeps it: cached for the configured lifetime, refetched early when
/// a token names a key the cache lacks or fails its signature under a key the cache holds (a provider may rotate a
/// key under the same `kid`), but such early refetches at most once per ``refetchInterval``.
///
/// The interval counts attempts, not successes, and is claimed before the fetch starts: the cache is an actor, and
/// an actor method lets other callers in at every `await`, so a burst of forged tokens arriving during one fetch
/// would otherwise start a fetch each. Callers that arrive during a fetch wait for it instead.
actor ProviderKeyCache {
    /// The shortest time between two early refetches.
    static let refetchInterval: TimeInterval = 30

    /// How the set is downloaded (discovery's `jwks_uri`, through the provider's transport).
    typealias Fetch = @Sendable () async throws(OIDCFailure) -> ProviderKeys

    private let lifetime: TimeInterval
    private let clock: any StepupClock
    private var cached: (value: ProviderKeys, fetchedAt: Date)?
    private var lastAttempt: Date?
    private var inFlight: Task<ProviderKeys, any Error>?

    init(lifetime: TimeInterval, clock: any StepupClock) {
        self.lifetime = lifetime
        self.clock = clock
    }

    /// The set to check a token naming `kid` with: the cached one if it is fresh and holds `kid` (or none is
    /// named), otherwise a refetched one if the interval allows, otherwise the cached one.
    func keys(containing kid: String?, fetch: @escaping Fetch) async throws(OIDCFailure) -> ProviderKeys {
        if let inFlight { return try await Self.value(of: inFlight) }
        let now = clock.now
        if let cached, now.timeIntervalSince(cached.fetchedAt) < lifetime {
            let known = kid.map { cached.value.keyIDs.contains($0) } ?? true
            if known || !mayRefetch(now) { return cached.value }
        }
        return try await refetch(now, fetch)
    }

    /// After a token failed its signature check against `used`: another set to check it once more with, or nil
    /// when there is none to be had (the cache still holds `used` and the interval forbids a refetch). A set that
    /// another caller fetched meanwhile is answered without a fetch of its own.
    func keys(replacing used: ProviderKeys, fetch: @escaping Fetch) async throws(OIDCFailure) -> ProviderKeys? {
        if let inFlight {
            let fetched = try await Self.value(of: inFlight)
            return fetched.collection === used.collection ? nil : fetched
        }
        if let cached, cached.value.collection !== used.collection { return cached.value }
        let now = clock.now
        guard mayRefetch(now) else { return nil }
        return try await refetch(now, fetch)
    }

    private func mayRefetch(_ now: Date) -> Bool {
        lastAttempt.map { now.timeIntervalSince($0) >= Self.refetchInterval } ?? true
    }

    private func refetch(_ now: Date, _ fetch: @escaping Fetch) async throws(OIDCFailure) -> ProviderKeys {
        lastAttempt = now
        let task = Task { () async throws -> ProviderKeys in try await fetch() }
        inFlight = task
        defer { inFlight = nil }
        let fetched = try await Self.value(of: task)
        cached = (fetched, now)
        return fetched
    }

    private static func value(of task: Task<ProviderKeys, any Error>) async throws(OIDCFailure) -> ProviderKeys {
        do {
            return try await task.value
        } catch let failure as OIDCFailure {
            throw failure
        } catch {
            throw .providerUnavailable("the key set fetch failed")
        }
    }
}
