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
        let comparisons = Tally()
        let method = CountingRefusal(comparisons: comparisons)
        let fixture = try await PlatformFixture(methods: [method])
        let alice = try await fixture.makeUser()
        let logon = try await fixture.logon()
        let outcomes = await RacesAndRetriesTests.parallel(50) { _ in
            _ = try await fixture.platform.verify(method, proof: .init(), challengeID: logon.challenge!.id, session: logon.issued.session)
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

/// A method that counts its comparisons and refuses every proof, to show the platform compares no proof past the limit.
struct CountingRefusal: MFAMethod {
    let id: MFAMethodID = "counting_refusal"
    let comparisons: Tally
    func offer(_ step: MethodStep) async throws -> MethodOffer? { MethodOffer(method: id, label: "Counting") }
    func verify(_ proof: NoStart, _ step: inout MethodStep) async throws -> StepupError? {
        comparisons.increment()
        return StepupError(.tokenInvalid)
    }
}

/// A thread-safe count, shared by concurrently running tasks.
final class Tally: Sendable {
    private let count = Mutex(0)
    func increment() { count.withLock { $0 += 1 } }
    var value: Int { count.withLock { $0 } }
}
