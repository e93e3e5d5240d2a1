import Foundation

/// The platform's tunable rules, typed, each with a safe default.
///
/// The eight target flags keep the seeds' names: logon reads the `LogonTacAllow…Targets` four, every other MFA
/// context the `EdvTacAllow…Targets` four. Stored as name/value rows; ``init(values:)`` refuses unknown names and
/// values out of range rather than guessing.
public struct SystemProperties: Sendable, Equatable, Codable {
    public var logonTacAllowEmailTargets = true
    public var logonTacAllowPushTargets = true
    public var logonTacAllowSmsTargets = true
    public var logonTacAllowVoiceTargets = true
    public var edvTacAllowEmailTargets = true
    public var edvTacAllowPushTargets = true
    public var edvTacAllowSmsTargets = true
    public var edvTacAllowVoiceTargets = true

    /// Digits in an access code (6–8).
    public var accessCodeLength = 6
    /// Seconds an access code stays valid.
    public var accessCodeLifetime = 300
    /// Seconds a challenge stays open.
    public var challengeLifetime = 600
    /// Consecutive failures per user before lockout (PSD2 RTS art. 4 asks for at most 5).
    public var attemptLimit = 5
    /// Seconds a lockout lasts.
    public var lockoutDuration = 1800
    /// Codes sent to one user per hour.
    public var sendCapPerUserPerHour = 10
    /// Codes sent to one target per hour.
    public var sendCapPerTargetPerHour = 5
    /// Seconds between two sends on one challenge.
    public var resendCooldown = 30
    /// Seconds a completion may wait before it is consumed; also the freshness window a route may opt into.
    public var mfaFreshness = 300
    /// Seconds of inactivity that end a session (PSD2 RTS art. 4: 5 minutes).
    public var sessionIdleTimeout = 300
    /// Seconds a session lives at most, active or not.
    public var sessionAbsoluteLifetime = 43_200
    /// PSD2 RTS art. 16: the amount, in minor units of ``exemptionCurrency``, that low-value exemptions may add up
    /// to since the customer's last strong authentication (100 EUR); past it SCA is required. 0 ends exemptions.
    public var exemptionCumulativeAmountMinor: Int64 = 10_000
    /// PSD2 RTS art. 16: exempted transactions that may follow one another before SCA is required (5).
    public var exemptionConsecutiveTransactions = 5
    /// The bank's currency for the cumulative limit; a transaction in another currency is never exempted.
    public var exemptionCurrency = "EUR"
    /// Seconds within which the same amount to the same payee asks the customer to confirm it is no duplicate; 0
    /// never asks.
    public var duplicateTransferWindow = 600
    /// What a guarded call's audit event gets when no EDV rule decides: `require_mfa` (the default, so a guard
    /// named `mfaValidationRequired` fails closed), `allow` or `block`. A route that names its transactions is
    /// never exempted by the default, only by an explicit allow rule.
    public var edvDefaultDecision = EDVDecision.requireMFA
    /// A passkey assertion whose counter did not grow (a cloned authenticator?) is audited always, and refused
    /// unless this is `accept` (some authenticators' counters are unreliable).
    public var passkeySignCountRegressionAccepted = false
    /// Authenticator models (AAGUIDs, 32 lower-case hex digits) accepted for new passkeys; empty: any. The AAGUID
    /// is the authenticator's own claim unless attestation is verified, so this list keeps honest models out, not
    /// a determined attacker.
    public var passkeyAAGUIDAllowList: [String] = []
    /// Authenticator models refused, at registration and at every use (a model found broken after the fact).
    public var passkeyAAGUIDDenyList: [String] = []
    /// A payment with a transaction above this many minor units (of its own currency) needs a phishing-resistant
    /// factor (a passkey), whatever the route's guard or the EDV rules asked: its challenge is opened at that level
    /// and the transfer API refuses a lower completion. 0: no such floor.
    public var phishingResistantAboveMinor: Int64 = 0
    /// Seconds within which an MFA completion confirms a change to the customer's own factors (add or remove a
    /// target, authenticator, passkey or recovery codes): shorter than ``mfaFreshness``, because such a change
    /// outlasts the session.
    public var securityChangeFreshness = 120
    /// Where a recovery code may stand in for a second factor: `logon` (the default: a customer who lost their
    /// phone signs in and sets up a new factor) or `any` (payments too).
    public var recoveryCodesEverywhere = false

