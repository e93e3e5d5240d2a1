import Testing

@testable import StepupQR

@Suite("Capacity, version choice and masks")
struct CapacityTests {
    @Test("Byte-mode capacities (ISO/IEC 18004 Table 7 spot checks)")
    func capacitySpotChecks() {
        #expect(SymbolTables.byteCapacity(version: 1, level: .medium) == 14)
        #expect(SymbolTables.byteCapacity(version: 10, level: .medium) == 213)
        #expect(SymbolTables.byteCapacity(version: 40, level: .medium) == 2331)
        #expect(SymbolTables.byteCapacity(version: 1, level: .low) == 17)
        #expect(SymbolTables.byteCapacity(version: 1, level: .quartile) == 11)
        #expect(SymbolTables.byteCapacity(version: 1, level: .high) == 7)
        #expect(SymbolTables.byteCapacity(version: 9, level: .medium) == 180)  // last 8-bit count
        #expect(SymbolTables.byteCapacity(version: 40, level: .low) == 2953)
        #expect(SymbolTables.byteCapacity(version: 40, level: .quartile) == 1663)
        #expect(SymbolTables.byteCapacity(version: 40, level: .high) == 1273)
        #expect(QRCode.maximumBytes() == 2331)
    }

    @Test("Codewords per version (Table 1 spot checks) and remainder bits")
    func totalCodewords() {
        #expect(SymbolTables.totalCodewords(version: 1) == 26)
        #expect(SymbolTables.totalCodewords(version: 7) == 196)
        #expect(SymbolTables.totalCodewords(version: 14) == 581)
        #expect(SymbolTables.totalCodewords(version: 40) == 3706)
        #expect(SymbolTables.remainderBits(version: 1) == 0)
        #expect(SymbolTables.remainderBits(version: 2) == 7)
        #expect(SymbolTables.remainderBits(version: 14) == 3)
        #expect(SymbolTables.remainderBits(version: 21) == 4)
    }

    @Test("Capacity grows with version, and every block split is consistent")
    func tablesAreConsistent() {
        for level in QRCode.ErrorCorrection.allCases {
            var previous = 0
            for version in SymbolTables.versions {
                let capacity = SymbolTables.byteCapacity(version: version, level: level)
                #expect(capacity > previous, "v\(version) \(level)")
                previous = capacity
                let blocks = SymbolTables.blockCount[level.tableIndex][version]
                let total = SymbolTables.totalCodewords(version: version)
                // At most one codeword of difference between blocks, so only two groups exist.
                #expect(total / blocks > SymbolTables.ecCodewordsPerBlock[level.tableIndex][version])
            }
        }
    }

    @Test(
        "Smallest version at each boundary: capacity(v) bytes → v, one more → v + 1",
        arguments: QRCode.ErrorCorrection.allCases)
    func smallestVersionAtBoundaries(level: QRCode.ErrorCorrection) throws {
        for version in SymbolTables.versions {
            let capacity = SymbolTables.byteCapacity(version: version, level: level)
            let fits = try QRCode(bytes: [UInt8](repeating: 0x61, count: capacity), errorCorrection: level, mask: 0)
            #expect(fits.version == version)
            #expect(fits.size == 17 + 4 * version)
            if version < 40 {
                let over = try QRCode(
                    bytes: [UInt8](repeating: 0x61, count: capacity + 1), errorCorrection: level, mask: 0)
                #expect(over.version == version + 1)
            }
        }
    }

    @Test("One byte over the version 40 capacity is a typed error")
    func tooLong() {
        #expect(throws: QRError.tooLong(bytes: 2332, capacity: 2331)) {
            try QRCode(bytes: [UInt8](repeating: 0, count: 2332))
        }
        #expect(throws: QRError.tooLong(bytes: 1274, capacity: 1273)) {
            try QRCode(bytes: [UInt8](repeating: 0, count: 1274), errorCorrection: .high)
        }
        #expect(throws: QRError.tooLong(bytes: 100_000, capacity: 2953)) {
            try QRCode(text: String(repeating: "x", count: 100_000), errorCorrection: .low)
        }
    }

    @Test("Masks 0–7 are accepted and recorded; others are refused")
    func masks() throws {
        for mask in Masking.masks {
            let code = try QRCode(text: "mask", mask: mask)
            #expect(code.mask == mask)
        }
        for bad in [8, -1, Int.max, Int.min] {
            #expect(throws: QRError.invalidMask(bad)) { try QRCode(bytes: [1, 2, 3], mask: bad) }
        }
    }

    @Test("Different masks give different symbols; a fixed mask is reproducible")
    func masksDiffer() throws {
        let codes = try Masking.masks.map { mask throws(QRError) in try QRCode(text: "same", mask: mask) }
        #expect(Set(codes.map { $0.rows }).count == 8)
        #expect(try QRCode(text: "same", mask: 3) == codes[3])
    }

    @Test("Text is encoded as UTF-8")
    func textIsUTF8() throws {
        #expect(try QRCode(text: "Zürich ✓") == QRCode(bytes: Array("Zürich ✓".utf8)))
    }

    /// Table 10 as printed, with i the row and j the column — swapping them rotates masks 1, 2 and 4 and makes
    /// symbols unreadable, a mistake several encoders have made.
    @Test("Mask predicates use row i and column j")
    func maskOrientation() {
        #expect(Masking.inverts(mask: 1, x: 1, y: 0) && !Masking.inverts(mask: 1, x: 0, y: 1))  // i mod 2
        #expect(Masking.inverts(mask: 2, x: 0, y: 1) && !Masking.inverts(mask: 2, x: 1, y: 0))  // j mod 3
        #expect(Masking.inverts(mask: 4, x: 2, y: 0) && !Masking.inverts(mask: 4, x: 0, y: 2))  // ⌊i/2⌋ + ⌊j/3⌋
    }
}
