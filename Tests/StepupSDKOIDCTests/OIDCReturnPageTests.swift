import Testing

@testable import StepupSDKOIDC

@Suite struct OIDCReturnPageTests {
    func text(_ path: String, route: String = "token") throws -> String {
        let asset = try #require(OIDCReturnPage.assets(tokenRoute: route).first { $0.path == path })
        return String(decoding: asset.content, as: UTF8.self)
    }

    @Test func theReturnPageSendsNoReferrerAndLoadsItsScript() throws {
        let page = try text("verify.html")
        #expect(page.contains(#"<meta name="referrer" content="no-referrer">"#))
        #expect(page.contains(#"<script src="verify.js" defer></script>"#))
    }

    @Test func theScriptDropsTheCodeAndPostsToTheTokenRoute() throws {
        let script = try text("verify.js", route: "finish")
        #expect(script.contains("history.replaceState"))
        #expect(script.contains("route: 'finish'"))
    }

    @Test func aRouteCannotBreakOutOfTheScriptString() throws {
        let script = try text("verify.js", route: "x'});alert(1)//")
        #expect(script.contains("route: 'xalert1'"))
    }

    @Test func theIssuersOriginKeepsSchemeHostAndPortOnly() throws {
        let local = try OIDCConfiguration(
            issuer: "http://127.0.0.1:4000/api/oidc", clientID: "c", clientSecret: "0123456789abcdef", redirectURI: "http://localhost/v")
        #expect(local.issuerOrigin == "http://127.0.0.1:4000")
        let remote = try OIDCConfiguration(
            issuer: "https://idp.example.test/realms/bank", clientID: "c", clientSecret: "0123456789abcdef", redirectURI: "https://b.test/v")
        #expect(remote.issuerOrigin == "https://idp.example.test")
    }
}
