import Crypto
import Foundation

/// The per-request credential the platform hands an extension service with each forwarded call: whom the call is
/// for (session, user, extension, routing key) and the MFA state, short-lived and signed with the extension's key.
/// The service presents it back to the platform, so it can act only for the session it is serving.
public struct ExtensionCredential: Sendable, Codable, Equatable {
    public let extensionName: String
    public let sessionID: String
    public let userID: String
    public let username: String
    public let displayName: String
    /// The customer's names, email and number from the platform's user record (absent from older platforms).
    public var details: CustomerDetails?
    public let isAuthenticated: Bool
    public let routingKey: String
    public var mfaInfo: MFAInfo
    public let issuedAt: Date
    public let expiresAt: Date
    public let nonce: String

    public init(
        extensionName: String, sessionID: String, userID: String, username: String, displayName: String,
        isAuthenticated: Bool, routingKey: String, mfaInfo: MFAInfo, issuedAt: Date, lifetime: TimeInterval = 60
    ) {
        self.extensionName = extensionName
        self.sessionID = sessionID
        self.userID = userID
        self.username = username
        self.displayName = displayName
        self.isAuthenticated = isAuthenticated
        self.routingKey = routingKey
        self.mfaInfo = mfaInfo
        self.issuedAt = issuedAt
        self.expiresAt = issuedAt.addingTimeInterval(lifetime)
        self.nonce = SecureRandom.token(bits: 128)
    }

    /// `base64url(JSON).hex(HMAC-SHA256(key, base64url(JSON)))`.
    public func signed(with key: String) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .millisecondsSince1970
        let payload = Base64URL.encode(try encoder.encode(self))
        return payload + "." + RequestSignature.mac(key: key, message: Array(payload.utf8))
    }

    /// Verifies the signature in constant time, then the expiry and, if given, the extension it was issued to.
    public static func verify(_ token: String, key: String, now: Date, extensionName: String? = nil) throws -> ExtensionCredential {
        let parts = token.split(separator: ".", maxSplits: 1).map(String.init)
        guard parts.count == 2,
            ConstantTime.equals(RequestSignature.mac(key: key, message: Array(parts[0].utf8)), parts[1]),
            let json = Base64URL.decode(parts[0])
        else { throw StepupError(.forbidden, message: "The extension credential is not valid.") }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .millisecondsSince1970
        guard let credential = try? decoder.decode(ExtensionCredential.self, from: Data(json)) else {
            throw StepupError(.forbidden, message: "The extension credential is not valid.")
        }
        guard now < credential.expiresAt, now >= credential.issuedAt.addingTimeInterval(-30) else {
            throw StepupError(.forbidden, message: "The extension credential has expired.")
        }
        if let extensionName, credential.extensionName != extensionName {
            throw StepupError(.forbidden, message: "The credential belongs to another extension.")
        }
        return credential
    }
}

/// Signs requests between the platform and an extension service: `X-Stepup-Timestamp`, `X-Stepup-Nonce` and
/// `X-Stepup-Signature: v1=hex(HMAC-SHA256(key, timestamp + "." + nonce + "." + method + " " + path + "." + body))`.
/// The receiver checks the signature, a 60-second window and that the nonce is new, so a captured request cannot be
/// replayed. The same scheme (without method and path) signs the delivery webhooks.
public enum RequestSignature {
    public static let window: TimeInterval = 60

    public static func mac(key: String, message: [UInt8]) -> String {
        SecretHash.hex(Array(HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: Array(key.utf8)))))
    }

    /// The three signature headers for a request.
    public static func headers(key: String, method: String, path: String, body: [UInt8], now: Date, nonce: String = SecureRandom.token(bits: 128))
        -> [(String, String)]
    {
        let timestamp = String(Int(now.timeIntervalSince1970))
        return [
            ("X-Stepup-Timestamp", timestamp), ("X-Stepup-Nonce", nonce),
            ("X-Stepup-Signature", "v1=" + mac(key: key, message: signedBytes(timestamp, nonce, method, path, body))),
        ]
    }

    /// Checks a request's signature and time window; the caller checks the nonce is new.
    public static func verify(
        key: String, method: String, path: String, body: [UInt8], timestamp: String?, nonce: String?, signature: String?,
        now: Date
    ) throws {
        guard let timestamp, let nonce, let signature, let seconds = Double(timestamp), !nonce.isEmpty, nonce.count <= 64 else {
            throw StepupError(.forbidden, message: "The request is not signed.")
        }
        let expected = "v1=" + mac(key: key, message: signedBytes(timestamp, nonce, method, path, body))
        guard ConstantTime.equals(expected, signature) else {
            throw StepupError(.signatureInvalid, message: "The request signature does not verify with the receiver's key.")
        }
        guard abs(now.timeIntervalSince1970 - seconds) <= window else {
            throw StepupError(.signatureInvalid, message: "The request is too old or from the future (the clocks differ).")
        }
    }

    static func signedBytes(_ timestamp: String, _ nonce: String, _ method: String, _ path: String, _ body: [UInt8]) -> [UInt8] {
        Array("\(timestamp).\(nonce).\(method) \(path).".utf8) + body
    }
}
