import Foundation
import HTTPTypes
import HummingbirdTesting
import StepupExamples
import Testing

@testable import StepupServer

@Suite("Banking web pages")
struct WebPageTests {
    @Test func pagesNeedASessionAndCarryAStrictPolicy() async throws {
        let fixture = try await ServerFixture(extensions: [TransfersExtension()])
        try await fixture.test { client async throws in
            let browser = Browser(client)
            let home = try await browser.get("/")
            #expect(home.status == .found || home.status == .seeOther || home.status.code == 302)
            #expect(home.headers[.location] == "/login")
            let login = try await browser.get("/login")
            #expect(login.status == .ok)
            let policy = try #require(login.headers[.contentSecurityPolicy])
            #expect(policy.contains("script-src 'self'"))
            #expect(policy.contains("frame-ancestors 'none'"))
            #expect(!policy.contains("unsafe-inline"))
            #expect(login.headers[.init("X-Frame-Options")!] == "DENY")
            #expect(!login.text.contains("<script>"))
            #expect(login.text.contains(#"<script type="module" src="/static/app.js"></script>"#))
            #expect(try await browser.get("/extensions/transfers").headers[.location] == "/login")

            try await browser.signInAlice(fixture)
            let signedIn = try await browser.get("/")
            #expect(signedIn.text.contains("Alice"))
            #expect(signedIn.text.contains("1,000.00"))
            #expect(signedIn.text.contains(#"href="/extensions/transfers""#))
            #expect(signedIn.text.contains(#"<meta name="csrf-token" content="\#(browser.csrf ?? "-")">"#))
            let page = try await browser.get("/extensions/transfers")
            #expect(page.text.contains(#"sandbox="allow-scripts allow-forms""#))
            #expect(page.text.contains(#"data-src="/ext/transfers/form""#))
            #expect(try await browser.get("/extensions/nope").errorCode == "extension_not_found")
        }
    }

    @Test func staticFilesAreServedAndUnknownOnesAreNot() async throws {
        let fixture = try await ServerFixture()
        try await fixture.test { client async throws in
            for file in ["app.js", "app.css", "stepup-bridge.js", "extension.css"] {
                let response = try await client.execute(uri: "/static/\(file)", method: .get)
                #expect(response.status == .ok, "\(file)")
                #expect(response.body.readableBytes > 500, "\(file)")
            }
            #expect(try await client.execute(uri: "/static/../Package.swift", method: .get).status == .notFound)
            #expect(try await client.execute(uri: "/static/secret.txt", method: .get).status == .notFound)
        }
    }

    @Test func userTextIsEscapedInPages() async throws {
        let fixture = try await ServerFixture()
        let mallory = try await fixture.platform.createUser(username: "mallory", displayName: "<script>alert(1)</script>", password: "pw-mallory", logonMFA: .never)
        _ = mallory
        try await fixture.test { client async throws in
            let browser = Browser(client)
            _ = try await browser.logon("mallory", "pw-mallory")
            let home = try await browser.get("/")
            #expect(!home.text.contains("<script>alert(1)</script>"))
            #expect(home.text.contains("&lt;script&gt;"))
        }
    }
}
