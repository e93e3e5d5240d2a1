import Foundation
import StepupCore
import StepupStore
import StepupWebAuthn
import StepupWebAuthnTesting
import Testing

@testable import StepupPlatform

/// Passkeys on the platform: registered only after a step-up, used in every context under the one failure counter,
/// each ceremony once, and the level they reach recorded on the completion.
@Suite("Passkeys: registration behind a step-up, use as a method, assurance levels")
struct PasskeyTests {
    static let settings = PasskeySettings(rpID: "bank.example", rpName: "Test Bank", origins: ["https://bank.example"])

    /// A signed-in alice (TOTP and four targets) and her authenticator.
    struct Signed {
        let fixture: PlatformFixture
        let user: User
        var session: Session
        var authenticator = SoftwareAuthenticator()
    }

    func signedIn(token: Bool = true, targets: Bool = true) async throws -> Signed {
        let fixture = try await PlatformFixture(passkeys: Self.settings)
        let user: User
        if targets {
            user = try await fixture.makeUser(logonMFA: .never, token: token)
        } else {
            user = try await fixture.platform.createUser(
                username: "alice", displayName: "Alice", password: PlatformFixture.password, logonMFA: .never)
        }
        let session = try await fixture.logon().issued.session
        #expect(session.stage == .authenticated)
        return Signed(fixture: fixture, user: user, session: session)
    }

    /// Completes the factor change's step-up with TOTP (a fresh time step each call).
    func confirm(_ signed: inout Signed, _ error: StepupError?) async throws {
        let challengeID = try #require(error?.challengeID, "expected mfa_required, got \(String(describing: error))")
        #expect(error?.code == .mfaRequired)
        signed.fixture.clock.advance(by: 30)
        let result = try await signed.fixture.platform.verifyToken(
            challengeID: challengeID, token: try signed.fixture.currentTOTP(), session: signed.session)
        signed.session = result.issued.session
    }

    func registrationRequest(_ creation: PasskeyCreation, _ authenticator: SoftwareAuthenticator, name: String = "Laptop")
        throws -> PasskeyRegistrationRequest
    {
        let challenge = try #require(Base64URL.decodeStrict(creation.publicKey.challenge))
        let (attestation, clientData) = try authenticator.register(challenge: challenge)
        return try decode(
            PasskeyRegistrationRequest.self,
            [
                "ceremonyId": creation.ceremonyId, "name": name, "id": authenticator.credentialIDText,
                "response": [
                    "clientDataJSON": Base64URL.encode(clientData), "attestationObject": Base64URL.encode(attestation),
                    "transports": ["internal", "hybrid", "bogus"],
                ],
            ])
    }

    /// Adds a passkey to alice's account the way the security page does.
    @discardableResult
    func addPasskey(_ signed: inout Signed) async throws -> PasskeyRecord {
        let platform = signed.fixture.platform
        let session = signed.session
        try await confirm(&signed, await stepupError { _ = try await platform.beginPasskeyRegistration(session: session) })
        let creation = try await platform.beginPasskeyRegistration(session: signed.session)
        return try await platform.finishPasskeyRegistration(
            try registrationRequest(creation, signed.authenticator), session: signed.session)
    }

    func proof(_ assertion: (authenticatorData: [UInt8], clientData: [UInt8], signature: [UInt8]), id: String) throws
        -> PasskeyMethod.Proof
    {
        try decode(
            PasskeyMethod.Proof.self,
            [
                "id": id,
                "response": [
                    "clientDataJSON": Base64URL.encode(assertion.clientData),
                    "authenticatorData": Base64URL.encode(assertion.authenticatorData),
                    "signature": Base64URL.encode(assertion.signature),
                ],
            ])
    }

    func decode<T: Decodable>(_ type: T.Type, _ object: [String: Any]) throws -> T {
        try JSONDecoder().decode(T.self, from: JSONSerialization.data(withJSONObject: object))
    }

    func method(_ platform: Platform) throws -> PasskeyMethod {
        try #require(platform.methods[.passkey] as? PasskeyMethod)
    }

