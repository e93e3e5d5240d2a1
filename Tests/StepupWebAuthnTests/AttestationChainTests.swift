import Crypto
import Foundation
import StepupCore
import StepupTesting
import StepupWebAuthnTesting
import SwiftASN1
import Testing
import X509

@testable import StepupWebAuthn

/// Packed attestation with a certificate chain (WebAuthn §8.2, §8.2.1), made here with swift-certificates: a
/// vendor root, an attestation certificate under it, and every way the leaf can fail the rules.
@Suite("Packed attestation with x5c: the leaf's rules, the signature, and the chain to the bank's roots")
struct AttestationChainTests {
    let party = RelyingParty(id: "bank.example", origins: ["https://bank.example"])
    let challenge = Array(SecureRandom.bytes(32))
    static let now = Date()

    struct Vendor {
        let rootKey = P256.Signing.PrivateKey()
        let root: Certificate
        let rootName: DistinguishedName

        init(name: String = "Vendor Root") throws {
            rootName = try DistinguishedName {
                CountryName("DE")
                OrganizationName("Key Vendor")
                CommonName(name)
            }
            root = try Certificate(
                version: .v3, serialNumber: .init(), publicKey: .init(rootKey.publicKey),
                notValidBefore: AttestationChainTests.now - 3600, notValidAfter: AttestationChainTests.now + 86_400 * 365,
                issuer: rootName, subject: rootName, signatureAlgorithm: .ecdsaWithSHA256,
                extensions: try Certificate.Extensions {
                    Critical(BasicConstraints.isCertificateAuthority(maxPathLength: nil))
                    KeyUsage(keyCertSign: true)
                },
                issuerPrivateKey: .init(rootKey))
        }

        /// An attestation certificate, with what a test wants wrong.
        func leaf(
            key: P256.Signing.PrivateKey, unit: String = "Authenticator Attestation", isCA: Bool = false,
            aaguid: [UInt8]? = Array(repeating: 0xaa, count: 16), aaguidCritical: Bool = false, version: Certificate.Version = .v3
        ) throws -> [UInt8] {
            var extensions = try Certificate.Extensions {
                Critical(isCA ? BasicConstraints.isCertificateAuthority(maxPathLength: nil) : BasicConstraints.notCertificateAuthority)
            }
            if let aaguid {
                try extensions.append(
                    Certificate.Extension(oid: Attestation.aaguidExtension, critical: aaguidCritical, value: ArraySlice([0x04, 0x10] + aaguid)))
            }
            let subject = try DistinguishedName {
                CountryName("DE")
                OrganizationName("Key Vendor")
                OrganizationalUnitName(unit)
                CommonName("Key Series 5")
            }
            let certificate = try Certificate(
                version: version, serialNumber: .init(), publicKey: .init(key.publicKey),
                notValidBefore: AttestationChainTests.now - 3600, notValidAfter: AttestationChainTests.now + 86_400 * 30,
                issuer: rootName, subject: subject, signatureAlgorithm: .ecdsaWithSHA256, extensions: extensions,
                issuerPrivateKey: .init(rootKey))
            return try Self.der(certificate)
        }

        static func der(_ certificate: Certificate) throws -> [UInt8] {
            var serializer = DER.Serializer()
            try serializer.serialize(certificate)
            return serializer.serializedBytes
        }
    }

    func register(_ authenticator: SoftwareAuthenticator, key: P256.Signing.PrivateKey, chain: [[UInt8]]) throws(WebAuthnError)
        -> RelyingParty.Registration
    {
        let made: (attestation: [UInt8], clientData: [UInt8])
        do {
            made = try authenticator.register(challenge: challenge, attestation: (key, chain))
        } catch {
            throw WebAuthnError(.malformed, "fixture: \(error)")
        }
        return try party.register(attestationObject: made.attestation, clientDataJSON: made.clientData, challenge: challenge)
    }

