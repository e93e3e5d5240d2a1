import Crypto
import Foundation
import StepupCore
import StepupSDK

/// The example standard external MFA: the user proves themselves with a personal passphrase set at enrollment.
/// The registration value (`mfa_registration`) holds only a salted SHA-256 of it.
///
/// The phrase is compared only inside `request.platform.externalMFA.attempt`, which reserves a failure on the user's
/// one failure counter first: a wrong phrase counts and locks the user out exactly as wrong codes do (parallel
/// guesses included), and the answer carries the attempts left. A right one answers the token the page hands to
/// `bridge.actions.verifyMFA`.
public struct PassphraseExtension: Extension {
    public let name = "passphrase"
    public let title = "Passphrase verification"
    public let entryRoute = "verify"
    public let runsBeforeLogon = true
    public let externalMFAContexts = ["logon", "transaction", "event_driven_validation"]

    public init() {}

    public var routes: [ExtensionRoute] {
        [
            ExtensionRoute("verify", methods: [.get]) { request in .html(PassphrasePage.html(request)) },
            ExtensionRoute("check", methods: [.post], handler: Self.check),
        ]
    }

    public var assets: [ExtensionAsset] {
        [ExtensionAsset(path: "passphrase.js", contentType: "text/javascript; charset=utf-8", text: PassphrasePage.script)]
    }

    /// The registration value for a passphrase: `sha256:<salt>:<hex of SHA-256(salt + ":" + phrase)>`.
    public static func registrationValue(for phrase: String, salt: String = SecureRandom.token(bits: 96)) -> String {
        "sha256:\(salt):" + digest(phrase, salt: salt)
    }

    static func digest(_ phrase: String, salt: String) -> String {
        let normalized = phrase.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        return SecretHash.hex(Array(SHA256.hash(data: Array("\(salt):\(normalized)".utf8))))
    }

    static func matches(_ phrase: String, registration: String?) -> Bool {
        guard let registration else { return false }
        let parts = registration.split(separator: ":", maxSplits: 2).map(String.init)
        guard parts.count == 3, parts[0] == "sha256" else { return false }
        return ConstantTime.equals(digest(phrase, salt: parts[1]), parts[2])
    }

    @Sendable static func check(_ request: ExtensionRequest) async throws -> ExtensionResponse {
        let phrase = String((request.formFields["phrase"] ?? "").prefix(200))
        let registration = request.mfaInfo.registrationValue
        let token = try await request.platform.externalMFA.attempt { matches(phrase, registration: registration) }
        return try .json(["token": token])
    }
}

enum PassphrasePage {
    static func html(_ request: ExtensionRequest) -> String {
        let purpose: String =
            switch request.mfaInfo.context {
            case "transaction": "to authorise your payment"
            case "event_driven_validation": "to confirm this action"
            default: "to finish signing in"
            }
        return """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Passphrase</title>
            <link rel="stylesheet" href="/static/extension.css">
            <script src="/static/stepup-bridge.js"></script>
            <script src="\(request.baseAssetsURL)passphrase.js" defer></script>
            </head><body>
            <h1>Your passphrase</h1>
            <p id="purpose" class="muted">Enter the passphrase you chose at enrollment \(purpose).</p>
            \(form)
            </body></html>
            """
    }

    /// The form both variants show.
    static let form = """
        <p id="message" class="muted" role="status" aria-live="polite"></p>
        <form id="passphrase" novalidate>
          <label for="phrase">Passphrase</label>
          <input id="phrase" name="phrase" type="password" autocomplete="off" required>
          <button type="submit" id="check">Verify</button>
          <button type="button" class="secondary" id="exit">Use another way</button>
        </form>
        """

    static let script = #"""
        'use strict';
        const form = document.getElementById('passphrase');
        const message = document.getElementById('message');
        form.addEventListener('submit', async (event) => {
          event.preventDefault();
          message.textContent = 'Checking…';
          try {
            const { token } = await bridge.sources.requestExtensionData({ route: 'check', body: { phrase: form.phrase.value } });
            await bridge.actions.verifyMFA({ token });
            message.textContent = 'Verified.';
          } catch (error) {
            form.phrase.value = '';
            const detail = (error.data && error.data.error) || error.data || {};
            if (error.code === 'attempts_exhausted' || error.code === 'user_locked') {
              const until = detail.lockedUntil ? ` until ${new Date(detail.lockedUntil).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}` : ' for now';
              message.textContent = `Too many failed attempts. You are locked out${until}.`;
              form.querySelectorAll('input, button[type=submit]').forEach((element) => { element.disabled = true; });
            } else if (typeof detail.attemptsLeft === 'number') {
              message.textContent = `That passphrase is not right. ${detail.attemptsLeft} ${detail.attemptsLeft === 1 ? 'attempt' : 'attempts'} left.`;
            } else {
              message.textContent = error.message || 'That did not work. Try again.';
            }
            form.phrase.focus();
          }
        });
        document.getElementById('exit').addEventListener('click', () => bridge.actions.verifyMFA({ exit: true }));
        """#
}
