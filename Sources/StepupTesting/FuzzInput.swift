import Foundation

/// Seeded inputs for fuzz tests, for the platform's own suites and for extension authors who want to fuzz their
/// routes' bodies:
///
/// ```swift
/// var fuzz = FuzzInput()
/// for _ in 0..<FuzzInput.iterations {
///     let body = try? JSONDecoder().decode(JSONValue.self, from: Data(fuzz.json().utf8))
///     let result = await tester.run("submit", json: body)
///     #expect((result.error?.httpStatus ?? 200) < 500)
/// }
/// ```
///
/// Reproducible (`STEPUP_FUZZ_SEED`), bounded (`STEPUP_FUZZ_ITERATIONS`, default a
/// few thousand per target so `swift test` stays quick), and biased towards what breaks parsers: digits near
/// integer limits, separators, signs, whitespace, other scripts' digits, control characters, long runs.
///
/// A trap (overflow, force unwrap, precondition) in a target kills the test process, so the suite fails.
public struct FuzzInput: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public static var iterations: Int { Int(ProcessInfo.processInfo.environment["STEPUP_FUZZ_ITERATIONS"] ?? "") ?? 3_000 }
    public static var seed: UInt64 { UInt64(ProcessInfo.processInfo.environment["STEPUP_FUZZ_SEED"] ?? "") ?? 0x5EED_5EED }

    public init(seed: UInt64 = FuzzInput.seed) { state = seed }

    /// SplitMix64: small, fast, and good enough to spread inputs.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    public static let pieces: [String] = [
        "0", "1", "9", "00", "99", "922337203685477580", "9223372036854775807", "9223372036854775808",
        "18446744073709551616", "999999999999", "1000000000000", ".", ",", "-", "+", " ", "\t", "\n", "\u{0}",
        "e", "E", "e+308", "NaN", "inf", "٣", "١٢", "½", "𝟗", "1\u{301}", "０", "$", "€", "'", "\"", "\\", "/",
        "%", "%00", "=", ";", ":", "&", "<", ">", "{", "}", "[", "]", "null", "true", "🏦", "a", "Z", "_",
    ]

    /// A short string made of parser-hostile pieces.
    public mutating func text(maxPieces: Int = 8) -> String {
        (0..<Int.random(in: 0...maxPieces, using: &self)).map { _ in Self.pieces.randomElement(using: &self)! }.joined()
    }

    /// Random bytes, sometimes valid UTF-8, sometimes not.
    public mutating func bytes(maxCount: Int = 64) -> [UInt8] {
        (0..<Int.random(in: 0...maxCount, using: &self)).map { _ in UInt8.random(in: 0...255, using: &self) }
    }

    /// One of the values, chosen at random.
    public mutating func pick<T>(_ values: [T]) -> T { values.randomElement(using: &self)! }

    /// A JSON document of random shape: nested, with hostile numbers and strings; sometimes broken.
    public mutating func json(depth: Int = 0) -> String {
        switch Int.random(in: 0...(depth > 3 ? 3 : 7), using: &self) {
        case 0: return pick(["0", "-0", "1e999", "-1e999", "9223372036854775808", "1.5", "-92233720368547758.08", "1E-400"])
        case 1: return "\"\(text().replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").filter { $0.asciiValue.map { $0 >= 32 } ?? true })\""
        case 2: return pick(["true", "false", "null"])
        case 3: return pick(["", "{", "[", "\"", "{\"a\":}", "[1,]", "nul", "\u{FEFF}{}"])
        case 4: return "[" + (0..<Int.random(in: 0...4, using: &self)).map { _ in json(depth: depth + 1) }.joined(separator: ",") + "]"
        default:
            let keys = ["amount", "transactionId", "fromAccount", "toPayee", "memo", "currency", "phrase", "payee", "route", "token",
                        "code", "state", "iss", "confirmNotDuplicate", text(maxPieces: 2)]
            let members = (0..<Int.random(in: 0...6, using: &self)).map { _ in "\"\(pick(keys).filter { $0 != "\"" && $0 != "\\" && ($0.asciiValue.map { $0 >= 32 } ?? true) })\":\(json(depth: depth + 1))" }
            return "{" + members.joined(separator: ",") + "}"
        }
    }
}
