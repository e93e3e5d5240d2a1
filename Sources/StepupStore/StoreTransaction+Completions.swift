import Foundation
import SQLKit
import StepupCore

extension StoreTransaction {
    public func insert(_ completion: MFACompletion) async throws {
        try await run(
            """
            INSERT INTO completions (id, session_id, challenge_id, user_id, context, context_binding, method,
              completed_at, consumed_at, amr, level)
            VALUES (\(bind: completion.id), \(bind: completion.sessionID), \(bind: completion.challengeID),
              \(bind: completion.userID), \(bind: try JSONText.encode(completion.context)),
              \(bind: completion.context.binding), \(bind: completion.method.rawValue),
              \(bind: Millis.from(completion.completedAt)), \(bind: Millis.from(completion.consumedAt)),
              \(bind: try JSONText.encode(completion.amr)), \(bind: completion.level.rawValue))
            """)
    }

    /// Marks the oldest unconsumed completion of `session` for exactly `context`, of at least `level`, completed
    /// at or after `notBefore`, as consumed, and returns it; nil when there is none.
    ///
    /// One conditional `UPDATE … RETURNING`, so two requests racing for one completion cannot both win.
    public func consumeCompletion(
        sessionID: String, context: MFAContext, level: AssuranceLevel = .aal1, notBefore: Date, at now: Date
    ) async throws -> MFACompletion? {
        try await first(
            """
            UPDATE completions SET consumed_at = \(bind: Millis.from(now))
            WHERE consumed_at IS NULL AND id = (
              SELECT id FROM completions WHERE session_id = \(bind: sessionID)
                AND context_binding = \(bind: context.binding) AND consumed_at IS NULL
                AND completed_at >= \(bind: Millis.from(notBefore)) AND level IN (\(binds: Self.levels(atLeast: level)))
              ORDER BY completed_at LIMIT 1)
            RETURNING *
            """
        ).map(Self.completion)
    }

    /// The newest completion of a session for a context completed at or after `notBefore`, consumed or not; for
    /// routes that opt into a freshness window instead of single use.
    public func freshCompletion(sessionID: String, context: MFAContext, level: AssuranceLevel = .aal1, notBefore: Date)
        async throws -> MFACompletion?
    {
        try await first(
            """
            SELECT * FROM completions WHERE session_id = \(bind: sessionID) AND context_binding = \(bind: context.binding)
              AND completed_at >= \(bind: Millis.from(notBefore)) AND level IN (\(binds: Self.levels(atLeast: level)))
            ORDER BY completed_at DESC LIMIT 1
            """
        ).map(Self.completion)
    }

    /// The stored names of the levels at or above `level`.
    static func levels(atLeast level: AssuranceLevel) -> [any Encodable & Sendable] {
        AssuranceLevel.allCases.filter { $0 >= level }.map(\.rawValue)
    }

    /// Completions of a session consumed at or after `since`, newest first: what a transfer may be authorised by.
    public func consumedCompletions(sessionID: String, since: Date) async throws -> [MFACompletion] {
        try await rows(
            """
            SELECT * FROM completions WHERE session_id = \(bind: sessionID) AND consumed_at IS NOT NULL
              AND consumed_at >= \(bind: Millis.from(since)) ORDER BY consumed_at DESC
            """
        ).map(Self.completion)
    }

    /// Whether this session's logon MFA was completed with `method` (a recovery code, say).
    public func loggedOn(sessionID: String, with method: MFAMethodID) async throws -> Bool {
        try await first(
            """
            SELECT id FROM completions WHERE session_id = \(bind: sessionID) AND method = \(bind: method.rawValue)
              AND context_binding = \(bind: MFAContext.logon.binding) LIMIT 1
            """) != nil
    }

    public func completion(challengeID: String) async throws -> MFACompletion? {
        try await first("SELECT * FROM completions WHERE challenge_id = \(bind: challengeID)").map(Self.completion)
    }

    static func completion(_ row: any SQLRow) throws -> MFACompletion {
        var completion = MFACompletion(
            id: try row.string("id"), sessionID: try row.string("session_id"),
            challengeID: try row.string("challenge_id"), userID: try row.string("user_id"),
            context: try row.json("context", as: MFAContext.self),
            method: MFAMethodID(rawValue: try row.string("method")),
            completedAt: try row.date("completed_at"))
        completion.consumedAt = try row.optionalDate("consumed_at")
        completion.amr = try row.json("amr", as: [String].self)
        // An unknown level is read as the lowest: a completion never satisfies more than it proved.
        completion.level = AssuranceLevel(rawValue: try row.string("level")) ?? .aal1
        return completion
    }
}
