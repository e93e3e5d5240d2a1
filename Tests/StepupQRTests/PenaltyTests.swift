import Testing

@testable import StepupQR

@Suite("Mask penalty rules")
struct PenaltyTests {
    static func line(_ text: String) -> [Bool] { text.map { $0 == "1" } }

    @Test("N1: a run of 5 + i costs 3 + i, in rows and in columns")
    func runs() {
        #expect(Penalty.runPenalty(Self.line("1111")) == 0)
        #expect(Penalty.runPenalty(Self.line("11111")) == 3)
        #expect(Penalty.runPenalty(Self.line("0000001")) == 4)
        #expect(Penalty.runPenalty(Self.line("111110000011111")) == 9)
        #expect(Penalty.runPenalty(Self.line("10101010101")) == 0)
    }

    @Test("N3: 1011101 with four light modules on either side, the edge counting as light")
    func finderLookalikes() {
        #expect(Penalty.finderPenalty(Self.line("1011101")) == 40)
        #expect(Penalty.finderPenalty(Self.line("000010111010000")) == 40)  // both sides light: still once
        #expect(Penalty.finderPenalty(Self.line("1111101110111111")) == 0)
        #expect(Penalty.finderPenalty(Self.line("100010111010001")) == 0)  // only three light each side
        #expect(Penalty.finderPenalty(Self.line("1000101110100001")) == 40)
        // Overlapping occurrences each count (segno's scan skips the second; see SegnoComparisonTests).
        #expect(Penalty.finderPenalty(Self.line("10111010111010000")) == 80)
        #expect(SegnoComparisonTests.qualifyingFinderStarts(Self.line("10111010111010000")) == [0, 6])
        #expect(SegnoComparisonTests.countedBySegno([0, 6]) == 1)
        #expect(Penalty.finderPenalty(Self.line("0000101110111010000")) == 80)
    }

    @Test("N2 counts every 2×2 block, overlapping ones too; N4 in 5 % steps")
    func blocksAndBalance() {
        let allLight = Penalty.breakdown(size: 4) { _, _ in false }
        // 8 runs of 4 score nothing; 9 blocks; 0 % dark is 10 steps from 50 %.
        #expect(allLight == [0, 27, 0, 100])
        let checkerboard = Penalty.breakdown(size: 20) { x, y in (x + y) % 2 == 0 }
        #expect(checkerboard[1] == 0 && checkerboard[3] == 0)
        // 180 of 400 dark is exactly 45 %: the step from 45 % to 40 % is k = 1.
        let fortyFive = Penalty.breakdown(size: 20) { x, y in y * 20 + x < 180 }
        #expect(fortyFive[3] == 10)
        let fortySix = Penalty.breakdown(size: 20) { x, y in y * 20 + x < 184 }
        #expect(fortySix[3] == 0)
        #expect(Penalty.breakdown(size: 0) { _, _ in true } == [0, 0, 0, 0])
    }

    @Test("Ties go to the lowest mask number")
    func ties() {
        #expect(Masking.lowest([9, 4, 4, 7, 4, 8, 8, 8]) == 1)
        #expect(Masking.lowest([3, 3, 3, 3, 3, 3, 3, 3]) == 0)
        #expect(Masking.lowest([9, 9, 9, 9, 9, 9, 9, 1]) == 7)
        #expect(Masking.lowest([]) == 0)
    }

    @Test("The automatic mask is the lowest complete-symbol penalty, ties to the lower number")
    func automaticChoice() throws {
        for text in ["", "a", Fixtures.otpauth, Fixtures.ascii(count: 500)] {
            let automatic = try QRCode(text: text)
            let scores = try Masking.masks.map { mask throws(QRError) in
                let code = try QRCode(text: text, mask: mask)
                return Penalty.score(size: code.size) { x, y in code[x, y] }
            }
            #expect(automatic.mask == SegnoComparisonTests.firstMinimum(scores))
            #expect(automatic == (try QRCode(text: text, mask: automatic.mask)))
        }
    }
}
