import StepupCore

/// The registered methods, in the order the dialog offers them.
public struct MFAMethods: Sendable {
    public let all: [any MFAMethod]

    /// The built-in methods, then the added ones; an added method with a built-in's id takes its place, and of two
    /// added with one id the first is kept (``StepupBuilder`` refuses both cases before they get here).
    init(builtIn: [any MFAMethod], added: [any MFAMethod]) {
        var methods = builtIn
        var seen = Set<MFAMethodID>()
        // `exemption` names the EDV exemptions: a method of that name would pass as one (PSD2 art. 16's counters).
        for method in added where MFAMethodID.isValid(method.id.rawValue) && method.id != .exemption && seen.insert(method.id).inserted {
            if let index = methods.firstIndex(where: { $0.id == method.id }) {
                methods[index] = method
            } else {
                methods.append(method)
            }
        }
        all = methods
    }

    public subscript(id: MFAMethodID) -> (any MFAMethod)? { all.first { $0.id == id } }
}
