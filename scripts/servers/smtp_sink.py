#!/usr/bin/env python3
"""A real SMTP server for Stepup's tests (aiosmtpd), storing each accepted message as a .eml file.

Test addresses: refuse@… is refused permanently (550); flaky@… is refused once (451), then accepted.
With --cert/--key it requires STARTTLS, and with --auth USER:PASS it requires AUTH over TLS.
"""
import argparse, asyncio, itertools, os, signal, ssl, threading
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

class Sink:
    def __init__(self, maildir):
        self.maildir = maildir
        self.counter = itertools.count(1)
        self.flaky_seen = set()
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("refuse@"):
            return "550 5.1.1 Mailbox refused"
        if address.startswith("flaky@"):
            with self.lock:
                if address not in self.flaky_seen:
                    self.flaky_seen.add(address)
                    return "451 4.3.0 Try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            n = next(self.counter)
        path = os.path.join(self.maildir, f"{os.getpid()}-{n:05d}.eml")
        with open(path + ".tmp", "wb") as f:
            f.write(envelope.original_content or envelope.content)
        os.replace(path + ".tmp", path)
        return "250 Message accepted"

def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--maildir", required=True)
    p.add_argument("--cert")
    p.add_argument("--key")
    p.add_argument("--auth")
    a = p.parse_args()
    os.makedirs(a.maildir, exist_ok=True)
    kwargs = {}
    if a.cert:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(a.cert, a.key)
        kwargs.update(tls_context=ctx, require_starttls=True)
    if a.auth:
        user, password = a.auth.split(":", 1)
        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = isinstance(auth_data, LoginPassword) and auth_data.login.decode() == user and auth_data.password.decode() == password
            return AuthResult(success=ok, handled=False)  # handled=False: aiosmtpd answers 535 itself
        kwargs.update(authenticator=authenticator, auth_required=True, auth_require_tls=bool(a.cert))
    controller = Controller(Sink(a.maildir), hostname="127.0.0.1", port=a.port, **kwargs)
    controller.start()
    print(f"smtp sink on 127.0.0.1:{a.port} tls={bool(a.cert)} auth={bool(a.auth)}", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    controller.stop()

if __name__ == "__main__":
    main()
