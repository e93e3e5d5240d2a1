import Testing

@testable import StepupScaffold

/// The menus driven by scripted input, as a user at a terminal would answer them.
@Suite struct ScaffoldPrompterTests {
    @Test func theSeedsRedirectWalkthrough() throws {
        let script = ScriptedInput(["MyExternalMFA", "1", "1", "3", "2"])
        let choices = try script.prompter().ask()
        #expect(choices == ScaffoldChoices(name: "MyExternalMFA", type: .online, rendering: .server, integration: .externalMFA, mfa: .redirect))
        #expect(script.output.contains("What type of extension are you creating?"))
        #expect(script.output.contains("1) Online (default)"))
        #expect(script.output.contains("2) SSO (third-party integration) (not built by Stepup)"))
        #expect(script.output.contains("11) Base Extension"))
        #expect(script.output.contains("2) Redirect-based (OpenID Connect)"))
        #expect(script.lines.isEmpty)
    }

    @Test func returnTakesEveryDefault() throws {
        let script = ScriptedInput(["Greeter", "", "", ""])
        #expect(try script.prompter().ask() == ScaffoldChoices(name: "Greeter"))
    }

    @Test func auditActionAndBaseAskNoMore() throws {
        #expect(try ScriptedInput(["MyRule", "7"]).prompter().ask().type == .auditAction)
        #expect(try ScriptedInput(["Plain", "11"]).prompter().ask().type == .base)
    }

    @Test func aNumberOutOfRangeIsAskedAgain() throws {
        let script = ScriptedInput(["Greeter", "12", "x", "1", "2", "2"])
        let choices = try script.prompter().ask()
        #expect(choices.rendering == .client)
        #expect(choices.integration == .unauthenticated)
        #expect(script.output.contains("Enter a number from 1 to 11."))
    }

    @Test func aBadNameSaysWhyAndTheNextGoodOneProceeds() throws {
        let script = ScriptedInput(["my-ext", "class", "Greeter", "11"])
        let choices = try script.prompter().ask()
        #expect(choices == ScaffoldChoices(name: "Greeter", type: .base))
        #expect(script.output.contains(#""my-ext" is not a valid Swift type name"#))
        #expect(script.output.contains(#""class" is a Swift keyword"#))
        #expect(script.output.components(separatedBy: "New extension name: ").count - 1 == 3)
        // Each reason comes before the menus, so no answer after a bad name is wasted.
        #expect(script.position(of: "is a Swift keyword") < script.position(of: "What type of extension"))
        #expect(script.lines.isEmpty)
    }

    @Test func anUnsupportedTypeSaysSoAndAsksAgain() throws {
        let script = ScriptedInput(["Greeter", "3", "7"])
        #expect(try script.prompter().ask().type == .auditAction)
        #expect(script.output.contains("Ardent (API) extensions are not built by Stepup. Choose Online, Audit Action or Base Extension."))
        #expect(script.output.components(separatedBy: "Make a selection").count - 1 == 2)
    }

    @Test func anExistingFolderIsReportedBeforeTheTypeMenu() throws {
        let script = ScriptedInput(["Taken", "Fresh", "11"])
        let choices = try script.prompter(existingFolder: { $0 == "Taken" ? "/banks/Taken" : nil }).ask()
        #expect(choices.name == "Fresh")
        #expect(script.output.contains("/banks/Taken already exists; choose another name, or pass --force to replace it."))
        #expect(script.position(of: "already exists") < script.position(of: "What type of extension"))
        #expect(script.output.components(separatedBy: "What type of extension").count - 1 == 1)
    }

    @Test(arguments: 0..<5)
    func endOfInputAtAnyPromptEndsTheRunInOneLine(answered: Int) {
        // Every prompt of the redirect walkthrough, the end of input at each.
        let lines = Array(["Greeter", "1", "1", "3", "2"].prefix(answered))
        let script = ScriptedInput(lines)
        #expect {
            try script.prompter().ask()
        } throws: { error in
            guard let error = error as? ScaffoldError else { return false }
            return error.message.contains("(end of input); nothing was written.") && !error.message.contains("\n")
        }
        #expect(script.output.hasSuffix("\n"), "the error that follows starts on a line of its own")
    }

    @Test func aNameGivenAsAFlagIsNotAskedAgain() {
        let script = ScriptedInput(["Greeter"])
        #expect(throws: ScaffoldError.self) { try script.prompter().ask(name: "my-ext") }
        #expect(script.output.isEmpty)
    }
}
