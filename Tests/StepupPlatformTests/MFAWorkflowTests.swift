import Foundation
import StepupCore
import StepupStore
import Testing

@testable import StepupPlatform

@Suite("MFA workflow")
struct MFAWorkflowTests {
    @Test func logonMFAWithAnAccessCodeAuthenticatesAndRotatesTheSession() async throws {
        let fixture = try await PlatformFixture()
        let alice = try await fixture.makeUser()
        let logon = try await fixture.logon()
        let session = logon.issued.session
        let challenge = try #require(logon.challenge)
        let code = try await fixture.sendCode(challengeID: challenge.id, session: session)
        let message = try #require(await fixture.outbox.all().first)
        #expect(message.text.contains(code) && message.text.contains("Stepup Bank"))
        let result = try await fixture.platform.verifyCode(challengeID: challenge.id, code: code, session: session)
        #expect(result.challenge.state == .completed)
        #expect(result.issued.session.stage == .authenticated)
        #expect(result.completion.consumedAt != nil)
        // The pre-logon session secret is worthless now; the new one works.
        #expect(await stepupError { _ = try await fixture.platform.resumeSession(token: logon.issued.secrets.sessionToken) } == StepupError(.notAuthenticated))
        let resumed = try await fixture.platform.resumeSession(token: result.issued.secrets.sessionToken)
        #expect(resumed.session.stage == .authenticated)
        try fixture.platform.checkCSRF(result.issued.secrets.csrfToken, for: resumed.session)
        #expect(throws: StepupError(.csrfInvalid)) { try fixture.platform.checkCSRF(logon.issued.secrets.csrfToken, for: resumed.session) }
        let trail = try await fixture.audit(alice)
        for step in ["mfa.challenge.opened:info", "mfa.code.sent:success", "mfa.verify:success", "mfa.completion.created:success"] {
            #expect(trail.contains(step), "\(step)")
        }
        await fixture.close()
    }

    @Test func theTargetsOfAChallengeFollowItsContextsProperties() async throws {
        let fixture = try await PlatformFixture()
        try await fixture.makeUser("bob", logonMFA: .never)
        try await fixture.store.write { tx in
            try await tx.setProperty("LogonTacAllowEmailTargets", to: "false")
            try await tx.setProperty("EdvTacAllowSmsTargets", to: "false")
            try await tx.setProperty("EdvTacAllowVoiceTargets", to: "false")
        }
        let session = try await fixture.logon("bob").issued.session
        let logonChallenge = try await fixture.platform.openChallenge(session: session, context: .logon)
        let prompt = try await fixture.platform.openChallenge(session: session, context: .extensionPrompt(extension: "transfers", route: nil))
        let logonKinds = try await fixture.platform.describeChallenge(id: logonChallenge.id, session: session).offer(.accessCode)?.choices.compactMap { TargetKind(rawValue: $0.kind) } ?? []
        let promptKinds = try await fixture.platform.describeChallenge(id: prompt.id, session: session).offer(.accessCode)?.choices.compactMap { TargetKind(rawValue: $0.kind) } ?? []
        #expect(Set(logonKinds) == [.sms, .voice, .push])
        #expect(Set(promptKinds) == [.email, .push])
        // A target the context may not use is refused even by id.
        let email = try await fixture.store.read { try await $0.targets(userID: session.userID) }.first { $0.kind == .email }!
        let error = await stepupError { _ = try await fixture.platform.sendCode(challengeID: logonChallenge.id, targetID: email.id, session: session) }
        #expect(error?.code == .targetNotAllowed)
        await fixture.close()
    }

    @Test func oneChallengePerPendingContext() async throws {
        let fixture = try await PlatformFixture()
        try await fixture.makeUser("bob", logonMFA: .never)
        let session = try await fixture.logon("bob").issued.session
        let context = MFAContext.extensionPrompt(extension: "transfers", route: "submit")
        let a = try await fixture.platform.openChallenge(session: session, context: context)
        let b = try await fixture.platform.openChallenge(session: session, context: context)
        let c = try await fixture.platform.openChallenge(session: session, context: .extensionPrompt(extension: "other", route: "submit"))
        #expect(a.id == b.id)
        #expect(a.id != c.id)
        _ = try await fixture.platform.cancelChallenge(id: a.id, session: session)
        let d = try await fixture.platform.openChallenge(session: session, context: context)
        #expect(d.id != a.id)
        await fixture.close()
    }

