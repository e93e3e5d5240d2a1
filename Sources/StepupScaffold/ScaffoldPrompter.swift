import Foundation

/// The interactive menus, in the seed's order: name, type, then for an online extension its rendering, its
/// integration and, for external MFA, which kind. Return takes the marked default; a number out of range asks
/// again; an invalid name, an unsupported type or the end of input ends the run with a ``ScaffoldError``.
public struct ScaffoldPrompter {
    let readLine: () -> String?
    let write: (String) -> Void

    public init(readLine: @escaping () -> String?, write: @escaping (String) -> Void) {
        self.readLine = readLine
        self.write = write
    }

    /// Asks what is not given yet; answers the complete choices.
    public func ask(name givenName: String? = nil) throws(ScaffoldError) -> ScaffoldChoices {
        let name: String
        if let givenName {
            name = givenName
        } else {
            write("New extension name: ")
            guard let line = readLine() else { throw ScaffoldError("No name given (end of input); nothing was written.") }
            name = line.trimmingCharacters(in: .whitespaces)
        }
        try ScaffoldChoices.validate(name: name)
        var choices = ScaffoldChoices(name: name)
        choices.type = try menu(
            "What type of extension are you creating?", ExtensionType.allCases, default: .online,
            label: { $0.isSupported ? $0.title : "\($0.title) (not built by Stepup)" },
            refuse: { $0.isSupported ? nil : "\($0.title) extensions are not built by Stepup. Choose Online, Audit Action or Base Extension." })
        guard choices.type == .online else { return choices }
        choices.rendering = try menu("Which kind of online extension?", Rendering.allCases, default: .server, label: \.title)
        choices.integration = try menu("Which online integration?", Integration.allCases, default: .authenticated, label: \.title)
        guard choices.integration == .externalMFA else { return choices }
        choices.mfa = try menu("Which MFA integration?", MFAIntegration.allCases, default: .standard, label: \.title)
        return choices
    }

    func menu<Option: Equatable>(
        _ question: String, _ options: [Option], default defaultOption: Option, label: (Option) -> String,
        refuse: (Option) -> String? = { _ in nil }
    ) throws(ScaffoldError) -> Option {
        let defaultIndex = options.firstIndex(of: defaultOption)! + 1
        var text = "\n\(question)\n\n"
        for (index, option) in options.enumerated() {
            text += "    \(index + 1)) \(label(option))\(option == defaultOption ? " (default)" : "")\n"
        }
        write(text + "\n")
        while true {
            write("Make a selection and press Return [\(defaultIndex)]: ")
            guard let line = readLine() else { throw ScaffoldError("No selection made (end of input); nothing was written.") }
            let answer = line.trimmingCharacters(in: .whitespaces)
            guard let number = answer.isEmpty ? defaultIndex : Int(answer), (1...options.count).contains(number) else {
                write("Enter a number from 1 to \(options.count).\n")
                continue
            }
            let option = options[number - 1]
            if let refusal = refuse(option) { throw ScaffoldError(refusal) }
            return option
        }
    }
}
