import Foundation
import HTTPTypes
import Hummingbird
import Mustache
import NIOCore
import StepupCore
import StepupPlatform
import StepupSDK

/// The banking web app: sign-in, home, the extension page, and the static files (CSS, the app's JS, the bridge).
///
/// Pages are rendered on the server from the Mustache templates in `Resources/templates` (values escaped); all
/// behaviour is in `static/app.js`, so the pages run under a CSP with no inline script.
struct WebPages {
    let platform: Platform
    let gate: SessionGate
    let library: MustacheLibrary
    let extensions: [any Extension]

    static func loadLibrary() throws -> MustacheLibrary {
        var library = MustacheLibrary()
        for name in ["layout-head", "layout-foot", "login", "home", "extension", "security"] {
            guard let url = Bundle.module.url(forResource: name, withExtension: "mustache", subdirectory: "Resources/templates"),
                let text = try? String(contentsOf: url, encoding: .utf8)
            else { throw StepupError(.configurationInvalid, message: "template \(name) is missing from the bundle") }
            try library.register(text, named: name)
        }
        return library
    }

    func add(to router: Router<StepupRequestContext>) {
        router.get("/") { request, context in try await home(request, context) }
        router.get("/login") { request, context in try await login(request, context) }
        router.get("/extensions/{name}") { request, context in try await extensionPage(request, context) }
        router.get("/security") { request, context in try await security(request, context) }
        router.get("/static/{file}") { _, context in try staticFile(context) }
    }

    private var bankName: String { platform.configuration.bankName }

    /// The route a registered extension service's page opens at.
    static let serviceEntryRoute = "index"

    func login(_ request: Request, _ context: StepupRequestContext) async throws -> Response {
        if let resumed = try? await gate.session(request, context: context), resumed.session.stage == .authenticated {
            return Response.redirect(to: "/", type: .normal)
        }
        return try page("login", ["title": "Sign in", "page": "login", "bankName": bankName, "demo": gate.configuration.demo, "csrfToken": ""])
    }

    func home(_ request: Request, _ context: StepupRequestContext) async throws -> Response {
        guard let resumed = try? await gate.session(request, context: context) else {
            return Response.redirect(to: "/login", type: .normal)
        }
        let accounts = try await platform.accounts(userID: resumed.user.id).map { account -> [String: Any] in
            ["name": account.name, "number": account.number, "balance": Self.format(account.balanceMinor), "currency": account.currency]
        }
        let services = extensions.filter { !$0.runsBeforeLogon }.map { ["name": $0.name, "title": $0.title] }
        return try page("home", [
            "title": "Home", "page": "home", "bankName": bankName, "csrfToken": gate.csrfToken(request) ?? "",
            "user": ["displayName": resumed.user.displayName], "accounts": accounts, "extensions": services,
        ])
    }

    /// The customer's own factors; all behaviour is in `app.js` over `/api/security`.
    func security(_ request: Request, _ context: StepupRequestContext) async throws -> Response {
        guard let resumed = try? await gate.session(request, context: context) else {
            return Response.redirect(to: "/login", type: .normal)
        }
        return try page("security", [
            "title": "Security", "page": "security", "bankName": bankName, "csrfToken": gate.csrfToken(request) ?? "",
            "user": ["displayName": resumed.user.displayName],
        ])
    }

    func extensionPage(_ request: Request, _ context: StepupRequestContext) async throws -> Response {
        guard let resumed = try? await gate.session(request, context: context) else {
            return Response.redirect(to: "/login", type: .normal)
        }
        guard let name = context.parameters.get("name") else { throw StepupError(.extensionNotFound) }
        let title: String
        let entryRoute: String
        if let ext = extensions.first(where: { $0.name == name }) {
            (title, entryRoute) = (ext.title, ext.entryRoute)
        } else if try await platform.registeredExtension(name: name) != nil {
            // A service registered by name and URL only: its page is its `index` route (the scaffold's entry), and
            // if the service is down the frame shows why (`ExtensionErrorPage`), not this page failing.
            (title, entryRoute) = (name, Self.serviceEntryRoute)
        } else {
            throw StepupError(.extensionNotFound)
        }
        return try page("extension", [
            "title": title, "page": "extension", "bankName": bankName, "csrfToken": gate.csrfToken(request) ?? "",
            "user": ["displayName": resumed.user.displayName], "extensionName": name, "extensionTitle": title,
            "entryRoute": entryRoute,
        ])
    }

    func staticFile(_ context: StepupRequestContext) throws -> Response {
        guard let file = context.parameters.get("file"), let asset = StaticFiles.files[file] else {
            throw StepupError(.notFound)
        }
        return Response(
            status: .ok, headers: [.contentType: asset.contentType, .cacheControl: "no-cache"],
            body: .init(byteBuffer: ByteBuffer(bytes: asset.data)))
    }

    private func page(_ template: String, _ values: [String: Any]) throws -> Response {
        guard let html = library.render(values, withTemplate: template) else {
            throw StepupError(.internal, message: "The page could not be rendered.")
        }
        return Response(
            status: .ok, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    static func format(_ minor: Int64) -> String {
        let formatter = NumberFormatter()
        formatter.numberStyle = .decimal
        formatter.minimumFractionDigits = 2
        formatter.maximumFractionDigits = 2
        formatter.locale = Locale(identifier: "en_US")
        return formatter.string(from: NSNumber(value: Double(minor) / 100)) ?? String(minor)
    }
}

/// The static files, read once from the bundle.
enum StaticFiles {
    struct File: Sendable {
        let contentType: String
        let data: [UInt8]
    }

    static let files: [String: File] = {
        var files: [String: File] = [:]
        let types = ["css": "text/css; charset=utf-8", "js": "text/javascript; charset=utf-8"]
        for name in ["app.css", "extension.css", "app.js", "stepup-bridge.js"] {
            let parts = name.split(separator: ".")
            guard let url = Bundle.module.url(forResource: String(parts[0]), withExtension: String(parts[1]), subdirectory: "Resources/static"),
                let data = try? Data(contentsOf: url)
            else { continue }
            files[name] = File(contentType: types[String(parts[1])] ?? "application/octet-stream", data: Array(data))
        }
        return files
    }()
}