    public init() {}

    /// Every property's stored name, the seeds' spelling for the eight flags.
    public static let names: [String] = [
        "LogonTacAllowEmailTargets", "LogonTacAllowPushTargets", "LogonTacAllowSmsTargets",
        "LogonTacAllowVoiceTargets", "EdvTacAllowEmailTargets", "EdvTacAllowPushTargets", "EdvTacAllowSmsTargets",
        "EdvTacAllowVoiceTargets", "AccessCodeLength", "AccessCodeLifetimeSeconds", "ChallengeLifetimeSeconds",
        "MfaAttemptLimit", "LockoutDurationSeconds", "SendCapPerUserPerHour", "SendCapPerTargetPerHour",
        "ResendCooldownSeconds", "MfaFreshnessSeconds", "SessionIdleTimeoutSeconds", "SessionAbsoluteLifetimeSeconds",
        "ExemptionCumulativeAmountMinor", "ExemptionConsecutiveTransactions", "ExemptionCurrency",
        "DuplicateTransferWindowSeconds", "EdvDefaultDecision", "PasskeySignCountPolicy", "PasskeyAaguidAllowList",
        "PasskeyAaguidDenyList", "PhishingResistantAboveMinor", "SecurityChangeFreshnessSeconds", "RecoveryCodeUse",
    ]

    /// Builds properties from stored name/value rows over the defaults.
    public init(values: [String: String]) throws {
        self.init()
        for (name, value) in values { try set(name, to: value) }
    }

    /// The stored form of every property.
    public var values: [String: String] {
        var out: [String: String] = [:]
        for name in Self.names { out[name] = try? value(of: name) }
        return out
    }

    public func value(of name: String) throws -> String {
        switch name {
        case "LogonTacAllowEmailTargets": String(logonTacAllowEmailTargets)
        case "LogonTacAllowPushTargets": String(logonTacAllowPushTargets)
        case "LogonTacAllowSmsTargets": String(logonTacAllowSmsTargets)
        case "LogonTacAllowVoiceTargets": String(logonTacAllowVoiceTargets)
        case "EdvTacAllowEmailTargets": String(edvTacAllowEmailTargets)
        case "EdvTacAllowPushTargets": String(edvTacAllowPushTargets)
        case "EdvTacAllowSmsTargets": String(edvTacAllowSmsTargets)
        case "EdvTacAllowVoiceTargets": String(edvTacAllowVoiceTargets)
        case "AccessCodeLength": String(accessCodeLength)
        case "AccessCodeLifetimeSeconds": String(accessCodeLifetime)
        case "ChallengeLifetimeSeconds": String(challengeLifetime)
        case "MfaAttemptLimit": String(attemptLimit)
        case "LockoutDurationSeconds": String(lockoutDuration)
        case "SendCapPerUserPerHour": String(sendCapPerUserPerHour)
        case "SendCapPerTargetPerHour": String(sendCapPerTargetPerHour)
        case "ResendCooldownSeconds": String(resendCooldown)
        case "MfaFreshnessSeconds": String(mfaFreshness)
        case "SessionIdleTimeoutSeconds": String(sessionIdleTimeout)
        case "SessionAbsoluteLifetimeSeconds": String(sessionAbsoluteLifetime)
        case "ExemptionCumulativeAmountMinor": String(exemptionCumulativeAmountMinor)
        case "ExemptionConsecutiveTransactions": String(exemptionConsecutiveTransactions)
        case "ExemptionCurrency": exemptionCurrency
        case "DuplicateTransferWindowSeconds": String(duplicateTransferWindow)
        case "EdvDefaultDecision": edvDefaultDecision.rawValue
        case "PasskeySignCountPolicy": passkeySignCountRegressionAccepted ? "accept" : "refuse"
        case "PasskeyAaguidAllowList": passkeyAAGUIDAllowList.joined(separator: ",")
        case "PasskeyAaguidDenyList": passkeyAAGUIDDenyList.joined(separator: ",")
        case "PhishingResistantAboveMinor": String(phishingResistantAboveMinor)
        case "SecurityChangeFreshnessSeconds": String(securityChangeFreshness)
        case "RecoveryCodeUse": recoveryCodesEverywhere ? "any" : "logon"
        default: throw Self.unknown(name)
        }
    }

