import Foundation
import StepupCore
import StepupStore
import Testing

@testable import StepupPlatform

@Suite("The customer's security centre: authenticators, targets, recovery codes, sessions, notices")
struct SecurityCentreTests {
    struct Signed {
        let fixture: PlatformFixture
        let user: User
        var session: Session
    }

    func signedIn(logonMFA: LogonMFAPolicy = .never) async throws -> Signed {
        let fixture = try await PlatformFixture()
        let user = try await fixture.makeUser(logonMFA: logonMFA)
        let logon = try await fixture.logon()
        guard let challenge = logon.challenge else { return Signed(fixture: fixture, user: user, session: logon.issued.session) }
        let result = try await fixture.platform.verifyToken(
            challengeID: challenge.id, token: try fixture.currentTOTP(), session: logon.issued.session)
        return Signed(fixture: fixture, user: user, session: result.issued.session)
    }

    /// Completes the `mfa_required` challenge with the RFC 6238 token, as the dialog would.
    func confirm(_ signed: inout Signed, _ error: StepupError?) async throws {
        let challengeID = try #require(error?.challengeID, "expected mfa_required, got \(String(describing: error))")
        #expect(error?.code == .mfaRequired)
        #expect(error?.maxAge == 120)
        signed.fixture.clock.advance(by: 30)
        let result = try await signed.fixture.platform.verifyToken(
            challengeID: challengeID, token: try signed.fixture.currentTOTP(), session: signed.session)
        signed.session = result.issued.session
    }

    func notices(_ fixture: PlatformFixture) async -> [DeliveryMessage] {
        await fixture.outbox.all().filter { $0.code.isEmpty }
    }

    @Test func anAuthenticatorAppIsAddedOnlyAfterAStepUpAndItsFirstCode() async throws {
        var signed = try await signedIn()
        let platform = signed.fixture.platform
        let session = signed.session
        try await confirm(&signed, await stepupError { _ = try await platform.beginAuthenticator(name: "Phone", session: session) })
        let enrolment = try await platform.beginAuthenticator(name: "Phone", session: signed.session)
        #expect(enrolment.uri.hasPrefix("otpauth://totp/"))
        #expect(enrolment.uri.contains("secret=\(enrolment.secretGroups.joined())"))
        // The confirmation was spent on that start: another start needs another step-up.
        #expect(await stepupError { _ = try await platform.beginAuthenticator(name: nil, session: signed.session) }?.code == .mfaRequired)
        // Pending: not offered, not listed.
        #expect(try await platform.authenticators(session: signed.session).count == 1)
        let secret = try #require(Base32.decode(enrolment.secretGroups.joined()))
        let totp = try TOTP(secret: secret)
        let wrong = await stepupError {
            _ = try await platform.confirmAuthenticator(id: enrolment.id, code: "000000" == (totp.code(at: signed.fixture.clock.now)) ? "111111" : "000000", session: signed.session)
        }
        #expect(wrong?.code == .tokenInvalid)
        // Another session cannot finish it.
        let other = try await signed.fixture.logon().issued.session
        let stolen = await stepupError {
            _ = try await platform.confirmAuthenticator(id: enrolment.id, code: totp.code(at: signed.fixture.clock.now), session: other)
        }
        #expect(stolen?.code == .enrolmentExpired)
        let code = totp.code(at: signed.fixture.clock.now)
        let added = try await platform.confirmAuthenticator(id: enrolment.id, code: code, session: signed.session)
        #expect(added.name == "Phone")
        #expect(try await platform.authenticators(session: signed.session).map(\.name) == ["Authenticator app", "Phone"])
        // The code that proved it is spent: it cannot also pass a challenge.
        let challenge = try await platform.openChallenge(session: signed.session, context: FactorChange.addTarget.context)
        let replay = await stepupError { _ = try await platform.verifyToken(challengeID: challenge.id, token: code, session: signed.session) }
        #expect(replay?.code == .tokenReplayed || replay?.code == .tokenInvalid)
        // The customer is told on email and SMS.
        let told = await notices(signed.fixture)
        #expect(Set(told.map(\.target.kind)) == [.email, .sms])
        #expect(told.allSatisfy { $0.subject?.contains("A new authenticator app was added") == true && $0.text.contains("Not you?") })
        #expect(try await signed.fixture.audit(signed.user).contains("security.authenticator.added:success"))
    }

