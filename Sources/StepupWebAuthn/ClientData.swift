import Foundation
import StepupCore

/// `clientDataJSON` (WebAuthn §5.8.1), the browser's account of the ceremony: its type, the challenge, the origin and
/// whether it ran in a cross-origin frame. Kept with its raw bytes, whose SHA-256 the authenticator signs.
public struct ClientData: Sendable, Equatable {
    public let type: String
    /// The challenge, decoded from base64url.
    public let challenge: [UInt8]
    public let origin: String
    public let crossOrigin: Bool
    public let topOrigin: String?
    public let raw: [UInt8]

    /// The largest client data accepted: browsers send a few hundred bytes.
    public static let maximumLength = 4096

    public init(_ bytes: [UInt8]) throws(WebAuthnError) {
        guard bytes.count <= Self.maximumLength else { throw WebAuthnError(.malformed, "The client data is too long.") }
        struct Wire: Decodable {
            let type: String
            let challenge: String
            let origin: String
            let crossOrigin: Bool?
            let topOrigin: String?
        }
        guard let wire = try? JSONDecoder().decode(Wire.self, from: Data(bytes)) else {
            throw WebAuthnError(.malformed, "The client data is not the JSON a browser sends.")
        }
        guard let challenge = Base64URL.decodeStrict(wire.challenge) else {
            throw WebAuthnError(.malformed, "The client data's challenge is not base64url.")
        }
        type = wire.type
        self.challenge = challenge
        origin = wire.origin
        crossOrigin = wire.crossOrigin ?? false
        topOrigin = wire.topOrigin
        raw = bytes
    }
}
