import Crypto
import StepupCore

/// Proof Key for Code Exchange (RFC 7636) with the S256 method only: `plain` gives nothing against a stolen code.
public enum PKCE {
    /// A fresh code verifier: 256 bits from the system CSPRNG, 43 base64url characters (RFC 7636 §4.1).
    public static func makeVerifier() -> String { SecureRandom.token(bits: 256) }

    /// `BASE64URL(SHA256(ASCII(verifier)))` (RFC 7636 §4.2).
    public static func challenge(for verifier: String) -> String {
        Base64URL.encode(Array(SHA256.hash(data: Array(verifier.utf8))))
    }

    /// Whether `verifier` has the form RFC 7636 §4.1 allows: 43 to 128 unreserved characters.
    public static func isValidVerifier(_ verifier: String) -> Bool {
        (43...128).contains(verifier.utf8.count)
            && verifier.utf8.allSatisfy { byte in
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                    || byte == 0x2D || byte == 0x2E || byte == 0x5F || byte == 0x7E
            }
    }
}
