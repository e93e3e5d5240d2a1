import Foundation
import StepupCore
import StepupStore

/// One way of proving a factor: an access code sent to a target, a TOTP authenticator, an external MFA extension, a
/// bank's own. The django-otp `Device` / privacyIDEA `TokenClass` idea: a method says whether the user may use it
/// for a challenge and what the dialog offers, how a challenge starts with it, and how a proof is checked.
///
/// What every method shares stays with the platform, in one place (`Platform+Methods.swift`): the challenge is the
/// session's own, open and unexpired; the user's one failure counter is reserved *before* ``verify(_:_:)`` runs
/// (so parallel guesses stop at the limit, on every node); a refusal is counted, audited and locks at the limit; an
/// acceptance completes the challenge once, rotates the session and resets the counter. A method never writes
/// the challenge's state or the counter itself; it keeps what it needs on the challenge (``Challenge/state(of:as:)``).
///
/// A static code, in one file, registered at the composition root (`StepupBuilder.register(method:)`):
///
/// ```swift
/// struct StaticCodeMethod: MFAMethod {
///     struct Proof: Decodable, Sendable { let code: String }
///     let id: MFAMethodID = "static_code"
///     let code: String
///
///     func offer(_ step: MethodStep) async throws -> MethodOffer? {
///         MethodOffer(method: id, label: "Your static code", entry: .code(label: "Static code", field: "code"))
///     }
///
///     func verify(_ proof: Proof, _ step: inout MethodStep) async throws -> StepupError? {
///         ConstantTime.equals(proof.code, code) ? nil : StepupError(.codeInvalid)
///     }
/// }
/// ```
public protocol MFAMethod<Start, Proof>: Sendable {
    /// What the browser sends to start the method (a target to send a code to); ``NoStart`` for a method that needs
    /// no start.
    associatedtype Start: Decodable & Sendable = NoStart
    /// What the browser sends as the proof (`{"code": "123456"}`).
    associatedtype Proof: Decodable & Sendable
    /// What a start answers besides the challenge (where the code went, when another may be asked for).
    associatedtype Started: Encodable & Sendable = NoStart

    /// The method's name in paths, completions and audit events; see ``MFAMethodID/isValid(_:)``.
    var id: MFAMethodID { get }

    /// When offered, the only method offered: an external MFA a bank set up for a context replaces the platform's
    /// own ways in the dialog.
    var isExclusive: Bool { get }

    /// The RFC 8176 `amr` values and the highest level a proof by this method reaches; a challenge that needs more
    /// neither offers it nor takes its proofs. ``verify(_:_:)`` may narrow it for one proof (``MethodStep/assurance``).
    var assurance: MethodAssurance { get }

    /// What the dialog offers for this challenge, or nil when the user cannot use the method here (no target the
    /// context allows, no authenticator). Runs in a read of the challenge; it must not write.
    func offer(_ step: MethodStep) async throws -> MethodOffer?

    /// Starts the method on a challenge (sends a code). `run` executes the method's writes on the session's open
    /// challenge; the default refuses, for a method that needs no start.
    func start(_ request: Start, _ run: MethodRun) async throws -> MethodStarted<Started>

    /// Checks, before an attempt is reserved, that a proof can be taken at all (a code was sent and has not
    /// expired); a refusal here costs no attempt. Nil to go on.
    func precheck(_ step: MethodStep) async throws -> StepupError?

    /// Compares the proof, after the platform reserved an attempt: nil accepts it, a refusal (`code_invalid`,
    /// `token_replayed`) is counted. A method consuming a single-use secret does it here, with a conditional update
    /// in `step.transaction`, so a proof accepted on one node is refused on every other.
    func verify(_ proof: Proof, _ step: inout MethodStep) async throws -> StepupError?

    /// What the API may show of the method's state on a challenge (the target chosen, the code's expiry), never a
    /// secret.
    func progress(of challenge: Challenge) -> [String: MethodField]
}

extension MFAMethod {
    public var isExclusive: Bool { false }

    /// A method that does not say otherwise is a possession factor on top of the password: AAL2, `mfa`.
    public var assurance: MethodAssurance { MethodAssurance(amr: ["mfa"], level: .aal2) }

