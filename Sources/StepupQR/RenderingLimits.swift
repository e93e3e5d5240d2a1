/// Bounds that rendering parameters are clamped to instead of being trusted.
///
/// Scale and margin may come from a query string; clamping keeps a hostile value from trapping (overflow) or
/// from making the server allocate an image of gigabytes.
enum RenderingLimits {
    static let moduleSize = 1...64
    static let quietZone = 0...16
    /// Longest side of a PNG in pixels. 4096 fits a version 40 code with a 4-module margin at scale 22; larger
    /// requests get the largest scale that stays within it.
    static let maximumPixels = 4096

    static func clamp(_ value: Int, to range: ClosedRange<Int>) -> Int {
        min(max(value, range.lowerBound), range.upperBound)
    }
}
