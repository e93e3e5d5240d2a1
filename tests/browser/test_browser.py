"""The MFA workflow as a bank customer meets it, in headless Chromium against `stepup serve --demo`."""
import json, os, subprocess, threading, time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from selenium.webdriver.common.by import By
from conftest import mail_code, totp


def frame(ui):
    ui.d.switch_to.default_content()
    ui.d.switch_to.frame(ui.el("#extension-frame"))


def open_transfers(ui):
    ui.d.get(ui.s.base + "/extensions/transfers")
    frame(ui)
    ui.wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#fromAccount option[value]:not([value=''])")) > 0)


def submit_transfer(ui, payee, amount):
    ui.el("#toPayee").clear()
    ui.el("#toPayee").send_keys(payee)
    ui.el("#amount").clear()
    ui.el("#amount").send_keys(amount)
    ui.el("#send").click()
    ui.d.switch_to.default_content()


def test_logon_mfa_with_an_email_code_from_the_real_smtp_server(ui):
    ui.sign_in("alice", "demo-alice-pw")
    ui.dialog_open()
    ui.text_in("#mfa-context", "finish signing in")
    ui.shot("logon-target-selection")
    ui.choose_target("Email")
    ui.el("#mfa-send").click()
    ui.text_in("#mfa-sent-to", "a••••@example.com")
    code = mail_code("alice@example.com")
    ui.shot("logon-code-input")
    ui.enter_code(code)
    ui.text_in("h1", "Good to see you, Alice Archer")
    assert "2,500.00" in ui.d.page_source


def test_logon_mfa_with_the_demo_totp(ui):
    ui.sign_in("alice", "demo-alice-pw")
    ui.dialog_open()
    ui.el("#mfa-use-token").click()
    field = ui.el("#mfa-token-input")
    ui.shot("logon-token-input")
    # A step another test already used is refused as a replay; wait for a fresh one then.
    field.send_keys(totp())
    ui.el("#mfa-verify-token").click()
    def signed_in_or_replayed(d):
        try:
            return "Good to see you" in d.page_source or "already used" in d.find_element(By.ID, "mfa-status").text
        except Exception:  # the page navigated between the two reads
            return False
    ui.wait.until(signed_in_or_replayed)
    if "Good to see you" not in ui.d.page_source:
        time.sleep(30 - time.time() % 30 + 1)
        ui.el("#mfa-token-input").send_keys(totp())
        ui.el("#mfa-verify-token").click()
    ui.text_in("h1", "Good to see you, Alice Archer")


def test_a_transfer_opens_the_workflow_by_itself_and_succeeds_after_it(ui):
    ui.sign_in("bob", "demo-bob-pw")
    ui.text_in("h1", "Bob Baker")
    open_transfers(ui)
    submit_transfer(ui, "Acme Rent", "125.00")
    ui.dialog_open()
    ui.text_in("#mfa-context", "Authorise 125.00 USD to Acme Rent")
    ui.shot("transfer-mfa")
    seen = ui.send_code("Text message")
    ui.enter_code(ui.s.new_outbox_code(seen))
    frame(ui)
    ui.text_in("#result", "Sent 125.00 USD to Acme Rent")
    ui.shot("transfer-done")
    # A changed amount is another authorisation: the workflow opens again.
    submit_transfer(ui, "Acme Rent", "126.00")
    ui.dialog_open()
    ui.text_in("#mfa-context", "Authorise 126.00 USD to Acme Rent")
    ui.el("#mfa-cancel").click()


def test_cancelling_the_workflow_shows_the_extensions_error_modal(ui, server):
    ui.sign_in("bob", "demo-bob-pw")
    ui.text_in("h1", "Bob Baker")
    open_transfers(ui)
    before = len([e for e in server.audit() if e["action"] == "transfer.made"])
    submit_transfer(ui, "Mallory", "499.00")
    ui.dialog_open()
    ui.el("#mfa-cancel").click()
    ui.wait.until(lambda d: d.execute_script("return document.getElementById('notice-dialog').open"))
    ui.text_in("#notice-title", "Transfer not sent")
    ui.shot("transfer-cancelled")
    assert len([e for e in server.audit() if e["action"] == "transfer.made"]) == before


