import Crypto
import Foundation
import StepupCore
import StepupTesting
import StepupWebAuthnTesting
import Testing

@testable import StepupWebAuthn

@Suite("The relying party: registration and assertion, and every refusal with its own code")
struct RelyingPartyTests {
    let party = RelyingParty(id: "bank.example", origins: ["https://bank.example"])
    let challenge = SecureRandom.bytes(32)

    func registered(_ authenticator: SoftwareAuthenticator) throws -> RelyingParty.StoredCredential {
        let (attestation, client) = try authenticator.register(challenge: challenge)
        let registration = try party.register(attestationObject: attestation, clientDataJSON: client, challenge: challenge)
        return RelyingParty.StoredCredential(id: registration.credentialID, publicKey: registration.publicKey, signCount: registration.signCount)
    }

    @Test(arguments: ["none", "packed"])
    func aRegistrationIsAcceptedAndRecordsWhatTheBankKeeps(format: String) throws {
        let authenticator = SoftwareAuthenticator()
        let (attestation, client) = try authenticator.register(challenge: challenge, format: format)
        let registration = try party.register(attestationObject: attestation, clientDataJSON: client, challenge: challenge)
        #expect(registration.credentialID == authenticator.credentialID)
        #expect(registration.publicKey == .es256(authenticator.key.publicKey))
        #expect(registration.aaguid == authenticator.aaguid)
        #expect(registration.backupEligible && registration.backedUp && registration.userVerified)
        #expect(registration.attestationFormat == format)
        // Stored as SPKI and read back, the key is the same key.
        #expect(try COSEKey(spki: registration.publicKey.spki, algorithm: .es256) == registration.publicKey)
    }

    @Test func anAssertionIsAcceptedAndItsCounterReported() throws {
        var authenticator = SoftwareAuthenticator()
        let stored = try registered(authenticator)
        let (data, client, signature) = try authenticator.assert(challenge: challenge)
        let assertion = try party.assert(authenticatorData: data, clientDataJSON: client, signature: signature, challenge: challenge, credential: stored)
        #expect(assertion.signCount == 1)
        #expect(assertion.userVerified)
        #expect(!assertion.signCountRegressed)
    }

    @Test func aCounterThatDoesNotGrowIsReportedAndAZeroCounterIsNot() throws {
        var authenticator = SoftwareAuthenticator()
        authenticator.signCount = 10
        let stored = try registered(authenticator)
        let (data, client, signature) = try authenticator.assert(challenge: challenge, step: 0)
        #expect(try party.assert(authenticatorData: data, clientDataJSON: client, signature: signature, challenge: challenge, credential: stored).signCountRegressed)
        // An authenticator that keeps no counter (synced passkeys report 0) is not a regression.
        var counterless = SoftwareAuthenticator()
        let storedZero = try registered(counterless)
        let zero = try counterless.assert(challenge: challenge, step: 0)
        #expect(!(try party.assert(authenticatorData: zero.0, clientDataJSON: zero.1, signature: zero.2, challenge: challenge, credential: storedZero).signCountRegressed))
    }

    func refusal(_ body: () throws -> Void) -> WebAuthnError.Reason? {
        do {
            try body()
            return nil
        } catch let error as WebAuthnError {
            return error.reason
        } catch {
            return nil
        }
    }

