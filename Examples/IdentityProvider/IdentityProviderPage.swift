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
}
