import Testing

@testable import StepupQR

@Suite("Data codewords, format and version information")
struct EncodingTests {
    /// "hello" in 1-M: 0100 | 00000101 | 68 65 6C 6C 6F | 0000, which is exactly 7 bytes, so no padding bits
    /// and the pad codewords start right away (segno gets this wrong, see SegnoBridge).
    @Test func byteModeDataCodewords() {
        let data = Codewords.data(for: Array("hello".utf8), version: 1, level: .medium)
        #expect(
            data == [0x40, 0x56, 0x86, 0x56, 0xC6, 0xC6, 0xF0, 0xEC, 0x11, 0xEC, 0x11, 0xEC, 0x11, 0xEC, 0x11, 0xEC])
    }

    @Test("A full symbol has no room for the terminator and gets none")
    func noTerminatorWhenFull() {
        let payload = [UInt8](repeating: 0xFF, count: 14)  // 1-M capacity: 4 + 8 + 112 = 124 of 128 bits
        let data = Codewords.data(for: payload, version: 1, level: .medium)
        #expect(data.count == 16)
        #expect(data.first == 0x40)  // 0100 then the high nibble of the count 14 = 0000 1110
        #expect(data[1] == 0xEF)
        #expect(data.last == 0xF0)  // last payload nibble, then the 4 terminator bits that still fit
    }

    @Test("Version 10 uses a 16-bit character count")
    func sixteenBitCount() {
        let data = Codewords.data(for: [0x41], version: 10, level: .medium)
        #expect(Array(data.prefix(4)) == [0x40, 0x00, 0x14, 0x10])  // 0100 | 0000000000000001 | 01000001 | 0000
    }

    /// 5-Q: two blocks of 15 data codewords, then two of 16, 18 EC codewords each (thonky.com example).
    @Test("Interleaving takes one codeword from each block in turn, long blocks' extra ones last")
    func interleaving() {
        #expect(SymbolTables.dataCodewords(version: 5, level: .quartile) == 62)
        let data = (0..<62).map { UInt8($0) }
        let result = Codewords.interleaved(data: data, version: 5, level: .quartile)
        #expect(result.count == 134)
        #expect(Array(result.prefix(8)) == [0, 15, 30, 46, 1, 16, 31, 47])
        #expect(result[60] == 45 && result[61] == 61)
        let firstBlockEC = ReedSolomon.remainder(of: Array(data[0..<15]), generator: ReedSolomon.generator(degree: 18))
        let lastBlockEC = ReedSolomon.remainder(of: Array(data[46..<62]), generator: ReedSolomon.generator(degree: 18))
        #expect(result[62] == firstBlockEC[0] && result[65] == lastBlockEC[0])
        #expect(result[133] == lastBlockEC[17])
    }

    @Test("Format information words")
    func formatInformation() {
        #expect(FormatInformation.bits(level: .medium, mask: 0) == 0b1010100_00010010)
        #expect(FormatInformation.bits(level: .low, mask: 0) == 0b1110111_11000100)
        #expect(FormatInformation.bits(level: .low, mask: 4) == 0b1100110_00101111)
        #expect(FormatInformation.bits(level: .high, mask: 7) == 0b0001000_00111011)
    }

    /// BCH(15,5) has minimum distance 7: any two of the 32 words differ in at least 7 bits, which is what lets a
    /// reader correct 3 errors.
    @Test func formatInformationDistance() {
        let words = QRCode.ErrorCorrection.allCases.flatMap { level in
            Masking.masks.map { FormatInformation.bits(level: level, mask: $0) }
        }
        #expect(Set(words).count == 32)
        var minimum = Int.max
        for (i, a) in words.enumerated() {
            for b in words[(i + 1)...] { minimum = min(minimum, (a ^ b).nonzeroBitCount) }
        }
        #expect(minimum == 7)
    }

    @Test("Version information words")
    func versionInformation() {
        #expect(VersionInformation.bits(version: 7) == 0b00_01111100_10010100)
        #expect(VersionInformation.bits(version: 40) == 0b10_10001100_01101001)
        let words = (7...40).map { VersionInformation.bits(version: $0) }
        var minimum = Int.max
        for (i, a) in words.enumerated() {
            for b in words[(i + 1)...] { minimum = min(minimum, (a ^ b).nonzeroBitCount) }
        }
        #expect(minimum == 8)  // BCH(18,6)
    }

    @Test("Version information is drawn from version 7 only, both copies")
    func versionInformationPlacement() throws {
        let v6 = try QRCode(bytes: [], errorCorrection: .medium, mask: 0, minimumVersion: 6)
        let v7 = try QRCode(bytes: [], errorCorrection: .medium, mask: 0, minimumVersion: 7)
        #expect(v6.version == 6 && v7.version == 7)
        let bits = VersionInformation.bits(version: 7)
        for i in 0..<18 {
            let expected = (bits >> i) & 1 == 1
            #expect(v7[v7.size - 11 + i % 3, i / 3] == expected)  // top right, 6 rows × 3 columns
            #expect(v7[i / 3, v7.size - 11 + i % 3] == expected)  // bottom left, transposed
        }
    }

    @Test("Format information as placed reads back as (level, mask), both copies")
    func formatInformationPlacement() throws {
        for level in QRCode.ErrorCorrection.allCases {
            for mask in Masking.masks {
                let code = try QRCode(bytes: Array("format".utf8), errorCorrection: level, mask: mask)
                let n = code.size
                var first = 0
                var second = 0
                let firstPositions = (0...5).map { (8, $0) } + [(8, 7), (8, 8), (7, 8)] + (9..<15).map { (14 - $0, 8) }
                let secondPositions = (0..<8).map { (n - 1 - $0, 8) } + (8..<15).map { (8, n - 15 + $0) }
                for (i, p) in firstPositions.enumerated() where code[p.0, p.1] { first |= 1 << i }
                for (i, p) in secondPositions.enumerated() where code[p.0, p.1] { second |= 1 << i }
                #expect(first == FormatInformation.bits(level: level, mask: mask))
                #expect(second == first)
                #expect(code[8, n - 8], "dark module")
            }
        }
    }

    @Test("Finder, separator and timing patterns")
    func functionPatterns() throws {
        let code = try QRCode(text: "patterns")
        let n = code.size
        for (ox, oy) in [(0, 0), (n - 7, 0), (0, n - 7)] {
            for dy in 0..<7 {
                for dx in 0..<7 {
                    let ring = max(abs(dx - 3), abs(dy - 3))
                    #expect(code[ox + dx, oy + dy] == (ring != 2), "finder at \(ox),\(oy)")
                }
            }
        }
        for i in 0..<8 {
            #expect(!code[7, i] && !code[i, 7], "separator top left")
            #expect(!code[n - 8, i] && !code[n - 1 - i, 7], "separator top right")
            #expect(!code[7, n - 1 - i] && !code[i, n - 8], "separator bottom left")
        }
        for i in 8..<(n - 8) {
            #expect(code[i, 6] == (i % 2 == 0) && code[6, i] == (i % 2 == 0), "timing")
        }
    }

    @Test("Alignment pattern centres (ISO/IEC 18004 Annex E spot checks)")
    func alignmentCentres() {
        #expect(SymbolTables.alignmentCentres(version: 1) == [])
        #expect(SymbolTables.alignmentCentres(version: 2) == [6, 18])
        #expect(SymbolTables.alignmentCentres(version: 7) == [6, 22, 38])
        #expect(SymbolTables.alignmentCentres(version: 32) == [6, 34, 60, 86, 112, 138])
        #expect(SymbolTables.alignmentCentres(version: 36) == [6, 24, 50, 76, 102, 128, 154])
        #expect(SymbolTables.alignmentCentres(version: 40) == [6, 30, 58, 86, 114, 142, 170])
    }
}
