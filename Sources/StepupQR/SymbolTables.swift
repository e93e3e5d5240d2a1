/// Per-version capacity figures from ISO/IEC 18004 Table 9, plus the module geometry they follow from.
///
/// Only the two columns that cannot be derived (EC codewords per block and number of blocks) are typed in; total
/// codewords and the split into short and long blocks are computed, which is how the standard's table is
/// built anyway and leaves fewer literals to get wrong.
enum SymbolTables {
    static let versions = 1...40

    /// EC codewords per block, indexed [level L/M/Q/H][version]; index 0 is a placeholder.
    static let ecCodewordsPerBlock: [[Int]] = [
        [
            0, 7, 10, 15, 20, 26, 18, 20, 24, 30, 18, 20, 24, 26, 30, 22, 24, 28, 30, 28, 28,
            28, 28, 30, 30, 26, 28, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30,
        ],
        [
            0, 10, 16, 26, 18, 24, 16, 18, 22, 22, 26, 30, 22, 22, 24, 24, 28, 28, 26, 26, 26,
            26, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28,
        ],
        [
            0, 13, 22, 18, 26, 18, 24, 18, 22, 20, 24, 28, 26, 24, 20, 30, 24, 28, 28, 26, 30,
            28, 30, 30, 30, 30, 28, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30,
        ],
        [
            0, 17, 28, 22, 16, 22, 28, 26, 26, 24, 28, 24, 28, 22, 24, 24, 30, 28, 28, 26, 28,
            30, 24, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30,
        ],
    ]

    /// Number of blocks (both groups together), indexed [level L/M/Q/H][version].
    static let blockCount: [[Int]] = [
        [
            0, 1, 1, 1, 1, 1, 2, 2, 2, 2, 4, 4, 4, 4, 4, 6, 6, 6, 6, 7, 8,
            8, 9, 9, 10, 12, 12, 12, 13, 14, 15, 16, 17, 18, 19, 19, 20, 21, 22, 24, 25,
        ],
        [
            0, 1, 1, 1, 2, 2, 4, 4, 4, 5, 5, 5, 8, 9, 9, 10, 10, 11, 13, 14, 16,
            17, 17, 18, 20, 21, 23, 25, 26, 28, 29, 31, 33, 35, 37, 38, 40, 43, 45, 47, 49,
        ],
        [
            0, 1, 1, 2, 2, 4, 4, 6, 6, 8, 8, 8, 10, 12, 16, 12, 17, 16, 18, 21, 20,
            23, 23, 25, 27, 29, 34, 34, 35, 38, 40, 43, 45, 48, 51, 53, 56, 59, 62, 65, 68,
        ],
        [
            0, 1, 1, 2, 4, 4, 4, 5, 6, 8, 8, 11, 11, 16, 16, 18, 16, 19, 21, 25, 25,
            25, 34, 30, 32, 35, 37, 40, 42, 45, 48, 51, 54, 57, 60, 63, 66, 70, 74, 77, 81,
        ],
    ]

    static func size(version: Int) -> Int { 17 + 4 * version }

    /// Modules left for codewords and remainder bits once every function pattern, format and version area is
    /// taken out (the "number of data modules" column of Table 1).
    static func rawDataModules(version: Int) -> Int {
        var modules = (16 * version + 128) * version + 64  // size² minus finders, separators, timing, format
        if version >= 2 {
            let alignments = version / 7 + 2
            modules -= (25 * alignments - 10) * alignments - 55  // alignment patterns, less timing overlap
            if version >= 7 { modules -= 36 }  // two 6×3 version information blocks
        }
        return modules
    }

    static func totalCodewords(version: Int) -> Int { rawDataModules(version: version) / 8 }

    /// Bits after the last codeword (0, 3, 4 or 7), left light before masking.
    static func remainderBits(version: Int) -> Int { rawDataModules(version: version) % 8 }

    static func dataCodewords(version: Int, level: QRCode.ErrorCorrection) -> Int {
        let row = level.tableIndex
        return totalCodewords(version: version) - ecCodewordsPerBlock[row][version] * blockCount[row][version]
    }

    /// Byte-mode character count indicator width (Table 3): 8 bits up to version 9, 16 above.
    static func characterCountBits(version: Int) -> Int { version <= 9 ? 8 : 16 }

    /// Payload bytes that fit in byte mode: data bits less the 4-bit mode indicator and the count field.
    static func byteCapacity(version: Int, level: QRCode.ErrorCorrection) -> Int {
        (dataCodewords(version: version, level: level) * 8 - 4 - characterCountBits(version: version)) / 8
    }

    /// Row/column centres of alignment patterns (Annex E): 6, then evenly spaced down from size − 7 with an even
    /// step, the uneven remainder falling between the first two.
    static func alignmentCentres(version: Int) -> [Int] {
        guard version >= 2 else { return [] }
        let count = version / 7 + 2
        let step = (version * 8 + count * 3 + 5) / (count * 4 - 4) * 2
        var centres = [6]
        var position = size(version: version) - 7
        while centres.count < count {
            centres.insert(position, at: 1)
            position -= step
        }
        return centres
    }
}
