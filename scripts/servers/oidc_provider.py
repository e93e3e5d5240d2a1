#!/usr/bin/env python3
"""A real OpenID provider for the tests: Glewlwyd (Debian's package) on 127.0.0.1, set up through its admin API.

Starts glewlwyd with a throwaway SQLite database, then creates the OIDC plugin (RS256 keys, PKCE and PAR allowed),
a confidential client (client_secret_basic and client_secret_post) and test users. When it is ready it writes a JSON
description (issuer, client, users) to --describe, and it keeps glewlwyd running until it is terminated.

Glewlwyd's quirks (see ../shared/STACK.md): a redirect_uri must be https or http://localhost…; the authorization
endpoint needs `g_continue` once the user's session exists; several errors answer 403 where the RFCs say 400/401.
"""
import argparse
import base64
import gzip
import hashlib
import http.cookiejar
import json
import os
import re
import secrets
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

from cryptography.hazmat.primitives.asymmetric import rsa

def configuration(port: int, folder: str) -> str:
    """Debian's own configuration with the port, the address, the log, the static login pages and the database ours
    (a configuration written from scratch trips glewlwyd's parser with a misleading TLS error)."""
    text = open("/etc/glewlwyd/glewlwyd.conf").read()
    text = re.sub(r"(?m)^port=.*$", f'port={port}\nbind_address="127.0.0.1"', text)
    text = re.sub(r"(?m)^external_url=.*$", f'external_url="http://127.0.0.1:{port}"', text)
    text = re.sub(r"(?m)^log_file=.*$", f'log_file="{folder}/glewlwyd.log"', text)
    text = re.sub(r"(?m)^# static_files_path=.*$", f'static_files_path="{folder}/webapp/"', text)
    text = re.sub(r"(?m)^session_expiration=.*$", "session_expiration=3600", text)
    text = re.sub(r"(?m)^@include.*$", f'database = {{\n  type = "sqlite3"\n  path = "{folder}/glewlwyd.db"\n}};', text)
    return text



def b64(n: int) -> str:
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def rsa_jwks(kid: str) -> tuple[dict, dict]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    p = key.private_numbers()
    public = {"kty": "RSA", "kid": kid, "alg": "RS256", "use": "sig", "n": b64(p.public_numbers.n), "e": b64(p.public_numbers.e)}
    private = dict(public, d=b64(p.d), p=b64(p.p), q=b64(p.q), dp=b64(p.dmp1), dq=b64(p.dmq1), qi=b64(p.iqmp))
    return {"keys": [private]}, {"keys": [public]}


