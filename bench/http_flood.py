#!/usr/bin/env python3
"""Connection exhaustion against `clv serve` (issue 13, item 17).

Starts `clv serve` (default options, a bearer token), then keeps IDLE idle
connections and TRICKLE trickling ones (one header byte every 100 ms) open,
reopening each as soon as the server closes it, while a client measures the
latency of GET /v1/health and of an authenticated GET /v1/runs, each on a
fresh connection, for DURATION seconds.

  bench/http_flood.py [path/to/clv]   env: IDLE (1000), TRICKLE (100), DURATION (10),
                                           SAME_ADDRESS=1 (flood from the checker's own address),
                                           TIMEOUT (10: a measured request's limit, then a failure)

By default the flood comes from 127.0.0.2-5 (idle) and 127.0.0.6 (trickling),
the checker from 127.0.0.1; with SAME_ADDRESS=1 everything is 127.0.0.1, so
the per-address cap (256) closes the flood's oldest connections.
"""
import os
import resource
import selectors
import socket
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CLV = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build/release/cli/clv")
IDLE = int(os.environ.get("IDLE", 1000))
TRICKLE = int(os.environ.get("TRICKLE", 100))
DURATION = float(os.environ.get("DURATION", 10))
SAME = os.environ.get("SAME_ADDRESS") == "1"
TOKEN = "flood-bench-token-0123456789"
TIMEOUT = float(os.environ.get("TIMEOUT", 10))  # seconds a measured request may take

soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def connect(port, source):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind((source, 0))
    s.connect(("127.0.0.1", port))
    s.setblocking(False)
    return s


def request(port, text):
    """Seconds until the whole answer to `text` (Connection: close), and its status line."""
    start = time.perf_counter()
    reply = b""
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
        s.sendall(text.encode())
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            reply += chunk
        s.close()
    except OSError:  # timed out or refused: counted as a failure, at its time
        pass
    return time.perf_counter() - start, reply.split(b"\r\n", 1)[0].decode()


class Flood:
    """Idle and trickling connections, reopened whenever the server closes one."""

    SLOW = b"GET /v1/health HTTP/1.1\r\nHost: x\r\nX-Slow: "

    def __init__(self, port):
        self.port, self.stop, self.reopened = port, False, 0
        self.selector = selectors.DefaultSelector()
        self.sockets = {}  # socket -> (kind, index, bytes sent)
        for i in range(IDLE):
            self.open("idle", i)
        for i in range(TRICKLE):
            self.open("trickle", i)

    def source(self, kind, i):
        if SAME:
            return "127.0.0.1"
        return f"127.0.0.{2 + i % 4}" if kind == "idle" else "127.0.0.6"

    def open(self, kind, i):
        s = connect(self.port, self.source(kind, i))
        self.sockets[s] = [kind, i, 0]
        self.selector.register(s, selectors.EVENT_READ)

    def run(self):
        next_byte = time.monotonic()
        while not self.stop:
            for key, _ in self.selector.select(timeout=0.01):
                s = key.fileobj
                try:
                    data = s.recv(4096)
                except OSError:
                    data = b""
                if not data:  # closed by the server: open another in its place
                    kind, i, _ = self.sockets.pop(s)
                    self.selector.unregister(s)
                    s.close()
                    self.open(kind, i)
                    self.reopened += 1
            if time.monotonic() >= next_byte:
                next_byte += 0.1
                for s, state in self.sockets.items():
                    if state[0] == "trickle":
                        b = self.SLOW[state[2]:state[2] + 1] or b"a"
                        try:
                            s.send(b)
                        except OSError:
                            pass
                        state[2] += 1

    def open_now(self):
        return len(self.sockets)


def percentiles(values):
    v = sorted(values)
    pick = lambda q: v[min(len(v) - 1, int(q * len(v)))] * 1000
    return f"p50 {pick(0.5):.2f} ms, p99 {pick(0.99):.2f} ms, max {v[-1] * 1000:.2f} ms (n={len(v)})"


def main():
    work = tempfile.mkdtemp()
    env = dict(os.environ, CLV_SERVE_TOKEN=TOKEN)
    server = subprocess.Popen([CLV, "serve", "--db", os.path.join(work, "flood.db"), "--port", "0"],
                              stdout=subprocess.PIPE, env=env, text=True)
    try:
        line = server.stdout.readline()
        port = int(line.rsplit(":", 1)[1].split()[0])
        health = "GET /v1/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        runs = (f"GET /v1/runs HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {TOKEN}\r\n"
                "Connection: close\r\n\r\n")
        quiet = [request(port, health)[0] for _ in range(50)]
        flood = Flood(port)
        thread = threading.Thread(target=flood.run)
        thread.start()
        time.sleep(1.0)
        times = {"health": [], "runs": []}
        failures, open_samples = 0, []
        end = time.monotonic() + DURATION
        while time.monotonic() < end:
            for name, text in (("health", health), ("runs", runs)):
                seconds, status = request(port, text)
                failures += not status.startswith("HTTP/1.1 200")
                times[name].append(seconds)
            open_samples.append(flood.open_now())
            time.sleep(0.02)
        flood.stop = True
        thread.join()
        where = "one address (127.0.0.1)" if SAME else "other addresses than the checker's"
        print(f"flood: {IDLE} idle + {TRICKLE} trickling connections from {where}, "
              f"reopened {flood.reopened} times in {DURATION:.0f} s")
        print(f"quiet  /v1/health: {percentiles(quiet)}")
        print(f"flood  /v1/health: {percentiles(times['health'])}")
        print(f"flood  /v1/runs (authenticated): {percentiles(times['runs'])}")
        print(f"non-200 answers: {failures}; flood connections open (client side): "
              f"min {min(open_samples)}, max {max(open_samples)}")
        with open(f"/proc/{server.pid}/status") as status:
            rss = next(l for l in status if l.startswith("VmRSS")).split()[1]
        print(f"server RSS {int(rss) / 1024:.1f} MB; load average {os.getloadavg()[0]:.2f}; "
              f"{os.cpu_count()} cores")
    finally:
        server.terminate()
        server.wait()


main()
