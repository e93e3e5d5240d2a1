import Foundation
import StepupCore
import StepupSDK
import Synchronization

/// Runs an extension's routes without HTTP or a database, with MFA in the state a test chooses, and reports what
/// happened: the answer or typed error, whether the route's own handler ran, and what the platform saw.
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

    public init(
        _ ext: any Extension, user: OnlineUser = OnlineUser(id: "user-1", username: "alice", displayName: "Alice"),
        platform: TestPlatform? = nil
    ) {
        self.ext = ext
        self.user = user
        self.platform = platform ?? TestPlatform(userID: user.id)
    }

    /// Calls one route as the test user.
    ///
    /// - Parameters:
    ///   - mfa: the MFA state the guard finds: completed for whatever context the route asks, not completed, the
    ///     user abandoned (or failed) the workflow, or the workflow throws.
    ///   - isAuthenticated: false to run as inside logon (the user API then refuses).
    ///   - pendingContext: for an external MFA extension, the context kind of the challenge it serves (`logon`,
    ///     `transaction`, …), as `mfaInfo.context` shows it.
    public func run(
        _ routingKey: String, method: ExtensionRequest.Method = .post, fields: [String: String] = [:],
        json: JSONValue? = nil, mfa: MFAState = .notCompleted, isAuthenticated: Bool = true,
        pendingContext: String? = nil
    ) async -> ExtensionTestResult {
        let ran = Mutex(false)
        let raw: [UInt8] = json.flatMap { try? JSONEncoder().encode($0) }.map(Array.init) ?? []
        var merged = fields
        if case .object(let object)? = json {
            for (key, value) in object { if let text = value.stringValue { merged[key] = text } }
        }
        let request = ExtensionRequest(
            extensionName: ext.name, routingKey: routingKey, method: method, formFields: merged, body: json,
            rawBody: raw, onlineUser: user, isAuthenticated: isAuthenticated,
            baseAssetsURL: "/ext/\(ext.name)/assets/",
            platform: TestPlatformClient(platform: platform, isAuthenticated: isAuthenticated),
            mfaInfo: MFAInfo(
                context: pendingContext, registrationValue: platform.registrationValue, ssoIdentifier: platform.ssoIdentifier),
            challengeHint: mfa.isAbandoned ? TestGuardBackend.challengeID : nil)
        let expected = try? ext.route(routingKey)?.mfaGuard?.challengeContext(for: request, eventID: TestGuardBackend.eventID)
        let backend = TestGuardBackend(state: mfa, platform: platform, expectedContext: expected)
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

/// The MFA state a test puts the guard in.
public enum MFAState: Sendable, Equatable {
    /// A completion exists for whatever context the route asks.
    case completed
    /// Only a completion for this context exists (to prove a mismatch does not open the route).
    case completedFor(MFAContext)
    case notCompleted
    /// The banking app retries after the challenge ended without success (`cancelled`, `failed`, `locked`, `expired`).
    case abandoned(ChallengeState)
    /// The platform fails while the guard asks it.
    case failing(StepupError)
    /// EDV answers block for the call's audit event.
    case blocked

    var isAbandoned: Bool {
        if case .abandoned = self { return true }
        return false
    }
}

/// What one ``ExtensionTester/run(_:method:fields:json:mfa:isAuthenticated:)`` produced.
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
