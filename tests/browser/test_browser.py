"""The MFA workflow as a bank customer meets it, in headless Chromium against `stepup serve --demo`."""
import json, os, re, subprocess, threading, time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from conftest import mail_code, totp

# One demo server serves the whole run, so bob's PSD2 art. 16 counters (at most five exempted transfers in a row and
# 100.00 since his last SCA) are shared by the tests that send him small (exempt, ≤ 30.00) transfers: the file's
# order keeps each group under the limits, after an SCA (a transfer or a balance check verified with a code). Every
# test uses its own payee, so no transfer looks like another test's duplicate.


def frame(ui):
    ui.d.switch_to.default_content()
    ui.d.switch_to.frame(ui.el("#extension-frame"))


def open_transfers(ui):
    ui.d.get(ui.s.base + "/extensions/transfers")
    frame(ui)
    ui.wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#fromAccount option[value]:not([value=''])")) > 0)


def fill_transfer(ui, payee, amount):
    ui.el("#toPayee").clear()
    ui.el("#toPayee").send_keys(payee)
    ui.el("#amount").clear()
    ui.el("#amount").send_keys(amount)


def submit_transfer(ui, payee, amount):
    fill_transfer(ui, payee, amount)
    ui.el("#send").click()
    ui.d.switch_to.default_content()


def checking_balance(ui):
    """Everyday Checking's balance in minor units, as a freshly loaded transfer page lists it (leaves the driver in
    the page's frame)."""
    open_transfers(ui)
    text = ui.d.find_element(By.CSS_SELECTOR, "#fromAccount option").text
    assert text.startswith("Everyday Checking"), text
    return round(float(re.search(r"· ([0-9.]+) USD", text).group(1)) * 100)


def transfers_made(server, payee):
    return [e for e in server.audit() if e["action"] == "transfer.made" and e["details"]["payee"] == payee]


def notice(ui):
    """The banking app's notice dialog: waits for it and answers its title and message."""
    ui.d.switch_to.default_content()
    ui.wait.until(lambda d: d.execute_script("return document.getElementById('notice-dialog').open"))
    return ui.el("#notice-title").text, ui.el("#notice-message").text


def close_notice(ui):
    ui.el("#notice-ok").click()
    ui.wait.until(lambda d: not d.execute_script("return document.getElementById('notice-dialog').open"))


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
    ui.el("#mfa-use-access_token").click()
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


def focused(ui):
    """The element that has the keyboard focus, inside the extension's frame if that is where it is; the driver is
    left in that element's frame."""
    ui.d.switch_to.default_content()
    element = ui.d.switch_to.active_element
    while element.tag_name == "iframe":
        ui.d.switch_to.frame(element)
        element = ui.d.switch_to.active_element
    return element


def tab_to(ui, matches, limit=12):
    for _ in range(limit):
        focused(ui).send_keys(Keys.TAB)
        element = focused(ui)
        if matches(element):
            return element
    raise AssertionError("Tab never reached the element")


