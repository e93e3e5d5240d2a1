import Crypto
import Foundation

/// How Stepup keeps secrets it must recognise later (session ids, CSRF tokens, access codes, external tokens):
/// only a SHA-256 digest, compared in constant time.
///
/// High-entropy secrets (256-bit session ids) need no salt. Short codes are salted with the id of the row that owns
/// them, so one table of digests cannot be reversed with one precomputed dictionary.
public enum SecretHash {
    public static func digest(_ secret: String, salt: String = "") -> String {
        var hasher = SHA256()
        hasher.update(data: Array(salt.utf8))
        hasher.update(data: [0])
        hasher.update(data: Array(secret.utf8))
        return hex(Array(hasher.finalize()))
    }

    /// Whether `secret` hashes to `expectedDigest`, without an early exit on the first differing byte.
    public static func matches(_ secret: String, digest expectedDigest: String, salt: String = "") -> Bool {
        ConstantTime.equals(Array(digest(secret, salt: salt).utf8), Array(expectedDigest.utf8))
    }

    /// Lower-case hex, with a table: `String(format:)` per byte costs more than the SHA-256 it prints.
    public static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The bytes of an even-length hex string (either case), or nil for anything else: configured AAGUIDs and
    /// other hex an operator types.
    public static func bytes(hex: String) -> [UInt8]? {
        let digits = Array(hex.utf8)
        guard digits.count % 2 == 0 else { return nil }
        func value(_ digit: UInt8) -> UInt8? {
            switch digit {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
            default: nil
            }
        }
        var out: [UInt8] = []
        out.reserveCapacity(digits.count / 2)
        for index in stride(from: 0, to: digits.count, by: 2) {
            guard let high = value(digits[index]), let low = value(digits[index + 1]) else { return nil }
            out.append(high << 4 | low)
        }
        return out
    }
}

/// Comparisons whose duration does not depend on where two secrets differ.
public enum ConstantTime {
    public static func equals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        // Length is not secret here: every digest and code of one kind has a fixed length.
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for i in 0..<a.count { difference |= a[i] ^ b[i] }
        return difference == 0
    }

    public static func equals(_ a: String, _ b: String) -> Bool {
        equals(Array(a.utf8), Array(b.utf8))
    }
}
