import Foundation
import StepupCore

/// Stepup's error body, `{"error": {"code", "message", …}}`, the one shape every component answers and reads: the
/// platform's API, an extension service, the platform's API for extension services.
package struct ErrorEnvelope: Codable, Sendable, Equatable {
    package struct Detail: Codable, Sendable, Equatable {
        package var code: String
        package var message: String
        package var lockedUntil: Date?
        package var attemptsLeft: Int?
        package var challengeId: String?
        package var retryAfter: Int?
        package var context: String?
        package var maxAge: Int?
        package var acrValues: String?
        package var requestId: String?
    }

    package var error: Detail

    package init(_ error: StepupError, requestID: String?) {
        self.error = Detail(
            code: error.code.rawValue, message: error.message, lockedUntil: error.lockedUntil,
            attemptsLeft: error.attemptsLeft, challengeId: error.challengeID, retryAfter: error.retryAfter,
            context: error.context, maxAge: error.maxAge, acrValues: error.acrValues, requestId: requestID)
    }

    /// The same encoding on every side: ISO 8601 dates, sorted keys.
    package static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }()

    package func encoded() -> Data { (try? Self.encoder.encode(self)) ?? Data(#"{"error":{"code":"internal_error","message":""}}"#.utf8) }

    /// The error another component answered, bounded (it is outside input), or nil for a body that is not an
    /// envelope of a known code.
    package static func decode(_ data: Data) -> StepupError? {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        guard data.count <= 65_536, let envelope = try? decoder.decode(ErrorEnvelope.self, from: data),
            let code = StepupError.Code(rawValue: envelope.error.code)
        else { return nil }
        let detail = envelope.error
        var error = StepupError(
            code, message: String(detail.message.prefix(500)), lockedUntil: detail.lockedUntil,
            attemptsLeft: detail.attemptsLeft.map { min(max($0, 0), 100) },
            challengeID: detail.challengeId.map { String($0.prefix(64)) },
            retryAfter: detail.retryAfter.map { min(max($0, 0), 86_400) })
        error.context = detail.context.map { String($0.prefix(64)) }
        error.maxAge = detail.maxAge.map { min(max($0, 0), 86_400) }
        // Only a level this build knows passes on: the header below is built from it.
        error.acrValues = detail.acrValues.flatMap(AssuranceLevel.init(acr:))?.acr
        return error
    }
}
