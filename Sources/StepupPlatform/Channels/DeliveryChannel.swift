import Foundation
import StepupCore

/// A message carrying an access code to one delivery target.
public struct DeliveryMessage: Sendable, Equatable {
    public let target: DeliveryTarget
    public let code: String
    public let text: String
    public let challengeID: String
    public let sentAt: Date

    public init(target: DeliveryTarget, code: String, text: String, challengeID: String, sentAt: Date) {
        self.target = target
        self.code = code
        self.text = text
        self.challengeID = challengeID
        self.sentAt = sentAt
    }
}

/// A way of getting a code to a person: email, SMS, voice, push. A new channel is one type conforming to this.
///
/// ```swift
/// struct PagerChannel: DeliveryChannel {
///     func deliver(_ message: DeliveryMessage) async throws { try await pager.send(message.text) }
/// }
/// ```
public protocol DeliveryChannel: Sendable {
    /// Delivers the message or throws; a throw voids the code and is reported as `delivery_failed`.
    func deliver(_ message: DeliveryMessage) async throws
}

/// Drops every message. For tests and benchmarks only: a platform should never drop a code silently.
public struct NullChannel: DeliveryChannel {
    public init() {}
    public func deliver(_ message: DeliveryMessage) async throws {}
}

/// Stands for a kind no channel is configured for: every send fails, so the user is told and can choose another
/// target, and the failure is audited.
public struct UnconfiguredChannel: DeliveryChannel {
    public struct NotConfigured: Error {}
    public init() {}
    public func deliver(_ message: DeliveryMessage) async throws { throw NotConfigured() }
}

/// Keeps delivered messages in memory so a developer can read them at `/dev/outbox`. Demo mode only.
public actor DevOutbox: DeliveryChannel {
    private var messages: [DeliveryMessage] = []
    /// The same messages by challenge: a benchmark asks for one challenge's code hundreds of times a second, and
    /// copying the whole outbox for each cost a fifth of the server's time.
    private var byChallenge: [String: [DeliveryMessage]] = [:]
    private let capacity: Int

    /// Keeps at least the newest `capacity` messages, and at most a quarter more.
    public init(capacity: Int = 200) { self.capacity = capacity }

    public func deliver(_ message: DeliveryMessage) async throws {
        messages.append(message)
        byChallenge[message.challengeID, default: []].append(message)
        // Evict in chunks of a quarter, so the array is shifted once per capacity/4 messages, not on every one.
        if messages.count > capacity + capacity / 4 {
            let evicted = messages.count - capacity
            for old in messages.prefix(evicted) {
                byChallenge[old.challengeID]?.removeFirst()
                if byChallenge[old.challengeID]?.isEmpty == true { byChallenge[old.challengeID] = nil }
            }
            messages.removeFirst(evicted)
        }
    }

    /// Messages newest first.
    public func all() -> [DeliveryMessage] { messages.reversed() }

    /// One challenge's messages, newest first.
    public func messages(challengeID: String) -> [DeliveryMessage] { byChallenge[challengeID, default: []].reversed() }
}

/// The channel for each target kind; kinds without one use the fallback.
public struct DeliveryChannels: Sendable {
    public var channels: [TargetKind: any DeliveryChannel]
    public var fallback: any DeliveryChannel

    public init(channels: [TargetKind: any DeliveryChannel] = [:], fallback: any DeliveryChannel = UnconfiguredChannel()) {
        self.channels = channels
        self.fallback = fallback
    }

    public func channel(for kind: TargetKind) -> any DeliveryChannel { channels[kind] ?? fallback }
}

/// The text of a code message: the bank, the code, its lifetime and, for a transaction, what it authorises, so a
/// user can notice a code asked for something they did not do.
enum MessageText {
    static func make(bank: String, code: String, context: MFAContext, lifetime: Int) -> String {
        var text = "\(bank): your access code is \(code). It expires in \(lifetime / 60) minutes."
        if case .transaction(let items) = context {
            let lines = items.map { item in
                "\(formatMinor(item.amountMinor)) \(item.currency) to \(item.payee)"
            }
            text += " It authorises: " + lines.joined(separator: "; ") + "."
        }
        return text + " Never share it."
    }

    static func formatMinor(_ minor: Int64) -> String {
        let sign = minor < 0 ? "-" : ""
        let value = minor.magnitude
        let cents = value % 100
        return "\(sign)\(value / 100).\(cents < 10 ? "0" : "")\(cents)"
    }
}
