/// The two BCH-protected descriptors a reader decodes before anything else (ISO/IEC 18004 §7.9, §7.10).
enum FormatInformation {
    /// 15 bits: 2 bits of EC level and 3 of mask, a BCH(15,5) remainder with generator 0x537, XORed with 0x5412
    /// so that no combination yields an all-light format area.
    static func bits(level: QRCode.ErrorCorrection, mask: Int) -> Int {
        let data = level.formatBits << 3 | (mask & 7)
        var remainder = data
        for _ in 0..<10 {
            remainder = (remainder << 1) ^ ((remainder >> 9) * 0x537)
        }
        return (data << 10 | (remainder & 0x3FF)) ^ 0x5412
    }
}

enum VersionInformation {
    /// 18 bits for versions 7 and above: 6-bit version and a BCH(18,6) remainder with generator 0x1F25. Smaller
    /// symbols have no version area; a reader gets their version from the size.
    static func bits(version: Int) -> Int {
        var remainder = version
        for _ in 0..<12 {
            remainder = (remainder << 1) ^ ((remainder >> 11) * 0x1F25)
        }
        return version << 12 | (remainder & 0xFFF)
    }
}
