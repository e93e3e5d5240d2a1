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
        let outcomes = await withTaskGroup(of: String.self) { group in
            for _ in 0..<50 {
                group.addTask {
                    do {
                        _ = try await fixture.platform.verifyCode(challengeID: logon.challenge!.id, code: code, session: logon.issued.session)
                        return "success"
                    } catch let error as StepupError {
                        return error.code.rawValue
                    } catch {
                        return "unexpected"
                    }
                }
            }
            return await group.reduce(into: [String]()) { $0.append($1) }
        }
        #expect(outcomes.filter { $0 == "success" }.count == 1)
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
        let outcomes = await withTaskGroup(of: String.self) { group in
            for _ in 0..<50 {
                group.addTask {
                    do {
                        _ = try await fixture.platform.verify(challengeID: logon.challenge!.id, session: logon.issued.session, method: .accessToken) { _, _, _ in
                            comparisons.increment()
                            return StepupError(.tokenInvalid)
                        }
                        return "success"
                    } catch let error as StepupError {
                        return error.code.rawValue
                    } catch {
                        return "unexpected"
                    }
                }
            }
            return await group.reduce(into: [String]()) { $0.append($1) }
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
