import Foundation
import JWTKit
import StepupCore

/// A provider's verification keys, with the ids they carry.
public struct ProviderKeys: Sendable {
    public let collection: JWTKeyCollection
    public let keyIDs: Set<String>

    public init(collection: JWTKeyCollection, keyIDs: Set<String>) {
        self.collection = collection
        self.keyIDs = keyIDs
    }

    /// Reads a JWKS document (RFC 7517 §5).
    public static func read(jwks json: [UInt8]) async throws(OIDCFailure) -> ProviderKeys {
        struct Kids: Decodable {
            struct Key: Decodable { let kid: String? }
            let keys: [Key]
        }
        let collection = JWTKeyCollection()
        do {
            try await collection.add(jwksJSON: String(decoding: json, as: UTF8.self))
            let kids = try JSONDecoder().decode(Kids.self, from: Data(json)).keys.compactMap(\.kid)
            return ProviderKeys(collection: collection, keyIDs: Set(kids))
        } catch {
            throw .providerMisconfigured("the key set could not be read")
        }
    }
}

/// Checks an ID token the way OpenID Connect Core §3.1.3.7 asks: signature by a key of the provider's set,
/// `iss`, `aud`, `azp`, `exp`, `iat`, `nonce` and, when the flow demands a fresh login, `auth_time`.
public struct IDTokenVerifier: Sendable {
    /// Asymmetric algorithms only: `none` and the HMAC family (keyed with the client secret) are refused.
    public static let allowedAlgorithms: Set<String> = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"]
    /// An ID token issued longer ago than this is refused even if it has not expired.
    public static let maximumAge: TimeInterval = 600

    public let configuration: OIDCConfiguration

    public init(configuration: OIDCConfiguration) {
        self.configuration = configuration
    }

    /// The header's `alg` and `kid`, read before the signature is checked (to pick or fetch the key).
    public static func header(of token: String) throws(OIDCFailure) -> (alg: String, kid: String?) {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let bytes = Base64URL.decode(String(parts[0])),
            let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any],
            let alg = object["alg"] as? String
        else { throw .tokenMalformed }
        return (alg, object["kid"] as? String)
    }

    /// Verifies `token` with `keys` and checks its claims for a flow started at `startedAt` with `nonce`.
    public func verify(
        _ token: String, keys: ProviderKeys, nonce: String, startedAt: Date, now: Date
    ) async throws(OIDCFailure) -> IDTokenClaims {
        let header = try Self.header(of: token)
        guard Self.allowedAlgorithms.contains(header.alg) else { throw .unsupportedAlgorithm(header.alg) }
        // jwt-kit falls back to its default key for a `kid` it does not hold; a provider's token must name one of
        // the provider's keys (or, with one key only, may name none).
        if let kid = header.kid {
            guard keys.keyIDs.contains(kid) else { throw .unknownKey }
        } else if keys.keyIDs.count > 1 {
            throw .unknownKey
        }
        let claims: IDTokenClaims
        do {
            claims = try await keys.collection.verify(token, as: IDTokenClaims.self)
        } catch let error as JWTError {
            switch error.errorType {
            case .unknownKID, .missingKIDHeader, .noKeyProvided: throw .unknownKey
            case .malformedToken: throw .tokenMalformed
            default: throw .badSignature
            }
        } catch {
            throw .badSignature
        }
        try check(claims, nonce: nonce, startedAt: startedAt, now: now)
        return claims
    }

    /// The claim checks alone, in the order the specification lists them.
    public func check(_ claims: IDTokenClaims, nonce: String, startedAt: Date, now: Date) throws(OIDCFailure) {
        let skew = configuration.clockSkew
        let nowSeconds = now.timeIntervalSince1970
        guard claims.iss == configuration.issuer else { throw .wrongIssuer }
        guard claims.aud.contains(configuration.clientID) else { throw .wrongAudience }
        if claims.aud.count > 1 || claims.azp != nil {
            guard claims.azp == configuration.clientID else { throw .wrongAuthorizedParty }
        }
        guard claims.exp > nowSeconds - skew else { throw .expired }
        guard claims.iat <= nowSeconds + skew, claims.iat >= nowSeconds - Self.maximumAge else { throw .issuedAtInvalid }
        guard let tokenNonce = claims.nonce, ConstantTime.equals(tokenNonce, nonce) else { throw .nonceMismatch }
        if case .authTime(let allowance) = configuration.freshness {
            guard let authTime = claims.authTime else { throw .authTimeMissing }
            guard authTime >= startedAt.timeIntervalSince1970 - allowance else { throw .staleAuthentication }
        }
    }
}
