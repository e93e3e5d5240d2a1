import Foundation
import Testing

@testable import StepupCore

@Suite("System properties and the target policy")
struct TargetPolicyTests {
    static let targets = TargetKind.allCases.map { DeliveryTarget(id: $0.rawValue, userID: "u", kind: $0, address: "x-\($0.rawValue)") }
    static let otherContexts: [MFAContext] = [
        .transaction([TransactionItem(id: "t1", amountMinor: 500, currency: "USD", payee: "Acme")]),
        .eventDrivenValidation(auditActionID: "a1", auditActionName: "CustomAuditAction", detailsHash: "h"),
        .extensionPrompt(extension: "transfers", route: nil),
    ]

    struct Flag: Sendable, CustomTestStringConvertible {
        let name: String
        let kind: TargetKind
        let logon: Bool
        var testDescription: String { name }
    }

    static let flags: [Flag] = [
        Flag(name: "LogonTacAllowEmailTargets", kind: .email, logon: true),
        Flag(name: "LogonTacAllowPushTargets", kind: .push, logon: true),
        Flag(name: "LogonTacAllowSmsTargets", kind: .sms, logon: true),
        Flag(name: "LogonTacAllowVoiceTargets", kind: .voice, logon: true),
        Flag(name: "EdvTacAllowEmailTargets", kind: .email, logon: false),
        Flag(name: "EdvTacAllowPushTargets", kind: .push, logon: false),
        Flag(name: "EdvTacAllowSmsTargets", kind: .sms, logon: false),
        Flag(name: "EdvTacAllowVoiceTargets", kind: .voice, logon: false),
    ]

    @Test("each flag switches off exactly its kind in exactly its contexts", arguments: flags)
    func flagGovernsItsKindAndContexts(flag: Flag) throws {
        var properties = SystemProperties()
        try properties.set(flag.name, to: "false")
        let policy = TargetPolicy(properties: properties)
        let logonKinds = Set(policy.allowedTargets(Self.targets, for: .logon).map(\.kind))
        let expectedWhenGoverned = Set(TargetKind.allCases).subtracting([flag.kind])
        #expect(logonKinds == (flag.logon ? expectedWhenGoverned : Set(TargetKind.allCases)))
        for context in Self.otherContexts {
            let kinds = Set(policy.allowedTargets(Self.targets, for: context).map(\.kind))
            #expect(kinds == (flag.logon ? Set(TargetKind.allCases) : expectedWhenGoverned), "\(context.kind)")
        }
    }

    @Test func everyTargetIsAllowedByDefault() {
        let policy = TargetPolicy(properties: SystemProperties())
        #expect(policy.allowedTargets(Self.targets, for: .logon).count == 4)
        for context in Self.otherContexts { #expect(policy.allowedTargets(Self.targets, for: context).count == 4) }
    }

    @Test func defaultsAreSafe() {
        let properties = SystemProperties()
        #expect(properties.attemptLimit == 5)
        #expect(properties.sessionIdleTimeout == 300)
        #expect(properties.accessCodeLength >= 6)
        #expect(properties.accessCodeLifetime <= 300)
    }

    @Test func storedValuesRoundTrip() throws {
        var properties = SystemProperties()
        try properties.set("MfaAttemptLimit", to: "3")
        try properties.set("EdvTacAllowEmailTargets", to: "false")
        let reloaded = try SystemProperties(values: properties.values)
        #expect(reloaded == properties)
        #expect(reloaded.values.count == SystemProperties.names.count)
    }

    @Test(arguments: [
        ("NoSuchProperty", "1"), ("LogonTacAllowSmsTargets", "maybe"), ("AccessCodeLength", "4"),
        ("AccessCodeLength", "nine"), ("MfaAttemptLimit", "0"), ("SessionIdleTimeoutSeconds", "10"),
    ])
    func unknownNamesAndOutOfRangeValuesAreRefused(name: String, value: String) {
        var properties = SystemProperties()
        #expect(throws: StepupError.self) { try properties.set(name, to: value) }
        #expect(properties == SystemProperties())
    }
}

@Suite("Domain values")
struct DomainValueTests {
    @Test(arguments: [
        (TargetKind.email, "alice@example.com", "a••••@example.com"),
        (.sms, "+15550100101", "••••0101"),
        (.voice, "+15550100102", "••••0102"),
        (.push, "device-alice-phone-7781", "Device ••••7781"),
    ])
    func targetsAreMasked(kind: TargetKind, address: String, masked: String) {
        let target = DeliveryTarget(id: "t", userID: "u", kind: kind, address: address)
        #expect(target.masked == masked)
        #expect(!target.masked.contains(address))
    }

    @Test func contextBindingsDistinguishAmountsAndPayees() {
        let a = MFAContext.transaction([TransactionItem(id: "t", amountMinor: 500, currency: "USD", payee: "Acme")])
        let b = MFAContext.transaction([TransactionItem(id: "t", amountMinor: 501, currency: "USD", payee: "Acme")])
        let c = MFAContext.transaction([TransactionItem(id: "t", amountMinor: 500, currency: "USD", payee: "Acme Ltd")])
        #expect(a.binding == a.binding)
        #expect(Set([a.binding, b.binding, c.binding, MFAContext.logon.binding]).count == 4)
        #expect(MFAContext.logon.usesLogonTargetPolicy)
        #expect(!a.usesLogonTargetPolicy)
    }

    @Test func errorCodesAreUniqueAndMapToStatuses() {
        let raw = StepupError.Code.allCases.map(\.rawValue)
        #expect(Set(raw).count == raw.count)
        #expect(StepupError(.mfaRequired).httpStatus == 401)
        #expect(StepupError(.mfaBlocked).httpStatus == 403)
        #expect(StepupError(.csrfInvalid).httpStatus == 403)
        #expect(StepupError(.storeUnavailable).httpStatus == 503)
        #expect(StepupError(.bodyTooLarge).httpStatus == 413)
        for code in StepupError.Code.allCases { #expect((400...599).contains(code.httpStatus)) }
    }

    @Test func sessionsEndWhenIdleOrTooOld() {
        let clock = ManualClock()
        let properties = SystemProperties()
        var session = Session(secretDigest: "s", csrfDigest: "c", userID: "u", stage: .authenticated, createdAt: clock.now, clientAddress: nil)
        clock.advance(by: 299)
        #expect(session.isLive(at: clock.now, properties: properties))
        clock.advance(by: 1)
        #expect(!session.isLive(at: clock.now, properties: properties))
        session.lastSeenAt = clock.now
        #expect(session.isLive(at: clock.now, properties: properties))
        clock.advance(by: Double(properties.sessionAbsoluteLifetime))
        session.lastSeenAt = clock.now
        #expect(!session.isLive(at: clock.now, properties: properties))
    }
}