def test_a_customer_at_phone_width_transfers_with_the_keyboard_only(ui, server):
    ui.d.set_window_size(390, 844)
    shots = iter(range(1, 100))
    shot = lambda name: (ui.d.switch_to.default_content(), ui.shot(f"phone-{next(shots):02d}-{name}"))
    ui.d.get(server.base + "/login")
    field = focused(ui)
    assert field.get_attribute("id") == "username"
    field.send_keys("alice")
    focused(ui).send_keys(Keys.TAB)
    field = focused(ui)
    assert field.get_attribute("id") == "password"
    field.send_keys("demo-alice-pw")
    shot("sign-in")
    field.send_keys(Keys.ENTER)
    ui.dialog_open()
    ui.text_in("#mfa-context", "finish signing in")
    # The dialog puts the focus on the first way to get a code: alice's email, already chosen.
    choice = focused(ui)
    assert choice.get_attribute("type") == "radio" and choice.is_selected()
    assert "Email" in choice.find_element(By.XPATH, "./ancestor::label").text
    shot("logon-targets")
    focused(ui).send_keys(Keys.TAB)
    assert focused(ui).get_attribute("id") == "mfa-send"
    shot("logon-send-focused")
    focused(ui).send_keys(Keys.ENTER)
    ui.el("#mfa-code-input")
    ui.wait.until(lambda d: focused(ui).get_attribute("id") == "mfa-code-input")
    focused(ui).send_keys(mail_code("alice@example.com"))
    shot("logon-code")
    focused(ui).send_keys(Keys.ENTER)
    ui.text_in("h1", "Good to see you, Alice Archer")
    tab_to(ui, lambda e: e.text == "Transfer funds")
    shot("home-link-focused")
    focused(ui).send_keys(Keys.ENTER)
    frame(ui)
    ui.wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#fromAccount option[value]:not([value=''])")) > 0)
    shot("transfers")
    tab_to(ui, lambda e: e.get_attribute("id") == "fromAccount")
    for name, text in (("toPayee", "Phone Payee"), ("amount", "45.00"), ("memo", "typed on a phone")):
        focused(ui).send_keys(Keys.TAB)
        field = focused(ui)
        assert field.get_attribute("id") == name
        field.send_keys(text)
    shot("transfer-filled")
    focused(ui).send_keys(Keys.TAB)
    assert focused(ui).get_attribute("id") == "send"
    shot("transfer-send-focused")
    focused(ui).send_keys(Keys.ENTER)
    ui.d.switch_to.default_content()
    ui.dialog_open()
    ui.text_in("#mfa-context", "Authorise 45.00 USD to Phone Payee")
    ui.wait.until(lambda d: focused(ui).get_attribute("type") == "radio")
    shot("transfer-mfa")
    focused(ui).send_keys(Keys.TAB)
    assert focused(ui).get_attribute("id") == "mfa-send"
    focused(ui).send_keys(Keys.ENTER)
    ui.el("#mfa-code-input")
    ui.wait.until(lambda d: focused(ui).get_attribute("id") == "mfa-code-input")
    focused(ui).send_keys(mail_code("alice@example.com"))
    shot("transfer-code")
    focused(ui).send_keys(Keys.ENTER)
    frame(ui)
    ui.text_in("#result", "Sent 45.00 USD to Phone Payee")
    shot("transfer-done")
    made = transfers_made(server, "Phone Payee")
    assert len(made) == 1 and made[0]["details"]["method"] != "exemption"


def test_the_transfer_page_fits_a_phone_screen(ui):
    # At 390 px the account select's long option text once widened the form past its frame, clipping the fields.
    ui.d.set_window_size(390, 844)
    ui.sign_in("bob", "demo-bob-pw")
    ui.text_in("h1", "Bob Baker")
    open_transfers(ui)
    width, overflow, send_right = ui.d.execute_script(
        "return [innerWidth, document.documentElement.scrollWidth, document.getElementById('send').getBoundingClientRect().right]")
    assert overflow <= width and send_right <= width, (width, overflow, send_right)


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


def test_a_double_click_sends_one_transfer_and_a_repeated_id_is_paid_once(ui, server):
    ui.sign_in("bob", "demo-bob-pw")
    ui.text_in("h1", "Bob Baker")
    before = checking_balance(ui)
    fill_transfer(ui, "Corner Shop", "12.00")
    # Record whether the button is disabled while the call is in flight.
    ui.d.execute_script("""
        const send = document.getElementById('send');
        window.sendWasDisabled = false;
        new MutationObserver(() => { if (send.disabled) window.sendWasDisabled = true; }).observe(send, { attributes: true });
    """)
    ActionChains(ui.d).double_click(ui.el("#send")).perform()
    ui.text_in("#result", "Sent 12.00 USD to Corner Shop")
    assert f"New balance: {(before - 1200) / 100:.2f} USD" in ui.el("#result").text
    assert ui.d.execute_script("return window.sendWasDisabled")
    ui.shot("transfer-double-click")
    ui.d.switch_to.default_content()
    assert not ui.d.execute_script("return document.getElementById('notice-dialog').open")
    made = transfers_made(server, "Corner Shop")
    assert len(made) == 1
    # The page sent one call: the second click met a disabled button.
    calls = [e for e in server.audit() if e["action"] == "TransferFunds" and e["details"].get("transaction.payees") == "Corner Shop"]
    assert len(calls) == 1
    assert checking_balance(ui) == before - 1200
    # The platform too pays a transaction id once: the same call again answers the first receipt and moves nothing.
    answer = ui.d.execute_async_script("""
        const done = arguments[arguments.length - 1];
        const body = { transactionId: arguments[0], fromAccount: document.getElementById('fromAccount').value,
                       toPayee: 'Corner Shop', amount: '12.00', memo: '' };
        bridge.sources.requestExtensionData({ route: 'submit', body }).then(done, (error) => done({ error }));
    """, made[0]["details"]["transaction"])
    assert answer.get("repeated") is True and answer["transferID"] == made[0]["details"]["transfer"], answer
    assert answer["balanceMinor"] == before - 1200
    assert len(transfers_made(server, "Corner Shop")) == 1
    assert checking_balance(ui) == before - 1200


