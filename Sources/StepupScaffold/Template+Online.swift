extension Template {
    var isAuthenticated: Bool { choices.integration == .authenticated }

    /// Shifts a snippet's lines right by four spaces, to the indentation of the literal it goes into.
    func indented(_ snippet: String) -> String {
        snippet.split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.isEmpty ? "" : "    " + $0 }.joined(separator: "\n")
    }

    /// An online extension for signed-in users (a guarded route with an audit action) or before logon.
    var onlineExtension: String {
        let guardedRoute =
            isAuthenticated
            ? #"""
                        // The seeds' @mfa_validation_required: an audit event, EDV rules, and MFA when they ask for it.
                        ExtensionRoute("confirm", methods: [.post], handler: Self.confirm)
                            .mfaValidationRequired(
                                auditAction: "\#(slug).confirm",
                                details: .dynamic { request in ["note": String((request.formFields["note"] ?? "").prefix(100))] }),
            """#
            : ""
        let dataRoute =
            choices.rendering == .client
            ? #"""
                        ExtensionRoute("data", methods: [.post], handler: Self.data),
            """#
            : ""
        return #"""
            import Foundation
            import StepupCore
            import StepupSDK

            /// \#(name): \#(choices.summary).
            public struct \#(name): Extension {
                public let name = "\#(slug)"
                public let title = "\#(name)"
                public let entryRoute = "index"
                public let runsBeforeLogon = \#(isAuthenticated ? "false" : "true")

                public init() {}

                public var routes: [ExtensionRoute] {
                    [
                        ExtensionRoute("index", methods: [.get], handler: Self.index),
            \#(dataRoute)\#(guardedRoute)
                    ]
                }

                public var assets: [ExtensionAsset] {
                    [ExtensionAsset(path: "\#(slug).js", contentType: "text/javascript; charset=utf-8", text: Self.script)]
                }

                /// The user's profile: the user API once signed in, the back-office API before (the seeds' pre-authentication
                /// access).
                static func profile(_ request: ExtensionRequest) async throws -> UserProfile {
                    request.isAuthenticated
                        ? try await request.platform.user.profile()
                        : try await request.platform.backOffice.profile(userID: request.onlineUser.id)
                }

                @Sendable static func index(_ request: ExtensionRequest) async throws -> ExtensionResponse {
                    \#(choices.rendering == .server ? "let profile = try await profile(request)\n        return .html(page(request, profile: profile))" : "return .html(page(request))")
                }
            \#(choices.rendering == .client ? clientDataHandler : "")\#(isAuthenticated ? confirmHandler : "")}

            """#
    }

    var clientDataHandler: String {
        #"""

            /// What the page renders itself.
            @Sendable static func data(_ request: ExtensionRequest) async throws -> ExtensionResponse {
                let profile = try await profile(request)
                return try .json(["displayName": profile.displayName, "signedIn": request.isAuthenticated ? "yes" : "no"])
            }

        """#
    }

    var confirmHandler: String {
        #"""

            /// Runs only after the guard: MFA is complete (or EDV allowed it) for this call.
            @Sendable static func confirm(_ request: ExtensionRequest) async throws -> ExtensionResponse {
                let note = String((request.formFields["note"] ?? "").prefix(100))
                return try .json(["confirmed": note, "auditAction": request.mfaInfo.auditActionName ?? ""])
            }

        """#
    }

    var onlinePages: String {
        let serverBody =
            #"""
                static func page(_ request: ExtensionRequest, profile: UserProfile) -> String {
                    shell(request, body: "<h1>Hello, \(escape(profile.displayName))</h1>\(form)")
                }
            """#
        let clientBody =
            #"""
                static func page(_ request: ExtensionRequest) -> String {
                    shell(request, body: "<h1 id=\"greeting\">Hello</h1>\(form)")
                }
            """#
        let form =
            isAuthenticated
            ? #"""
                static let form = """
                    <form id="confirm-form"><label for="note">Note</label><input id="note" name="note" maxlength="100">
                    <button type="submit">Confirm</button></form><p id="result" role="status"></p>
                    """
            """#
            : #"""
                static let form = #"<p id="result" role="status"></p>"#
            """#
        let clientLoad =
            choices.rendering == .client
            ? #"""
                bridge.connected.then(async () => {
                  const data = await bridge.sources.requestExtensionData({ route: 'data' });
                  document.getElementById('greeting').textContent = `Hello, ${data.displayName}`;
                });
            """#
            : ""
        let confirmScript =
            isAuthenticated
            ? #"""
                document.getElementById('confirm-form').addEventListener('submit', async (event) => {
                  event.preventDefault();
                  const result = document.getElementById('result');
                  try {
                    const answer = await bridge.sources.requestExtensionData({ route: 'confirm', body: { note: event.target.note.value } });
                    result.textContent = `Confirmed: ${answer.confirmed}`;
                  } catch (error) {
                    result.textContent = error.message || 'Not confirmed.';
                  }
                });
            """#
            : ""
        return #"""
            import StepupCore
            import StepupSDK

            extension \#(name) {
            \#(choices.rendering == .server ? serverBody : clientBody)

            \#(form)

                static func shell(_ request: ExtensionRequest, body: String) -> String {
                    """
                    <!doctype html>
                    <html lang="en"><head><meta charset="utf-8"><title>\#(name)</title>
                    <link rel="stylesheet" href="/static/extension.css">
                    <script src="/static/stepup-bridge.js"></script>
                    <script src="\(request.baseAssetsURL)\#(slug).js" defer></script>
                    </head><body>\(body)</body></html>
                    """
                }

                static func escape(_ text: String) -> String {
                    text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
                        .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
                }

                static let script = """
                    'use strict';
            \#(indented(clientLoad + confirmScript))
                    """
            }

            """#
    }

    var onlineTests: String {
        let guardTests =
            isAuthenticated
            ? #"""

                @Test func confirmNeedsMFAAndRunsAfterIt() async {
                    let tester = ExtensionTester(\#(name)())
                    let refused = await tester.run("confirm", fields: ["note": "hello"], mfa: .notCompleted)
                    #expect(refused.error?.code == .mfaRequired)
                    #expect(!refused.handlerRan)
                    let done = await tester.run("confirm", fields: ["note": "hello"], mfa: .completed)
                    #expect(done.handlerRan)
                    #expect(done.response?.text.contains("hello") == true)
                    #expect(done.guardSaw.auditEvents.first?.action == "\#(slug).confirm")
                }

                /// The test platform runs the platform's own policy: with no rule the guard fails closed; the bank's
                /// rules decide once there are some; a completed challenge opens one call.
                @Test func theBanksRulesDecideAndACompletedChallengeOpensOneCall() async throws {
                    let allowing = TestPlatform(
                        userID: "user-1", rules: [EDVRuleDefinition(id: "allow", position: 1, action: "\#(slug).confirm", decision: .allow)])
                    #expect(await ExtensionTester(\#(name)(), platform: allowing).run("confirm", fields: ["note": "hi"]).handlerRan)
                    let blocking = TestPlatform(
                        userID: "user-1", rules: [EDVRuleDefinition(id: "block", position: 1, action: "\#(slug).confirm", decision: .block)])
                    #expect(await ExtensionTester(\#(name)(), platform: blocking).run("confirm", fields: ["note": "hi"]).error?.code == .mfaBlocked)

                    let tester = ExtensionTester(\#(name)())
                    let first = await tester.run("confirm", fields: ["note": "hello"])
                    try tester.platform.completeChallenge(try #require(first.error?.challengeID))
                    #expect(await tester.run("confirm", fields: ["note": "hello"]).handlerRan)
                    #expect(await tester.run("confirm", fields: ["note": "hello"]).error?.code == .mfaRequired)
                }

                @Test func leavingTheWorkflowIsATypedError() async {
                    let result = await ExtensionTester(\#(name)()).run("confirm", mfa: .abandoned(.cancelled))
                    #expect(result.error?.code == .mfaAbandoned)
                    #expect(!result.handlerRan)
                }
            """#
            : #"""

                @Test func beforeLogonItUsesTheBackOfficeAPI() async {
                    let result = await ExtensionTester(\#(name)()).run("\#(choices.rendering == .client ? "data" : "index")", method: \#(choices.rendering == .client ? ".post" : ".get"), isAuthenticated: false)
                    #expect(result.error == nil)
                    #expect(result.response?.text.contains("Alice") == true)
                }
            """#
        return #"""
            import StepupCore
            import StepupSDK
            import StepupTesting
            import Testing

            @testable import \#(name)

            @Suite struct \#(name)Tests {
                @Test func theEntryPageLoadsTheBridge() async {
                    let result = await ExtensionTester(\#(name)()).run("index", method: .get)
                    #expect(result.error == nil)
                    #expect(result.response?.text.contains("stepup-bridge.js") == true)
                }
            \#(guardTests)
            }

            """#
    }

    /// The base extension: one route, no page.
    var baseExtension: String {
        #"""
            import StepupSDK

            /// \#(name): a base extension. Add routes; guard the sensitive ones with `mfaValidationRequired`.
            public struct \#(name): Extension {
                public let name = "\#(slug)"

                public init() {}

                public var routes: [ExtensionRoute] {
                    [ExtensionRoute("status", methods: [.get, .post]) { request in try .json(["extension": request.extensionName, "status": "ok"]) }]
                }
            }

            """#
    }

    var baseTests: String {
        #"""
            import StepupSDK
            import StepupTesting
            import Testing

            @testable import \#(name)

            @Suite struct \#(name)Tests {
                @Test func statusAnswers() async {
                    let result = await ExtensionTester(\#(name)()).run("status")
                    #expect(result.response?.text.contains("ok") == true)
                }

                @Test func anUnknownRouteIsNotFound() async {
                    let result = await ExtensionTester(\#(name)()).run("nope")
                    #expect(result.error?.code == .notFound)
                }
            }

            """#
    }
}
