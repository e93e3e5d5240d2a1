/// An append-only bit string, most significant bit first, as the QR data stream is defined.
struct BitBuffer {
    private(set) var bits: [Bool] = []

    var count: Int { bits.count }

    /// Appends the low `width` bits of `value`; `width` is at most 31 at every call site, so no bit of a
    /// non-negative `Int` is lost.
    mutating func append(_ value: Int, width: Int) {
        guard width > 0 else { return }
        for shift in stride(from: width - 1, through: 0, by: -1) {
            bits.append((value >> shift) & 1 == 1)
        }
    }

    /// Packs into bytes, zero-filling the last partial byte (the "pad to a byte boundary" step).
    func bytes() -> [UInt8] {
        var result = [UInt8](repeating: 0, count: (bits.count + 7) / 8)
        for (index, bit) in bits.enumerated() where bit {
            result[index >> 3] |= 0x80 >> UInt8(index & 7)
        }
        return result
    }
}
