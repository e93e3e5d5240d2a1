import Foundation
import Testing

@testable import StepupCore

@Suite("Key set")
struct KeySetTests {
    @Test func sealedSecretsOpenOnlyForTheirPurposeAndNeverShowThePlaintext() throws {
        let keys = try KeySet.generate()
        let secret = Array("12345678901234567890".utf8)
        let sealed = try keys.seal(secret, purpose: "stepup:totp:a")
        #expect(sealed.hasPrefix("v1:k1:"))
        #expect(!sealed.contains("MTIzNDU2") && !sealed.contains("GEZDGNBV"))
        #expect(try keys.open(sealed, purpose: "stepup:totp:a") == secret)
        #expect(throws: StepupError.self) { try keys.open(sealed, purpose: "stepup:totp:b") }
        #expect(try keys.seal(secret, purpose: "p") != keys.seal(secret, purpose: "p"))  // fresh nonce each time
    }

    @Test func afterRotationOldSecretsStillOpenAndNewOnesUseTheNewKey() throws {
        let old = try KeySet.generate(id: "k1")
        let sealedBefore = try old.seal([1, 2, 3], purpose: "p")
        let rotated = try old.rotated(newID: "k2")
        #expect(rotated.currentID == "k2")
        #expect(try rotated.open(sealedBefore, purpose: "p") == [1, 2, 3])
        let sealedAfter = try rotated.seal([4, 5], purpose: "p")
        #expect(sealedAfter.hasPrefix("v1:k2:"))
        #expect(throws: StepupError.self) { try old.open(sealedAfter, purpose: "p") }
        #expect(throws: StepupError.self) { try rotated.rotated(newID: "k1") }
    }

    @Test func tamperedOrForeignValuesAreRefused() throws {
        let keys = try KeySet.generate()
        var sealed = Array(try keys.seal([9, 9, 9], purpose: "p").utf8)
        sealed[sealed.count - 2] = sealed[sealed.count - 2] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        #expect(throws: StepupError.self) { try keys.open(String(decoding: sealed, as: UTF8.self), purpose: "p") }
        #expect(throws: StepupError.self) { try keys.open("plain text", purpose: "p") }
        #expect(throws: StepupError.self) { try keys.open(try KeySet.generate().seal([1], purpose: "p"), purpose: "p") }
    }

    @Test func theKeyFileRoundTripsAndBadFilesAreRefused() throws {
        let keys = try KeySet.generate(id: "k1").rotated(newID: "k2")
        let reloaded = try KeySet(json: try keys.json())
        #expect(reloaded.currentID == "k2")
        #expect(reloaded.ids == ["k1", "k2"])
        #expect(try reloaded.open(try keys.seal([7], purpose: "p"), purpose: "p") == [7])
        for bad in [#"{}"#, #"{"current":"k9","keys":{"k1":"AAAA"}}"#, #"{"current":"k1","keys":{"k1":"c2hvcnQ="}}"#, #"{"current":"k1","keys":{"k1":"!!"}}"#, "nope"] {
            #expect(throws: StepupError.self, "\(bad)") { try KeySet(json: Data(bad.utf8)) }
        }
    }
}
