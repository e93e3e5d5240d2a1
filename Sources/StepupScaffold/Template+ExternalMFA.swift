extension Template {
    /// Standard external MFA: the user answers a secret set at enrollment; the registration value holds only its
    /// salted digest. The answer is compared only inside `externalMFA.attempt`, so every wrong one counts toward the
    /// platform's lockout.
    var standardMFAExtension: String {
        #"""
            import Foundation
            import StepupCore
            import StepupSDK

            /// \#(name): standard external MFA. The user's registration value (`mfa_registration`) is
            /// ``registrationValue(for:)`` of their answer; the page hands the token it gets to `verifyMFA`.
            public struct \#(name): Extension {
                public let name = "\#(slug)"
                public let title = "\#(name)"
                public let entryRoute = "verify"
                public let runsBeforeLogon = true
                public let externalMFAContexts = ["logon", "transaction", "event_driven_validation"]

                public init() {}

                public var routes: [ExtensionRoute] {
                    [
                        ExtensionRoute("verify", methods: [.get]) { request in .html(Self.page(request)) },
                        ExtensionRoute("check", methods: [.post], handler: Self.check),
                    ]
                }

                public var assets: [ExtensionAsset] {
                    [ExtensionAsset(path: "\#(slug).js", contentType: "text/javascript; charset=utf-8", text: Self.script)]
                }

                /// What to store as the user's registration value: `sha256:<salt>:<salted digest>`.
                public static func registrationValue(for answer: String, salt: String = SecureRandom.token(bits: 96)) -> String {
                    "sha256:\(salt):" + SecretHash.digest(normalized(answer), salt: salt)
                }

                static func normalized(_ answer: String) -> String {
                    answer.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
                }

                static func matches(_ answer: String, registration: String?) -> Bool {
                    let parts = (registration ?? "").split(separator: ":", maxSplits: 2).map(String.init)
                    guard parts.count == 3, parts[0] == "sha256" else { return false }
                    return SecretHash.matches(normalized(answer), digest: parts[2], salt: parts[1])
                }

                /// Compares the answer inside a counted attempt: the platform reserves a failure on the user's
                /// counter first, so a wrong answer counts (and locks the user out) exactly as a wrong code does,
                /// and the error says how many attempts are left. Never compare a secret outside `attempt`: a
                /// guess there would cost the guesser nothing.
                @Sendable static func check(_ request: ExtensionRequest) async throws -> ExtensionResponse {
                    let answer = String((request.formFields["answer"] ?? "").prefix(200))
                    let registration = request.mfaInfo.registrationValue
                    let token = try await request.platform.externalMFA.attempt { matches(answer, registration: registration) }
                    return try .json(["token": token])
                }
            }

            """#
    }

    var standardMFAPages: String {
        #"""
            import StepupSDK

            extension \#(name) {
                static func page(_ request: ExtensionRequest) -> String {
                    """
                    <!doctype html>
                    <html lang="en"><head><meta charset="utf-8"><title>\#(name)</title>
                    <link rel="stylesheet" href="/static/extension.css">
                    <script src="/static/stepup-bridge.js"></script>
                    <script src="\(request.baseAssetsURL)\#(slug).js" defer></script>
                    </head><body>
                    <h1>Confirm it is you</h1>
                    <form id="answer-form"><label for="answer">Your answer</label>
                    <input id="answer" name="answer" type="password" autocomplete="off" required>
                    <button type="submit">Verify</button><button type="button" id="exit">Use another way</button></form>
                    <p id="message" role="status"></p>
                    </body></html>
                    """
                }

                static let script = """
                    'use strict';
                    const message = document.getElementById('message');
                    document.getElementById('answer-form').addEventListener('submit', async (event) => {
                      event.preventDefault();
                      try {
                        const { token } = await bridge.sources.requestExtensionData({ route: 'check', body: { answer: event.target.answer.value } });
                        await bridge.actions.verifyMFA({ token });
                        message.textContent = 'Verified.';
                      } catch (error) {
                        event.target.answer.value = '';
                        const detail = (error.data && error.data.error) || {};
                        message.textContent = typeof detail.attemptsLeft === 'number'
                          ? `That is not right. ${detail.attemptsLeft} attempts left.`
                          : (error.message || 'That did not work. Try again.');
                      }
                    });
                    document.getElementById('exit').addEventListener('click', () => bridge.actions.verifyMFA({ exit: true }));
                    """
            }

            """#
    }

    var standardMFATests: String {
        #"""
            import StepupCore
            import StepupSDK
            import StepupTesting
            import Testing

            @testable import \#(name)

            @Suite struct \#(name)Tests {
                let registration = \#(name).registrationValue(for: "Blue Harbour")

                @Test func theRightAnswerSetsTheTokenItAnswers() async {
                    let tester = ExtensionTester(\#(name)(), platform: TestPlatform(userID: "user-1", registrationValue: registration))
                    let result = await tester.run("check", fields: ["answer": " blue harbour "], isAuthenticated: false)
                    #expect(result.response != nil)
                    #expect(tester.platform.externalTokens.count == 1)
                    #expect(result.response?.text.contains(tester.platform.externalTokens[0]) == true)
                }

                @Test func aWrongAnswerSetsNothingAndIsCounted() async {
                    let tester = ExtensionTester(\#(name)(), platform: TestPlatform(userID: "user-1", registrationValue: registration))
                    let result = await tester.run("check", fields: ["answer": "red harbour"], isAuthenticated: false)
                    #expect(result.error?.code == .externalProofInvalid && result.error?.attemptsLeft == 4)
                    #expect(tester.platform.externalTokens.isEmpty && tester.platform.failures == 1)
                }

                @Test func fiveWrongAnswersLockTheUserOut() async {
                    let tester = ExtensionTester(\#(name)(), platform: TestPlatform(userID: "user-1", registrationValue: registration))
                    for _ in 0..<5 { _ = await tester.run("check", fields: ["answer": "guess"], isAuthenticated: false) }
                    let right = await tester.run("check", fields: ["answer": "blue harbour"], isAuthenticated: false)
                    #expect(right.error?.code == .userLocked && tester.platform.externalTokens.isEmpty)
                }

                @Test func withoutARegistrationNothingMatches() async {
                    let tester = ExtensionTester(\#(name)())
                    _ = await tester.run("check", fields: ["answer": "anything"], isAuthenticated: false)
                    #expect(tester.platform.externalTokens.isEmpty)
                }
            }

            """#
    }

    /// Redirect-based external MFA with StepupSDKOIDC: `start`, the provider, `verify.html`, `token`.
    var redirectMFAExtension: String {
        #"""
            import Foundation
            import StepupCore
            import StepupSDK
            import StepupSDKOIDC

            /// \#(name): redirect-based external MFA at an OpenID provider (PAR, PKCE, ID-token checks). The user's
            /// registration value is their subject (`sub`) at the provider.
            public struct \#(name): Extension {
                public let name = "\#(slug)"
                public let title = "\#(name)"
                public let entryRoute = "verify"
                public let runsBeforeLogon = true
                public let externalMFAContexts = ["logon", "transaction", "event_driven_validation"]
                public let relyingParty: OIDCRelyingParty

                public init(relyingParty: OIDCRelyingParty) {
                    self.relyingParty = relyingParty
                }

                /// The banking app opens the sign-in popup only on the provider's origin.
                public var authorizationOrigins: [String] { [relyingParty.provider.configuration.issuerOrigin] }

                public var routes: [ExtensionRoute] {
                    let party = relyingParty
                    return [
                        ExtensionRoute("verify", methods: [.get]) { request in .html(Self.entryPage(request)) },
                        // Starts a sign-in: state, nonce and PKCE verifier stay here; answers the provider's URL.
                        ExtensionRoute("start", methods: [.post]) { request in
                            try .json(["authorizationURL": try await party.start(request)])
                        },
                        // verify.html posts what the provider sent back; every check passes or a typed error answers.
                        ExtensionRoute("token", methods: [.post]) { request in
                            try .json(["token": try await party.finish(request)])
                        },
                    ]
                }

                public var assets: [ExtensionAsset] {
                    // verify.html (the redirect URI registered with the provider) and its script come from StepupSDKOIDC.
                    [ExtensionAsset(path: "start.js", contentType: "text/javascript; charset=utf-8", text: Self.startScript)]
                        + OIDCReturnPage.assets()
                }
            }

            """#
    }

    var redirectMFAPages: String {
        #"""
            import StepupSDK

            extension \#(name) {
                static func entryPage(_ request: ExtensionRequest) -> String {
                    """
                    <!doctype html>
                    <html lang="en"><head><meta charset="utf-8"><title>\#(name)</title>
                    <link rel="stylesheet" href="/static/extension.css">
                    <script src="/static/stepup-bridge.js"></script>
                    <script src="\(request.baseAssetsURL)start.js" defer></script>
                    </head><body>
                    <h1>Sign in again</h1>
                    <button type="button" id="continue">Continue at your identity provider</button>
                    <button type="button" id="exit">Use another way</button>
                    <p id="message" role="status"></p>
                    </body></html>
                    """
                }

                static let startScript = """
                    'use strict';
                    const message = document.getElementById('message');
                    document.getElementById('continue').addEventListener('click', async () => {
                      try {
                        await bridge.actions.redirectForAuthentication({ route: 'start' });
                        message.textContent = 'Finish signing in in the window that opened.';
                      } catch (error) {
                        message.textContent = error.message || 'The identity provider could not be reached.';
                      }
                    });
                    document.getElementById('exit').addEventListener('click', () => bridge.actions.verifyMFA({ exit: true }));
                    """
            }

            """#
    }

    var redirectMFATests: String {
        #"""
            import Foundation
            import StepupCore
            import StepupSDK
            import StepupSDKOIDC
            import StepupTesting
            import Testing

            @testable import \#(name)

            /// The routes without a provider: what they refuse before any call leaves. (The whole flow against a real
            /// provider is Stepup's own OIDCProviderFlowTests; copy them to test this extension against yours.)
            @Suite struct \#(name)Tests {
                static func make() throws -> \#(name) {
                    let configuration = try OIDCConfiguration(
                        issuer: "https://idp.example.test", clientID: "bank", clientSecret: "a-client-secret-for-tests",
                        redirectURI: "https://bank.example.test/ext/\#(slug)/assets/verify.html")
                    return \#(name)(relyingParty: OIDCRelyingParty(provider: OIDCProvider(configuration: configuration)))
                }

                @Test func thePopupMayOpenOnlyAtTheProvider() throws {
                    #expect(try Self.make().authorizationOrigins == ["https://idp.example.test"])
                }

                @Test func theReturnPageSendsNoReferrerAndDropsTheCode() throws {
                    let assets = try Self.make().assets
                    let page = try #require(assets.first { $0.path == "verify.html" })
                    let script = try #require(assets.first { $0.path == "verify.js" })
                    #expect(String(decoding: page.content, as: UTF8.self).contains("no-referrer"))
                    #expect(String(decoding: script.content, as: UTF8.self).contains("history.replaceState"))
                }

                @Test func aReturnWithoutStateIsRefusedAndAudited() async throws {
                    let tester = ExtensionTester(try Self.make(), platform: TestPlatform(userID: "user-1", registrationValue: "subject-1"))
                    let result = await tester.run("token", fields: ["code": "a-code"], isAuthenticated: false, pendingContext: "logon")
                    #expect(result.error?.code == .oidcStateInvalid)
                    #expect(tester.platform.externalTokens.isEmpty)
                    #expect(tester.platform.events.last?.details["reason"] == "state_missing")
                }

                @Test func aForgedStateIsRefused() async throws {
                    let tester = ExtensionTester(try Self.make(), platform: TestPlatform(userID: "user-1", registrationValue: "subject-1"))
                    let result = await tester.run("token", fields: ["code": "c", "state": "forged"], isAuthenticated: false, pendingContext: "logon")
                    #expect(result.error?.code == .oidcStateInvalid)
                }

                @Test func aUserWithoutARegistrationCannotStart() async throws {
                    let tester = ExtensionTester(try Self.make())
                    let result = await tester.run("start", isAuthenticated: false, pendingContext: "logon")
                    #expect(result.error?.code == .forbidden)
                }
            }

            """#
    }
}
