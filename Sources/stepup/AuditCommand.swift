import ArgumentParser
import Foundation
import StepupCore
import StepupPlatform

/// `stepup audit tail`: the audit trail, optionally followed.
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit", abstract: "Read the audit trail.", subcommands: [Tail.self])

    struct Tail: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the newest audit events as JSON lines.")
        @OptionGroup var options: AdminOptions
        @Option(help: "Only this user's events.") var user: String?
        @Option(name: [.customShort("n"), .long], help: "How many of the newest events.") var lines: Int = 20
        @Flag(name: .shortAndLong, help: "Keep printing new events until interrupted.") var follow = false

        func run() async throws {
            await Admin.run(options) { platform in
                var userID: String?
                if let user { userID = try await platform.user(named: user).id }
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys]
                encoder.dateEncodingStrategy = .iso8601
                var printed = Set<String>()
                var since: Date? = nil
                var first = true
                repeat {
                    var events = try await platform.auditTrail(userID: userID, since: since, limit: first ? 100_000 : 1_000)
                    if first { events = Array(events.suffix(max(0, lines))) }
                    for event in events where !printed.contains(event.id) {
                        printed.insert(event.id)
                        Admin.print(String(decoding: try encoder.encode(event), as: UTF8.self))
                    }
                    since = events.last?.at ?? since
                    first = false
                    if follow { try await Task.sleep(for: .seconds(1)) }
                } while follow
            }
        }
    }
}
