import Foundation
import StepupTesting
import Testing

@testable import StepupCore

/// Every parser of outside input in the core, fed seeded hostile input: each either answers a value within its
/// documented bounds or refuses with a typed error (or nil). Nothing traps.
@Suite("Fuzzed core parsers")
struct ParserFuzzTests {
    @Test func base32DecodesOrRefusesAndRoundTrips() {
        var fuzz = FuzzInput()
        for _ in 0..<FuzzInput.iterations {
            let text = fuzz.pick([fuzz.text(), String(decoding: fuzz.bytes(), as: UTF8.self), Base32.encode(fuzz.bytes())])
            if let bytes = Base32.decode(text) {
                #expect(bytes.count <= text.utf8.count)
            }
            let original = fuzz.bytes()
            #expect(Base32.decode(Base32.encode(original)) == original)
        }
    }

    @Test func base64URLDecodesOrRefuses() {
        var fuzz = FuzzInput()
        for _ in 0..<FuzzInput.iterations {
            let original = fuzz.bytes()
            #expect(Base64URL.decode(Base64URL.encode(original)) == original)
            _ = Base64URL.decode(fuzz.text())
        }
    }

    @Test func signedRequestHeadersNeverTrap() {
        var fuzz = FuzzInput()
        let key = String(repeating: "k", count: 40)
        let now = Date()
        for _ in 0..<FuzzInput.iterations {
            let body = fuzz.bytes()
            var timestamp: String? = fuzz.pick([nil, fuzz.text(), String(now.timeIntervalSince1970), "1e308", "-1e308", "nan"])
            var nonce: String? = fuzz.pick([nil, fuzz.text(), SecureRandom.token(bits: 128)])
            var signature: String? = fuzz.pick([nil, fuzz.text(), "v1=" + fuzz.text()])
            if Int.random(in: 0..<8, using: &fuzz) == 0 {
                let headers = RequestSignature.headers(key: key, method: "POST", path: "/p", body: body, now: now)
                timestamp = headers.first { $0.0 == "X-Stepup-Timestamp" }?.1
                nonce = headers.first { $0.0 == "X-Stepup-Nonce" }?.1
                signature = headers.first { $0.0 == "X-Stepup-Signature" }?.1
                #expect(throws: Never.self) {
                    try RequestSignature.verify(key: key, method: "POST", path: "/p", body: body, timestamp: timestamp, nonce: nonce, signature: signature, now: now)
                }
                continue
            }
            do {
                try RequestSignature.verify(key: key, method: "POST", path: "/p", body: body, timestamp: timestamp, nonce: nonce, signature: signature, now: now)
                Issue.record("an unsigned request passed: \(String(describing: timestamp)) \(String(describing: signature))")
            } catch let error as StepupError {
                #expect(error.httpStatus < 500)
            } catch {
                Issue.record("untyped error \(error)")
            }
        }
    }

    @Test func extensionCredentialsVerifyOrRefuseWithATypedError() throws {
        var fuzz = FuzzInput()
        let key = String(repeating: "k", count: 40)
        let real = try ExtensionCredential(
            extensionName: "x", sessionID: "s", userID: "u", username: "u", displayName: "U", isAuthenticated: true,
            routingKey: "r", mfaInfo: MFAInfo(), issuedAt: Date()).signed(with: key)
        for _ in 0..<FuzzInput.iterations {
            var token = fuzz.pick([fuzz.text(), real, Base64URL.encode(Array(fuzz.json().utf8)) + "." + fuzz.text(), real + fuzz.text()])
            if Int.random(in: 0..<4, using: &fuzz) == 0, !token.isEmpty {
                var bytes = Array(token.utf8)
                bytes[Int.random(in: 0..<bytes.count, using: &fuzz)] = UInt8.random(in: 33...126, using: &fuzz)
                token = String(decoding: bytes, as: UTF8.self)
            }
            do {
                let credential = try ExtensionCredential.verify(token, key: key, now: Date())
                #expect(token == real && credential.extensionName == "x")
            } catch let error as StepupError {
                #expect(error.httpStatus < 500)
            } catch {
                Issue.record("untyped error \(error)")
            }
        }
    }

    @Test func totpCodesOfAnyShapeVerifyOrAreRefused() throws {
        var fuzz = FuzzInput()
        let totp = try TOTP(secret: Array("12345678901234567890".utf8))
        let now = Date(timeIntervalSince1970: 59)
        for _ in 0..<FuzzInput.iterations {
            let code = fuzz.pick([fuzz.text(), totp.code(at: now), String(UInt64.random(in: 0...UInt64.max, using: &fuzz))])
            switch totp.verify(code, at: now, lastUsedStep: fuzz.pick([nil, Int64.min, Int64.max, -1, 1])) {
            case .accepted(let step): #expect(code == totp.code(at: now) && step >= 0)
            case .replayed, .invalid: break
            }
        }
        // Clocks far from now, either way, answer a code rather than trap.
        for seconds in [-1e12, -1, 0, 1e12, 9.2e15] { _ = totp.code(at: Date(timeIntervalSince1970: seconds)) }
    }

    @Test func systemPropertiesRefuseOutOfRangeTextWithATypedError() {
        var fuzz = FuzzInput()
        for _ in 0..<FuzzInput.iterations {
            var properties = SystemProperties()
            let name = fuzz.pick(SystemProperties.names + [fuzz.text()])
            do {
                try properties.set(name, to: fuzz.pick([fuzz.text(), "9223372036854775808", "-1", "0", "true", "EUR", "eur"]))
            } catch let error as StepupError {
                #expect(error.code == .configurationInvalid)
            } catch {
                Issue.record("untyped error \(error)")
            }
        }
    }
}