    /// Sets one property from its stored text, refusing unknown names and out-of-range values.
    public mutating func set(_ name: String, to text: String) throws {
        func flag() throws -> Bool {
            switch text.lowercased() {
            case "true", "1", "yes": return true
            case "false", "0", "no": return false
            default: throw StepupError(.configurationInvalid, message: "\(name) takes true or false.")
            }
        }
        func number(_ range: ClosedRange<Int>) throws -> Int {
            guard let value = Int(text), range.contains(value) else {
                throw StepupError(
                    .configurationInvalid,
                    message: "\(name) takes a whole number from \(range.lowerBound) to \(range.upperBound).")
            }
            return value
        }
        switch name {
        case "LogonTacAllowEmailTargets": logonTacAllowEmailTargets = try flag()
        case "LogonTacAllowPushTargets": logonTacAllowPushTargets = try flag()
        case "LogonTacAllowSmsTargets": logonTacAllowSmsTargets = try flag()
        case "LogonTacAllowVoiceTargets": logonTacAllowVoiceTargets = try flag()
        case "EdvTacAllowEmailTargets": edvTacAllowEmailTargets = try flag()
        case "EdvTacAllowPushTargets": edvTacAllowPushTargets = try flag()
        case "EdvTacAllowSmsTargets": edvTacAllowSmsTargets = try flag()
        case "EdvTacAllowVoiceTargets": edvTacAllowVoiceTargets = try flag()
        case "AccessCodeLength": accessCodeLength = try number(6...8)
        case "AccessCodeLifetimeSeconds": accessCodeLifetime = try number(30...3600)
        case "ChallengeLifetimeSeconds": challengeLifetime = try number(60...3600)
        case "MfaAttemptLimit": attemptLimit = try number(1...10)
        case "LockoutDurationSeconds": lockoutDuration = try number(60...86_400 * 30)
        case "SendCapPerUserPerHour": sendCapPerUserPerHour = try number(1...100)
        case "SendCapPerTargetPerHour": sendCapPerTargetPerHour = try number(1...100)
        case "ResendCooldownSeconds": resendCooldown = try number(0...600)
        case "MfaFreshnessSeconds": mfaFreshness = try number(10...3600)
        case "SessionIdleTimeoutSeconds": sessionIdleTimeout = try number(60...3600)
        case "SessionAbsoluteLifetimeSeconds": sessionAbsoluteLifetime = try number(300...86_400 * 7)
        case "ExemptionCumulativeAmountMinor": exemptionCumulativeAmountMinor = Int64(try number(0...100_000_000))
        case "ExemptionConsecutiveTransactions": exemptionConsecutiveTransactions = try number(0...100)
        case "ExemptionCurrency":
            guard text.count == 3, text.allSatisfy({ $0.isASCII && $0.isUppercase }) else {
                throw StepupError(.configurationInvalid, message: "\(name) takes a three-letter ISO 4217 code, such as EUR.")
            }
            exemptionCurrency = text
        case "DuplicateTransferWindowSeconds": duplicateTransferWindow = try number(0...86_400)
        case "EdvDefaultDecision":
            guard let decision = EDVDecision(rawValue: text) else {
                throw StepupError(.configurationInvalid, message: "\(name) takes require_mfa, allow or block.")
            }
            edvDefaultDecision = decision
        case "PasskeySignCountPolicy":
            switch text {
            case "refuse": passkeySignCountRegressionAccepted = false
            case "accept": passkeySignCountRegressionAccepted = true
            default: throw StepupError(.configurationInvalid, message: "\(name) takes refuse or accept.")
            }
        case "PasskeyAaguidAllowList": passkeyAAGUIDAllowList = try Self.aaguids(text, name: name)
        case "PasskeyAaguidDenyList": passkeyAAGUIDDenyList = try Self.aaguids(text, name: name)
        case "PhishingResistantAboveMinor": phishingResistantAboveMinor = Int64(try number(0...1_000_000_000_000))
        case "SecurityChangeFreshnessSeconds": securityChangeFreshness = try number(10...3600)
        case "RecoveryCodeUse":
            switch text {
            case "logon": recoveryCodesEverywhere = false
            case "any": recoveryCodesEverywhere = true
            default: throw StepupError(.configurationInvalid, message: "\(name) takes logon or any.")
            }
        default: throw Self.unknown(name)
        }
    }