    @Test func aWrongCodeCountsAndSaysHowManyAttemptsAreLeft() async throws {
        let fixture = try await PlatformFixture()
        let alice = try await fixture.makeUser()
        let logon = try await fixture.logon()
        let code = try await fixture.sendCode(challengeID: logon.challenge!.id, session: logon.issued.session)
        let wrong = code == "000000" ? "111111" : "000000"
        let error = await stepupError { _ = try await fixture.platform.verifyCode(challengeID: logon.challenge!.id, code: wrong, session: logon.issued.session) }
        #expect(error?.code == .codeInvalid)
        #expect(error?.attemptsLeft == 4)
        #expect(try await fixture.failureCounter(alice)?.failures == 1)
        #expect(try await fixture.audit(alice).contains("mfa.verify:failure"))
        // A success resets the counter.
        _ = try await fixture.platform.verifyCode(challengeID: logon.challenge!.id, code: code, session: logon.issued.session)
        #expect(try await fixture.failureCounter(alice)?.failures == 0)
        await fixture.close()
    }

    @Test func fiveFailuresAcrossMethodsAndChallengesLockTheUserUntilAStoredTime() async throws {
        let fixture = try await PlatformFixture()
        let alice = try await fixture.makeUser()
        let first = try await fixture.logon()
        let code = try await fixture.sendCode(challengeID: first.challenge!.id, session: first.issued.session)
        let wrong = code == "000000" ? "111111" : "000000"
        for _ in 0..<2 {
            _ = await stepupError { _ = try await fixture.platform.verifyCode(challengeID: first.challenge!.id, code: wrong, session: first.issued.session) }
        }
        for _ in 0..<2 {
            _ = await stepupError { _ = try await fixture.platform.verifyToken(challengeID: first.challenge!.id, token: "000000", session: first.issued.session) }
        }
        // A second sign-in gets a new challenge but the same counter.
        let second = try await fixture.logon()
        #expect(second.challenge!.id != first.challenge!.id)
        let last = await stepupError { _ = try await fixture.platform.verifyToken(challengeID: second.challenge!.id, token: "000000", session: second.issued.session) }
        #expect(last?.code == .attemptsExhausted)
        let lockedUntil = try #require(last?.lockedUntil)
        #expect(lockedUntil == fixture.clock.now.addingTimeInterval(1800))
        #expect(try await fixture.failureCounter(alice)?.lockedUntil == lockedUntil)
        // Locked: even the right answer is refused, on any challenge, and no code is sent.
        let right = await stepupError { _ = try await fixture.platform.verifyToken(challengeID: first.challenge!.id, token: try fixture.currentTOTP(), session: first.issued.session) }
        #expect(right?.code == .userLocked)
        #expect(right?.lockedUntil == lockedUntil)
        let third = try await fixture.logon()
        let send = await stepupError { _ = try await fixture.sendCode(challengeID: third.challenge!.id, session: third.issued.session) }
        #expect(send?.code == .userLocked)
        #expect(try await fixture.audit(alice).contains("mfa.lockout:failure"))
        // After the lockout, the counter starts over.
        fixture.clock.advance(by: 1801)
        let fourth = try await fixture.logon()
        _ = try await fixture.platform.verifyToken(challengeID: fourth.challenge!.id, token: try fixture.currentTOTP(), session: fourth.issued.session)
        await fixture.close()
    }

