import Crypto
import Foundation
import StepupCore
import StepupWebAuthn

/// A canonical CBOR encoder for fixtures: what an authenticator writes (CTAP2 canonical: shortest forms, map keys
/// sorted by their encodings, shorter first).
///
/// ```swift
/// let bytes = CBOREncoder.encode(.map([(.text("fmt"), .text("none"))]))
/// ```
public enum CBOREncoder {
    public static func encode(_ item: CBOR) -> [UInt8] {
        switch item {
        case .integer(let value):
            return value >= 0 ? head(0, UInt64(value)) : head(1, UInt64(-1 - value))
        case .bytes(let bytes): return head(2, UInt64(bytes.count)) + bytes
        case .text(let text): return head(3, UInt64(text.utf8.count)) + Array(text.utf8)
        case .array(let items): return head(4, UInt64(items.count)) + items.flatMap(encode)
        case .map(let entries):
            let encoded = entries.map { (encode($0.key), encode($0.value)) }
                .sorted { $0.0.count != $1.0.count ? $0.0.count < $1.0.count : $0.0.lexicographicallyPrecedes($1.0) }
            return head(5, UInt64(entries.count)) + encoded.flatMap { $0.0 + $0.1 }
        case .boolean(let value): return [value ? 0xf5 : 0xf4]
        case .null: return [0xf6]
        }
    }

    public static func head(_ major: UInt8, _ value: UInt64) -> [UInt8] {
        let type = major << 5
        switch value {
        case 0..<24: return [type | UInt8(value)]
        case 24...0xff: return [type | 24, UInt8(value)]
        case 0x100...0xffff: return [type | 25] + bytes(value, 2)
        case 0x1_0000...0xffff_ffff: return [type | 26] + bytes(value, 4)
        default: return [type | 27] + bytes(value, 8)
        }
    }

    public static func bytes(_ value: UInt64, _ count: Int) -> [UInt8] {
        (0..<count).reversed().map { UInt8(truncatingIfNeeded: value >> (8 * UInt64($0))) }
    }
}

/// An authenticator in software, for tests the relying party must accept or refuse: a P-256 key, a counter, the
/// flags it reports, and the bank's RP ID and origin. It plays the browser too: it writes `clientDataJSON`.
///
/// ```swift
/// var authenticator = SoftwareAuthenticator(rpID: "localhost", origin: "http://localhost:8080")
/// let (attestation, clientData) = try authenticator.register(challenge: options.challengeBytes)
/// let assertion = try authenticator.assert(challenge: requestChallenge)
/// ```
public struct SoftwareAuthenticator: Sendable {
    public var rpID: String
    public var origin: String
    public var key = P256.Signing.PrivateKey()
    public var credentialID = Array(SecureRandom.bytes(16))
    public var aaguid: [UInt8] = Array(repeating: 0xaa, count: 16)
    public var signCount: UInt32 = 0
    public var flags: AuthenticatorData.Flags = [.userPresent, .userVerified, .backupEligible, .backedUp]

    public init(rpID: String = "bank.example", origin: String = "https://bank.example") {
        self.rpID = rpID
        self.origin = origin
    }

    /// The credential id as the browser reports it.
    public var credentialIDText: String { Base64URL.encode(credentialID) }

    public var coseKey: [UInt8] {
        let point = Array(key.publicKey.x963Representation)
        return CBOREncoder.encode(
            .map([
                (.integer(1), .integer(2)), (.integer(3), .integer(-7)), (.integer(-1), .integer(1)),
                (.integer(-2), .bytes(Array(point[1..<33]))), (.integer(-3), .bytes(Array(point[33..<65]))),
            ]))
    }

    public func clientData(type: String, challenge: [UInt8], origin: String? = nil, extra: String = "") -> [UInt8] {
        Array(
            #"{"type":"\#(type)","challenge":"\#(Base64URL.encode(challenge))","origin":"\#(origin ?? self.origin)","crossOrigin":false\#(extra)}"#
                .utf8)
    }

    public func authenticatorData(attested: Bool, flags: AuthenticatorData.Flags? = nil, rpID: String? = nil) -> [UInt8] {
        var flags = flags ?? self.flags
        if attested { flags.insert(.attestedCredentialData) }
        var data = Array(SHA256.hash(data: Array((rpID ?? self.rpID).utf8))) + [flags.rawValue]
            + CBOREncoder.bytes(UInt64(signCount), 4)
        if attested {
            data += aaguid + CBOREncoder.bytes(UInt64(credentialID.count), 2) + credentialID + coseKey
        }
        return data
    }

    /// A registration: the attestation object (`none`, `packed` self attestation, or `packed` signed by
    /// `attestation`'s key with its certificate chain) and the client data.
    public func register(
        challenge: [UInt8], format: String = "none", origin: String? = nil,
        attestation: (key: P256.Signing.PrivateKey, chain: [[UInt8]])? = nil
    ) throws -> (attestation: [UInt8], clientData: [UInt8]) {
        let client = clientData(type: "webauthn.create", challenge: challenge, origin: origin)
        let data = authenticatorData(attested: true)
        var statement: CBOR = .map([])
        if let attestation {
            let signature = try attestation.key.signature(for: data + Array(SHA256.hash(data: client)))
            statement = .map([
                (.text("alg"), .integer(-7)), (.text("sig"), .bytes(Array(signature.derRepresentation))),
                (.text("x5c"), .array(attestation.chain.map { .bytes($0) })),
            ])
            let object = CBOREncoder.encode(.map([(.text("fmt"), .text("packed")), (.text("attStmt"), statement), (.text("authData"), .bytes(data))]))
            return (object, client)
        }
        if format == "packed" {
            let signature = try key.signature(for: data + Array(SHA256.hash(data: client)))
            statement = .map([(.text("alg"), .integer(-7)), (.text("sig"), .bytes(Array(signature.derRepresentation)))])
        }
        let object = CBOREncoder.encode(.map([(.text("fmt"), .text(format)), (.text("attStmt"), statement), (.text("authData"), .bytes(data))]))
        return (object, client)
    }

    /// An assertion: its authenticator data, client data and signature; the counter moves on first.
    public mutating func assert(challenge: [UInt8], origin: String? = nil, flags: AuthenticatorData.Flags? = nil, step: UInt32 = 1)
        throws -> (authenticatorData: [UInt8], clientData: [UInt8], signature: [UInt8])
    {
        signCount += step
        let client = clientData(type: "webauthn.get", challenge: challenge, origin: origin)
        let data = authenticatorData(attested: false, flags: flags)
        let signature = try key.signature(for: data + Array(SHA256.hash(data: client)))
        return (data, client, Array(signature.derRepresentation))
    }
}
