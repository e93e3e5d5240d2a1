import StepupCore
import StepupPlatform

/// The "add a method" recipe of docs/ARCHITECTURE.md, whole: a code printed on a card the bank mailed (here one code
/// for everyone, as a test may). Registered at the composition root, nothing else changes: the dialog offers it,
/// the platform counts its failures on the one counter, and a completion with it satisfies the guard.
struct StaticCodeMethod: MFAMethod {
    struct Proof: Decodable, Sendable {
        let code: String
    }

    let id: MFAMethodID = "static_code"
    let code: String

    func offer(_ step: MethodStep) async throws -> MethodOffer? {
        MethodOffer(
            method: id, label: "Use the code on my card",
            entry: MethodEntry(label: "Code on your card", field: "code", inputMode: "numeric", minLength: 6, maxLength: 6,
                               pattern: "^[0-9]{6}$", hint: "Enter the 6 digits printed on your card."))
    }

    func verify(_ proof: Proof, _ step: inout MethodStep) async throws -> StepupError? {
        ConstantTime.equals(String(proof.code.prefix(16)), code) ? nil : StepupError(.codeInvalid)
    }
}