def test_prompt_for_mfa_up_front_then_the_guarded_call(ui):
    ui.sign_in("bob", "demo-bob-pw")
    ui.text_in("h1", "Bob Baker")
    open_transfers(ui)
    ui.el("#statement").click()
    ui.d.switch_to.default_content()
    ui.dialog_open()
    ui.text_in("#mfa-context", "Verify it is you to see your balances.")
    seen = ui.send_code("Text message")
    ui.enter_code(ui.s.new_outbox_code(seen))
    frame(ui)
    ui.text_in("#result", "Everyday Checking:")
    ui.shot("prompt-for-mfa")


def test_a_locked_user_sees_when_the_lock_ends(ui):
    ui.sign_in("carol", "demo-carol-pw")
    ui.dialog_open()
    ui.choose_target("Email")
    ui.el("#mfa-send").click()
    ui.el("#mfa-code-input")
    real = mail_code("carol@example.com")
    wrong = "000000" if real != "000000" else "111111"
    for attempt in range(5):
        ui.enter_code(wrong)
        ui.wait.until(lambda d: "attempt" in d.find_element(By.ID, "mfa-status").text or "try again after" in d.find_element(By.ID, "mfa-status").text)
        if attempt == 0:
            assert "4 attempts left" in ui.el("#mfa-status").text
    ui.text_in("#mfa-status", "You can try again after")
    assert not ui.el("#mfa-cancel").get_attribute("disabled")
    assert ui.d.find_element(By.ID, "mfa-code-input").get_attribute("disabled")
    ui.shot("locked")


def test_an_extension_page_opened_top_level_cannot_use_the_bridge_or_the_platform_api(ui):
    ui.sign_in("bob", "demo-bob-pw")
    ui.text_in("h1", "Bob Baker")
    ui.d.get(ui.s.base + "/ext/transfers/form")
    result = ui.d.execute_async_script("""
        const done = arguments[arguments.length - 1];
        const outcome = {};
        bridge.connected.then(() => { outcome.bridge = 'connected'; }, () => { outcome.bridge = 'refused'; })
          .then(() => fetch('/api/session', { credentials: 'include' }))
          .then((r) => r.text().then((t) => { outcome.api = r.status + ' ' + t.slice(0, 60); }), () => { outcome.api = 'blocked'; })
          .then(() => done(outcome));
    """)
    assert result["bridge"] == "refused"
    assert result["api"] == "blocked" or "not_authenticated" in result["api"]


