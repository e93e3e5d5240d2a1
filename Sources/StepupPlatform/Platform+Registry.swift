import Foundation
import StepupCore
import StepupStore

/// An extension service the platform forwards calls to.
public struct RegisteredExtension: Sendable, Equatable {
    public let name: String
    public let baseURL: String
    /// The shared key (at least 32 bytes) that signs credentials and requests both ways.
    public let key: String
    public let runsBeforeLogon: Bool
    public let externalMFAContexts: [String]
    /// Origins (`https://idp.example.com`) the banking app may open a sign-in popup on for this extension.
    public let authorizationOrigins: [String]

    public init(
        name: String, baseURL: String, key: String, runsBeforeLogon: Bool = false, externalMFAContexts: [String] = [],
        authorizationOrigins: [String] = []
    ) {
        self.name = name
        self.baseURL = baseURL
        self.key = key
        self.runsBeforeLogon = runsBeforeLogon
        self.externalMFAContexts = externalMFAContexts
        self.authorizationOrigins = authorizationOrigins
    }

    /// An origin: https (http only on loopback), a host, an optional port, nothing else.
    public static func isValidOrigin(_ origin: String) -> Bool {
        guard let url = URL(string: origin), let scheme = url.scheme, let host = url.host, url.path.isEmpty, url.query == nil,
            url.user == nil, url.fragment == nil
        else { return false }
        let normalized = url.port.map { "\(scheme)://\(host):\($0)" } ?? "\(scheme)://\(host)"
        guard normalized == origin else { return false }
        return scheme == "https" || (scheme == "http" && ["127.0.0.1", "localhost", "::1"].contains(host))
    }
}

extension Platform {
    static func registryPurpose(_ name: String) -> String { "stepup:extension-key:\(name)" }

    /// Adds or replaces an extension service in the registry; its key is sealed with the platform key set.
    public func register(_ ext: RegisteredExtension) async throws {
        try ext.validate()
        let sealed = try requireKeys().seal(Array(ext.key.utf8), purpose: Self.registryPurpose(ext.name))
        let now = clock.now
        try await store.write { tx in
            try await tx.save(
                ExtensionRegistryRecord(
                    name: ext.name, baseURL: ext.baseURL, sealedKey: sealed, runsBeforeLogon: ext.runsBeforeLogon,
                    externalMFAContexts: ext.externalMFAContexts, authorizationOrigins: ext.authorizationOrigins), at: now)
            try await tx.append(AuditEvent(at: now, action: "extension.registered", outcome: .success, userID: nil, details: ["extension": ext.name, "url": ext.baseURL]))
        }
    }
}

extension RegisteredExtension {
    /// Refuses a registration that could never work, before anything is opened or written: a name that is not an
    /// extension name, a key under 32 bytes, a URL that is not http(s), unknown MFA contexts, bad sign-in origins.
    public func validate() throws {
        guard ExtensionName.isValid(name) else {
            throw StepupError(.configurationInvalid, message: "\(name) is not a valid extension name (a-z, 0-9, - and _)")
        }
        let ext = self
        guard ext.key.utf8.count >= 32 else {
            throw StepupError(.configurationInvalid, message: "an extension key has at least 32 bytes")
        }
        // No userinfo: a password in the URL would be logged with it when the service is down.
        guard let url = URL(string: ext.baseURL), let scheme = url.scheme, ["http", "https"].contains(scheme), url.host != nil,
            url.user == nil, url.password == nil
        else {
            throw StepupError(.configurationInvalid, message: "\(ext.baseURL) is not an http(s) URL")
        }
        let valid = ["logon", "transaction", "event_driven_validation", "extension_prompt"]
        guard ext.externalMFAContexts.allSatisfy(valid.contains) else {
            throw StepupError(.configurationInvalid, message: "external MFA contexts are \(valid.joined(separator: ", "))")
        }
        guard ext.authorizationOrigins.allSatisfy(RegisteredExtension.isValidOrigin) else {
            throw StepupError(
                .configurationInvalid, message: "a sign-in origin is scheme://host[:port], https (http only on loopback)")
        }
    }
}

extension Platform {
    public func registeredExtension(name: String) async throws -> RegisteredExtension? {
        guard let record = try await store.read({ try await $0.registeredExtension(name: name) }) else { return nil }
        return try open(record)
    }

    public func registeredExtensions() async throws -> [RegisteredExtension] {
        try await store.read { try await $0.registeredExtensions() }.map(open)
    }

    public func unregister(name: String) async throws {
        let now = clock.now
        let _: Bool = try await commit { tx in
            guard try await tx.removeRegisteredExtension(name: name) else { return .failure(StepupError(.extensionNotFound)) }
            try await tx.append(AuditEvent(at: now, action: "extension.removed", outcome: .success, userID: nil, details: ["extension": name]))
            return .success(true)
        }
    }

    private func open(_ record: ExtensionRegistryRecord) throws -> RegisteredExtension {
        let key = try requireKeys().open(record.sealedKey, purpose: Self.registryPurpose(record.name))
        return RegisteredExtension(
            name: record.name, baseURL: record.baseURL, key: String(decoding: key, as: UTF8.self),
            runsBeforeLogon: record.runsBeforeLogon, externalMFAContexts: record.externalMFAContexts,
            authorizationOrigins: record.authorizationOrigins)
    }

    /// Records a request nonce from an extension service; false for a replay.
    public func useNonce(_ nonce: String) async throws -> Bool {
        let now = clock.now
        return try await store.write { try await $0.useNonce(nonce, at: now) }
    }

    /// A live session by its row id, for a call an extension service makes with a credential naming it.
    public func liveSession(id: String) async throws -> Session? {
        let now = clock.now
        return try await store.read { tx in
            guard let session = try await tx.session(id: id) else { return nil }
            return session.isLive(at: now, properties: try await tx.systemProperties()) ? session : nil
        }
    }
}
