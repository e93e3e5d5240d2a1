import Logging
import Synchronization

/// A swift-log handler that keeps what is logged at `info` and above (the platform's default level), for tests of
/// what the relying party tells an operator.
final class LogRecorder: Sendable {
    struct Entry: Sendable {
        let level: Logger.Level
        let message: String
        let metadata: [String: String]
    }

    private let entries = Mutex<[Entry]>([])

    /// A logger whose every line lands here.
    var logger: Logger { Logger(label: "test.oidc") { _ in Handler(recorder: self) } }

    var all: [Entry] { entries.withLock { $0 } }
    var warnings: [Entry] { all.filter { $0.level == .warning } }
    /// Everything logged, messages and metadata, for checking what must never appear.
    var text: String { all.map { "\($0.message) \($0.metadata)" }.joined(separator: "\n") }

    private struct Handler: LogHandler {
        let recorder: LogRecorder
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .info

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let merged = metadata.merging(event.metadata ?? [:]) { $1 }.mapValues(\.description)
            let entry = Entry(level: event.level, message: event.message.description, metadata: merged)
            recorder.entries.withLock { $0.append(entry) }
        }
    }
}
