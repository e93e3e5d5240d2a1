import Foundation
import SQLKit
import StepupCore

/// One sliding-window limit to reserve a slot in: at most `limit` events of `scope` for `subject` since a time.
public struct RateSlot: Sendable, Equatable {
    public let scope: String
    public let subject: String
    public let limit: Int

    public init(scope: String, subject: String, limit: Int) {
        self.scope = scope
        self.subject = subject
        self.limit = limit
    }
}

extension StoreTransaction {
    /// Reserves one event in every slot, or none: the slots' subject rows are locked (in a fixed order, so two
    /// reservations never wait for each other in a cycle), the windows counted, and only if every window has room
    /// is an event inserted in each. Returns the events' ids, to release with ``releaseRateEvent(id:)`` when the
    /// outcome says the reservation should not count; nil when a window is full.
    ///
    /// Counting and then inserting without the lock lets parallel requests on several nodes all see room under
    /// READ COMMITTED (seen: 15 sends where 5 were allowed). The upsert takes the row lock on PostgreSQL; SQLite
    /// already runs one writer at a time.
    public func reserveRateEvents(_ slots: [RateSlot], since: Date, at now: Date) async throws -> [String]? {
        let ordered = slots.sorted { ($0.scope, $0.subject) < ($1.scope, $1.subject) }
        // Locked and counted one at a time: a full window refuses before later subjects' rows are touched (so a
        // throttled address does not grow the table with every username it tries).
        for slot in ordered {
            try await lockSubject(scope: slot.scope, subject: slot.subject)
            if try await rateEventCount(scope: slot.scope, subject: slot.subject, since: since) >= slot.limit { return nil }
        }
        var ids: [String] = []
        for slot in slots {
            ids.append(try await recordRateEvent(scope: slot.scope, subject: slot.subject, at: now))
        }
        return ids
    }

    /// Holds `subject`'s row in `scope` until the transaction ends: every other transaction that locks the same
    /// subject, on any node, waits for this one. One upsert, so it needs no row to exist first.
    public func lockSubject(scope: String, subject: String) async throws {
        try await run(
            """
            INSERT INTO rate_subjects (scope, subject, reservations) VALUES (\(bind: scope), \(bind: subject), 1)
            ON CONFLICT (scope, subject) DO UPDATE SET reservations = rate_subjects.reservations + 1
            """)
    }

    /// Forgets events before `before` and the subject rows no event refers to any more: what keeps both tables
    /// bounded under a spray of usernames. Run it in a transaction of its own: on PostgreSQL it skips the subject
    /// rows other transactions hold, so it never waits for (or deadlocks with) a reservation.
    public func pruneRateLimits(before: Date) async throws {
        try await pruneRateEvents(before: before)
        let orphans: SQLQueryString = """
            SELECT scope, subject FROM rate_subjects WHERE NOT EXISTS (
              SELECT 1 FROM rate_events e WHERE e.scope = rate_subjects.scope AND e.subject = rate_subjects.subject)
            """
        let skipLocked: SQLQueryString = dialect == .postgres ? " FOR UPDATE SKIP LOCKED" : ""
        try await run("DELETE FROM rate_subjects WHERE (scope, subject) IN (\(orphans)\(skipLocked))")
    }

    /// Gives a reserved event back (a successful logon's address slot).
    public func releaseRateEvent(id: String) async throws {
        try await run("DELETE FROM rate_events WHERE id = \(bind: id)")
    }
}
