import Foundation

/// The extension types of the seed's `create_extension` menu, in its order. Stepup builds three of them.
public enum ExtensionType: String, CaseIterable, Sendable {
    case online
    case sso
    case api
    case console
    case central
    case adapter
    case auditAction = "audit-action"
    case healthCheck = "health-check"
    case messageBus = "message-bus"
    case apiEndpoint = "api-endpoint"
    case base

    /// The menu's label.
    public var title: String {
        switch self {
        case .online: "Online"
        case .sso: "SSO (third-party integration)"
        case .api: "Ardent (API)"
        case .console: "Console (back office)"
        case .central: "Central (legacy back office)"
        case .adapter: "Adapter"
        case .auditAction: "Audit Action"
        case .healthCheck: "Custom Health Check"
        case .messageBus: "Message Bus"
        case .apiEndpoint: "Custom API Endpoint"
        case .base: "Base Extension"
        }
    }

    /// Whether Stepup generates this type.
    public var isSupported: Bool { [.online, .auditAction, .base].contains(self) }
}

/// How an online extension renders.
public enum Rendering: String, CaseIterable, Sendable {
    case server
    case client

    public var title: String { self == .server ? "Server-side rendered" : "Client-side rendered" }
}

/// Who an online extension serves.
public enum Integration: String, CaseIterable, Sendable {
    case authenticated
    case unauthenticated
    case externalMFA = "external-mfa"

    public var title: String {
        switch self {
        case .authenticated: "Authenticated"
        case .unauthenticated: "Unauthenticated"
        case .externalMFA: "External MFA"
        }
    }
}

/// Which external MFA integration.
public enum MFAIntegration: String, CaseIterable, Sendable {
    case standard
    case redirect

    public var title: String { self == .standard ? "Standard" : "Redirect-based (OpenID Connect)" }
}

/// Where the generated package takes Stepup from.
public enum StepupSource: Sendable, Equatable {
    case path(String)
    case url(String, version: String)
}

/// Why the scaffolder refused: a message for the user, and the process exits non-zero.
public struct ScaffoldError: Error, Equatable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Everything one generated extension depends on.
public struct ScaffoldChoices: Sendable, Equatable {
    /// A Swift type name: the library, the extension type and (in kebab case) the extension's platform name.
    public var name: String
    public var type: ExtensionType
    public var rendering: Rendering
    public var integration: Integration
    public var mfa: MFAIntegration

    public init(
        name: String, type: ExtensionType = .online, rendering: Rendering = .server, integration: Integration = .authenticated,
        mfa: MFAIntegration = .standard
    ) {
        self.name = name
        self.type = type
        self.rendering = rendering
        self.integration = integration
        self.mfa = mfa
    }

    /// The name the platform routes it by: `MyExternalMFA` → `my-external-mfa`.
    public var slug: String {
        var result = ""
        let characters = Array(name)
        for (index, character) in characters.enumerated() {
            if character == "_" {
                result += "-"
                continue
            }
            if character.isUppercase, index > 0 {
                let previous = characters[index - 1]
                let next = index + 1 < characters.count ? characters[index + 1] : nil
                if previous.isLowercase || previous.isNumber || (previous.isUppercase && next?.isLowercase == true) {
                    result += "-"
                }
            }
            result += character.lowercased()
        }
        return result.hasPrefix("-") ? String(result.dropFirst()) : result
    }

    /// Refuses a name that is not a Swift type name Stepup can use, and an unsupported type.
    public func validate() throws(ScaffoldError) {
        try Self.validate(name: name)
        guard type.isSupported else {
            throw ScaffoldError("\(type.title) extensions are not built by Stepup; choose online, audit-action or base.")
        }
    }

    static let keywords: Set<String> = [
        "associatedtype", "class", "deinit", "enum", "extension", "fileprivate", "func", "import", "init", "inout",
        "internal", "let", "open", "operator", "private", "precedencegroup", "protocol", "public", "rethrows", "static",
        "struct", "subscript", "typealias", "var", "break", "case", "catch", "continue", "default", "defer", "do", "else",
        "fallthrough", "for", "guard", "if", "in", "repeat", "return", "throw", "switch", "where", "while", "Any", "as",
        "await", "false", "is", "nil", "self", "Self", "super", "throws", "true", "try", "Type", "Protocol", "some", "any",
    ]

    /// A name is a Swift identifier (a letter or `_`, then letters, digits or `_`, ASCII), not a keyword, at most
    /// 48 characters, and not one of Stepup's own module names.
    public static func validate(name: String) throws(ScaffoldError) {
        guard let first = name.first, first.isASCII, first.isLetter || first == "_",
            name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }), name.count <= 48
        else {
            throw ScaffoldError("\"\(name)\" is not a valid Swift type name: start with a letter, then letters, digits or _ (at most 48).")
        }
        guard !keywords.contains(name) else { throw ScaffoldError("\"\(name)\" is a Swift keyword; choose another name.") }
        guard !name.hasPrefix("Stepup") else { throw ScaffoldError("\"\(name)\" would clash with Stepup's own modules; choose another name.") }
        guard name.contains(where: { $0.isLetter }) else { throw ScaffoldError("\"\(name)\" needs at least one letter.") }
    }

    /// One line saying what will be generated.
    public var summary: String {
        switch type {
        case .online:
            let rendered = rendering == .server ? "server-side rendered" : "client-side rendered"
            let serves: String =
                switch integration {
                case .authenticated: "for signed-in users"
                case .unauthenticated: "usable before logon"
                case .externalMFA: mfa == .standard ? "standard external MFA" : "redirect-based external MFA (OpenID Connect)"
                }
            return "an online extension, \(rendered), \(serves)"
        case .auditAction: return "an audit action (an EDV rule)"
        default: return "a base extension"
        }
    }
}
