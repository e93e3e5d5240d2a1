import Foundation
import StepupCore
import Synchronization
import Testing

@testable import StepupPlatform

@Suite("Concurrent verification")
struct ConcurrencyTests {
    @Test func fiftyConcurrentVerifiesOfOneCorrectCodeSucceedExactlyOnce() async throws {
        let fixture = try await PlatformFixture()
        try await fixture.makeUser()
        let logon = try await fixture.logon()
        let code = try await fixture.sendCode(challengeID: logon.challenge!.id, session: logon.issued.session)
        let outcomes = await RacesAndRetriesTests.parallel(50) { _ in
            _ = try await fixture.platform.verifyCode(challengeID: logon.challenge!.id, code: code, session: logon.issued.session)
        }
        #expect(outcomes.filter { $0 == "ok" }.count == 1)
        #expect(outcomes.filter { $0 == "challenge_closed" }.count == 49)
        let completions = try await fixture.store.read { tx in try await tx.completion(challengeID: logon.challenge!.id) }
        #expect(completions != nil)
        await fixture.close()
    }

    @Test func fiftyConcurrentWrongGuessesStopAtTheLimitAndNoneIsComparedPastIt() async throws {
        let fixture = try await PlatformFixture()
        let alice = try await fixture.makeUser()
        let logon = try await fixture.logon()
        let comparisons = Tally()
        let outcomes = await RacesAndRetriesTests.parallel(50) { _ in
            _ = try await fixture.platform.verify(challengeID: logon.challenge!.id, session: logon.issued.session, method: .accessToken) { _, _, _ in
                comparisons.increment()
                return StepupError(.tokenInvalid)
            }
        }
        #expect(comparisons.value == 5)
        #expect(outcomes.filter { $0 == "token_invalid" }.count == 4)
        #expect(outcomes.filter { $0 == "attempts_exhausted" }.count == 1)
        #expect(outcomes.filter { $0 == "user_locked" || $0 == "challenge_closed" }.count == 45)
        let counter = try await fixture.failureCounter(alice)
        #expect(counter?.failures == 5)
        #expect(counter?.lockedUntil != nil)
        await fixture.close()
    }
}

/// A thread-safe count, shared by concurrently running tasks.
final class Tally: Sendable {
    private let count = Mutex(0)
    func increment() { count.withLock { $0 += 1 } }
    var value: Int { count.withLock { $0 } }
}
