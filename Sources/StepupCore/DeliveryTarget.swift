import Foundation

/// The kinds of delivery target the seeds name, each with its own pair of allow properties.
public enum TargetKind: String, Sendable, Codable, CaseIterable {
    case email, sms, voice, push
}

/// Somewhere an access code can be sent: an address of one of the user's devices or mailboxes.
public struct DeliveryTarget: Sendable, Codable, Equatable, Identifiable {
    public let id: String
    public let userID: String
    public let kind: TargetKind
    /// The real address (email, E.164 phone number, push device id). Never sent to a browser: see ``masked``.
    public let address: String

    public init(id: String, userID: String, kind: TargetKind, address: String) {
        self.id = id
        self.userID = userID
        self.kind = kind
        self.address = address
    }

    /// A display form that lets the user recognise the target without revealing it.
    public var masked: String {
        switch kind {
        case .email:
            guard let at = address.firstIndex(of: "@") else { return Self.maskTail(address, keep: 2) }
            let local = address[..<at]
            let domain = address[address.index(after: at)...]
            let first = local.first.map(String.init) ?? ""
            return first + "••••@" + domain
        case .sms, .voice:
            return Self.maskTail(address, keep: 4)
        case .push:
            return "Device " + Self.maskTail(address, keep: 4)
        }
    }

    private static func maskTail(_ value: String, keep: Int) -> String {
        let visible = value.suffix(keep)
        // A fixed run of bullets: the mask must not reveal the address's length either.
        return "••••" + visible
    }
}
