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
