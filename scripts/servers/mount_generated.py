#!/usr/bin/env python3
"""Mounts a generated extension service into `stepup serve --demo` and calls its guarded route: no EDV rule names its
audit action, so the bank's default (`EdvDefaultDecision`, require MFA) refuses the call until bob passes MFA with an
emailed code from the dev outbox, and then it answers."""
import argparse, http.cookiejar, json, os, secrets, socket, subprocess, sys, tempfile, time, urllib.error, urllib.request


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait(url, process, log):
    for _ in range(300):
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except Exception:
            if process.poll() is not None:
                sys.exit(f"exited early:\n{open(log).read()}")
            time.sleep(0.1)
    sys.exit(f"{url} did not answer")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--stepup", required=True)
    parser.add_argument("--service", required=True)
    parser.add_argument("--name", required=True)
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="stepup-mount-")
    key = secrets.token_hex(32)
    platform_port, service_port = free_port(), free_port()
    base = f"http://127.0.0.1:{platform_port}"
    service_log, serve_log = os.path.join(work, "service.log"), os.path.join(work, "serve.log")
    service = subprocess.Popen([args.service], env={**os.environ, "STEPUP_EXTENSION_KEY": key, "STEPUP_PLATFORM_URL": base,
                                                   "PORT": str(service_port)}, stdout=open(service_log, "w"), stderr=subprocess.STDOUT)
    variable = "STEPUP_EXTENSION_KEY_" + args.name.upper().replace("-", "_")
    database = os.path.join(work, "bank.sqlite")
    serve = subprocess.Popen([args.stepup, "serve", "--demo", "--database", database, "--port", str(platform_port),
                              "--extension", f"{args.name}=http://127.0.0.1:{service_port}"],
                             env={**os.environ, variable: key}, stdout=open(serve_log, "w"), stderr=subprocess.STDOUT)
    try:
        wait(f"http://127.0.0.1:{service_port}/health", service, service_log)
        wait(base + "/health", serve, serve_log)
        # No rule is loaded: on a stock demo bank nothing names the route's audit action, and the guard fails closed.

        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))

        def call(path, body=None, csrf=None, headers=None):
            data = None if body is None else json.dumps(body).encode()
            all_headers = {"Content-Type": "application/json", **({"X-CSRF-Token": csrf} if csrf else {}), **(headers or {})}
            try:
                with opener.open(urllib.request.Request(base + path, data=data, headers=all_headers), timeout=10) as answer:
                    return answer.status, json.loads(answer.read() or b"{}")
            except urllib.error.HTTPError as error:
                return error.code, json.loads(error.read() or b"{}")

        status, logon = call("/api/logon", {"username": "bob", "password": "demo-bob-pw"})
        assert status == 200, logon
        csrf = logon["csrfToken"]
        status, refused = call(f"/ext/{args.name}/confirm", {"note": "hello"}, csrf)
        assert status == 401 and refused["error"]["code"] == "mfa_required", (status, refused)
        challenge = refused["error"]["challengeId"]
        status, targets = call(f"/api/mfa/challenges/{challenge}/targets")
        status, sent = call(f"/api/mfa/challenges/{challenge}/send", {"targetId": targets["targets"][0]["id"]}, csrf)
        assert status == 200, sent
        code = json.load(urllib.request.urlopen(base + "/dev/outbox"))["messages"][0]["code"]
        status, verified = call(f"/api/mfa/challenges/{challenge}/verify-code", {"code": code}, csrf)
        assert status == 200, verified
        status, answer = call(f"/ext/{args.name}/confirm", {"note": "hello"}, verified["csrfToken"], {"X-Stepup-Challenge": challenge})
        assert status == 200 and answer.get("confirmed") == "hello", (status, answer)
        print(f"mounted {args.name}: its guarded route answered mfa_required, then, after MFA, {answer}")
    finally:
        for process in (serve, service):
            process.terminate()
            process.wait(10)
        if os.environ.get("STEPUP_LOG_DIR"):
            for log, name in ((serve_log, "mount-serve.log"), (service_log, "mount-service.log")):
                os.replace(log, os.path.join(os.environ["STEPUP_LOG_DIR"], name))


if __name__ == "__main__":
    main()
