import Foundation
import Testing

@testable import StepupScaffold

/// The generated README's commands chain: run top to bottom in one shell, each uses only what the ones before set.
/// (`./scripts/scaffold-test` runs them; these catch a broken chain without a build.)
@Suite struct GeneratedReadmeTests {
    func readme(_ choices: ScaffoldChoices) throws -> String {
        try #require(try Scaffolder(choices: choices, stepup: .path("/opt/stepup")).files()["README.md"])
    }

    /// The lines of every ```sh block, in order.
    func commands(_ readme: String) -> [String] {
        var inBlock = false
        var lines: [String] = []
        for line in readme.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if line == "```sh" { inBlock = true } else if line == "```" { inBlock = false } else if inBlock { lines.append(line) }
        }
        return lines
    }

    /// Shell variables a line sets (`A=…`, `export A=… B=…`): only words before the command itself.
    func assigned(_ line: String) -> [String] {
        var names: [String] = []
        for word in line.split(separator: " ") where word != "export" {
            guard let equals = word.firstIndex(of: "="), word[..<equals].allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }),
                !word[..<equals].isEmpty
            else { break }
            names.append(String(word[..<equals]))
        }
        return names
    }

    /// Variables a line reads (`$A`, `${A}`), leaving out `${A:-default}`, which needs nothing set.
    func used(_ line: String) -> [String] {
        let code = line.components(separatedBy: "   # →")[0]
        let pattern = try! NSRegularExpression(pattern: #"\$\{?([A-Za-z_][A-Za-z0-9_]*)(:-)?"#)
        return pattern.matches(in: code, range: NSRange(code.startIndex..., in: code)).compactMap { match in
            guard match.range(at: 2).location == NSNotFound else { return nil }
            return Range(match.range(at: 1), in: code).map { String(code[$0]) }
        }
    }

    @Test(arguments: ScaffolderTests.variants)
    func everyVariableIsSetBeforeItIsUsed(_ choices: ScaffoldChoices) throws {
        var set: Set<String> = []
        for line in commands(try readme(choices)) {
            for name in used(line) where !line.hasPrefix("#") {
                #expect(set.contains(name), "\(name) is used before it is set: \(line)")
            }
            set.formUnion(assigned(line))
        }
    }

    @Test(arguments: ScaffolderTests.variants)
    func everyReadmeBuildsTestsAndSaysHowLongTheFirstBuildTakes(_ choices: ScaffoldChoices) throws {
        let text = try readme(choices)
        #expect(Array(commands(text).prefix(2)) == ["swift build", "swift test"])
        #expect(text.contains("## Build and test\n\n\(Template.firstBuild)\n"))
        #expect(Template.firstBuild.contains(/took about [0-9.]+ minutes on a 2-core/))
    }

    @Test func theServiceAndThePlatformShareTheKeyUnderTheNamesTheyRead() throws {
        let lines = commands(try readme(ScaffoldChoices(name: "Payments")))
        // What StepupExtensionHost's generated main reads, and what `stepup serve --extension NAME=URL` reads.
        #expect(lines.contains(#"STEPUP_EXTENSION_KEY="$KEY" STEPUP_PLATFORM_URL=$B PORT=$SERVICE_PORT swift run PaymentsServer &"#))
        #expect(lines.contains(
            #"STEPUP_EXTENSION_KEY_PAYMENTS="$KEY" stepup serve --demo --port $PLATFORM_PORT --extension payments=http://127.0.0.1:$SERVICE_PORT &"#))
        // No rule first: the guard fails closed; then the bank's allow rule lets the call run.
        let confirm = lines.indices.filter { lines[$0].contains("$B/ext/payments/confirm") }
        let rule = try #require(lines.firstIndex { $0.contains(#""action":"payments.confirm","decision":"allow""#) })
        #expect(confirm.count == 2)
        #expect(confirm.first.map { lines[$0].hasSuffix(#"# → "mfa_required""#) && $0 < rule } == true)
        #expect(confirm.last.map { lines[$0].hasSuffix(#"# → "confirmed":"hello""#) && $0 > rule } == true)
        #expect(lines.last == "kill $(jobs -p)")
    }

    @Test(arguments: [MFAIntegration.standard, .redirect])
    func externalMFAIsRegisteredOnceThePlatformRunsNotMounted(_ mfa: MFAIntegration) throws {
        let lines = commands(try readme(ScaffoldChoices(name: "MyMFA", integration: .externalMFA, mfa: mfa)))
        let add = try #require(lines.firstIndex { $0.hasPrefix(#"echo "$KEY" | stepup extension add my-mfa http://127.0.0.1:$SERVICE_PORT --runs-before-logon"#) })
        let serve = try #require(lines.firstIndex(of: "stepup serve --demo --port $PLATFORM_PORT &"))
        #expect(serve < add, "the registry seals its key with the key set the platform makes")
        #expect(!lines.contains { $0.contains("--extension") })
        #expect(lines[add].contains(#"--authorization-origin "$OIDC_ISSUER""#) == (mfa == .redirect))
    }

    @Test func theAuditActionReadmeStartsNoService() throws {
        let lines = commands(try readme(ScaffoldChoices(name: "MyRule", type: .auditAction)))
        #expect(lines.contains("swift run MyRuleCheck TransferFunds amount=2500   # → require_mfa"))
        #expect(!lines.contains { $0.hasSuffix("&") || $0.contains("stepup serve") })
    }
}
