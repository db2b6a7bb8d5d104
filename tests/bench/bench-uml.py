#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""kmig's side of make bench, run inside the non-debug UML kernel.

One round: loads kmig, measures every configuration once, writes the raw
figures to OUT/kmig-rR.json (R: --round) after every step. scripts/bench.sh
boots UML once per round; tests/bench/report.py merges the rounds.

Steps:
  tcp       the in-kernel TCP loopback throughput with the channels'
            page send/receive path (debugfs kmig/tcp_loopback), cycling
            through --tcp-pool-mib of pages on each side (cold, the
            practical limit of a migration) and through one batch (hot,
            cache); --tcp-mib MiB each
  zero      an N GiB region of zero pages (every page populated by
            KMIG_IOC_PREALLOC: user faults cost ~70 s per GiB in UML) and
            an untouched one, migrated over loopback with zero detection on
            the main thread (1 channel) and on 1, 2, 4 channel threads;
            then every zero-check implementation over the populated region
            (cold, one scan each)
  limits    the memory read limits inside UML, when the kernel and memscan
            have them (else recorded as missing): an in-kernel read of the
            zero region's pages (debugfs kmig/scan_limit) and a userspace
            scan of a mapped kmig region (memscan --kmig-region-mib M)
  zerocheck-hot  every implementation over a 256 KiB region, scanned
            --hot-reps times
  random    an M MiB region of random data (filled in the kernel by
            debugfs kmig/fill when it exists, else from userspace by
            kmig-systest region --random), 1, 2, 4 channels, into a new
            destination and into a preallocated one
  colo      kmig-vmm primary and secondary, C checkpoints at I ms, idle
            and under load (primary writers), 1 and 4 channels
  postcopy  a --pc-size-gib guest of kmig-vmm whose writers dirty faster
            than --pc-bw-mib MiB/s: precopy only with the switchover forced
            after --pc-max-passes passes, and postcopy after one pass with
            the destination's writers running (tests/bench/postcopy_uml.py)
  memory    metadata per GiB: page index (radix_tree_node slab growth
            while populating 1 GiB), bitmaps, COLO cache (round 1 only:
            scripts/bench.sh passes --skip memory in the others)
  profile   the per-page profile and the optimisations' before/after
            (tests/bench/profile_uml.py, debugfs kmig/profile and
            kmig/opt_off; round 1 only, like memory)

Before every run (a migration, a scan, a loopback run, a COLO session)
loadprobe.py probes the CPU and waits while it is busy; the record goes
with the run ("load"). The probe's best time is kept across rounds in
--probe-state (a file on the host, through hostfs).

Usage: bench-uml.py --ko KO --migctl MIGCTL --bin DIR --vmm VMM --out DIR
                    [--round R] [--size-gib N] [--random-mib M]
                    [--tcp-mib T] [--tcp-pool-mib P] [--hot-reps H]
                    [--limit-mib L] [--colo-checkpoints C]
                    [--colo-interval-ms I] [--only STEPS] [--skip STEPS]
                    [--profile-mib P] [--profile-reps N]
                    [--pc-size-gib G] [--pc-random-mib M] [--pc-hot-pct P]
                    [--pc-rate R] [--pc-bw-mib B] [--pc-max-passes N]
                    [--probe-state FILE]
