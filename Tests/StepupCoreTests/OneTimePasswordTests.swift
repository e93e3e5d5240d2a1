import Foundation
import Testing

@testable import StepupCore

@Suite("HOTP and TOTP")
struct OneTimePasswordTests {
    static let sha1Key = Array("12345678901234567890".utf8)
    static let sha256Key = Array("12345678901234567890123456789012".utf8)
    static let sha512Key = Array("1234567890123456789012345678901234567890123456789012345678901234".utf8)

    @Test("RFC 4226 appendix D: every HOTP value", arguments: Array(zip(0..<10, [
        "755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871", "520489",
    ])))
    func hotpVectors(counter: Int, expected: String) throws {
        let hotp = try HOTP(secret: Self.sha1Key, digits: 6)
        #expect(hotp.code(counter: UInt64(counter)) == expected)
    }

    struct TOTPVector: Sendable, CustomTestStringConvertible {
        let time: Double
        let algorithm: OTPAlgorithm
        let code: String
        var testDescription: String { "\(algorithm.rawValue) at \(Int(time))" }
    }

    static let rfc6238: [TOTPVector] = [
        (59, "94287082", "46119246", "90693936"),
        (1_111_111_109, "07081804", "68084774", "25091201"),
        (1_111_111_111, "14050471", "67062674", "99943326"),
        (1_234_567_890, "89005924", "91819424", "93441116"),
        (2_000_000_000, "69279037", "90698825", "38618901"),
        (20_000_000_000, "65353130", "77737706", "47863826"),
    ].flatMap { row in
        [
            TOTPVector(time: row.0, algorithm: .sha1, code: row.1),
            TOTPVector(time: row.0, algorithm: .sha256, code: row.2),
            TOTPVector(time: row.0, algorithm: .sha512, code: row.3),
        ]
    }

    @Test("RFC 6238 appendix B: all 18 TOTP values", arguments: rfc6238)
    func totpVectors(vector: TOTPVector) throws {
        let key: [UInt8] =
            switch vector.algorithm {
            case .sha1: Self.sha1Key
            case .sha256: Self.sha256Key
            case .sha512: Self.sha512Key
            }
        let totp = try TOTP(secret: key, digits: 8, algorithm: vector.algorithm, period: 30)
        let date = Date(timeIntervalSince1970: vector.time)
        #expect(totp.code(at: date) == vector.code)
        #expect(totp.verify(vector.code, at: date, lastUsedStep: nil) == .accepted(step: totp.step(at: date)))
    }

    @Test func acceptsOneStepEitherSideAndNoFurther() throws {
        let totp = try TOTP(secret: Self.sha1Key)
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let previous = totp.code(at: now.addingTimeInterval(-30))
        let next = totp.code(at: now.addingTimeInterval(30))
        let twoAgo = totp.code(at: now.addingTimeInterval(-60))
        #expect(totp.verify(previous, at: now, lastUsedStep: nil) == .accepted(step: totp.step(at: now) - 1))
        #expect(totp.verify(next, at: now, lastUsedStep: nil) == .accepted(step: totp.step(at: now) + 1))
        #expect(totp.verify(twoAgo, at: now, lastUsedStep: nil) == .invalid)
        #expect(totp.verify("000000", at: now, lastUsedStep: nil) != .accepted(step: totp.step(at: now)) || totp.code(at: now) == "000000")
    }

    @Test func theWindowStopsAtTheEpochAndAWiderWindowReachesFurther() throws {
        let totp = try TOTP(secret: Self.sha1Key)
        let first = Date(timeIntervalSince1970: 10)
        // At step 0 there is no step -1; step 0 and step 1 are the window.
        #expect(totp.verify(totp.code(at: first), at: first, lastUsedStep: nil) == .accepted(step: 0))
        #expect(totp.verify(totp.code(at: first.addingTimeInterval(30)), at: first, lastUsedStep: nil) == .accepted(step: 1))
        #expect(totp.verify(totp.code(at: first), at: Date(timeIntervalSince1970: -100), lastUsedStep: nil) == .invalid)
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let twoAgo = totp.code(at: now.addingTimeInterval(-60))
        #expect(totp.verify(twoAgo, at: now, window: 2, lastUsedStep: nil) == .accepted(step: totp.step(at: now) - 2))
        #expect(totp.verify(totp.code(at: now), at: now, window: 0, lastUsedStep: nil) == .accepted(step: totp.step(at: now)))
        #expect(totp.verify(totp.code(at: now.addingTimeInterval(30)), at: now, window: 0, lastUsedStep: nil) == .invalid)
    }

