/// A QR code symbol (ISO/IEC 18004, Model 2), encoded in byte mode.
///
/// Byte mode alone is enough for what this module is for — `otpauth://` enrolment URIs and similar short
/// strings — and keeps the encoder small enough to audit; mixed-mode segment optimisation would save a handful
/// of modules at the cost of much more code.
///
/// The value is immutable and holds only the finished module matrix, so it can be built once and rendered from
/// any task.
public struct QRCode: Sendable, Equatable {
    /// 1...40; the smallest that holds the payload, or larger only when asked for internally.
    public let version: Int
    /// Modules per side, 17 + 4 × version, without quiet zone.
    public let size: Int
    /// The data mask, 0...7, as recorded in the format information.
    public let mask: Int
    public let errorCorrection: ErrorCorrection

    /// Row-major, `true` = dark.
    private let modules: [Bool]

    /// Encodes `bytes` as given, choosing the smallest version that fits.
    ///
    /// Pass `mask` only to reproduce a particular symbol (tests, comparison with other encoders); left `nil`, all
    /// eight masks are scored and the lowest penalty wins, ties going to the lower mask number.
    public init(bytes: [UInt8], errorCorrection: ErrorCorrection = .medium, mask: Int? = nil) throws(QRError) {
        try self.init(bytes: bytes, errorCorrection: errorCorrection, mask: mask, minimumVersion: 1)
    }

    /// Encodes the UTF-8 bytes of `text`.
    ///
    /// No ECI header is written: readers in practice take byte mode as UTF-8 when it is valid UTF-8, whereas an
    /// ECI designator confuses some older phone scanners, and ASCII — all an `otpauth://` URI needs once
    /// percent-encoded — reads the same either way.
    public init(text: String, errorCorrection: ErrorCorrection = .medium, mask: Int? = nil) throws(QRError) {
        try self.init(bytes: Array(text.utf8), errorCorrection: errorCorrection, mask: mask)
    }

    /// Also lets tests force a larger version than the payload needs, to compare whole version ranges with
    /// another encoder. `minimumVersion` is clamped into 1...40.
    init(bytes: [UInt8], errorCorrection: ErrorCorrection, mask: Int?, minimumVersion: Int) throws(QRError) {
        if let mask, !Masking.masks.contains(mask) { throw .invalidMask(mask) }
        let firstVersion = min(max(minimumVersion, SymbolTables.versions.lowerBound), SymbolTables.versions.upperBound)
        guard
            let version = (firstVersion...SymbolTables.versions.upperBound).first(where: {
                SymbolTables.byteCapacity(version: $0, level: errorCorrection) >= bytes.count
            })
        else {
            throw .tooLong(
                bytes: bytes.count,
                capacity: SymbolTables.byteCapacity(version: SymbolTables.versions.upperBound, level: errorCorrection))
        }

        let data = Codewords.data(for: bytes, version: version, level: errorCorrection)
        let codewords = Codewords.interleaved(data: data, version: version, level: errorCorrection)
        var grid = ModuleGrid(size: SymbolTables.size(version: version))
        grid.drawFunctionPatterns(version: version)
        grid.placeData(codewords)

        let chosen = mask ?? Self.bestMask(for: grid, level: errorCorrection)
        grid.applyMask(chosen)
        grid.drawFormatBits(FormatInformation.bits(level: errorCorrection, mask: chosen))

        self.version = version
        self.size = grid.size
        self.mask = chosen
        self.errorCorrection = errorCorrection
        self.modules = grid.dark
    }

    /// Scores each mask on the finished symbol it would produce (format bits included, see ``Penalty``).
    private static func bestMask(for unmasked: ModuleGrid, level: ErrorCorrection) -> Int {
        let scores = Masking.masks.map { mask in
            var candidate = unmasked
            candidate.applyMask(mask)
            candidate.drawFormatBits(FormatInformation.bits(level: level, mask: mask))
            return Penalty.score(size: candidate.size) { x, y in candidate[x, y] }
        }
        return Masking.lowest(scores)
    }

    /// Byte-mode capacity of the largest symbol at `errorCorrection`, for validating input before encoding.
    public static func maximumBytes(errorCorrection: ErrorCorrection = .medium) -> Int {
        SymbolTables.byteCapacity(version: SymbolTables.versions.upperBound, level: errorCorrection)
    }

    /// Whether the module in column `x`, row `y` (origin top left) is dark. Anything outside the symbol is
    /// light, which is what the quiet zone is, so renderers can read a margin without bounds checks.
    public subscript(x: Int, y: Int) -> Bool {
        guard x >= 0, y >= 0, x < size, y < size else { return false }
        return modules[y * size + x]
    }
}
