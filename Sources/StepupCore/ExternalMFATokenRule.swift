/// What an external MFA token an extension sets must be: 22 to 256 URL-safe characters, so at least 128 bits when
/// random. The platform and the test kit refuse the same tokens.
public enum ExternalMFATokenRule {
    public static func validate(_ token: String) throws {
        guard (22...256).contains(token.count),
            token.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") })
        else {
            throw StepupError(.badRequest, message: "An external MFA token has 22 to 256 URL-safe characters (at least 128 bits).")
        }
    }
}
