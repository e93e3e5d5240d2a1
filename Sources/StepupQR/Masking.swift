/// The eight data masks and the penalty score that picks among them (ISO/IEC 18004 §7.8).
enum Masking {
    static let masks = 0...7

    /// Whether `mask` inverts the module in column `x`, row `y` (Table 10, where i is the row and j the column).
    static func inverts(mask: Int, x j: Int, y i: Int) -> Bool {
        switch mask {
        case 0: (i + j) % 2 == 0
        case 1: i % 2 == 0
        case 2: j % 3 == 0
        case 3: (i + j) % 3 == 0
        case 4: (i / 2 + j / 3) % 2 == 0
        case 5: (i * j) % 2 + (i * j) % 3 == 0
        case 6: ((i * j) % 2 + (i * j) % 3) % 2 == 0
        case 7: ((i + j) % 2 + (i * j) % 3) % 2 == 0
        default: false
        }
    }

    /// Index of the lowest penalty, the first one on a tie, so the choice is deterministic and matches other
    /// encoders that scan masks in order keeping only strict improvements.
    static func lowest(_ scores: [Int]) -> Int {
        var best = 0
        for (index, score) in scores.enumerated() where score < scores[best] { best = index }
        return best
    }
}

/// The four penalty features of Table 11, scored over the complete symbol.
///
/// Which symbol is scored matters: ISO/IEC 18004:2015 §7.8.3.1 says that although masking only touches the
/// encoding region, "the area to be evaluated is the complete symbol", so the caller scores each candidate with
/// that mask's own format information, the version information and the dark module already drawn — what a
/// reader will actually see. (segno scores before drawing them, with those modules light, following the order
/// of the §7.1 overview; the two can pick different masks, both valid. The tests pin down exactly that difference.)
enum Penalty {
    static let n1 = 3, n2 = 3, n3 = 40, n4 = 10

    /// The features separately, in the order N1 (runs), N2 (2×2 blocks), N3 (finder look-alikes), N4 (balance),
    /// so tests can compare each against another implementation.
    static func breakdown(size: Int, isDark: (_ x: Int, _ y: Int) -> Bool) -> [Int] {
        guard size > 0 else { return [0, 0, 0, 0] }
        var grid = [Bool](repeating: false, count: size * size)
        var darkCount = 0
        for y in 0..<size {
            for x in 0..<size where isDark(x, y) {
                grid[y * size + x] = true
                darkCount += 1
            }
        }

        var runs = 0
        var finders = 0
        var line = [Bool](repeating: false, count: size)
        for index in 0..<size {
            for k in 0..<size { line[k] = grid[index * size + k] }  // row
            runs += runPenalty(line)
            finders += finderPenalty(line)
            for k in 0..<size { line[k] = grid[k * size + index] }  // column
            runs += runPenalty(line)
            finders += finderPenalty(line)
        }

        var blocks = 0
        if size >= 2 {
            for y in 0..<(size - 1) {
                for x in 0..<(size - 1) {
                    let colour = grid[y * size + x]
                    if grid[y * size + x + 1] == colour, grid[(y + 1) * size + x] == colour,
                        grid[(y + 1) * size + x + 1] == colour
                    {
                        blocks += n2
                    }
                }
            }
        }

        // k such that the dark share lies in 50 ± 5k % to 50 ± 5(k+1) %: |dark/total − ½| / 5 %, in integers
        // so that a share of exactly 45 % or 55 % lands in k = 1 without floating-point doubt.
        let total = size * size
        let k = abs(20 * darkCount - 10 * total) / total
        return [runs, blocks, finders, k * n4]
    }

    static func score(size: Int, isDark: (_ x: Int, _ y: Int) -> Bool) -> Int {
        breakdown(size: size, isDark: isDark).reduce(0, +)
    }

    /// N1: each run of 5 + i same-coloured modules costs 3 + i.
    static func runPenalty(_ line: [Bool]) -> Int {
        var penalty = 0
        var runLength = 0
        var previous: Bool? = nil
        for module in line {
            if module == previous {
                runLength += 1
            } else {
                if runLength >= 5 { penalty += n1 + runLength - 5 }
                runLength = 1
                previous = module
            }
        }
        if runLength >= 5 { penalty += n1 + runLength - 5 }
        return penalty
    }

    /// N3: every dark-light-dark×3-light-dark run (1:1:3:1:1 at one module per unit) with four light modules
    /// before or after it costs 40 once, whether one side or both are light. Outside the symbol counts as light,
    /// since the quiet zone is there in print; this is why the finder patterns themselves score.
    ///
    /// Every occurrence counts, overlapping ones included (10111011101, 1011101011101): the standard scores the
    /// existence of each pattern and says nothing about skipping ahead after a match. segno resumes its search
    /// seven modules past a match and so never sees an occurrence that overlaps the previous one; such rows are
    /// rare but real (the comparison fixtures hold several), and they can tip a close choice.
    static func finderPenalty(_ line: [Bool]) -> Int {
        let pattern: [Bool] = [true, false, true, true, true, false, true]
        let count = line.count
        guard count >= pattern.count else { return 0 }
        func lightRun(from start: Int) -> Bool {
            for k in start..<(start + 4) where k >= 0 && k < count && line[k] { return false }
            return true
        }
        var penalty = 0
        for start in 0...(count - pattern.count) {
            var matches = true
            for k in 0..<pattern.count where line[start + k] != pattern[k] {
                matches = false
                break
            }
            if matches && (lightRun(from: start - 4) || lightRun(from: start + pattern.count)) {
                penalty += n3
            }
        }
        return penalty
    }
}
