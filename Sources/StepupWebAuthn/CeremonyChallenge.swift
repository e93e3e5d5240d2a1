import Crypto
import StepupCore

/// The WebAuthn challenge of one ceremony, bound to the MFA challenge it serves and, for a payment, to the
/// dynamic-linking record (PSD2 RTS art. 5): SHA-256 over a fresh random nonce, the MFA challenge's id and the
/// transactions in a canonical form. The authenticator signs over it (through `clientDataJSON`), so the assertion
/// itself proves which amounts and payees the customer authorised; keeping the nonce is enough to show it again.
///
/// ```swift
/// let nonce = SecureRandom.bytes(32)                   // kept with the MFA challenge, used once
/// let challenge = CeremonyChallenge.make(nonce: nonce, challengeID: challenge.id, transactions: items)
/// ```
public enum CeremonyChallenge {
    /// A label that versions the construction, so a later form can never be taken for this one.
    static let label = Array("stepup-webauthn-challenge-v1".utf8)

    public static func make(nonce: [UInt8], challengeID: String, transactions: [TransactionItem]?) -> [UInt8] {
        var hasher = SHA256()
        for field in [label, nonce, Array(challengeID.utf8)] { hasher.update(data: lengthPrefixed(field)) }
        for item in transactions ?? [] {
            for field in [item.id, String(item.amountMinor), item.currency, item.payee] {
                hasher.update(data: lengthPrefixed(Array(field.utf8)))
            }
        }
        return Array(hasher.finalize())
    }

    /// Each field with its length first (8 bytes, big-endian), so no two different records hash the same bytes.
    static func lengthPrefixed(_ field: [UInt8]) -> [UInt8] {
        (0..<8).reversed().map { UInt8(truncatingIfNeeded: UInt64(field.count) >> (8 * UInt64($0))) } + field
    }
}