    /// Starts the passkey on a challenge and answers with the authenticator.
    func assertion(_ signed: inout Signed, challengeID: String, origin: String? = nil, flags: AuthenticatorData.Flags? = nil)
        async throws -> PasskeyMethod.Proof
    {
        let started = try await signed.fixture.platform.start(
            try method(signed.fixture.platform), request: NoStart(), challengeID: challengeID, session: signed.session)
        let challenge = try #require(Base64URL.decodeStrict(started.answer.publicKey.challenge))
        #expect(started.answer.publicKey.userVerification == "required")
        #expect(started.answer.publicKey.allowCredentials.map(\.id).contains(signed.authenticator.credentialIDText))
        return try proof(
            try signed.authenticator.assert(challenge: challenge, origin: origin, flags: flags),
            id: signed.authenticator.credentialIDText)
    }

    let payment = MFAContext.transaction([TransactionItem(id: "t-1", amountMinor: 520_000, currency: "EUR", payee: "Dora")])

    @Test func registrationNeedsAFreshStepUpAndStoresWhatTheAuthenticatorReported() async throws {
        var signed = try await signedIn()
        let platform = signed.fixture.platform
        let session = signed.session
        let first = await stepupError { _ = try await platform.beginPasskeyRegistration(session: session) }
        #expect(first?.code == .mfaRequired)
        #expect(first?.maxAge == 120)
        try await confirm(&signed, first)
        let creation = try await platform.beginPasskeyRegistration(session: signed.session)
        #expect(creation.publicKey.rp.id == "bank.example")
        #expect(creation.publicKey.authenticatorSelection.userVerification == "required")
        #expect(creation.publicKey.pubKeyCredParams.map(\.alg).contains(-7))
        #expect(creation.publicKey.excludeCredentials.isEmpty)
        #expect(Base64URL.decodeStrict(creation.publicKey.user.id) == Array(signed.user.id.utf8))
        let record = try await platform.finishPasskeyRegistration(
            try registrationRequest(creation, signed.authenticator), session: signed.session)
        #expect(record.name == "Laptop")
        #expect(record.userID == signed.user.id)
        #expect(record.transports == ["hybrid", "internal"])
        #expect(record.aaguid == String(repeating: "aa", count: 16))
        #expect(record.backupEligible && record.backedUp)
        #expect(try await platform.passkeys(session: signed.session).map(\.id) == [signed.authenticator.credentialIDText])

        // The same ceremony again (a double click, another node) finds it used.
        let again = await stepupError {
            _ = try await platform.finishPasskeyRegistration(
                try registrationRequest(creation, signed.authenticator), session: signed.session)
        }
        #expect(again?.code == .webauthnCeremonyMissing)
        // One confirmation, one addition. With a passkey on the account the next one is confirmed with a passkey:
        // a relayed code must not buy a look-alike site a passkey of its own.
        let current = signed.session
        let second = await stepupError { _ = try await platform.beginPasskeyRegistration(session: current) }
        #expect(second?.code == .mfaRequired)
        #expect(second?.acrValues == "phr")
        let secondID = try #require(second?.challengeID)
        signed.fixture.clock.advance(by: 30)
        let byCode = await stepupError {
            _ = try await platform.verifyToken(challengeID: secondID, token: try signed.fixture.currentTOTP(), session: current)
        }
        #expect(byCode?.code == .levelInsufficient)
        let proof = try await assertion(&signed, challengeID: secondID)
        signed.session = try await platform.verify(try method(platform), proof: proof, challengeID: secondID, session: current).issued.session
        let next = try await platform.beginPasskeyRegistration(session: signed.session)
        #expect(next.publicKey.excludeCredentials.map(\.id) == [signed.authenticator.credentialIDText])
        let duplicate = await stepupError {
            _ = try await platform.finishPasskeyRegistration(
                try registrationRequest(next, signed.authenticator), session: signed.session)
        }
        #expect(duplicate?.code == .passkeyExists)
        // The confirmation was used by that begin: the next addition asks again.
        let stale = await stepupError { _ = try await platform.beginPasskeyRegistration(session: signed.session) }
        #expect(stale?.code == .mfaRequired)
        let trail = try await signed.fixture.audit(signed.user)
        #expect(trail.contains("security.passkey.added:success"))
        #expect(trail.contains("security.passkey.refused:failure"))
    }

