/// A CBOR data item (RFC 8949), as much of it as WebAuthn uses: integers, byte and text strings, arrays, maps,
/// booleans and null. Floats, tags, undefined and other simple values are refused (WebAuthn's CTAP2 canonical CBOR
/// has none of them in what a relying party reads).
public indirect enum CBOR: Sendable, Equatable {
    /// An unsigned integer (major type 0), or a negative one (major type 1): -1 - n for encoded n.
    case integer(Int64)
    case bytes([UInt8])
    case text(String)
    case array([CBOR])
    /// Map entries in their encoded order (canonical: by the keys' encodings, shorter first, then bytewise).
    case map([(key: CBOR, value: CBOR)])
    case boolean(Bool)
    case null

    public static func == (lhs: CBOR, rhs: CBOR) -> Bool {
        switch (lhs, rhs) {
        case (.integer(let a), .integer(let b)): a == b
        case (.bytes(let a), .bytes(let b)): a == b
        case (.text(let a), .text(let b)): a == b
        case (.array(let a), .array(let b)): a == b
        case (.map(let a), .map(let b)): a.count == b.count && zip(a, b).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        case (.boolean(let a), .boolean(let b)): a == b
        case (.null, .null): true
        default: false
        }
    }

    /// The value under `key` in a map; nil for a missing key or a value that is not a map.
    public subscript(key: CBOR) -> CBOR? {
        guard case .map(let entries) = self else { return nil }
        return entries.first { $0.key == key }?.value
    }

    public subscript(key: Int64) -> CBOR? { self[.integer(key)] }
    public subscript(key: String) -> CBOR? { self[.text(key)] }

    public var int: Int64? { if case .integer(let value) = self { value } else { nil } }
    public var bytes: [UInt8]? { if case .bytes(let value) = self { value } else { nil } }
    public var text: String? { if case .text(let value) = self { value } else { nil } }
    public var array: [CBOR]? { if case .array(let value) = self { value } else { nil } }
}

/// Why CBOR from outside was refused. Every case is a client's fault: the relying party answers it as a typed
/// `webauthn_malformed` refusal, never a trap.
public enum CBORError: Error, Sendable, Equatable {
    /// The input ended inside an item.
    case truncated
    /// Bytes follow the one item that was expected.
    case trailingBytes
    /// Nesting deeper than the decoder allows.
    case tooDeep
    /// A length larger than the input could hold, or than the decoder allows.
    case tooLong
    /// An indefinite length (`0x5f`, `0x9f`, …): WebAuthn's canonical CBOR forbids them.
    case indefiniteLength
    /// A float, a tag, `undefined` or another simple value.
    case unsupported(UInt8)
    /// An integer or length not in its shortest form, or a map whose keys are not in canonical order or repeat.
    case notCanonical
    /// A negative or unsigned integer outside Int64.
    case integerOverflow
    /// A text string that is not UTF-8.
    case invalidText
}

/// A bounded decoder of canonical CBOR. It never reads past its input, never allocates more than the input's
/// length, and refuses what CTAP2's canonical encoding forbids, so a hostile attestation cannot exhaust memory or
/// smuggle a second reading of a map.
///
/// ```swift
/// var decoder = CBORDecoder(bytes)
/// let attestation = try decoder.decodeItem()      // one item; `decoder.offset` is where the next begins
/// let whole = try CBORDecoder.decode(bytes)       // exactly one item and nothing after it
/// ```
public struct CBORDecoder {
    public let bytes: [UInt8]
    /// Where the next item starts.
    public private(set) var offset: Int
    /// The deepest nesting accepted: an attestation object is three deep, a COSE key two.
    public let maxDepth: Int
    /// The most items an array or map may announce.
    public let maxItems: Int

    public init(_ bytes: [UInt8], offset: Int = 0, maxDepth: Int = 8, maxItems: Int = 256) {
        self.bytes = bytes
        // A caller's offset outside the input reads as the end of it: a refusal, never a trap.
        self.offset = min(max(offset, 0), bytes.count)
        self.maxDepth = maxDepth
        self.maxItems = maxItems
    }

