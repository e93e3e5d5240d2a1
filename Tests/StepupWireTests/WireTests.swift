import Foundation
import HTTPTypes
import Hummingbird
import StepupCore
import StepupTesting
import Testing

@testable import StepupWire

@Suite("The wire between the platform and extension services")
struct WireTests {
    /// The envelope was written three times, and the extension service's copy dropped the lockout, the attempts
    /// left and the challenge: now one type writes and reads every field.
    @Test func theEnvelopeCarriesEveryFieldBothWays() throws {
        var error = StepupError(
            .codeInvalid, message: "That code is not correct.", lockedUntil: Date(timeIntervalSince1970: 1_800_000_000),
            attemptsLeft: 3, challengeID: "c-1", retryAfter: 30)
        error.context = "transaction"
        error.maxAge = 300
        let data = ErrorEnvelope(error, requestID: "r-1").encoded()
        let decoded = try #require(ErrorEnvelope.decode(data))
        #expect(decoded == error)
        #expect(decoded.context == "transaction")
        #expect(decoded.maxAge == 300)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: [String: Any]])
        #expect(object["error"]?["requestId"] as? String == "r-1")
        #expect(object["error"]?["lockedUntil"] as? String == "2027-01-15T08:00:00Z")
    }

    @Test func anErrorRendersItsStatusAndHeaders() throws {
        let throttled = StepupError(.resendTooSoon, retryAfter: 42).response(requestID: nil)
        #expect(throttled.status == .tooManyRequests)
        #expect(throttled.headers[.retryAfter] == "42")
        var required = StepupError(.mfaRequired, challengeID: "c")
        required.maxAge = 120
        let answer = required.response(requestID: "r")
        #expect(answer.status == .unauthorized)
        #expect(answer.headers[.wwwAuthenticate]?.contains(#"error="insufficient_user_authentication""#) == true)
        #expect(answer.headers[.wwwAuthenticate]?.contains("max_age=120") == true)
        #expect(answer.headers[.contentType]?.hasPrefix("application/json") == true)
        // A route that needs a passkey says so as RFC 9470 asks: acr_values beside max_age.
        required.acrValues = "phr"
        let stronger = required.response(requestID: nil)
        #expect(stronger.headers[.wwwAuthenticate]?.contains(#"acr_values="phr""#) == true)
        let decoded = try #require(ErrorEnvelope.decode(ErrorEnvelope(required, requestID: nil).encoded()))
        #expect(decoded.acrValues == "phr")
        // A level another component names that this build does not know is dropped, never put in a header.
        var unknown = required
        unknown.acrValues = #"x", evil="1"#
        #expect(ErrorEnvelope.decode(ErrorEnvelope(unknown, requestID: nil).encoded())?.acrValues == nil)
    }

    @Test func anythingElseBecomesAnInternalErrorThatSaysNothingOfItsCause() {
        struct Secret: Error { let password = "hunter2" }
        var told: [String] = []
        let error = StepupError.from(Secret()) { told.append($0) }
        #expect(error.code == .internal)
        #expect(!error.message.contains("hunter2"))
        #expect(told == ["Secret"])
        #expect(StepupError.from(HTTPError(.notFound)) { told.append($0) }.code == .notFound)
        #expect(StepupError.from(StepupError(.userLocked)) { told.append($0) }.code == .userLocked)
    }

    @Test func errorEnvelopesFromOtherComponentsDecodeBoundedOrNotAtAll() {
        var fuzz = FuzzInput()
        for _ in 0..<FuzzInput.iterations {
            let body = fuzz.pick([
                fuzz.json(),
                #"{"error":{"code":"code_invalid","message":"\#(fuzz.text().filter { $0.isLetter })","attemptsLeft":\#(fuzz.pick(["-1", "3", "9223372036854775807", "1e9"])),"lockedUntil":"\#(fuzz.text())","retryAfter":\#(fuzz.pick(["-5", "99999999", "0"])),"maxAge":\#(fuzz.pick(["-5", "99999999", "7"]))}}"#,
            ])
            if let error = ErrorEnvelope.decode(Data(body.utf8)) {
                #expect((0...100).contains(error.attemptsLeft ?? 0))
                #expect((0...86_400).contains(error.retryAfter ?? 0))
                #expect((0...86_400).contains(error.maxAge ?? 0))
                #expect(error.message.count <= 500)
            }
        }
    }

    static let everyOperation: [PlatformOperation] = [
        .profile, .accounts, .acceptDisclaimer(.init(id: "d")),
        .transfer(TransferRequest(transactionID: "t", fromAccountID: "a", amountMinor: 100, currency: "EUR", payee: "p")),
        .backOfficeProfile(.init(userID: "u")), .backOfficeAccounts(.init(userID: "u")),
        .markDisclaimerAccepted(.init(userID: "u", id: "d")), .setExternalToken(.init(token: "tok")),
        .recordEvent(.init(action: "a", succeeded: true, details: ["k": "v"])), .issueExternalToken, .beginExternalAttempt,
        .finishExternalAttempt(.init(attemptID: "x", succeeded: false)),
    ]

    /// What the client sends is what the route decodes, for every operation: the names and bodies are written once.
    @Test(arguments: everyOperation)
    func anOperationArrivesAsItWasSent(operation: PlatformOperation) throws {
        let body = try JSONEncoder().encode(operation.body)
        #expect(try PlatformOperation.decode(name: operation.name, body: body) == operation)
        #expect(operation.path == "/api/extension-platform/" + operation.name)
    }

    @Test func everyOperationHasItsOwnName() {
        #expect(Set(Self.everyOperation.map(\.name)).count == Self.everyOperation.count)
    }

    @Test func anUnknownOperationOrABodyOfAnotherShapeIsATypedRefusal() {
        #expect(throws: StepupError(.notFound)) { try PlatformOperation.decode(name: "user/delete-everything", body: Data("{}".utf8)) }
        #expect(throws: StepupError(.malformedJSON)) { try PlatformOperation.decode(name: "user/transfer", body: Data("{}".utf8)) }
        var fuzz = FuzzInput()
        for _ in 0..<FuzzInput.iterations {
            let name = fuzz.pick(Self.everyOperation.map(\.name) + [fuzz.text()])
            do {
                _ = try PlatformOperation.decode(name: name, body: Data(fuzz.json().utf8))
            } catch let error as StepupError {
                #expect([.notFound, .malformedJSON].contains(error.code))
            } catch {
                Issue.record("untyped error \(error)")
            }
        }
    }
}