    /// A begin after its own step-up (each addition consumes one confirmation).
    func confirmedBegin(_ signed: inout Signed) async throws -> PasskeyCreation {
        let platform = signed.fixture.platform
        let session = signed.session
        try await confirm(&signed, await stepupError { _ = try await platform.beginPasskeyRegistration(session: session) })
        return try await platform.beginPasskeyRegistration(session: signed.session)
    }

    @Test func aRegistrationIsRefusedForEachWrongPartWithItsOwnCode() async throws {
        var signed = try await signedIn()
        let platform = signed.fixture.platform
        var cases: [(String, SoftwareAuthenticator, StepupError.Code)] = []
        var otherOrigin = SoftwareAuthenticator(origin: "https://bank.example.evil")
        otherOrigin.credentialID = [1, 2, 3]
        cases.append(("origin", otherOrigin, .webauthnOriginMismatch))
        var otherRP = SoftwareAuthenticator(rpID: "evil.example")
        otherRP.credentialID = [4, 5, 6]
        cases.append(("rp", otherRP, .webauthnRPMismatch))
        var noUV = SoftwareAuthenticator()
        noUV.flags = [.userPresent]
        cases.append(("uv", noUV, .webauthnUserNotVerified))
        for (label, authenticator, code) in cases {
            let creation = try await confirmedBegin(&signed)
            let error = await stepupError {
                _ = try await platform.finishPasskeyRegistration(
                    try registrationRequest(creation, authenticator), session: signed.session)
            }
            #expect(error?.code == code, "\(label)")
        }
        // The AAGUID deny list refuses the model at registration.
        try await platform.setProperty("PasskeyAaguidDenyList", to: String(repeating: "aa", count: 16))
        let creation = try await confirmedBegin(&signed)
        let denied = await stepupError {
            _ = try await platform.finishPasskeyRegistration(
                try registrationRequest(creation, signed.authenticator), session: signed.session)
        }
        #expect(denied?.code == .webauthnAAGUIDRefused)
        #expect(try await platform.passkeys(session: signed.session).isEmpty)
    }

    @Test func aPasskeyAuthorisesAPaymentAtThePhishingResistantLevel() async throws {
        var signed = try await signedIn()
        try await addPasskey(&signed)
        let platform = signed.fixture.platform
        let challenge = try await platform.openChallenge(session: signed.session, context: payment, level: .phishingResistant)
        let view = try await platform.describeChallenge(id: challenge.id, session: signed.session)
        // Only a method that reaches the level is offered; the passkey's is a browser ceremony.
        #expect(view.methods == [.passkey])
        #expect(view.offers.first?.ceremony == "webauthn")
        let proof = try await assertion(&signed, challengeID: challenge.id)
        let result = try await platform.verify(try method(platform), proof: proof, challengeID: challenge.id, session: signed.session)
        #expect(result.completion.level == .phishingResistant)
        #expect(result.completion.amr == ["swk", "user"])
        #expect(result.completion.context == payment)
        let stored = try #require(try await platform.passkeys(session: result.issued.session).first)
        #expect(stored.signCount == 1)
        #expect(stored.lastUsedAt == signed.fixture.clock.now)
        let trail = try await signed.fixture.audit(signed.user)
        #expect(trail.contains("mfa.passkey.requested:info"))
        #expect(trail.contains("mfa.verify:success"))
    }

    @Test func aCodeCannotCompleteAChallengeThatNeedsAPasskeyAndCostsNoAttempt() async throws {
        let signed = try await signedIn()
        let platform = signed.fixture.platform
        let challenge = try await platform.openChallenge(session: signed.session, context: payment, level: .phishingResistant)
        let view = try await platform.describeChallenge(id: challenge.id, session: signed.session)
        #expect(view.offers.isEmpty)
        #expect(view.advice == "This needs a passkey. Add a passkey in Security, then try again.")
        let error = await stepupError {
            _ = try await platform.verifyToken(challengeID: challenge.id, token: try signed.fixture.currentTOTP(), session: signed.session)
        }
        #expect(error?.code == .levelInsufficient)
        #expect(try await signed.fixture.failureCounter(signed.user)?.failures ?? 0 == 0)
        // Nor does a code go out for it: no message is sent for a challenge it could never complete.
        let userID = signed.user.id
        let targets = try await signed.fixture.store.read { try await $0.targets(userID: userID) }
        let target = try #require(targets.first)
        let send = await stepupError {
            _ = try await platform.sendCode(challengeID: challenge.id, targetID: target.id, session: signed.session)
        }
        #expect(send?.code == .levelInsufficient)
        #expect(await signed.fixture.outbox.all().isEmpty)
        // Asking again for the same payment at a lower level never lowers it.
        let again = try await platform.openChallenge(session: signed.session, context: payment, level: .aal2)
        #expect(again.id == challenge.id && again.requiredLevel == .phishingResistant)
    }