    @Test func eachFaultInARegistrationHasItsOwnCode() throws {
        let authenticator = SoftwareAuthenticator()
        let (attestation, client) = try authenticator.register(challenge: challenge)
        #expect(refusal { _ = try party.register(attestationObject: attestation, clientDataJSON: client, challenge: SecureRandom.bytes(32)) } == .challengeMismatch)
        let elsewhere = try authenticator.register(challenge: challenge, origin: "https://bank.example.evil")
        #expect(refusal { _ = try party.register(attestationObject: elsewhere.attestation, clientDataJSON: elsewhere.clientData, challenge: challenge) } == .originMismatch)
        var otherRP = authenticator
        otherRP.rpID = "evil.example"
        let phished = try otherRP.register(challenge: challenge, origin: "https://bank.example")
        #expect(refusal { _ = try party.register(attestationObject: phished.attestation, clientDataJSON: phished.clientData, challenge: challenge) } == .rpMismatch)
        var untouched = authenticator
        untouched.flags = [.userPresent]
        let noUV = try untouched.register(challenge: challenge)
        #expect(refusal { _ = try party.register(attestationObject: noUV.attestation, clientDataJSON: noUV.clientData, challenge: challenge) } == .userNotVerified)
        var absent = authenticator
        absent.flags = [.userVerified]
        let noUP = try absent.register(challenge: challenge)
        #expect(refusal { _ = try party.register(attestationObject: noUP.attestation, clientDataJSON: noUP.clientData, challenge: challenge) } == .userNotPresent)
        let getInstead = authenticator.clientData(type: "webauthn.get", challenge: challenge)
        #expect(refusal { _ = try party.register(attestationObject: attestation, clientDataJSON: getInstead, challenge: challenge) } == .typeMismatch)
        let framed = authenticator.clientData(type: "webauthn.create", challenge: challenge, extra: #","topOrigin":"https://evil.example""#)
        #expect(refusal { _ = try party.register(attestationObject: attestation, clientDataJSON: framed, challenge: challenge) } == .originMismatch)
        var denying = party
        denying.aaguidPolicy = AAGUIDPolicy(denied: [authenticator.aaguid])
        #expect(refusal { _ = try denying.register(attestationObject: attestation, clientDataJSON: client, challenge: challenge) } == .aaguidRefused)
        var allowingOthers = party
        allowingOthers.aaguidPolicy = AAGUIDPolicy(allowed: [Array(repeating: 0x01, count: 16)])
        #expect(refusal { _ = try allowingOthers.register(attestationObject: attestation, clientDataJSON: client, challenge: challenge) } == .aaguidRefused)
        #expect(refusal { _ = try party.register(attestationObject: Array(attestation.dropLast()), clientDataJSON: client, challenge: challenge) } == .malformed)
        #expect(refusal { _ = try party.register(attestationObject: attestation, clientDataJSON: Array("{}".utf8), challenge: challenge) } == .malformed)
        // A packed self attestation signed over something else.
        let packed = try authenticator.register(challenge: challenge, format: "packed")
        let otherClient = authenticator.clientData(type: "webauthn.create", challenge: challenge, extra: #","note":"x""#)
        #expect(refusal { _ = try party.register(attestationObject: packed.attestation, clientDataJSON: otherClient, challenge: challenge) } == .attestationInvalid)
    }

    @Test func eachFaultInAnAssertionHasItsOwnCode() throws {
        var authenticator = SoftwareAuthenticator()
        let stored = try registered(authenticator)
        let good = try authenticator.assert(challenge: challenge)
        func check(_ data: [UInt8], _ client: [UInt8], _ signature: [UInt8], challenge: [UInt8]? = nil, credential: RelyingParty.StoredCredential? = nil)
            -> WebAuthnError.Reason?
        {
            refusal {
                _ = try party.assert(
                    authenticatorData: data, clientDataJSON: client, signature: signature, challenge: challenge ?? self.challenge,
                    credential: credential ?? stored)
            }
        }
        #expect(check(good.0, good.1, good.2) == nil)
        #expect(check(good.0, good.1, good.2, challenge: SecureRandom.bytes(32)) == .challengeMismatch)
        var tampered = good.2
        tampered[tampered.count - 1] ^= 0x01
        #expect(check(good.0, good.1, tampered) == .signatureInvalid)
        let someoneElse = RelyingParty.StoredCredential(id: stored.id, publicKey: .es256(P256.Signing.PrivateKey().publicKey), signCount: 0)
        #expect(check(good.0, good.1, good.2, credential: someoneElse) == .signatureInvalid)
        let noUV = try authenticator.assert(challenge: challenge, flags: [.userPresent])
        #expect(check(noUV.0, noUV.1, noUV.2) == .userNotVerified)
        let phished = try authenticator.assert(challenge: challenge, origin: "https://bank-example.evil")
        #expect(check(phished.0, phished.1, phished.2) == .originMismatch)
        #expect(check(good.0 + [0x00], good.1, good.2) == .malformed)
        #expect(check(Array(good.0.prefix(36)), good.1, good.2) == .malformed)
        // Registered device-bound, now claiming to be syncable (or the other way): not the registered credential.
        let deviceBound = RelyingParty.StoredCredential(id: stored.id, publicKey: stored.publicKey, signCount: 0, backupEligible: false)
        let fresh = try authenticator.assert(challenge: challenge)
        #expect(check(fresh.0, fresh.1, fresh.2, credential: deviceBound) == .backupEligibilityChanged)
        let synced = RelyingParty.StoredCredential(id: stored.id, publicKey: stored.publicKey, signCount: 0, backupEligible: true)
        #expect(check(fresh.0, fresh.1, fresh.2, credential: synced) == nil)
    }

    /// Every parser of the ceremony's outside input, fed random and mutated bytes: a result or a `WebAuthnError`,
    /// never a trap.
    @Test func fuzzedCeremoniesAreRefusedWithATypedError() throws {
        var fuzz = FuzzInput()
        var authenticator = SoftwareAuthenticator()
        let (attestation, client) = try authenticator.register(challenge: challenge, format: "packed")
        let stored = try registered(authenticator)
        let assertion = try authenticator.assert(challenge: challenge)
        func mutate(_ bytes: [UInt8]) -> [UInt8] {
            var bytes = bytes
            for _ in 0..<Int.random(in: 1...4, using: &fuzz) where !bytes.isEmpty {
                switch Int.random(in: 0..<3, using: &fuzz) {
                case 0: bytes[Int.random(in: 0..<bytes.count, using: &fuzz)] = UInt8.random(in: 0...255, using: &fuzz)
                case 1: bytes.removeSubrange(Int.random(in: 0..<bytes.count, using: &fuzz)...)
                default: bytes.insert(contentsOf: fuzz.bytes(maxCount: 8), at: Int.random(in: 0...bytes.count, using: &fuzz))
                }
            }
            return bytes
        }
        // The ceremonies throw only `WebAuthnError` (typed throws): the compiler proves the type; this proves they
        // return at all, and collects which refusals the mutations reached.
        var reasons: Set<WebAuthnError.Reason> = []
        for _ in 0..<FuzzInput.iterations {
            do {
                _ = try party.register(attestationObject: mutate(attestation), clientDataJSON: fuzz.pick([client, mutate(client)]), challenge: challenge)
            } catch {
                reasons.insert(error.reason)
            }
            do {
                _ = try party.assert(
                    authenticatorData: mutate(assertion.0), clientDataJSON: fuzz.pick([assertion.1, mutate(assertion.1)]),
                    signature: fuzz.pick([assertion.2, mutate(assertion.2)]), challenge: challenge, credential: stored)
            } catch {
                reasons.insert(error.reason)
            }
            do { _ = try AuthenticatorData(fuzz.bytes(maxCount: 120)) } catch {}
            do { _ = try COSEKey(CBORDecoder.decode(mutate(authenticator.coseKey))) } catch {}
        }
        #expect(reasons.isSuperset(of: [.malformed, .signatureInvalid]), "the mutations reached only \(reasons)")
    }
}
