import StepupCore
import StepupSDK
import StepupTesting
import Testing

/// An extension that reads data through the data objects and through each API directly.
struct DataExtension: Extension {
    let name = "data"
    let runsBeforeLogon = true

    var routes: [ExtensionRoute] {
        [
            ExtensionRoute("profile") { request in .text(try await Profile.read(for: request).displayName) },
            ExtensionRoute("user-api") { request in .text(try await request.platform.user.profile().username) },
            ExtensionRoute("someone-else") { request in
                .text(try await request.platform.backOffice.profile(userID: "another-user").username)
            },
            ExtensionRoute("disclaimer") { request in
                try await Disclaimer.accept(id: "terms-2026", for: request)
                return .text(request.isAuthenticated ? "user api" : "back office")
            },
            ExtensionRoute("info") { request in
                .text("\(request.mfaInfo.registrationValue ?? "-") \(request.mfaInfo.ssoIdentifier ?? "-")")
            },
        ]
    }
}

@Suite("Pre-authentication access")
struct PreAuthenticationTests {
    let platform = TestPlatform(userID: "user-1", registrationValue: "reg-42", ssoIdentifier: "sso-7")

    @Test func dataObjectsWorkBeforeAndAfterLogon() async {
        let tester = ExtensionTester(DataExtension(), platform: platform)
        #expect(await tester.run("profile", isAuthenticated: false).response?.text == "Alice")
        #expect(await tester.run("profile", isAuthenticated: true).response?.text == "Alice")
        #expect(await tester.run("disclaimer", isAuthenticated: false).response?.text == "back office")
        #expect(await tester.run("disclaimer", isAuthenticated: true).response?.text == "user api")
        #expect(platform.acceptedDisclaimers == ["terms-2026", "terms-2026"])
    }

    @Test func theUserAPIRefusesBeforeLogon() async {
        let tester = ExtensionTester(DataExtension(), platform: platform)
        #expect(await tester.run("user-api", isAuthenticated: false).error?.code == .notAuthenticated)
        #expect(await tester.run("user-api", isAuthenticated: true).response?.text == "alice")
    }

    @Test func theBackOfficeAPIServesOnlyTheSessionsUser() async {
        let tester = ExtensionTester(DataExtension(), platform: platform)
        #expect(await tester.run("someone-else", isAuthenticated: false).error?.code == .forbidden)
    }

    @Test func mfaInfoCarriesTheRegistrationValueAndSSOIdentifier() async {
        let tester = ExtensionTester(DataExtension(), platform: platform)
        #expect(await tester.run("info").response?.text == "reg-42 sso-7")
    }

    @Test func mfaInfoDescribesEachContext() {
        let transaction = MFAInfo(context: .transaction([TransactionItem(id: "a", amountMinor: 1, currency: "USD", payee: "p"), TransactionItem(id: "b", amountMinor: 2, currency: "USD", payee: "q")]))
        #expect(transaction.context == "transaction")
        #expect(transaction.transactionIDs == ["a", "b"])
        let edv = MFAInfo(context: .eventDrivenValidation(auditActionID: "e1", auditActionName: "TransferFunds", detailsHash: "h"), registrationValue: "r")
        #expect(edv.auditActionID == "e1" && edv.auditActionName == "TransferFunds" && edv.registrationValue == "r")
        #expect(MFAInfo(context: .logon).transactionIDs == nil)
    }

    @Test func extensionNamesAreRestricted() {
        #expect(GuardedExtension.isValidName("transfers"))
        #expect(GuardedExtension.isValidName("my-ext_2"))
        #expect(!GuardedExtension.isValidName("Transfers"))
        #expect(!GuardedExtension.isValidName("a/b"))
        #expect(!GuardedExtension.isValidName(""))
    }
}
