import StepupCore
import Testing

@testable import StepupWebAuthn

@Suite("The WebAuthn challenge commits to the MFA challenge and the payment")
struct CeremonyChallengeTests {
    let nonce = [UInt8](repeating: 7, count: 32)
    let rent = TransactionItem(id: "tx-1", amountMinor: 12_500, currency: "USD", payee: "Acme Rent")

    @Test func theSameRecordGivesTheSameChallengeAndAnyChangeAnother() {
        let base = CeremonyChallenge.make(nonce: nonce, challengeID: "ch-1", transactions: [rent])
        #expect(base.count == 32)
        #expect(CeremonyChallenge.make(nonce: nonce, challengeID: "ch-1", transactions: [rent]) == base)
        let changed: [[UInt8]] = [
            CeremonyChallenge.make(nonce: [UInt8](repeating: 8, count: 32), challengeID: "ch-1", transactions: [rent]),
            CeremonyChallenge.make(nonce: nonce, challengeID: "ch-2", transactions: [rent]),
            CeremonyChallenge.make(nonce: nonce, challengeID: "ch-1", transactions: nil),
            CeremonyChallenge.make(nonce: nonce, challengeID: "ch-1", transactions: [TransactionItem(id: "tx-1", amountMinor: 12_501, currency: "USD", payee: "Acme Rent")]),
            CeremonyChallenge.make(nonce: nonce, challengeID: "ch-1", transactions: [TransactionItem(id: "tx-1", amountMinor: 12_500, currency: "EUR", payee: "Acme Rent")]),
            CeremonyChallenge.make(nonce: nonce, challengeID: "ch-1", transactions: [TransactionItem(id: "tx-1", amountMinor: 12_500, currency: "USD", payee: "Acme Rents")]),
            CeremonyChallenge.make(nonce: nonce, challengeID: "ch-1", transactions: [rent, rent]),
        ]
        #expect(Set(changed + [base]).count == changed.count + 1)
    }

    /// Field boundaries are part of what is hashed: moving a character from one field to the next changes it.
    @Test func fieldsCannotBeShiftedIntoOneAnother() {
        let a = CeremonyChallenge.make(nonce: nonce, challengeID: "ch-1", transactions: [TransactionItem(id: "tx-1", amountMinor: 1, currency: "USD", payee: "AB")])
        let b = CeremonyChallenge.make(nonce: nonce, challengeID: "ch-1t", transactions: [TransactionItem(id: "x-1", amountMinor: 1, currency: "USD", payee: "AB")])
        #expect(a != b)
    }
}