    /// The least level the bank's own floor asks of `context`: a payment above ``phishingResistantAboveMinor``
    /// needs a passkey; anything else nothing beyond what its guard and rules ask.
    public func requiredLevel(for context: MFAContext?) -> AssuranceLevel {
        guard phishingResistantAboveMinor > 0, let items = context?.transactions,
            items.contains(where: { $0.amountMinor > phishingResistantAboveMinor })
        else { return .aal1 }
        return .phishingResistant
    }

    /// Whether a target of `kind` may be offered in `context`: logon reads the Logon flags, all else the Edv flags.
    public func allows(_ kind: TargetKind, in context: MFAContext) -> Bool {
        switch (context.usesLogonTargetPolicy, kind) {
        case (true, .email): logonTacAllowEmailTargets
        case (true, .push): logonTacAllowPushTargets
        case (true, .sms): logonTacAllowSmsTargets
        case (true, .voice): logonTacAllowVoiceTargets
        case (false, .email): edvTacAllowEmailTargets
        case (false, .push): edvTacAllowPushTargets
        case (false, .sms): edvTacAllowSmsTargets
        case (false, .voice): edvTacAllowVoiceTargets
        }
    }

    /// A comma-separated list of AAGUIDs, each as 32 hex digits with or without the UUID dashes, kept as 32
    /// lower-case hex digits so a comparison is exact.
    static func aaguids(_ text: String, name: String) throws -> [String] {
        let items = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard items.count <= 1000 else {
            throw StepupError(.configurationInvalid, message: "\(name) takes at most 1000 AAGUIDs.")
        }
        return try items.map { item in
            let hex = item.replacingOccurrences(of: "-", with: "").lowercased()
            guard hex.utf8.count == 32, hex.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }) else {
                throw StepupError(
                    .configurationInvalid,
                    message: "\(name) takes AAGUIDs such as 08987058-cadc-4b81-b6e1-30de50dcbe96, comma-separated.")
            }
            return hex
        }
    }

    private static func unknown(_ name: String) -> StepupError {
        StepupError(.configurationInvalid, message: "There is no system property \(name).")
    }
}

/// Which of a user's targets an MFA context may use.
public struct TargetPolicy: Sendable {
    public let properties: SystemProperties

    public init(properties: SystemProperties) { self.properties = properties }

    public func allowedTargets(_ targets: [DeliveryTarget], for context: MFAContext) -> [DeliveryTarget] {
        targets.filter { properties.allows($0.kind, in: context) }
    }
}
