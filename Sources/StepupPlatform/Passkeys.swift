import StepupCore
import StepupStore
import StepupWebAuthn

/// `PublicKeyCredentialDescriptor`: a passkey the browser may use (or, at registration, must not create again).
public struct CredentialDescriptor: Encodable, Sendable, Equatable {
    public let type: String
    public let id: String
    public let transports: [String]

    init(_ record: PasskeyRecord) {
        type = "public-key"
        id = record.id
        transports = record.transports
    }
}

/// What registration and use share about stored passkeys.
enum Passkeys {
    /// The WebAuthn user handle: the user's row id, never a name or an address (it is stored on the authenticator).
    static func userHandle(_ userID: String) -> [UInt8] { Array(userID.utf8) }

    static func key(of record: PasskeyRecord) throws(WebAuthnError) -> COSEKey {
        guard let algorithm = COSEKey.Algorithm(rawValue: Int64(record.algorithm)),
            let spki = Base64URL.decodeStrict(record.publicKey, limit: 2048)
        else { throw WebAuthnError(.malformed, "The stored passkey is not readable.") }
        return try COSEKey(spki: spki, algorithm: algorithm)
    }
}

extension StepupError {
    /// The relying party's refusal as the API answers it: the same stable code, the customer's words.
    init(_ error: WebAuthnError) {
        self.init(StepupError.Code(rawValue: error.reason.rawValue) ?? .webauthnMalformed)
    }
}
