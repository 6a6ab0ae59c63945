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
        for name in ("clv_ingest_transactions", "clv_ingest_incidents", "clv_score_json",
                     "clv_churn_drivers_json", "clv_whatif_json"):
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

    def whatif(self, request):
        return self._call_json(self.lib.clv_whatif_json, json.dumps(request).encode())

    def churn_drivers(self, customer_id):
        return self._call_json(self.lib.clv_churn_drivers_json, customer_id.encode())

    def close(self):
        if self.handle:
            self.lib.clv_engine_close(self.handle)
            self.handle = None


def main():
    engine = Engine(sys.argv[1] if len(sys.argv) > 1 else "crm.db")
    print("clv-engine", engine.lib.clv_version().decode())
    # BG/NBD buyers: purchase rates ~ Gamma(r=0.8, alpha=2 per week), dropout
    # after each repeat purchase with p ~ Beta(a=1, b=3).
    random.seed(1)
    records = []
    for c in range(3000):
        week, rate, drop = random.uniform(0, 20), random.gammavariate(0.8, 0.5) + 1e-6, random.betavariate(1, 3)
        mean_spend = random.gammavariate(3, 10)
        first = True
        while week < 52:
            records.append({"customer_id": "c%d" % c, "timestamp": 1704067200 + int(week * 604800),
                            "amount": round(random.gammavariate(6, mean_spend / 6) + 1, 2)})
            # BG/NBD: dropout may follow each repeat purchase, not the first.
            if not first and random.random() < drop:
                break
            first = False
            week += random.expovariate(rate)
    print("ingest:", engine.ingest_transactions(records))
    run = engine.refit()
    fit = run["count_fit"]
    print("run", run["id"], "params", {k: round(v, 3) for k, v in fit["params"].items()})
    # The fit recovers the simulation (within 3 standard errors).
    for name, truth in (("r", 0.8), ("alpha", 2.0), ("a", 1.0), ("b", 3.0)):
        estimate, error = fit["params"][name], fit["std_errors"][name]
        if abs(estimate - truth) > 3 * error:
            print("FAILED to recover %s: %.3f +- %.3f, truth %.3f" % (name, estimate, error, truth))
            sys.exit(1)
    print("recovered r, alpha, a, b within 3 standard errors")
    s = engine.score("c7")
    print("c7: P(alive) %.3f, expected purchases %.2f, CLV %s" %
          (s.p_alive, s.expected_purchases, "%.2f" % s.clv if s.has_clv else "n/a"))
    # What-if on the current run: cut everyone's dropout rate by 20%.
    result = engine.whatif({"scenario": [{"name": "retention offer", "target": "all",
                                          "retention_offer": {"hazard_ratio": 0.8}}],
                            "draws": 50, "seed": 3})
    delta = result["scenarios"][0]["total"]["delta_clv"]
    print("what-if retention offer: delta CLV %+.2f (90%% interval %+.2f .. %+.2f)" %
          (delta["estimate"], delta["lower"], delta["upper"]))
    for call in (lambda: engine.score("nobody"), lambda: engine.churn_drivers("c7")):
        try:
            call()
        except ClvError as e:
            print("expected error:", e)
    engine.close()


if __name__ == "__main__":
    main()
