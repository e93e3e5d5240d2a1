/// The authenticator data (WebAuthn §6.1): what the authenticator signs beside the client data's hash.
public struct AuthenticatorData: Sendable, Equatable {
    public struct Flags: OptionSet, Sendable, Equatable {
        public let rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }
        /// User present.
        public static let userPresent = Flags(rawValue: 0x01)
        /// User verified (PIN, biometric): what SCA needs.
        public static let userVerified = Flags(rawValue: 0x04)
        /// Backup eligible: the credential may be synced (a multi-device passkey).
        public static let backupEligible = Flags(rawValue: 0x08)
        /// Backed up: the credential is synced now.
        public static let backedUp = Flags(rawValue: 0x10)
        /// Attested credential data follows.
        public static let attestedCredentialData = Flags(rawValue: 0x40)
        /// Extension data follows.
        public static let extensionData = Flags(rawValue: 0x80)
    }

    /// A new credential, in a registration's authenticator data.
    public struct AttestedCredential: Sendable, Equatable {
        /// The authenticator model (16 bytes; all zero when not disclosed).
        public let aaguid: [UInt8]
        public let credentialID: [UInt8]
        public let publicKey: COSEKey
        /// The key's COSE encoding as the authenticator sent it (what `packed` self attestation is checked with).
        public let publicKeyCBOR: [UInt8]
    }

    public let rpIDHash: [UInt8]
    public let flags: Flags
    public let signCount: UInt32
    public let attestedCredential: AttestedCredential?
    public let extensions: CBOR?
    /// The bytes as received: what the signature covers.
    public let raw: [UInt8]

    /// The longest credential id WebAuthn allows (§5.8.3).
    public static let maximumCredentialIDLength = 1023

    /// Parses authenticator data, refusing what is short, inconsistent with its flags, or followed by stray bytes.
    /// BS without BE is refused (§6.1.3).
    public init(_ bytes: [UInt8]) throws(WebAuthnError) {
        guard bytes.count >= 37 else { throw WebAuthnError(.malformed, "The authenticator data has fewer than 37 bytes.") }
        raw = bytes
        rpIDHash = Array(bytes[0..<32])
        flags = Flags(rawValue: bytes[32])
        signCount = bytes[33..<37].reduce(0) { $0 << 8 | UInt32($1) }
        if flags.contains(.backedUp), !flags.contains(.backupEligible) {
            throw WebAuthnError(.malformed, "The authenticator says backed up but not backup eligible.")
        }
        var offset = 37
        if flags.contains(.attestedCredentialData) {
            guard bytes.count >= offset + 18 else { throw WebAuthnError(.malformed, "The attested credential data is cut short.") }
            let aaguid = Array(bytes[offset..<offset + 16])
            let length = Int(bytes[offset + 16]) << 8 | Int(bytes[offset + 17])
            offset += 18
            guard length > 0, length <= Self.maximumCredentialIDLength, bytes.count >= offset + length else {
                throw WebAuthnError(.malformed, "The credential id's length is not valid.")
            }
            let credentialID = Array(bytes[offset..<offset + length])
            offset += length
            var decoder = CBORDecoder(bytes, offset: offset, maxDepth: 2, maxItems: 16)
            let key: CBOR
            do {
                key = try decoder.decodeItem()
            } catch {
                throw WebAuthnError(.malformed, "The credential public key is not valid CBOR (\(error)).")
            }
            let publicKeyCBOR = Array(bytes[offset..<decoder.offset])
            offset = decoder.offset
            attestedCredential = AttestedCredential(
                aaguid: aaguid, credentialID: credentialID, publicKey: try COSEKey(key), publicKeyCBOR: publicKeyCBOR)
        } else {
            attestedCredential = nil
        }
        if flags.contains(.extensionData) {
            var decoder = CBORDecoder(bytes, offset: offset, maxDepth: 4, maxItems: 32)
            let decoded: CBOR
            do {
                decoded = try decoder.decodeItem()
            } catch {
                throw WebAuthnError(.malformed, "The extension data is not valid CBOR (\(error)).")
            }
            guard case .map = decoded else { throw WebAuthnError(.malformed, "The extension data is not a map.") }
            extensions = decoded
            offset = decoder.offset
        } else {
            extensions = nil
        }
        guard offset == bytes.count else { throw WebAuthnError(.malformed, "Bytes follow the authenticator data.") }
    }
}
