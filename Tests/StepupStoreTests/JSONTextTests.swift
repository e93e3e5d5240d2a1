import Foundation
@testable import StepupStore
import Testing

@Suite("Audit details as JSON text")
struct JSONTextTests {
    @Test(arguments: [
        [:],
        ["context": "logon"],
        ["b": "2", "a": "1", "c": ""],
        ["quote": "say \"hi\"", "slash": "a\\b/c", "lines": "one\ntwo\r\tthree"],
        ["control": "\u{0}\u{1}\u{1F}bell\u{7}", "unicode": "Zürich → 東京 🏦", "key \"quoted\"": "v"],
    ])
    func theTextDecodesToTheSameObjectWithKeysInOrder(object: [String: String]) throws {
        let text = JSONText.encode(object)
        #expect(try JSONDecoder().decode([String: String].self, from: Data(text.utf8)) == object)
        #expect(!text.unicodeScalars.contains { $0.value < 0x20 })
    }

    @Test
    func keysAreSortedSoTheSameDetailsAreTheSameText() {
        #expect(JSONText.encode(["b": "2", "a": "1", "c": ""]) == #"{"a":"1","b":"2","c":""}"#)
        #expect(JSONText.encode([:]) == "{}")
        #expect(JSONText.encode(["q": "\"\u{1}"]) == #"{"q":"\"\u0001"}"#)
    }
}
