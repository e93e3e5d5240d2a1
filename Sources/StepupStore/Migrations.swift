import Foundation
import SQLKit

/// Which SQL engine a store speaks to; the few statements that differ switch on it.
public enum SQLDialectKind: Sendable {
    case sqlite, postgres
}

/// Versioned schema changes, applied in order, each in its own transaction, recorded in `schema_migrations`.
///
/// Types are chosen to mean the same on SQLite and PostgreSQL: TEXT ids, BIGINT epoch milliseconds, INTEGER counts.
/// A migration, once released, is never edited: a change is a new version.
enum Migrations {
    struct Migration {
        let version: Int
        let name: String
        let statements: [String]
    }

    static let all: [Migration] = [
        Migration(
            version: 1, name: "initial schema",
            statements: [
                """
                CREATE TABLE users (
                  id TEXT PRIMARY KEY, username TEXT NOT NULL UNIQUE, display_name TEXT NOT NULL,
                  password_hash TEXT NOT NULL, logon_mfa TEXT NOT NULL, created_at BIGINT NOT NULL)
                """,
                """
                CREATE TABLE delivery_targets (
                  id TEXT PRIMARY KEY, user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                  kind TEXT NOT NULL, address TEXT NOT NULL, created_at BIGINT NOT NULL)
                """,
                "CREATE INDEX delivery_targets_user ON delivery_targets (user_id)",
                """
                CREATE TABLE sessions (
                  id TEXT PRIMARY KEY, secret_digest TEXT NOT NULL UNIQUE, csrf_digest TEXT NOT NULL,
                  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE, stage TEXT NOT NULL,
                  created_at BIGINT NOT NULL, last_seen_at BIGINT NOT NULL, client_address TEXT,
                  ended_at BIGINT)
                """,
                "CREATE INDEX sessions_user ON sessions (user_id)",
                """
                CREATE TABLE challenges (
                  id TEXT PRIMARY KEY, user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                  session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
                  context TEXT NOT NULL, context_binding TEXT NOT NULL, state TEXT NOT NULL,
                  target_id TEXT, code_digest TEXT, code_sent_at BIGINT, code_expires_at BIGINT,
                  send_count INTEGER NOT NULL, created_at BIGINT NOT NULL, expires_at BIGINT NOT NULL,
                  closed_at BIGINT)
                """,
                "CREATE INDEX challenges_session ON challenges (session_id, context_binding)",
                """
                CREATE TABLE completions (
                  id TEXT PRIMARY KEY, session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
                  challenge_id TEXT NOT NULL UNIQUE REFERENCES challenges(id) ON DELETE CASCADE,
                  user_id TEXT NOT NULL, context TEXT NOT NULL, context_binding TEXT NOT NULL,
                  method TEXT NOT NULL, completed_at BIGINT NOT NULL, consumed_at BIGINT)
                """,
                "CREATE INDEX completions_session ON completions (session_id, context_binding)",
                """
                CREATE TABLE failure_counters (
                  user_id TEXT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
                  failures INTEGER NOT NULL, locked_until BIGINT)
                """,
                """
                CREATE TABLE access_tokens (
                  id TEXT PRIMARY KEY, user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                  secret TEXT NOT NULL, digits INTEGER NOT NULL, algorithm TEXT NOT NULL, period INTEGER NOT NULL,
                  last_used_step BIGINT, created_at BIGINT NOT NULL)
                """,
                "CREATE INDEX access_tokens_user ON access_tokens (user_id)",
                """
                CREATE TABLE external_mfa_tokens (
                  id TEXT PRIMARY KEY, session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
                  challenge_id TEXT NOT NULL REFERENCES challenges(id) ON DELETE CASCADE,
                  extension TEXT NOT NULL, token_digest TEXT NOT NULL, created_at BIGINT NOT NULL,
                  expires_at BIGINT NOT NULL, used_at BIGINT)
                """,
                """
                CREATE TABLE audit_events (
                  id TEXT PRIMARY KEY, at BIGINT NOT NULL, action TEXT NOT NULL, outcome TEXT NOT NULL,
                  user_id TEXT, session_id TEXT, challenge_id TEXT, details TEXT NOT NULL)
                """,
                "CREATE INDEX audit_events_user_at ON audit_events (user_id, at)",
                "CREATE INDEX audit_events_at ON audit_events (at)",
                "CREATE TABLE system_properties (name TEXT PRIMARY KEY, value TEXT NOT NULL)",
                """
                CREATE TABLE mfa_registration (
                  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE, provider TEXT NOT NULL,
                  registration_value TEXT NOT NULL, PRIMARY KEY (user_id, provider))
                """,
                """
                CREATE TABLE sso_user_logon (
                  user_id TEXT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE, sso_identifier TEXT NOT NULL)
                """,
                """
                CREATE TABLE rate_events (
                  id TEXT PRIMARY KEY, scope TEXT NOT NULL, subject TEXT NOT NULL, at BIGINT NOT NULL)
                """,
                "CREATE INDEX rate_events_scope ON rate_events (scope, subject, at)",
            ]),
        Migration(
            version: 2, name: "banking data for extensions",
            statements: [
                """
                CREATE TABLE accounts (
                  id TEXT PRIMARY KEY, user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                  name TEXT NOT NULL, number TEXT NOT NULL, balance_minor BIGINT NOT NULL, currency TEXT NOT NULL,
                  created_at BIGINT NOT NULL)
                """,
                "CREATE INDEX accounts_user ON accounts (user_id)",
                """
                CREATE TABLE transfers (
                  id TEXT PRIMARY KEY, user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                  session_id TEXT NOT NULL, completion_id TEXT NOT NULL, transaction_id TEXT NOT NULL,
                  from_account TEXT NOT NULL REFERENCES accounts(id), amount_minor BIGINT NOT NULL,
                  currency TEXT NOT NULL, payee TEXT NOT NULL, memo TEXT, created_at BIGINT NOT NULL,
                  UNIQUE (completion_id, transaction_id))
                """,
                """
                CREATE TABLE disclaimer_acceptances (
                  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE, disclaimer_id TEXT NOT NULL,
                  accepted_at BIGINT NOT NULL, PRIMARY KEY (user_id, disclaimer_id))
                """,
            ]),
        Migration(
            version: 3, name: "event-driven validation rules",
            statements: [
                """
                CREATE TABLE edv_rules (
                  id TEXT PRIMARY KEY, position INTEGER NOT NULL, definition TEXT NOT NULL)
                """,
                "CREATE INDEX audit_events_action ON audit_events (user_id, action, at)",
            ]),
        Migration(
            version: 4, name: "extension registry and request nonces",
            statements: [
                """
                CREATE TABLE extension_registry (
                  name TEXT PRIMARY KEY, base_url TEXT NOT NULL, sealed_key TEXT NOT NULL,
                  runs_before_logon INTEGER NOT NULL, external_mfa_contexts TEXT NOT NULL, created_at BIGINT NOT NULL)
                """,
                "CREATE TABLE used_nonces (nonce TEXT PRIMARY KEY, at BIGINT NOT NULL)",
                "CREATE INDEX used_nonces_at ON used_nonces (at)",
            ]),
        Migration(
            version: 5, name: "sign-in origins of registered extensions",
            statements: ["ALTER TABLE extension_registry ADD COLUMN authorization_origins TEXT NOT NULL DEFAULT ''"]),
        Migration(
            version: 6, name: "atomic limits, idempotent transfers, art. 16 exemption counters, counted external proofs",
            statements: [
                // One row per limited subject: the upsert that bumps it takes the row lock that serialises every
                // reservation for that subject, on every node, before the window is counted.
                """
                CREATE TABLE rate_subjects (
                  scope TEXT NOT NULL, subject TEXT NOT NULL, reservations BIGINT NOT NULL,
                  PRIMARY KEY (scope, subject))
                """,
                // A payment happens once per user and transaction id; a repeat answers the first receipt. A database
                // from before holds duplicates where one id was paid twice (the defect this fixes): the later rows
                // keep their payments and get the id `<id>#<transfer>`, so the index can hold and nothing is lost.
                """
                UPDATE transfers SET transaction_id = transaction_id || '#' || id
                WHERE id NOT IN (SELECT MIN(id) FROM transfers GROUP BY user_id, transaction_id)
                """,
                "CREATE UNIQUE INDEX transfers_user_transaction ON transfers (user_id, transaction_id)",
                "ALTER TABLE transfers ADD COLUMN balance_after_minor BIGINT",
                "CREATE INDEX transfers_user_payee ON transfers (user_id, payee, created_at)",
                "CREATE INDEX completions_user_binding ON completions (user_id, context_binding)",
                """
                CREATE TABLE exemption_counters (
                  user_id TEXT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
                  amount_minor BIGINT NOT NULL, transactions INTEGER NOT NULL)
                """,
                """
                CREATE TABLE external_attempts (
                  id TEXT PRIMARY KEY, session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
                  challenge_id TEXT NOT NULL REFERENCES challenges(id) ON DELETE CASCADE,
                  extension TEXT NOT NULL, created_at BIGINT NOT NULL, finished_at BIGINT)
                """,
                "CREATE INDEX external_attempts_session ON external_attempts (session_id, finished_at)",
            ]),
        Migration(
            version: 7, name: "method-agnostic challenges: the chosen method and its own state",
            statements: [
                "ALTER TABLE challenges ADD COLUMN method TEXT",
                "ALTER TABLE challenges ADD COLUMN method_state TEXT",
                "UPDATE challenges SET method = 'access_code' WHERE state IN ('target_chosen', 'code_sent')",
                "UPDATE challenges SET method = 'access_token' WHERE state = 'token_chosen'",
                "UPDATE challenges SET method = 'external_token' WHERE state = 'external_chosen'",
                "UPDATE challenges SET state = 'method_chosen' WHERE state IN ('target_chosen', 'token_chosen', 'external_chosen')",
                "UPDATE challenges SET state = 'secret_sent' WHERE state = 'code_sent'",
                // target_id, code_digest, code_sent_at, code_expires_at and send_count stay for the rows written
                // before: an open challenge's code is read from them until it closes (StoreTransaction+Challenges).
            ]),
        Migration(
            version: 8, name: "a customer's names, email and customer number",
            statements: [
                "ALTER TABLE users ADD COLUMN first_name TEXT",
                "ALTER TABLE users ADD COLUMN last_name TEXT",
                "ALTER TABLE users ADD COLUMN email TEXT",
                "ALTER TABLE users ADD COLUMN customer_number TEXT",
            ]),
        Migration(
            version: 9, name: "passkeys: WebAuthn credentials",
            statements: [
                // The id is the credential id (base64url), unique across users: an authenticator cannot register one
                // credential twice, and an assertion names its credential before the user is known.
                """
                CREATE TABLE passkeys (
                  id TEXT PRIMARY KEY, user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                  name TEXT NOT NULL, public_key TEXT NOT NULL, algorithm INTEGER NOT NULL, sign_count BIGINT NOT NULL,
                  aaguid TEXT NOT NULL, transports TEXT NOT NULL, backup_eligible INTEGER NOT NULL,
                  backed_up INTEGER NOT NULL, created_at BIGINT NOT NULL, last_used_at BIGINT)
                """,
                "CREATE INDEX passkeys_user ON passkeys (user_id)",
            ]),
        Migration(
            version: 10, name: "passkey registration ceremonies; assurance levels of challenges and completions",
            statements: [
                // A WebAuthn challenge issued outside an MFA challenge (a passkey's registration), used once.
                """
                CREATE TABLE ceremonies (
                  id TEXT PRIMARY KEY, user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                  session_id TEXT NOT NULL, purpose TEXT NOT NULL, challenge TEXT NOT NULL, created_at BIGINT NOT NULL,
                  expires_at BIGINT NOT NULL, used_at BIGINT)
                """,
                "CREATE INDEX ceremonies_session ON ceremonies (session_id)",
                "ALTER TABLE completions ADD COLUMN amr TEXT NOT NULL DEFAULT '[]'",
                // Completions made before levels existed were all by codes, TOTP or external MFA: aal2.
                "ALTER TABLE completions ADD COLUMN level TEXT NOT NULL DEFAULT 'aal2'",
                // …except EDV exemptions, which proved no second factor.
                "UPDATE completions SET level = 'aal1' WHERE method = 'exemption'",
                "ALTER TABLE challenges ADD COLUMN required_level TEXT NOT NULL DEFAULT 'aal1'",
            ]),
        Migration(
            version: 11, name: "the customer's security centre: verified targets, named authenticators, recovery codes",
            statements: [
                // A target or authenticator the customer adds is pending (NULL) until they prove they hold it; the
                // ones operators added before are taken as proven.
                "ALTER TABLE delivery_targets ADD COLUMN verified_at BIGINT",
                "UPDATE delivery_targets SET verified_at = created_at",
                "ALTER TABLE delivery_targets ADD COLUMN last_used_at BIGINT",
                // The proof of a pending target: a code sent to it, bound to the session that added it.
                "ALTER TABLE delivery_targets ADD COLUMN pending_session_id TEXT",
                "ALTER TABLE delivery_targets ADD COLUMN verify_digest TEXT",
                "ALTER TABLE delivery_targets ADD COLUMN verify_expires_at BIGINT",
                "ALTER TABLE delivery_targets ADD COLUMN verify_attempts INTEGER NOT NULL DEFAULT 0",
                "ALTER TABLE access_tokens ADD COLUMN name TEXT NOT NULL DEFAULT 'Authenticator app'",
                "ALTER TABLE access_tokens ADD COLUMN confirmed_at BIGINT",
                "UPDATE access_tokens SET confirmed_at = created_at",
                "ALTER TABLE access_tokens ADD COLUMN last_used_at BIGINT",
                "ALTER TABLE access_tokens ADD COLUMN pending_session_id TEXT",
                "ALTER TABLE access_tokens ADD COLUMN enrol_expires_at BIGINT",
                "ALTER TABLE access_tokens ADD COLUMN enrol_attempts INTEGER NOT NULL DEFAULT 0",
                "ALTER TABLE sessions ADD COLUMN user_agent TEXT",
                // Ten single-use codes per set; a new set voids the old by deleting it.
                """
                CREATE TABLE recovery_codes (
                  id TEXT PRIMARY KEY, user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                  digest TEXT NOT NULL, created_at BIGINT NOT NULL, used_at BIGINT)
                """,
                "CREATE INDEX recovery_codes_user ON recovery_codes (user_id)",
            ]),
    ]

