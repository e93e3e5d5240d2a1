import Foundation

/// Where an extension service remembers the nonces of requests the platform signed, so a replay is refused even
/// after the service restarts, and by every process of a service that shares the store.
///
/// A nonce needs remembering only while its signature's timestamp is inside ``RequestSignature/window``: older
/// requests are refused by the timestamp check, so a store may forget entries older than that.
///
/// ```swift
/// struct RedisNonces: NonceStore {
///     func use(_ nonce: String, now: Date) async throws -> Bool {
///         try await redis.set(nonce, "1", onlyIfAbsent: true, expiresIn: .seconds(120))  // true when newly set
///     }
/// }
/// let service = ExtensionService(extensions: [MyExtension()], keys: keys, platformURL: url, nonces: RedisNonces())
/// ```
public protocol NonceStore: Sendable {
    /// Records `nonce`, seen at `now`; false if it was recorded before (a replay). Must be atomic across every
    /// process that shares the store.
    func use(_ nonce: String, now: Date) async throws -> Bool
}
