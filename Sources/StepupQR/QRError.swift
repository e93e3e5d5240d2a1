/// Why a QR code could not be built.
///
/// Every failure is a value rather than a trap, because the payload usually comes from configuration or a user
/// record (an issuer name, an account label) and a long one must not take the server down.
public enum QRError: Error, Equatable, Sendable {
    /// The payload needs more bytes than a version 40 symbol (or the version asked for) holds at the chosen
    /// error-correction level; `capacity` is that limit, so the caller can tell the user how much to cut.
    case tooLong(bytes: Int, capacity: Int)
    /// A fixed mask outside 0...7 was asked for.
    case invalidMask(Int)
}
