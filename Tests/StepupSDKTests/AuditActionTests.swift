import StepupCore
import StepupExamples
import StepupSDK
import StepupTesting
import Testing

/// The seed's three forms of audit details, and the default.
struct AuditedExtension: Extension {
    let name = "audited"

    var routes: [ExtensionRoute] {
        [
            ExtensionRoute("no_details") { _ in .text("ran") }.mfaValidationRequired(auditAction: "CustomAuditAction"),
            ExtensionRoute("string_details") { _ in .text("ran") }
                .mfaValidationRequired(auditAction: "CustomAuditAction", details: "Example details"),
            ExtensionRoute("dict_details") { _ in .text("ran") }
                .mfaValidationRequired(auditAction: "CustomAuditAction", details: ["key": "value"]),
            ExtensionRoute("lambda_details") { _ in .text("ran") }
                .mfaValidationRequired(
                    auditAction: "CustomAuditAction",
                    details: .dynamic { request in
                        ["detailItem": request.formFields["detail_item"] ?? "", "firstName": request.onlineUser.displayName]
                    }),
            ExtensionRoute("spoof") { _ in .text("ran") }
                .mfaValidationRequired(auditAction: "CustomAuditAction", details: ["extension": "someone-else", "routingKey": "x"]),
            ExtensionRoute("handled") { _ in .text("ran") }
                .mfaValidationRequired(auditAction: "CustomAuditAction", errorHandler: { _, failure in .html("<p>\(failure.error.code.rawValue)</p>", status: 403) }),
        ]
    }
}

@Suite("Audit actions on the guard")
struct AuditActionTests {
    let tester = ExtensionTester(AuditedExtension())

    @Test func theDefaultDetailsNameTheExtensionAndRoutingKey() async {
        let result = await tester.run("no_details", mfa: .completed)
        #expect(result.guardSaw.auditEvents == [RecordedAuditEvent(action: "CustomAuditAction", details: ["extension": "audited", "routingKey": "no_details"])])
        #expect(result.handlerRan)
    }

    @Test func stringDetails() async {
        let result = await tester.run("string_details", mfa: .completed)
        #expect(result.guardSaw.auditEvents.first?.details == ["details": "Example details", "extension": "audited", "routingKey": "string_details"])
    }

    @Test func dictionaryDetails() async {
        let result = await tester.run("dict_details", mfa: .completed)
        #expect(result.guardSaw.auditEvents.first?.details == ["key": "value", "extension": "audited", "routingKey": "dict_details"])
    }

    @Test func closureDetailsAreEvaluatedWithTheRequest() async {
        let result = await tester.run("lambda_details", fields: ["detail_item": "invoice-7"], mfa: .completed)
        #expect(result.guardSaw.auditEvents.first?.details == [
            "detailItem": "invoice-7", "firstName": "Alice", "extension": "audited", "routingKey": "lambda_details",
        ])
    }

    @Test func theAuthorCannotOverrideTheDefaults() async {
        let result = await tester.run("spoof", mfa: .completed)
        #expect(result.guardSaw.auditEvents.first?.details["extension"] == "audited")
        #expect(result.guardSaw.auditEvents.first?.details["routingKey"] == "spoof")
    }

    @Test func pendingMFAAndBlockNeverRunTheHandler() async {
        let pending = await tester.run("dict_details", mfa: .notCompleted)
        #expect(pending.error?.code == .mfaRequired)
        #expect(pending.error?.context == "event_driven_validation")
        #expect(!pending.handlerRan)
        let blocked = await tester.run("dict_details", mfa: .blocked)
        #expect(blocked.error?.code == .mfaBlocked)
        #expect(blocked.error?.httpStatus == 403)
        #expect(!blocked.handlerRan)
        let rendered = await tester.run("handled", mfa: .blocked)
        #expect(rendered.response?.text == "<p>mfa_blocked</p>")
        #expect(!rendered.handlerRan)
        let abandoned = await tester.run("handled", mfa: .abandoned(.cancelled))
        #expect(abandoned.response?.text == "<p>mfa_abandoned</p>")
        #expect(!abandoned.handlerRan)
    }

    @Test func anEDVCompletionForOtherDetailsDoesNotOpenTheCall() async {
        let other = MFAContext.eventDrivenValidation(auditActionID: "test-event", auditActionName: "CustomAuditAction", detailsHash: EDVInput.hash(["key": "other"]))
        let result = await tester.run("dict_details", mfa: .completedFor(other))
        #expect(result.error?.code == .mfaRequired)
        #expect(!result.handlerRan)
        let mine = MFAContext.eventDrivenValidation(auditActionID: "test-event", auditActionName: "CustomAuditAction", detailsHash: EDVInput.hash(["key": "value", "extension": "audited", "routingKey": "dict_details"]))
        let allowed = await tester.run("dict_details", mfa: .completedFor(mine))
        #expect(allowed.handlerRan)
    }

    @Test func theTransferAddsThePlatformsOwnSummaryOfItsTransactions() async {
        let tester = ExtensionTester(TransfersExtension())
        let fields = ["transactionId": "tx-1", "fromAccount": "acct-1", "toPayee": "Acme", "amount": "12.50", "memo": "rent"]
        let result = await tester.run("submit", fields: fields, mfa: .completed)
        let details = result.guardSaw.auditEvents.first?.details
        #expect(details?["transaction.amountMinor"] == "1250")
        #expect(details?["transaction.payees"] == "Acme")
        #expect(details?["memo"] == "rent")
        #expect(result.guardSaw.auditEvents.first?.action == "TransferFunds")
    }
}
