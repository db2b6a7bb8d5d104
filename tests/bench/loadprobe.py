#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Load probe for make bench: is the CPU free right now?

Before each run (a QEMU migration, a kmig migration, a scan) make bench
times a fixed CPU-bound loop (PROBE_ITERS iterations of integer
arithmetic, about 25 ms on the reference machine) and compares the time
with the fastest probe of the session (kept in a state file, so that the
separate processes of one make bench share it). A probe more than
BUSY_RATIO times slower than the best says the CPU is busy (another
process is running, or the clock is down): wait WAIT_S seconds and probe
again, up to RETRIES times; then run anyway, flagged busy. The waits of
one state file are capped at KMIG_BENCH_WAIT_BUDGET_S seconds in all
(default 180), so that a machine that stays busy still finishes.

The record of each run: probe time and ratio to the best, the share of
the probe's wall time it had the CPU (process time / wall time), the
retries and seconds waited, busy, and /proc/loadavg when the probe runs
natively (inside UML /proc is UML's own: only the probe counts there).

As a module (bench-uml.py, qemu-anchor.py):

    p = loadprobe.Probe(state_path, env="native")   # or env="uml"
    rec = p.before("label")                         # dict, JSON-ready

As a command (scripts/bench.sh, around memscan):

    loadprobe.py --state FILE [--env native|uml] [--label L] [-- CMD ARGS...]

prints the record; with CMD, runs CMD after the probe and prints CMD's
stdout (a JSON object) with the record added under "probe". Exit status:
CMD's. Python 3 standard library only.
"""

import argparse
import json
import os
import subprocess
import sys
import time

PROBE_ITERS = 250000
BUSY_RATIO = 1.3
WAIT_S = 3.0
RETRIES = 3
CALIBRATION_PROBES = 5


def _work(n):
    x = 0
    for i in range(n):
        x = (x * 31 + i) & 0xffffffff
    return x


def probe_once():
    """(wall seconds, process seconds) of one probe loop."""
    t0 = time.perf_counter()
    c0 = time.process_time()
    _work(PROBE_ITERS)
    return time.perf_counter() - t0, time.process_time() - c0


def loadavg():
    try:
        with open("/proc/loadavg") as f:
            return [float(x) for x in f.read().split()[:3]]
    except (OSError, ValueError):
        return None


class Probe:
    def __init__(self, state_path=None, env="native", wait_s=None,
                 retries=None, budget_s=None):
        self.state_path = state_path
        self.env = env
        self.wait_s = WAIT_S if wait_s is None else wait_s
        self.retries = RETRIES if retries is None else retries
        if budget_s is None:
            budget_s = float(os.environ.get("KMIG_BENCH_WAIT_BUDGET_S", 180))
        self.budget_s = budget_s
        self.state = {"best_s": None, "waited_s": 0.0, "probes": 0}
        if state_path:
            try:
                with open(state_path) as f:
                    s = json.load(f)
                if isinstance(s, dict):
                    self.state.update(s)
            except (OSError, ValueError):
                pass
        if not self.state.get("best_s"):
            # The session's first probes: the best of a few, so that one
            # slow first probe does not make every later one look fast.
            best = min(probe_once()[0] for _ in range(CALIBRATION_PROBES))
            self.state["best_s"] = best
            self.state["probes"] += CALIBRATION_PROBES
            self._save()

    def _save(self):
        if not self.state_path:
            return
        tmp = self.state_path + ".tmp"
        with open(tmp, "w") as f:
            json.dump(self.state, f)
        os.replace(tmp, self.state_path)

    def before(self, label="", wait=True):
        """Probe (and, unless wait is False, wait while busy)."""
        retries, waited = 0, 0.0
        while True:
            wall, cpu = probe_once()
            self.state["probes"] += 1
            if wall < self.state["best_s"]:
                self.state["best_s"] = wall
            ratio = wall / self.state["best_s"]
            budget_left = self.budget_s - self.state["waited_s"]
            if (ratio <= BUSY_RATIO or retries >= self.retries
                    or budget_left < self.wait_s or not wait):
                break
            time.sleep(self.wait_s)
            retries += 1
            waited += self.wait_s
            self.state["waited_s"] += self.wait_s
        self._save()
        return {"label": label, "env": self.env,
                "probe_ms": round(wall * 1e3, 2),
                "best_ms": round(self.state["best_s"] * 1e3, 2),
                "probe_ratio": round(ratio, 3),
                "cpu_share": round(min(cpu / wall, 1.0), 3) if wall else None,
                "retries": retries, "waited_s": waited,
                "busy": ratio > BUSY_RATIO,
                "loadavg": loadavg() if self.env == "native" else None}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--state", help="session state file (best probe)")
    ap.add_argument("--env", default="native", choices=("native", "uml"))
    ap.add_argument("--label", default="")
    ap.add_argument("cmd", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    cmd = a.cmd[1:] if a.cmd[:1] == ["--"] else a.cmd
    rec = Probe(a.state, a.env).before(a.label)
    if rec["retries"] or rec["busy"]:
        print("[loadprobe] %s: probe %.2fx the best after %d retr%s%s" % (
            a.label, rec["probe_ratio"], rec["retries"],
            "y" if rec["retries"] == 1 else "ies",
            ", running flagged busy" if rec["busy"] else ""),
            file=sys.stderr, flush=True)
    if not cmd:
        json.dump(rec, sys.stdout)
        sys.stdout.write("\n")
        return 0
    r = subprocess.run(cmd, stdout=subprocess.PIPE, text=True)
    try:
        out = json.loads(r.stdout)
    except ValueError:
        out = None
    if not isinstance(out, dict):
        out = {"error": "no JSON object from %s (exit status %d)"
               % (cmd[0], r.returncode), "stdout": r.stdout[-2000:]}
    out["probe"] = rec
    json.dump(out, sys.stdout)
    sys.stdout.write("\n")
    return r.returncode


if __name__ == "__main__":
    sys.exit(main())
