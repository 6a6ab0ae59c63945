#!/usr/bin/env python3
"""Embedding clv-engine from Python with ctypes only (standard library).

Run: CLV_LIB=build/release/core/libclv.so python3 examples/python_ctypes.py /tmp/crm.db
"""
import ctypes
import json
import os
import random
import sys


class Score(ctypes.Structure):
    _fields_ = [("frequency", ctypes.c_double), ("recency", ctypes.c_double),
                ("T", ctypes.c_double), ("monetary_value", ctypes.c_double),
                ("p_alive", ctypes.c_double), ("expected_purchases", ctypes.c_double),
                ("expected_spend", ctypes.c_double), ("clv", ctypes.c_double),
                ("has_clv", ctypes.c_int), ("run_id", ctypes.c_int64)]


class ClvError(Exception):
    pass


class Engine:
    def __init__(self, path, options=None, lib=os.environ.get("CLV_LIB", "libclv.so")):
        self.lib = ctypes.CDLL(lib)
        L = self.lib
        L.clv_version.restype = ctypes.c_char_p
        L.clv_last_error.restype = ctypes.c_char_p
        L.clv_status_name.restype = ctypes.c_char_p
        L.clv_engine_open.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.POINTER(ctypes.c_void_p)]
        L.clv_engine_close.argtypes = [ctypes.c_void_p]
        for name in ("clv_ingest_transactions", "clv_ingest_incidents", "clv_score_json"):
            getattr(L, name).argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.POINTER(ctypes.c_void_p)]
        L.clv_refit.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_void_p)]
        L.clv_score_customer.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.POINTER(Score)]
        L.clv_free.argtypes = [ctypes.c_void_p]
        self.handle = ctypes.c_void_p()
        self._check(L.clv_engine_open(path.encode(), json.dumps(options or {}).encode(),
                                      ctypes.byref(self.handle)))

    def _check(self, status):
        if status != 0:
            raise ClvError("%s: %s" % (self.lib.clv_status_name(status).decode(),
                                       self.lib.clv_last_error().decode()))

    def _call_json(self, fn, *args):
        out = ctypes.c_void_p()
        self._check(fn(self.handle, *args, ctypes.byref(out)))
        try:
            return json.loads(ctypes.string_at(out.value).decode())
        finally:
            self.lib.clv_free(out)

    def ingest_transactions(self, records):
        return self._call_json(self.lib.clv_ingest_transactions,
                               json.dumps({"transactions": records}).encode())

    def refit(self):
        return self._call_json(self.lib.clv_refit)

    def score(self, customer_id):
        s = Score()
        self._check(self.lib.clv_score_customer(self.handle, customer_id.encode(), ctypes.byref(s)))
        return s

    def close(self):
        if self.handle:
            self.lib.clv_engine_close(self.handle)
            self.handle = None


def main():
    engine = Engine(sys.argv[1] if len(sys.argv) > 1 else "crm.db")
    print("clv-engine", engine.lib.clv_version().decode())
    random.seed(1)
    records = []
    for c in range(1000):
        week, rate, drop = random.uniform(0, 20), random.gammavariate(0.8, 0.5) + 1e-6, random.betavariate(1, 3)
        mean_spend = random.gammavariate(3, 10)
        while week < 52:
            records.append({"customer_id": "c%d" % c, "timestamp": 1704067200 + int(week * 604800),
                            "amount": round(random.gammavariate(6, mean_spend / 6) + 1, 2)})
            if random.random() < drop:
                break
            week += random.expovariate(rate)
    print("ingest:", engine.ingest_transactions(records))
    run = engine.refit()
    print("run", run["id"], "params", run["count_fit"]["params"])
    s = engine.score("c7")
    print("c7: P(alive) %.3f, expected purchases %.2f, CLV %s" %
          (s.p_alive, s.expected_purchases, "%.2f" % s.clv if s.has_clv else "n/a"))
    try:
        engine.score("nobody")
    except ClvError as e:
        print("expected error:", e)
    engine.close()


if __name__ == "__main__":
    main()