class Admin:
    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def call(self, method: str, path: str, body=None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.base + path, data=data, method=method, headers={"Content-Type": "application/json"})
        try:
            with self.opener.open(request, timeout=10) as response:
                text = response.read().decode()
                return json.loads(text) if text else None
        except urllib.error.HTTPError as error:
            raise SystemExit(f"glewlwyd {method} {path}: {error.code} {error.read().decode()[:500]}")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def subject_of(base: str, client_secret: str, username: str, password: str, redirect_uris: list[str]) -> str:
    """The user's `sub` at this provider (Glewlwyd makes it up): one code flow with PKCE, as the relying party would."""
    redirect_uri = (redirect_uris or ["http://localhost/verify.html"])[0]
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), NoRedirect)
    json_headers = {"Content-Type": "application/json"}
    opener.open(urllib.request.Request(base + "/api/auth/", json.dumps({"username": username, "password": password}).encode(), json_headers), timeout=10)
    opener.open(urllib.request.Request(base + "/api/auth/grant/stepup-bank", json.dumps({"scope": "openid"}).encode(), json_headers, method="PUT"), timeout=10)
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    query = urllib.parse.urlencode({
        "response_type": "code", "client_id": "stepup-bank", "redirect_uri": redirect_uri, "scope": "openid",
        "state": "setup", "nonce": "setup", "code_challenge": challenge, "code_challenge_method": "S256"})
    try:
        opener.open(f"{base}/api/oidc/auth?{query}&g_continue", timeout=10)
        raise SystemExit("glewlwyd did not redirect")
    except urllib.error.HTTPError as redirect:
        location = redirect.headers.get("Location", "")
    code = urllib.parse.parse_qs(urllib.parse.urlparse(location).query)["code"][0]
    basic = base64.b64encode(f"stepup-bank:{client_secret}".encode()).decode()
    form = urllib.parse.urlencode({"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri, "code_verifier": verifier})
    with urllib.request.urlopen(urllib.request.Request(base + "/api/oidc/token", form.encode(), {"Authorization": "Basic " + basic}), timeout=10) as answer:
        id_token = json.load(answer)["id_token"]
    payload = id_token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))["sub"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--dir", required=True)
    parser.add_argument("--describe", required=True, help="where to write the provider's description when ready")
    parser.add_argument("--redirect-uri", action="append", default=[], help="a redirect URI the client may use")
    args = parser.parse_args()
    os.makedirs(args.dir, exist_ok=True)

    db = os.path.join(args.dir, "glewlwyd.db")
    with gzip.open("/usr/share/doc/glewlwyd/database/init.sqlite3.sql.gz", "rt") as schema:
        connection = sqlite3.connect(db)
        connection.executescript(schema.read())
        # The OpenID scope needs the password, and a login older than a minute does not count: Glewlwyd 2.7 reports
        # auth_time 0 in its ID tokens, so the freshness a bank needs is enforced here, at the provider.
        connection.execute("UPDATE g_scope SET gs_password_required = 1, gs_password_max_age = 60 WHERE gs_name = 'openid'")
        connection.commit()
        connection.close()
    # The login pages. Debian's webapp/config.json is a link to a folder that holds the real config.json, so the page
    # would wait for its configuration forever: serve a copy with the file in place.
    webapp = os.path.join(args.dir, "webapp")
    shutil.copytree("/usr/share/glewlwyd/webapp", webapp, ignore=shutil.ignore_patterns("config.json"))
    source = "/usr/share/glewlwyd/webapp/config.json"
    if os.path.isdir(source):
        source = os.path.join(source, "config.json")
    shutil.copyfile(source, os.path.join(webapp, "config.json"))
    config = os.path.join(args.dir, "glewlwyd.conf")
    with open(config, "w") as file:
        file.write(configuration(args.port, args.dir))

    process = subprocess.Popen(["glewlwyd", f"--config-file={config}"], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)

    def stop(*_):
        process.terminate()
        try:
            process.wait(5)
        except subprocess.TimeoutExpired:
            process.kill()
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    try:
        serve(process, args)
    finally:
        if process.poll() is None:
            process.terminate()


def serve(process: subprocess.Popen, args: argparse.Namespace) -> None:
    base = f"http://127.0.0.1:{args.port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(base + "/config", timeout=0.5).read()
            break
        except Exception:
            if process.poll() is not None:
                raise SystemExit(f"glewlwyd exited with {process.returncode}; see {args.dir}/glewlwyd.log")
            time.sleep(0.1)
    else:
        raise SystemExit("glewlwyd did not start")

    admin = Admin(base)
    admin.call("POST", "/api/auth/", {"username": "admin", "password": "password"})
    private, public = rsa_jwks("stepup-test-rs256")
    admin.call("POST", "/api/mod/plugin/", {
        "module": "oidc", "name": "oidc", "display_name": "OpenID Connect", "enabled": True,
        "parameters": {
            "iss": base + "/api/oidc", "jwt-type": "rsa", "jwt-key-size": "256", "jwks-private": json.dumps(private),
            "jwks-public": json.dumps(public), "jwks-show": True, "default-kid": "stepup-test-rs256",
            "access-token-duration": 300, "refresh-token-duration": 3600, "code-duration": 60, "refresh-token-rolling": False,
            "allow-non-oidc": False, "auth-type-code-enabled": True, "auth-type-code-revoke-replayed": True,
            "auth-type-token-enabled": False, "auth-type-id-token-enabled": False, "auth-type-none-enabled": False,
            "auth-type-password-enabled": False, "auth-type-client-enabled": False, "auth-type-refresh-enabled": False,
            "subject-type": "public", "scope": [], "claims": [], "service-documentation": "", "op-policy-uri": "",
            "op-tos-uri": "", "jwks-uri": "", "request-parameter-allow": True, "request-uri-allow-https-non-secure": False,
            "pkce-allowed": True, "pkce-method-plain-allowed": False,
            "oauth-par-allowed": True, "oauth-par-required": False, "oauth-par-duration": 90,
            "oauth-par-request_uri-prefix": "urn:ietf:params:oauth:request_uri:",
            "oauth-as-iss-id": True,
            "session-management-allowed": False, "introspection-revocation-allowed": False,
            "register-client-allowed": False,
        },
    })
    client_secret = secrets.token_urlsafe(32)
    admin.call("POST", "/api/client/", {
        "client_id": "stepup-bank", "name": "Stepup bank", "description": "Stepup's redirect-based external MFA",
        "enabled": True, "confidential": True, "client_secret": client_secret,
        "redirect_uri": args.redirect_uri or ["http://localhost/verify.html"],
        "authorization_type": ["code"], "token_endpoint_auth_method": ["client_secret_basic", "client_secret_post"],
        "scope": ["openid"],
    })
    users = {}
    for username in ("alice-idp", "mallory-idp"):
        password = "pw-" + secrets.token_urlsafe(12)
        admin.call("POST", "/api/user/", {
            "username": username, "name": username, "email": f"{username}@example.test", "enabled": True,
            "password": password, "scope": ["openid"],
        })
        users[username] = {"password": password, "sub": subject_of(base, client_secret, username, password, args.redirect_uri)}

    description = {
        "issuer": base + "/api/oidc", "base": base, "client_id": "stepup-bank", "client_secret": client_secret,
        "users": users, "redirect_uris": args.redirect_uri, "log": os.path.join(args.dir, "glewlwyd.log"),
    }
    temporary = args.describe + ".tmp"
    with open(temporary, "w") as file:
        json.dump(description, file)
    os.replace(temporary, args.describe)
    print(f"glewlwyd ready at {base}", flush=True)
    process.wait()


if __name__ == "__main__":
    main()
