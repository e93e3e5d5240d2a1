import Foundation
import HTTPTypes
import Hummingbird
import StepupCore

/// The answer to a failed *page load* inside an extension's frame (the browser navigating the frame, not a bridge
/// call): a small HTML page saying what happened and what to do, so the customer never reads an error envelope's
/// JSON. Bridge calls and API clients keep the JSON envelope with its stable code; the page carries the same code.
enum ExtensionErrorPage {
    /// Whether `request` is a browser navigating a frame or a window to an extension route.
    static func applies(to request: Request) -> Bool {
        guard request.uri.path.hasPrefix("/ext/"), request.method == .get else { return false }
        if let destination = request.headers[.secFetchDest] { return destination == "iframe" || destination == "document" }
        // Browsers without Fetch Metadata: an HTML navigation asks for text/html first.
        return request.headers[.accept]?.hasPrefix("text/html") == true
    }

    static func response(_ error: StepupError, requestID: String?) -> Response {
        // The message says what happened; the advice only what to do beyond it, so nothing is said twice.
        let (title, advice): (String, String?) =
            switch error.code {
            case .extensionUnavailable, .storeUnavailable:
                ("Not available right now", "If it keeps happening, contact the bank and quote the reference below.")
            case .notAuthenticated, .sessionExpired:
                ("Please sign in again", nil)
            case .notFound, .extensionNotFound:
                ("Page not found", "Go back to the home page and choose again.")
            default:
                ("Something went wrong", "Go back and try again. If it keeps happening, contact the bank and quote the reference below.")
            }
        let reference = requestID.map { "<p class=\"muted\">Reference: \(escape($0)) (\(escape(error.code.rawValue)))</p>" }
            ?? "<p class=\"muted\">(\(escape(error.code.rawValue)))</p>"
        let html = """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(escape(title))</title><link rel="stylesheet" href="/static/extension.css"></head>
            <body data-error-code="\(escape(error.code.rawValue))"><h1>\(escape(title))</h1><p>\(escape(error.message))</p>
            \(advice.map { "<p>\(escape($0))</p>" } ?? "")\(reference)</body></html>
            """
        var headers: HTTPFields = [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"]
        if let retry = error.retryAfter { headers[.retryAfter] = String(retry) }
        if let allow = error.allow, !allow.isEmpty { headers[.allow] = allow.joined(separator: ", ") }
        return Response(
            status: HTTPResponse.Status(code: error.httpStatus), headers: headers,
            body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}

extension HTTPField.Name {
    static let secFetchDest = Self("Sec-Fetch-Dest")!
}
