import Foundation
import Testing

@testable import StepupCore

@Suite("Challenge state machine")
struct ChallengeStateTests {
    /// The whole specification, written out: every legal (state, event) pair and where it leads. Every pair not
    /// listed must be refused.
    static let legal: [ChallengeState: [ChallengeEvent: ChallengeState]] = {
        let always: [ChallengeEvent: ChallengeState] = [
            .chooseTarget: .targetChosen, .chooseToken: .tokenChosen, .chooseExternal: .externalChosen,
            .fail: .failed, .expire: .expired, .lock: .locked, .cancel: .cancelled,
        ]
        return [
            .created: always,
            .targetChosen: always.merging([.sendCode: .codeSent]) { $1 },
            .codeSent: always.merging([.resendCode: .codeSent, .complete: .completed]) { $1 },
            .tokenChosen: always.merging([.complete: .completed]) { $1 },
            .externalChosen: always.merging([.complete: .completed]) { $1 },
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
        try challenge.apply(.chooseTarget, at: clock.now)
        clock.advance(by: 600)
        #expect(throws: StepupError(.challengeExpired)) { try challenge.apply(.sendCode, at: clock.now) }
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
        try challenge.apply(.chooseTarget, at: clock.now)
        let first = AccessCode.issue(for: challenge.id, length: 6, lifetime: 300, now: clock.now)
        try challenge.record(first, at: clock.now)
        #expect(challenge.state == .codeSent)
        let second = AccessCode.issue(for: challenge.id, length: 6, lifetime: 300, now: clock.now)
        try challenge.record(second, at: clock.now)
        #expect(challenge.sendCount == 2)
        #expect(challenge.codeDigest == second.digest)
        if first.plain != second.plain {
            #expect(throws: StepupError(.codeInvalid)) { try AccessCode.verify(first.plain, challenge: challenge, now: clock.now) }
        }
        try AccessCode.verify(second.plain, challenge: challenge, now: clock.now)
        try challenge.apply(.complete, at: clock.now)
        #expect(challenge.codeDigest == nil)
        #expect(throws: StepupError(.noCodeSent)) { try AccessCode.verify(second.plain, challenge: challenge, now: clock.now) }
    }
}
