import ArgumentParser
import Foundation
import StepupCore
import StepupPlatform

/// `stepup token enroll`: a new TOTP access token for a user.
struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token", abstract: "Enroll TOTP access tokens.", subcommands: [Enroll.self])

    struct Enroll: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Enroll a TOTP token and print its otpauth:// URI once; only its sealed secret is kept.")
        @OptionGroup var options: AdminOptions
        @Argument(help: "The username.") var username: String
        @Option(help: "The issuer shown in the authenticator app.") var issuer: String = "Stepup Bank"

        func run() async throws {
            options.requireKeySet()
            await Admin.run(options) { platform in
                let user = try await platform.user(named: username)
                let token = try await platform.addAccessToken(userID: user.id)
                Admin.print(OTPAuthURI.totp(try token.totp(), issuer: issuer, account: user.username))
            }
        }
    }
}
