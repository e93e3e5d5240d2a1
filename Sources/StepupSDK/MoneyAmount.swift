import StepupCore

/// Decimal amounts as users type them ("5", "5.00", "1,250.50") to minor units, without floating point.
///
/// Outside input never traps here: the whole part is bounded by digit count before any arithmetic, so the largest
/// amount (``maximumMinorUnits``) and every step towards it fit in `Int64` with room to spare.
public enum MoneyAmount {
    /// The largest amount accepted, in minor units: 999,999,999,999.99 (`MoneyLimits.maximumMinorUnits`).
    public static let maximumMinorUnits = MoneyLimits.maximumMinorUnits

    /// Minor units of a positive amount with at most two decimals, or `bad_request` naming the field.
    public static func minorUnits(_ text: String, field: String = "amount") throws -> Int64 {
        let cleaned = text.replacingOccurrences(of: ",", with: "").trimmingCharacters(in: .whitespaces)
        if cleaned.isEmpty { throw StepupError(.badRequest, message: "Enter an amount\(named(field)).") }
        let parts = cleaned.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), (1...12).contains(parts[0].count), parts[0].allSatisfy(\.isASCIIDigit),
            let whole = Int64(parts[0])
        else { throw invalid(text, field: field) }
        var fraction: Int64 = 0
        if parts.count == 2 {
            let digits = parts[1]
            guard (1...2).contains(digits.count), digits.allSatisfy(\.isASCIIDigit), let value = Int64(digits) else {
                throw invalid(text, field: field)
            }
            fraction = digits.count == 1 ? value * 10 : value
        }
        // At most 12 digits: whole * 100 + 99 < 10^14, far from Int64's 9.2 × 10^18.
        let minor = whole * 100 + fraction
        guard minor > 0, minor <= maximumMinorUnits else { throw invalid(text, field: field) }
        return minor
    }

    private static func invalid(_ text: String, field: String) -> StepupError {
        let shown = text.prefix(20).filter { !$0.isNewline }
        return StepupError(
            .badRequest,
            message: "\(shown) is not an amount\(named(field)). Enter a positive amount with at most two decimals, "
                + "up to 999,999,999,999.99.")
    }

    /// The field, for an API client, unless it is the one a customer knows as "the amount" anyway.
    private static func named(_ field: String) -> String { field == "amount" ? "" : " (\(field))" }
}

extension Character {
    /// 0–9 only: `isNumber` also admits other scripts' digits and fractions, which `Int64(_:)` refuses anyway.
    var isASCIIDigit: Bool { asciiValue.map { (48...57).contains($0) } ?? false }
}