    /// A method that does not say otherwise takes proofs only where it is offered.
    public func precheck(_ step: MethodStep) async throws -> StepupError? {
        guard try await offer(step) == nil else { return nil }
        return StepupError(.illegalTransition, message: "This way of verifying is not offered for this challenge.")
    }

    public func progress(of challenge: Challenge) -> [String: MethodField] { [:] }
    public func start(_ request: Start, _ run: MethodRun) async throws -> MethodStarted<Started> {
        throw StepupError(.illegalTransition, message: "This way of verifying needs no start: enter the proof.")
    }
}

/// The empty start request and answer.
public struct NoStart: Codable, Sendable, Equatable {
    public init() {}
}

/// One challenge as a method sees it, in the platform's transaction: read what it needs, consume a single-use
/// secret, amend its own state on ``challenge`` (``Challenge/state(of:as:)``, ``Challenge/setState(_:of:)``; the
/// platform saves the challenge). Another method's state is not readable.
public struct MethodStep: Sendable {
    public let transaction: StoreTransaction
    public var challenge: Challenge
    public let session: Session
    public let properties: SystemProperties
    public let now: Date
    /// What this proof showed, when it is less than or other than the method's ``MFAMethod/assurance`` (a synced
    /// passkey is `swk`, a device-bound one `hwk`); the completion records it. Never above the method's level.
    public var assurance: MethodAssurance?
    /// What to tell the customer on their other channels once this proof has committed (a recovery code used).
    public var notice: SecurityNotice?

    public init(transaction: StoreTransaction, challenge: Challenge, session: Session, properties: SystemProperties, now: Date) {
        self.transaction = transaction
        self.challenge = challenge
        self.session = session
        self.properties = properties
        self.now = now
    }

    /// Appends an audit event about this challenge, in the same transaction.
    public func audit(_ action: String, outcome: AuditOutcome, details: [String: String] = [:]) async throws {
        try await transaction.append(
            AuditEvent(
                at: now, action: action, outcome: outcome, userID: challenge.userID, sessionID: session.id,
                challengeID: challenge.id, details: details))
    }
}

/// A method's writes while it starts: each ``step(_:)`` is one write transaction on the session's open challenge.
public struct MethodRun: Sendable {
    let challengeID: String
    let session: Session
    let platform: Platform
    /// The starting method's level: a challenge that needs more refuses the start, so no code goes out for a
    /// challenge it could never complete.
    let level: AssuranceLevel

    /// The time of this start, the same for every step.
    public let now: Date

    /// Runs `body` on the challenge in one write transaction, after the platform checked it is the session's own,
    /// open and unexpired and (with `refuseWhenLocked`) that the user is not locked out. The challenge as `body`
    /// leaves it is saved; a refusal returned commits what was written (an audit event) and is thrown afterwards.
    public func step<T: Sendable>(
        refuseWhenLocked: Bool = true,
        _ body: @Sendable @escaping (inout MethodStep) async throws -> Result<T, StepupError>
    ) async throws -> T {
        let (id, session, now) = (challengeID, session, now)
        return try await platform.commit { tx in
            let challenge: Challenge
            switch try await Platform.openOwnedChallenge(id: id, session: session, now: now, in: tx) {
            case .failure(let error): return .failure(error)
            case .success(let owned): challenge = owned
            }
            guard level >= challenge.requiredLevel else {
                return .failure(StepupError(.levelInsufficient, message: challenge.requiredLevel.unreachableAdvice))
            }
            if refuseWhenLocked, let counter = try await tx.failureCounter(userID: challenge.userID), counter.isLocked(at: now) {
                return .failure(StepupError(.userLocked, lockedUntil: counter.lockedUntil))
            }
            var step = MethodStep(
                transaction: tx, challenge: challenge, session: session, properties: try await tx.systemProperties(), now: now)
            let result = try await body(&step)
            if step.challenge != challenge { try await tx.update(step.challenge) }
            return result
        }
    }
}

/// What a start answers: the challenge as it now stands and the method's own answer.
public struct MethodStarted<Answer: Encodable & Sendable>: Sendable {
    public let challenge: Challenge
    public let answer: Answer

    public init(challenge: Challenge, answer: Answer) {
        self.challenge = challenge
        self.answer = answer
    }
}

