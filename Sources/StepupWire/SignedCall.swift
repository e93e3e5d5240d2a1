import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import StepupCore

/// One signed POST between the platform and an extension service, either way: JSON body, the per-request credential,
/// and `RequestSignature`'s headers (timestamp, single-use nonce, HMAC over method, path and body) with the shared
/// key. The callers differ only in what they send and how they name a failure.
package struct SignedCall: Sendable {
    package let client: HTTPClient
    package let key: String
    package let credential: String

    package init(client: HTTPClient, key: String, credential: String) {
        self.client = client
        self.key = key
        self.credential = credential
    }

    /// The other side did not answer (refused, timed out); the caller says what that means for its user.
    package struct Unreachable: Error {
        /// What the HTTP client said (connect refused, timed out, …): for the log, never for the user.
        package let reason: String
    }

    /// What came back: the status and at most `limit` bytes of body.
    package struct Answer: Sendable {
        package let status: Int
        package let body: Data

        /// The body as `T` when the status is 2xx; else the envelope's error, or `fallback(status)`.
        package func decode<T: Decodable>(_ type: T.Type, fallback: (Int) -> StepupError) throws -> T {
            guard (200..<300).contains(status) else { throw ErrorEnvelope.decode(body) ?? fallback(status) }
            guard let value = try? JSONDecoder().decode(T.self, from: body) else { throw fallback(status) }
            return value
        }
    }

    package func post(
        base: String, path: String, body: some Encodable, now: Date, timeout: TimeAmount, limit: Int
    ) async throws -> Answer {
        let bytes = Array(try JSONEncoder().encode(body))
        let base = base.hasSuffix("/") ? String(base.dropLast()) : base
        var request = HTTPClientRequest(url: base + path)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "X-Stepup-Credential", value: credential)
        for (name, value) in RequestSignature.headers(key: key, method: "POST", path: path, body: bytes, now: now) {
            request.headers.add(name: name, value: value)
        }
        request.body = .bytes(ByteBuffer(bytes: bytes))
        // A connection lost mid-answer, or an answer over `limit`, is the other side not answering properly.
        do {
            let response = try await client.execute(request, timeout: timeout)
            let data = Data(buffer: try await response.body.collect(upTo: limit))
            return Answer(status: Int(response.status.code), body: data)
        } catch {
            throw Unreachable(reason: "\(error)")
        }
    }
}
