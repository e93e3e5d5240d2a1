import Crypto
import Foundation

/// The HMAC algorithms RFC 6238 allows.
public enum OTPAlgorithm: String, Sendable, Codable, CaseIterable {
    case sha1 = "SHA1"
    case sha256 = "SHA256"
    case sha512 = "SHA512"

    /// RFC 4226 §5.3 dynamic truncation of the HMAC of each counter: the 31-bit values the digits are taken from.
    /// The keyed HMAC state is made once and copied per counter, so the key's padding is hashed once, not per step.
    func truncatedMACs(key: SymmetricKey, counters: [UInt64]) -> [UInt32] {
        switch self {
        case .sha1: return Self.truncatedMACs(HMAC<Insecure.SHA1>(key: key), counters)
        case .sha256: return Self.truncatedMACs(HMAC<SHA256>(key: key), counters)
        case .sha512: return Self.truncatedMACs(HMAC<SHA512>(key: key), counters)
        }
    }

    private static func truncatedMACs<H: HashFunction>(_ keyed: HMAC<H>, _ counters: [UInt64]) -> [UInt32] {
        counters.map { counter in
            var mac = keyed
            withUnsafeBytes(of: counter.bigEndian) { mac.update(data: $0) }
            return mac.finalize().withUnsafeBytes(truncate)
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
        let value = String(values(counters: [counter], key: SymmetricKey(data: secret))[0])
        return String(repeating: "0", count: digits - value.count) + value
    }

    /// The codes for several counters as numbers.
    func values(counters: [UInt64], key: SymmetricKey) -> [UInt32] {
        let modulus = modulus
        return algorithm.truncatedMACs(key: key, counters: counters).map { $0 % modulus }
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
        let candidates = (-window...window).map { now + Int64($0) }.filter { $0 >= 0 }
        let values = hotp.values(counters: candidates.map { UInt64($0) }, key: SymmetricKey(data: hotp.secret))
        var matched: Int64?
        for (candidate, value) in zip(candidates, values) {
            // Integers compared without an early exit: every candidate costs the same.
            let equal = (value ^ submitted) == 0
            if equal, matched == nil { matched = candidate }
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
