import Testing

@testable import StepupQR

@Suite("GF(256) and Reed–Solomon")
struct ReedSolomonTests {
    /// Shift-and-add multiplication reduced by 0x11D, the definition the tables must reproduce.
    static func slowMultiply(_ a: UInt8, _ b: UInt8) -> UInt8 {
        var product = 0
        var x = Int(a)
        var y = Int(b)
        while y > 0 {
            if y & 1 == 1 { product ^= x }
            x <<= 1
            if x & 0x100 != 0 { x ^= 0x11D }
            y >>= 1
        }
        return UInt8(product)
    }

    @Test("Table multiplication equals shift-and-add for all 65 536 pairs")
    func multiplicationMatchesDefinition() {
        var mismatches = 0
        for a in 0...255 {
            for b in 0...255 where GaloisField.multiply(UInt8(a), UInt8(b)) != Self.slowMultiply(UInt8(a), UInt8(b)) {
                mismatches += 1
            }
        }
        #expect(mismatches == 0)
    }

    @Test("α = 2 generates the field: 255 distinct powers, log inverts exp")
    func logAndExpTables() {
        #expect(GaloisField.exp[0] == 1)
        #expect(GaloisField.exp[8] == 0x1D)  // x^8 ≡ x^4 + x^3 + x^2 + 1
        #expect(GaloisField.exp[255] == 1)
        #expect(Set(GaloisField.exp[0..<255]).count == 255)
        #expect(!GaloisField.exp[0..<255].contains(0))
        for value in 1...255 {
            #expect(Int(GaloisField.exp[GaloisField.log[value]]) == value)
        }
        #expect(GaloisField.multiply(0, 0xAB) == 0)
        #expect(GaloisField.multiply(0xAB, 1) == 0xAB)
    }

    @Test("Degree-10 generator polynomial, as exponents of α (thonky.com table)")
    func generatorPolynomial() {
        let exponents = ReedSolomon.generator(degree: 10).map { GaloisField.log[Int($0)] }
        #expect(exponents == [251, 67, 46, 61, 118, 70, 64, 94, 32, 45])
    }

    @Test("EC codewords of the ISO/thonky \"HELLO WORLD\" 1-M example")
    func helloWorldExample() {
        let data: [UInt8] = [32, 91, 11, 120, 209, 114, 220, 77, 67, 64, 236, 17, 236, 17, 236, 17]
        let ec = ReedSolomon.remainder(of: data, generator: ReedSolomon.generator(degree: 10))
        #expect(ec == [196, 35, 39, 119, 235, 215, 231, 226, 93, 23])
    }

    @Test("A codeword with its EC bytes appended evaluates to zero at every generator root")
    func codewordHasGeneratorRoots() {
        let data = Fixtures.pseudoRandomBytes(count: 40, seed: 7)
        let codeword = data + ReedSolomon.remainder(of: data, generator: ReedSolomon.generator(degree: 22))
        for i in 0..<22 {
            let root = GaloisField.exp[i]
            var value: UInt8 = 0
            for coefficient in codeword { value = GaloisField.multiply(value, root) ^ coefficient }  // Horner
            #expect(value == 0, "root α^\(i)")
        }
    }
}
