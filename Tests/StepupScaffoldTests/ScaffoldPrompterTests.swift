import Testing

@testable import StepupScaffold

/// The menus driven by scripted input, as a user at a terminal would answer them.
@Suite struct ScaffoldPrompterTests {
    final class Script {
        var lines: [String]
        var output = ""
        init(_ lines: [String]) { self.lines = lines }
        var prompter: ScaffoldPrompter {
            ScaffoldPrompter(
                readLine: { [self] in lines.isEmpty ? nil : lines.removeFirst() }, write: { [self] in output += $0 })
        }
    }

    @Test func theSeedsRedirectWalkthrough() throws {
        let script = Script(["MyExternalMFA", "1", "1", "3", "2"])
        let choices = try script.prompter.ask()
        #expect(choices == ScaffoldChoices(name: "MyExternalMFA", type: .online, rendering: .server, integration: .externalMFA, mfa: .redirect))
        #expect(script.output.contains("What type of extension are you creating?"))
        #expect(script.output.contains("1) Online (default)"))
        #expect(script.output.contains("2) SSO (third-party integration) (not built by Stepup)"))
        #expect(script.output.contains("11) Base Extension"))
        #expect(script.output.contains("2) Redirect-based (OpenID Connect)"))
        #expect(script.lines.isEmpty)
    }

    @Test func returnTakesEveryDefault() throws {
        let script = Script(["Greeter", "", "", ""])
        #expect(try script.prompter.ask() == ScaffoldChoices(name: "Greeter"))
    }

    @Test func auditActionAndBaseAskNoMore() throws {
        #expect(try Script(["MyRule", "7"]).prompter.ask().type == .auditAction)
        #expect(try Script(["Plain", "11"]).prompter.ask().type == .base)
    }

    @Test func aNumberOutOfRangeIsAskedAgain() throws {
        let script = Script(["Greeter", "12", "x", "1", "2", "2"])
        let choices = try script.prompter.ask()
        #expect(choices.rendering == .client)
        #expect(choices.integration == .unauthenticated)
        #expect(script.output.contains("Enter a number from 1 to 11."))
    }

    @Test func anUnsupportedTypeEndsTheRunPlainly() {
        #expect(throws: ScaffoldError("Ardent (API) extensions are not built by Stepup. Choose Online, Audit Action or Base Extension.")) {
            try Script(["Greeter", "3"]).prompter.ask()
        }
    }

    @Test func endOfInputAtAnyPromptEndsTheRun() {
        for answered in 0..<4 {
            let lines = Array(["Greeter", "1", "1", "3"].prefix(answered))
            #expect(throws: ScaffoldError.self) { try Script(lines).prompter.ask() }
        }
    }

    @Test func anInvalidNameEndsTheRun() {
        #expect(throws: ScaffoldError.self) { try Script(["my-ext"]).prompter.ask() }
    }
}
