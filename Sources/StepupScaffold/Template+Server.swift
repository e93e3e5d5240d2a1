extension Template {
    /// The executable that serves the extension for a platform (StepupExtensionHost).
    var serverMain: String {
        let construct: String
        let imports: String
        if isRedirect {
            imports = "import StepupSDKOIDC\n"
            construct = #"""
                // The OpenID provider: its issuer, this client, and the extension's verify.html as the provider knows it.
                func setting(_ key: String) -> String {
                    guard let value = environment[key], !value.isEmpty else { fail("\(key) must be set") }
                    return value
                }
                let configuration: OIDCConfiguration
                do {
                    configuration = try OIDCConfiguration(
                        issuer: setting("OIDC_ISSUER"), clientID: setting("OIDC_CLIENT_ID"), clientSecret: setting("OIDC_CLIENT_SECRET"),
                        redirectURI: setting("OIDC_REDIRECT_URI"),
                        freshness: environment["OIDC_FRESHNESS"] == "provider" ? .providerEnforced : .authTime(skew: 5))
                } catch {
                    fail("the OpenID settings are not valid: \(error)")
                }
                let ext = \#(name)(relyingParty: OIDCRelyingParty(provider: OIDCProvider(configuration: configuration)))
                """#
        } else {
            imports = ""
            construct = "let ext = \(name)()"
        }
        return #"""
            // Serves \#(name) for a Stepup platform, as its own HTTP service. Mount it on the platform with
            // `stepup serve --extension \#(slug)=http://127.0.0.1:PORT` and the same key in
            // STEPUP_EXTENSION_KEY_\#(slug.uppercased().replacingOccurrences(of: "-", with: "_")).
            import Foundation
            import StepupExtensionHost
            \#(imports)import \#(name)

            func fail(_ message: String) -> Never {
                FileHandle.standardError.write(Data("\#(name)Server: \(message)\n".utf8))
                exit(2)
            }

            let environment = ProcessInfo.processInfo.environment
            guard let key = environment["STEPUP_EXTENSION_KEY"], key.utf8.count >= 32 else {
                fail("STEPUP_EXTENSION_KEY must hold the key shared with the platform (at least 32 bytes)")
            }
            let platformURL = environment["STEPUP_PLATFORM_URL"] ?? "http://127.0.0.1:8080"
            let port = Int(environment["PORT"] ?? "") ?? 9100
            \#(construct)
            try await ExtensionService(extensions: [ext], keys: [ext.name: key], platformURL: platformURL).run(host: "127.0.0.1", port: port)

            """#
    }
}
