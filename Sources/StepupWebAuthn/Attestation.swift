/// Attestation statements (WebAuthn §8) the relying party accepts: `none`, and `packed` self attestation (signed by
/// the credential's own key). Banks rarely ask for more with passkeys (attestation is `none` for synced ones);
/// `packed` with a certificate chain (x5c) is refused until its chain is checked against the bank's trust anchors.
enum Attestation {
    static func verify(format: String, statement: CBOR, authData: AuthenticatorData, clientDataHash: [UInt8])
        throws(WebAuthnError)
    {
        switch format {
        case "none":
            guard case .map(let entries) = statement, entries.isEmpty else {
                throw WebAuthnError(.attestationInvalid, "A none attestation has an empty statement.")
            }
        case "packed":
            guard let credential = authData.attestedCredential, let alg = statement["alg"]?.int,
                let signature = statement["sig"]?.bytes
            else { throw WebAuthnError(.attestationInvalid, "A packed attestation needs alg and sig.") }
            guard statement["x5c"] == nil else {
                throw WebAuthnError(.attestationInvalid, "Packed attestation with a certificate chain is not accepted yet; ask for attestation none.")
            }
            guard alg == credential.publicKey.algorithm.rawValue else {
                throw WebAuthnError(.attestationInvalid, "The self attestation's alg is not the credential's.")
            }
            guard credential.publicKey.verifies(signature, over: authData.raw + clientDataHash) else {
                throw WebAuthnError(.attestationInvalid, "The self attestation's signature does not verify.")
            }
        default:
            throw WebAuthnError(.attestationInvalid, "The attestation format \(format) is not accepted; none and packed are.")
        }
    }
}
