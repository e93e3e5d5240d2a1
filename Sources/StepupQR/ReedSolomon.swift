/// Reed–Solomon error-correction codewords as ISO/IEC 18004 §7.5.2 defines them: the remainder of the data
/// polynomial times x^n divided by the generator ∏(x − α^i), i = 0..<n.
enum ReedSolomon {
    /// Generator coefficients from the x^(n−1) term down to x^0; the leading 1 is implied.
    static func generator(degree: Int) -> [UInt8] {
        var coefficients = [UInt8](repeating: 0, count: degree)
        guard degree > 0 else { return coefficients }
        coefficients[degree - 1] = 1  // start from the constant polynomial 1
        var root: UInt8 = 1
        for _ in 0..<degree {
            // Multiply the running product by (x − root); subtraction is XOR in characteristic 2.
            for j in 0..<degree {
                coefficients[j] = GaloisField.multiply(coefficients[j], root)
                if j + 1 < degree { coefficients[j] ^= coefficients[j + 1] }
            }
            root = GaloisField.multiply(root, 2)
        }
        return coefficients
    }

    /// The `degree` EC codewords for one block, by polynomial long division done as a shift register.
    static func remainder(of data: [UInt8], generator: [UInt8]) -> [UInt8] {
        var result = [UInt8](repeating: 0, count: generator.count)
        guard !generator.isEmpty else { return result }
        for byte in data {
            let factor = byte ^ result[0]
            result.removeFirst()
            result.append(0)
            for i in result.indices {
                result[i] ^= GaloisField.multiply(generator[i], factor)
            }
        }
        return result
    }
}
