import Foundation
import SQLKit
import StepupCore

/// The answer to reserving one MFA attempt.
public enum AttemptReservation: Sendable, Equatable {
    /// The attempt may be compared; `failuresIncludingThis` counts it as failed until ``StoreTransaction/resetFailures(userID:)``.
    case reserved(failuresIncludingThis: Int)
    /// The user is locked; nothing may be compared.
    case locked(until: Date)
}

extension StoreTransaction {
    /// Counts one attempt as a failure *before* the secret is compared, so that parallel guesses, on one node or
    /// many, cannot get past the limit: the conditional update refuses once `failures` reaches `limit`.
    ///
    /// A lockout whose time has passed is cleared first. The caller resets the counter on success; on the failure
    /// that reaches the limit, it calls ``lockIfAtLimit(userID:limit:until:)``.
    public func reserveAttempt(userID: String, limit: Int, at now: Date) async throws -> AttemptReservation {
        let nowMillis = Millis.from(now)
        try await run(
            """
            INSERT INTO failure_counters (user_id, failures, locked_until) VALUES (\(bind: userID), 0, NULL)
            ON CONFLICT (user_id) DO NOTHING
            """)
        try await run(
            """
            UPDATE failure_counters SET failures = 0, locked_until = NULL
            WHERE user_id = \(bind: userID) AND locked_until IS NOT NULL AND locked_until <= \(bind: nowMillis)
            """)
        if let row = try await first(
            """
            UPDATE failure_counters SET failures = failures + 1
            WHERE user_id = \(bind: userID) AND failures < \(bind: limit) AND locked_until IS NULL
            RETURNING failures
            """)
        {
            return .reserved(failuresIncludingThis: try row.int("failures"))
        }
        let counter = try await failureCounter(userID: userID)
        // At the limit without a stored lock can only follow a crash between reserve and lock; lock now.
        let until = counter?.lockedUntil ?? now
        return .locked(until: until)
    }

    /// Stores the lockout once the counter has reached the limit; returns the lock's end when it did.
    @discardableResult
    public func lockIfAtLimit(userID: String, limit: Int, until: Date) async throws -> Date? {
        try await first(
            """
            UPDATE failure_counters SET locked_until = \(bind: Millis.from(until))
            WHERE user_id = \(bind: userID) AND failures >= \(bind: limit) AND locked_until IS NULL
            RETURNING locked_until
            """
        ).map { try $0.date("locked_until") }
    }

    /// After a success or an operator's unlock.
    public func resetFailures(userID: String) async throws {
        try await run("UPDATE failure_counters SET failures = 0, locked_until = NULL WHERE user_id = \(bind: userID)")
    }

    public func failureCounter(userID: String) async throws -> FailureCounter? {
        try await first("SELECT * FROM failure_counters WHERE user_id = \(bind: userID)").map { row in
            FailureCounter(
                userID: try row.string("user_id"), failures: try row.int("failures"),
                lockedUntil: try row.optionalDate("locked_until"))
        }
    }
}

extension StoreTransaction {
    /// Gives back one attempt reserved with ``reserveAttempt(userID:limit:at:)`` whose proof held, without
    /// forgetting earlier failures (only a completed challenge resets the counter).
    public func releaseAttempt(userID: String) async throws {
        try await run(
            """
            UPDATE failure_counters SET failures = failures - 1
            WHERE user_id = \(bind: userID) AND failures > 0 AND locked_until IS NULL
            """)
    }
}
