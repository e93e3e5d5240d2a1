import Foundation

/// The `error` and `error_description` of a provider's refusal (RFC 6749 §5.2, RFC 9126 §2.3), made fit for a log
/// line: the provider's text is outside input, so it is cut to a bounded length and stripped of control and format
/// characters (a newline or an escape sequence in it must not forge or hide log lines).
struct ProviderErrorAnswer: Equatable {
    static let errorLimit = 64
    static let descriptionLimit = 200

    let error: String?
    let description: String?

    init(error: String?, description: String?) {
        self.error = error
        self.description = description
    }

    /// Reads the error object from `body`; both fields nil when the body is not one. Each of `secrets` that the
    /// provider echoes (a code, a verifier, the client secret) is replaced by `[redacted]` before anything is cut.
    init(body: [UInt8], redacting secrets: [String] = []) {
        struct Object: Decodable {
            let error: String?
            let error_description: String?
        }
        let object = try? JSONDecoder().decode(Object.self, from: Data(body))
        func clean(_ text: String, limit: Int) -> String {
            let redacted = secrets.filter { !$0.isEmpty }.reduce(text) { $0.replacingOccurrences(of: $1, with: "[redacted]") }
            return Self.sanitised(redacted, limit: limit)
        }
        self.init(
            error: object?.error.map { clean($0, limit: Self.errorLimit) },
            description: object?.error_description.map { clean($0, limit: Self.descriptionLimit) })
    }

    /// `text` with control, format and line-separator characters replaced by `?`, at most `limit` characters
    /// (`…` marks a cut).
    static func sanitised(_ text: String, limit: Int) -> String {
        var scalars = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            switch scalar.properties.generalCategory {
            case .control, .format, .lineSeparator, .paragraphSeparator, .surrogate, .privateUse, .unassigned:
                scalars.append("?")
            default:
                scalars.append(scalar)
            }
        }
        let clean = String(scalars)
        return clean.count > limit ? String(clean.prefix(limit - 1)) + "…" : clean
    }
}
