import Foundation
import Testing

@testable import StepupScaffold

@Suite struct ScaffolderTests {
    static let variants: [ScaffoldChoices] = {
        var all: [ScaffoldChoices] = []
        for rendering in Rendering.allCases {
            for integration in [Integration.authenticated, .unauthenticated] {
                all.append(ScaffoldChoices(name: "V", rendering: rendering, integration: integration))
            }
            for mfa in MFAIntegration.allCases {
                all.append(ScaffoldChoices(name: "V", rendering: rendering, integration: .externalMFA, mfa: mfa))
            }
        }
        return all + [ScaffoldChoices(name: "V", type: .auditAction), ScaffoldChoices(name: "V", type: .base)]
    }()

    func temporaryFolder() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("scaffold-\(UUID().uuidString)")
    }

    @Test(arguments: variants)
    func everyVariantHasALibraryAnExecutableTestsAndAReadme(_ choices: ScaffoldChoices) throws {
        let files = try Scaffolder(choices: choices, stepup: .path("/opt/stepup")).files()
        #expect(files["Package.swift"]?.contains(#".package(name: "stepup", path: "/opt/stepup")"#) == true)
        #expect(files["Sources/V/V.swift"] != nil)
        #expect(files["Tests/VTests/VTests.swift"]?.contains("@Test") == true)
        #expect(files["README.md"] != nil)
        let executable = choices.type == .auditAction ? "Sources/VCheck/main.swift" : "Sources/VServer/main.swift"
        #expect(files[executable] != nil)
    }

    @Test func theAuthenticatedVariantGuardsARouteWithAnAuditAction() throws {
        let files = try Scaffolder(choices: ScaffoldChoices(name: "Payments"), stepup: .path("/s")).files()
        #expect(files["Sources/Payments/Payments.swift"]?.contains(#"auditAction: "payments.confirm""#) == true)
        #expect(files["README.md"]?.contains("stepup serve --demo --port $PLATFORM_PORT --extension payments=http://127.0.0.1:$SERVICE_PORT") == true)
    }

    @Test func theRedirectVariantHasVerifyHtmlTheTokenRouteAndTheOIDCModule() throws {
        let choices = ScaffoldChoices(name: "MyExternalMFA", integration: .externalMFA, mfa: .redirect)
        let files = try Scaffolder(choices: choices, stepup: .url("https://example.test/stepup.git", version: "1.0.0")).files()
        let source = try #require(files["Sources/MyExternalMFA/MyExternalMFA.swift"])
        // verify.html and verify.js are StepupSDKOIDC's return page; the generated tests check the asset is served.
        #expect(source.contains("OIDCReturnPage.assets()"))
        #expect(files["Tests/MyExternalMFATests/MyExternalMFATests.swift"]?.contains(#"$0.path == "verify.html""#) == true)
        #expect(source.contains(#"ExtensionRoute("token""#))
        #expect(source.contains("import StepupSDKOIDC"))
        #expect(files["Package.swift"]?.contains(#".package(url: "https://example.test/stepup.git", from: "1.0.0")"#) == true)
        #expect(files["Package.swift"]?.contains(#""StepupSDKOIDC""#) == true)
    }

    @Test func writingIsAllOrNothingAndRefusesAnExistingFolder() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let scaffolder = Scaffolder(choices: ScaffoldChoices(name: "Greeter"), stepup: .path("/s"))
        let written = try scaffolder.write(to: folder)
        #expect(written.contains("Package.swift"))
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("Sources/Greeter/Greeter.swift").path))
        try Data("mine".utf8).write(to: folder.appendingPathComponent("NOTES"))
        #expect(throws: ScaffoldError.self) { try scaffolder.write(to: folder) }
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("NOTES").path), "nothing was touched")
        try scaffolder.write(to: folder, force: true)
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("NOTES").path))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder.deletingLastPathComponent().path)
            .filter { $0.hasPrefix(".\(folder.lastPathComponent).creating") }
        #expect(leftovers.isEmpty)
    }

    @Test func anUnsupportedTypeWritesNothing() {
        let folder = temporaryFolder()
        #expect(throws: ScaffoldError.self) {
            try Scaffolder(choices: ScaffoldChoices(name: "Bus", type: .messageBus), stepup: .path("/s")).write(to: folder)
        }
        #expect(!FileManager.default.fileExists(atPath: folder.path))
    }
}
