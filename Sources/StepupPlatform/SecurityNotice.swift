import Foundation
import Logging
import StepupCore
import StepupStore

/// What the customer is told on their other channels when their factors change or a recovery code is used: the
/// one defence left when someone else made the change (a stolen session, a relayed code).
public struct SecurityNotice: Sendable, Equatable {
    public let userID: String
    /// A short line for the subject ("A new authenticator app was added").
    public let headline: String
    /// A target not to tell: the one just added (it is not yet "another channel" the customer is known to hold).
    public let except: String?

    public init(userID: String, headline: String, except: String? = nil) {
        self.userID = userID
        self.headline = headline
        self.except = except
    }

    /// The message: what happened, when, and what to do if it was not them.
    func text(bank: String, at now: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "d MMMM yyyy 'at' HH:mm 'UTC'"
        return "\(bank): \(headline) on \(formatter.string(from: now)). "
            + "If this was you, there is nothing to do. Not you? Call the bank at once and sign in to review "
            + "Security: remove what you do not recognise and sign out everywhere else."
    }
}

extension Platform {
    /// Tells the customer on each of their verified email and phone (SMS) targets, after the change committed.
    /// Best effort: a failed delivery is logged and audited, never undoes the change. At most three messages.
    public func notify(_ notice: SecurityNotice) async {
        let now = clock.now
        let targets: [DeliveryTarget]
        do {
            targets = try await store.read { try await $0.targets(userID: notice.userID) }
        } catch {
            logger.warning("security notice: targets unreadable", metadata: ["user": "\(notice.userID)"])
            return
        }
        let chosen = targets.filter { ($0.kind == .email || $0.kind == .sms) && $0.id != notice.except }.prefix(3)
        let text = notice.text(bank: configuration.bankName, at: now)
        for target in chosen {
            let provider = delivery.provider(for: target.kind)
            let message = DeliveryMessage(
                target: target, code: "", text: text, challengeID: "notice-\(SortableID.make(at: now))", sentAt: now,
                subject: "\(configuration.bankName): \(notice.headline)")
            var outcome = AuditOutcome.success
            var details = ["target": target.id, "kind": target.kind.rawValue, "notice": notice.headline]
            do {
                try await provider.deliver(message)
            } catch {
                outcome = .failure
                details["reason"] = DeliveryFailure.from(error, provider: provider.name).reason
                logger.warning("security notice not delivered", metadata: ["kind": "\(target.kind.rawValue)"])
            }
            let event = AuditEvent(at: now, action: "security.notice.sent", outcome: outcome, userID: notice.userID, details: details)
            try? await store.write { tx in try await tx.append(event) }
        }
    }
}
