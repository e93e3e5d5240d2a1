import Foundation
import StepupTesting
import StepupWebAuthnTesting
import Testing

@testable import StepupWebAuthn

@Suite("CBOR, bounded and canonical")
struct CBORTests {
    static func hex(_ text: String) -> [UInt8] {
        var bytes: [UInt8] = []
        var index = text.startIndex
        while index < text.endIndex {
            let next = text.index(index, offsetBy: 2)
            bytes.append(UInt8(text[index..<next], radix: 16)!)
            index = next
        }
        return bytes
    }

    /// RFC 8949 Appendix A, the examples within what WebAuthn uses.
    @Test(arguments: [
        ("00", CBOR.integer(0)), ("17", .integer(23)), ("1818", .integer(24)), ("1903e8", .integer(1000)),
        ("1a000f4240", .integer(1_000_000)), ("1b000000e8d4a51000", .integer(1_000_000_000_000)),
        ("20", .integer(-1)), ("3863", .integer(-100)), ("3903e7", .integer(-1000)),
        ("40", .bytes([])), ("4401020304", .bytes([1, 2, 3, 4])), ("60", .text("")), ("6449455446", .text("IETF")),
        ("62225c", .text("\"\\")), ("62c3bc", .text("ü")), ("63e6b0b4", .text("水")),
        ("80", .array([])), ("83010203", .array([.integer(1), .integer(2), .integer(3)])),
        ("8301820203820405", .array([.integer(1), .array([.integer(2), .integer(3)]), .array([.integer(4), .integer(5)])])),
        ("a0", .map([])), ("a201020304", .map([(.integer(1), .integer(2)), (.integer(3), .integer(4))])),
        ("a26161016162820203", .map([(.text("a"), .integer(1)), (.text("b"), .array([.integer(2), .integer(3)]))])),
        ("f4", .boolean(false)), ("f5", .boolean(true)), ("f6", .null),
    ])
    func rfc8949Examples(_ encoded: String, _ expected: CBOR) throws {
        #expect(try CBORDecoder.decode(Self.hex(encoded)) == expected)
        #expect(CBOREncoder.encode(expected) == Self.hex(encoded))
    }

    /// Valid CBOR that WebAuthn's canonical form, or this decoder's bounds, refuse, each with its reason.
    @Test(arguments: [
        ("1bffffffffffffffff", CBORError.integerOverflow), ("3bffffffffffffffff", .integerOverflow),
        ("5f42010243030405ff", .indefiniteLength), ("7f657374726561646d696e67ff", .indefiniteLength),
        ("9fff", .indefiniteLength), ("bfff", .indefiniteLength),
        ("f90000", .unsupported(0xf9)), ("fb3ff199999999999a", .unsupported(0xfb)), ("c074", .unsupported(0xc0)),
        ("f7", .unsupported(0xf7)), ("1817", .notCanonical), ("190017", .notCanonical), ("1a0000ffff", .notCanonical),
        ("a203040102", .notCanonical), ("a201020103", .notCanonical), ("a2616201616102", .notCanonical),
        ("a2616101182001", .notCanonical),
        ("44010203", .tooLong), ("830102", .tooLong), ("", .truncated), ("1903", .truncated), ("5a7fffffff", .tooLong),
        ("9a7fffffff", .tooLong), ("d4", .unsupported(0xd4)), ("62c328", .invalidText), ("0000", .trailingBytes),
    ])
    func refusals(_ encoded: String, _ expected: CBORError) {
        #expect(throws: expected) { try CBORDecoder.decode(Self.hex(encoded)) }
    }

    @Test func anOffsetOutsideTheInputIsARefusalNotATrap() throws {
        var before = CBORDecoder([0x01], offset: -5)
        #expect(try before.decodeItem() == .integer(1))
        var after = CBORDecoder([0x01], offset: 9)
        #expect(throws: CBORError.truncated) { try after.decodeItem() }
    }

    @Test func nestingIsBounded() throws {
        let deep = Array(repeating: UInt8(0x81), count: 9) + [0x00]
        #expect(throws: CBORError.tooDeep) { try CBORDecoder.decode(deep) }
        #expect(try CBORDecoder.decode(Array(deep.dropFirst())) != .null)
    }

    /// Random bytes and mutated valid items: every one decodes or is refused with a `CBORError`; nothing traps and
    /// nothing allocates beyond its input.
    @Test func fuzzedInputDecodesOrIsRefused() {
        var fuzz = FuzzInput()
        let seeds = ["a26161016162820203", "8301820203820405", "a201020304", "6449455446"].map(Self.hex)
        for _ in 0..<FuzzInput.iterations {
            var bytes = fuzz.pick([fuzz.bytes(maxCount: 48), fuzz.pick(seeds)])
            if !bytes.isEmpty, fuzz.pick([true, false]) {
                bytes[Int.random(in: 0..<bytes.count, using: &fuzz)] = UInt8.random(in: 0...255, using: &fuzz)
            }
            do {
                let item = try CBORDecoder.decode(bytes)
                // What decodes is canonical: it encodes back to the same bytes.
                #expect(CBOREncoder.encode(item) == bytes)
            } catch {}
        }
    }
}
