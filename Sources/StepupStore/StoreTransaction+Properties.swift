import Foundation
import SQLKit
import StepupCore

extension StoreTransaction {
    /// The stored properties over the defaults. A stored value that no longer validates is a configuration error,
    /// not something to silently replace.
    public func systemProperties() async throws -> SystemProperties {
        var values: [String: String] = [:]
        for row in try await rows("SELECT name, value FROM system_properties") {
            values[try row.string("name")] = try row.string("value")
        }
        return try SystemProperties(values: values)
    }

    /// Validates and stores one property.
    public func setProperty(_ name: String, to value: String) async throws {
        var properties = try await systemProperties()
        try properties.set(name, to: value)
        try await run(
            """
            INSERT INTO system_properties (name, value) VALUES (\(bind: name), \(bind: value))
            ON CONFLICT (name) DO UPDATE SET value = excluded.value
            """)
    }

    public func setRegistration(userID: String, provider: String, value: String) async throws {
        try await run(
            """
            INSERT INTO mfa_registration (user_id, provider, registration_value)
            VALUES (\(bind: userID), \(bind: provider), \(bind: value))
            ON CONFLICT (user_id, provider) DO UPDATE SET registration_value = excluded.registration_value
            """)
    }

    public func registration(userID: String, provider: String) async throws -> String? {
        try await first(
            "SELECT registration_value FROM mfa_registration WHERE user_id = \(bind: userID) AND provider = \(bind: provider)"
        ).map { try $0.string("registration_value") }
    }

    public func setSSOIdentifier(userID: String, identifier: String) async throws {
        try await run(
            """
            INSERT INTO sso_user_logon (user_id, sso_identifier) VALUES (\(bind: userID), \(bind: identifier))
            ON CONFLICT (user_id) DO UPDATE SET sso_identifier = excluded.sso_identifier
            """)
    }

    public func ssoIdentifier(userID: String) async throws -> String? {
        try await first("SELECT sso_identifier FROM sso_user_logon WHERE user_id = \(bind: userID)").map {
            try $0.string("sso_identifier")
        }
    }

    /// Records one rate-limited event (a password attempt, a code sent) for `subject` in `scope`; returns its id.
    /// Events older than a day are dropped for the same subject here, so the table stays bounded without a job.
    /// A limit is enforced with ``reserveRateEvents(_:since:at:)``, never by counting and then recording.
    @discardableResult
    public func recordRateEvent(scope: String, subject: String, at now: Date) async throws -> String {
        try await run(
            """
            DELETE FROM rate_events WHERE scope = \(bind: scope) AND subject = \(bind: subject)
              AND at < \(bind: Millis.from(now.addingTimeInterval(-86_400)))
            """)
        let id = SecureRandom.identifier()
        try await run(
            """
            INSERT INTO rate_events (id, scope, subject, at)
            VALUES (\(bind: id), \(bind: scope), \(bind: subject), \(bind: Millis.from(now)))
            """)
        return id
    }

    /// How many events of `scope` for `subject` happened at or after `since`.
    public func rateEventCount(scope: String, subject: String, since: Date) async throws -> Int {
        try await first(
            """
            SELECT COUNT(*) AS n FROM rate_events
            WHERE scope = \(bind: scope) AND subject = \(bind: subject) AND at >= \(bind: Millis.from(since))
            """)?.int("n") ?? 0
    }

    /// Forgets rate events older than any window still asks about.
    public func pruneRateEvents(before: Date) async throws {
        try await run("DELETE FROM rate_events WHERE at < \(bind: Millis.from(before))")
    }

    /// Forgets all rate events of `subject` in `scope` (a successful logon clears its password throttle).
    public func clearRateEvents(scope: String, subject: String) async throws {
        try await run("DELETE FROM rate_events WHERE scope = \(bind: scope) AND subject = \(bind: subject)")
    }
}
