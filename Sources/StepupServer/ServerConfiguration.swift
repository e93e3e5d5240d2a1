import Foundation
import StepupCore
import StepupPlatform
import StepupWebAuthn

/// A webhook delivery channel's settings.
public struct WebhookSettings: Sendable, Equatable, Codable {
    public var url: String
    /// At least 32 bytes; `STEPUP_WEBHOOK_SECRET` overrides it, so it need not sit in the file.
    public var secret: String?
    public var timeoutSeconds: Int?

    public init(url: String, secret: String? = nil, timeoutSeconds: Int? = nil) {
        self.url = url
        self.secret = secret
        self.timeoutSeconds = timeoutSeconds
    }
}

/// Everything `stepup serve` is configured with, from (lowest to highest precedence) defaults, a JSON file,
/// `STEPUP_*` environment variables and command-line flags.
public struct ServerConfiguration: Sendable, Equatable, Codable {
    public var host = "127.0.0.1"
    public var port = 8080
    /// Path of the SQLite database file, or a `postgres://user:password@host:port/database` URL.
    public var database = "stepup.sqlite"
    /// PostgreSQL connections per event loop (one event loop per core).
    public var databasePoolSize = 4
    /// Seed the demo bank and enable the dev outbox; loopback only.
    public var demo = false
    /// `serve --benchmark-routes`: the benchmark routes and the dev outbox (on PostgreSQL too); loopback only.
    public var benchmarkMode = false
    /// Believe `X-Forwarded-For` / `X-Forwarded-Proto` only from these peer addresses (a load balancer's).
    public var trustedProxies: [String] = []
    /// Largest request body accepted, in bytes.
    public var maxBodyBytes = 65_536
    /// `Strict-Transport-Security: max-age=…` on every answer that came over https (a trusted proxy's
    /// `X-Forwarded-Proto: https`); seconds, default one year; 0 sends none.
    public var hstsMaxAge = 31_536_000
    public var bankName = "Stepup Bank"
    public var bcryptCost = 12
    /// `trace`, `debug`, `info`, `notice`, `warning`, `error` or `critical`.
    public var logLevel = "info"
    /// The platform key set file; default `<database>.keys.json`. `STEPUP_KEYS` may hold the key set itself.
    public var keysFile: String?
    /// Email delivery (file only; `STEPUP_SMTP_PASSWORD` overrides the password).
    public var smtp: SMTPConfiguration?
    /// SMS, voice and push delivery by kind (`sms`, `voice`, `push`; file only).
    public var webhooks: [String: WebhookSettings] = [:]
    /// The WebAuthn RP ID passkeys are bound to: the bank's registrable domain (`bank.example`). Unset: `localhost`
    /// when serving on loopback, otherwise no passkeys.
    public var passkeyRpId: String?
    /// The exact origins the banking app is served from (`https://bank.example`); default `https://<passkeyRpId>`,
    /// or `http://localhost:<port>` on loopback.
    public var passkeyOrigins: [String] = []
    /// A PEM file of the roots authenticator attestation must lead to (the FIDO Metadata Service's, or a vendor's).
    public var passkeyAttestationRoots: String?
    /// Only attested authenticators (chaining to `passkeyAttestationRoots`) may register.
    public var passkeyRequireAttestation = false

    public init() {}

    /// The relying party this configuration names (its RP ID and origins; the attestation roots are read by
    /// ``passkeySettings()``), or nil when passkeys are off (no RP ID on a public address).
    public var passkeys: PasskeySettings? {
        var settings: PasskeySettings
        if let rpID = passkeyRpId {
            let origins = passkeyOrigins.isEmpty ? ["https://\(rpID)"] : passkeyOrigins
            settings = PasskeySettings(rpID: rpID, rpName: bankName, origins: Set(origins))
        } else {
            guard isLoopback else { return nil }
            let origins = passkeyOrigins.isEmpty ? ["http://localhost:\(port)"] : passkeyOrigins
            settings = PasskeySettings(rpID: "localhost", rpName: bankName, origins: Set(origins))
        }
        settings.requireAttestation = passkeyRequireAttestation
        return settings
    }