    @Test func anOperatorUnlockClearsTheLockout() async throws {
        let fixture = try await PlatformFixture()
        let alice = try await fixture.makeUser()
        let logon = try await fixture.logon()
        for _ in 0..<5 {
            _ = await stepupError { _ = try await fixture.platform.verifyToken(challengeID: logon.challenge!.id, token: "000000", session: logon.issued.session) }
        }
        #expect(try await fixture.failureCounter(alice)?.isLocked(at: fixture.clock.now) == true)
        try await fixture.platform.unlock(userID: alice.id)
        let again = try await fixture.logon()
        _ = try await fixture.platform.verifyToken(challengeID: again.challenge!.id, token: try fixture.currentTOTP(), session: again.issued.session)
        await fixture.close()
    }

    @Test func anExpiredCodeIsRefusedWithoutCostingAnAttempt() async throws {
        let fixture = try await PlatformFixture()
        let alice = try await fixture.makeUser()
        let logon = try await fixture.logon()
        let code = try await fixture.sendCode(challengeID: logon.challenge!.id, session: logon.issued.session)
        fixture.clock.advance(by: 300)
        let error = await stepupError { _ = try await fixture.platform.verifyCode(challengeID: logon.challenge!.id, code: code, session: logon.issued.session) }
        #expect(error?.code == .codeExpired)
        #expect(try await fixture.failureCounter(alice)?.failures ?? 0 == 0)
        // A fresh code (after the cooldown) works.
        let fresh = try await fixture.sendCode(challengeID: logon.challenge!.id, session: logon.issued.session)
        _ = try await fixture.platform.verifyCode(challengeID: logon.challenge!.id, code: fresh, session: logon.issued.session)
        await fixture.close()
    }

    @Test func anExpiredChallengeIsClosedForGood() async throws {
        let fixture = try await PlatformFixture()
        try await fixture.makeUser()
        let logon = try await fixture.logon()
        let code = try await fixture.sendCode(challengeID: logon.challenge!.id, session: logon.issued.session)
        fixture.clock.advance(by: 601)
        let error = await stepupError { _ = try await fixture.platform.verifyCode(challengeID: logon.challenge!.id, code: code, session: logon.issued.session) }
        #expect(error?.code == .challengeExpired)
        let stored = try await fixture.store.read { try await $0.challenge(id: logon.challenge!.id) }
        #expect(stored?.state == .expired)
        await fixture.close()
    }

    @Test func aCodeWorksOnceOnly() async throws {
        let fixture = try await PlatformFixture()
        try await fixture.makeUser("bob", logonMFA: .never)
        let session = try await fixture.logon("bob").issued.session
        let challenge = try await fixture.platform.openChallenge(session: session, context: .extensionPrompt(extension: "x", route: nil))
        let code = try await fixture.sendCode(challengeID: challenge.id, session: session)
        _ = try await fixture.platform.verifyCode(challengeID: challenge.id, code: code, session: session)
        let again = await stepupError { _ = try await fixture.platform.verifyCode(challengeID: challenge.id, code: code, session: session) }
        #expect(again?.code == .challengeClosed)
        await fixture.close()
    }

    @Test func anotherSessionsChallengeIsNotFound() async throws {
        let fixture = try await PlatformFixture()
        try await fixture.makeUser()
        let mine = try await fixture.logon()
        let theirs = try await fixture.logon()
        let code = try await fixture.sendCode(challengeID: mine.challenge!.id, session: mine.issued.session)
        for attempt in [
            { _ = try await fixture.platform.verifyCode(challengeID: mine.challenge!.id, code: code, session: theirs.issued.session) },
            { _ = try await fixture.platform.describeChallenge(id: mine.challenge!.id, session: theirs.issued.session) },
            { _ = try await fixture.platform.cancelChallenge(id: mine.challenge!.id, session: theirs.issued.session) },
            { _ = try await fixture.platform.verifyCode(challengeID: "no-such-id", code: code, session: mine.issued.session) },
        ] as [() async throws -> Void] {
            #expect(await stepupError(attempt)?.code == .challengeNotFound)
        }
        // The code is still good for its own session.
        _ = try await fixture.platform.verifyCode(challengeID: mine.challenge!.id, code: code, session: mine.issued.session)
        await fixture.close()
    }

