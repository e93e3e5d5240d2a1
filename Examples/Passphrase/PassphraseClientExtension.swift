import Foundation
import StepupCore
import StepupSDK

/// The client-side rendered variant of ``PassphraseExtension``: the frame loads a static page, which asks the
/// extension for its context as JSON and posts the phrase to the same `check` route through the bridge.
public struct PassphraseClientExtension: Extension {
    public let name = "passphrase-client"
    public let title = "Passphrase verification"
    public let entryRoute = "app"
    public let runsBeforeLogon = true
    public let externalMFAContexts = ["logon", "transaction", "event_driven_validation"]

    public init() {}

    public var routes: [ExtensionRoute] {
        [
            ExtensionRoute("app", methods: [.get]) { _ in .html(Self.shell) },
            ExtensionRoute("context", methods: [.post]) { request in
                try .json(["context": request.mfaInfo.context ?? "logon", "enrolled": request.mfaInfo.registrationValue == nil ? "no" : "yes"])
            },
            ExtensionRoute("check", methods: [.post], handler: PassphraseExtension.check),
        ]
    }

    public var assets: [ExtensionAsset] {
        [ExtensionAsset(path: "app.js", contentType: "text/javascript; charset=utf-8", text: Self.script)]
    }

    /// The static page: no data in it, everything comes through the bridge.
    static let shell = #"""
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>Passphrase</title>
        <link rel="stylesheet" href="/static/extension.css">
        <script src="/static/stepup-bridge.js"></script>
        <script src="assets/app.js" defer></script>
        </head><body>
        <h1>Your passphrase</h1>
        <p id="purpose" class="muted"></p>
        """# + PassphrasePage.form + "\n</body></html>\n"

    static let script = #"""
        'use strict';
        const purposes = { transaction: 'to authorise your payment', event_driven_validation: 'to confirm this action', logon: 'to finish signing in' };
        bridge.connected.then(async () => {
          const { context } = await bridge.sources.requestExtensionData('context');
          document.getElementById('purpose').textContent = `Enter the passphrase you chose at enrollment ${purposes[context] || purposes.logon}.`;
        });
        """# + PassphrasePage.script
}