    @Test func eachCeremonyIsUsedOnceAndAReplayIsCounted() async throws {
        var signed = try await signedIn()
        try await addPasskey(&signed)
        let platform = signed.fixture.platform
        let challenge = try await platform.openChallenge(session: signed.session, context: payment)
        let proof = try await assertion(&signed, challengeID: challenge.id, origin: "https://bank-example.evil")
        let relayed = await stepupError {
            _ = try await platform.verify(try method(platform), proof: proof, challengeID: challenge.id, session: signed.session)
        }
        #expect(relayed?.code == .webauthnOriginMismatch)
        #expect(relayed?.attemptsLeft == 4)
        // The ceremony was used by that proof: the same proof again needs a new start, and costs nothing.
        let unstarted = await stepupError {
            _ = try await platform.verify(try method(platform), proof: proof, challengeID: challenge.id, session: signed.session)
        }
        #expect(unstarted?.code == .webauthnCeremonyMissing)
        #expect(try await signed.fixture.failureCounter(signed.user)?.failures == 1)
        // After a new start, the old assertion signed the old challenge.
        _ = try await assertion(&signed, challengeID: challenge.id)
        let stale = await stepupError {
            _ = try await platform.verify(try method(platform), proof: proof, challengeID: challenge.id, session: signed.session)
        }
        #expect(stale?.code == .webauthnChallengeMismatch)
        #expect(stale?.attemptsLeft == 3)
        let trail = try await signed.fixture.audit(signed.user)
        #expect(trail.filter { $0 == "mfa.passkey.refused:failure" }.count == 2)
    }

    @Test func withoutUserVerificationOrWithAnotherUsersPasskeyTheProofIsRefused() async throws {
        var signed = try await signedIn()
        try await addPasskey(&signed)
        let platform = signed.fixture.platform
        let challenge = try await platform.openChallenge(session: signed.session, context: .logon)
        let touchOnly = try await assertion(&signed, challengeID: challenge.id, flags: [.userPresent])
        let error = await stepupError {
            _ = try await platform.verify(try method(platform), proof: touchOnly, challengeID: challenge.id, session: signed.session)
        }
        #expect(error?.code == .webauthnUserNotVerified)

        // Bob's passkey, presented in alice's ceremony.
        var bob = signed
        bob.authenticator = SoftwareAuthenticator()
        _ = try await signed.fixture.makeUser("bob", logonMFA: .never)
        bob.session = try await signed.fixture.logon("bob").issued.session
        try await addPasskey(&bob)
        let started = try await platform.start(try method(platform), request: NoStart(), challengeID: challenge.id, session: signed.session)
        let bytes = try #require(Base64URL.decodeStrict(started.answer.publicKey.challenge))
        let foreign = try proof(try bob.authenticator.assert(challenge: bytes), id: bob.authenticator.credentialIDText)
        let unknown = await stepupError {
            _ = try await platform.verify(try method(platform), proof: foreign, challengeID: challenge.id, session: signed.session)
        }
        #expect(unknown?.code == .webauthnCredentialUnknown)
    }

