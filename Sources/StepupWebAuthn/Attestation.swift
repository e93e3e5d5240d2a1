import Foundation
import SwiftASN1
// The platform passes its own clock's time (tests move it), so validity is checked at that time, not the wall clock's.
@_spi(FixedExpiryValidationTime) import X509

/// Attestation statements (WebAuthn §8) the relying party accepts: `none`; `packed` self attestation (signed by the
/// credential's own key); and `packed` with a certificate chain (x5c, §8.2), whose leaf must meet §8.2.1 and sign
/// the registration. Whether the chain leads to a root the bank trusts is ``AttestationTrust``'s question, asked
/// only when the bank configured roots: without them a chain proves nothing about the model, and is kept as a claim.
enum Attestation {
    /// `id-fido-gen-ce-aaguid`: the authenticator model a FIDO attestation certificate vouches for.
    static let aaguidExtension: ASN1ObjectIdentifier = [1, 3, 6, 1, 4, 1, 45724, 1, 1, 4]
    /// Longest chain and certificate taken from a statement: outside input, bounded before it is parsed.
    static let maximumChainLength = 5
    static let maximumCertificateBytes = 4096

    /// The verified statement's certificate chain, leaf first (DER); empty for `none` and self attestation.
    static func verify(format: String, statement: CBOR, authData: AuthenticatorData, clientDataHash: [UInt8])
        throws(WebAuthnError) -> [[UInt8]]
    {
        switch format {
        case "none":
            guard case .map(let entries) = statement, entries.isEmpty else {
                throw WebAuthnError(.attestationInvalid, "A none attestation has an empty statement.")
            }
            return []
        case "packed":
            guard let credential = authData.attestedCredential, let alg = statement["alg"]?.int,
                let signature = statement["sig"]?.bytes
            else { throw WebAuthnError(.attestationInvalid, "A packed attestation needs alg and sig.") }
            let signed = authData.raw + clientDataHash
            if let x5c = statement["x5c"] {
                return try verifyChain(x5c, alg: alg, signature: signature, signed: signed, aaguid: credential.aaguid)
            }
            guard alg == credential.publicKey.algorithm.rawValue else {
                throw WebAuthnError(.attestationInvalid, "The self attestation's alg is not the credential's.")
            }
            guard credential.publicKey.verifies(signature, over: signed) else {
                throw WebAuthnError(.attestationInvalid, "The self attestation's signature does not verify.")
            }
            return []
        default:
            throw WebAuthnError(.attestationInvalid, "The attestation format \(format) is not accepted; none and packed are.")
        }
    }

    /// §8.2 step 2 with x5c: the leaf signs authenticatorData ‖ clientDataHash and is an attestation certificate
    /// (§8.2.1: version 3, OU "Authenticator Attestation", not a CA, the AAGUID extension, when present, not
    /// critical and equal to the credential's).
    static func verifyChain(_ x5c: CBOR, alg: Int64, signature: [UInt8], signed: [UInt8], aaguid: [UInt8])
        throws(WebAuthnError) -> [[UInt8]]
    {
        guard case .array(let items) = x5c, (1...maximumChainLength).contains(items.count) else {
            throw WebAuthnError(.attestationInvalid, "x5c is an array of 1 to \(maximumChainLength) certificates.")
        }
        var chain: [[UInt8]] = []
        for item in items {
            guard let der = item.bytes, (1...maximumCertificateBytes).contains(der.count) else {
                throw WebAuthnError(.attestationInvalid, "An x5c certificate is DER bytes of at most \(maximumCertificateBytes).")
            }
            chain.append(der)
        }
        let leaf: Certificate
        do {
            leaf = try Certificate(derEncoded: chain[0])
        } catch {
            throw WebAuthnError(.attestationInvalid, "The attestation certificate does not parse.")
        }
        guard leaf.version == .v3 else {
            throw WebAuthnError(.attestationInvalid, "The attestation certificate is not X.509 version 3.")
        }
        let units = leaf.subject.flatMap { $0 }.filter { $0.type == .RDNAttributeType.organizationalUnitName }
        guard units.contains(where: { String($0.value) == "Authenticator Attestation" }) else {
            throw WebAuthnError(.attestationInvalid, "The attestation certificate's OU is not \"Authenticator Attestation\".")
        }
        do {
            if let constraints = try leaf.extensions.basicConstraints, constraints != .notCertificateAuthority {
                throw WebAuthnError(.attestationInvalid, "The attestation certificate is a CA certificate.")
            }
        } catch let error as WebAuthnError {
            throw error
        } catch {
            throw WebAuthnError(.attestationInvalid, "The attestation certificate's basic constraints do not parse.")
        }
        if let extensionValue = leaf.extensions[oid: aaguidExtension] {
            guard !extensionValue.critical else {
                throw WebAuthnError(.attestationInvalid, "The AAGUID extension must not be critical.")
            }
            let claimed: [UInt8]
            do {
                claimed = Array(try ASN1OctetString(derEncoded: extensionValue.value).bytes)
            } catch {
                throw WebAuthnError(.attestationInvalid, "The AAGUID extension is not an OCTET STRING.")
            }
            guard claimed == aaguid else {
                throw WebAuthnError(.attestationInvalid, "The certificate vouches for another authenticator model.")
            }
        }
        let algorithm: Certificate.SignatureAlgorithm
        switch alg {
        case COSEKey.Algorithm.es256.rawValue: algorithm = .ecdsaWithSHA256
        case COSEKey.Algorithm.rs256.rawValue: algorithm = .sha256WithRSAEncryption
        case COSEKey.Algorithm.edDSA.rawValue: algorithm = .ed25519
        default: throw WebAuthnError(.unsupportedAlgorithm, "The attestation's alg \(alg) is not accepted.")
        }
        guard leaf.publicKey.isValidSignature(signature, for: signed, signatureAlgorithm: algorithm) else {
            throw WebAuthnError(.attestationInvalid, "The attestation signature does not verify with the certificate's key.")
        }
        return chain
    }
}