def test_cancelling_the_workflow_shows_the_extensions_error_modal(ui, server):
    ui.sign_in("bob", "demo-bob-pw")
    ui.text_in("h1", "Bob Baker")
    open_transfers(ui)
    before = len([e for e in server.audit() if e["action"] == "transfer.made"])
    submit_transfer(ui, "Mallory", "499.00")
    ui.dialog_open()
    ui.el("#mfa-cancel").click()
    title, message = notice(ui)
    assert title == "Transfer not sent"
    # The extension's error handler's words, not a status number.
    assert "You cancelled the verification" in message and "No money was moved." in message
    ui.shot("transfer-cancelled")
    assert len([e for e in server.audit() if e["action"] == "transfer.made"]) == before


def test_bad_amounts_show_the_extensions_message_and_send_nothing(ui, server):
    ui.sign_in("bob", "demo-bob-pw")
    ui.text_in("h1", "Bob Baker")
    open_transfers(ui)
    for amount, expected in [("abc", "abc is not an amount"), ("-5.00", "-5.00 is not an amount"),
                             ("0", "0 is not an amount"), ("12.345", "12.345 is not an amount"), ("", "Enter an amount")]:
        frame(ui)
        submit_transfer(ui, "Typo Traders", amount)
        title, message = notice(ui)
        assert title == "Transfer not sent", amount
        assert expected in message and "Nothing was sent." in message, (amount, message)
        if amount == "abc":
            ui.shot("transfer-bad-amount")
        close_notice(ui)
        frame(ui)
        assert ui.d.find_element(By.ID, "result").text == "" and ui.el("#send").is_enabled(), amount
    assert transfers_made(server, "Typo Traders") == []


def test_a_blocked_transfer_says_the_bank_blocked_it(ui, server):
    ui.sign_in("bob", "demo-bob-pw")
    ui.text_in("h1", "Bob Baker")
    open_transfers(ui)
    submit_transfer(ui, "Big Ticket Motors", "10000.01")
    title, message = notice(ui)
    assert title == "Transfer not sent"
    assert "The bank blocked this transfer" in message and "No money was moved." in message
    ui.shot("transfer-blocked")
    assert not ui.d.execute_script("return document.getElementById('mfa-dialog').open")
    assert transfers_made(server, "Big Ticket Motors") == []


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


def send_twice(ui, server, payee, amount):
    """Sends `amount` to `payee`, then the same again: answers the balance after the first once the page asks."""
    ui.sign_in("bob", "demo-bob-pw")
    ui.text_in("h1", "Bob Baker")
    open_transfers(ui)
    fill_transfer(ui, payee, amount)
    ui.el("#send").click()
    ui.text_in("#result", f"Sent {amount} USD to {payee}")
    after_first = checking_balance(ui)
    assert len(transfers_made(server, payee)) == 1
    fill_transfer(ui, payee, amount)
    ui.el("#send").click()
    ui.el("#duplicate")
    assert ui.el("#duplicate-text").text == f"You sent {amount} USD to {payee} a few minutes ago. Send the same amount again?"
    # The safe answer has the focus, so a second Enter does not pay twice.
    assert ui.d.switch_to.active_element.get_attribute("id") == "duplicate-cancel"
    assert ui.d.find_element(By.ID, "result").text == ""
    assert [e for e in server.audit() if e["action"] == "transfer.duplicate_suspected" and e["details"]["payee"] == payee]
    return after_first


def test_the_same_amount_to_the_same_payee_again_is_confirmed_first(ui, server):
    after_first = send_twice(ui, server, "Window Cleaner", "14.00")
    ui.shot("transfer-duplicate")
    assert len(transfers_made(server, "Window Cleaner")) == 1
    ui.el("#duplicate-send").click()
    ui.text_in("#result", "Sent 14.00 USD to Window Cleaner")
    assert not ui.d.find_element(By.ID, "duplicate").is_displayed()
    ui.shot("transfer-duplicate-sent")
    made = transfers_made(server, "Window Cleaner")
    assert len(made) == 2 and made[0]["details"]["transaction"] != made[1]["details"]["transaction"]
    assert checking_balance(ui) == after_first - 1400


def test_a_suspected_duplicate_can_be_left_unsent(ui, server):
    after_first = send_twice(ui, server, "Dog Walker", "9.00")
    ui.d.switch_to.active_element.send_keys(Keys.ENTER)  # on "No, don't send"
    ui.text_in("#result", "Not sent. No money was moved.")
    assert not ui.d.find_element(By.ID, "duplicate").is_displayed()
    assert ui.d.switch_to.active_element.get_attribute("id") == "send"
    ui.shot("transfer-duplicate-not-sent")
    assert len(transfers_made(server, "Dog Walker")) == 1
    assert checking_balance(ui) == after_first


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


