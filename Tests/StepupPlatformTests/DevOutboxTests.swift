import Foundation
import StepupCore
import StepupPlatform
import Testing

@Suite("Demo outbox")
struct DevOutboxTests {
    func message(_ index: Int, challenge: String) -> DeliveryMessage {
        DeliveryMessage(
            target: DeliveryTarget(id: "t1", userID: "u1", kind: .email, address: "a@example.com"),
            code: String(format: "%06d", index), text: "code \(index)", challengeID: challenge,
            sentAt: Date(timeIntervalSince1970: Double(index)))
    }

    @Test
    func itFindsAChallengesMessagesNewestFirstAndForgetsTheOldestPastItsCapacity() async throws {
        let outbox = DevOutbox(capacity: 8)
        for index in 0..<30 {
            try await outbox.deliver(message(index, challenge: index.isMultiple(of: 2) ? "even" : "odd"))
        }
        let all = await outbox.all()
        #expect(all.count >= 8 && all.count <= 10)
        #expect(all.first?.code == "000029")
        #expect(all.map(\.sentAt) == all.map(\.sentAt).sorted(by: >))
        let even = await outbox.messages(challengeID: "even")
        #expect(even.first?.code == "000028")
        #expect(even.allSatisfy { $0.challengeID == "even" })
        // The per-challenge view forgets exactly what the outbox forgot.
        #expect(Set(even.map(\.code)) == Set(all.filter { $0.challengeID == "even" }.map(\.code)))
        #expect(await outbox.messages(challengeID: "unknown").isEmpty)
        #expect(!all.contains { $0.code == "000000" })
    }
}
