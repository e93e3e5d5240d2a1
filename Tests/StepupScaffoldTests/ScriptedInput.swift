import Foundation

@testable import StepupScaffold

/// Answers typed at the prompts, one a line, and everything the prompts wrote; nil once the lines run out, as at
/// the end of input.
final class ScriptedInput {
    var lines: [String]
    var output = ""

    init(_ lines: [String]) { self.lines = lines }

    var readLine: () -> String? { { [self] in lines.isEmpty ? nil : lines.removeFirst() } }
    var write: (String) -> Void { { [self] in output += $0 } }

    func prompter(existingFolder: @escaping (String) -> String? = { _ in nil }) -> ScaffoldPrompter {
        ScaffoldPrompter(readLine: readLine, write: write, existingFolder: existingFolder)
    }

    /// Where `text` first appears in the output; the end when it does not, so an order check fails.
    func position(of text: String) -> String.Index {
        output.range(of: text)?.lowerBound ?? output.endIndex
    }
}

/// A new empty folder under the temporary directory.
func emptyFolder() throws -> URL {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("scaffold-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    return folder
}