Progress goes to stdout (the UML console).
"""
import argparse
import json
import os
import re
import subprocess
import sys
import time

import loadprobe
import postcopy_uml
import profile_uml

PAGE = 4096
A = None
PROBE = None
DEBUGFS = "/sys/kernel/debug/kmig"
HERE = os.path.dirname(os.path.abspath(__file__))


def log(msg):
    print("# bench: " + msg, flush=True)


def probe(label, wait=True):
    rec = PROBE.before(label, wait)
    if wait and (rec["retries"] or rec["busy"]):
        log("%s: CPU probe %.2fx the best, %d retr%s%s" % (
            label, rec["probe_ratio"], rec["retries"],
            "y" if rec["retries"] == 1 else "ies",
            ", running flagged busy" if rec["busy"] else ""))
    return rec
def sh(*cmd, check=True):
    r = subprocess.run(list(cmd), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True)
    if check and r.returncode:
        raise RuntimeError("%s: exit %d: %s" % (" ".join(cmd), r.returncode,
                                                r.stderr.strip()))
    return r.stdout


def migctl_json(*args, check=True):
    out = sh(A.migctl, "--json", *args, check=check)
    return json.loads(out) if out.strip() else None


class Region:
    """A kmig-systest region process (id on its first line)."""

    def __init__(self, size_mb, random=0, zero=0, seed=1, prealloc=0):
        cmd = [os.path.join(A.bin, "kmig-systest"), "region", "--size",
               str(size_mb)]
        if prealloc:
            cmd += ["--prealloc", str(prealloc)]
        if random:
            cmd += ["--random", str(random)]
        if zero:
            cmd += ["--zero", str(zero)]
        cmd += ["--seed", str(seed)]
        t0 = time.monotonic()
        self.p = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
        self.id = None
        for line in self.p.stdout:
            m = re.match(r"id (\d+)", line)
            if m:
                self.id = int(m.group(1))
                break
        if self.id is None:
            raise RuntimeError("region %s: no id" % cmd)
        self.fill_s = time.monotonic() - t0

    def stop(self):
        self.p.terminate()
        self.p.wait()


def debugfs_kv(name, arg):
    """Write arg to debugfs kmig/NAME, read back 'key value ...' pairs."""
    path = os.path.join(DEBUGFS, name)
    with open(path, "w") as f:
        f.write(arg)
    with open(path) as f:
        kv = f.read().split()
    d = {}
    for k, v in zip(kv[0::2], kv[1::2]):
        try:
            d[k] = int(v)
        except ValueError:
            d[k] = v
    return d


def migrate(src, dst, channels, mode, label=None, wait=True):
    lst = migctl_json("listen", "--region", str(dst.id), "--port", "0",
                      "--channels", str(channels), "--key-file", A.key_file)
    port = lst["port"]
    pr = probe(label or "migration %s/%d" % (mode, channels), wait)
    t0 = time.monotonic()
    st = migctl_json("start", "--region", str(src.id), "--to",
                     "127.0.0.1:%d" % port, "--channels", str(channels),
                     "--zero-page-detection", mode, "--key-file", A.key_file,
                     "--wait", "--interval", "20", check=False)
    wall = time.monotonic() - t0
    for _ in range(500):
        d = migctl_json("status", "--region", str(dst.id))
        if d["state"] in ("completed", "failed", "cancelled"):
            break
        time.sleep(0.02)
    if not st or st.get("state") != "completed" or d["state"] != "completed":
        raise RuntimeError("migration failed: %s / %s" % (st, d))
    return {"time_ns": st["time_ns"], "setup_ns": st.get("setup_ns", 0),
            "wire_bytes": st["bytes"], "pages": st["pages_done"],
            "zero_pages": st.get("zero_pages", 0),
            "normal_pages": st.get("normal_pages", 0),
            "wall_s": round(wall, 3), "probe": pr}


# The populated zero region of the zero step, kept for the limits step
# (the in-kernel read limit over the same pages), stopped there.
ZERO = {}


def zero_region():
    if "written" not in ZERO:
        size_mb = A.size_gib * 1024
        # Every page populated with zeros in the kernel (KMIG_IOC_PREALLOC,
        # as QEMU's -mem-prealloc): UML takes ~70 s per GiB of user faults.
        ZERO["written"] = Region(size_mb, prealloc=size_mb * 256, seed=3)
        log("zero written: %d GiB region populated in %.1f s" %
            (A.size_gib, ZERO["written"].fill_s))
    return ZERO["written"]


def stop_zero_region():
    r = ZERO.pop("written", None)
    if r:
        r.stop()


def bench_zero(res):
    size_mb = A.size_gib * 1024
    npages = size_mb * 256
    configs = [("main", 1), ("channel", 1), ("channel", 2), ("channel", 4)]
    for case in ("written", "untouched"):
        if case == "written":
            src = zero_region()
        else:
            src = Region(size_mb, seed=3)
        for mode, ch in configs:
            dst = Region(size_mb)
            try:
                r = migrate(src, dst, ch, mode,
                            "zero %s %s/%d" % (case, mode, ch))
            finally:
                dst.stop()
            r.update(case=case, mode=mode, channels=ch,
                     size_bytes=npages * PAGE)
            log("zero %s %s/%d: %.3f s" % (case, mode, ch, r["time_ns"] / 1e9))
            res["zero"].append(r)
        if case == "written":
            bench_zerocheck_cold(res, src)
        else:
            src.stop()


def scan(region, impl):
    r = migctl_json("scan", str(region.id), "--zero-check", impl)
    return r["time_ns"], r["pages"]


def bench_zerocheck_cold(res, region):
    for impl in A.impls:
        pr = probe("zero check %s cold" % impl)
        ns, pages = scan(region, impl)
        res["zerocheck"].append({"impl": impl, "case": "cold",
                                 "bytes": pages * PAGE, "time_ns": ns,
                                 "probe": pr})
        log("zero check %s cold: %.2f GiB/s" %
            (impl, pages * PAGE / ns * 1e9 / 2**30))


def bench_zerocheck_hot(res):
    region = Region(1, zero=64, seed=5)  # 1 MiB region, 64 pages (256 KiB)
    try:
        for impl in A.impls:
            pr = probe("zero check %s hot" % impl)
            total = 0
            nbytes = 0
            for _ in range(A.hot_reps):
                ns, pages = scan(region, impl)
                total += ns
                nbytes += pages * PAGE
            res["zerocheck"].append({"impl": impl, "case": "hot",
                                     "bytes": nbytes, "time_ns": total,
                                     "reps": A.hot_reps, "probe": pr})
            log("zero check %s hot: %.2f GiB/s" %
                (impl, nbytes / total * 1e9 / 2**30))
    finally:
        region.stop()


def bench_limits(res):
    """The memory read limits inside UML; a missing interface is recorded
    in limits.missing, not an error."""
    lim = {"kernel_scan": None, "uml_memscan": None, "missing": []}
    res["limits"] = lim
    try:
        if os.path.exists(os.path.join(DEBUGFS, "scan_limit")):
            src = zero_region()
            pr = probe("kernel scan limit")
            d = debugfs_kv("scan_limit", str(src.id))
            d["probe"] = pr
            lim["kernel_scan"] = d
            if d.get("bytes") and d.get("time_ns"):
                log("in-kernel read of the zero region: %.2f GiB/s" %
                    (d["bytes"] / d["time_ns"] * 1e9 / 2**30))
        else:
            lim["missing"].append("kernel_scan: no %s/scan_limit" % DEBUGFS)
    finally:
        # Room for memscan's region.
        stop_zero_region()
    memscan = os.path.join(HERE, "memscan")
    if not os.access(memscan, os.X_OK):
        lim["missing"].append("uml_memscan: no %s" % memscan)
        return
    usage = subprocess.run([memscan], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True)
    if "--kmig-region-mib" not in usage.stdout + usage.stderr:
        lim["missing"].append("uml_memscan: memscan has no --kmig-region-mib")
        return
    pr = probe("userspace scan of a kmig region")
    r = subprocess.run([memscan, "--kmig-region-mib", str(A.limit_mib)],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True, timeout=600)
    if r.returncode:
        raise RuntimeError("memscan --kmig-region-mib %d: exit %d: %s" %
                           (A.limit_mib, r.returncode, r.stderr.strip()))
    d = json.loads(r.stdout)
    d["probe"] = pr
    lim["uml_memscan"] = d
    cold = d.get("cold") or {}
    if cold.get("bytes") and cold.get("time_ns"):
        log("userspace scan of a kmig region: %.2f GiB/s" %
            (cold["bytes"] / cold["time_ns"] * 1e9 / 2**30))


def random_region(size_mb, seed):
    """A region of size_mb MiB of pseudo-random pages: filled in the
    kernel (debugfs kmig/fill) when the module has it, else from
    userspace (~70 s per GiB of user faults in UML)."""
    npages = size_mb * 256
    fill = os.path.join(DEBUGFS, "fill")
    if os.path.exists(fill):
        r = Region(size_mb, prealloc=npages, seed=seed)
        t0 = time.monotonic()
        try:
            with open(fill, "w") as f:
                f.write("%d %d" % (r.id, seed))
        except OSError:
            r.stop()
            raise
        r.fill_s += time.monotonic() - t0
        return r, "kernel (debugfs kmig/fill)"
    return Region(size_mb, random=npages, seed=seed), \
        "userspace (kmig-systest region --random)"


def bench_random(res):
    size_mb = A.random_mib
    npages = size_mb * 256
    src, how = random_region(size_mb, 11)
    res["random_fill"] = {"how": how, "fill_s": round(src.fill_s, 2)}
    log("random: %d MiB region filled in %.1f s, %s" % (size_mb, src.fill_s,
                                                         how))
    try:
        for ch in (1, 2, 4):
            dst = Region(size_mb)
            try:
                r = migrate(src, dst, ch, "channel", "random %d ch" % ch)
            finally:
                dst.stop()
            r.update(channels=ch, size_bytes=npages * PAGE)
            log("random %d ch: %.3f s" % (ch, r["time_ns"] / 1e9))
            res["random"].append(r)
        # Into a destination whose pages exist already: no allocation on
        # the receiving side (UML pays a host fault for every new page).
        for ch in (1, 2, 4):
            dst = Region(size_mb, prealloc=npages)
            try:
                r = migrate(src, dst, ch, "channel",
                            "random %d ch, destination preallocated" % ch)
            finally:
                dst.stop()
            r.update(channels=ch, size_bytes=npages * PAGE)
            log("random %d ch, destination preallocated: %.3f s" %
                (ch, r["time_ns"] / 1e9))
            res["random_dest_prealloc"].append(r)
    finally:
        src.stop()


def tcp_run(nbytes, pool, label):
    pr = probe(label)
    d = debugfs_kv("tcp_loopback", "%d %d" % (nbytes, pool))
    return {"bytes": int(d["bytes"]), "time_ns": int(d["time_ns"]),
            "pool_pages": int(d["pool_pages"]),
            "copied_pages": int(d["copied_pages"]), "probe": pr}


def bench_tcp(res):
    # Cold: each side cycles through A.tcp_pool_mib of pages, larger than
    # the caches, as a migration of a large region does. Hot: one batch
    # of pages, always in cache, the best case of the stack.
    cold = tcp_run(A.tcp_mib << 20, A.tcp_pool_mib << 20, "tcp loopback cold")
    hot = tcp_run(A.tcp_mib << 20, 0, "tcp loopback hot")
    res["tcp_loopback"] = cold
    res["tcp_loopback_hot"] = hot
    for name, r in (("cold pages", cold), ("hot pages", hot)):
        log("tcp loopback, %s: %.2f GiB/s" %
            (name, r["bytes"] / r["time_ns"] * 1e9 / 2**30))


def bench_colo(res):
    for load in ("idle", "load"):
        for ch in (1, 4):
            # The secondary's lines go to a file: a pipe nobody reads
            # fills after ~150 checkpoints and blocks the VMM.
            dlog = os.path.join("/tmp", "bench-colo-dst.log")
            with open(dlog, "w") as f:
                d = subprocess.Popen([A.vmm, "dest", "--size", "256", "--port",
                                      "0", "--addr", "127.0.0.1", "--channels",
                                      str(ch), "--colo", "--key-file",
                                      A.key_file], stdout=f,
                                     stderr=subprocess.STDOUT)
            port = None
            for _ in range(600):
                m = re.search(r"^port (\d+)", open(dlog).read(), re.M)
                if m:
                    port = int(m.group(1))
                    break
                time.sleep(0.1)
            cmd = [A.vmm, "source", "--size", "256", "--to",
                   "127.0.0.1:%d" % port, "--fill-random", "16384",
                   "--fill-zero", "8192", "--seed", "13", "--channels", str(ch),
                   "--colo", "--checkpoint-interval", str(A.colo_interval_ms),
                   "--checkpoints", str(A.colo_checkpoints),
                   "--key-file", A.key_file]
            if load == "load":
                # A few thousand pages per checkpoint.
                rate = 3000 * 1000 // A.colo_interval_ms
                cmd += ["--writers", "2", "--rate", str(rate),
                        "--pattern", "random"]
            else:
                cmd += ["--writers", "1", "--rate", "1"]
            pr = probe("colo %s %d ch" % (load, ch))
            # Stream the primary's lines: progress on the console (the
            # UML runner stops a VM silent for 5 minutes).
            src = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
            lines = []
            t0 = time.monotonic()
            for line in src.stdout:
                lines.append(line)
                m = re.match(r"checkpoint (\d+) pages", line)
                if m and int(m.group(1)) % 50 == 0:
                    log("colo %s %d ch: checkpoint %s after %.0f s" %
                        (load, ch, m.group(1), time.monotonic() - t0))
                if time.monotonic() - t0 > A.colo_timeout:
                    src.kill()
                    d.kill()
                    res["errors"].append("colo %s %d ch: timeout" % (load, ch))
                    break
            src.wait()
            d.wait()
            out = "".join(lines)
            run = {"load": load, "channels": ch,
                   "interval_ms": A.colo_interval_ms, "transfer_ms": [],
                   "pause_ms": [], "flush_ms": [], "pages": [], "bytes": [],
                   "probe": pr}
            for line in out.splitlines():
                m = re.match(r"checkpoint (\d+) pages (\d+) bytes (\d+) "
                             r"pause-ms ([\d.]+) transfer-ms ([\d.]+) "
                             r"flush-ms ([\d.]+)", line)
                if m:
                    run["pages"].append(int(m.group(2)))
                    run["bytes"].append(int(m.group(3)))
                    run["pause_ms"].append(float(m.group(4)))
                    run["transfer_ms"].append(float(m.group(5)))
                    run["flush_ms"].append(float(m.group(6)))
            run["checkpoints"] = len(run["transfer_ms"])
            res["colo"].append(run)
            t = sorted(run["transfer_ms"]) or [0]
            log("colo %s %d ch: %d checkpoints, transfer p99 %.3f ms" %
                (load, ch, run["checkpoints"],
                 t[min(len(t) - 1, (99 * len(t) + 99) // 100 - 1)]))
def slab_bytes(name):
    try:
        with open("/proc/slabinfo") as f:
            for line in f:
                p = line.split()
                if p and p[0] == name:
                    return int(p[1]) * int(p[3])  # active objs * objsize
    except OSError:
        pass
    return None


def bench_memory(res):
    before = slab_bytes("radix_tree_node")
    r = Region(1024, prealloc=262144, seed=17)
    after = slab_bytes("radix_tree_node")
    r.stop()
    npages = 262144
    bitmap = (npages + 63) // 64 * 8
    res["memory"] = {
        "region_bytes": npages * PAGE,
        "page_index_bytes": (after - before) if before is not None and
        after is not None else None,
        "page_index_how": "radix_tree_node slab growth while populating 1 GiB",
        "bitmaps": {"dirty": bitmap, "received": bitmap, "pending": bitmap,
                    "colo_ckpt": bitmap, "colo_flush": bitmap},
        "colo_cache_bytes": npages * PAGE,
        "populated_bytes": npages * PAGE,
    }
    log("memory: page index %s bytes per GiB" % res["memory"]["page_index_bytes"])


def bench_profile(res):
    # The profile interleaves its own runs (profile_uml.py): their probes
    # are recorded but do not wait, and do not spend the wait budget of
    # the other steps' runs.
    def mig(src, dst, channels, mode):
        return migrate(src, dst, channels, mode, wait=False)
    profile_uml.bench_profile(A, res, log, mig, Region,
                              lambda size_mb: random_region(size_mb, 11)[0],
                              lambda region: scan(region, "auto"))


def bench_postcopy(res):
    postcopy_uml.bench_postcopy(A, res, log, probe)


def main():
    global A, PROBE
    ap = argparse.ArgumentParser()
    ap.add_argument("--ko", required=True)
    ap.add_argument("--migctl", required=True)
    ap.add_argument("--bin", required=True)
    ap.add_argument("--vmm", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--round", type=int, default=1)
    ap.add_argument("--size-gib", type=int, default=2)
    ap.add_argument("--random-mib", type=int, default=512)
    ap.add_argument("--random-gib", type=int,
                    help="the random region in GiB (overrides --random-mib)")
    ap.add_argument("--tcp-mib", type=int, default=1024)
    ap.add_argument("--tcp-pool-mib", type=int, default=512)
    ap.add_argument("--hot-reps", type=int, default=50)
    ap.add_argument("--limit-mib", type=int, default=256)
    ap.add_argument("--colo-checkpoints", type=int, default=40)
    ap.add_argument("--colo-interval-ms", type=int, default=100)
    ap.add_argument("--profile-mib", type=int, default=512)
    ap.add_argument("--profile-reps", type=int, default=5)
    # The postcopy step (postcopy_uml.py).
    ap.add_argument("--pc-size-gib", type=int, default=4)
    ap.add_argument("--pc-random-mib", type=int, default=32)
    ap.add_argument("--pc-hot-pct", type=int, default=1)
    ap.add_argument("--pc-writers", type=int, default=2)
    ap.add_argument("--pc-rate", type=int, default=8000)
    ap.add_argument("--pc-dst-writers", type=int, default=2)
    ap.add_argument("--pc-dst-rate", type=int, default=8000)
    ap.add_argument("--pc-bw-mib", type=int, default=16)
    ap.add_argument("--pc-downtime-limit-ms", type=int, default=300)
    ap.add_argument("--pc-max-passes", type=int, default=3)
    ap.add_argument("--pc-channels", type=int, default=2)
    ap.add_argument("--pc-timeout", type=int, default=300)
    ap.add_argument("--only", default="")
    ap.add_argument("--skip", default="")
    ap.add_argument("--colo-timeout", type=int, default=240)
    ap.add_argument("--probe-state", default=None)
    A = ap.parse_args()
    if A.random_gib:
        A.random_mib = A.random_gib * 1024
    t_all = time.monotonic()
    PROBE = loadprobe.Probe(A.probe_state, env="uml")
    A.impls = ["generic", "sse2", "avx2", "avx512"]
    # Authenticated channels, as in production: one key, both ends.
    A.key_file = os.path.join("/tmp", "bench-mig.key")
    old = os.umask(0o077)
    try:
        with open(A.key_file, "w") as f:
            f.write(sh(A.migctl, "keygen"))
    finally:
        os.umask(old)
    # The UML's RAM is sized to the regions (scripts/bench.sh): no
    # host-wide max_memory backstop (90% of RAM by default) in the way.
    sh("insmod", A.ko, "max_memory=0")
    avail = open("/sys/kernel/kmig/zero_check_available").read().split()
    A.impls = [i for i in A.impls if i in avail]
    res = {"round": A.round, "kernel": os.uname().release,
           "cpus": os.cpu_count(),
           "size_gib": A.size_gib, "random_mib": A.random_mib,
           "tcp_mib": A.tcp_mib, "hot_reps": A.hot_reps,
           "colo_checkpoints": A.colo_checkpoints,
           "zero": [], "random": [], "random_dest_prealloc": [],
           "zerocheck": [], "colo": [], "postcopy": [],
           "tcp_loopback": None, "tcp_loopback_hot": None,
           "limits": None, "random_fill": None,
           "memory": None, "steps_s": {}, "errors": []}
    steps = [("tcp", bench_tcp), ("zero", bench_zero),
             ("limits", bench_limits),
             ("zerocheck-hot", bench_zerocheck_hot), ("random", bench_random),
             ("colo", bench_colo), ("postcopy", bench_postcopy),
             ("memory", bench_memory),
             ("profile", bench_profile)]
    only = set(A.only.split(",")) - {""}
    skip = set(A.skip.split(",")) - {""}
    out = os.path.join(A.out, "kmig-r%d.json" % A.round)
    for name, fn in steps:
        if (only and name not in only) or name in skip:
            continue
        t0 = time.monotonic()
        try:
            fn(res)
        except Exception as e:  # record and go on: one table missing
            res["errors"].append("%s: %s" % (name, e))
            log("%s failed: %s" % (name, e))
        res["steps_s"][name] = round(time.monotonic() - t0, 1)
        log("%s took %.0f s" % (name, time.monotonic() - t0))
        with open(out, "w") as f:
            json.dump(res, f, indent=1)
    stop_zero_region()
    sh("rmmod", "kmig", check=False)
    res["total_s"] = round(time.monotonic() - t_all, 1)
    res["probe_waited_s"] = PROBE.state.get("waited_s")
    with open(out, "w") as f:
        json.dump(res, f, indent=1)
    log("round %d done in %.0f s (%s)" % (A.round, res["total_s"], ", ".join(
        "%s %.0f s" % kv for kv in res["steps_s"].items())))


if __name__ == "__main__":
    sys.exit(main())
