import Testing

@testable import StepupCore

@Suite struct ExtensionEventLimitsTests {
    @Test func aBoundedEventPasses() throws {
        try ExtensionEventLimits.validate(action: "oidc.failed", details: ["reason": "state_replayed"])
    }

    @Test(arguments: ["", "Upper", "with space", "semi;colon", String(repeating: "a", count: 65)])
    func anActionOutsideTheAlphabetIsRefused(_ action: String) {
        #expect(throws: StepupError.self) { try ExtensionEventLimits.validate(action: action, details: [:]) }
    }

    @Test func tooManyOrTooLongDetailsAreRefused() {
        let many = Dictionary(uniqueKeysWithValues: (0..<17).map { ("k\($0)", "v") })
        #expect(throws: StepupError.self) { try ExtensionEventLimits.validate(action: "a", details: many) }
        #expect(throws: StepupError.self) {
            try ExtensionEventLimits.validate(action: "a", details: ["k": String(repeating: "v", count: 513)])
        }
    }
}
