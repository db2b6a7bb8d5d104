# SPDX-License-Identifier: GPL-2.0
"""The postcopy step of make bench, run inside UML by bench-uml.py.

A guest of the example VMM (tools/example-vmm/kmig-vmm) whose writers
dirty memory faster than the bandwidth limit lets a migration send it,
in two configurations, one run each per round:

  precopy   precopy only, switchover forced after --pc-max-passes passes
            (--max-passes N --no-convergence switchover): did it
            converge (the expected downtime within --pc-downtime-limit-ms
            before the pass limit), after how long, and the downtime of
            the forced switchover
  postcopy  postcopy after one pass (--postcopy --postcopy-after 1), the
            destination's writers running from postcopy-active on (kmig-vmm
            dest --postcopy --writers): downtime, total time, the faults on
            missing pages and their latency, pages requested and pushed

The guest RAM (--pc-size-gib) is populated with zeros in the kernel
(kmig-vmm --prealloc, KMIG_IOC_PREALLOC: a UML user fault per page would
cost ~70 s per GiB), --pc-random-mib of it written with random data from
userspace (kmig-vmm --fill-random); neither VMM hashes the RAM
(--no-hash: reading it would fault every page in). The writers of both
sides write to the first --pc-hot-pct percent of the pages (pattern
hot:PCT), the source's at --pc-rate pages/s, the destination's at
--pc-dst-rate.

The figures come from the source's and the destination's completed
events (migctl monitor --json, all of the status attributes) and from
the source VMM's lines, timestamped here as they arrive.
"""
import json
import os
import re
import subprocess
import time

PAGE = 4096
CONFIGS = ("precopy", "postcopy")


class Monitor:
    """migctl --json monitor in the background, its lines in a file."""

    def __init__(self, migctl, path):
        self.path = path
        self.f = open(path, "w")
        self.p = subprocess.Popen([migctl, "--json", "monitor"], stdout=self.f,
                                  stderr=subprocess.DEVNULL)
        self.start = 0
        # Subscribed within milliseconds; the events read here come
        # seconds later (the completed ones).
        time.sleep(0.5)

    def mark(self):
        """Where the next run's events begin: region ids are reused once
        a region is closed, so each run reads only what came after."""
        self.f.flush()
        try:
            with open(self.path) as f:
                self.start = len(f.readlines())
        except OSError:
            self.start = 0

    def events(self, region):
        out = []
        try:
            with open(self.path) as f:
                for i, line in enumerate(f):
                    if i < self.start:
                        continue
                    try:
                        d = json.loads(line)
                    except ValueError:
                        continue
                    if d.get("region_id") == region:
                        out.append(d)
        except OSError:
            pass
        return out

    def last(self, region, event):
        ev = [d for d in self.events(region) if d.get("event") == event]
        return ev[-1] if ev else None

    def wait(self, region, events, timeout):
        t_end = time.monotonic() + timeout
        while time.monotonic() < t_end:
            for d in self.events(region):
                if d.get("event") in events:
                    return d
            time.sleep(0.1)
        return None

    def stop(self):
        self.p.terminate()
        self.p.wait()
        self.f.close()


def latency(st):
    """The destination's postcopy_latency nest (migctl status JSON), or
    None while migctl does not print it."""
    lat = st.get("postcopy_latency") if st else None
    if isinstance(lat, list):
        lat = lat[0] if lat else None
    if not isinstance(lat, dict):
        return None
    return {k: lat.get(k) for k in ("count", "last_ns", "mean_ns", "p50_ns",
                                    "p99_ns", "max_ns") if k in lat}


SRC_KEYS = ("time_ns", "setup_ns", "downtime_ns", "passes", "pages_total",
            "pages_done", "zero_pages", "normal_pages", "bytes",
            "dirty_syncs", "postcopy", "postcopy_requests",
            "postcopy_requested_pages", "postcopy_served_pages",
            "postcopy_pushed_pages")
DST_KEYS = ("time_ns", "passes", "pages_done", "zero_pages", "normal_pages",
            "bytes", "postcopy_requests", "postcopy_requested_pages",
            "postcopy_served_pages", "postcopy_pushed_pages",
            "postcopy_missing_pages", "postcopy_faults",
            "postcopy_discarded_pages")


