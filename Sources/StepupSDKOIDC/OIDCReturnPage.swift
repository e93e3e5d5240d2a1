import StepupSDK

/// The page an OpenID provider sends the user back to (the registered `redirect_uri`, the extension's
/// `assets/verify.html`) and its script. In the popup the banking app opened, the bridge connects to the bank's own
/// page; the script drops the code from the address at once (the server also sends `Referrer-Policy: no-referrer`),
/// posts `code`, `state`, `iss` and `error` to the extension's token route, and hands the token it answers to
/// `bridge.actions.verifyMFA`. Opened any other way it does nothing.
public enum OIDCReturnPage {
    /// `verify.html` and `verify.js`, for an extension's `Extension.assets`; `tokenRoute` is the route that calls
    /// ``OIDCRelyingParty/finish(_:)``; only letters, digits, `-` and `_` of it are kept (it lands in a script).
    public static func assets(tokenRoute: String = "token") -> [ExtensionAsset] {
        let tokenRoute = String(tokenRoute.filter { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") })
        return [
            ExtensionAsset(path: "verify.html", contentType: "text/html; charset=utf-8", text: html),
            ExtensionAsset(path: "verify.js", contentType: "text/javascript; charset=utf-8", text: script(tokenRoute: tokenRoute)),
        ]
    }

    static let html = """
    <!doctype html>
    <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
    <meta name="referrer" content="no-referrer">
    <title>Verifying</title>
    <link rel="stylesheet" href="/static/extension.css">
    <script src="/static/stepup-bridge.js"></script>
    <script src="verify.js" defer></script>
    </head><body>
    <h1>Verifying</h1>
    <p id="message" class="muted" role="status" aria-live="polite">Checking your sign-in…</p>
    </body></html>
    """

    static func script(tokenRoute: String) -> String {
        #"""
        'use strict';
        const message = document.getElementById('message');
        const params = new URLSearchParams(window.location.search);
        // The code must not stay in the address bar or the history.
        history.replaceState(null, '', window.location.pathname);
        bridge.connected.then(async () => {
          try {
            const { token } = await bridge.sources.requestExtensionData({
              route: '\#(tokenRoute)',
              body: { code: params.get('code'), state: params.get('state'), iss: params.get('iss'), error: params.get('error') },
            });
            await bridge.actions.verifyMFA({ token });
            message.textContent = 'Verified. You can close this window.';
          } catch (error) {
            document.querySelector('h1').textContent = 'Not verified';
            message.textContent = error.message || 'That did not work.';
          }
        }, () => { message.textContent = 'Open this page from online banking.'; });
        """#
    }
}
