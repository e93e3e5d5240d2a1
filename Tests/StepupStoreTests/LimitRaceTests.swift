import Foundation
import StepupCore
import Testing

@testable import StepupStore

/// The store's reservations under 50 parallel writers split over two stores on one database (two nodes): each
/// lets through exactly its limit, on both engines. Counting and then inserting would let more through on
/// PostgreSQL at READ COMMITTED.
@Suite("Limits reserved before the work, over two nodes")
struct LimitRaceTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    /// Two stores on one database, a user and an account; runs `body` 50 times in parallel, alternating stores,
    /// and answers how many returned true.
    func race(_ kind: StoreKind, _ body: @Sendable @escaping (StoreTransaction, Int) async throws -> Bool) async throws -> Int {
        try await TemporaryDatabase.with(kind) { first, database async throws in
            let second = try await database.open()
            let now = self.now
            try await first.write { tx in
                try await tx.insert(User(id: "u-1", username: "alice", displayName: "Alice", passwordHash: "$2b$04$h", logonMFA: .never), at: now)
                try await tx.insert(Account(id: "a-1", userID: "u-1", name: "Checking", number: "1", balanceMinor: 1_000_000, currency: "USD"), at: now)
            }
            let passed = await withTaskGroup(of: Bool.self) { group in
                for index in 0..<50 {
                    let store = index % 2 == 0 ? first : second
                    group.addTask { (try? await store.write({ tx in try await body(tx, index) })) == true }
                }
                return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            await second.close()
            return passed
        }
    }

    @Test(arguments: StoreKind.available)
    func aSlidingWindowLetsThroughExactlyItsLimit(kind: StoreKind) async throws {
        let now = self.now
        let passed = try await race(kind) { tx, _ in
            try await tx.reserveRateEvents(
                [RateSlot(scope: "send.user", subject: "u-1", limit: 10), RateSlot(scope: "send.target", subject: "t-1", limit: 5)],
                since: now.addingTimeInterval(-3600), at: now) != nil
        }
        #expect(passed == 5)
    }

    @Test(arguments: StoreKind.available)
    func exemptionCountersReserveExactlyTheConsecutiveLimit(kind: StoreKind) async throws {
        let passed = try await race(kind) { tx, _ in
            try await tx.reserveExemption(userID: "u-1", amountMinor: 100, transactions: 1, amountLimit: 10_000, transactionLimit: 5) == nil
        }
        #expect(passed == 5)
    }

    @Test(arguments: StoreKind.available)
    func exemptionCountersReserveExactlyTheCumulativeAmount(kind: StoreKind) async throws {
        let passed = try await race(kind) { tx, _ in
            try await tx.reserveExemption(userID: "u-1", amountMinor: 3_000, transactions: 1, amountLimit: 10_000, transactionLimit: 100) == nil
        }
        #expect(passed == 3)
    }

    @Test(arguments: StoreKind.available)
    func oneTransactionIDIsClaimedOnce(kind: StoreKind) async throws {
        let now = self.now
        let passed = try await race(kind) { tx, index in
            let request = TransferRequest(transactionID: "t-1", fromAccountID: "a-1", amountMinor: 1_500, currency: "USD", payee: "Cafe")
            let record = TransferRecord(id: "tr-\(index)", userID: "u-1", sessionID: "s", completionID: "c-\(index)", request: request, createdAt: now)
            guard try await tx.claim(record) else { return false }
            guard let balance = try await tx.debit(accountID: "a-1", amountMinor: 1_500) else { return false }
            try await tx.settle(transferID: record.id, balanceAfterMinor: balance)
            return true
        }
        #expect(passed == 1)
    }

    @Test(arguments: StoreKind.available)
    func theFailureCounterReservesExactlyItsLimit(kind: StoreKind) async throws {
        let now = self.now
        let passed = try await race(kind) { tx, _ in
            if case .reserved = try await tx.reserveAttempt(userID: "u-1", limit: 5, at: now) { return true }
            return false
        }
        #expect(passed == 5)
    }

    @Test(arguments: StoreKind.available)
    func pruningForgetsOldEventsAndTheSubjectsNoEventNames(kind: StoreKind) async throws {
        let now = self.now
        try await TemporaryDatabase.with(kind) { store, _ async throws in
            try await store.write { tx in
                _ = try await tx.reserveRateEvents([RateSlot(scope: "logon.user", subject: "old", limit: 9)], since: now.addingTimeInterval(-900), at: now.addingTimeInterval(-90_000))
                _ = try await tx.reserveRateEvents([RateSlot(scope: "logon.user", subject: "new", limit: 9)], since: now.addingTimeInterval(-900), at: now)
            }
            try await store.write { try await $0.pruneRateLimits(before: now.addingTimeInterval(-86_400)) }
            let subjects = try await store.read { tx in
                try await tx.rows("SELECT subject FROM rate_subjects ORDER BY subject").map { try $0.string("subject") }
            }
            #expect(subjects == ["new"])
            #expect(try await store.read { try await $0.rateEventCount(scope: "logon.user", subject: "new", since: .distantPast) } == 1)
        }
    }
}