def run_one(A, log, probe, mon, config):
    size_mb = A.pc_size_gib * 1024
    hot = "hot:%d" % A.pc_hot_pct
    dlog = os.path.join("/tmp", "bench-pc-dst.log")
    dcmd = [A.vmm, "dest", "--size", str(size_mb), "--port", "0", "--addr",
            "127.0.0.1", "--channels", str(A.pc_channels), "--key-file",
            A.key_file, "--no-hash"]
    if config == "postcopy":
        dcmd += ["--postcopy", "--writers", str(A.pc_dst_writers), "--rate",
                 str(A.pc_dst_rate), "--pattern", hot, "--seed", "23"]
    scmd = [A.vmm, "source", "--size", str(size_mb), "--prealloc",
            "--fill-random", str(A.pc_random_mib * 256), "--seed", "19",
            "--channels", str(A.pc_channels), "--writers",
            str(A.pc_writers), "--rate", str(A.pc_rate), "--pattern", hot,
            "--max-bandwidth", str(A.pc_bw_mib << 20), "--downtime-limit",
            str(A.pc_downtime_limit_ms), "--no-hash", "--exit",
            "--key-file", A.key_file]
    if config == "precopy":
        scmd += ["--max-passes", str(A.pc_max_passes), "--no-convergence",
                 "switchover"]
    else:
        scmd += ["--postcopy", "--postcopy-after", "1"]
    run = {"config": config, "size_bytes": size_mb << 20,
           "random_bytes": A.pc_random_mib << 20, "hot_pct": A.pc_hot_pct,
           "rate": A.pc_rate, "writers": A.pc_writers,
           "max_bandwidth": A.pc_bw_mib << 20,
           "downtime_limit_ms": A.pc_downtime_limit_ms,
           "channels": A.pc_channels,
           "max_passes": A.pc_max_passes if config == "precopy" else None,
           "dst_writers": A.pc_dst_writers if config == "postcopy" else 0,
           "dst_rate": A.pc_dst_rate if config == "postcopy" else 0}
    t_start = time.monotonic()
    mon.mark()
    with open(dlog, "w") as f:
        d = subprocess.Popen(dcmd, stdout=f, stderr=subprocess.STDOUT)
    port = did = None
    for _ in range(600):
        txt = open(dlog).read()
        m = re.search(r"^port (\d+)", txt, re.M)
        i = re.search(r"^id (\d+)", txt, re.M)
        if m and i:
            port, did = int(m.group(1)), int(i.group(1))
            break
        if d.poll() is not None:
            break
        time.sleep(0.1)
    if port is None:
        d.kill()
        d.wait()
        raise RuntimeError("postcopy %s: destination did not listen: %s" %
                           (config, open(dlog).read()[-500:]))
    pr = probe("postcopy %s" % config)
    run["probe"] = pr
    src = subprocess.Popen(scmd + ["--to", "127.0.0.1:%d" % port],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True)
    lines = []
    t0 = None
    sid = None
    timeout = False
    for line in src.stdout:
        t = time.monotonic()
        lines.append((t, line.rstrip("\n")))
        if sid is None:
            m = re.match(r"id (\d+)", line)
            if m:
                sid = int(m.group(1))
        if t0 is None and line.startswith(("event ", "status ")):
            t0 = t
        if t - t_start > A.pc_timeout:
            timeout = True
            src.kill()
            break
    src.wait()
    try:
        d.wait(timeout=max(5, A.pc_timeout - (time.monotonic() - t_start)))
    except subprocess.TimeoutExpired:
        timeout = True
        d.kill()
        d.wait()
    run["wall_s"] = round(time.monotonic() - t_start, 2)
    run["src_exit"] = src.returncode
    run["dst_exit"] = d.returncode
    if timeout:
        run["error"] = "timeout after %d s" % A.pc_timeout
    t0 = t0 or t_start
    # The source VMM's account of the run.
    run["passes_seen"] = []
    for t, line in lines:
        m = re.match(r"# source region \d+: .* filled in ([\d.]+) ms", line)
        if m:
            run["fill_ms"] = float(m.group(1))
        # Events only: kmig-vmm reads the status when none came for 2 s
        # ("status pass-done ..."), which repeats the last pass.
        m = re.match(r"(event) (pass-done|switchover-ready) .*"
                     r"pass=(\d+) .*remaining-bytes=(\d+) "
                     r"expected-downtime-ms=([\d.]+)", line)
        if m and m.group(2) == "pass-done":
            run["passes_seen"].append({"pass": int(m.group(3)),
                                       "t_s": round(t - t0, 3),
                                       "remaining_bytes": int(m.group(4)),
                                       "expected_downtime_ms":
                                       float(m.group(5))})
        elif m and "ready_s" not in run:
            run["ready_s"] = round(t - t0, 3)
            run["ready_pass"] = int(m.group(3))
            run["ready_expected_downtime_ms"] = float(m.group(5))
            run["ready_remaining_bytes"] = int(m.group(4))
        m = re.match(r"summary result=(\S+) passes=(\d+) downtime-ms=([\d.]+) "
                     r"paused-ms=([\d.]+) writes=(\d+)", line)
        if m:
            run["result"] = m.group(1)
            run["paused_ms"] = float(m.group(4))
            run["src_writes"] = int(m.group(5))
    # Converged: switchover-ready with the expected downtime within the
    # limit (a forced one comes at the pass limit whatever the estimate).
    if config == "precopy" and "ready_s" in run:
        conv = run["ready_expected_downtime_ms"] <= A.pc_downtime_limit_ms
        run["converged"] = conv
        run["converge_s"] = run["ready_s"] if conv else None
    dtxt = open(dlog).read()
    m = re.search(r"^postcopy writes (\d+)", dtxt, re.M)
    if m:
        run["dst_writes"] = int(m.group(1))
    # The completed events (every status attribute).
    sst = mon.wait(sid, ("completed", "failed", "cancelled"), 10) \
        if sid is not None else None
    dst_st = mon.wait(did, ("completed", "failed", "cancelled"), 10)
    run["src_status"] = {k: sst.get(k) for k in SRC_KEYS if k in sst} \
        if sst else None
    run["dst_status"] = {k: dst_st.get(k) for k in DST_KEYS if k in dst_st} \
        if dst_st else None
    if dst_st:
        run["dst_status"]["postcopy_latency"] = latency(dst_st)
    ok = (sst and sst.get("event") == "completed" and dst_st and
          dst_st.get("event") == "completed" and not timeout)
    run["status"] = "completed" if ok else "failed"
    if not ok and "error" not in run:
        run["error"] = "source %s (exit %s), destination %s (exit %s): %s" % (
            sst.get("event") if sst else "?", src.returncode,
            dst_st.get("event") if dst_st else "?", d.returncode,
            ((sst or {}).get("reason") or (dst_st or {}).get("reason") or
             " | ".join(line for _, line in lines[-3:])))
    run["src_log_tail"] = [line for _, line in lines[-12:]]
    return run


