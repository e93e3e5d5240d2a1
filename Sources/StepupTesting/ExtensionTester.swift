import Foundation
import StepupCore
import StepupSDK
import Synchronization

/// Runs an extension's routes without HTTP or a database, against a ``TestPlatform`` that answers with the
/// platform's own policy, and reports what happened: the answer or typed error, whether the route's own handler
/// ran, and what the guard asked.
///
/// ```swift
/// let tester = ExtensionTester(TransfersExtension())
/// let result = await tester.run("submit", fields: ["amount": "5.00", …], mfa: .notCompleted)
/// #expect(result.error?.code == .mfaRequired)
/// #expect(!result.handlerRan)
/// ```
public struct ExtensionTester: Sendable {
    public let ext: any Extension
    public let user: OnlineUser
    public let platform: TestPlatform

    /// - Parameters:
    ///   - ext: the extension under test.
    ///   - user: the signed-in user; by default the test platform's user record (``TestPlatform/profile``).
    ///   - platform: the bank's platform in memory; by default one with no EDV rules and default properties.
    public init(_ ext: any Extension, user: OnlineUser? = nil, platform: TestPlatform? = nil) {
        self.ext = ext
        let platform = platform ?? TestPlatform(userID: user?.id ?? "user-1")
        self.platform = platform
        self.user = user ?? OnlineUser(platform.profile)
    }

    /// Calls one route as the test user.
    ///
    /// - Parameters:
    ///   - routingKey: the route to call (the last path segment of `/ext/{extension}/{route}`).
    ///   - method: the HTTP method; POST by default.
    ///   - fields: form fields, as `ExtensionRequest.formFields` shows them.
    ///   - json: a JSON body; its top-level scalar fields are merged into `fields` too, as the platform does.
    ///   - mfa: the MFA state the guard finds, for this call: a completion for the context the route asks, one
    ///     for another context, none (what the platform's policy then answers: `mfa_required`, or an EDV rule's
    ///     allow or block), the workflow the banking app retries with ended without success, the platform fails,
    ///     or an EDV rule blocks the call's audit event. Completions the customer made with
    ///     ``TestPlatform/completeChallenge(_:method:)`` count in every state.
    ///   - isAuthenticated: false to run as inside logon (the user API then refuses).
    ///   - pendingContext: for an external MFA extension, the context kind of the challenge it serves (`logon`,
    ///     `transaction`, …), as `mfaInfo.context` shows it.
    ///   - challengeHint: the challenge the banking app says it drove before this retry (`X-Stepup-Challenge`).
    public func run(
        _ routingKey: String, method: ExtensionRequest.Method = .post, fields: [String: String] = [:],
        json: JSONValue? = nil, mfa: MFAState = .notCompleted, isAuthenticated: Bool = true,
        pendingContext: String? = nil, challengeHint: String? = nil
    ) async -> ExtensionTestResult {
        let ran = Mutex(false)
        let raw: [UInt8] = json.flatMap { try? JSONEncoder().encode($0) }.map(Array.init) ?? []
        var merged = fields
        if case .object(let object)? = json {
            for (key, value) in object { if let text = value.stringValue { merged[key] = text } }
        }
        func request(hint: String?) -> ExtensionRequest {
            ExtensionRequest(
                extensionName: ext.name, routingKey: routingKey, method: method, formFields: merged, body: json,
                rawBody: raw, onlineUser: user, isAuthenticated: isAuthenticated,
                baseAssetsURL: "/ext/\(ext.name)/assets/",
                platform: TestPlatformClient(platform: platform, isAuthenticated: isAuthenticated),
                mfaInfo: MFAInfo(
                    context: pendingContext, registrationValue: platform.registrationValue,
                    ssoIdentifier: platform.ssoIdentifier),
                challengeHint: hint)
        }
        let mfaGuard = ext.route(routingKey)?.mfaGuard
        let expected = try? mfaGuard?.challengeContext(for: request(hint: nil), eventID: TestGuardBackend.eventID)
        let staged = platform.stage(mfa, expected: expected, auditAction: mfaGuard?.auditAction, level: mfaGuard?.level)
        defer { platform.unstage(staged) }
        let request = request(hint: staged.challengeHint ?? challengeHint)
        let backend = TestGuardBackend(platform: platform, failure: staged.failure)
        do {
            let response = try await ExtensionDispatcher.dispatch(request, to: ext, backend: backend) {
                ran.withLock { $0 = true }
            }
            return ExtensionTestResult(
                response: response, error: nil, handlerRan: ran.withLock { $0 }, guardSaw: backend.seen)
        } catch let error as StepupError {
            return ExtensionTestResult(response: nil, error: error, handlerRan: ran.withLock { $0 }, guardSaw: backend.seen)
        } catch {
            return ExtensionTestResult(
                response: nil, error: StepupError(.internal, message: "\(error)"), handlerRan: ran.withLock { $0 },
                guardSaw: backend.seen)
        }
    }
}

/// The MFA state a test puts the guard in, for one call; the test platform's policy answers from there.
public enum MFAState: Sendable, Equatable {
    /// The customer just passed MFA for the context the route asks (its transactions, its audit action with these
    /// details, or its own route).
    case completed
    /// Only a completion for this context exists (to prove a mismatch does not open the route).
    case completedFor(MFAContext)
    /// No completion: the platform's policy decides (for an audit action: the EDV rules, then
    /// `EdvDefaultDecision`, which requires MFA unless the bank set it otherwise).
    case notCompleted
    /// The banking app retries after the challenge ended without success (`cancelled`, `failed`, `locked`, `expired`).
    case abandoned(ChallengeState)
    /// The platform fails while the guard asks it.
    case failing(StepupError)
    /// An EDV rule blocks the call's audit event (a route without an audit action still needs MFA).
    case blocked

    var isAbandoned: Bool {
        if case .abandoned = self { return true }
        return false
    }
}

/// What one ``ExtensionTester/run(_:method:fields:json:mfa:isAuthenticated:pendingContext:challengeHint:)`` produced.
public struct ExtensionTestResult: Sendable {
    /// The answer, when there was one (the handler's or the error handler's).
    public let response: ExtensionResponse?
    /// The typed error, when the call ended in one.
    public let error: StepupError?
    /// Whether the route's own handler ran.
    public let handlerRan: Bool
    /// The contexts the guard asked the platform for, and the challenges it opened.
    public let guardSaw: GuardLog
}

/// What the guard asked of the test platform.
public struct GuardLog: Sendable, Equatable {
    /// Audit events the guard created: action name and full details.
    public var auditEvents: [RecordedAuditEvent] = []
    public var askedFor: [[MFAContext]] = []
    public var consumed: [MFAContext] = []
    public var openedChallenges: [MFAContext] = []
}

/// An audit event the guard created in a test.
public struct RecordedAuditEvent: Sendable, Equatable {
    public let action: String
    public let details: [String: String]

    public init(action: String, details: [String: String]) {
        self.action = action
        self.details = details
    }
}
