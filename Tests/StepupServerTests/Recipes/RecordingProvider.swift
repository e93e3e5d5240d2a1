import StepupPlatform
import Synchronization

/// The "add a delivery provider" recipe of docs/ARCHITECTURE.md, whole: a vendor that keeps what it was asked to send
/// and refuses numbers it cannot reach, in its own words.
final class RecordingProvider: DeliveryProvider {
    let name = "recording-sms"
    private let sent = Mutex<[DeliveryMessage]>([])

    var messages: [DeliveryMessage] { sent.withLock { $0 } }

    func deliver(_ message: DeliveryMessage) async throws {
        guard message.target.address.hasPrefix("+1555") else {
            throw DeliveryFailure(provider: name, reason: "number outside the test range")
        }
        sent.withLock { $0.append(message) }
    }
}
