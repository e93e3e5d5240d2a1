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
        return hex(millis, digits: 12) + hex(UInt64(sequence), digits: 8) + SecureRandom.token(bits: 48)
    }

    /// Zero-padded lower-case hex; `String(format:)` cost more than the rest of an audit append.
    private static func hex(_ value: UInt64, digits: Int) -> String {
        let text = String(value, radix: 16)
        return text.count >= digits ? text : String(repeating: "0", count: digits - text.count) + text
    }
}
