import Crypto
import Foundation
import StepupCore
import StepupStore
import StepupWebAuthn

/// `PublicKeyCredentialCreationOptions` for one registration, and the ceremony's id to finish it with.
public struct PasskeyCreation: Encodable, Sendable, Equatable {
    public struct Options: Encodable, Sendable, Equatable {
        public struct Party: Encodable, Sendable, Equatable {
            public let id: String
            public let name: String
        }
        public struct UserEntity: Encodable, Sendable, Equatable {
            public let id: String
            public let name: String
            public let displayName: String
        }
        public struct Parameter: Encodable, Sendable, Equatable {
            public let type: String
            public let alg: Int
        }
        public struct Selection: Encodable, Sendable, Equatable {
            public let residentKey: String
            public let requireResidentKey: Bool
            public let userVerification: String
        }

        public let challenge: String
        public let rp: Party
        public let user: UserEntity
        public let pubKeyCredParams: [Parameter]
        public let timeout: Int
        public let authenticatorSelection: Selection
        public let attestation: String
        /// The user's passkeys, so an authenticator that holds one already is not registered twice.
        public let excludeCredentials: [CredentialDescriptor]
    }

    public let ceremonyId: String
    public let publicKey: Options
}

/// What the browser sends to finish a registration (`PublicKeyCredential` from `navigator.credentials.create`).
public struct PasskeyRegistrationRequest: Decodable, Sendable {
    public struct Response: Decodable, Sendable {
        public let clientDataJSON: String
        public let attestationObject: String
        public let transports: [String]?
    }

    public let ceremonyId: String
    public let name: String?
    public let id: String
    public let response: Response
}

extension Platform {
    static let passkeyCeremonyPurpose = "passkey.register"
    /// What a browser may report; anything else is dropped rather than stored.
    static let knownTransports: Set<String> = ["usb", "nfc", "ble", "smart-card", "hybrid", "internal"]

    /// The relying party settings, or `not_found` when this bank has not set passkeys up.
    func passkeySettings() throws -> PasskeySettings {
        guard let settings = configuration.passkeys else {
            throw StepupError(.notFound, message: "Passkeys are not set up at this bank.")
        }
        return settings
    }

    /// The user's passkeys, oldest first.
    public func passkeys(session: Session) async throws -> [PasskeyRecord] {
        guard session.stage == .authenticated else { throw StepupError(.notAuthenticated) }
        return try await store.read { try await $0.passkeys(userID: session.userID) }
    }

    /// Starts a registration, once this session confirmed it with MFA (`mfa_required` with a challenge otherwise).
    /// The WebAuthn challenge is random, kept for this session only, and used once within the ceremony's timeout.
    public func beginPasskeyRegistration(session: Session) async throws -> PasskeyCreation {
        let settings = try passkeySettings()
        guard session.stage == .authenticated else { throw StepupError(.notAuthenticated) }
        let now = clock.now
        return try await commit { tx in
            let properties = try await tx.systemProperties()
            // A customer who has a passkey confirms another with one: otherwise a relayed code would buy a look-alike
            // site a passkey of its own, and with it every phishing-resistant step.
            let level = try await Self.addLevel(userID: session.userID, in: tx)
            if let refusal = try await Self.requireConfirmed(
                .addPasskey, level: level, session: session, properties: properties, now: now, in: tx)
            {
                return .failure(refusal)
            }
            guard let user = try await tx.user(id: session.userID) else { return .failure(StepupError(.notAuthenticated)) }
            try await tx.pruneCeremonies(before: now.addingTimeInterval(-3600))
            let challenge = SecureRandom.bytes(32)
            let ceremony = CeremonyRecord(
                userID: user.id, sessionID: session.id, purpose: Self.passkeyCeremonyPurpose,
                challenge: Base64URL.encode(challenge), createdAt: now,
                expiresAt: now.addingTimeInterval(TimeInterval(settings.ceremonyTimeout)))
            try await tx.insert(ceremony)
            let existing = try await tx.passkeys(userID: user.id)
            return .success(
                PasskeyCreation(
                    ceremonyId: ceremony.id,
                    publicKey: .init(
                        challenge: ceremony.challenge, rp: .init(id: settings.rpID, name: settings.rpName),
                        user: .init(
                            id: Base64URL.encode(Passkeys.userHandle(user.id)), name: user.username,
                            displayName: user.displayName),
                        pubKeyCredParams: COSEKey.Algorithm.allCases.map { .init(type: "public-key", alg: Int($0.rawValue)) },
                        timeout: settings.ceremonyTimeout * 1000,
                        authenticatorSelection: .init(residentKey: "preferred", requireResidentKey: false, userVerification: "required"),
                        // With roots to check it against, the bank asks for the attestation; otherwise browsers are
                        // told it is not wanted (and send none, as synced passkeys do anyway).
                        attestation: settings.attestationRoots.isEmpty ? "none" : "direct",
                        excludeCredentials: existing.map(CredentialDescriptor.init))))
        }
    }