    /// ``passkeys`` with the attestation roots read from their file; a file that is missing or holds no
    /// certificate is a configuration error, never passkeys without the bank's roots.
    public func passkeySettings() throws -> PasskeySettings? {
        guard var settings = passkeys else { return nil }
        if let path = passkeyAttestationRoots {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw StepupError(.configurationInvalid, message: "cannot read passkeyAttestationRoots \(path)")
            }
            do throws(WebAuthnError) {
                settings.attestationRoots = try AttestationTrust.roots(pem: String(decoding: data, as: UTF8.self))
            } catch {
                throw StepupError(.configurationInvalid, message: "passkeyAttestationRoots \(path): \(error.message)")
            }
        }
        if settings.requireAttestation && settings.attestationRoots.isEmpty {
            throw StepupError(.configurationInvalid, message: "passkeyRequireAttestation needs passkeyAttestationRoots")
        }
        return settings
    }

    /// Whether the server listens on a loopback address only.
    public var isLoopback: Bool {
        host == "127.0.0.1" || host == "::1" || host == "localhost" || host.hasPrefix("127.")
    }

    /// Cookies are marked Secure unless the server is plain HTTP on loopback (a developer's machine), where browsers
    /// would drop a Secure cookie. Behind a TLS-terminating proxy the proxy's `X-Forwarded-Proto` decides per request.
    public var secureCookiesByDefault: Bool { !isLoopback }

    /// The delivery channels this configuration names: SMTP for email, a webhook per kind. Kinds without one fail
    /// with `delivery_failed` (audited) rather than dropping codes silently, except in demo mode, where the dev
    /// outbox takes them.
    public func deliveryProviders(environment: [String: String], outbox: DevOutbox?) throws -> DeliveryProviders {
        var channels: [TargetKind: any DeliveryProvider] = [:]
        if var smtp {
            if let password = environment["STEPUP_SMTP_PASSWORD"] { smtp.password = password }
            channels[.email] = try EmailChannel(configuration: smtp, bankName: bankName)
        }
        for (name, settings) in webhooks {
            guard let kind = TargetKind(rawValue: name), kind != .email else { continue }
            guard let secret = environment["STEPUP_WEBHOOK_SECRET"] ?? settings.secret else {
                throw StepupError(.configurationInvalid, message: "webhooks.\(name) needs a secret (or STEPUP_WEBHOOK_SECRET)")
            }
            channels[kind] = try WebhookChannel(kind: kind, url: settings.url, secret: secret, timeoutSeconds: settings.timeoutSeconds ?? 10)
        }
        return DeliveryProviders(providers: channels, fallback: outbox ?? UnconfiguredChannel())
    }

    /// Checks what cannot be allowed together; the error's message is the one line `serve` prints.
    public func validate() throws {
        guard (1...65_535).contains(port) else {
            throw StepupError(.configurationInvalid, message: "port must be 1 to 65535")
        }
        guard (4...31).contains(bcryptCost) else {
            throw StepupError(.configurationInvalid, message: "bcryptCost must be 4 to 31")
        }
        guard (1_024...10_485_760).contains(maxBodyBytes) else {
            throw StepupError(.configurationInvalid, message: "maxBodyBytes must be 1024 to 10485760")
        }
        if demo && !isLoopback {
            throw StepupError(.configurationInvalid, message: "--demo serves only on a loopback address")
        }
        if benchmarkMode && !isLoopback {
            throw StepupError(.configurationInvalid, message: "--benchmark-routes serves only on a loopback address")
        }
        if demo && StoreFactory.isPostgres(database) {
            throw StepupError(.configurationInvalid, message: "--demo uses the embedded SQLite store, never PostgreSQL")
        }
        guard (0...63_072_000).contains(hstsMaxAge) else {
            throw StepupError(.configurationInvalid, message: "hstsMaxAge must be 0 to 63072000 seconds (two years)")
        }
        guard (1...64).contains(databasePoolSize) else {
            throw StepupError(.configurationInvalid, message: "databasePoolSize must be 1 to 64")
        }
        if let rpID = passkeyRpId {
            let labels = rpID.split(separator: ".", omittingEmptySubsequences: false)
            guard rpID.utf8.count <= 253, !labels.isEmpty,
                labels.allSatisfy({ label in
                    (1...63).contains(label.utf8.count) && label.first != "-" && label.last != "-"
                        && label.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D }
                }), Double(rpID) == nil, !labels.allSatisfy({ Int($0) != nil })
            else {
                throw StepupError(
                    .configurationInvalid, message: "passkeyRpId is a lower-case domain name such as bank.example, not \(rpID)")
            }
        }
        for origin in passkeyOrigins {
            guard let url = URL(string: origin), let scheme = url.scheme, let host = url.host, url.path.isEmpty,
                url.query == nil, scheme == "https" || (scheme == "http" && host == "localhost"),
                origin == "\(scheme)://\(host)\(url.port.map { ":\($0)" } ?? "")"
            else {
                throw StepupError(
                    .configurationInvalid,
                    message: "passkeyOrigins are origins such as https://bank.example (http only for localhost), not \(origin)")
            }
            let rpID = passkeys?.rpID ?? "localhost"
            guard host == rpID || host.hasSuffix(".\(rpID)") else {
                throw StepupError(.configurationInvalid, message: "\(origin) is not on the passkey RP ID \(rpID) or a subdomain of it")
            }
        }
    }

    /// Applies a JSON configuration file over `self`; keys absent from the file keep their values.
    public mutating func apply(file path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw StepupError(.configurationInvalid, message: "cannot read configuration file \(path)")
        }
        guard var object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw StepupError(.configurationInvalid, message: "configuration file \(path) is not a JSON object")
        }
        struct Channels: Decodable {
            let smtp: SMTPConfiguration?
            let webhooks: [String: WebhookSettings]?
        }
        do {
            let channels = try JSONDecoder().decode(Channels.self, from: data)
            if let smtp = channels.smtp { self.smtp = smtp }
            if let webhooks = channels.webhooks {
                for kind in webhooks.keys where !["sms", "voice", "push"].contains(kind) {
                    throw StepupError(.configurationInvalid, message: "webhooks.\(kind) in \(path): the kinds are sms, voice and push")
                }
                self.webhooks = webhooks
            }
        } catch let error as StepupError {
            throw error
        } catch {
            throw StepupError(.configurationInvalid, message: "smtp or webhooks in \(path) are not valid: \(error)")
        }
        // Scalars by their JSON type: JSONSerialization would turn 0 and 1 into booleans.
        struct Scalar: Decodable {
            let text: String
            init(from decoder: any Decoder) throws {
                let c = try decoder.singleValueContainer()
                if let value = try? c.decode(String.self) { text = value }
                else if let value = try? c.decode(Int.self) { text = String(value) }
                else if let value = try? c.decode(Bool.self) { text = String(value) }
                else if let value = try? c.decode([String].self) { text = value.joined(separator: ",") }
                else { text = String(try c.decode(Double.self)) }
            }
        }
        object["smtp"] = nil
        object["webhooks"] = nil
        let scalars = try JSONSerialization.data(withJSONObject: object)
        guard let values = try? JSONDecoder().decode([String: Scalar].self, from: scalars) else {
            throw StepupError(.configurationInvalid, message: "configuration file \(path) has a setting of the wrong type")
        }
        try apply(values: values.mapValues(\.text), source: path)
    }

    /// Applies `STEPUP_HOST`, `STEPUP_PORT`, `STEPUP_DATABASE`, … from an environment.
    public mutating func apply(environment: [String: String]) throws {
        var values: [String: String] = [:]
        for key in Self.keys {
            let variable = "STEPUP_" + key.map { $0.isUppercase ? "_\($0)" : $0.uppercased() }.joined()
            if let value = environment[variable] { values[key] = value }
        }
        try apply(values: values, source: "environment")
    }

    static let keys = [
        "host", "port", "database", "demo", "trustedProxies", "maxBodyBytes", "bankName", "bcryptCost", "logLevel",
        "keysFile", "databasePoolSize", "hstsMaxAge", "passkeyRpId", "passkeyOrigins", "passkeyAttestationRoots",
        "passkeyRequireAttestation",
    ]

    public mutating func apply(values: [String: String], source: String) throws {
        for (key, value) in values {
            func int() throws -> Int {
                guard let number = Int(value) else {
                    throw StepupError(.configurationInvalid, message: "\(key) in \(source) is not a whole number")
                }
                return number
            }
            switch key {
            case "host": host = value
            case "port": port = try int()
            case "database": database = value
            case "demo": demo = ["1", "true", "yes"].contains(value.lowercased())
            case "trustedProxies":
                trustedProxies = value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            case "maxBodyBytes": maxBodyBytes = try int()
            case "bankName": bankName = value
            case "bcryptCost": bcryptCost = try int()
            case "logLevel": logLevel = value
            case "keysFile": keysFile = value
            case "databasePoolSize": databasePoolSize = try int()
            case "hstsMaxAge": hstsMaxAge = try int()
            case "passkeyRpId": passkeyRpId = value.isEmpty ? nil : value
            case "passkeyAttestationRoots": passkeyAttestationRoots = value.isEmpty ? nil : value
            case "passkeyRequireAttestation": passkeyRequireAttestation = ["1", "true", "yes"].contains(value.lowercased())
            case "passkeyOrigins":
                passkeyOrigins = value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            default: throw StepupError(.configurationInvalid, message: "unknown setting \(key) in \(source)")
            }
        }
    }
}
