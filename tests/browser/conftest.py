"""Browser tests: a real `stepup serve --demo` (email through the real SMTP sink) driven by headless Chromium."""
import base64, email, hashlib, hmac, json, os, re, socket, struct, subprocess, tempfile, time, urllib.request
import pytest
from selenium import webdriver
from selenium.common.exceptions import TimeoutException, NoSuchElementException, StaleElementReferenceException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BIN = os.path.join(ROOT, ".build", "debug", "stepup")
SHOTS = os.path.join(ROOT, "build-artifacts", "screenshots")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def require_env(name):
    value = os.environ.get(name)
    if not value:
        pytest.fail(f"{name} is not set: run the browser tests through ./scripts/test, which starts the servers")
    return value


class Server:
    def __init__(self, port=None, host_name="127.0.0.1", env=None, after_start=None, args=()):
        self.port = port or free_port()
        self.base = f"http://{host_name}:{self.port}"
        self.dir = tempfile.mkdtemp(prefix="stepup-browser-")
        self.database = os.path.join(self.dir, "bank.sqlite")
        config = {
            "database": self.database, "port": self.port, "bcryptCost": 4,
            "smtp": {"host": "127.0.0.1", "port": int(require_env("STEPUP_TEST_SMTP_PORT")), "tlsMode": "none",
                     "from": "codes@demo.example", "timeout": 5, "retryDelay": 0.2},
        }
        self.config = os.path.join(self.dir, "stepup.json")
        with open(self.config, "w") as f:
            json.dump(config, f)
        self.log = open(os.path.join(self.dir, "serve.log"), "w")
        self.process = subprocess.Popen(
            [BIN, "serve", "--demo", "--config", self.config, *args], stdout=self.log, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})})
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                urllib.request.urlopen(self.base + "/health", timeout=1)
                return
            except Exception:
                if self.process.poll() is not None:
                    raise RuntimeError("stepup serve exited: " + open(self.log.name).read())
                time.sleep(0.1)
        raise RuntimeError("stepup serve did not start")

    def stop(self, log_name="browser-serve.log"):
        self.process.terminate()
        self.process.wait(10)
        self.log.close()
        if os.environ.get("STEPUP_LOG_DIR"):
            import shutil
            shutil.copy(self.log.name, os.path.join(os.environ["STEPUP_LOG_DIR"], log_name))

    def admin(self, *args):
        return subprocess.run([BIN, *args, "--config", self.config], capture_output=True, text=True, check=True).stdout

    def outbox(self):
        return json.load(urllib.request.urlopen(self.base + "/dev/outbox"))["messages"]

    def new_outbox_code(self, seen):
        """The code of the first message beyond the `seen` count, newest first in the outbox."""
        deadline = time.time() + 10
        while time.time() < deadline:
            messages = self.outbox()
            if len(messages) > seen:
                return messages[0]["code"]
            time.sleep(0.1)
        raise AssertionError("no new code in the outbox")

    def audit(self, *args):
        out = subprocess.run([BIN, "audit", "tail", "-n", "10000", "--config", self.config, *args], capture_output=True, text=True, check=True)
        return [json.loads(line) for line in out.stdout.splitlines() if line.strip()]


def mail_code(recipient, timeout=10):
    maildir = require_env("STEPUP_TEST_SMTP_MAILDIR")
    deadline = time.time() + timeout
    while time.time() < deadline:
        for name in sorted(os.listdir(maildir), reverse=True):
            if name.endswith(".tmp"):
                continue
            msg = email.message_from_bytes(open(os.path.join(maildir, name), "rb").read())
            if msg["To"] == f"<{recipient}>":
                m = re.search(r"access code is (\d+)", msg.get_payload(decode=True).decode())
                if m and name not in mail_code.seen:
                    mail_code.seen.add(name)
                    return m.group(1)
        time.sleep(0.1)
    raise AssertionError(f"no mail for {recipient}")


mail_code.seen = set()


def totp(secret=b"12345678901234567890", at=None, period=30, digits=6):
    """RFC 6238 with SHA-1, written out so the test checks the server against an independent implementation."""
    counter = int((at or time.time()) // period)
    mac = hmac.new(secret, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    value = struct.unpack(">I", mac[offset:offset + 4])[0] & 0x7FFFFFFF
    return str(value % 10 ** digits).zfill(digits)


@pytest.fixture(scope="session")
def server():
    s = Server()
    yield s
    s.stop()


@pytest.fixture
def browser(request):
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1200,900"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    driver.set_page_load_timeout(20)
    yield driver
    os.makedirs(SHOTS, exist_ok=True)
    driver.save_screenshot(os.path.join(SHOTS, f"{request.node.name}.png"))
    driver.quit()


class UI:
    """Small helpers over Selenium for the banking app's pages."""

    def __init__(self, driver, server):
        self.d = driver
        self.s = server
        self.wait = WebDriverWait(driver, 15)

    @staticmethod
    def across_navigation(condition):
        """A wait condition that reads "not yet" when the page navigates under it: an element found on the old
        document is stale, or Chromium's inspector says it "does not belong to the document"."""
        def settled(driver):
            try:
                return condition(driver)
            except (NoSuchElementException, StaleElementReferenceException):
                return False
            except WebDriverException as error:
                if "does not belong to the document" in str(error):
                    return False
                raise
        return settled

    def el(self, css):
        return self.wait.until(self.across_navigation(EC.visibility_of_element_located((By.CSS_SELECTOR, css))))

    def text_in(self, css, text):
        try:
            self.wait.until(self.across_navigation(EC.text_to_be_present_in_element((By.CSS_SELECTOR, css), text)))
        except TimeoutException:
            # Say what the page showed instead, and whether the banking app had a dialog open over it.
            found = [e.text for e in self.d.find_elements(By.CSS_SELECTOR, css)]
            self.d.switch_to.default_content()
            shown = self.d.execute_script(
                "return ['mfa-dialog', 'notice-dialog'].filter((id) => document.getElementById(id)?.open)"
                ".map((id) => id + ': ' + document.getElementById(id).innerText.slice(0, 300))")
            raise AssertionError(f"{text!r} not in {css}: found {found!r}; open dialogs {shown!r}") from None

    def sign_in(self, username, password):
        self.d.get(self.s.base + "/login")
        self.el("#username").send_keys(username)
        self.el("#password").send_keys(password)
        self.el("#login-submit").click()

    def dialog_open(self):
        self.wait.until(lambda d: d.execute_script("return document.getElementById('mfa-dialog').open"))

    def choose_target(self, label_text):
        self.el("#mfa-target-list")
        for label in self.d.find_elements(By.CSS_SELECTOR, "#mfa-target-list label"):
            if label_text in label.text:
                label.click()
                return
        raise AssertionError(f"no target {label_text}")

    def send_code(self, label_text):
        self.choose_target(label_text)
        seen = len(self.s.outbox())
        self.el("#mfa-send").click()
        self.el("#mfa-code-input")
        return seen

    def enter_code(self, code):
        field = self.el("#mfa-code-input")
        field.clear()
        field.send_keys(code)
        self.el("#mfa-verify-code").click()

    def shot(self, name):
        os.makedirs(SHOTS, exist_ok=True)
        self.d.save_screenshot(os.path.join(SHOTS, f"{name}.png"))


@pytest.fixture
def ui(browser, server):
    return UI(browser, server)