    /// Decodes exactly one item that fills `bytes`.
    public static func decode(_ bytes: [UInt8]) throws(CBORError) -> CBOR {
        var decoder = CBORDecoder(bytes)
        let item = try decoder.decodeItem()
        guard decoder.offset == bytes.count else { throw .trailingBytes }
        return item
    }

    /// Decodes the item at `offset` and moves past it.
    public mutating func decodeItem() throws(CBORError) -> CBOR {
        try item(depth: 0)
    }

    private mutating func item(depth: Int) throws(CBORError) -> CBOR {
        guard depth <= maxDepth else { throw .tooDeep }
        let initial = try byte()
        let major = initial >> 5
        let info = initial & 0x1f
        switch major {
        case 0:
            let value = try argument(info)
            guard value <= UInt64(Int64.max) else { throw .integerOverflow }
            return .integer(Int64(value))
        case 1:
            let value = try argument(info)
            guard value <= UInt64(Int64.max) else { throw .integerOverflow }
            return .integer(-1 - Int64(value))
        case 2:
            return .bytes(try take(try length(info)))
        case 3:
            guard let text = String(validating: try take(try length(info)), as: UTF8.self) else { throw .invalidText }
            return .text(text)
        case 4:
            let count = try count(info)
            var items: [CBOR] = []
            items.reserveCapacity(count)
            for _ in 0..<count { items.append(try item(depth: depth + 1)) }
            return .array(items)
        case 5:
            let count = try count(info)
            var entries: [(key: CBOR, value: CBOR)] = []
            entries.reserveCapacity(count)
            var previousKey: ArraySlice<UInt8>?
            for _ in 0..<count {
                let keyStart = offset
                let key = try item(depth: depth + 1)
                let encodedKey = bytes[keyStart..<offset]
                // CTAP2 canonical order: shorter encodings first, then bytewise; equal keys are a repeat.
                if let previousKey, !Self.precedes(previousKey, encodedKey) { throw .notCanonical }
                previousKey = encodedKey
                entries.append((key, try item(depth: depth + 1)))
            }
            return .map(entries)
        case 6:
            throw .unsupported(initial)
        default:
            switch info {
            case 20: return .boolean(false)
            case 21: return .boolean(true)
            case 22: return .null
            case 31: throw .indefiniteLength
            default: throw .unsupported(initial)
            }
        }
    }

    static func precedes(_ a: ArraySlice<UInt8>, _ b: ArraySlice<UInt8>) -> Bool {
        if a.count != b.count { return a.count < b.count }
        return a.lexicographicallyPrecedes(b)
    }

    private mutating func byte() throws(CBORError) -> UInt8 {
        guard offset < bytes.count else { throw .truncated }
        defer { offset += 1 }
        return bytes[offset]
    }

    /// The argument of an initial byte, in its shortest form only.
    private mutating func argument(_ info: UInt8) throws(CBORError) -> UInt64 {
        let width: Int
        switch info {
        case 0..<24: return UInt64(info)
        case 24: width = 1
        case 25: width = 2
        case 26: width = 4
        case 27: width = 8
        case 31: throw .indefiniteLength
        default: throw .unsupported(info)
        }
        var value: UInt64 = 0
        for _ in 0..<width { value = value << 8 | UInt64(try byte()) }
        let shortest: Bool =
            switch width {
            case 1: value >= 24
            case 2: value > 0xff
            case 4: value > 0xffff
            default: value > 0xffff_ffff
            }
        guard shortest else { throw .notCanonical }
        return value
    }

    /// A string's length, bounded by what is left of the input.
    private mutating func length(_ info: UInt8) throws(CBORError) -> Int {
        let value = try argument(info)
        guard value <= UInt64(bytes.count - offset) else { throw .tooLong }
        return Int(value)
    }

    /// An array's or map's item count: each item takes at least one byte, and at most `maxItems`.
    private mutating func count(_ info: UInt8) throws(CBORError) -> Int {
        let value = try argument(info)
        guard value <= UInt64(maxItems), value <= UInt64(bytes.count - offset) else { throw .tooLong }
        return Int(value)
    }

    private mutating func take(_ count: Int) throws(CBORError) -> [UInt8] {
        guard count <= bytes.count - offset else { throw .truncated }
        defer { offset += count }
        return Array(bytes[offset..<offset + count])
    }
}
