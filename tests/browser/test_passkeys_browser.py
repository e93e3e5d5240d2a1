"""Passkeys as a customer meets them, in headless Chromium with its virtual authenticator (CTAP2, internal, user
verification): added on the security page after a step-up, used to confirm a payment whose amount and payee the
dialog names first, and removed after another step-up. The bank is served as http://localhost, the RP ID of a
developer's machine."""
import subprocess
import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select
from selenium.webdriver.common.virtual_authenticator import VirtualAuthenticatorOptions
from conftest import BIN, Server, UI, mail_code
from test_browser import frame, open_transfers, submit_transfer


@pytest.fixture(scope="module")
def bank():
    s = Server(host_name="localhost")
    yield s
    s.stop("browser-passkeys-serve.log")


@pytest.fixture
def pk(browser, bank):
    options = VirtualAuthenticatorOptions()
    options.protocol = VirtualAuthenticatorOptions.Protocol.CTAP2
    options.transport = VirtualAuthenticatorOptions.Transport.INTERNAL
    options.has_resident_key = True
    options.has_user_verification = True
    options.is_user_verified = True
    options.is_user_consenting = True
    browser.add_virtual_authenticator(options)
    return UI(browser, bank)


def new_customer(bank, name):
    """A customer of their own for a test (no logon MFA, a text-message target, two USD accounts): a customer who
    has a passkey confirms another with it, so each test that adds one starts from none."""
    def cli(*args, stdin=None):
        subprocess.run([BIN, *args, "--config", bank.config], input=stdin, text=True, capture_output=True, check=True)
    cli("user", "add", name, "--display-name", name.capitalize(), "--logon-mfa", "never", stdin="a-long-password\n")
    cli("target", "add", name, "sms", "+15550109" + str(abs(hash(name)) % 1000).zfill(3))
    cli("account", "add", name, "--name", "Everyday Checking", "--number", "••••1111", "--balance", "2500.00", "--currency", "USD")
    cli("account", "add", name, "--name", "Savings", "--number", "••••2222", "--balance", "12000.00", "--currency", "USD")
    return name, "a-long-password"


def step_up_with_text_message(ui):
    ui.dialog_open()
    # With a passkey on the account the dialog opens on it; this browser's authenticator may not hold it.
    if ui.d.find_element(By.ID, "mfa-passkey").is_displayed():
        ui.el("#mfa-use-access_code").click()
    seen = ui.send_code("Text message")
    ui.enter_code(ui.s.new_outbox_code(seen))


def add_passkey(ui, name):
    ui.d.get(ui.s.base + "/security")
    ui.text_in("h1", "Security")
    ui.el("#passkey-list li")
    ui.el("#passkey-name").send_keys(name)
    ui.el("#passkey-add").click()
    ui.dialog_open()
    ui.text_in("#mfa-context", "Add a passkey")
    step_up_with_text_message(ui)
    ui.text_in("#security-status", f"Passkey “{name}” added")


def test_a_large_transfer_without_a_passkey_says_how_to_get_one(pk):
    pk.sign_in("bob", "demo-bob-pw")
    pk.text_in("h1", "Bob Baker")
    open_transfers(pk)
    submit_transfer(pk, "Big Payee", "6000.00")
    pk.dialog_open()
    pk.text_in("#mfa-context", "Authorise 6,000.00 USD to Big Payee")
    pk.text_in("#mfa-status", "This needs a passkey. Add a passkey in Security, then try again.")
    assert pk.el("#mfa-cancel").text == "Close"
    pk.shot("transfer-needs-passkey")
    pk.el("#mfa-cancel").click()
    decided = [e for e in pk.s.audit() if e["action"] == "edv.decision" and e["details"].get("rule") == "passkey-large-transfers"]
    assert decided and decided[-1]["details"]["level"] == "phr", decided


