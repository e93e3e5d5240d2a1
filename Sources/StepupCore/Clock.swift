import Foundation
import Synchronization

/// Where Stepup reads the time. Injected everywhere so that tests move time instead of sleeping.
public protocol StepupClock: Sendable {
    var now: Date { get }
}

/// The wall clock.
public struct SystemClock: StepupClock {
    public init() {}
    public var now: Date { Date() }
}

/// A clock that moves only when told to; for tests and simulations.
public final class ManualClock: StepupClock {
    private let current: Mutex<Date>

    public init(_ start: Date = Date(timeIntervalSince1970: 1_800_000_000)) {
        current = Mutex(start)
    }

    public var now: Date { current.withLock { $0 } }

    public func advance(by seconds: TimeInterval) {
        current.withLock { $0 = $0.addingTimeInterval(seconds) }
    }

    public func set(_ date: Date) {
        current.withLock { $0 = date }
    }
}
