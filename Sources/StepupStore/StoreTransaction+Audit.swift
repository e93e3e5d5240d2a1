import Foundation
import SQLKit
import StepupCore

extension StoreTransaction {
    /// Appends to the audit trail. There is no update or delete: the trail is append-only.
    public func append(_ event: AuditEvent) async throws {
        try await run(
            """
            INSERT INTO audit_events (id, at, action, outcome, user_id, session_id, challenge_id, details)
            VALUES (\(bind: event.id), \(bind: Millis.from(event.at)), \(bind: event.action),
              \(bind: event.outcome.rawValue), \(bind: event.userID), \(bind: event.sessionID),
              \(bind: event.challengeID), \(bind: JSONText.encode(event.details)))
            """)
    }

    /// Events oldest first, optionally for one user, from `since`, at most `limit`.
    /// The user's newest events among `actions`, newest first: what the security centre lists.
    public func recentAuditEvents(userID: String, actions: [String], limit: Int) async throws -> [AuditEvent] {
        guard !actions.isEmpty else { return [] }
        var query: SQLQueryString = "SELECT * FROM audit_events WHERE user_id = \(bind: userID) AND action IN ("
        for (index, action) in actions.enumerated() { query += index == 0 ? "\(bind: action)" : ", \(bind: action)" }
        query += ") ORDER BY at DESC, id DESC LIMIT \(bind: limit)"
        return try await rows(query).map(Self.auditEvent)
    }

    public func auditEvents(userID: String? = nil, since: Date? = nil, limit: Int = 500) async throws -> [AuditEvent] {
        var query: SQLQueryString = "SELECT * FROM audit_events WHERE 1 = 1"
        if let userID { query += " AND user_id = \(bind: userID)" }
        if let since { query += " AND at >= \(bind: Millis.from(since))" }
        query += " ORDER BY at, id LIMIT \(bind: limit)"
        return try await rows(query).map(Self.auditEvent)
    }

    private static func auditEvent(_ row: any SQLRow) throws -> AuditEvent {
        AuditEvent(
            id: try row.string("id"), at: try row.date("at"), action: try row.string("action"),
            outcome: AuditOutcome(rawValue: try row.string("outcome")) ?? .info,
            userID: try row.optionalString("user_id"), sessionID: try row.optionalString("session_id"),
            challengeID: try row.optionalString("challenge_id"),
            details: try row.json("details", as: [String: String].self))
    }

    /// The rule an `edv.decision` event names for opening `challengeID` (its `require_mfa` answer), looked for from
    /// `since` on the user's decisions only, so the `(user_id, action, at)` index bounds the read.
    public func ruleThatOpened(challengeID: String, userID: String, since: Date) async throws -> String? {
        let found = try await rows(
            """
            SELECT details FROM audit_events WHERE user_id = \(bind: userID) AND action = 'edv.decision'
              AND at >= \(bind: Millis.from(since)) AND challenge_id = \(bind: challengeID)
            ORDER BY at LIMIT 5
            """)
        for row in found {
            let details = try row.json("details", as: [String: String].self)
            if details["answer"] == "require_mfa" { return details["rule"] }
        }
        return nil
    }
}
