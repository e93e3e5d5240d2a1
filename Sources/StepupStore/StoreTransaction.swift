import Foundation
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
}