    @Test func malformedCodesMatchNothing() throws {
        let totp = try TOTP(secret: Self.sha1Key)
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let code = totp.code(at: now)
        for malformed in [" " + code, code + "0", String(code.dropLast()), String(code.dropLast()) + "a", "", "１２３４５６", "-12345"] {
            #expect(totp.verify(malformed, at: now, lastUsedStep: nil) == .invalid, "\(malformed)")
        }
        #expect(totp.verify(code, at: now, lastUsedStep: nil) == .accepted(step: totp.step(at: now)))
    }

    @Test func replayGuardRefusesTheUsedStepAndEveryEarlierOne() throws {
        let totp = try TOTP(secret: Self.sha1Key)
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let step = totp.step(at: now)
        let code = totp.code(at: now)
        #expect(totp.verify(code, at: now, lastUsedStep: step) == .replayed)
        #expect(totp.verify(totp.code(at: now.addingTimeInterval(-30)), at: now, lastUsedStep: step) == .replayed)
        #expect(totp.verify(totp.code(at: now.addingTimeInterval(30)), at: now, lastUsedStep: step) == .accepted(step: step + 1))
    }

    @Test func refusesBadParameters() {
        #expect(throws: StepupError.self) { try HOTP(secret: Self.sha1Key, digits: 5) }
        #expect(throws: StepupError.self) { try HOTP(secret: Self.sha1Key, digits: 9) }
        #expect(throws: StepupError.self) { try HOTP(secret: [1, 2, 3]) }
        #expect(throws: StepupError.self) { try TOTP(secret: Self.sha1Key, period: 5) }
    }

    @Test func otpauthURIsCarryEverythingAnAuthenticatorNeeds() throws {
        let totp = try TOTP(secret: Self.sha1Key, digits: 8, algorithm: .sha256, period: 60)
        let uri = OTPAuthURI.totp(totp, issuer: "Stepup Bank", account: "alice")
        let components = try #require(URLComponents(string: uri))
        #expect(components.scheme == "otpauth")
        #expect(components.host == "totp")
        #expect(components.path == "/Stepup Bank:alice")
        let items = Dictionary(uniqueKeysWithValues: (components.queryItems ?? []).map { ($0.name, $0.value ?? "") })
        #expect(items["secret"] == "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")
        #expect(items["algorithm"] == "SHA256")
        #expect(items["digits"] == "8")
        #expect(items["period"] == "60")
        let hotpURI = OTPAuthURI.hotp(totp.hotp, counter: 7, issuer: "Stepup Bank", account: "alice")
        #expect(hotpURI.hasPrefix("otpauth://hotp/"))
        #expect(hotpURI.contains("counter=7"))
    }
}

@Suite struct Base32Tests {
    @Test("RFC 4648 section 10 vectors", arguments: [
        ("", ""), ("f", "MY======"), ("fo", "MZXQ===="), ("foo", "MZXW6==="), ("foob", "MZXW6YQ="),
        ("fooba", "MZXW6YTB"), ("foobar", "MZXW6YTBOI======"),
    ])
    func vectors(plain: String, encoded: String) {
        #expect(Base32.encode(Array(plain.utf8), padding: true) == encoded)
        #expect(Base32.decode(encoded) == Array(plain.utf8))
        #expect(Base32.decode(encoded.lowercased()) == Array(plain.utf8))
    }

    @Test func refusesCharactersOutsideTheAlphabet() {
        #expect(Base32.decode("MZXW1") == nil)
        #expect(Base32.decode("MZ!W") == nil)
    }
}
