import ArgumentParser

@main
struct Stepup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stepup",
        abstract: "Step-up multi-factor authentication for online banking.",
        subcommands: [
            Serve.self, UserCommand.self, TargetCommand.self, TokenCommand.self, PropsCommand.self, AuditCommand.self,
            EDVCommand.self, KeysCommand.self, AccountCommand.self, ExtensionCommand.self, ServeExtension.self, CreateExtensionCommand.self,
            PasskeyCommand.self,
        ])
}
