import Foundation
import SQLKit
import StepupCore

/// An extension service as the registry stores it: its key sealed by the platform's key set.
public struct ExtensionRegistryRecord: Sendable, Equatable {
    public let name: String
    public let baseURL: String
    public let sealedKey: String
    public let runsBeforeLogon: Bool
    /// MFA context kinds the extension serves as external MFA (`logon`, `transaction`, `event_driven_validation`).
    public let externalMFAContexts: [String]
    /// Origins the banking app may open a sign-in popup on for this extension (redirect-based external MFA).
    public let authorizationOrigins: [String]

    public init(
        name: String, baseURL: String, sealedKey: String, runsBeforeLogon: Bool, externalMFAContexts: [String],
        authorizationOrigins: [String] = []
    ) {
        self.name = name
        self.baseURL = baseURL
        self.sealedKey = sealedKey
        self.runsBeforeLogon = runsBeforeLogon
        self.externalMFAContexts = externalMFAContexts
        self.authorizationOrigins = authorizationOrigins
    }
}

extension StoreTransaction {
    public func save(_ record: ExtensionRegistryRecord, at now: Date) async throws {
        try await run(
            """
            INSERT INTO extension_registry
              (name, base_url, sealed_key, runs_before_logon, external_mfa_contexts, authorization_origins, created_at)
            VALUES (\(bind: record.name), \(bind: record.baseURL), \(bind: record.sealedKey), \(bind: record.runsBeforeLogon ? 1 : 0),
              \(bind: record.externalMFAContexts.joined(separator: ",")), \(bind: record.authorizationOrigins.joined(separator: " ")),
              \(bind: Millis.from(now)))
            ON CONFLICT (name) DO UPDATE SET base_url = excluded.base_url, sealed_key = excluded.sealed_key,
              runs_before_logon = excluded.runs_before_logon, external_mfa_contexts = excluded.external_mfa_contexts,
              authorization_origins = excluded.authorization_origins
            """)
    }

    public func registeredExtension(name: String) async throws -> ExtensionRegistryRecord? {
        try await first("SELECT * FROM extension_registry WHERE name = \(bind: name)").map(Self.registryRecord)
    }

    public func registeredExtensions() async throws -> [ExtensionRegistryRecord] {
        try await rows("SELECT * FROM extension_registry ORDER BY name").map(Self.registryRecord)
    }

    public func removeRegisteredExtension(name: String) async throws -> Bool {
        try await first("DELETE FROM extension_registry WHERE name = \(bind: name) RETURNING name") != nil
    }

    /// Records a request nonce; false when it was used before (a replay), on any node.
    public func useNonce(_ nonce: String, at now: Date) async throws -> Bool {
        try await run("DELETE FROM used_nonces WHERE at < \(bind: Millis.from(now.addingTimeInterval(-2 * RequestSignature.window)))")
        return try await first(
            "INSERT INTO used_nonces (nonce, at) VALUES (\(bind: nonce), \(bind: Millis.from(now))) ON CONFLICT (nonce) DO NOTHING RETURNING nonce"
        ) != nil
    }

    private static func registryRecord(_ row: any SQLRow) throws -> ExtensionRegistryRecord {
        ExtensionRegistryRecord(
            name: try row.string("name"), baseURL: try row.string("base_url"), sealedKey: try row.string("sealed_key"),
            runsBeforeLogon: try row.int("runs_before_logon") != 0,
            externalMFAContexts: try row.string("external_mfa_contexts").split(separator: ",").map(String.init),
            authorizationOrigins: try row.string("authorization_origins").split(separator: " ").map(String.init))
    }
}