    @Test func anEnrolmentEndsAfterFiveWrongCodesOrTenMinutes() async throws {
        var signed = try await signedIn()
        let platform = signed.fixture.platform
        let session = signed.session
        try await confirm(&signed, await stepupError { _ = try await platform.beginAuthenticator(name: nil, session: session) })
        let enrolment = try await platform.beginAuthenticator(name: nil, session: signed.session)
        let totp = try TOTP(secret: try #require(Base32.decode(enrolment.secretGroups.joined())))
        let right = totp.code(at: signed.fixture.clock.now)
        let wrongCode = right == "123456" ? "654321" : "123456"
        let pendingSession = signed.session
        // Parallel wrong codes spend exactly five attempts.
        let answers = await withTaskGroup(of: StepupError.Code?.self) { group in
            for _ in 0..<12 {
                group.addTask { await stepupError { _ = try await platform.confirmAuthenticator(id: enrolment.id, code: wrongCode, session: pendingSession) }?.code }
            }
            return await group.reduce(into: [StepupError.Code?]()) { $0.append($1) }
        }
        #expect(answers.filter { $0 == .tokenInvalid }.count == 5)
        #expect(answers.filter { $0 == .enrolmentExpired }.count == 7)
        #expect(await stepupError { _ = try await platform.confirmAuthenticator(id: enrolment.id, code: right, session: signed.session) }?.code == .enrolmentExpired)

        try await confirm(&signed, await stepupError { _ = try await platform.beginAuthenticator(name: nil, session: signed.session) })
        let late = try await platform.beginAuthenticator(name: nil, session: signed.session)
        signed.fixture.clock.advance(by: 601)
        let lateTOTP = try TOTP(secret: try #require(Base32.decode(late.secretGroups.joined())))
        #expect(await stepupError {
            _ = try await platform.confirmAuthenticator(id: late.id, code: lateTOTP.code(at: signed.fixture.clock.now), session: signed.session)
        }?.code == .enrolmentExpired)
    }

    @Test func anAddedPhoneNumberIsUsableOnlyOnceItsCodeCameBack() async throws {
        var signed = try await signedIn()
        let platform = signed.fixture.platform
        let session = signed.session
        #expect(await stepupError { _ = try await platform.addTarget(kind: .sms, address: "07700 900123", session: session) }?.code == .badRequest)
        #expect(await stepupError { _ = try await platform.addTarget(kind: .email, address: "not-an-address", session: session) }?.code == .badRequest)
        #expect(await stepupError { _ = try await platform.addTarget(kind: .email, address: "alice@example.com", session: session) }?.code == .factorExists)
        try await confirm(&signed, await stepupError { _ = try await platform.addTarget(kind: .sms, address: "+44 7700 900123", session: session) })
        let pending = try await platform.addTarget(kind: .sms, address: "+44 7700 900123", session: signed.session)
        #expect(pending.record.target.address == "+447700900123")
        #expect(pending.record.verifiedAt == nil)
        let sent = try #require(await signed.fixture.outbox.all().first { $0.target.id == pending.record.target.id })
        #expect(sent.text.contains("to add this phone number"))
        // Not offered to a challenge while pending.
        let challenge = try await platform.openChallenge(session: signed.session, context: .logon)
        let offered = try await platform.describeChallenge(id: challenge.id, session: signed.session).offer(.accessCode)?.choices.map(\.id) ?? []
        #expect(!offered.contains(pending.record.target.id))
        let wrong = await stepupError {
            _ = try await platform.verifyTarget(id: pending.record.target.id, code: sent.code == "000000" ? "111111" : "000000", session: signed.session)
        }
        #expect(wrong?.code == .codeInvalid)
        #expect(wrong?.attemptsLeft == 4)
        // Within the cooldown no new code.
        #expect(await stepupError { _ = try await platform.resendTargetCode(id: pending.record.target.id, session: signed.session) }?.code == .resendTooSoon)
        let verified = try await platform.verifyTarget(id: pending.record.target.id, code: sent.code, session: signed.session)
        #expect(verified.verifiedAt != nil)
        let now = try await platform.describeChallenge(id: challenge.id, session: signed.session).offer(.accessCode)?.choices.map(\.id) ?? []
        #expect(now.contains(pending.record.target.id))
        // Told on the other channels, not on the new number.
        let told = await notices(signed.fixture)
        #expect(!told.isEmpty && told.allSatisfy { $0.target.id != pending.record.target.id && $0.subject?.contains("A phone number was added") == true })
    }

    @Test func verificationSendsStopAtTheAddressCap() async throws {
        var signed = try await signedIn()
        let platform = signed.fixture.platform
        try await platform.setProperty("SendCapPerTargetPerHour", to: "3")
        let session = signed.session
        try await confirm(&signed, await stepupError { _ = try await platform.addTarget(kind: .email, address: "new@example.org", session: session) })
        let first = try await platform.addTarget(kind: .email, address: "new@example.org", session: signed.session)
        var outcomes: [StepupError.Code?] = []
        for _ in 0..<4 {
            signed.fixture.clock.advance(by: 31)
            outcomes.append(await stepupError { _ = try await platform.resendTargetCode(id: first.record.target.id, session: signed.session) }?.code)
        }
        // Three sends per address per hour: the first and two resends.
        #expect(outcomes == [nil, nil, .sendLimitReached, .sendLimitReached])
    }