    /// The newest schema version this build knows.
    static var latestVersion: Int { all.last?.version ?? 0 }

    static func run(on database: any SQLDatabase, dialect: SQLDialectKind) async throws {
        try await database.raw(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)"
        ).run()
        let applied = Set(
            try await database.raw("SELECT version FROM schema_migrations").all().map {
                try $0.decode(column: "version", as: Int.self)
            })
        if let newest = applied.max(), newest > latestVersion {
            throw MigrationError.newerSchema(found: newest, known: latestVersion)
        }
        for migration in all where !applied.contains(migration.version) {
            try await database.raw(dialect == .sqlite ? "BEGIN IMMEDIATE" : "BEGIN").run()
            do {
                for statement in migration.statements { try await database.raw(SQLQueryString(statement)).run() }
                try await database.raw(
                    """
                    INSERT INTO schema_migrations (version, name, applied_at)
                    VALUES (\(bind: migration.version), \(bind: migration.name), \(bind: Millis.from(Date())))
                    """
                ).run()
                try await database.raw("COMMIT").run()
            } catch {
                try? await database.raw("ROLLBACK").run()
                throw error
            }
        }
    }
}

enum MigrationError: Error, CustomStringConvertible {
    case newerSchema(found: Int, known: Int)

    var description: String {
        switch self {
        case .newerSchema(let found, let known):
            "the database has schema version \(found), newer than this build's \(known)"
        }
    }
}

/// Timestamps are stored as whole epoch milliseconds: exact, ordered and the same type on every engine.
enum Millis {
    /// Clamped to ±2^53 ms (about 285,000 years): a date computed from outside input never traps the conversion.
    static func from(_ date: Date) -> Int64 {
        let millis = (date.timeIntervalSince1970 * 1000).rounded()
        guard millis.isFinite else { return millis > 0 ? limit : -limit }
        return Int64(min(max(millis, -Double(limit)), Double(limit)))
    }
    private static let limit: Int64 = 1 << 53
    static func from(_ date: Date?) -> Int64? { date.map { from($0) } }
    static func date(_ millis: Int64) -> Date { Date(timeIntervalSince1970: Double(millis) / 1000) }
    static func date(_ millis: Int64?) -> Date? { millis.map { date($0) } }
}
