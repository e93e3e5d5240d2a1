import Foundation
import Logging
import SQLKit
import StepupCore

/// The rows of one open transaction, in domain types. Its methods are grouped by table in `StoreTransaction+*.swift`.
///
/// Obtained only inside ``Store/write(_:)`` or ``Store/read(_:)``; using one after its body returned is a bug.
public struct StoreTransaction: Sendable {
    let database: any SQLDatabase
    let dialect: SQLDialectKind

    /// Row lock for read-modify-write on engines with concurrent writers; SQLite's `BEGIN IMMEDIATE` already
    /// serialises writers, and it has no `FOR UPDATE`.
    var forUpdate: SQLQueryString { dialect == .postgres ? " FOR UPDATE" : "" }

    func rows(_ query: SQLQueryString) async throws -> [any SQLRow] {
        try await database.raw(query).all()
    }

    func first(_ query: SQLQueryString) async throws -> (any SQLRow)? {
        try await database.raw(query).first()
    }

    func run(_ query: SQLQueryString) async throws {
        try await database.raw(query).run()
    }

    /// One transaction on one connection: `begin`, the body, `COMMIT`; `ROLLBACK` if anything throws. A typed
    /// error from the body passes through; any other failure is logged (its first line, no values) and answered as
    /// `store_unavailable`.
    static func run<T: Sendable>(
        on database: any SQLDatabase, dialect: SQLDialectKind, begin: String?, logger: Logger,
        _ body: @Sendable (StoreTransaction) async throws -> T
    ) async throws -> T {
        if let begin {
            do {
                try await database.raw(SQLQueryString(begin)).run()
            } catch {
                logger.error("store unavailable", metadata: ["reason": "\(SQLiteStore.reason(error))"])
                throw StepupError(.storeUnavailable)
            }
        }
        do {
            let result = try await body(StoreTransaction(database: database, dialect: dialect))
            try await database.raw("COMMIT").run()
            return result
        } catch {
            try? await database.raw("ROLLBACK").run()
            if let stepupError = error as? StepupError { throw stepupError }
            logger.error("store transaction failed", metadata: ["reason": "\(SQLiteStore.reason(error))"])
            throw StepupError(.storeUnavailable)
        }
    }
}

extension SQLRow {
    func string(_ column: String) throws -> String { try decode(column: column, as: String.self) }
    func optionalString(_ column: String) throws -> String? { try decode(column: column, as: String?.self) }
    func int(_ column: String) throws -> Int { try decode(column: column, as: Int.self) }
    func int64(_ column: String) throws -> Int64 { try decode(column: column, as: Int64.self) }
    func optionalInt64(_ column: String) throws -> Int64? { try decode(column: column, as: Int64?.self) }
    func date(_ column: String) throws -> Date { Millis.date(try int64(column)) }
    func optionalDate(_ column: String) throws -> Date? { Millis.date(try optionalInt64(column)) }

    func json<T: Decodable>(_ column: String, as type: T.Type) throws -> T {
        try JSONDecoder().decode(type, from: Data(try string(column).utf8))
    }
}

enum JSONText {
    static func encode<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// A string-to-string object, keys sorted, as `JSONEncoder` would write it but without its machinery: every
    /// audit event carries one, and the generic encoder cost more than the insert.
    static func encode(_ object: [String: String]) -> String {
        var text = "{"
        for (index, key) in object.keys.sorted().enumerated() {
            if index > 0 { text += "," }
            appendQuoted(key, to: &text)
            text += ":"
            appendQuoted(object[key]!, to: &text)
        }
        return text + "}"
    }

    /// RFC 8259 string: quote, backslash and control characters escaped; everything else as it is (UTF-8).
    private static func appendQuoted(_ string: String, to text: inout String) {
        text += "\""
        if string.utf8.allSatisfy({ $0 >= 0x20 && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") }) {
            text += string
            text += "\""
            return
        }
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": text += "\\\""
            case "\\": text += "\\\\"
            case "\n": text += "\\n"
            case "\r": text += "\\r"
            case "\t": text += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                text += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: text.unicodeScalars.append(scalar)
            }
        }
        text += "\""
    }
}
