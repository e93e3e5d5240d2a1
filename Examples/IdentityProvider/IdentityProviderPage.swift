import StepupSDK

/// The pages and scripts of ``IdentityProviderExtension``.
enum IdentityProviderPage {
    static func entry(_ request: ExtensionRequest) -> String {
        """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>Identity provider</title>
        <link rel="stylesheet" href="/static/extension.css">
        <script src="/static/stepup-bridge.js"></script>
        <script src="\(request.baseAssetsURL)idp.js" defer></script>
        </head><body>
        <h1>Sign in again</h1>
        <p class="muted">Confirm it is you by signing in at your identity provider. It opens in a new window.</p>
        <button type="button" id="continue">Continue at your identity provider</button>
        <button type="button" class="secondary" id="exit">Use another way</button>
        <p id="message" class="muted" role="status" aria-live="polite"></p>
        </body></html>
        """
    }

    static let entryScript = #"""
        'use strict';
        const message = document.getElementById('message');
        document.getElementById('continue').addEventListener('click', async () => {
          message.textContent = 'Waiting for your identity provider…';
          try {
            await bridge.actions.redirectForAuthentication({ route: 'start' });
            message.textContent = 'Finish signing in in the window that opened.';
          } catch (error) {
            message.textContent = error.message || 'The identity provider could not be reached.';
          }
        });
        document.getElementById('exit').addEventListener('click', () => bridge.actions.verifyMFA({ exit: true }));
        """#

    /// The provider sends the popup here (the registered `redirect_uri`). The server sends it with
    /// `Referrer-Policy: no-referrer`, so the code in its address leaks nowhere.
    static let returnPage = """
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

    static let returnScript = #"""
        'use strict';
        const message = document.getElementById('message');
        const params = new URLSearchParams(window.location.search);
        // The code must not stay in the address bar or the history.
        history.replaceState(null, '', window.location.pathname);
        bridge.connected.then(async () => {
          try {
            const { token } = await bridge.sources.requestExtensionData({
              route: 'token',
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
