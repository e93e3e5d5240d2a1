import Crypto
import _CryptoExtras
import Foundation
import JWTKit
import StepupCore

@testable import StepupSDKOIDC

/// An RSA key that signs ID tokens the way a provider does, and publishes its public half as a JWKS.
struct TestSigner: Sendable {
    let keys = JWTKeyCollection()
    let privateKey: JWTKit.Insecure.RSA.PrivateKey
    let kid: String

    init(kid: String = "k1") async throws {
        privateKey = try JWTKit.Insecure.RSA.PrivateKey(backing: _RSA.Signing.PrivateKey(keySize: .bits2048))
        self.kid = kid
        await keys.add(rsa: privateKey, digestAlgorithm: .sha256, kid: JWKIdentifier(string: kid))
    }

    func sign(_ claims: IDTokenClaims) async throws -> String {
        try await keys.sign(claims, kid: JWKIdentifier(string: kid))
    }

    /// The JWKS document a provider serves for this key.
    func jwks() throws -> String {
        let primitives = try privateKey.publicKey.getKeyPrimitives()
        return """
            {"keys":[{"kty":"RSA","alg":"RS256","kid":"\(kid)","n":"\(Base64URL.encode(Array(primitives.modulus)))","e":"\(Base64URL.encode(Array(primitives.publicExponent)))"}]}
            """
    }

    /// What a verifier fetches: the public half only, as a JWKS.
    func publicKeys() async throws -> ProviderKeys {
        try await ProviderKeys.read(jwks: Array(try jwks().utf8))
    }
}
