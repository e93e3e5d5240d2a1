/// The calls to the provider that a warning names: a wrong client secret, a wrong client-authentication method and
/// a provider without PAR all end in the same `provider_misconfigured`, and the step (with the provider's status and
/// error) is what tells them apart in the log.
enum ProviderStep: String, Sendable {
    case discovery
    case jwks
    case par
    case tokenExchange = "token_exchange"

    /// How the log message names the step.
    var label: String {
        switch self {
        case .discovery: "discovery"
        case .jwks: "key set (JWKS)"
        case .par: "pushed authorization request (PAR)"
        case .tokenExchange: "token exchange"
        }
    }
}