def passphrase_failures(server):
    return [e for e in server.audit()
            if e["action"] == "mfa.verify" and e["outcome"] == "failure" and e["details"].get("extension") == "passphrase"]


def test_external_mfa_at_logon_with_a_wrong_answer_first(ui, server):
    ui.sign_in("dora", "demo-dora-pw")
    failures = len(passphrase_failures(server))
    passphrase(ui, "red harbour lantern")
    # The extension's own call counted the wrong phrase; its page says so and asks again.
    ui.text_in("#message", "That passphrase is not right. 4 attempts left.")
    assert ui.d.switch_to.active_element.get_attribute("id") == "phrase"
    assert ui.el("#phrase").get_attribute("value") == ""
    assert len(passphrase_failures(server)) == failures + 1
    ui.d.switch_to.default_content()
    # The dialog stays on the extension's page for the next try; the count is the page's to show, not the dialog's.
    assert ui.d.execute_script("return document.getElementById('mfa-dialog').open")
    assert ui.el("#mfa-external-slot iframe").is_displayed()
    assert "attempt" not in ui.d.find_element(By.ID, "mfa-status").text
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


def test_a_stopped_extension_service_says_that_part_of_banking_is_not_available(browser):
    """A service registered with --extension that nobody runs: its page says so in words, at once, not after 15 s."""
    from conftest import Server, UI, free_port
    gone = Server(args=["--extension", f"gone=http://127.0.0.1:{free_port()}"],
                  env={"STEPUP_EXTENSION_KEY_GONE": "k" * 64})
    try:
        ui = UI(browser, gone)
        ui.sign_in("bob", "demo-bob-pw")
        ui.text_in("h1", "Good to see you")
        started = time.time()
        ui.d.get(gone.base + "/extensions/gone")
        frame(ui)
        ui.text_in("h1", "Not available right now")
        body = ui.d.find_element(By.TAG_NAME, "body").text
        assert "Try again later" in body and "contact the bank" in body, body
        assert ui.d.find_element(By.TAG_NAME, "body").get_attribute("data-error-code") == "extension_unavailable"
        assert time.time() - started < 10, "the page waited for the call's timeout, not the connect's"
        ui.d.switch_to.default_content()
        ui.shot("extension-service-unavailable")
        ui.d.set_window_size(390, 844)
        ui.shot("extension-service-unavailable-phone")
    finally:
        gone.stop("browser-serve-gone.log")


def test_zz_external_mfa_lockout(ui, server):
    # Runs last: it locks dora for the rest of the run.
    ui.sign_in("dora", "demo-dora-pw")
    seen = len(server.audit())
    for attempt in range(5):
        passphrase(ui, f"wrong guess {attempt}")
        ui.wait.until(lambda d: "attempt" in d.find_element(By.ID, "message").text or "locked" in d.find_element(By.ID, "message").text)
        if attempt < 4:
            left = 4 - attempt
            assert ui.el("#message").text == f"That passphrase is not right. {left} {'attempt' if left == 1 else 'attempts'} left."
    message = ui.el("#message").text
    m = re.fullmatch(r"Too many failed attempts\. You are locked out until (\d{1,2}):(\d{2})(?: ?([AP]M))?\.", message)
    assert m, message
    assert ui.d.find_element(By.ID, "phrase").get_attribute("disabled") and ui.d.find_element(By.ID, "check").get_attribute("disabled")
    # The time shown is the end of the lock the platform recorded, in the browser's time zone.
    locks = [e for e in server.audit()[seen:] if e["action"] == "mfa.lockout"]
    assert len(locks) == 1
    hour, minute = ui.d.execute_script("const t = new Date(arguments[0]); return [t.getHours(), t.getMinutes()];", locks[0]["details"]["lockedUntil"])
    shown = int(m.group(1)) % 12 + (12 if m.group(3) == "PM" else 0) if m.group(3) else int(m.group(1))
    assert (shown, int(m.group(2))) == (hour, minute), message
    ui.d.switch_to.default_content()
    ui.shot("external-locked")
    # The dialog leaves the way out open: Cancel ends the sign-in.
    assert ui.d.execute_script("return document.getElementById('mfa-dialog').open")
    ui.el("#mfa-cancel").click()
    ui.text_in("#login-status", "Sign-in was cancelled.")
