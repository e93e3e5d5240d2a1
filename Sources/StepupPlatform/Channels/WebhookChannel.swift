import AsyncHTTPClient
import Crypto
import Foundation
import NIOCore
import NIOHTTP1
import StepupCore

/// SMS, voice and push through a provider's HTTP webhook.
///
/// Each request is signed: `X-Stepup-Timestamp` (unix seconds), `X-Stepup-Nonce` (random, single use) and
/// `X-Stepup-Signature: v1=hex(HMAC-SHA256(secret, timestamp + "." + nonce + "." + body))`, so the receiver can
/// check origin and integrity and refuse replays. The body is JSON: `{"channel", "to", "text", "challengeId"}`; a
/// voice message spells the code digit by digit, so text-to-speech reads "4, 7, 1" and not "four hundred…".
public struct WebhookChannel: DeliveryProvider {
    public let name = "webhook"
    public let kind: TargetKind
    public let url: String
    let secret: SymmetricKey
    let timeout: TimeAmount
    let client: HTTPClient

    public init(kind: TargetKind, url: String, secret: String, timeoutSeconds: Int = 10, client: HTTPClient = .shared) throws {
        guard secret.utf8.count >= 32 else {
            throw StepupError(.configurationInvalid, message: "a webhook secret has at least 32 bytes")
        }
        guard let parsed = URL(string: url), let scheme = parsed.scheme, ["http", "https"].contains(scheme) else {
            throw StepupError(.configurationInvalid, message: "webhook URL \(url) is not http(s)")
        }
        self.kind = kind
        self.url = url
        self.secret = SymmetricKey(data: Array(secret.utf8))
        self.timeout = .seconds(Int64(timeoutSeconds))
        self.client = client
    }

    struct Payload: Codable, Equatable {
        let channel: String
        let to: String
        let text: String
        let challengeId: String
    }

    /// The signed request for a message, exactly as it is sent.
    public func signedRequest(for message: DeliveryMessage, at date: Date = Date(), nonce: String = SecureRandom.token(bits: 128))
        throws -> (headers: [(String, String)], body: [UInt8])
    {
        let text = kind == .voice ? Self.spelled(message) : message.text
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let body = Array(try encoder.encode(Payload(channel: kind.rawValue, to: message.target.address, text: text, challengeId: message.challengeID)))
        let timestamp = String(Int(date.timeIntervalSince1970))
        let signature = Self.signature(secret: secret, timestamp: timestamp, nonce: nonce, body: body)
        return (
            [("Content-Type", "application/json"), ("X-Stepup-Timestamp", timestamp), ("X-Stepup-Nonce", nonce),
             ("X-Stepup-Signature", signature)],
            body
        )
    }

    static func signature(secret: SymmetricKey, timestamp: String, nonce: String, body: [UInt8]) -> String {
        let signed = Array((timestamp + "." + nonce + ".").utf8) + body
        return "v1=" + SecretHash.hex(Array(HMAC<SHA256>.authenticationCode(for: signed, using: secret)))
    }

    public func deliver(_ message: DeliveryMessage) async throws {
        let signed = try signedRequest(for: message)
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        for (name, value) in signed.headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(bytes: signed.body))
        let response = try await client.execute(request, timeout: timeout)
        _ = try? await response.body.collect(upTo: 16_384)
        guard (200..<300).contains(response.status.code) else {
            let status = Int(response.status.code)
            throw DeliveryFailure(provider: name, reason: "webhook status \(status)", underlying: WebhookError.status(status))
        }
    }

    /// The message with its code spelled out digit by digit, for text-to-speech.
    static func spelled(_ message: DeliveryMessage) -> String {
        message.code.isEmpty
            ? message.text
            : message.text.replacingOccurrences(of: message.code, with: message.code.map(String.init).joined(separator: ", "))
    }
}

public enum WebhookError: Error, Equatable {
    case status(Int)
}
