import Foundation
import StepupCore
import StepupStore

/// One of the customer's ten single-use recovery codes, for the day the phone is lost: offered at logon only
/// (or everywhere, when `RecoveryCodeUse` is `any`), counted under the one failure counter like every proof.
///
/// A code is 16 characters of a 31-letter alphabet without look-alikes (79 bits), stored as a SHA-256 digest salted with its row
/// id: with that much entropy a stolen table cannot be reversed by guessing, so a slow hash would buy nothing but
/// latency. A code accepted is spent by a conditional update, so a code used on two nodes at once signs in once.
/// Using one tells the customer on their other channels and the security centre asks them to set up a new factor.
public struct RecoveryCodeMethod: MFAMethod {
    public struct Proof: Decodable, Sendable {
        public let code: String
        public init(code: String) { self.code = code }
    }

    public let id = MFAMethodID.recoveryCode
    /// A memorised-like secret written on paper: AAL2 (NIST's look-up secret), never phishing-resistant.
    public var assurance: MethodAssurance { MethodAssurance(amr: ["otp"], level: .aal2) }

    public init() {}

    public func offer(_ step: MethodStep) async throws -> MethodOffer? {
        guard step.properties.recoveryCodesEverywhere || step.challenge.context == .logon,
            try await !step.transaction.unusedRecoveryCodes(userID: step.challenge.userID).isEmpty
        else { return nil }
        return MethodOffer(
            method: id, label: "Use a recovery code", entry: .code(label: "Recovery code", field: "code"))
    }

    public func verify(_ proof: Proof, _ step: inout MethodStep) async throws -> StepupError? {
        let attempt = RecoveryCodes.normalise(proof.code)
        for record in try await step.transaction.unusedRecoveryCodes(userID: step.challenge.userID) {
            guard SecretHash.matches(attempt, digest: record.digest, salt: record.id) else { continue }
            guard try await step.transaction.useRecoveryCode(id: record.id, at: step.now) else { break }
            try await step.audit("mfa.recovery.used", outcome: .success, details: ["code": record.id])
            step.notice = SecurityNotice(
                userID: step.challenge.userID, headline: "A recovery code was used to sign in to your online banking")
            return nil
        }
        return StepupError(.codeInvalid, message: "That recovery code is not right, or it was used already.")
    }
}

/// The shape of recovery codes: `XXXX-XXXX-XXXX-XXXX` from 31 characters, none of 0/O, 1/I/L.
enum RecoveryCodes {
    static let alphabet = Array("23456789ABCDEFGHJKMNPQRSTUVWXYZ")
    static let length = 16
    static let count = 10

    /// A new code as the customer sees it, grouped by four.
    static func make() -> String {
        var characters: [Character] = []
        while characters.count < length {
            // Rejection sampling keeps every character equally likely (256 is not a multiple of 31).
            for byte in SecureRandom.bytes(32) where Int(byte) < alphabet.count * (256 / alphabet.count) {
                characters.append(alphabet[Int(byte) % alphabet.count])
                if characters.count == length { break }
            }
        }
        return stride(from: 0, to: length, by: 4).map { String(characters[$0..<$0 + 4]) }.joined(separator: "-")
    }

    /// What the customer typed, in the stored form: upper case, without spaces or dashes.
    static func normalise(_ typed: String) -> String {
        String(typed.uppercased().filter { $0 != "-" && !$0.isWhitespace }.prefix(64))
    }
}