def test_a_second_passkey_is_confirmed_with_the_first(pk):
    pk.sign_in(*new_customer(pk.s, "grace"))
    pk.text_in("h1", "Grace")
    add_passkey(pk, "First")
    # The next addition asks for the passkey the customer has: a relayed code cannot buy a look-alike site one.
    pk.el("#passkey-name").send_keys("Second")
    pk.el("#passkey-add").click()
    pk.dialog_open()
    pk.text_in("#mfa-passkey-use", "Use passkey")
    assert not pk.d.find_elements(By.ID, "mfa-use-access_code"), "a code was offered to confirm a second passkey"
    pk.el("#mfa-passkey-use").click()
    # The virtual authenticator holds the first passkey already: excludeCredentials stops it making a second.
    pk.text_in("#security-status", "This device already holds one of your passkeys")


def test_a_customer_adds_a_passkey_and_confirms_a_payment_with_it(pk):
    pk.sign_in("bob", "demo-bob-pw")
    pk.text_in("h1", "Bob Baker")
    pk.d.get(pk.s.base + "/security")
    pk.text_in("#passkey-list", "You have no passkey yet")
    add_passkey(pk, "Work laptop")
    pk.text_in("#passkey-list", "Work laptop")
    pk.text_in("#passkey-list", "not used yet")
    pk.shot("security-passkey-added")
    added = [e for e in pk.s.audit("--user", "bob") if e["action"] == "security.passkey.added"]
    assert len(added) == 1 and added[0]["details"]["attestation"] in ("none", "packed"), added

    open_transfers(pk)
    submit_transfer(pk, "Passkey Payee", "42.00")
    pk.dialog_open()
    # The dialog names what is authorised before the browser asks for the passkey, and opens on the passkey.
    pk.text_in("#mfa-context", "Authorise 42.00 USD to Passkey Payee")
    pk.text_in("#mfa-passkey-use", "Use passkey")
    pk.shot("transfer-passkey-offer")
    pk.el("#mfa-passkey-use").click()
    frame(pk)
    pk.text_in("#result", "Sent 42.00 USD to Passkey Payee")
    verified = [e for e in pk.s.audit() if e["action"] == "mfa.verify" and e["outcome"] == "success"]
    assert verified[-1]["details"]["method"] == "passkey" and verified[-1]["details"]["level"] == "phr", verified[-1]
    made = [e for e in pk.s.audit() if e["action"] == "transfer.made" and e["details"]["payee"] == "Passkey Payee"]
    assert len(made) == 1 and made[0]["details"]["method"] == "passkey", made

    # Above 5,000.00 the bank's rule asks for a passkey: it is the only way offered.
    pk.d.switch_to.default_content()
    open_transfers(pk)
    Select(pk.el("#fromAccount")).select_by_index(1)
    submit_transfer(pk, "Big Payee", "6000.00")
    pk.dialog_open()
    pk.text_in("#mfa-context", "Authorise 6,000.00 USD to Big Payee")
    pk.text_in("#mfa-passkey-use", "Use passkey")
    assert not pk.d.find_elements(By.ID, "mfa-use-access_code"), "a code was offered where only a passkey will do"
    pk.el("#mfa-passkey-use").click()
    frame(pk)
    pk.text_in("#result", "USD to Big Payee")


def test_the_security_page_at_phone_width_with_the_keyboard(pk):
    pk.d.set_window_size(390, 844)
    pk.sign_in(*new_customer(pk.s, "erin"))
    pk.text_in("h1", "Erin")
    add_passkey(pk, "Phone")
    pk.shot("security-phone")
    assert pk.d.execute_script("return document.documentElement.scrollWidth <= window.innerWidth"), "the page scrolls sideways"
    # Rename with the keyboard: the button, the field, Enter.
    rename = pk.el("button[aria-label='Rename Phone']")
    rename.send_keys("\n")
    field = pk.d.switch_to.active_element
    field.clear()
    field.send_keys("My phone\n")
    pk.text_in("#passkey-list", "My phone")
    # Removal is a step-up of its own, and says what it did.
    pk.el("button[aria-label='Remove My phone']").click()
    pk.dialog_open()
    pk.text_in("#mfa-context", "Remove a passkey")
    step_up_with_text_message(pk)
    pk.text_in("#security-status", "“My phone” was removed")
    pk.wait.until(lambda d: "My phone" not in d.find_element(By.ID, "passkey-list").text)
    pk.shot("security-phone-removed")