    /// Finishes a registration: the ceremony is used once (a second finish, on any node, finds it used), the
    /// attestation checked (`none` or `packed` self attestation, user verified, the bank's AAGUID lists), and the
    /// passkey stored under its name. A credential id registered already, to anyone, is refused.
    public func finishPasskeyRegistration(_ request: PasskeyRegistrationRequest, session: Session) async throws -> PasskeyRecord {
        let settings = try passkeySettings()
        guard session.stage == .authenticated else { throw StepupError(.notAuthenticated) }
        let name = try Self.factorName(request.name, default: "Passkey")
        guard request.ceremonyId.utf8.count <= 64,
            let clientData = Base64URL.decodeStrict(request.response.clientDataJSON, limit: 4096),
            let attestation = Base64URL.decodeStrict(request.response.attestationObject, limit: 16_384),
            request.id.utf8.count <= 1400
        else { throw StepupError(.webauthnMalformed) }
        let transports = Array(Set((request.response.transports ?? []).prefix(16)).intersection(Self.knownTransports)).sorted()
        let now = clock.now
        let record = try await commit { tx in
            let refuse = { (code: StepupError.Code, reason: String) async throws -> Result<PasskeyRecord, StepupError> in
                try await tx.append(
                    AuditEvent(
                        at: now, action: "security.passkey.refused", outcome: .failure, userID: session.userID,
                        sessionID: session.id, details: ["reason": reason]))
                return .failure(StepupError(code))
            }
            guard
                let ceremony = try await tx.useCeremony(
                    id: request.ceremonyId, sessionID: session.id, purpose: Self.passkeyCeremonyPurpose, at: now),
                ceremony.userID == session.userID, let challenge = Base64URL.decodeStrict(ceremony.challenge)
            else { return try await refuse(.webauthnCeremonyMissing, StepupError.Code.webauthnCeremonyMissing.rawValue) }
            let registration: RelyingParty.Registration
            let party = settings.relyingParty(try await tx.systemProperties())
            do throws(WebAuthnError) {
                registration = try party.register(
                    attestationObject: attestation, clientDataJSON: clientData, challenge: challenge)
            } catch {
                return try await refuse(StepupError(error).code, error.reason.rawValue)
            }
            if settings.requireAttestation || (!settings.attestationRoots.isEmpty && !registration.attestationChain.isEmpty) {
                do throws(WebAuthnError) {
                    try await AttestationTrust.verify(registration.attestationChain, roots: settings.attestationRoots, at: now)
                } catch {
                    return try await refuse(.webauthnAttestationInvalid, "attestation_untrusted")
                }
            }
            // The browser names the credential twice (its id and inside the attestation); they must agree.
            guard Base64URL.encode(registration.credentialID) == request.id else {
                return try await refuse(.webauthnMalformed, "credential_id_mismatch")
            }
            let record = PasskeyRecord(
                id: request.id, userID: session.userID, name: name,
                publicKey: Base64URL.encode(registration.publicKey.spki),
                algorithm: Int(registration.publicKey.algorithm.rawValue), signCount: Int64(registration.signCount),
                aaguid: SecretHash.hex(registration.aaguid), transports: transports,
                backupEligible: registration.backupEligible, backedUp: registration.backedUp, createdAt: now)
            guard try await tx.insert(record) else { return try await refuse(.passkeyExists, "credential_registered") }
            try await tx.append(
                AuditEvent(
                    at: now, action: "security.passkey.added", outcome: .success, userID: session.userID,
                    sessionID: session.id,
                    details: [
                        "passkey": record.id, "aaguid": record.aaguid, "attestation": registration.attestationFormat,
                        "attested": String(!settings.attestationRoots.isEmpty && !registration.attestationChain.isEmpty),
                        "synced": String(record.backupEligible),
                    ]))
            return .success(record)
        }
        await notify(SecurityNotice(userID: session.userID, headline: "A new passkey was added to your online banking"))
        return record
    }

