import Crypto
import Foundation

/// Secrets from the system CSPRNG (`getrandom` on Linux via `SystemRandomNumberGenerator`).
public enum SecureRandom {
    public static func bytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    }

    /// A URL-safe token carrying `bits` of entropy (rounded up to whole bytes).
    public static func token(bits: Int = 256) -> String {
        Base64URL.encode(bytes((bits + 7) / 8))
    }

    /// A string of `length` decimal digits, each uniform (no modulo bias: `random(in:)` rejects).
    public static func digits(_ length: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return String((0..<length).map { _ in Character(String(Int.random(in: 0...9, using: &generator))) })
    }

    /// A random identifier for rows; not a secret, but unguessable anyway.
    public static func identifier() -> String { token(bits: 128) }
}

/// base64url without padding (RFC 4648 §5).
public enum Base64URL {
    public static func encode<D: Sequence>(_ bytes: D) -> String where D.Element == UInt8 {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// Base64url as WebAuthn and JOSE write it, strictly: only the 64 URL-safe characters, no padding, no bits left
    /// over in the last character (so one value has one spelling), at most `limit` characters.
    public static func decodeStrict(_ text: String, limit: Int = 8192) -> [UInt8]? {
        guard text.utf8.count <= limit, text.utf8.count % 4 != 1,
            text.utf8.allSatisfy({ byte in
                (0x41...0x5a).contains(byte) || (0x61...0x7a).contains(byte) || (0x30...0x39).contains(byte) || byte == 0x2d
                    || byte == 0x5f
            }),
            let bytes = decode(text), encode(bytes) == text
        else { return nil }
        return bytes
    }

    public static func decode(_ string: String) -> [UInt8]? {
        var s = string.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while s.count % 4 != 0 { s += "=" }
        return Data(base64Encoded: s).map { Array($0) }
    }
}
