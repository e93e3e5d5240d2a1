#!/usr/bin/env python3
"""Complete step-up flows against running `stepup serve --benchmark-routes --benchmark-users N` nodes, for
./scripts/bench: each client, with its own sessions, repeats

    POST /ext/bench/step          → 401 mfa_required, the challenge the guard opened
    POST …/send                   → a code through the outbox (no real delivery)
    GET  /dev/outbox?challenge=…  → the code
    POST …/verify-code            → a completion (committed with its audit events), the session rotated
    POST /ext/bench/step          → 200, the completion consumed

for a bounded time, spreading flows over the bench users (send caps are per user and target per hour). Prints one
JSON line: flows, flows/s, p50 and p99 latency of a whole flow in ms, and any unexpected answers."""
import argparse, http.client, json, sys, threading, time


class Client:
    def __init__(self, node, users):
        host, port = node.split("//")[1].split(":")
        self.connection = http.client.HTTPConnection(host, int(port), timeout=30)
        self.users = users
        self.sessions = {}  # username → [cookie, csrf, target id]

    def request(self, method, path, body=None, session=None, extra=None):
        headers = {"Content-Type": "application/json"}
        if session:
            headers["Cookie"] = "stepup_session=" + session[0]
            headers["X-CSRF-Token"] = session[1]
        headers.update(extra or {})
        for attempt in (0, 1):
            try:
                self.connection.request(method, path, None if body is None else json.dumps(body), headers)
                response = self.connection.getresponse()
                data = response.read()
                break
            except (http.client.HTTPException, ConnectionError):
                self.connection.close()
                if attempt:
                    raise
        if session:
            for name, value in response.getheaders():
                if name.lower() == "set-cookie" and value.startswith("stepup_session="):
                    session[0] = value.split(";")[0].split("=", 1)[1]
        return response.status, (json.loads(data) if data and data[:1] in b"{[" else data)

    def session(self, user):
        if user not in self.sessions:
            session = ["", ""]
            # Many clients signing in at once from one address hold the per-address throttle's slots while bcrypt
            # runs (a right password gives its slot back): a sign-in refused so is tried again, as a person would.
            for _ in range(50):
                status, answer = self.request("POST", "/api/logon", {"username": user, "password": "bench-pw"}, session)
                if status != 429:
                    break
                time.sleep(0.05)
            assert status == 200, answer
            session[1] = answer["csrfToken"]
            session.append(None)
            self.sessions[user] = session
        return self.sessions[user]

    def flow(self, user):
        session = self.session(user)
        status, refused = self.request("POST", "/ext/bench/step", {}, session)
        if status != 401:
            return f"step {status}"
        challenge = refused["error"]["challengeId"]
        if session[2] is None:
            status, targets = self.request("GET", f"/api/mfa/challenges/{challenge}/targets", None, session)
            session[2] = targets["targets"][0]["id"]
        status, sent = self.request("POST", f"/api/mfa/challenges/{challenge}/send", {"targetId": session[2]}, session)
        if status != 200:
            return f"send {status} {sent}"
        status, outbox = self.request("GET", f"/dev/outbox?challenge={challenge}")
        code = outbox["messages"][0]["code"]
        status, verified = self.request("POST", f"/api/mfa/challenges/{challenge}/verify-code", {"code": code}, session)
        if status != 200:
            return f"verify {status} {verified}"
        session[1] = verified["csrfToken"]
        status, answer = self.request("POST", "/ext/bench/step", {}, session, {"X-Stepup-Challenge": challenge})
        return None if status == 200 else f"retry {status} {answer}"


def machine_jiffies():
    """(busy, total) jiffies of all cores, from /proc/stat."""
    fields = [int(x) for x in open("/proc/stat").readline().split()[1:]]
    idle = fields[3] + fields[4]
    return sum(fields) - idle, sum(fields)


def process_jiffies(pid):
    """utime + stime of one process, in jiffies (10 ms)."""
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def server_jiffies(pids):
    return sum(process_jiffies(pid) for pid in pids)


def own_jiffies():
    return process_jiffies("self")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--node", action="append", required=True, help="a node's base URL (repeat for several)")
    parser.add_argument("--clients", type=int, default=1)
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--server-pid", type=int, action="append", default=[], help="a node's pid, for its CPU time")
    args = parser.parse_args()
    latencies, errors, lock = [], [], threading.Lock()
    deadline = [0.0]
    ready = threading.Barrier(args.clients + 1)

    def run(index):
        users = [f"bench-{u}" for u in range(index, args.users, args.clients)]
        client = Client(args.node[index % len(args.node)], users)
        for user in users[:4]:
            client.session(user)  # log in before the clock starts
        ready.wait()
        turn = 0
        while time.perf_counter() < deadline[0]:
            user = users[turn % len(users)]
            turn += 1
            started = time.perf_counter()
            try:
                problem = client.flow(user)
            except Exception as error:  # a dropped connection is a failed flow, not a crash of the benchmark
                problem = f"{type(error).__name__}: {error}"
            elapsed = time.perf_counter() - started
            with lock:
                if problem:
                    errors.append(problem)
                else:
                    latencies.append(elapsed)

    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(args.clients)]
    for thread in threads:
        thread.start()
    deadline[0] = time.perf_counter() + 3600
    ready.wait()
    machine_before, server_before, own_before = machine_jiffies(), server_jiffies(args.server_pid), own_jiffies()
    start = time.perf_counter()
    deadline[0] = start + args.seconds
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - start
    machine_after, server_after, own_after = machine_jiffies(), server_jiffies(args.server_pid), own_jiffies()
    latencies.sort()

    def percentile(p):
        return round(latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000, 1) if latencies else None

    print(json.dumps({
        "clients": args.clients, "nodes": len(args.node), "flows": len(latencies), "seconds": round(wall, 2),
        "flows_per_second": round(len(latencies) / wall, 1), "p50_ms": percentile(0.5), "p99_ms": percentile(0.99),
        "errors": len(errors), "first_errors": errors[:3],
        # Where the two cores went: busy share of the machine, and the servers' and these clients' CPU per flow.
        "machine_busy": round((machine_after[0] - machine_before[0]) / max(1, machine_after[1] - machine_before[1]), 2),
        "server_cpu_ms_per_flow": round((server_after - server_before) * 10 / len(latencies), 2) if latencies and args.server_pid else None,
        "client_cpu_ms_per_flow": round((own_after - own_before) * 10 / len(latencies), 2) if latencies else None,
    }))
    sys.exit(1 if errors and not latencies else 0)


if __name__ == "__main__":
    main()
