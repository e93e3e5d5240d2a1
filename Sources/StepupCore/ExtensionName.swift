/// What an extension may be called: it appears in paths (`/ext/{name}/…`), contexts and environment variable names,
/// so 1 to 64 of a-z, 0-9, `-` and `_`. One rule for the SDK, the registry and the command line.
public enum ExtensionName {
    public static func isValid(_ name: String) -> Bool {
        !name.isEmpty && name.count <= 64
            && name.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-" || $0 == "_") }
    }
}
