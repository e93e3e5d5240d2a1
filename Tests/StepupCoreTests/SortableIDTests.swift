import Foundation
import StepupCore
import Testing

@Suite("Sortable identifiers")
struct SortableIDTests {
    @Test
    func idsMadeInOneMillisecondSortInTheOrderTheyWereMade() {
        let at = Date(timeIntervalSince1970: 1_800_000_000.5)
        let ids = (0..<50).map { _ in SortableID.make(at: at) }
        #expect(ids == ids.sorted())
        #expect(Set(ids).count == 50)
        // Twelve hex digits of milliseconds, zero-padded, lower case.
        #expect(ids.allSatisfy { $0.hasPrefix("01a3185c51f4") })
    }

    @Test
    func anEarlierTimeSortsFirstAndTimesBeforeTheEpochAreZero() {
        let early = SortableID.make(at: Date(timeIntervalSince1970: 1))
        let late = SortableID.make(at: Date(timeIntervalSince1970: 2))
        #expect(early < late)
        #expect(early.hasPrefix("0000000003e8"))
        #expect(SortableID.make(at: Date(timeIntervalSince1970: -5)).hasPrefix("000000000000"))
    }
}
