import Foundation
import StepupCore

/// What a handler answers: HTML, JSON, text or a redirect, with a status and headers.
public struct ExtensionResponse: Sendable, Equatable {
    public var status: Int
    public var headers: [String: String]
    public var body: [UInt8]

    public init(status: Int = 200, headers: [String: String] = [:], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public static func html(_ html: String, status: Int = 200) -> ExtensionResponse {
        ExtensionResponse(status: status, headers: ["Content-Type": "text/html; charset=utf-8"], body: Array(html.utf8))
    }

    public static func text(_ text: String, status: Int = 200) -> ExtensionResponse {
        ExtensionResponse(status: status, headers: ["Content-Type": "text/plain; charset=utf-8"], body: Array(text.utf8))
    }

    public static func json<T: Encodable>(_ value: T, status: Int = 200) throws -> ExtensionResponse {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        return ExtensionResponse(
            status: status, headers: ["Content-Type": "application/json; charset=utf-8"],
            body: Array(try encoder.encode(value)))
    }

    /// A redirect within the extension (relative to its base) or to an absolute URL.
    public static func redirect(to location: String, status: Int = 303) -> ExtensionResponse {
        ExtensionResponse(status: status, headers: ["Location": location])
    }

    public var text: String { String(decoding: body, as: UTF8.self) }
}

/// A static file an extension serves from `/ext/{extension}/assets/{path}`.
public struct ExtensionAsset: Sendable, Equatable {
    public let path: String
    public let contentType: String
    public let content: [UInt8]

    public init(path: String, contentType: String, content: [UInt8]) {
        self.path = path
        self.contentType = contentType
        self.content = content
    }

    public init(path: String, contentType: String, text: String) {
        self.init(path: path, contentType: contentType, content: Array(text.utf8))
    }
}