def summary(run):
    s = run.get("src_status") or {}
    dd = run.get("dst_status") or {}
    lat = dd.get("postcopy_latency") or {}
    if run["config"] == "precopy":
        conv = ("converged after %.1f s" % run["converge_s"]
                if run.get("converged") else
                "not converged (forced after pass %s, expected downtime "
                "%.0f ms)" % (run.get("ready_pass"),
                              run.get("ready_expected_downtime_ms", 0)))
        return "%s, downtime %.1f ms, total %.2f s, %s passes" % (
            conv, (s.get("downtime_ns") or 0) / 1e6,
            (s.get("time_ns") or 0) / 1e9, s.get("passes"))
    return ("downtime %.1f ms, total %.2f s; faults %s, latency p50 %s p99 "
            "%s; requested %s pages, pushed %s, served %s, discarded %s" % (
                (s.get("downtime_ns") or 0) / 1e6,
                (s.get("time_ns") or 0) / 1e9, dd.get("postcopy_faults"),
                "%.0f us" % (lat["p50_ns"] / 1e3) if lat.get("p50_ns")
                is not None else "n/a",
                "%.0f us" % (lat["p99_ns"] / 1e3) if lat.get("p99_ns")
                is not None else "n/a",
                dd.get("postcopy_requested_pages"),
                s.get("postcopy_pushed_pages"),
                s.get("postcopy_served_pages"),
                dd.get("postcopy_discarded_pages")))


def bench_postcopy(A, res, log, probe):
    mon = Monitor(A.migctl, os.path.join("/tmp", "bench-pc-monitor.json"))
    try:
        # Odd rounds precopy first, even rounds postcopy first.
        order = CONFIGS if A.round % 2 else tuple(reversed(CONFIGS))
        for config in order:
            try:
                run = run_one(A, log, probe, mon, config)
            except Exception as e:  # one run lost, not the step
                run = {"config": config, "status": "failed",
                       "error": str(e)}
            res["postcopy"].append(run)
            if run["status"] == "completed":
                log("postcopy %s: %s" % (config, summary(run)))
            else:
                log("postcopy %s failed: %s" % (config, run.get("error")))
                res["errors"].append("postcopy %s: %s" % (config,
                                                          run.get("error")))
    finally:
        mon.stop()
