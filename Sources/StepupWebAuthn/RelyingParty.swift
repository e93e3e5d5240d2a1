import Crypto
import Foundation

/// The bank as a WebAuthn relying party (WebAuthn §7): it checks a registration or an assertion against what it
/// expects, with nothing stored and nothing remembered, so the platform decides what to keep (the challenge once,
/// the credential, its sign count) in its own transaction.
///
/// ```swift
/// let party = RelyingParty(id: "bank.example", origins: ["https://bank.example"])
/// let credential = try party.register(attestationObject: attestation, clientDataJSON: client, challenge: issued)
/// let use = try party.assert(authenticatorData: data, clientDataJSON: client, signature: signature,
///                            challenge: issued, credential: stored)
/// ```
public struct RelyingParty: Sendable {
    /// The RP ID: the bank's registrable domain (`bank.example`), whose SHA-256 the authenticator signs.
    public let id: String
    /// The exact origins the ceremony may run on (`https://bank.example`).
    public let origins: Set<String>
    /// Whether user verification is required (SCA needs it: a PIN or biometric, not a touch alone).
    public var requireUserVerification: Bool
    /// Authenticator models allowed (empty: any) and refused, by AAGUID.
    public var aaguidPolicy: AAGUIDPolicy

    public init(id: String, origins: Set<String>, requireUserVerification: Bool = true, aaguidPolicy: AAGUIDPolicy = AAGUIDPolicy()) {
        self.id = id
        self.origins = origins
        self.requireUserVerification = requireUserVerification
        self.aaguidPolicy = aaguidPolicy
    }

    /// A credential registration accepted: what the platform stores.
    public struct Registration: Sendable, Equatable {
        public let credentialID: [UInt8]
        public let publicKey: COSEKey
        public let signCount: UInt32
        public let aaguid: [UInt8]
        /// BE: the credential may be synced between devices.
        public let backupEligible: Bool
        /// BS: the credential is synced now.
        public let backedUp: Bool
        public let userVerified: Bool
        /// `none`, or `packed` (self attestation, or a certificate chain).
        public let attestationFormat: String
        /// The packed attestation's certificate chain, leaf first (DER); empty for `none` and self attestation.
        /// Checked against the bank's roots with ``AttestationTrust``.
        public let attestationChain: [[UInt8]]
    }

    /// One assertion accepted: the counter to store and what the authenticator reported.
    public struct Assertion: Sendable, Equatable {
        public let signCount: UInt32
        public let userVerified: Bool
        public let backedUp: Bool
        /// The counter did not increase where the authenticator keeps one. The caller audits it and refuses or
        /// accepts by the bank's policy; ``assert(authenticatorData:clientDataJSON:signature:challenge:credential:)``
        /// reports it rather than deciding.
        public let signCountRegressed: Bool
    }

    /// What the platform stored of a credential, for an assertion.
    public struct StoredCredential: Sendable {
        public let id: [UInt8]
        public let publicKey: COSEKey
        public let signCount: UInt32
        /// BE as registered; nil to skip the check (a credential stored without it).
        public let backupEligible: Bool?

        public init(id: [UInt8], publicKey: COSEKey, signCount: UInt32, backupEligible: Bool? = nil) {
            self.id = id
            self.publicKey = publicKey
            self.signCount = signCount
            self.backupEligible = backupEligible
        }
    }

    /// Verifies a registration (§7.1) against the challenge this ceremony issued.
    public func register(attestationObject: [UInt8], clientDataJSON: [UInt8], challenge: [UInt8]) throws(WebAuthnError)
        -> Registration
    {
        let client = try ClientData(clientDataJSON)
        try check(client, type: "webauthn.create", challenge: challenge)
        let object: CBOR
        do {
            object = try CBORDecoder.decode(attestationObject)
        } catch {
            throw WebAuthnError(.malformed, "The attestation object is not valid CBOR (\(error)).")
        }
        guard let format = object["fmt"]?.text, case .map = object["attStmt"], let authData = object["authData"]?.bytes else {
            throw WebAuthnError(.malformed, "The attestation object needs fmt, attStmt and authData.")
        }
        let data = try AuthenticatorData(authData)
        try check(data)
        guard let credential = data.attestedCredential else {
            throw WebAuthnError(.malformed, "A registration's authenticator data carries the new credential.")
        }
        guard aaguidPolicy.allows(credential.aaguid) else {
            throw WebAuthnError(.aaguidRefused, "The bank does not accept this authenticator model.")
        }
        let clientDataHash = Array(SHA256.hash(data: clientDataJSON))
        let chain = try Attestation.verify(
            format: format, statement: object["attStmt"] ?? .null, authData: data, clientDataHash: clientDataHash)
        return Registration(
            credentialID: credential.credentialID, publicKey: credential.publicKey, signCount: data.signCount,
            aaguid: credential.aaguid, backupEligible: data.flags.contains(.backupEligible),
            backedUp: data.flags.contains(.backedUp), userVerified: data.flags.contains(.userVerified),
            attestationFormat: format, attestationChain: chain)
    }

