/// The square of modules under construction, with a parallel record of which modules belong to function
/// patterns so that data placement skips them and masking leaves them alone.
struct ModuleGrid {
    let size: Int
    private(set) var dark: [Bool]
    private(set) var isFunction: [Bool]

    init(size: Int) {
        self.size = size
        dark = [Bool](repeating: false, count: size * size)
        isFunction = [Bool](repeating: false, count: size * size)
    }

    /// Light for anything off the grid, so pattern drawing near the edges needs no bounds checks of its own.
    subscript(x: Int, y: Int) -> Bool {
        guard x >= 0, y >= 0, x < size, y < size else { return false }
        return dark[y * size + x]
    }

    private mutating func setFunction(_ x: Int, _ y: Int, _ isDark: Bool) {
        guard x >= 0, y >= 0, x < size, y < size else { return }
        dark[y * size + x] = isDark
        isFunction[y * size + x] = true
    }

    // MARK: Function patterns

    /// Everything except format and version bits, whose values depend on the mask; their areas are reserved
    /// here (marked as function modules) so the data does not run into them.
    mutating func drawFunctionPatterns(version: Int) {
        // Timing patterns first; finders and alignment patterns overwrite the ends they share.
        for i in 0..<size {
            setFunction(6, i, i % 2 == 0)
            setFunction(i, 6, i % 2 == 0)
        }
        drawFinder(centreX: 3, centreY: 3)
        drawFinder(centreX: size - 4, centreY: 3)
        drawFinder(centreX: 3, centreY: size - 4)

        let centres = SymbolTables.alignmentCentres(version: version)
        let last = centres.count - 1
        for (i, cx) in centres.enumerated() {
            for (j, cy) in centres.enumerated() {
                // The three corners taken by finder patterns get no alignment pattern.
                if (i == 0 && j == 0) || (i == 0 && j == last) || (i == last && j == 0) { continue }
                drawAlignment(centreX: cx, centreY: cy)
            }
        }

        drawFormatBits(0)  // placeholder; the real bits are drawn once the mask is known
        setFunction(8, size - 8, true)  // the dark module, always dark
        if version >= 7 { drawVersionBits(VersionInformation.bits(version: version)) }
    }

    /// 7×7 finder with its one-module light separator; the separator falls off the grid on the outer sides.
    private mutating func drawFinder(centreX: Int, centreY: Int) {
        for dy in -4...4 {
            for dx in -4...4 {
                let ring = max(abs(dx), abs(dy))  // Chebyshev distance: 0 centre … 4 separator
                setFunction(centreX + dx, centreY + dy, ring != 2 && ring != 4)
            }
        }
    }

    private mutating func drawAlignment(centreX: Int, centreY: Int) {
        for dy in -2...2 {
            for dx in -2...2 {
                setFunction(centreX + dx, centreY + dy, max(abs(dx), abs(dy)) != 1)
            }
        }
    }

    /// Both copies of the 15 format bits, bit 0 (least significant) nearest the top-left corner's edges.
    mutating func drawFormatBits(_ bits: Int) {
        func bit(_ i: Int) -> Bool { (bits >> i) & 1 == 1 }
        // Copy around the top-left finder: down column 8 (skipping the timing row), then left along row 8.
        for i in 0...5 { setFunction(8, i, bit(i)) }
        setFunction(8, 7, bit(6))
        setFunction(8, 8, bit(7))
        setFunction(7, 8, bit(8))
        for i in 9..<15 { setFunction(14 - i, 8, bit(i)) }
        // Split copy: bits 0–7 along row 8 under the top-right finder, bits 8–14 up column 8 by the bottom-left.
        for i in 0..<8 { setFunction(size - 1 - i, 8, bit(i)) }
        for i in 8..<15 { setFunction(8, size - 15 + i, bit(i)) }
    }

    /// Both 6×3 copies of the 18 version bits, beside the top-right and bottom-left finders.
    private mutating func drawVersionBits(_ bits: Int) {
        for i in 0..<18 {
            let isDark = (bits >> i) & 1 == 1
            let a = size - 11 + i % 3
            let b = i / 3
            setFunction(a, b, isDark)
            setFunction(b, a, isDark)
        }
    }

    // MARK: Data

    /// Places codewords in the two-column zigzag of §7.7.3: from the bottom-right corner, upwards and
    /// downwards in turn, right module before left, jumping over the vertical timing column. Modules beyond the
    /// last codeword are the remainder bits and stay light.
    mutating func placeData(_ codewords: [UInt8]) {
        let totalBits = codewords.count * 8
        var bitIndex = 0
        var right = size - 1
        while right >= 1 {
            if right == 6 { right = 5 }
            let upward = (right + 1) & 2 == 0
            for step in 0..<size {
                let y = upward ? size - 1 - step : step
                for x in [right, right - 1] where !isFunction[y * size + x] {
                    if bitIndex < totalBits {
                        dark[y * size + x] = (codewords[bitIndex >> 3] >> UInt8(7 - (bitIndex & 7))) & 1 == 1
                        bitIndex += 1
                    }
                }
            }
            right -= 2
        }
    }

    /// XORs the mask into every non-function module; applying the same mask twice undoes it.
    mutating func applyMask(_ mask: Int) {
        for y in 0..<size {
            for x in 0..<size where !isFunction[y * size + x] && Masking.inverts(mask: mask, x: x, y: y) {
                dark[y * size + x].toggle()
            }
        }
    }
}