    @Test func aCounterThatDidNotGrowIsAuditedAndRefusedUnlessTheBankAcceptsIt() async throws {
        var signed = try await signedIn()
        try await addPasskey(&signed)
        let platform = signed.fixture.platform
        let first = try await platform.openChallenge(session: signed.session, context: .logon)
        let proof = try await assertion(&signed, challengeID: first.id)
        signed.session = try await platform.verify(try method(platform), proof: proof, challengeID: first.id, session: signed.session).issued.session
        // A clone: the same key with the counter the original had before.
        signed.authenticator.signCount = 0
        let second = try await platform.openChallenge(session: signed.session, context: payment)
        let cloned = try await assertion(&signed, challengeID: second.id)
        let error = await stepupError {
            _ = try await platform.verify(try method(platform), proof: cloned, challengeID: second.id, session: signed.session)
        }
        #expect(error?.code == .webauthnSignCountRegressed)
        #expect(try await signed.fixture.audit(signed.user).contains("mfa.passkey.counter_regressed:failure"))

        try await platform.setProperty("PasskeySignCountPolicy", to: "accept")
        signed.authenticator.signCount = 0
        let accepted = try await assertion(&signed, challengeID: second.id)
        _ = try await platform.verify(try method(platform), proof: accepted, challengeID: second.id, session: signed.session)
        #expect(try await signed.fixture.audit(signed.user).contains("mfa.passkey.counter_regressed:info"))
        // The stored counter never goes back.
        let userID = signed.user.id
        #expect(try await signed.fixture.store.read { try await $0.passkeys(userID: userID) }.first?.signCount == 1)
    }

    @Test func aModelOnTheDenyListIsRefusedAtUse() async throws {
        var signed = try await signedIn()
        try await addPasskey(&signed)
        let platform = signed.fixture.platform
        try await platform.setProperty("PasskeyAaguidDenyList", to: "aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa")
        let challenge = try await platform.openChallenge(session: signed.session, context: .logon)
        let proof = try await assertion(&signed, challengeID: challenge.id)
        let error = await stepupError {
            _ = try await platform.verify(try method(platform), proof: proof, challengeID: challenge.id, session: signed.session)
        }
        #expect(error?.code == .webauthnAAGUIDRefused)
    }

    @Test func twentyParallelProofsOfOneAssertionCompleteTheChallengeOnce() async throws {
        var signed = try await signedIn()
        try await addPasskey(&signed)
        let platform = signed.fixture.platform
        let challenge = try await platform.openChallenge(session: signed.session, context: payment)
        let proof = try await assertion(&signed, challengeID: challenge.id)
        let passkey = try method(platform)
        let session = signed.session
        let outcomes = await withTaskGroup(of: StepupError.Code?.self) { group in
            for _ in 0..<20 {
                group.addTask {
                    await stepupError { _ = try await platform.verify(passkey, proof: proof, challengeID: challenge.id, session: session) }?.code
                }
            }
            return await group.reduce(into: [StepupError.Code?]()) { $0.append($1) }
        }
        #expect(outcomes.filter { $0 == nil }.count == 1)
        #expect(outcomes.allSatisfy { $0 == nil || $0 == .challengeClosed || $0 == .notAuthenticated || $0 == .sessionExpired })
    }

    @Test func twentyParallelFinishesOfOneRegistrationStoreOnePasskey() async throws {
        var signed = try await signedIn()
        let platform = signed.fixture.platform
        let session0 = signed.session
        try await confirm(&signed, await stepupError { _ = try await platform.beginPasskeyRegistration(session: session0) })
        let creation = try await platform.beginPasskeyRegistration(session: signed.session)
        let request = try registrationRequest(creation, signed.authenticator)
        let session = signed.session
        let stored = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<20 {
                group.addTask { (try? await platform.finishPasskeyRegistration(request, session: session)) != nil }
            }
            return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(stored == 1)
        #expect(try await platform.passkeys(session: session).count == 1)
    }

