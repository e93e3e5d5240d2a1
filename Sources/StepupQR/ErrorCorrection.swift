extension QRCode {
    /// How much of the symbol is spent on Reed–Solomon redundancy (roughly 7 %, 15 %, 25 % and 30 % of codewords
    /// recoverable).
    ///
    /// `.medium` is the default because enrolment codes are shown on screens, where glare and moiré cost a few
    /// modules, while the payload stays short enough that the extra redundancy does not push the version up much.
    public enum ErrorCorrection: Sendable, Hashable, CaseIterable {
        case low, medium, quartile, high

        /// Row of the ISO/IEC 18004 tables, ordered L, M, Q, H.
        var tableIndex: Int {
            switch self {
            case .low: 0
            case .medium: 1
            case .quartile: 2
            case .high: 3
            }
        }

        /// The two bits the format information carries; the standard's order (L=01, M=00, Q=11, H=10) is not the
        /// order of strength, hence a table rather than arithmetic.
        var formatBits: Int {
            switch self {
            case .low: 0b01
            case .medium: 0b00
            case .quartile: 0b11
            case .high: 0b10
            }
        }
    }
}
