import StepupCore

/// Decimal amounts as users type them ("5", "5.00", "1,250.50") to minor units, without floating point.
public enum MoneyAmount {
    /// Minor units of a positive amount with at most two decimals, or `bad_request`.
    public static func minorUnits(_ text: String) throws -> Int64 {
        let cleaned = text.replacingOccurrences(of: ",", with: "").trimmingCharacters(in: .whitespaces)
        let parts = cleaned.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let whole = Int64(parts[0]), whole >= 0, parts[0].allSatisfy(\.isNumber)
        else { throw invalid(text) }
        var fraction: Int64 = 0
        if parts.count == 2 {
            let digits = parts[1]
            guard (1...2).contains(digits.count), digits.allSatisfy(\.isNumber), let value = Int64(digits) else {
                throw invalid(text)
            }
            fraction = digits.count == 1 ? value * 10 : value
        }
        let (product, overflow) = whole.multipliedReportingOverflow(by: 100)
        guard !overflow, product + fraction > 0 else { throw invalid(text) }
        return product + fraction
    }

    private static func invalid(_ text: String) -> StepupError {
        StepupError(.badRequest, message: "\"\(text.prefix(20))\" is not an amount.")
    }
}
