/// Arithmetic in GF(2^8) modulo x^8 + x^4 + x^3 + x^2 + 1 (0x11D), the field QR codes' Reed–Solomon code is
/// defined over.
///
/// Log/antilog tables turn every product into two lookups and an addition; they are built once from the generator
/// α = 2 rather than typed in, so a typo cannot hide in 512 literals.
enum GaloisField {
    /// The reduction polynomial, including the x^8 term.
    static let polynomial = 0x11D

    /// `exp[i]` = α^i, doubled in length so `exp[log a + log b]` needs no modulo.
    static let exp: [UInt8] = {
        var table = [UInt8](repeating: 0, count: 512)
        var value = 1
        for i in 0..<255 {
            table[i] = UInt8(value)
            value <<= 1
            if value & 0x100 != 0 { value ^= polynomial }
        }
        for i in 255..<512 { table[i] = table[i - 255] }
        return table
    }()

    /// `log[a]` for a ≠ 0; `log[0]` is unused (zero has no logarithm) and left as 0.
    static let log: [Int] = {
        var table = [Int](repeating: 0, count: 256)
        for i in 0..<255 { table[Int(exp[i])] = i }
        return table
    }()

    static func multiply(_ a: UInt8, _ b: UInt8) -> UInt8 {
        if a == 0 || b == 0 { return 0 }
        return exp[log[Int(a)] + log[Int(b)]]
    }
}