def test_a_page_of_another_origin_cannot_drive_the_banking_app(ui, server, tmp_path):
    # The attacker's page lives on another origin (another port); it opens the banking app's extension page and
    # tries to speak the bridge's protocol to it, and to frame an extension.
    (tmp_path / "evil.html").write_text(f"""<!doctype html><html><body><iframe id="f" src="{server.base}/ext/transfers/form"></iframe>
      <script>
      const w = window.open('{server.base}/extensions/transfers', 'bank');
      setTimeout(() => {{
        const channel = new MessageChannel();
        try {{ w.postMessage({{ type: 'stepup:connect', version: 1 }}, '*', [channel.port2]); }} catch (e) {{}}
        for (const message of [{{ id: 1, kind: 'requestExtensionData', route: 'submit', body: {{ transactionId: 'evil', fromAccount: 'x', toPayee: 'Mallory', amount: '9.00' }} }},
                               {{ id: 2, kind: 'showModal', title: 'Pwned', msg: 'pwned', modalType: 'Info' }}]) {{
          try {{ w.postMessage(message, '*'); }} catch (e) {{}}
        }}
        fetch('{server.base}/api/session', {{ credentials: 'include' }}).then(() => document.title = 'api:read', () => document.title = 'api:blocked');
      }}, 2500);
      </script></body></html>""")

    class Quiet(SimpleHTTPRequestHandler):
        def __init__(self, *a, **k):
            super().__init__(*a, directory=str(tmp_path), **k)

        def log_message(self, *args):
            pass

    evil = ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    threading.Thread(target=evil.serve_forever, daemon=True).start()
    try:
        ui.sign_in("bob", "demo-bob-pw")
        ui.text_in("h1", "Bob Baker")
        before = [e for e in server.audit() if e["action"] in ("TransferFunds", "transfer.made")]
        ui.d.get(f"http://127.0.0.1:{evil.server_port}/evil.html")
        time.sleep(4)
        assert ui.d.title == "api:blocked"
        framed = ui.d.execute_script("try { return document.getElementById('f').contentDocument === null ? 'opaque' : 'readable'; } catch (e) { return 'opaque'; }")
        assert framed == "opaque"
        handles = ui.d.window_handles
        if len(handles) > 1:
            ui.d.switch_to.window(handles[-1])
            assert not ui.d.execute_script("return document.getElementById('notice-dialog').open")
            ui.shot("other-origin-bank-window")
        after = [e for e in server.audit() if e["action"] in ("TransferFunds", "transfer.made")]
        assert after == before
    finally:
        evil.shutdown()


# External MFA (the example passphrase extension): dora's logon and payments use it instead of codes.

def passphrase(ui, phrase):
    ui.d.switch_to.default_content()
    ui.dialog_open()
    ui.d.switch_to.frame(ui.el("#mfa-external-slot iframe"))
    field = ui.el("#phrase")
    field.clear()
    field.send_keys(phrase)
    ui.el("#check").click()


def test_external_mfa_at_logon_with_a_wrong_answer_first(ui):
    ui.sign_in("dora", "demo-dora-pw")
    passphrase(ui, "red harbour lantern")
    ui.text_in("#message", "4 attempts left")
    ui.d.switch_to.default_content()
    ui.text_in("#mfa-status", "4 attempts left")
    ui.shot("external-wrong-answer")
    passphrase(ui, "Blue Harbour Lantern")
    ui.d.switch_to.default_content()
    ui.text_in("h1", "Good to see you, Dora Diaz")


def test_external_mfa_cancel_leaves_the_sign_in(ui):
    ui.sign_in("dora", "demo-dora-pw")
    ui.dialog_open()
    ui.d.switch_to.frame(ui.el("#mfa-external-slot iframe"))
    ui.el("#exit").click()
    ui.d.switch_to.default_content()
    ui.text_in("#login-status", "Sign-in was cancelled.")


def test_external_mfa_authorises_a_guarded_transfer(ui):
    ui.sign_in("dora", "demo-dora-pw")
    passphrase(ui, "blue harbour lantern")
    ui.d.switch_to.default_content()
    ui.text_in("h1", "Dora Diaz")
    open_transfers(ui)
    submit_transfer(ui, "Acme Rent", "125.00")
    ui.dialog_open()
    ui.text_in("#mfa-context", "Authorise 125.00 USD to Acme Rent")
    ui.d.switch_to.frame(ui.el("#mfa-external-slot iframe"))
    ui.text_in("body", "to authorise your payment")
    ui.shot("external-transfer")
    passphrase(ui, "blue harbour lantern")
    frame(ui)
    ui.text_in("#result", "Sent 125.00 USD to Acme Rent")


def test_zz_external_mfa_lockout(ui):
    # Runs last: it locks dora for the rest of the run.
    ui.sign_in("dora", "demo-dora-pw")
    for attempt in range(5):
        passphrase(ui, f"wrong guess {attempt}")
        ui.wait.until(lambda d: "attempt" in d.find_element(By.ID, "message").text or "locked" in d.find_element(By.ID, "message").text)
    ui.text_in("#message", "locked out")
    ui.d.switch_to.default_content()
    ui.text_in("#mfa-status", "You can try again after")
    ui.shot("external-locked")
