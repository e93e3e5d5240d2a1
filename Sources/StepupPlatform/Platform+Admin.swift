import Foundation
import StepupCore
import StepupStore

/// What an operator (or the demo seed) may do: create users and their targets and tokens, unlock, read the audit.
extension Platform {
    /// Creates a user with a bcrypt hash of `password`.
    @discardableResult
    public func createUser(
        username: String, displayName: String, password: String, logonMFA: LogonMFAPolicy = .always,
        details: CustomerDetails = CustomerDetails()
    ) async throws -> User {
        try details.validate()
        let hash = await hasher.hash(password)
        return try await createUser(
            username: username, displayName: displayName, passwordHash: hash, logonMFA: logonMFA, details: details)
    }

    /// Creates a user with an existing bcrypt hash (precomputed demo users; imports).
    @discardableResult
    public func createUser(
        username: String, displayName: String, passwordHash: String, logonMFA: LogonMFAPolicy = .always,
        details: CustomerDetails = CustomerDetails()
    ) async throws -> User {
        try details.validate()
        let now = clock.now
        let normalized = username.trimmingCharacters(in: .whitespaces).lowercased()
        guard !normalized.isEmpty, normalized.count <= 64 else {
            throw StepupError(.badRequest, message: "A username has 1 to 64 characters.")
        }
        let user = User(
            id: SecureRandom.identifier(), username: normalized, displayName: displayName, passwordHash: passwordHash,
            logonMFA: logonMFA, details: details)
        return try await commit { tx in
            if try await tx.user(username: normalized) != nil {
                return .failure(StepupError(.badRequest, message: "The username \(normalized) is taken."))
            }
            try await tx.insert(user, at: now)
            try await tx.append(AuditEvent(at: now, action: "user.created", outcome: .success, userID: user.id))
            return .success(user)
        }
    }

    @discardableResult
    public func addTarget(userID: String, kind: TargetKind, address: String) async throws -> DeliveryTarget {
        let now = clock.now
        // Sortable ids keep targets added in one millisecond in the order they were added.
        let target = DeliveryTarget(id: SortableID.make(at: now), userID: userID, kind: kind, address: address)
        try await store.write { tx in
            try await tx.insert(target, at: now)
            try await tx.append(
                AuditEvent(
                    at: now, action: "target.added", outcome: .success, userID: userID,
                    details: ["target": target.id, "kind": kind.rawValue]))
        }
        return target
    }

    /// Registers a TOTP access token for a user and returns it (its secret goes to the user's authenticator once).
    @discardableResult
    public func addAccessToken(userID: String, secret: [UInt8] = SecureRandom.bytes(20)) async throws -> AccessToken {
        let now = clock.now
        let token = AccessToken(userID: userID, secret: secret)
        _ = try token.totp()
        let record = try AccessTokenSecrets.seal(token, keys: keys)
        try await store.write { tx in
            try await tx.insert(record, at: now)
            try await tx.append(
                AuditEvent(at: now, action: "token.added", outcome: .success, userID: userID, details: ["token": token.id]))
        }
        return token
    }

    /// Sets (or replaces) the user's registration with an external MFA provider (`mfa_registration`): what the
    /// provider's extension checks the user against (a passphrase digest, a subject at an identity provider).
    public func setRegistration(userID: String, provider: String, value: String) async throws {
        guard !provider.isEmpty, provider.count <= 64, !value.isEmpty, value.utf8.count <= 1024 else {
            throw StepupError(.badRequest, message: "A registration names a provider (1–64 characters) and a value (1–1024 bytes).")
        }
        let now = clock.now
        try await store.write { tx in
            guard try await tx.user(id: userID) != nil else { throw StepupError(.notFound, message: "No such user.") }
            try await tx.setRegistration(userID: userID, provider: provider, value: value)
            try await tx.append(
                AuditEvent(at: now, action: "admin.registration.set", outcome: .success, userID: userID, details: ["provider": provider]))
        }
    }

    public func user(named username: String) async throws -> User {
        let normalized = username.trimmingCharacters(in: .whitespaces).lowercased()
        guard let user = try await store.read({ try await $0.user(username: normalized) }) else {
            throw StepupError(.notFound, message: "There is no user \(normalized).")
        }
        return user
    }

    public func users() async throws -> [User] { try await store.read { try await $0.users() } }

    public func targets(userID: String) async throws -> [DeliveryTarget] {
        try await store.read { try await $0.targets(userID: userID) }
    }

    public func removeTarget(id: String, userID: String) async throws {
        let now = clock.now
        let _: Bool = try await commit { tx in
            guard try await tx.removeTarget(id: id, userID: userID) else {
                return .failure(StepupError(.targetNotFound))
            }
            try await tx.append(AuditEvent(at: now, action: "target.removed", outcome: .success, userID: userID, details: ["target": id]))
            return .success(true)
        }
    }

    public func failureCounter(userID: String) async throws -> FailureCounter? {
        try await store.read { try await $0.failureCounter(userID: userID) }
    }

    /// Validates and stores one system property, audited.
    public func setProperty(_ name: String, to value: String) async throws {
        let now = clock.now
        try await store.write { tx in
            try await tx.setProperty(name, to: value)
            try await tx.append(AuditEvent(at: now, action: "property.set", outcome: .success, userID: nil, details: ["name": name, "value": value]))
        }
    }

    /// Clears a user's failure counter and lockout.
    public func unlock(userID: String) async throws {
        let now = clock.now
        try await store.write { tx in
            try await tx.resetFailures(userID: userID)
            try await tx.append(AuditEvent(at: now, action: "user.unlocked", outcome: .success, userID: userID))
        }
    }

    public func auditTrail(userID: String? = nil, since: Date? = nil, limit: Int = 500) async throws -> [AuditEvent] {
        try await store.read { try await $0.auditEvents(userID: userID, since: since, limit: limit) }
    }
}

extension Platform {
    func requireKeys() throws -> KeySet {
        try AccessTokenSecrets.require(keys)
    }
}
