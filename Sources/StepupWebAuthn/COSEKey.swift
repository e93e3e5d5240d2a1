import Crypto
import Foundation
import _CryptoExtras

/// A credential public key in COSE form (RFC 9052/9053), as authenticators return it: ES256 (EC2 on P-256, required
/// by WebAuthn), EdDSA (Ed25519) and RS256 (RSA PKCS#1 v1.5 with SHA-256, 2048 bits or more).
public enum COSEKey: Sendable, Equatable {
    case es256(P256.Signing.PublicKey)
    case ed25519(Curve25519.Signing.PublicKey)
    case rs256(_RSA.Signing.PublicKey)

    /// The COSE algorithm identifiers, as `pubKeyCredParams` names them.
    public enum Algorithm: Int64, Sendable, CaseIterable {
        case es256 = -7
        case edDSA = -8
        case rs256 = -257
    }

    public var algorithm: Algorithm {
        switch self {
        case .es256: .es256
        case .ed25519: .edDSA
        case .rs256: .rs256
        }
    }

    public static func == (lhs: COSEKey, rhs: COSEKey) -> Bool {
        switch (lhs, rhs) {
        case (.es256(let a), .es256(let b)): a.x963Representation == b.x963Representation
        case (.ed25519(let a), .ed25519(let b)): a.rawRepresentation == b.rawRepresentation
        case (.rs256(let a), .rs256(let b)): a.derRepresentation == b.derRepresentation
        default: false
        }
    }

    /// Reads a COSE_Key map. Refuses a key whose `alg` does not match its type and curve, a point not on the curve,
    /// an RSA key under 2048 bits, and any other type or algorithm.
    public init(_ cbor: CBOR) throws(WebAuthnError) {
        guard case .map = cbor, let kty = cbor[1]?.int, let alg = cbor[3]?.int else {
            throw WebAuthnError(.malformed, "The credential public key is not a COSE key with kty and alg.")
        }
        switch (kty, alg) {
        case (2, Algorithm.es256.rawValue):
            guard cbor[-1]?.int == 1, let x = cbor[-2]?.bytes, let y = cbor[-3]?.bytes, x.count == 32, y.count == 32 else {
                throw WebAuthnError(.malformed, "An ES256 key needs crv P-256 and 32-byte x and y.")
            }
            do {
                self = .es256(try P256.Signing.PublicKey(x963Representation: [0x04] + x + y))
            } catch {
                throw WebAuthnError(.malformed, "The ES256 key is not a point on P-256.")
            }
        case (1, Algorithm.edDSA.rawValue):
            guard cbor[-1]?.int == 6, let x = cbor[-2]?.bytes, x.count == 32 else {
                throw WebAuthnError(.malformed, "An EdDSA key needs crv Ed25519 and a 32-byte x.")
            }
            do {
                self = .ed25519(try Curve25519.Signing.PublicKey(rawRepresentation: x))
            } catch {
                throw WebAuthnError(.malformed, "The Ed25519 key is not valid.")
            }
        case (3, Algorithm.rs256.rawValue):
            guard let n = cbor[-1]?.bytes, let e = cbor[-2]?.bytes, !n.isEmpty, !e.isEmpty, e.count <= 8 else {
                throw WebAuthnError(.malformed, "An RS256 key needs its modulus n and exponent e.")
            }
            do {
                let key = try _RSA.Signing.PublicKey(n: n, e: e)
                guard key.keySizeInBits >= 2048 else { throw WebAuthnError(.malformed, "An RS256 key has at least 2048 bits.") }
                self = .rs256(key)
            } catch let error as WebAuthnError {
                throw error
            } catch {
                throw WebAuthnError(.malformed, "The RS256 key is not valid.")
            }
        default:
            throw WebAuthnError(.unsupportedAlgorithm, "The credential uses COSE kty \(kty) and alg \(alg); ES256, EdDSA and RS256 are accepted.")
        }
    }

    /// Whether `signature` (DER for ES256, raw for EdDSA, PKCS#1 v1.5 for RS256) signs `data`.
    public func verifies(_ signature: [UInt8], over data: [UInt8]) -> Bool {
        switch self {
        case .es256(let key):
            guard let parsed = try? P256.Signing.ECDSASignature(derRepresentation: signature) else { return false }
            return key.isValidSignature(parsed, for: data)
        case .ed25519(let key):
            return key.isValidSignature(signature, for: data)
        case .rs256(let key):
            return key.isValidSignature(_RSA.Signing.RSASignature(rawRepresentation: signature), for: data, padding: .insecurePKCS1v1_5)
        }
    }

    /// The key as stored: its SubjectPublicKeyInfo DER (what `getPublicKey()` answers in the browser), with its
    /// algorithm beside it in the row.
    public var spki: [UInt8] {
        switch self {
        case .es256(let key): Array(key.derRepresentation)
        case .ed25519(let key): Self.ed25519SPKIPrefix + Array(key.rawRepresentation)
        case .rs256(let key): Array(key.derRepresentation)
        }
    }

    /// Reads a stored key back.
    public init(spki: [UInt8], algorithm: Algorithm) throws(WebAuthnError) {
        do {
            switch algorithm {
            case .es256: self = .es256(try P256.Signing.PublicKey(derRepresentation: spki))
            case .edDSA:
                guard spki.count == Self.ed25519SPKIPrefix.count + 32, spki.starts(with: Self.ed25519SPKIPrefix) else {
                    throw WebAuthnError(.malformed, "The stored Ed25519 key is not valid.")
                }
                self = .ed25519(try Curve25519.Signing.PublicKey(rawRepresentation: spki.dropFirst(Self.ed25519SPKIPrefix.count)))
            case .rs256: self = .rs256(try _RSA.Signing.PublicKey(derRepresentation: spki))
            }
        } catch let error as WebAuthnError {
            throw error
        } catch {
            throw WebAuthnError(.malformed, "The stored credential key is not valid.")
        }
    }

    /// RFC 8410's SubjectPublicKeyInfo header for an Ed25519 key.
    static let ed25519SPKIPrefix: [UInt8] = [0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00]
}
