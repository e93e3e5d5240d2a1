import Foundation
import Testing

@testable import StepupScaffold

/// `stepup create-extension`'s run, in a real folder: flags fail at once, the menus ask again, a refusal writes nothing.
@Suite struct ScaffoldRequestTests {
    func contents(_ folder: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
    }

    @Test func anExistingFolderIsReportedBeforeTheTypeMenuAndAnotherNameProceeds() throws {
        let folder = try emptyFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("Taken"), withIntermediateDirectories: false)
        let script = ScriptedInput(["Taken", "Fresh", "11"])
        let result = try ScaffoldRequest(directory: folder).create(stepup: .path("/s"), readLine: script.readLine, write: script.write)
        #expect(result.folder.lastPathComponent == "Fresh")
        #expect(result.choices.type == .base)
        #expect(script.output.contains("\(folder.appendingPathComponent("Taken").standardizedFileURL.path) already exists"))
        #expect(script.position(of: "already exists") < script.position(of: "What type of extension"))
        #expect(try contents(folder) == ["Fresh", "Taken"])
        #expect(try contents(folder.appendingPathComponent("Taken")).isEmpty, "the existing folder is untouched")
    }

    @Test func forceTakesTheExistingFolder() throws {
        let folder = try emptyFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("Taken"), withIntermediateDirectories: false)
        let script = ScriptedInput(["Taken", "11"])
        let result = try ScaffoldRequest(force: true, directory: folder).create(stepup: .path("/s"), readLine: script.readLine, write: script.write)
        #expect(result.folder.lastPathComponent == "Taken")
        #expect(!script.output.contains("already exists"))
        #expect(result.files.contains("Package.swift"))
    }

    @Test func anExistingOutputFolderFailsBeforeAnyQuestion() throws {
        let folder = try emptyFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("Out"), withIntermediateDirectories: false)
        let script = ScriptedInput(["Greeter", "11"])
        #expect(throws: ScaffoldError.self) {
            try ScaffoldRequest(output: "Out", directory: folder).create(stepup: .path("/s"), readLine: script.readLine, write: script.write)
        }
        #expect(script.output.isEmpty)
        #expect(script.lines.count == 2)
    }

    @Test func endOfInputWritesNothing() throws {
        let folder = try emptyFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let script = ScriptedInput(["Greeter", "1"])
        #expect(throws: ScaffoldError("No selection made (end of input); nothing was written.")) {
            try ScaffoldRequest(directory: folder).create(stepup: .path("/s"), readLine: script.readLine, write: script.write)
        }
        #expect(try contents(folder).isEmpty)
    }

    static let badFlags: [(ScaffoldRequest, String)] = [
        (ScaffoldRequest(name: "Greeter", type: "widget"), "--type widget is not one of the choices"),
        (ScaffoldRequest(name: "Greeter", type: "sso"), "not built by Stepup"),
        (ScaffoldRequest(name: "Greeter", rendering: "native"), "--rendering native is not one of the choices"),
        (ScaffoldRequest(name: "my-ext"), "not a valid Swift type name"),
        (ScaffoldRequest(type: "base"), "--name is needed"),
    ]

    @Test(arguments: badFlags)
    func aFlagWithABadValueFailsAtOnceAndWritesNothing(_ flags: ScaffoldRequest, _ reason: String) throws {
        let folder = try emptyFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        var request = flags
        request.directory = folder
        // Answers a menu would take: a flag refusal must not read them.
        let script = ScriptedInput(["Greeter", "11"])
        #expect {
            try request.create(stepup: .path("/s"), readLine: script.readLine, write: script.write)
        } throws: { error in
            (error as? ScaffoldError)?.message.contains(reason) == true
        }
        #expect(script.output.isEmpty)
        #expect(script.lines.count == 2)
        #expect(try contents(folder).isEmpty)
    }

    @Test func flagsWriteWithoutAsking() throws {
        let folder = try emptyFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let script = ScriptedInput([])
        let result = try ScaffoldRequest(name: "Greeter", type: "audit-action", directory: folder)
            .create(stepup: .path("/s"), readLine: script.readLine, write: script.write)
        #expect(result.choices == ScaffoldChoices(name: "Greeter", type: .auditAction))
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("Greeter/Sources/Greeter/Greeter.swift").path))
        #expect(script.output.isEmpty)
    }

    @Test func anExistingFolderNamedByAFlagFailsAtOnce() throws {
        let folder = try emptyFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("Greeter"), withIntermediateDirectories: false)
        #expect(throws: ScaffoldError.self) {
            try ScaffoldRequest(name: "Greeter", directory: folder).create(stepup: .path("/s"), readLine: { nil }, write: { _ in })
        }
        #expect(try contents(folder) == ["Greeter"])
        #expect(try contents(folder.appendingPathComponent("Greeter")).isEmpty)
    }
}
