import Foundation
import JWTKit

/// The claims of an ID token that the redirect flow checks (OpenID Connect Core §2, §3.1.3.7).
public struct IDTokenClaims: JWTPayload, Equatable {
    public let iss: String
    public let sub: String
    /// One audience or several: both encodings are accepted.
    public let aud: [String]
    public let exp: Double
    public let iat: Double
    public let nonce: String?
    public let authTime: Double?
    public let azp: String?

    enum CodingKeys: String, CodingKey {
        case iss, sub, aud, exp, iat, nonce, azp
        case authTime = "auth_time"
    }

    public init(
        iss: String, sub: String, aud: [String], exp: Double, iat: Double, nonce: String?, authTime: Double?,
        azp: String?
    ) {
        self.iss = iss
        self.sub = sub
        self.aud = aud
        self.exp = exp
        self.iat = iat
        self.nonce = nonce
        self.authTime = authTime
        self.azp = azp
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        iss = try container.decode(String.self, forKey: .iss)
        sub = try container.decode(String.self, forKey: .sub)
        if let single = try? container.decode(String.self, forKey: .aud) {
            aud = [single]
        } else {
            aud = try container.decode([String].self, forKey: .aud)
        }
        exp = try container.decode(Double.self, forKey: .exp)
        iat = try container.decode(Double.self, forKey: .iat)
        nonce = try container.decodeIfPresent(String.self, forKey: .nonce)
        authTime = try container.decodeIfPresent(Double.self, forKey: .authTime)
        azp = try container.decodeIfPresent(String.self, forKey: .azp)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(iss, forKey: .iss)
        try container.encode(sub, forKey: .sub)
        if aud.count == 1 { try container.encode(aud[0], forKey: .aud) } else { try container.encode(aud, forKey: .aud) }
        try container.encode(exp, forKey: .exp)
        try container.encode(iat, forKey: .iat)
        try container.encodeIfPresent(nonce, forKey: .nonce)
        try container.encodeIfPresent(authTime, forKey: .authTime)
        try container.encodeIfPresent(azp, forKey: .azp)
    }

    /// jwt-kit checks only the signature here; the claims are checked by ``IDTokenVerifier`` against the injected
    /// clock, each with its own failure.
    public func verify(using algorithm: some JWTAlgorithm) async throws {}
}
