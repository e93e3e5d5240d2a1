#!/usr/bin/env python3
"""A webhook receiver as a bank's SMS/voice/push provider would run it, written from Stepup's documented scheme:

  X-Stepup-Timestamp: unix seconds      X-Stepup-Nonce: random, single use
  X-Stepup-Signature: v1=hex(HMAC-SHA256(secret, timestamp + "." + nonce + "." + body))

It refuses a bad signature (401), a stale timestamp (401), a replayed nonce (409); to "+15550000500" it answers 500.
Accepted messages are written as JSON files to --dir.
"""
import argparse, hashlib, hmac, itertools, json, os, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--secret", required=True)
    p.add_argument("--dir", required=True)
    a = p.parse_args()
    os.makedirs(a.dir, exist_ok=True)
    seen, lock, counter = set(), threading.Lock(), itertools.count(1)

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def answer(self, status, text):
            body = json.dumps({"status": text}).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            ts, nonce, sig = (self.headers.get(h, "") for h in ("X-Stepup-Timestamp", "X-Stepup-Nonce", "X-Stepup-Signature"))
            expected = "v1=" + hmac.new(a.secret.encode(), f"{ts}.{nonce}.".encode() + body, hashlib.sha256).hexdigest()
            if not hmac.compare_digest(expected, sig):
                return self.answer(401, "bad signature")
            if not ts.isdigit() or abs(time.time() - int(ts)) > 300:
                return self.answer(401, "stale")
            with lock:
                if nonce in seen:
                    return self.answer(409, "replayed")
                seen.add(nonce)
            message = json.loads(body)
            if message.get("to") == "+15550000500":
                return self.answer(500, "provider down")
            n = next(counter)
            path = os.path.join(a.dir, f"{n:05d}-{self.path.strip('/')}.json")
            with open(path + ".tmp", "w") as f:
                json.dump({"path": self.path, "message": message}, f)
            os.replace(path + ".tmp", path)
            self.answer(200, "accepted")

    server = ThreadingHTTPServer(("127.0.0.1", a.port), Handler)
    print(f"webhook receiver on 127.0.0.1:{a.port}", flush=True)
    server.serve_forever()

if __name__ == "__main__":
    main()
