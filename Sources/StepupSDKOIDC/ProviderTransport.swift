import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// One HTTP request ``OIDCProvider`` makes of the provider.
public struct ProviderRequest: Sendable {
    public var method: HTTPMethod
    public var url: String
    public var headers: HTTPHeaders
    public var body: [UInt8]?

    public init(method: HTTPMethod, url: String, headers: HTTPHeaders = [:], body: [UInt8]? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }
}

/// The provider's answer: its status and at most the body size ``OIDCProvider`` reads.
public struct ProviderResponse: Sendable {
    public let status: Int
    public let body: [UInt8]

    public init(status: Int, body: [UInt8]) {
        self.status = status
        self.body = body
    }
}

/// How ``OIDCProvider`` reaches the provider. Production uses ``HTTPClientTransport``; a test can answer in memory,
/// which is what lets the key-rotation and rate-limit paths be tested without a live provider.
public protocol ProviderTransport: Sendable {
    /// Sends `request`; throws when no answer came within `timeout` or the body exceeds `maximumBody` bytes.
    func send(_ request: ProviderRequest, timeout: TimeInterval, maximumBody: Int) async throws -> ProviderResponse
}

/// ``ProviderTransport`` over AsyncHTTPClient.
public struct HTTPClientTransport: ProviderTransport {
    public let client: HTTPClient

    public init(client: HTTPClient = .shared) {
        self.client = client
    }

    public func send(_ request: ProviderRequest, timeout: TimeInterval, maximumBody: Int) async throws -> ProviderResponse {
        var outgoing = HTTPClientRequest(url: request.url)
        outgoing.method = request.method
        outgoing.headers = request.headers
        if let body = request.body { outgoing.body = .bytes(ByteBuffer(bytes: body)) }
        let response = try await client.execute(outgoing, timeout: .milliseconds(Int64(timeout * 1000)))
        let buffer = try await response.body.collect(upTo: maximumBody)
        return ProviderResponse(status: Int(response.status.code), body: Array(buffer.readableBytesView))
    }
}