    @Test func resendWaitsForTheCooldownAndANewCodeVoidsTheOld() async throws {
        let fixture = try await PlatformFixture()
        try await fixture.makeUser()
        let logon = try await fixture.logon()
        let id = logon.challenge!.id
        let first = try await fixture.sendCode(challengeID: id, session: logon.issued.session)
        let tooSoon = await stepupError { _ = try await fixture.sendCode(challengeID: id, session: logon.issued.session) }
        #expect(tooSoon?.code == .resendTooSoon)
        #expect(tooSoon?.retryAfter == 30)
        fixture.clock.advance(by: 30)
        let second = try await fixture.sendCode(challengeID: id, session: logon.issued.session, kind: .email)
        if first != second {
            let old = await stepupError { _ = try await fixture.platform.verifyCode(challengeID: id, code: first, session: logon.issued.session) }
            #expect(old?.code == .codeInvalid)
        }
        _ = try await fixture.platform.verifyCode(challengeID: id, code: second, session: logon.issued.session)
        await fixture.close()
    }

    @Test func sendingIsCappedPerTargetAndPerUserPerHour() async throws {
        let fixture = try await PlatformFixture()
        try await fixture.makeUser()
        try await fixture.store.write { tx in
            try await tx.setProperty("SendCapPerTargetPerHour", to: "2")
            try await tx.setProperty("SendCapPerUserPerHour", to: "3")
        }
        let logon = try await fixture.logon()
        let id = logon.challenge!.id
        for _ in 0..<2 {
            _ = try await fixture.sendCode(challengeID: id, session: logon.issued.session)
            fixture.clock.advance(by: 30)
        }
        #expect(await stepupError { _ = try await fixture.sendCode(challengeID: id, session: logon.issued.session) }?.code == .sendLimitReached)
        _ = try await fixture.sendCode(challengeID: id, session: logon.issued.session, kind: .email)
        fixture.clock.advance(by: 30)
        #expect(await stepupError { _ = try await fixture.sendCode(challengeID: id, session: logon.issued.session, kind: .voice) }?.code == .sendLimitReached)
        fixture.clock.advance(by: 3600)
        let next = try await fixture.logon()
        _ = try await fixture.sendCode(challengeID: next.challenge!.id, session: next.issued.session)
        await fixture.close()
    }

    @Test func aFailedDeliveryVoidsTheCodeAndLeavesTheChallengeOpen() async throws {
        let outbox = DevOutbox()
        let fixture = try await PlatformFixture(channels: DeliveryProviders(providers: [.sms: FailingChannel()], fallback: outbox))
        let alice = try await fixture.makeUser()
        let logon = try await fixture.logon()
        let id = logon.challenge!.id
        let sms = try await fixture.target(.sms, of: id, session: logon.issued.session)
        let error = await stepupError { _ = try await fixture.platform.sendCode(challengeID: id, targetID: sms.id, session: logon.issued.session) }
        #expect(error?.code == .deliveryFailed)
        let stored = try await fixture.store.read { try await $0.challenge(id: id) }
        #expect(stored?.state == .methodChosen)
        #expect(stored?.accessCode.digest == nil)
        #expect(try await fixture.audit(alice).contains("mfa.code.delivery_failed:failure"))
        // Another target works at once: no cooldown after a failed delivery.
        let email = try await fixture.target(.email, of: id, session: logon.issued.session)
        _ = try await fixture.platform.sendCode(challengeID: id, targetID: email.id, session: logon.issued.session)
        let code = try #require(await outbox.all().first?.code)
        _ = try await fixture.platform.verifyCode(challengeID: id, code: code, session: logon.issued.session)
        await fixture.close()
    }