    /// Verifies an assertion (§7.2) by a stored credential against the challenge this ceremony issued.
    public func assert(
        authenticatorData: [UInt8], clientDataJSON: [UInt8], signature: [UInt8], challenge: [UInt8],
        credential: StoredCredential
    ) throws(WebAuthnError) -> Assertion {
        let client = try ClientData(clientDataJSON)
        try check(client, type: "webauthn.get", challenge: challenge)
        let data = try AuthenticatorData(authenticatorData)
        try check(data)
        guard data.attestedCredential == nil else {
            throw WebAuthnError(.malformed, "An assertion's authenticator data carries no new credential.")
        }
        let signed = authenticatorData + Array(SHA256.hash(data: clientDataJSON))
        guard credential.publicKey.verifies(signature, over: signed) else {
            throw WebAuthnError(.signatureInvalid, "The assertion's signature does not verify with the credential's key.")
        }
        if let eligible = credential.backupEligible, eligible != data.flags.contains(.backupEligible) {
            throw WebAuthnError(.backupEligibilityChanged, "The credential's backup eligibility changed since it was registered.")
        }
        // §7.2 step 22: a counter that is kept (either side non-zero) must grow.
        let regressed = (data.signCount != 0 || credential.signCount != 0) && data.signCount <= credential.signCount
        return Assertion(
            signCount: data.signCount, userVerified: data.flags.contains(.userVerified),
            backedUp: data.flags.contains(.backedUp), signCountRegressed: regressed)
    }

    private func check(_ client: ClientData, type: String, challenge: [UInt8]) throws(WebAuthnError) {
        guard client.type == type else {
            throw WebAuthnError(.typeMismatch, "The client data is for \(client.type), not \(type).")
        }
        guard client.challenge.count == challenge.count, Self.constantTimeEquals(client.challenge, challenge) else {
            throw WebAuthnError(.challengeMismatch, "The challenge is not the one this ceremony issued.")
        }
        guard origins.contains(client.origin) else {
            throw WebAuthnError(.originMismatch, "The ceremony ran on \(client.origin), not on the bank's origin.")
        }
        // The bank's pages are never framed by another site (frame-ancestors 'none'): a cross-origin ceremony is not ours.
        guard !client.crossOrigin, client.topOrigin.map(origins.contains) ?? true else {
            throw WebAuthnError(.originMismatch, "The ceremony ran in a frame of another site.")
        }
    }

    private func check(_ data: AuthenticatorData) throws(WebAuthnError) {
        guard Self.constantTimeEquals(data.rpIDHash, Array(SHA256.hash(data: Array(id.utf8)))) else {
            throw WebAuthnError(.rpMismatch, "The authenticator signed for another relying party.")
        }
        guard data.flags.contains(.userPresent) else {
            throw WebAuthnError(.userNotPresent, "The authenticator did not report the user's presence.")
        }
        if requireUserVerification, !data.flags.contains(.userVerified) {
            throw WebAuthnError(.userNotVerified, "The authenticator did not verify the user (PIN or biometric).")
        }
    }

    static func constantTimeEquals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        return zip(a, b).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }
}

/// Which authenticator models (AAGUIDs) the bank accepts: an allow list (empty: any) and a deny list.
public struct AAGUIDPolicy: Sendable, Equatable {
    public var allowed: Set<[UInt8]>
    public var denied: Set<[UInt8]>

    public init(allowed: Set<[UInt8]> = [], denied: Set<[UInt8]> = []) {
        self.allowed = allowed
        self.denied = denied
    }

    public func allows(_ aaguid: [UInt8]) -> Bool {
        !denied.contains(aaguid) && (allowed.isEmpty || allowed.contains(aaguid))
    }
}
