import Foundation
import Logging
import NIOCore
import NIOSSL
import StepupCore

/// Email over SMTP: STARTTLS (required unless configured otherwise) or implicit TLS with certificate checks, AUTH
/// PLAIN or LOGIN, a timeout on every step, and one retry after a transient failure.
public struct EmailChannel: DeliveryProvider {
    public let name = "smtp"
    public let configuration: SMTPConfiguration
    let bankName: String
    private let tlsContext: NIOSSLContext?

    public init(configuration: SMTPConfiguration, bankName: String) throws {
        self.configuration = configuration
        self.bankName = bankName
        if configuration.tlsMode == .none {
            tlsContext = nil
        } else {
            var tls = TLSConfiguration.makeClientConfiguration()
            tls.minimumTLSVersion = .tlsv12
            if let ca = configuration.caCertificateFile {
                tls.trustRoots = .file(ca)
            }
            do {
                tlsContext = try NIOSSLContext(configuration: tls)
            } catch {
                throw StepupError(.configurationInvalid, message: "SMTP TLS configuration: \(error)")
            }
        }
    }

    public func deliver(_ message: DeliveryMessage) async throws {
        let mail = MailMessage(
            from: configuration.from, fromName: bankName, to: message.target.address,
            subject: message.subject ?? "\(bankName): your access code", body: message.text, date: message.sentAt)
        do {
            do {
                try await send(mail)
            } catch let error as SMTPError where error.isTransient {
                try await Task.sleep(for: .milliseconds(Int(configuration.retryDelay * 1000)))
                try await send(mail)
            }
        } catch let error as SMTPError {
            throw DeliveryFailure(provider: name, reason: error.summary, underlying: error)
        }
    }

    /// One attempt: connect, greet, TLS, authenticate, send, quit.
    func send(_ mail: MailMessage) async throws {
        let implicitTLS = configuration.tlsMode == .tls ? tlsContext : nil
        let connection = try await SMTPConnection.connect(configuration, tls: implicitTLS)
        do {
            _ = try await connection.expect(220)
            var capabilities = try await connection.command("EHLO \(configuration.heloName)", expect: 250)
            if configuration.tlsMode == .starttls, let tlsContext {
                guard capabilities.contains(where: { $0.uppercased().hasPrefix("STARTTLS") }) else {
                    throw SMTPError.startTLSUnavailable
                }
                try await connection.command("STARTTLS", expect: 220)
                try await connection.startTLS(tlsContext, host: configuration.host)
                capabilities = try await connection.command("EHLO \(configuration.heloName)", expect: 250)
            }
            if let username = configuration.username, let password = configuration.password {
                try await authenticate(connection, capabilities: capabilities, username: username, password: password)
            }
            try await connection.command("MAIL FROM:<\(configuration.from)>", expect: 250)
            try await connection.command("RCPT TO:<\(mail.to)>", expect: 250)
            try await connection.command("DATA", expect: 354)
            try await connection.sendRaw(mail.rendered + "\r\n.\r\n")
            _ = try await connection.expect(250)
            try? await connection.send("QUIT")
            await connection.close()
        } catch {
            await connection.close()
            throw error
        }
    }

    private func authenticate(_ connection: SMTPConnection, capabilities: [String], username: String, password: String)
        async throws
    {
        let auth = capabilities.first { $0.uppercased().hasPrefix("AUTH") }?.uppercased().split(separator: " ") ?? []
        if auth.contains("PLAIN") {
            let token = Data(("\u{0}" + username + "\u{0}" + password).utf8).base64EncodedString()
            try await connection.command("AUTH PLAIN \(token)", expect: 235)
        } else if auth.contains("LOGIN") {
            try await connection.command("AUTH LOGIN", expect: 334)
            try await connection.command(Data(username.utf8).base64EncodedString(), expect: 334)
            try await connection.command(Data(password.utf8).base64EncodedString(), expect: 235)
        } else {
            throw SMTPError.authenticationUnavailable
        }
    }
}

/// An RFC 5322 message with a base64 UTF-8 body: no line-length, dot-stuffing or 8-bit transport concerns.
struct MailMessage {
    let from: String
    let fromName: String
    let to: String
    let subject: String
    let body: String
    let date: Date

    var rendered: String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        let domain = from.split(separator: "@").last.map(String.init) ?? "stepup.localhost"
        let encodedBody = Data(body.utf8).base64EncodedString(options: [.lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed])
        return [
            "From: \(Self.encodedWord(fromName)) <\(from)>",
            "To: <\(to)>",
            "Subject: \(Self.encodedWord(subject))",
            "Date: \(formatter.string(from: date))",
            "Message-ID: <\(SecureRandom.identifier())@\(domain)>",
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=utf-8",
            "Content-Transfer-Encoding: base64",
            "Auto-Submitted: auto-generated",
            "",
            encodedBody,
        ].joined(separator: "\r\n")
    }

    /// RFC 2047 for header text that is not plain ASCII; header injection is impossible either way.
    static func encodedWord(_ text: String) -> String {
        let clean = text.replacingOccurrences(of: "\r", with: " ").replacingOccurrences(of: "\n", with: " ")
        if clean.allSatisfy({ $0.isASCII }) { return clean }
        return "=?utf-8?B?\(Data(clean.utf8).base64EncodedString())?="
    }
}