/// Whether a registration's attestation chain leads to a root the bank trusts (RFC 5280 path validation by
/// swift-certificates: signatures, validity at `time`, CA constraints). Only then is the authenticator's AAGUID,
/// and with it the bank's allow list, more than the authenticator's own claim.
///
/// ```swift
/// let roots = try AttestationTrust.roots(pem: String(contentsOfFile: "fido-roots.pem"))
/// try await AttestationTrust.verify(registration.attestationChain, roots: roots, at: Date())
/// ```
public enum AttestationTrust {
    /// Reads the bank's trust anchors from PEM (one or more `CERTIFICATE` blocks).
    public static func roots(pem: String) throws(WebAuthnError) -> [[UInt8]] {
        do {
            let documents = try PEMDocument.parseMultiple(pemString: pem)
            let roots = try documents.filter { $0.discriminator == "CERTIFICATE" }.map { document in
                _ = try Certificate(derEncoded: document.derBytes)
                return document.derBytes
            }
            guard !roots.isEmpty else { throw WebAuthnError(.attestationInvalid, "The PEM holds no certificate.") }
            return roots
        } catch let error as WebAuthnError {
            throw error
        } catch {
            throw WebAuthnError(.attestationInvalid, "The attestation roots are not PEM certificates.")
        }
    }

    /// Refuses (`webauthn_attestation_invalid`) a chain that is empty (no attestation to trust) or does not lead to
    /// one of `roots` at `time`.
    public static func verify(_ chain: [[UInt8]], roots: [[UInt8]], at time: Date) async throws(WebAuthnError) {
        guard let leafBytes = chain.first else {
            throw WebAuthnError(.attestationInvalid, "The bank accepts only attested authenticators; this one sent no attestation.")
        }
        let parsed: (leaf: Certificate, intermediates: [Certificate], roots: [Certificate])
        do {
            parsed = (
                try Certificate(derEncoded: leafBytes), try chain.dropFirst().map { try Certificate(derEncoded: $0) },
                try roots.map { try Certificate(derEncoded: $0) }
            )
        } catch {
            throw WebAuthnError(.attestationInvalid, "A certificate of the chain does not parse.")
        }
        var verifier = Verifier(rootCertificates: CertificateStore(parsed.roots)) {
            RFC5280Policy(fixedExpiryValidationTime: time)
        }
        switch await verifier.validate(leaf: parsed.leaf, intermediates: CertificateStore(parsed.intermediates)) {
        case .validCertificate: return
        case .couldNotValidate:
            throw WebAuthnError(.attestationInvalid, "The authenticator's attestation does not lead to a root the bank trusts.")
        }
    }
}