/// A method as the dialog offers it. The banking app renders what is here, and only that: choices to start with,
/// a field to type a proof into, or a frame an extension proves the user in.
public struct MethodOffer: Sendable, Codable, Equatable {
    public let method: MFAMethodID
    /// The choice's name in the dialog ("Authenticator app").
    public var label: String
    /// Where the method can be started (delivery targets, masked); empty for a method that needs no start.
    public var choices: [MethodChoice]
    /// The question above the choices ("Where should we send your access code?").
    public var prompt: String?
    /// The start button's text when there are choices ("Send code").
    public var startLabel: String?
    /// The name the chosen choice's id is sent under in the start request (`{"targetId": "…"}`).
    public var startField: String?
    /// The field the user types the proof into; nil when the proof comes from a frame.
    public var entry: MethodEntry?
    /// An extension's page that proves the user and hands the dialog a token.
    public var frame: MethodFrame?
    /// A ceremony the browser itself runs between start and verify: `webauthn` (`navigator.credentials.get` with
    /// the options the start answers, and the credential as the proof).
    public var ceremony: String?
    /// The button that starts the ceremony ("Use a passkey").
    public var ceremonyLabel: String?

    public init(
        method: MFAMethodID, label: String, choices: [MethodChoice] = [], prompt: String? = nil,
        startLabel: String? = nil, startField: String? = nil, entry: MethodEntry? = nil, frame: MethodFrame? = nil,
        ceremony: String? = nil, ceremonyLabel: String? = nil
    ) {
        self.ceremony = ceremony
        self.ceremonyLabel = ceremonyLabel
        self.method = method
        self.label = label
        self.choices = choices
        self.prompt = prompt
        self.startLabel = startLabel
        self.startField = startField
        self.entry = entry
        self.frame = frame
    }
}

/// One way to start a method: a delivery target, by id, with its masked form.
public struct MethodChoice: Sendable, Codable, Equatable {
    public let id: String
    public let kind: String
    public let masked: String

    public init(id: String, kind: String, masked: String) {
        self.id = id
        self.kind = kind
        self.masked = masked
    }
}

/// The field a proof is typed into, and the name it is sent under (`{"<field>": "…"}`).
public struct MethodEntry: Sendable, Codable, Equatable {
    public let label: String
    public let field: String
    /// `numeric` or `text`, for the phone's keyboard.
    public let inputMode: String
    public let autocomplete: String
    public let minLength: Int
    public let maxLength: Int
    /// A JavaScript regular expression the value must match before it is sent, so a typo costs no attempt.
    public let pattern: String
    /// What the dialog says when the value does not match.
    public let hint: String

    public init(
        label: String, field: String, inputMode: String = "text", autocomplete: String = "off", minLength: Int = 1,
        maxLength: Int = 64, pattern: String = ".+", hint: String = "Enter the code."
    ) {
        self.label = label
        self.field = field
        self.inputMode = inputMode
        self.autocomplete = autocomplete
        self.minLength = minLength
        self.maxLength = maxLength
        self.pattern = pattern
        self.hint = hint
    }

    /// A one-time code of 6 to 8 digits, offered to the phone's keyboard and password manager as one.
    public static func code(label: String, field: String) -> MethodEntry {
        MethodEntry(
            label: label, field: field, inputMode: "numeric", autocomplete: "one-time-code", minLength: 6, maxLength: 8,
            pattern: "^[0-9]{6,8}$", hint: "Enter the 6 to 8 digit code.")
    }
}

/// An extension's page inside the dialog; the server adds where it is and where it may open a sign-in popup.
public struct MethodFrame: Sendable, Codable, Equatable {
    public let `extension`: String
    public var entryRoute: String?
    public var authorizationOrigins: [String]?

    public init(extension name: String, entryRoute: String? = nil, authorizationOrigins: [String]? = nil) {
        self.extension = name
        self.entryRoute = entryRoute
        self.authorizationOrigins = authorizationOrigins
    }
}

/// A value a method shows of its state in the API.
public enum MethodField: Sendable, Equatable, Encodable {
    case string(String)
    case int(Int)
    case date(Date)

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .string(let value): try container.encode(value)
        case .int(let value): try container.encode(value)
        case .date(let value): try container.encode(value)
        }
    }
}
