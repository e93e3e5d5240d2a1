import Foundation

/// The bounds of an extension's own audit events (`PlatformClient.recordEvent`), checked by the client and again by
/// the platform.
public enum ExtensionEventLimits {
    public static func validate(action: String, details: [String: String]) throws {
        guard !action.isEmpty, action.utf8.count <= 64,
            action.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "." || $0 == "_" || $0 == "-") })
        else { throw StepupError(.badRequest, message: "An event action is 1 to 64 lower-case letters, digits, '.', '_' or '-'.") }
        guard details.count <= 16, details.allSatisfy({ $0.key.utf8.count <= 64 && $0.value.utf8.count <= 512 }) else {
            throw StepupError(.badRequest, message: "An event has at most 16 details of at most 512 characters.")
        }
    }
}