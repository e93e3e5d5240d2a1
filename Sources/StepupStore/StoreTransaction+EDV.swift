import Foundation
import SQLKit
import StepupCore

extension StoreTransaction {
    /// The data rules, in evaluation order (position, then id).
    public func edvRules() async throws -> [EDVRuleDefinition] {
        try await rows("SELECT definition FROM edv_rules ORDER BY position, id").map {
            try $0.json("definition", as: EDVRuleDefinition.self)
        }
    }

    /// Adds or replaces a rule by id.
    public func save(_ rule: EDVRuleDefinition) async throws {
        try rule.validate()
        try await run(
            """
            INSERT INTO edv_rules (id, position, definition)
            VALUES (\(bind: rule.id), \(bind: rule.position), \(bind: try JSONText.encode(rule)))
            ON CONFLICT (id) DO UPDATE SET position = excluded.position, definition = excluded.definition
            """)
    }

    /// Removes a rule; false when there was none with that id.
    public func removeEDVRule(id: String) async throws -> Bool {
        try await first("DELETE FROM edv_rules WHERE id = \(bind: id) RETURNING id") != nil
    }

    /// Events of `action` by `userID` at or after `since`.
    public func auditEventCount(userID: String, action: String, since: Date) async throws -> Int {
        try await first(
            """
            SELECT COUNT(*) AS n FROM audit_events
            WHERE user_id = \(bind: userID) AND action = \(bind: action) AND at >= \(bind: Millis.from(since))
            """)?.int("n") ?? 0
    }

    /// Whether `userID` had a session from `address` other than `exceptSessionID`.
    public func addressSeenBefore(userID: String, address: String, exceptSessionID: String) async throws -> Bool {
        try await first(
            """
            SELECT id FROM sessions WHERE user_id = \(bind: userID) AND client_address = \(bind: address)
              AND id <> \(bind: exceptSessionID) LIMIT 1
            """) != nil
    }

    /// Unconsumed completions of a session completed at or after `since`, oldest first.
    public func unconsumedCompletions(sessionID: String, since: Date) async throws -> [MFACompletion] {
        try await rows(
            """
            SELECT * FROM completions WHERE session_id = \(bind: sessionID) AND consumed_at IS NULL
              AND completed_at >= \(bind: Millis.from(since)) ORDER BY completed_at
            """
        ).map(Self.completion)
    }

    /// Completions of a session completed at or after `since`, consumed or not, newest first.
    public func completions(sessionID: String, since: Date) async throws -> [MFACompletion] {
        try await rows(
            """
            SELECT * FROM completions WHERE session_id = \(bind: sessionID) AND completed_at >= \(bind: Millis.from(since))
            ORDER BY completed_at DESC
            """
        ).map(Self.completion)
    }

    /// Marks one completion consumed if nobody did first.
    public func consume(completionID: String, at now: Date) async throws -> Bool {
        try await first(
            "UPDATE completions SET consumed_at = \(bind: Millis.from(now)) WHERE id = \(bind: completionID) AND consumed_at IS NULL RETURNING id"
        ) != nil
    }

    /// Open challenges of a session, newest first.
    public func openChallenges(sessionID: String) async throws -> [Challenge] {
        try await rows(
            "SELECT * FROM challenges WHERE session_id = \(bind: sessionID) AND closed_at IS NULL ORDER BY created_at DESC"
        ).map(Self.challenge).filter { $0.state.isOpen }
    }
}
