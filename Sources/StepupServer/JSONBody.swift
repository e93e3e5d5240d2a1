import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import StepupCore

/// JSON in and out, with Stepup's errors: a body over the limit is `body_too_large`, anything that is not the
/// expected JSON is `malformed_json`, and the media type must be JSON (a cross-site HTML form cannot send it, which
/// closes login CSRF before a session exists).
enum JSONBody {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }()

    static func decode<T: Decodable>(_ type: T.Type, from request: Request, context: StepupRequestContext) async throws
        -> T
    {
        let mediaType = request.headers[.contentType].flatMap { MediaType(from: $0) }
        guard let mediaType, mediaType.isType(.applicationJson) else {
            throw StepupError(.malformedJSON, message: "The request body must be application/json.")
        }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: context.bodyLimit)
        } catch {
            throw StepupError(.bodyTooLarge)
        }
        do {
            return try JSONDecoder().decode(T.self, from: Data(buffer.readableBytesView))
        } catch {
            throw StepupError(.malformedJSON)
        }
    }

    static func response<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) throws
        -> Response
    {
        var fields = headers
        fields[.contentType] = "application/json; charset=utf-8"
        fields[.cacheControl] = "no-store"
        let data = try encoder.encode(value)
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
