import Foundation
import StepupCore

/// How to reach the bank's mail server.
public struct SMTPConfiguration: Sendable, Equatable, Codable {
    public enum TLSMode: String, Sendable, Codable {
        /// Plain SMTP; only for a relay on the same host.
        case none
        /// STARTTLS, required: the client refuses to go on if the server does not offer it.
        case starttls
        /// TLS from the first byte (SMTPS, port 465).
        case tls
    }

    public var host: String
    public var port: Int
    public var tlsMode: TLSMode
    /// PEM file of the certificate authorities to trust instead of the system's (a private relay's CA).
    public var caCertificateFile: String?
    public var username: String?
    public var password: String?
    /// The envelope sender and `From:` address.
    public var from: String
    /// The name in `EHLO`.
    public var heloName: String
    /// Seconds for connecting and for each reply.
    public var timeout: Double
    /// Seconds before the one retry after a transient failure (a 4xx reply or a lost connection).
    public var retryDelay: Double

    public init(
        host: String, port: Int, tlsMode: TLSMode = .starttls, caCertificateFile: String? = nil,
        username: String? = nil, password: String? = nil, from: String, heloName: String = "stepup.localhost",
        timeout: Double = 10, retryDelay: Double = 2
    ) {
        self.host = host
        self.port = port
        self.tlsMode = tlsMode
        self.caCertificateFile = caCertificateFile
        self.username = username
        self.password = password
        self.from = from
        self.heloName = heloName
        self.timeout = timeout
        self.retryDelay = retryDelay
    }

    enum CodingKeys: String, CodingKey {
        case host, port, tlsMode, caCertificateFile, username, password, from, heloName, timeout, retryDelay
    }

    /// Decodes a configuration file's `smtp` object; only `host`, `port` and `from` are required.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            host: try c.decode(String.self, forKey: .host), port: try c.decode(Int.self, forKey: .port),
            tlsMode: try c.decodeIfPresent(TLSMode.self, forKey: .tlsMode) ?? .starttls,
            caCertificateFile: try c.decodeIfPresent(String.self, forKey: .caCertificateFile),
            username: try c.decodeIfPresent(String.self, forKey: .username),
            password: try c.decodeIfPresent(String.self, forKey: .password), from: try c.decode(String.self, forKey: .from),
            heloName: try c.decodeIfPresent(String.self, forKey: .heloName) ?? "stepup.localhost",
            timeout: try c.decodeIfPresent(Double.self, forKey: .timeout) ?? 10,
            retryDelay: try c.decodeIfPresent(Double.self, forKey: .retryDelay) ?? 2)
        // Both become integer milliseconds: bounded here so a typo in the file is an error, not a trap.
        guard (0.1...600).contains(timeout), (0...600).contains(retryDelay), (1...65_535).contains(port) else {
            throw StepupError(.configurationInvalid, message: "smtp: timeout is 0.1 to 600 s, retryDelay 0 to 600 s, port 1 to 65535")
        }
    }
}

/// Why an SMTP delivery failed. Permanent failures are not retried.
public enum SMTPError: Error, Equatable, CustomStringConvertible {
    case connectionFailed(String)
    case timedOut
    case reply(code: Int, text: String)
    case startTLSUnavailable
    case authenticationUnavailable
    case closed

    /// A 4xx reply or a lost connection: worth one more try.
    public var isTransient: Bool {
        switch self {
        case .reply(let code, _): (400..<500).contains(code)
        case .connectionFailed, .timedOut, .closed: true
        case .startTLSUnavailable, .authenticationUnavailable: false
        }
    }

    /// The audit trail's account: a reply's code without its text, which may quote the address.
    public var summary: String {
        if case .reply(let code, _) = self { return "smtp reply \(code)" }
        return "smtp: \(description)"
    }

    public var description: String {
        switch self {
        case .connectionFailed(let reason): "cannot connect: \(reason)"
        case .timedOut: "timed out"
        case .reply(let code, let text): "server replied \(code) \(text)"
        case .startTLSUnavailable: "the server does not offer STARTTLS"
        case .authenticationUnavailable: "the server offers neither AUTH PLAIN nor AUTH LOGIN"
        case .closed: "the server closed the connection"
        }
    }
}
