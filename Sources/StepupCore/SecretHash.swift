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

    public static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { String(format: "%02x", $0) }.joined()
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