    @Test func removalNeedsAStepUpAndNeverTakesTheLastWayToVerify() async throws {
        var signed = try await signedIn(targets: false)
        let platform = signed.fixture.platform
        // Alice has no other factor: her step-up for adding one is impossible here, so store the passkey directly.
        let record = PasskeyRecord(
            id: signed.authenticator.credentialIDText, userID: signed.user.id, name: "Only", publicKey: "x", algorithm: -7,
            signCount: 0, aaguid: String(repeating: "0", count: 32), transports: [], backupEligible: false, backedUp: false,
            createdAt: signed.fixture.clock.now)
        _ = try await signed.fixture.store.write { tx in try await tx.insert(record) }
        try await platform.addTarget(userID: signed.user.id, kind: .email, address: "alice@example.com")
        let session = signed.session
        let first = await stepupError { try await platform.removePasskey(id: record.id, session: session) }
        let challengeID = try #require(first?.challengeID)
        #expect(first?.code == .mfaRequired)
        let code = try await signed.fixture.sendCode(challengeID: challengeID, session: signed.session, kind: .email)
        signed.session = try await platform.verifyCode(challengeID: challengeID, code: code, session: signed.session).issued.session
        // With the email target gone, the passkey is the last factor.
        let userID = signed.user.id
        let target = try #require(try await signed.fixture.store.read { try await $0.targets(userID: userID) }.first)
        _ = try await signed.fixture.store.write { tx in try await tx.removeTarget(id: target.id, userID: userID) }
        let last = await stepupError { try await platform.removePasskey(id: record.id, session: signed.session) }
        #expect(last?.code == .lastFactor)
        try await platform.addTarget(userID: signed.user.id, kind: .sms, address: "+15550100")
        try await platform.removePasskey(id: record.id, session: signed.session)
        #expect(try await platform.passkeys(session: signed.session).isEmpty)
        let missing = await stepupError { try await platform.removePasskey(id: record.id, session: signed.session) }
        #expect(missing?.code == .notFound)
    }

    @Test func theSupportDeskRemovesALostPasskeyAudited() async throws {
        var signed = try await signedIn()
        let record = try await addPasskey(&signed)
        let platform = signed.fixture.platform
        #expect(try await platform.passkeys(userID: signed.user.id).map(\.id) == [record.id])
        try await platform.removePasskey(id: record.id, userID: signed.user.id)
        #expect(try await platform.passkeys(userID: signed.user.id).isEmpty)
        #expect(try await signed.fixture.audit(signed.user).contains("admin.passkey.removed:success"))
        let again = await stepupError { try await platform.removePasskey(id: record.id, userID: signed.user.id) }
        #expect(again?.code == .notFound)
    }

    @Test func namesAreCheckedAndRenamingIsTheOwnersOnly() async throws {
        var signed = try await signedIn()
        let record = try await addPasskey(&signed)
        let platform = signed.fixture.platform
        #expect(try await platform.renamePasskey(id: record.id, to: "  Phone ", session: signed.session).name == "Phone")
        let long = await stepupError { _ = try await platform.renamePasskey(id: record.id, to: String(repeating: "x", count: 65), session: signed.session) }
        #expect(long?.code == .badRequest)
        let control = await stepupError { _ = try await platform.renamePasskey(id: record.id, to: "a\u{0007}b", session: signed.session) }
        #expect(control?.code == .badRequest)
        _ = try await signed.fixture.makeUser("bob", logonMFA: .never)
        let bob = try await signed.fixture.logon("bob").issued.session
        let foreign = await stepupError { _ = try await platform.renamePasskey(id: record.id, to: "Mine", session: bob) }
        #expect(foreign?.code == .notFound)
    }

    @Test func withoutSettingsNoPasskeyIsOfferedOrRegistered() async throws {
        let fixture = try await PlatformFixture()
        _ = try await fixture.makeUser(logonMFA: .never)
        let session = try await fixture.logon().issued.session
        let error = await stepupError { _ = try await fixture.platform.beginPasskeyRegistration(session: session) }
        #expect(error?.code == .notFound)
        let challenge = try await fixture.platform.openChallenge(session: session, context: .logon)
        #expect(try await fixture.platform.describeChallenge(id: challenge.id, session: session).offer(.passkey) == nil)
    }

