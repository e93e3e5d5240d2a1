import Foundation
import Synchronization

/// Identifiers that sort in creation order: milliseconds, then a per-process counter, then randomness. The audit
/// trail orders by (time, id), so events of one request, written within one millisecond, keep their order.
public enum SortableID {
    private static let counter = Mutex<UInt32>(0)

    public static func make(at date: Date) -> String {
        let millis = UInt64(max(0, date.timeIntervalSince1970 * 1000))
        let sequence = counter.withLock { value -> UInt32 in
            value = value &+ 1
            return value
        }
        return String(format: "%012llx%08x", millis, sequence) + SecureRandom.token(bits: 48)
    }
}
