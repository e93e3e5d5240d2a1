import Foundation
import StepupCore
import Testing

@testable import StepupWebAuthn

/// Ceremonies made without Stepup (`cryptography` signs, python-fido2 encodes) and judged by Yubico's python-fido2
/// `Fido2Server` (`scripts/webauthn-fixtures.py`, which `./scripts/test` runs with `--check`): Stepup's relying party
/// accepts what python-fido2 accepts and refuses the rest, each with the code the fixture names.
@Suite("Against a second implementation: python-fido2's verdicts")
struct CrossCheckTests {
    struct Fixtures: Decodable {
        struct Case: Decodable {
            let name: String
            let ceremony: String
            let response: [String: String]
            let pythonFido2Accepts: Bool
            let refusal: String?
        }
        let rpId: String
        let origin: String
        let challenge: String
        let credentialPublicKeyCOSE: String
        let credentialId: String
        let cases: [Case]
    }

    static let fixtures: Fixtures = {
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/python-fido2.json")
        return try! JSONDecoder().decode(Fixtures.self, from: Data(contentsOf: file))
    }()

    @Test(arguments: fixtures.cases.map(\.name))
    func stepupReachesPythonFido2sVerdict(_ name: String) throws {
        let fixtures = Self.fixtures
        let fixture = try #require(fixtures.cases.first { $0.name == name })
        let party = RelyingParty(id: fixtures.rpId, origins: [fixtures.origin])
        let challenge = try #require(Base64URL.decodeStrict(fixtures.challenge))
        func bytes(_ field: String) throws -> [UInt8] { try #require(fixture.response[field].flatMap { Base64URL.decodeStrict($0) }) }
        var refusal: String?
        do {
            if fixture.ceremony == "registration" {
                let registration = try party.register(
                    attestationObject: try bytes("attestationObject"), clientDataJSON: try bytes("clientDataJSON"), challenge: challenge)
                #expect(registration.credentialID == Base64URL.decodeStrict(fixtures.credentialId))
            } else {
                let key = try COSEKey(try CBORDecoder.decode(try #require(Base64URL.decodeStrict(fixtures.credentialPublicKeyCOSE))))
                let stored = RelyingParty.StoredCredential(id: try #require(Base64URL.decodeStrict(fixtures.credentialId)), publicKey: key, signCount: 0)
                _ = try party.assert(
                    authenticatorData: try bytes("authenticatorData"), clientDataJSON: try bytes("clientDataJSON"),
                    signature: try bytes("signature"), challenge: challenge, credential: stored)
            }
        } catch let error as WebAuthnError {
            refusal = error.reason.rawValue
        }
        #expect((refusal == nil) == fixture.pythonFido2Accepts, "\(name): python-fido2 \(fixture.pythonFido2Accepts ? "accepts" : "refuses") it, Stepup said \(refusal ?? "yes")")
        #expect(refusal == fixture.refusal)
    }
}
