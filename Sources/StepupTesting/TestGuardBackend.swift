import Foundation
import StepupCore
import StepupSDK
import Synchronization

/// The guard's backend in tests: the platform's policy (``CompletionPolicy``, ``EDVPolicy``) on the test
/// platform's memory, failing with the chosen error in the `failing` state, and a log of what it was asked.
final class TestGuardBackend: MFAGuardBackend {
    /// The event id the kit gives the expected EDV context of a call before it is made.
    static let eventID = "test-event"
    let platform: TestPlatform
    let failure: StepupError?
    private let log = Mutex(GuardLog())

    init(platform: TestPlatform, failure: StepupError?) {
        self.platform = platform
        self.failure = failure
    }

    var seen: GuardLog { log.withLock { $0 } }

    func satisfy(contexts: [MFAContext], freshFor: Int?, level: AssuranceLevel) async throws -> MFAContext? {
        log.withLock { $0.askedFor.append(contexts) }
        if let failure { throw failure }
        let matched = try await CompletionPolicy.satisfy(
            contexts: contexts, freshFor: freshFor, level: level, at: platform.clock(),
            in: TestCompletionLedger(platform: platform))
        if let matched { log.withLock { $0.consumed.append(matched) } }
        return matched
    }

    func openChallenge(for context: MFAContext, level: AssuranceLevel) async throws -> String {
        if let failure { throw failure }
        log.withLock { $0.openedChallenges.append(context) }
        return platform.openChallenge(
            for: context, level: level, lifetime: platform.properties.challengeLifetime, at: platform.clock()
        ).id
    }

    func challenge(id: String) async throws -> (state: ChallengeState, context: MFAContext)? {
        if let failure { throw failure }
        return platform.challenges.first { $0.id == id }.map { ($0.state, $0.context) }
    }

    func completionLifetime() async throws -> Int { platform.properties.mfaFreshness }

    func evaluateEvent(action: String, details: [String: String], linked: MFAContext?, level: AssuranceLevel) async throws
        -> EDVOutcome
    {
        log.withLock { $0.auditEvents.append(RecordedAuditEvent(action: action, details: details)) }
        if let failure { throw failure }
        // The platform's own bounds on the name, before anything is written.
        guard !action.isEmpty, action.count <= 100 else {
            throw StepupError(.badRequest, message: "An audit action name has 1 to 100 characters.")
        }
        let input = EDVInput(
            eventID: SecureRandom.identifier(), action: action, details: details, userID: platform.userID,
            sessionID: TestPlatform.sessionID, clientAddress: "127.0.0.1", at: platform.clock())
        guard
            let outcome = try await EDVPolicy.decide(
                input, linked: linked, level: level, in: TestEDVLedger(platform: platform, input: input))
        else { throw StepupError(.internal, message: "The EDV walk was abandoned.") }
        switch outcome {
        case .allow(let context?): log.withLock { $0.consumed.append(context) }
        case .requireMFA(_, let context): log.withLock { $0.openedChallenges.append(context) }
        case .allow(nil), .block: break
        }
        return outcome
    }
}
