import Foundation
import StepupCore

/// A message carrying an access code to one delivery target.
public struct DeliveryMessage: Sendable, Equatable {
    public let target: DeliveryTarget
    public let code: String
    public let text: String
    public let challengeID: String
    public let sentAt: Date
    /// The email subject; nil for an access code ("Bank: your access code"). A security notice has its own and
    /// no code.
    public var subject: String?

    public init(target: DeliveryTarget, code: String, text: String, challengeID: String, sentAt: Date, subject: String? = nil) {
        self.target = target
        self.code = code
        self.text = text
        self.challengeID = challengeID
        self.sentAt = sentAt
        self.subject = subject
    }
}

/// A way of getting a code to a person: email, SMS, voice, push, through one vendor. A new provider is one type
/// conforming to this, registered for a target kind at the composition root (`StepupBuilder.register(provider:for:)`)
/// or chosen by configuration.
///
/// A provider reports failure in its own words, through one type: shared code switches on no vendor's errors.
///
/// ```swift
/// struct PagerProvider: DeliveryProvider {
///     let name = "pager"
///     func deliver(_ message: DeliveryMessage) async throws {
///         let status = try await pager.send(message.text)
///         guard status == 200 else { throw DeliveryFailure(provider: name, reason: "pager status \(status)") }
///     }
/// }
/// ```
public protocol DeliveryProvider: Sendable {
    /// The provider's name in audit events and logs ("smtp", "webhook").
    var name: String { get }
    /// Delivers the message or throws, preferably a ``DeliveryFailure``; any throw voids the code and is reported
    /// as `delivery_failed`.
    func deliver(_ message: DeliveryMessage) async throws
}

extension DeliveryProvider {
    public var name: String { String(describing: Self.self) }
}

/// Why a delivery failed, in the provider's words, with no secret in them (never the code or the message): the
/// reason is written to the audit trail as it is.
public struct DeliveryFailure: Error, Sendable, CustomStringConvertible {
    public let provider: String
    public let reason: String
    /// The provider's own error, for its tests and logs.
    public let underlying: (any Error & Sendable)?

    public init(provider: String, reason: String, underlying: (any Error & Sendable)? = nil) {
        self.provider = provider
        self.reason = reason
        self.underlying = underlying
    }

    /// `error` as a failure of `provider`: itself when it is one, else named by its type only (its description
    /// might hold an address).
    public static func from(_ error: any Error, provider: String) -> DeliveryFailure {
        if let failure = error as? DeliveryFailure { return failure }
        return DeliveryFailure(provider: provider, reason: String(describing: type(of: error)))
    }

    public var description: String { "\(provider): \(reason)" }
}

/// Drops every message. For tests and benchmarks only: a platform should never drop a code silently.
public struct NullChannel: DeliveryProvider {
    public init() {}
    public let name = "null"
    public func deliver(_ message: DeliveryMessage) async throws {}
}

/// Stands for a kind no provider is configured for: every send fails, so the user is told and can choose another
/// target, and the failure is audited.
public struct UnconfiguredChannel: DeliveryProvider {
    public init() {}
    public let name = "unconfigured"
    public func deliver(_ message: DeliveryMessage) async throws {
        throw DeliveryFailure(provider: name, reason: "no provider configured for this kind")
    }
}

/// Keeps delivered messages in memory so a developer can read them at `/dev/outbox`. Demo mode only.
public actor DevOutbox: DeliveryProvider {
    public nonisolated var name: String { "outbox" }
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

/// The provider for each target kind; kinds without one use the fallback.
public struct DeliveryProviders: Sendable {
    public var providers: [TargetKind: any DeliveryProvider]
    public var fallback: any DeliveryProvider

    public init(providers: [TargetKind: any DeliveryProvider] = [:], fallback: any DeliveryProvider = UnconfiguredChannel()) {
        self.providers = providers
        self.fallback = fallback
    }

    public func provider(for kind: TargetKind) -> any DeliveryProvider { providers[kind] ?? fallback }

    /// Sets the provider of `kind`, replacing the configured one.
    public mutating func register(_ provider: any DeliveryProvider, for kind: TargetKind) { providers[kind] = provider }
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
