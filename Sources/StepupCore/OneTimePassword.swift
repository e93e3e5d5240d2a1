import Crypto
import Foundation

/// The HMAC algorithms RFC 6238 allows.
public enum OTPAlgorithm: String, Sendable, Codable, CaseIterable {
    case sha1 = "SHA1"
    case sha256 = "SHA256"
    case sha512 = "SHA512"

    /// RFC 4226 §5.3 dynamic truncation of the HMAC of each counter from `first` through `last`, handed to `body`.
    /// The keyed HMAC state is made once and copied per counter, so the key's padding is hashed once, not per step;
    /// nothing is allocated per counter.
    func forEachTruncatedMAC(key: SymmetricKey, first: UInt64, last: UInt64, _ body: (UInt64, UInt32) -> Void) {
        switch self {
        case .sha1: Self.forEach(HMAC<Insecure.SHA1>(key: key), first, last, body)
        case .sha256: Self.forEach(HMAC<SHA256>(key: key), first, last, body)
        case .sha512: Self.forEach(HMAC<SHA512>(key: key), first, last, body)
        }
    }

    private static func forEach<H: HashFunction>(
        _ keyed: HMAC<H>, _ first: UInt64, _ last: UInt64, _ body: (UInt64, UInt32) -> Void
    ) {
        var counter = first
        while counter <= last {
            var mac = keyed
            withUnsafeBytes(of: counter.bigEndian) { mac.update(data: $0) }
            body(counter, mac.finalize().withUnsafeBytes(truncate))
            if counter == last { return }
            counter += 1
        }
    }

    private static func truncate(_ mac: UnsafeRawBufferPointer) -> UInt32 {
        let offset = Int(mac[mac.count - 1] & 0x0F)
        return (UInt32(mac[offset] & 0x7F) << 24) | (UInt32(mac[offset + 1]) << 16) | (UInt32(mac[offset + 2]) << 8)
            | UInt32(mac[offset + 3])
    }
}

/// HOTP (RFC 4226) over byte secrets.
public struct HOTP: Sendable, Equatable {
    public let secret: [UInt8]
    public let digits: Int
    public let algorithm: OTPAlgorithm

    public init(secret: [UInt8], digits: Int = 6, algorithm: OTPAlgorithm = .sha1) throws {
        guard (6...8).contains(digits) else {
            throw StepupError(.configurationInvalid, message: "An OTP has 6 to 8 digits.")
        }
        guard secret.count >= 10 else {
            throw StepupError(.configurationInvalid, message: "An OTP secret has at least 80 bits.")
        }
        self.secret = secret
        self.digits = digits
        self.algorithm = algorithm
    }

    /// 10^digits: the codes are the truncated MAC modulo this.
    var modulus: UInt32 {
        var modulus: UInt32 = 1
        for _ in 0..<digits { modulus *= 10 }
        return modulus
    }

    /// The code for one counter value (RFC 4226 §5.3, dynamic truncation).
    public func code(counter: UInt64) -> String {
        var number: UInt32 = 0
        forEachValue(key: SymmetricKey(data: secret), first: counter, last: counter) { number = $1 }
        let value = String(number)
        return String(repeating: "0", count: digits - value.count) + value
    }

    /// The codes of the counters `first` through `last` as numbers.
    func forEachValue(key: SymmetricKey, first: UInt64, last: UInt64, _ body: (UInt64, UInt32) -> Void) {
        let modulus = modulus
        algorithm.forEachTruncatedMAC(key: key, first: first, last: last) { body($0, $1 % modulus) }
    }

    /// A submitted code as a number: exactly `digits` ASCII digits, or nil.
    func parse(_ code: String) -> UInt32? {
        guard code.utf8.count == digits else { return nil }
        var value: UInt32 = 0
        for byte in code.utf8 {
            guard byte >= 0x30, byte <= 0x39 else { return nil }
            value = value * 10 + UInt32(byte - 0x30)
        }
        return value
    }
}

/// TOTP (RFC 6238): HOTP over the number of `period`-second steps since the epoch.
public struct TOTP: Sendable, Equatable {
    public let hotp: HOTP
    public let period: Int

    public init(secret: [UInt8], digits: Int = 6, algorithm: OTPAlgorithm = .sha1, period: Int = 30) throws {
        guard period >= 15 else {
            throw StepupError(.configurationInvalid, message: "A TOTP period is at least 15 seconds.")
        }
        self.hotp = try HOTP(secret: secret, digits: digits, algorithm: algorithm)
        self.period = period
    }

    public func step(at date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 / Double(period)).rounded(.down))
    }

    public func code(at date: Date) -> String { hotp.code(counter: UInt64(max(0, step(at: date)))) }

    /// Finds the step `code` belongs to within ±`window` steps of `date`, refusing any step at or before
    /// `lastUsedStep` so that a code once accepted is never accepted again (RFC 6238 §5.2).
    ///
    /// Every candidate step is compared, in constant time, so the answer's timing says nothing about which matched.
    public func verify(_ code: String, at date: Date, window: Int = 1, lastUsedStep: Int64?) -> TOTPVerification {
        // A malformed code matches no step; its shape is not a secret, so it may be refused at once.
        guard let submitted = hotp.parse(code) else { return .invalid }
        let now = step(at: date)
        guard now + Int64(window) >= 0 else { return .invalid }
        let first = UInt64(max(0, now - Int64(window))), last = UInt64(max(0, now + Int64(window)))
        var matched: Int64?
        hotp.forEachValue(key: SymmetricKey(data: hotp.secret), first: first, last: last) { candidate, value in
            // Integers compared without an early exit: every candidate costs the same.
            let equal = (value ^ submitted) == 0
            if equal, matched == nil { matched = Int64(candidate) }
        }
        guard let matched else { return .invalid }
        if let lastUsedStep, matched <= lastUsedStep { return .replayed }
        return .accepted(step: matched)
    }
}

/// What a TOTP check found.
public enum TOTPVerification: Sendable, Equatable {
    case accepted(step: Int64)
    case replayed
    case invalid
}

/// `otpauth://` key URIs, the format authenticator apps scan.
public enum OTPAuthURI {
    public static func totp(_ totp: TOTP, issuer: String, account: String) -> String {
        uri(type: "totp", hotp: totp.hotp, issuer: issuer, account: account, extra: [("period", String(totp.period))])
    }

    public static func hotp(_ hotp: HOTP, counter: UInt64, issuer: String, account: String) -> String {
        uri(type: "hotp", hotp: hotp, issuer: issuer, account: account, extra: [("counter", String(counter))])
    }

    private static func uri(type: String, hotp: HOTP, issuer: String, account: String, extra: [(String, String)])
        -> String
    {
        var components = URLComponents()
        components.scheme = "otpauth"
        components.host = type
        components.path = "/" + issuer + ":" + account
        components.queryItems =
            [
                URLQueryItem(name: "secret", value: Base32.encode(hotp.secret)),
                URLQueryItem(name: "issuer", value: issuer),
                URLQueryItem(name: "algorithm", value: hotp.algorithm.rawValue),
                URLQueryItem(name: "digits", value: String(hotp.digits)),
            ] + extra.map { URLQueryItem(name: $0.0, value: $0.1) }
        return components.string ?? ""
    }
}
