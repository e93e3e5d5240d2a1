import Foundation
import StepupCore
import StepupExamples
import StepupSDK
import StepupTesting
import Testing

/// A test extension with one route of each guard variant.
struct GuardedExtension: Extension {
    let name = "guarded"

    var routes: [ExtensionRoute] {
        [
            ExtensionRoute("open") { _ in .text("open") },
            ExtensionRoute("plain") { _ in .text("plain ran") }.mfaValidationRequired(),
            ExtensionRoute("other") { _ in .text("other ran") }.mfaValidationRequired(),
            ExtensionRoute("handled") { _ in .text("handled ran") }
                .mfaValidationRequired(errorHandler: { _, failure in .html("<p>MFA Failure - \(failure.error.code.rawValue)</p>", status: 403) }),
            ExtensionRoute("pay") { request in .text("paid \(request.mfaInfo.transactionIDs ?? [])") }
                .mfaValidationRequired(transactions: { request in
                    [TransactionItem(id: request.formFields["id"] ?? "", amountMinor: Int64(request.formFields["amount"] ?? "") ?? 0, currency: "USD", payee: request.formFields["payee"] ?? "")]
                }),
            ExtensionRoute("fresh") { _ in .text("fresh ran") }.mfaValidationRequired(freshFor: 120),
            ExtensionRoute("vault") { _ in .text("vault opened") }.mfaValidationRequired(level: .phishingResistant),
            ExtensionRoute("getonly", methods: [.get]) { _ in .text("get") },
        ]
    }
}

@Suite("The MFA guard")
struct GuardTests {
    let tester = ExtensionTester(GuardedExtension())

    @Test func anUnguardedRouteRunsWithoutAskingTheGuard() async {
        let result = await tester.run("open")
        #expect(result.response?.text == "open")
        #expect(result.handlerRan)
        #expect(result.guardSaw.askedFor.isEmpty)
    }

    @Test func aPlainGuardRunsTheHandlerOnlyWithACompletion() async {
        let refused = await tester.run("plain", mfa: .notCompleted)
        #expect(!refused.handlerRan)
        #expect(refused.error?.code == .mfaRequired)
        #expect(refused.error?.challengeID == "test-challenge")
        #expect(refused.error?.context == "extension_prompt")
        #expect(refused.error?.maxAge == 300)
        #expect(refused.guardSaw.openedChallenges == [.extensionPrompt(extension: "guarded", route: "plain")])

        let allowed = await tester.run("plain", mfa: .completed)
        #expect(allowed.handlerRan)
        #expect(allowed.response?.text == "plain ran")
        #expect(allowed.guardSaw.consumed == [.extensionPrompt(extension: "guarded", route: "plain")])
    }

