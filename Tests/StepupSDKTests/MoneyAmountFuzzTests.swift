import Foundation
import StepupCore
import StepupExamples
import StepupSDK
import StepupTesting
import Testing

/// The money parser and the example extensions' routes under seeded hostile input.
@Suite("Fuzzed amounts and extension bodies")
struct MoneyAmountFuzzTests {
    @Test func anyTextIsAnAmountWithinBoundsOrABadRequest() {
        var fuzz = FuzzInput()
        for _ in 0..<FuzzInput.iterations * 5 {
            let text = fuzz.text(maxPieces: 6)
            do {
                let minor = try MoneyAmount.minorUnits(text)
                #expect((1...MoneyAmount.maximumMinorUnits).contains(minor), "\(text)")
            } catch let error as StepupError {
                #expect(error.code == .badRequest)
            } catch {
                Issue.record("untyped error for \(text)")
            }
        }
    }

    @Test func formattedAmountsRoundTrip() throws {
        var fuzz = FuzzInput()
        for _ in 0..<FuzzInput.iterations {
            let minor = Int64.random(in: 1...MoneyAmount.maximumMinorUnits, using: &fuzz)
            let whole = minor / 100, cents = minor % 100
            let grouped = fuzz.pick([true, false])
                ? whole.formatted(.number.grouping(.automatic).locale(Locale(identifier: "en_US"))) : String(whole)
            #expect(try MoneyAmount.minorUnits("\(grouped).\(cents < 10 ? "0" : "")\(cents)") == minor)
        }
    }

    @Test func theLimitsAreExact() throws {
        #expect(try MoneyAmount.minorUnits("999,999,999,999.99") == MoneyAmount.maximumMinorUnits)
        #expect(try MoneyAmount.minorUnits("0.01") == 1)
        for refused in ["1000000000000", "92233720368547758.08", "0", "0.00", "-1", "1.234", ".5", "5.", "1e3", "٣", "1\u{301}", " "] {
            #expect(throws: StepupError.self, "\(refused)") { try MoneyAmount.minorUnits(refused) }
        }
    }

    @Test func exampleRoutesAnswerEveryBodyWithATypedResult() async {
        var fuzz = FuzzInput()
        let examples: [any Extension] = [TransfersExtension(), PassphraseExtension(), PassphraseClientExtension()]
        for _ in 0..<FuzzInput.iterations / 3 {
            let ext = fuzz.pick(examples)
            let tester = ExtensionTester(ext, platform: TestPlatform(userID: "u", registrationValue: fuzz.pick([nil, "sha256:s:abc", fuzz.text()])))
            let route = fuzz.pick(ext.routes.map(\.routingKey))
            let body = try? JSONDecoder().decode(JSONValue.self, from: Data(fuzz.json().utf8))
            let fields = Dictionary(uniqueKeysWithValues: (0..<Int.random(in: 0...4, using: &fuzz)).map { index in
                (fuzz.pick(["amount", "toPayee", "transactionId", "fromAccount", "phrase", "memo", "k\(index)"]) + (index == 0 ? "" : "\(index)"), fuzz.text())
            })
            let result = await tester.run(
                route, method: fuzz.pick([.post, .get]), fields: fields, json: body,
                mfa: fuzz.pick([.completed, .notCompleted, .blocked, .abandoned(.cancelled)]), isAuthenticated: fuzz.pick([true, false]))
            if let error = result.error { #expect(error.httpStatus < 500 || error.code == .internal, "\(route): \(error)") }
            if let response = result.response { #expect((200...599).contains(response.status)) }
        }
    }
}
