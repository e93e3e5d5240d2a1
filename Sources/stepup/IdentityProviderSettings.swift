import Foundation
import StepupExamples
import StepupSDKOIDC

/// The example redirect-based external MFA (`idp-verify`), mounted by `serve` when `STEPUP_OIDC_ISSUER` is set:
/// `STEPUP_OIDC_CLIENT_ID`, `STEPUP_OIDC_CLIENT_SECRET` or `STEPUP_OIDC_CLIENT_SECRET_FILE` (one, not both; at least
/// ``OIDCConfiguration/minimumSecretLength`` bytes), `STEPUP_OIDC_REDIRECT_URI`, and optionally
/// `STEPUP_OIDC_CLIENT_AUTH` (`client_secret_basic` or `client_secret_post`), `STEPUP_OIDC_SUBJECT`
/// (`registration` or `sso`) and `STEPUP_OIDC_FRESHNESS` (`auth_time`, or `provider` for a provider that enforces
/// a fresh login itself and reports no usable `auth_time`).
enum IdentityProviderSettings {
    static func extensionFromEnvironment(_ environment: [String: String]) throws -> IdentityProviderExtension? {
        guard let issuer = environment["STEPUP_OIDC_ISSUER"], !issuer.isEmpty else { return nil }
        func required(_ name: String) throws -> String {
            guard let value = environment[name], !value.isEmpty else {
                throw OIDCFailure.configuration("STEPUP_OIDC_ISSUER is set, so \(name) must be too.")
            }
            return value
        }
        let secret = try OIDCClientSecret.fromEnvironment(environment, variable: "STEPUP_OIDC_CLIENT_SECRET")
        guard let authentication = OIDCConfiguration.ClientAuthentication(rawValue: environment["STEPUP_OIDC_CLIENT_AUTH"] ?? "client_secret_basic") else {
            throw OIDCFailure.configuration("STEPUP_OIDC_CLIENT_AUTH is client_secret_basic or client_secret_post.")
        }
        guard let subject = OIDCConfiguration.SubjectSource(rawValue: environment["STEPUP_OIDC_SUBJECT"] ?? "registration") else {
            throw OIDCFailure.configuration("STEPUP_OIDC_SUBJECT is registration or sso.")
        }
        let freshness: OIDCConfiguration.Freshness
        switch environment["STEPUP_OIDC_FRESHNESS"] ?? "auth_time" {
        case "auth_time": freshness = .authTime(skew: 5)
        case "provider": freshness = .providerEnforced
        default: throw OIDCFailure.configuration("STEPUP_OIDC_FRESHNESS is auth_time or provider.")
        }
        let configuration = try OIDCConfiguration(
            issuer: issuer, clientID: try required("STEPUP_OIDC_CLIENT_ID"), clientSecret: secret,
            clientAuthentication: authentication, redirectURI: try required("STEPUP_OIDC_REDIRECT_URI"),
            subjectSource: subject, freshness: freshness)
        return IdentityProviderExtension(relyingParty: OIDCRelyingParty(provider: OIDCProvider(configuration: configuration)))
    }
}