    @Test func aRuleThatAsksForAPasskeyRaisesTheOutcomesLevelAndOnlyAPasskeyOpensTheCall() async throws {
        var signed = try await signedIn()
        try await addPasskey(&signed)
        let platform = signed.fixture.platform
        try await platform.saveEDVRules([
            EDVRuleDefinition(
                id: "passkey-large", position: 1, action: "TransferFunds",
                conditions: [.detailAbove(key: "transaction.amountMinor", threshold: 500_000)], decision: .requireMFA,
                level: .phishingResistant),
            EDVRuleDefinition(id: "mfa-transfers", position: 2, action: "TransferFunds", decision: .requireMFA),
        ])
        let large = MFAContext.transaction([TransactionItem(id: "t-9", amountMinor: 600_000, currency: "EUR", payee: "Dora")])
        let details = ["transaction.amountMinor": "600000"]
        guard case .requireMFA(let challengeID, _) = try await platform.evaluateEvent(
            action: "TransferFunds", details: details, linked: large, session: signed.session)
        else {
            Issue.record("expected require MFA")
            return
        }
        let view = try await platform.describeChallenge(id: challengeID, session: signed.session)
        #expect(view.challenge.requiredLevel == .phishingResistant)
        #expect(view.methods == [.passkey])
        let decision = try await platform.auditTrail(userID: signed.user.id).last { $0.action == "edv.decision" }
        #expect(decision?.details["level"] == "phr")
        #expect(decision?.details["rule"] == "passkey-large")
        // A code cannot complete it.
        let code = await stepupError {
            _ = try await platform.verifyToken(challengeID: challengeID, token: try signed.fixture.currentTOTP(), session: signed.session)
        }
        #expect(code?.code == .levelInsufficient)
        let proof = try await assertion(&signed, challengeID: challengeID)
        signed.session = try await platform.verify(try method(platform), proof: proof, challengeID: challengeID, session: signed.session).issued.session
        #expect(try await platform.evaluateEvent(action: "TransferFunds", details: details, linked: large, session: signed.session) == .allow(large))

        // A small transfer is any method's.
        let small = MFAContext.transaction([TransactionItem(id: "t-10", amountMinor: 10_000, currency: "EUR", payee: "Dora")])
        guard case .requireMFA(let smallID, _) = try await platform.evaluateEvent(
            action: "TransferFunds", details: ["transaction.amountMinor": "10000"], linked: small, session: signed.session)
        else {
            Issue.record("expected require MFA")
            return
        }
        #expect(try await platform.describeChallenge(id: smallID, session: signed.session).challenge.requiredLevel == .aal1)
    }

    @Test func aGuardsLevelIsOnlySatisfiedByACompletionOfThatLevel() async throws {
        var signed = try await signedIn()
        try await addPasskey(&signed)
        let platform = signed.fixture.platform
        let context = MFAContext.extensionPrompt(extension: "vault", route: "open")
        let opened = try await platform.openChallenge(session: signed.session, context: context)
        signed.fixture.clock.advance(by: 30)
        signed.session = try await platform.verifyToken(
            challengeID: opened.id, token: try signed.fixture.currentTOTP(), session: signed.session).issued.session
        // The TOTP completion (aal2) does not open a route that needs a passkey, and is left for one that does not.
        #expect(try await platform.satisfy(contexts: [context], freshFor: 60, level: .phishingResistant, session: signed.session) == nil)
        #expect(try await platform.satisfy(contexts: [context], freshFor: 60, level: .aal2, session: signed.session) == context)
        #expect(try await platform.satisfy(contexts: [context], freshFor: nil, level: .phishingResistant, session: signed.session) == nil)
        let raised = try await platform.openChallenge(session: signed.session, context: context, level: .phishingResistant)
        let proof = try await assertion(&signed, challengeID: raised.id)
        signed.session = try await platform.verify(try method(platform), proof: proof, challengeID: raised.id, session: signed.session).issued.session
        #expect(try await platform.satisfy(contexts: [context], freshFor: nil, level: .phishingResistant, session: signed.session) == context)
    }