    @Test func aGuardWithALevelAsksForItAndOnlyAPasskeyOpensIt() async throws {
        let tester = ExtensionTester(GuardedExtension())
        let refused = await tester.run("vault", mfa: .notCompleted)
        #expect(!refused.handlerRan)
        #expect(refused.error?.code == .mfaRequired)
        #expect(refused.error?.acrValues == "phr")
        let challenge = try #require(tester.platform.challenges.first { $0.id == refused.error?.challengeID })
        #expect(challenge.requiredLevel == .phishingResistant)
        // A code does not reach the level; a passkey does, and the next call runs.
        #expect(throws: StepupError(.levelInsufficient, message: AssuranceLevel.phishingResistant.unreachableAdvice)) {
            try tester.platform.completeChallenge(challenge.id)
        }
        let completion = try tester.platform.completeChallenge(challenge.id, method: .passkey)
        #expect(completion.level == .phishingResistant)
        #expect(completion.amr == ["swk", "user"])
        let allowed = await tester.run("vault")
        #expect(allowed.response?.text == "vault opened")
        // Staged as completed, the kit completes at the guard's level.
        #expect(await tester.run("vault", mfa: .completed).handlerRan)
        // A plain guard's route takes a code.
        #expect(await tester.run("plain", mfa: .completed).handlerRan)
    }

    @Test func aPlainGuardAcceptsItsOwnRouteOrTheExtensionsPromptOnly() async {
        let ownRoute = await tester.run("plain", mfa: .completedFor(.extensionPrompt(extension: "guarded", route: "plain")))
        #expect(ownRoute.handlerRan)
        let prompt = await tester.run("plain", mfa: .completedFor(.extensionPrompt(extension: "guarded", route: nil)))
        #expect(prompt.handlerRan)
        let otherRoute = await tester.run("plain", mfa: .completedFor(.extensionPrompt(extension: "guarded", route: "other")))
        #expect(!otherRoute.handlerRan)
        #expect(otherRoute.error?.code == .mfaRequired)
        let otherExtension = await tester.run("plain", mfa: .completedFor(.extensionPrompt(extension: "elsewhere", route: nil)))
        #expect(!otherExtension.handlerRan)
        let logon = await tester.run("plain", mfa: .completedFor(.logon))
        #expect(!logon.handlerRan)
    }

    @Test func aTransactionGuardMatchesExactlyItsTransactions() async {
        let fields = ["id": "t1", "amount": "500", "payee": "Acme"]
        let exact = MFAContext.transaction([TransactionItem(id: "t1", amountMinor: 500, currency: "USD", payee: "Acme")])
        let ok = await tester.run("pay", fields: fields, mfa: .completedFor(exact))
        #expect(ok.handlerRan)
        #expect(ok.response?.text == "paid [\"t1\"]")

        let mismatches: [MFAContext] = [
            .transaction([TransactionItem(id: "t2", amountMinor: 500, currency: "USD", payee: "Acme")]),
            .transaction([TransactionItem(id: "t1", amountMinor: 501, currency: "USD", payee: "Acme")]),
            .transaction([TransactionItem(id: "t1", amountMinor: 500, currency: "USD", payee: "Acme Ltd")]),
            .transaction([TransactionItem(id: "t1", amountMinor: 500, currency: "EUR", payee: "Acme")]),
            .extensionPrompt(extension: "guarded", route: nil),
            .extensionPrompt(extension: "guarded", route: "pay"),
        ]
        for context in mismatches {
            let result = await tester.run("pay", fields: fields, mfa: .completedFor(context))
            #expect(!result.handlerRan, "\(context)")
            #expect(result.error?.code == .mfaRequired)
            #expect(result.error?.context == "transaction")
        }
    }

    @Test func aTransactionGuardRefusesMalformedTransactionsWithoutRunning() async {
        let result = await tester.run("pay", fields: ["id": "t1", "amount": "0", "payee": "Acme"], mfa: .completed)
        #expect(!result.handlerRan)
        #expect(result.error?.code == .badRequest)
    }

    @Test func theErrorHandlerRendersAbandonedAndFailedWorkflowsButNotTheFirstRequest() async {
        let first = await tester.run("handled", mfa: .notCompleted)
        #expect(first.error?.code == .mfaRequired)  // the banking app must still learn to start MFA
        for state in [ChallengeState.cancelled, .failed, .locked, .expired] {
            let result = await tester.run("handled", mfa: .abandoned(state))
            #expect(!result.handlerRan)
            #expect(result.response?.status == 403)
            #expect(result.response?.text == "<p>MFA Failure - mfa_abandoned</p>")
        }
        let broken = await tester.run("handled", mfa: .failing(StepupError(.storeUnavailable)))
        #expect(!broken.handlerRan)
        #expect(broken.response?.text == "<p>MFA Failure - store_unavailable</p>")
    }

    @Test func withoutAnErrorHandlerAbandonedAndBrokenWorkflowsAreTypedErrors() async {
        let abandoned = await tester.run("plain", mfa: .abandoned(.cancelled))
        #expect(abandoned.error?.code == .mfaAbandoned)
        #expect(!abandoned.handlerRan)
        let broken = await tester.run("plain", mfa: .failing(StepupError(.storeUnavailable)))
        #expect(broken.error?.code == .storeUnavailable)
        #expect(!broken.handlerRan)
    }

    @Test func aFreshnessRouteReportsItsWindow() async {
        let result = await tester.run("fresh", mfa: .notCompleted)
        #expect(result.error?.maxAge == 120)
        #expect(await tester.run("fresh", mfa: .completed).handlerRan)
    }

    @Test func anUnknownRouteIsNotFoundAndAWrongMethodIsNotAllowed() async {
        #expect(await tester.run("missing").error?.code == .notFound)
        let wrong = await tester.run("getonly", method: .post).error
        #expect(wrong?.code == .methodNotAllowed)
        #expect(wrong?.allow == ["GET"])
        #expect(await tester.run("getonly", method: .get).response?.text == "get")
    }
}