def test_cancelling_the_step_up_changes_nothing_and_says_so(pk):
    pk.sign_in("bob", "demo-bob-pw")
    pk.text_in("h1", "Bob Baker")
    pk.d.get(pk.s.base + "/security")
    pk.el("#passkey-name").send_keys("Never added")
    pk.el("#passkey-add").click()
    pk.dialog_open()
    pk.el("#mfa-cancel").click()
    pk.text_in("#security-status", "Nothing was changed: the confirmation was cancelled.")
    assert "Never added" not in pk.el("#passkey-list").text


def test_on_another_host_name_the_page_says_where_passkeys_work(browser, bank):
    ui = UI(browser, bank)
    ui.d.get(bank.base.replace("localhost", "127.0.0.1") + "/login")
    ui.el("#username").send_keys("bob")
    ui.el("#password").send_keys("demo-bob-pw")
    ui.el("#login-submit").click()
    ui.text_in("h1", "Bob Baker")
    ui.d.get(bank.base.replace("localhost", "127.0.0.1") + "/security")
    ui.text_in("#passkey-note", "Passkeys work only at localhost")
    assert not ui.d.find_element(By.ID, "passkey-add-form").is_displayed()


def test_a_customer_signs_in_with_her_passkey(pk):
    # Alice's logon asks for MFA; her first sign-in is with an email code, from the real SMTP sink.
    pk.sign_in("alice", "demo-alice-pw")
    pk.dialog_open()
    pk.choose_target("Email")
    pk.el("#mfa-send").click()
    pk.text_in("#mfa-sent-to", "a••••@example.com")
    pk.enter_code(mail_code("alice@example.com"))
    pk.text_in("h1", "Good to see you, Alice Archer")
    add_passkey(pk, "Alice's laptop")
    pk.el("#logout").click()
    pk.text_in("h1", "Sign in")
    # The next sign-in opens on the passkey, and the passkey alone finishes it.
    pk.sign_in("alice", "demo-alice-pw")
    pk.dialog_open()
    pk.text_in("#mfa-context", "finish signing in")
    pk.text_in("#mfa-passkey-use", "Use passkey")
    pk.shot("logon-passkey")
    pk.el("#mfa-passkey-use").click()
    pk.text_in("h1", "Good to see you, Alice Archer")
    logons = [e for e in pk.s.audit() if e["action"] == "mfa.verify" and e["outcome"] == "success"
              and e["details"].get("context") == "logon" and e["details"].get("method") == "passkey"]
    assert logons and logons[-1]["details"]["level"] == "phr", logons


def test_without_user_verification_a_payment_that_needs_a_passkey_is_refused(pk):
    pk.sign_in(*new_customer(pk.s, "frank"))
    pk.text_in("h1", "Frank")
    add_passkey(pk, "Unverified")
    # The authenticator can no longer verify the user (no PIN, no biometric): a touch alone is not SCA.
    pk.d.set_user_verified(False)
    open_transfers(pk)
    Select(pk.el("#fromAccount")).select_by_index(1)
    submit_transfer(pk, "Unverified Payee", "6000.00")
    pk.dialog_open()
    pk.el("#mfa-passkey-use").click()
    pk.text_in("#mfa-status", "Try again, or choose another way.")
    pk.shot("transfer-passkey-without-uv")
    pk.el("#mfa-cancel").click()
    assert not [e for e in pk.s.audit() if e["action"] == "transfer.made" and e["details"]["payee"] == "Unverified Payee"]
