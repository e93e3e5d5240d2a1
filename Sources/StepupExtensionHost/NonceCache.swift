import Foundation
import Synchronization

/// Nonces seen within the signature window; a nonce seen twice is a replay. Entries older than the window are
/// forgotten, since the timestamp check refuses those requests anyway.
final class NonceCache: Sendable {
    private let seen = Mutex([String: Date]())
    private let window: TimeInterval

    init(window: TimeInterval) { self.window = window }

    /// Records `nonce`; false if it was already used.
    func use(_ nonce: String, now: Date) -> Bool {
        seen.withLock { seen in
            if seen.count > 10_000 { seen = seen.filter { now.timeIntervalSince($0.value) < 2 * window } }
            guard seen[nonce] == nil else { return false }
            seen[nonce] = now
            return true
        }
    }
}
