/// The parts of an OpenID provider's discovery document (OpenID Connect Discovery §3, RFC 9126 §5, RFC 9207 §3)
/// that the redirect flow uses.
public struct ProviderMetadata: Sendable, Decodable, Equatable {
    public let issuer: String
    public let authorizationEndpoint: String
    public let tokenEndpoint: String
    public let jwksURI: String
    public let pushedAuthorizationRequestEndpoint: String?
    public let codeChallengeMethodsSupported: [String]?
    public let tokenEndpointAuthMethodsSupported: [String]?
    public let idTokenSigningAlgValuesSupported: [String]?
    /// RFC 9207: the provider puts `iss` on every authorization response, so its absence is an attack.
    public let authorizationResponseIssParameterSupported: Bool?

    enum CodingKeys: String, CodingKey {
        case issuer
        case authorizationEndpoint = "authorization_endpoint"
        case tokenEndpoint = "token_endpoint"
        case jwksURI = "jwks_uri"
        case pushedAuthorizationRequestEndpoint = "pushed_authorization_request_endpoint"
        case codeChallengeMethodsSupported = "code_challenge_methods_supported"
        case tokenEndpointAuthMethodsSupported = "token_endpoint_auth_methods_supported"
        case idTokenSigningAlgValuesSupported = "id_token_signing_alg_values_supported"
        case authorizationResponseIssParameterSupported = "authorization_response_iss_parameter_supported"
    }
}
