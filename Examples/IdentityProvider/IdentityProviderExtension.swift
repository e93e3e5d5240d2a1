import Foundation
import StepupCore
import StepupSDK
import StepupSDKOIDC

/// The example redirect-based external MFA: the user signs in again at the bank's OpenID provider (OpenID Connect
/// with PAR and PKCE). The user's registration value is their subject (`sub`) at that provider.
///
/// The flow: the entry page asks the banking app (`bridge.actions.redirectForAuthentication`) to open a popup on
/// the URL the `start` route answers; the provider sends the popup back to this extension's `verify.html`, which
/// hands `code`, `state` and `iss` to the `token` route through the banking app and passes the token it answers to
/// `bridge.actions.verifyMFA`.
public struct IdentityProviderExtension: Extension {
    public let name = "idp-verify"
    public let title = "Sign in at your identity provider"
    public let entryRoute = "verify"
    public let runsBeforeLogon = true
    public let externalMFAContexts = ["logon", "transaction", "event_driven_validation"]
    public let relyingParty: OIDCRelyingParty

    public init(relyingParty: OIDCRelyingParty) {
        self.relyingParty = relyingParty
    }

    /// The origin the banking app may open a popup on for this extension: the provider's.
    public var authorizationOrigins: [String] { [relyingParty.provider.configuration.issuerOrigin] }

    public var routes: [ExtensionRoute] {
        let party = relyingParty
        return [
            ExtensionRoute("verify", methods: [.get]) { request in .html(IdentityProviderPage.entry(request)) },
            ExtensionRoute("start", methods: [.post]) { request in
                try .json(["authorizationURL": try await party.start(request)])
            },
            ExtensionRoute("token", methods: [.post]) { request in
                try .json(["token": try await party.finish(request)])
            },
        ]
    }

    public var assets: [ExtensionAsset] {
        [
            ExtensionAsset(path: "idp.js", contentType: "text/javascript; charset=utf-8", text: IdentityProviderPage.entryScript)
        ] + OIDCReturnPage.assets()
    }
}