    @Test func aValidChainIsVerifiedAndLeadsToTheVendorsRootOnly() async throws {
        let vendor = try Vendor()
        let key = P256.Signing.PrivateKey()
        let leaf = try vendor.leaf(key: key)
        let registration = try register(SoftwareAuthenticator(), key: key, chain: [leaf])
        #expect(registration.attestationFormat == "packed")
        #expect(registration.attestationChain == [leaf])
        try await AttestationTrust.verify(registration.attestationChain, roots: [try Vendor.der(vendor.root)], at: Self.now)
        // Another vendor's root is not this chain's.
        let other = try Vendor(name: "Other Root")
        await #expect(throws: WebAuthnError.self) {
            try await AttestationTrust.verify(registration.attestationChain, roots: [try Vendor.der(other.root)], at: Self.now)
        }
        // Nor is a chain trusted after its leaf expired.
        await #expect(throws: WebAuthnError.self) {
            try await AttestationTrust.verify(
                registration.attestationChain, roots: [try Vendor.der(vendor.root)], at: Self.now + 86_400 * 60)
        }
        // A registration without attestation has nothing to trust.
        await #expect(throws: WebAuthnError.self) {
            try await AttestationTrust.verify([], roots: [try Vendor.der(vendor.root)], at: Self.now)
        }
    }

    @Test func eachBrokenRuleOfTheLeafIsRefused() throws {
        let vendor = try Vendor()
        let key = P256.Signing.PrivateKey()
        let cases: [(String, [[UInt8]], P256.Signing.PrivateKey)] = [
            ("OU", [try vendor.leaf(key: key, unit: "Sales")], key),
            ("CA", [try vendor.leaf(key: key, isCA: true)], key),
            ("AAGUID", [try vendor.leaf(key: key, aaguid: Array(repeating: 0xbb, count: 16))], key),
            ("critical AAGUID", [try vendor.leaf(key: key, aaguidCritical: true)], key),
            ("version", [try vendor.leaf(key: key, version: .v1)], key),
            ("signer", [try vendor.leaf(key: key)], P256.Signing.PrivateKey()),
            ("bytes", [[0x30, 0x03, 0x02, 0x01, 0x01]], key),
            ("empty", [], key),
            ("long", Array(repeating: try vendor.leaf(key: key), count: 6), key),
        ]
        for (label, chain, signer) in cases {
            #expect(throws: WebAuthnError.self, "\(label)") { try register(SoftwareAuthenticator(), key: signer, chain: chain) }
        }
        // Without the AAGUID extension the leaf is still an attestation certificate.
        #expect(try register(SoftwareAuthenticator(), key: key, chain: [try vendor.leaf(key: key, aaguid: nil)]).attestationChain.count == 1)
    }

    @Test func theRootsAreReadFromPEMAndNothingElse() throws {
        let vendor = try Vendor()
        let pem = try vendor.root.serializeAsPEM().pemString
        #expect(try AttestationTrust.roots(pem: pem + "\n" + pem).count == 2)
        #expect(throws: WebAuthnError.self) { try AttestationTrust.roots(pem: "not a certificate") }
        #expect(throws: WebAuthnError.self) { try AttestationTrust.roots(pem: "") }
    }

    @Test func hostileChainsNeverTrap() throws {
        var fuzz = FuzzInput()
        let vendor = try Vendor()
        let key = P256.Signing.PrivateKey()
        let valid = try vendor.leaf(key: key)
        var garbage = 0
        var refusals: [WebAuthnError.Reason: Int] = [:]
        for _ in 0..<max(200, FuzzInput.iterations / 10) {
            var chain: [[UInt8]]
            let kind = fuzz.pick([0, 1, 2])
            switch kind {
            case 0: chain = [fuzz.bytes(maxCount: 600)]
            case 1:
                // One byte of a real certificate changed.
                var changed = valid
                let index = Int.random(in: 0..<changed.count, using: &fuzz)
                changed[index] ^= UInt8.random(in: 1...255, using: &fuzz)
                chain = [changed]
            default: chain = [valid, fuzz.bytes(maxCount: 300)]
            }
            do {
                _ = try register(SoftwareAuthenticator(), key: key, chain: chain)
                // Random bytes are never a certificate; a changed byte or a junk intermediate may still pass when no
                // roots are configured (the leaf's key signed, and nothing vouches for the rest).
                #expect(kind != 0, "random bytes were accepted as an attestation certificate")
            } catch {
                if kind == 0 { garbage += 1 }
                refusals[error.reason, default: 0] += 1
            }
        }
        #expect(garbage > 0)
        #expect(refusals.keys.allSatisfy { [.malformed, .attestationInvalid, .signatureInvalid, .unsupportedAlgorithm].contains($0) },
                "unexpected refusals: \(refusals)")
    }
}