    @Test func aBankThatRequiresAttestationRefusesAnUnattestedPasskey() async throws {
        var settings = Self.settings
        settings.requireAttestation = true
        settings.attestationRoots = [[0x30, 0x00]]
        let fixture = try await PlatformFixture(passkeys: settings)
        _ = try await fixture.makeUser(logonMFA: .never)
        var signed = Signed(fixture: fixture, user: try #require(try await fixture.platform.users().first), session: try await fixture.logon().issued.session)
        let platform = fixture.platform
        let session = signed.session
        try await confirm(&signed, await stepupError { _ = try await platform.beginPasskeyRegistration(session: session) })
        let creation = try await platform.beginPasskeyRegistration(session: signed.session)
        let error = await stepupError {
            _ = try await platform.finishPasskeyRegistration(try registrationRequest(creation, signed.authenticator), session: signed.session)
        }
        #expect(error?.code == .webauthnAttestationInvalid)
        let refused = try await platform.auditTrail(userID: signed.user.id).last { $0.action == "security.passkey.refused" }
        #expect(refused?.details["reason"] == "attestation_untrusted")
    }

    @Test func theBanksFloorForPaymentsHoldsWhateverTheGuardAskedAndAtTheTransferAPI() async throws {
        var signed = try await signedIn()
        try await addPasskey(&signed)
        let platform = signed.fixture.platform
        let account = try await platform.addAccount(userID: signed.user.id, name: "Main", number: "1", balanceMinor: 2_000_000, currency: "EUR")
        let item = try #require(payment.transactions?.first)
        let request = TransferRequest(
            transactionID: item.id, fromAccountID: account.id, amountMinor: item.amountMinor, currency: item.currency, payee: item.payee)
        // Before the floor: a TOTP completion of the payment (a plain transactions guard asks for no level).
        let early = try await platform.openChallenge(session: signed.session, context: payment)
        #expect(early.requiredLevel == .aal1)
        signed.fixture.clock.advance(by: 30)
        signed.session = try await platform.verifyToken(
            challengeID: early.id, token: try signed.fixture.currentTOTP(), session: signed.session).issued.session
        #expect(try await platform.consumeCompletion(session: signed.session, context: payment)?.level == .aal2)
        // The bank sets a floor of 5,000.00: the transfer API refuses that completion, whatever the guard did.
        try await platform.setProperty("PhishingResistantAboveMinor", to: "500000")
        let refused = await stepupError { _ = try await platform.transfer(request, session: signed.session) }
        #expect(refused?.code == .levelInsufficient)
        // A challenge for it now opens at the passkey's level, with no level asked.
        let raised = try await platform.openChallenge(session: signed.session, context: payment)
        #expect(raised.requiredLevel == .phishingResistant)
        let proof = try await assertion(&signed, challengeID: raised.id)
        signed.session = try await platform.verify(try method(platform), proof: proof, challengeID: raised.id, session: signed.session).issued.session
        #expect(try await platform.consumeCompletion(session: signed.session, context: payment)?.level == .phishingResistant)
        let receipt = try await platform.transfer(request, session: signed.session)
        #expect(receipt.balanceMinor == 2_000_000 - 520_000)
        // Below the floor, a code still does.
        let small = MFAContext.transaction([TransactionItem(id: "t-2", amountMinor: 9_000, currency: "EUR", payee: "Dora")])
        #expect(try await platform.openChallenge(session: signed.session, context: small).requiredLevel == .aal1)
    }

    @Test func aGuardThatNeedsAPasskeyIsNotOpenedByAnAllowRule() async throws {
        let signed = try await signedIn()
        let platform = signed.fixture.platform
        try await platform.saveEDVRules([EDVRuleDefinition(id: "allow-all", position: 1, action: "CloseAccount", decision: .allow)])
        #expect(try await platform.evaluateEvent(action: "CloseAccount", details: [:], linked: nil, session: signed.session) == .allow(nil))
        guard case .requireMFA(let challengeID, _) = try await platform.evaluateEvent(
            action: "CloseAccount", details: [:], linked: nil, level: .phishingResistant, session: signed.session)
        else {
            Issue.record("an allow rule opened a route that needs a passkey")
            return
        }
        #expect(try await platform.describeChallenge(id: challengeID, session: signed.session).challenge.requiredLevel == .phishingResistant)
        let decision = try await platform.auditTrail(userID: signed.user.id).last { $0.action == "edv.decision" }
        #expect(decision?.details["reason"] == "guard_level")
    }

    @Test func everyRelyingPartyRefusalHasAnAPICode() {
        for reason in WebAuthnError.Reason.allCases {
            #expect(StepupError.Code(rawValue: reason.rawValue) != nil, "\(reason)")
        }
    }
}
