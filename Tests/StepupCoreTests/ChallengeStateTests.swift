import Foundation
import Testing

@testable import StepupCore

@Suite("Challenge state machine")
struct ChallengeStateTests {
    /// The whole specification, written out: every legal (state, event) pair and where it leads. Every pair not
    /// listed must be refused.
    static let legal: [ChallengeState: [ChallengeEvent: ChallengeState]] = {
        let always: [ChallengeEvent: ChallengeState] = [
            .choose: .methodChosen, .fail: .failed, .expire: .expired, .lock: .locked, .cancel: .cancelled,
        ]
        return [
            .created: always,
            .methodChosen: always.merging([.send: .secretSent, .complete: .completed]) { $1 },
            .secretSent: always.merging([.send: .secretSent, .complete: .completed]) { $1 },
        ]
    }()

    struct Pair: Sendable, CustomTestStringConvertible {
        let state: ChallengeState
        let event: ChallengeEvent
        var testDescription: String { "\(state.rawValue) + \(event.rawValue)" }
    }

    static let everyPair = ChallengeState.allCases.flatMap { state in
        ChallengeEvent.allCases.map { Pair(state: state, event: $0) }
    }

    @Test("every state × event", arguments: everyPair)
    func transition(pair: Pair) {
        if let expected = Self.legal[pair.state]?[pair.event] {
            #expect((try? pair.state.applying(pair.event)) == expected)
        } else {
            do {
                _ = try pair.state.applying(pair.event)
                Issue.record("\(pair.testDescription) should be refused")
            } catch let error as StepupError {
                #expect(error.code == (pair.state.isOpen ? .illegalTransition : .challengeClosed))
            } catch {
                Issue.record("unexpected error \(error)")
            }
        }
    }

    @Test func closedStatesAreExactlyTheFinalFive() {
        #expect(Set(ChallengeState.allCases.filter { !$0.isOpen }) == [.completed, .failed, .expired, .locked, .cancelled])
    }

    @Test func anOpenChallengePastItsLifetimeExpiresOnItsNextEvent() throws {
        let clock = ManualClock()
        var challenge = Challenge(userID: "u", sessionID: "s", context: .logon, createdAt: clock.now, lifetime: 600)
        try challenge.chooseTarget("t", at: clock.now)
        clock.advance(by: 600)
        #expect(throws: StepupError(.challengeExpired)) { try challenge.apply(.send, at: clock.now) }
        #expect(challenge.state == .expired)
        #expect(challenge.closedAt == clock.now)
    }

    @Test func cancelIsAllowedEvenAfterTheLifetime() throws {
        let clock = ManualClock()
        var challenge = Challenge(userID: "u", sessionID: "s", context: .logon, createdAt: clock.now, lifetime: 60)
        clock.advance(by: 120)
        try challenge.apply(.cancel, at: clock.now)
        #expect(challenge.state == .cancelled)
    }

    @Test func aNewCodeVoidsTheOldOneAndClosingClearsIt() throws {
        let clock = ManualClock()
        var challenge = Challenge(userID: "u", sessionID: "s", context: .logon, createdAt: clock.now, lifetime: 600)
        try challenge.chooseTarget("t", at: clock.now)
        let first = AccessCode.issue(for: challenge.id, length: 6, lifetime: 300, now: clock.now)
        try challenge.record(first, at: clock.now)
        #expect(challenge.state == .secretSent)
        let second = AccessCode.issue(for: challenge.id, length: 6, lifetime: 300, now: clock.now)
        try challenge.record(second, at: clock.now)
        #expect(challenge.accessCode.sendCount == 2)
        #expect(challenge.accessCode.digest == second.digest)
        if first.plain != second.plain {
            #expect(throws: StepupError(.codeInvalid)) { try AccessCode.verify(first.plain, challenge: challenge, now: clock.now) }
        }
        try AccessCode.verify(second.plain, challenge: challenge, now: clock.now)
        try challenge.apply(.complete, at: clock.now)
        #expect(challenge.accessCode.digest == nil)
        #expect(challenge.methodState.json == nil)
        #expect(throws: StepupError(.noCodeSent)) { try AccessCode.verify(second.plain, challenge: challenge, now: clock.now) }
    }
}

@Suite("Challenge method state")
struct ChallengeMethodStateTests {
    @Test func anotherTargetVoidsTheCodeButKeepsTheCooldownsClock() throws {
        let clock = ManualClock()
        var challenge = Challenge(userID: "u", sessionID: "s", context: .logon, createdAt: clock.now, lifetime: 600)
        try challenge.chooseTarget("a", at: clock.now)
        try challenge.record(AccessCode.issue(for: challenge.id, length: 6, lifetime: 300, now: clock.now), at: clock.now)
        try challenge.chooseTarget("b", at: clock.now)
        #expect(challenge.accessCode.digest == nil)
        #expect(challenge.accessCode.sentAt == clock.now)
        #expect(challenge.accessCode.targetID == "b")
    }

    @Test func choosingAnotherMethodDropsTheOldMethodsState() throws {
        let clock = ManualClock()
        var challenge = Challenge(userID: "u", sessionID: "s", context: .logon, createdAt: clock.now, lifetime: 600)
        try challenge.chooseTarget("a", at: clock.now)
        try challenge.record(AccessCode.issue(for: challenge.id, length: 6, lifetime: 300, now: clock.now), at: clock.now)
        try challenge.choose(.accessToken, at: clock.now)
        #expect(challenge.methodState.json == nil)
        #expect(challenge.accessCode == AccessCodeState())
        #expect(challenge.state == .methodChosen)
    }

    @Test func storedNamesFromBeforeMethodAgnosticStatesStillRead() {
        #expect(ChallengeState(storedName: "code_sent") == .secretSent)
        #expect(ChallengeState(storedName: "token_chosen") == .methodChosen)
        #expect(ChallengeState(storedName: "completed") == .completed)
        #expect(ChallengeState(storedName: "nonsense") == nil)
    }
}
