"""Redirect-based external MFA in a real browser: carol's logon goes through the bank's OpenID provider (Glewlwyd,
with PAR and PKCE), in a popup, on the provider's own login page, and back through the extension's verify.html."""
import json
import os

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC

from conftest import UI, Server, require_env


@pytest.fixture(scope="module")
def provider():
    with open(require_env("STEPUP_TEST_OIDC")) as f:
        return json.load(f)


@pytest.fixture(scope="module")
def oidc_server(provider):
    port = int(require_env("STEPUP_TEST_BANK_PORT"))
    # Glewlwyd takes http redirect URIs only on localhost, so the bank is browsed as http://localhost here.
    env = {
        "STEPUP_OIDC_ISSUER": provider["issuer"], "STEPUP_OIDC_CLIENT_ID": provider["client_id"],
        "STEPUP_OIDC_CLIENT_SECRET": provider["client_secret"],
        "STEPUP_OIDC_REDIRECT_URI": f"http://localhost:{port}/ext/idp-verify/assets/verify.html",
        # Glewlwyd 2.7 reports auth_time 0; it is configured to demand a login younger than a minute itself.
        "STEPUP_OIDC_FRESHNESS": "provider",
    }
    server = Server(port=port, host_name="localhost", env=env)
    server.admin("user", "register-mfa", "carol", "--provider", "idp-verify", "--value", provider["users"]["alice-idp"]["sub"])
    yield server
    server.stop("browser-serve-oidc.log")


@pytest.fixture
def oidc_ui(browser, oidc_server):
    return UI(browser, oidc_server)


def continue_at_provider(ui):
    """From the MFA dialog's extension frame, opens the provider's popup and switches to it."""
    ui.dialog_open()
    ui.d.switch_to.frame(ui.el("#mfa-external-slot iframe"))
    ui.text_in("h1", "Sign in again")
    bank_window = ui.d.current_window_handle
    ui.el("#continue").click()
    ui.wait.until(lambda d: len(d.window_handles) == 2)
    popup = [handle for handle in ui.d.window_handles if handle != bank_window][0]
    ui.d.switch_to.window(popup)
    return bank_window


def sign_in_at_glewlwyd(ui, username, password):
    """Glewlwyd's own login page (its web app), then its consent screen when it shows one."""
    ui.wait.until(lambda d: "/login.html" in d.current_url)
    ui.el("input#username").send_keys(username)
    ui.el("input#password").send_keys(password)
    ui.shot("oidc-provider-login")
    ui.el("button[type=submit]").click()
    # Glewlwyd then shows who is signed in and asks to continue to the client.
    ui.wait.until(EC.element_to_be_clickable((By.XPATH, "//button[normalize-space()='Continue']"))).click()


def test_logon_through_the_identity_provider_in_a_popup(oidc_ui, provider):
    ui = oidc_ui
    ui.sign_in("carol", "demo-carol-pw")
    bank_window = continue_at_provider(ui)
    sign_in_at_glewlwyd(ui, "alice-idp", provider["users"]["alice-idp"]["password"])
    # The banking app closes the popup once the workflow is done.
    ui.wait.until(lambda d: len(d.window_handles) == 1)
    ui.d.switch_to.window(bank_window)
    ui.text_in("h1", "Good to see you, Carol Chen")
    ui.shot("oidc-logon-done")
    events = [e for e in ui.s.audit() if e["action"].startswith("ext.idp-verify.")]
    assert [e["action"] for e in events][-2:] == ["ext.idp-verify.oidc.started", "ext.idp-verify.oidc.verified"]


def test_someone_else_at_the_provider_is_refused(oidc_ui, provider):
    ui = oidc_ui
    ui.sign_in("carol", "demo-carol-pw")
    bank_window = continue_at_provider(ui)
    sign_in_at_glewlwyd(ui, "mallory-idp", provider["users"]["mallory-idp"]["password"])
    ui.wait.until(lambda d: "verify.html" in d.current_url or "Verifying" in d.title)
    ui.text_in("#message", "as someone else")
    ui.text_in("h1", "Not verified")
    ui.shot("oidc-wrong-subject")
    ui.d.switch_to.window(bank_window)
    assert "Good to see you" not in ui.d.find_element(By.TAG_NAME, "body").text
    events = [e for e in ui.s.audit() if e["action"] == "ext.idp-verify.oidc.failed"]
    assert events and events[-1]["details"]["reason"] == "subject_mismatch"


def test_the_return_page_opened_on_its_own_does_nothing(oidc_ui):
    ui = oidc_ui
    ui.d.get(ui.s.base + "/ext/idp-verify/assets/verify.html?code=stolen&state=guessed")
    ui.text_in("#message", "Open this page from online banking.")
    assert "code=" not in ui.d.current_url, "the code is taken off the address bar at once"
