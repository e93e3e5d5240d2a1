import Testing

@testable import StepupQR

/// Nothing a caller passes may trap: every path below either succeeds or throws a `QRError`.
@Suite("Hostile input")
struct HostileInputTests {
    @Test("Empty payload is a valid version 1 symbol that renders")
    func emptyPayload() throws {
        for level in QRCode.ErrorCorrection.allCases {
            let code = try QRCode(bytes: [], errorCorrection: level)
            #expect(code.version == 1 && code.size == 21)
            #expect(!code.png().isEmpty)
            #expect(code.svg().hasSuffix("</svg>\n"))
        }
        #expect(try QRCode(text: "") == QRCode(bytes: []))
    }

    @Test("Exactly at capacity fits version 40; one more throws", arguments: QRCode.ErrorCorrection.allCases)
    func atCapacity(level: QRCode.ErrorCorrection) throws {
        let capacity = QRCode.maximumBytes(errorCorrection: level)
        let code = try QRCode(bytes: [UInt8](repeating: 0xA5, count: capacity), errorCorrection: level)
        #expect(code.version == 40 && code.size == 177)
        #expect(throws: QRError.tooLong(bytes: capacity + 1, capacity: capacity)) {
            try QRCode(bytes: [UInt8](repeating: 0xA5, count: capacity + 1), errorCorrection: level)
        }
    }

    @Test("Out-of-range coordinates read as light")
    func subscriptOutOfRange() throws {
        let code = try QRCode(text: "edge")
        #expect(code[0, 0])  // finder corner, to show the in-range read works
        for (x, y) in [
            (-1, 0), (0, -1), (code.size, 0), (0, code.size), (Int.min, Int.min), (Int.max, Int.max),
            (Int.max, 0), (0, Int.min),
        ] {
            #expect(!code[x, y])
        }
    }

    @Test("Absurd rendering parameters are clamped, not trusted")
    func absurdScales() throws {
        let code = try QRCode(bytes: Fixtures.pseudoRandomBytes(count: 300, seed: 9))
        for value in [Int.min, -1, 0, 65, 10_000, Int.max] {
            #expect(!code.png(scale: value, quietZone: value).isEmpty)
            #expect(
                code.svg(moduleSize: value, quietZone: value, title: String(repeating: "\u{0}<", count: 50))
                    .contains("&lt;"))
        }
    }

    @Test("Internal minimum version is clamped too")
    func minimumVersionClamped() throws {
        #expect(try QRCode(bytes: [1], errorCorrection: .medium, mask: nil, minimumVersion: Int.min).version == 1)
        #expect(try QRCode(bytes: [1], errorCorrection: .medium, mask: nil, minimumVersion: Int.max).version == 40)
        #expect(try QRCode(bytes: [], errorCorrection: .high, mask: 2, minimumVersion: 99).version == 40)
    }

    @Test("All 256 byte values, including NUL and invalid UTF-8, are just bytes")
    func arbitraryBytes() throws {
        let bytes = (0...255).map { UInt8($0) } + [0xC3, 0x28, 0xFF, 0xFE]
        let code = try QRCode(bytes: bytes, errorCorrection: .high)
        #expect(code.version >= 1 && code.version <= 40)
    }
}
