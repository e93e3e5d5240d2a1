/// Turns a byte payload into the final interleaved codeword sequence for one version and level
/// (ISO/IEC 18004 §7.4 data encoding, §7.5 error correction, §7.6 final message).
enum Codewords {
    /// Data codewords: mode indicator 0100, count, payload, up to four terminator zeros, zero bits to a byte
    /// boundary, then alternating 0xEC/0x11 pad codewords until the data capacity is full.
    ///
    /// The caller has already checked that `payload` fits.
    static func data(for payload: [UInt8], version: Int, level: QRCode.ErrorCorrection) -> [UInt8] {
        let capacityBits = SymbolTables.dataCodewords(version: version, level: level) * 8
        var buffer = BitBuffer()
        buffer.append(0b0100, width: 4)
        buffer.append(payload.count, width: SymbolTables.characterCountBits(version: version))
        for byte in payload { buffer.append(Int(byte), width: 8) }
        buffer.append(0, width: min(4, capacityBits - buffer.count))
        var bytes = buffer.bytes()
        var pad: UInt8 = 0xEC
        while bytes.count * 8 < capacityBits {
            bytes.append(pad)
            pad = pad == 0xEC ? 0x11 : 0xEC
        }
        return bytes
    }

    /// Splits data into blocks, appends each block's EC codewords and interleaves column by column: all first
    /// data codewords, then all second ones, and so on, then the EC codewords the same way.
    ///
    /// Interleaving spreads a burst of damage (a smudge, a fold) across blocks so each block stays within what
    /// its own EC codewords can repair.
    static func interleaved(data: [UInt8], version: Int, level: QRCode.ErrorCorrection) -> [UInt8] {
        let row = level.tableIndex
        let blocks = SymbolTables.blockCount[row][version]
        let ecPerBlock = SymbolTables.ecCodewordsPerBlock[row][version]
        let total = SymbolTables.totalCodewords(version: version)
        // Group 2 blocks carry one data codeword more than group 1 blocks; they come last.
        let longBlocks = total % blocks
        let shortDataLength = total / blocks - ecPerBlock
        let generator = ReedSolomon.generator(degree: ecPerBlock)

        var dataBlocks: [[UInt8]] = []
        var ecBlocks: [[UInt8]] = []
        var start = 0
        for block in 0..<blocks {
            let length = shortDataLength + (block >= blocks - longBlocks ? 1 : 0)
            let end = min(start + length, data.count)
            let slice = Array(data[min(start, end)..<end])
            dataBlocks.append(slice)
            ecBlocks.append(ReedSolomon.remainder(of: slice, generator: generator))
            start = end
        }

        var result: [UInt8] = []
        result.reserveCapacity(total)
        for column in 0..<(shortDataLength + 1) {
            for block in dataBlocks where column < block.count { result.append(block[column]) }
        }
        for column in 0..<ecPerBlock {
            for block in ecBlocks { result.append(block[column]) }
        }
        return result
    }
}