    @Test func anAccessTokenCompletesAndItsStepIsNeverAcceptedAgain() async throws {
        let fixture = try await PlatformFixture()
        let alice = try await fixture.makeUser()
        let first = try await fixture.logon()
        let totp = try fixture.currentTOTP()
        let result = try await fixture.platform.verifyToken(challengeID: first.challenge!.id, token: totp, session: first.issued.session)
        #expect(result.completion.method == .accessToken)
        #expect(result.issued.session.stage == .authenticated)
        let second = try await fixture.logon()
        let replay = await stepupError { _ = try await fixture.platform.verifyToken(challengeID: second.challenge!.id, token: totp, session: second.issued.session) }
        #expect(replay?.code == .tokenReplayed)
        #expect(try await fixture.failureCounter(alice)?.failures == 1)
        // The next step's code is fine.
        fixture.clock.advance(by: 30)
        _ = try await fixture.platform.verifyToken(challengeID: second.challenge!.id, token: try fixture.currentTOTP(), session: second.issued.session)
        await fixture.close()
    }

    @Test func aUserWithoutATokenIsToldSoWithoutCostingAnAttempt() async throws {
        let fixture = try await PlatformFixture()
        let carol = try await fixture.makeUser("carol", token: false)
        let logon = try await fixture.logon("carol")
        let error = await stepupError { _ = try await fixture.platform.verifyToken(challengeID: logon.challenge!.id, token: "123456", session: logon.issued.session) }
        #expect(error?.code == .noAccessToken)
        #expect(try await fixture.failureCounter(carol)?.failures ?? 0 == 0)
        #expect(try await fixture.platform.describeChallenge(id: logon.challenge!.id, session: logon.issued.session).offer(.accessToken) == nil)
        await fixture.close()
    }

    @Test func verifyingBeforeAnyCodeWasSentIsRefused() async throws {
        let fixture = try await PlatformFixture()
        try await fixture.makeUser()
        let logon = try await fixture.logon()
        let error = await stepupError { _ = try await fixture.platform.verifyCode(challengeID: logon.challenge!.id, code: "123456", session: logon.issued.session) }
        #expect(error?.code == .noCodeSent)
        await fixture.close()
    }

    @Test func aCancelledChallengeTakesNoMoreAnswers() async throws {
        let fixture = try await PlatformFixture()
        let alice = try await fixture.makeUser()
        let logon = try await fixture.logon()
        let code = try await fixture.sendCode(challengeID: logon.challenge!.id, session: logon.issued.session)
        let cancelled = try await fixture.platform.cancelChallenge(id: logon.challenge!.id, session: logon.issued.session)
        #expect(cancelled.state == .cancelled)
        let error = await stepupError { _ = try await fixture.platform.verifyCode(challengeID: logon.challenge!.id, code: code, session: logon.issued.session) }
        #expect(error?.code == .challengeClosed)
        #expect(try await fixture.audit(alice).contains("mfa.challenge.cancelled:info"))
        await fixture.close()
    }

    @Test func aCompletionForAPromptIsConsumedOnceWithinTheFreshnessWindow() async throws {
        let fixture = try await PlatformFixture()
        try await fixture.makeUser("bob", logonMFA: .never)
        let session = try await fixture.logon("bob").issued.session
        let context = MFAContext.extensionPrompt(extension: "transfers", route: "submit")
        let challenge = try await fixture.platform.openChallenge(session: session, context: context)
        let result = try await fixture.platform.verifyToken(challengeID: challenge.id, token: try fixture.currentTOTP(), session: session)
        #expect(result.completion.consumedAt == nil)
        #expect(try await fixture.platform.consumeCompletion(session: session, context: .extensionPrompt(extension: "other", route: "submit")) == nil)
        #expect(try await fixture.platform.consumeCompletion(session: session, context: context)?.id == result.completion.id)
        #expect(try await fixture.platform.consumeCompletion(session: session, context: context) == nil)
        // A completion not consumed within the window is worthless.
        let second = try await fixture.platform.openChallenge(session: session, context: context)
        fixture.clock.advance(by: 30)
        _ = try await fixture.platform.verifyToken(challengeID: second.id, token: try fixture.currentTOTP(), session: session)
        fixture.clock.advance(by: 301)
        #expect(try await fixture.platform.consumeCompletion(session: session, context: context) == nil)
        await fixture.close()
    }
}
