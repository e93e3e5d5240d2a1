import Foundation

/// The interactive menus, in the seed's order: name, type, then for an online extension its rendering, its
/// integration and, for external MFA, which kind.
///
/// Each answer is checked when it is given, and a bad one says why and asks the same question again: a name that is
/// not a Swift type name Stepup can use, a name whose folder already exists (before any menu, so no answers are
/// wasted), an unsupported type, a number out of range. Return takes the marked default. The end of input at any
/// prompt ends the run with a ``ScaffoldError``.
public struct ScaffoldPrompter {
    let readLine: () -> String?
    let write: (String) -> Void
    let existingFolder: (String) -> String?

    /// - Parameters:
    ///   - readLine: the next answer, without its newline; nil at the end of input.
    ///   - write: shows a question or a reason to the user.
    ///   - existingFolder: for a valid name, the path of the folder it would be written to if that folder exists and
    ///     may not be replaced; nil when the name can be used.
    public init(
        readLine: @escaping () -> String?, write: @escaping (String) -> Void,
        existingFolder: @escaping (String) -> String? = { _ in nil }
    ) {
        self.readLine = readLine
        self.write = write
        self.existingFolder = existingFolder
    }

    /// Asks what is not given yet; answers the complete choices. A `givenName` came from a flag, so it is not asked
    /// again: an unusable one throws.
    public func ask(name givenName: String? = nil) throws(ScaffoldError) -> ScaffoldChoices {
        let name: String
        if let givenName {
            try usable(givenName)
            name = givenName
        } else {
            name = try askName()
        }
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

    func askName() throws(ScaffoldError) -> String {
        while true {
            write("New extension name: ")
            guard let line = readLine() else { throw endOfInput("No name given") }
            let name = line.trimmingCharacters(in: .whitespaces)
            do throws(ScaffoldError) {
                try usable(name)
                return name
            } catch {
                write("\(error.message)\n")
            }
        }
    }

    /// A name is usable when it is valid and its folder is free: both known as soon as it is typed.
    func usable(_ name: String) throws(ScaffoldError) {
        try ScaffoldChoices.validate(name: name)
        if let path = existingFolder(name) {
            throw ScaffoldError("\(path) already exists; choose another name, or pass --force to replace it.")
        }
    }

    /// The prompt has no newline of its own; ending the line first keeps the error that follows on a line of its own.
    func endOfInput(_ what: String) -> ScaffoldError {
        write("\n")
        return ScaffoldError("\(what) (end of input); nothing was written.")
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
            guard let line = readLine() else { throw endOfInput("No selection made") }
            let answer = line.trimmingCharacters(in: .whitespaces)
            guard let number = answer.isEmpty ? defaultIndex : Int(answer), (1...options.count).contains(number) else {
                write("Enter a number from 1 to \(options.count).\n")
                continue
            }
            let option = options[number - 1]
            if let refusal = refuse(option) {
                write("\(refusal)\n")
                continue
            }
            return option
        }
    }
}