    /// Renames one of the user's passkeys (no step-up: a name changes nothing a proof depends on).
    public func renamePasskey(id: String, to name: String, session: Session) async throws -> PasskeyRecord {
        guard session.stage == .authenticated else { throw StepupError(.notAuthenticated) }
        let name = try Self.factorName(name, default: "Passkey")
        let now = clock.now
        return try await commit { tx in
            guard try await tx.renamePasskey(id: id, userID: session.userID, to: name),
                let record = try await tx.passkey(id: id)
            else { return .failure(StepupError(.notFound, message: "You have no such passkey.")) }
            try await tx.append(
                AuditEvent(
                    at: now, action: "security.passkey.renamed", outcome: .success, userID: session.userID,
                    sessionID: session.id, details: ["passkey": id]))
            return .success(record)
        }
    }

    /// Removes one of the user's passkeys, once this session confirmed it with MFA, and never the user's last way
    /// to verify (`last_factor`). The user's factors are locked first, so two removals in parallel cannot each
    /// leave the other's passkey as the last one and together remove both.
    public func removePasskey(id: String, session: Session) async throws {
        guard session.stage == .authenticated else { throw StepupError(.notAuthenticated) }
        let now = clock.now
        let _: Bool = try await commit { tx in
            let properties = try await tx.systemProperties()
            let passkeys = try await tx.passkeys(userID: session.userID)
            guard passkeys.contains(where: { $0.id == id }) else {
                return .failure(StepupError(.notFound, message: "You have no such passkey."))
            }
            // Said before any step-up, so a confirmation is never spent on a removal that cannot happen.
            if let refusal = try await FactorInventory.refuseRemoval(
                .passkey(id), userID: session.userID, passkeysOffered: self.configuration.passkeys != nil, keys: self.keys,
                properties: properties, in: tx)
            {
                return .failure(refusal)
            }
            if let refusal = try await Self.requireConfirmed(
                .removePasskey, level: .aal2, session: session, properties: properties, now: now, in: tx)
            {
                return .failure(refusal)
            }
            guard try await tx.removePasskey(id: id, userID: session.userID) else {
                return .failure(StepupError(.notFound, message: "You have no such passkey."))
            }
            try await tx.append(
                AuditEvent(
                    at: now, action: "security.passkey.removed", outcome: .success, userID: session.userID,
                    sessionID: session.id, details: ["passkey": id]))
            return .success(true)
        }
        await notify(SecurityNotice(userID: session.userID, headline: "A passkey was removed from your online banking"))
    }

    // MARK: For operators

    /// A user's passkeys, for the bank's support desk (`stepup passkey list`).
    public func passkeys(userID: String) async throws -> [PasskeyRecord] {
        try await store.read { try await $0.passkeys(userID: userID) }
    }

    /// Removes a passkey for the support desk (a lost phone reported by a customer whose identity the bank checked
    /// out of band): no step-up and no last-factor rule, since the customer cannot use it anyway; audited as the
    /// operator's.
    public func removePasskey(id: String, userID: String) async throws {
        let now = clock.now
        let _: Bool = try await commit { tx in
            guard try await tx.removePasskey(id: id, userID: userID) else {
                return .failure(StepupError(.notFound, message: "The user has no such passkey."))
            }
            try await tx.append(
                AuditEvent(at: now, action: "admin.passkey.removed", outcome: .success, userID: userID, details: ["passkey": id]))
            return .success(true)
        }
    }
}