    @Test func recoveryCodesSignInOnceEachAndANewSetVoidsTheOld() async throws {
        var signed = try await signedIn(logonMFA: .always)
        let platform = signed.fixture.platform
        let session = signed.session
        try await confirm(&signed, await stepupError { _ = try await platform.newRecoveryCodes(session: session) })
        let first = try await platform.newRecoveryCodes(session: signed.session)
        #expect(first.codes.count == 10 && Set(first.codes).count == 10)
        #expect(first.codes.allSatisfy { $0.count == 19 && $0.split(separator: "-").count == 4 })
        #expect(try await platform.recoveryCodeStatus(session: signed.session).left == 10)
        try await confirm(&signed, await stepupError { _ = try await platform.newRecoveryCodes(session: signed.session) })
        let second = try await platform.newRecoveryCodes(session: signed.session)

        let logon = try await signed.fixture.logon()
        let challenge = try #require(logon.challenge)
        let method = try #require(platform.methods[.recoveryCode] as? RecoveryCodeMethod)
        #expect(try await platform.describeChallenge(id: challenge.id, session: logon.issued.session).offer(.recoveryCode) != nil)
        // An old code is refused and counted.
        let old = await stepupError {
            _ = try await platform.verify(method, proof: .init(code: first.codes[0]), challengeID: challenge.id, session: logon.issued.session)
        }
        #expect(old?.code == .codeInvalid)
        #expect(try await signed.fixture.failureCounter(signed.user)?.failures == 1)
        // Typed in lower case with spaces: accepted; parallel uses of it on one challenge complete once.
        let typed = second.codes[3].lowercased().replacingOccurrences(of: "-", with: " ")
        let results = await withTaskGroup(of: VerificationResult?.self) { group in
            for _ in 0..<10 {
                group.addTask {
                    try? await platform.verify(method, proof: .init(code: typed), challengeID: challenge.id, session: logon.issued.session)
                }
            }
            return await group.reduce(into: [VerificationResult]()) { if let result = $1 { $0.append(result) } }
        }
        #expect(results.count == 1)
        let resumed = try await platform.resumeSession(token: try #require(results.first).issued.secrets.sessionToken)
        #expect(resumed.session.stage == .authenticated)
        #expect(try await platform.signedInWithRecoveryCode(session: resumed.session))
        #expect(try await platform.recoveryCodeStatus(session: resumed.session).left == 9)
        // The code is spent: a second logon cannot use it.
        let again = try await signed.fixture.logon()
        let reused = await stepupError {
            _ = try await platform.verify(method, proof: .init(code: typed), challengeID: try #require(again.challenge).id, session: again.issued.session)
        }
        #expect(reused?.code == .codeInvalid)
        #expect(await notices(signed.fixture).contains { $0.subject?.contains("A recovery code was used") == true })
        // Not offered for a payment unless the bank says so.
        let edv = try await platform.openChallenge(session: resumed.session, context: FactorChange.addTarget.context)
        #expect(try await platform.describeChallenge(id: edv.id, session: resumed.session).offer(.recoveryCode) == nil)
    }

    @Test func signingOutEverywhereElseEndsTheOtherSessionsOnly() async throws {
        let signed = try await signedIn()
        let platform = signed.fixture.platform
        let other = try await signed.fixture.platform.logon(
            username: "alice", password: PlatformFixture.password, clientAddress: "10.0.0.9", userAgent: "Phone browser")
        let listed = try await platform.sessions(session: signed.session)
        #expect(listed.count == 2)
        #expect(listed.filter(\.current).map(\.id) == [signed.session.id])
        #expect(listed.contains { $0.userAgent == "Phone browser" && $0.clientAddress == "10.0.0.9" })
        #expect(try await platform.endOtherSessions(session: signed.session) == 1)
        #expect(await stepupError { _ = try await platform.resumeSession(token: other.issued.secrets.sessionToken) } != nil)
        #expect(try await platform.sessions(session: signed.session).map(\.id) == [signed.session.id])
        let events = try await platform.securityEvents(session: signed.session)
        #expect(events.first?.action == "security.sessions.ended")
    }

    @Test func theLastFactorForLogonOrForPaymentsIsNeverRemoved() async throws {
        let fixture = try await PlatformFixture()
        let user = try await fixture.platform.createUser(
            username: "bob", displayName: "Bob", password: PlatformFixture.password, logonMFA: .never)
        try await fixture.platform.addAccessToken(userID: user.id, secret: Array("12345678901234567890".utf8))
        let session = try await fixture.logon("bob").issued.session
        let token = try #require(try await fixture.platform.authenticators(session: session).first)
        #expect(await stepupError { try await fixture.platform.removeAuthenticator(id: token.id, session: session) }?.code == .lastFactor)
        // An email target allowed for logon only does not make the app removable: payments would have no factor.
        try await fixture.platform.addTarget(userID: user.id, kind: .email, address: "bob@example.com")
        try await fixture.platform.setProperty("EdvTacAllowEmailTargets", to: "false")
        let refusal = await stepupError { try await fixture.platform.removeAuthenticator(id: token.id, session: session) }
        #expect(refusal?.code == .lastFactor)
        #expect(refusal?.message.contains("payments") == true)
        try await fixture.platform.setProperty("EdvTacAllowEmailTargets", to: "true")
        #expect(await stepupError { try await fixture.platform.removeAuthenticator(id: token.id, session: session) }?.code == .mfaRequired)
    }
}
