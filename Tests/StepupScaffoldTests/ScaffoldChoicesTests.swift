import Testing

@testable import StepupScaffold

@Suite struct ScaffoldChoicesTests {
    @Test(arguments: [
        ("MyExternalMFA", "my-external-mfa"), ("Transfers", "transfers"), ("HTTPProxy", "http-proxy"),
        ("Account2Go", "account2-go"), ("my_tool", "my-tool"),
    ])
    func slugsAreKebabCase(_ name: String, _ slug: String) {
        #expect(ScaffoldChoices(name: name).slug == slug)
    }

    @Test(arguments: ["", "9Lives", "my-ext", "Café", "class", "Self", "StepupThing", "A B", String(repeating: "A", count: 49), "___"])
    func invalidNamesAreRefused(_ name: String) {
        #expect(throws: ScaffoldError.self) { try ScaffoldChoices.validate(name: name) }
    }

    @Test func validNamesPass() throws {
        try ScaffoldChoices.validate(name: "MyExternalMFA")
        try ScaffoldChoices.validate(name: "_Private2")
    }

    @Test func onlyOnlineAuditActionAndBaseAreBuilt() {
        #expect(ExtensionType.allCases.count == 11)
        #expect(ExtensionType.allCases.filter(\.isSupported) == [.online, .auditAction, .base])
        #expect(throws: ScaffoldError.self) { try ScaffoldChoices(name: "Sso", type: .sso).validate() }
    }
}