@Suite("The example transfer extension")
struct TransfersExtensionTests {
    @Test func submitNeedsMFAForExactlyThisTransfer() async throws {
        let tester = ExtensionTester(TransfersExtension())
        let fields = ["transactionId": "tx-9", "fromAccount": "acct-1", "toPayee": "Acme Rent", "amount": "125.50"]
        let refused = await tester.run("submit", fields: fields)
        #expect(refused.error?.code == .mfaRequired)
        #expect(tester.platform.transfers.isEmpty)
        let done = await tester.run("submit", fields: fields, mfa: .completed)
        #expect(done.handlerRan)
        let receipt = try JSONDecoder().decode(TransferReceipt.self, from: Data(try #require(done.response).body))
        #expect(receipt.balanceMinor == 100_000 - 12_550)
        #expect(tester.platform.transfers.map(\.payee) == ["Acme Rent"])
    }

    @Test func cancellingRendersTheErrorPageAndMovesNoMoney() async {
        let tester = ExtensionTester(TransfersExtension())
        let fields = ["transactionId": "tx-9", "fromAccount": "acct-1", "toPayee": "Acme", "amount": "1.00"]
        let result = await tester.run("submit", fields: fields, mfa: .abandoned(.cancelled))
        #expect(result.response?.status == 403)
        #expect(result.response?.text.contains("cancelled") == true)
        #expect(tester.platform.transfers.isEmpty)
    }

    @Test func badAmountsAreRefusedBeforeMFAByTheErrorHandler() async {
        let tester = ExtensionTester(TransfersExtension())
        for amount in ["", "abc", "-5", "1.234", "0", "0.00"] {
            let result = await tester.run("submit", fields: ["transactionId": "t", "fromAccount": "acct-1", "toPayee": "Acme", "amount": amount], mfa: .completed)
            // A bad amount is the customer's typo, not an MFA failure: 400, and the handler's text names the input.
            #expect(result.response?.status == 400, "\(amount)")
            let text = result.response?.text ?? ""
            #expect(amount.isEmpty ? text.contains("Enter an amount") : text.contains("\(amount) is not an amount"), "\(text)")
            #expect(!text.contains("MFA"), "\(text)")
            #expect(!result.handlerRan)
            #expect(result.guardSaw.consumed.isEmpty)
        }
        #expect(tester.platform.transfers.isEmpty)
    }

    @Test func accountsUseTheBackOfficeAPIBeforeLogon() async throws {
        let tester = ExtensionTester(TransfersExtension())
        let before = await tester.run("accounts", method: .get, isAuthenticated: false)
        let after = await tester.run("accounts", method: .get, isAuthenticated: true)
        #expect(before.response?.status == 200)
        #expect(before.response?.body == after.response?.body)
    }
}

@Suite("Money amounts")
struct MoneyAmountTests {
    @Test(arguments: [("5", 500), ("5.0", 500), ("5.00", 500), ("0.01", 1), ("1,250.50", 125_050)] as [(String, Int64)])
    func parses(text: String, minor: Int64) throws {
        #expect(try MoneyAmount.minorUnits(text) == minor)
    }

    @Test(arguments: ["", "abc", "-1", "1.234", "0", "1.", ".5", "1e3", "99999999999999999999"])
    func refuses(text: String) {
        #expect(throws: StepupError.self) { try MoneyAmount.minorUnits(text) }
    }
}
