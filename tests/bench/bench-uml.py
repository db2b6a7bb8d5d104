#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""kmig's side of make bench, run inside the non-debug UML kernel.

Loads kmig, then measures, writing every raw figure to OUT/kmig.json:
  zero      an N GiB region of zero pages (every page populated, by
            KMIG_IOC_PREALLOC: user faults cost ~70 s per GiB in UML) and
            an untouched one, migrated over loopback with zero detection on
            the main thread (1 channel) and on 1, 2, 4 channel threads
  random    an M GiB region of random data, 1, 2, 4 channels
  tcp_loopback  the in-kernel TCP loopback throughput with the channels'
            page send/receive path (debugfs kmig/tcp_loopback), cycling
            through 512 MiB of pages on each side (cold, the practical
            limit of a migration) and through one batch (hot, cache)
  zerocheck every implementation over the populated zero region (cold)
            and over a 256 KiB region scanned many times (hot)
  colo      kmig-vmm primary and secondary, C checkpoints at I ms, idle
            and under load (primary writers), 1 and 4 channels
  memory    metadata per GiB: page index (radix_tree_node slab growth
            while populating 1 GiB), bitmaps, COLO cache

Usage: bench-uml.py --ko KO --migctl MIGCTL --bin DIR --vmm VMM --out DIR
                    [--size-gib N] [--random-gib M] [--colo-checkpoints C]
                    [--colo-interval-ms I]
Progress goes to stdout (the UML console).
"""
import argparse
import json
import os
import re
import subprocess
import sys
import time

import profile_uml

PAGE = 4096
A = None


def log(msg):
    print("# bench: " + msg, flush=True)


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


def migrate(src, dst, channels, mode):
    lst = migctl_json("listen", "--region", str(dst.id), "--port", "0",
                      "--channels", str(channels), "--key-file", A.key_file)
    port = lst["port"]
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
            "wall_s": round(wall, 3)}


def bench_zero(res):
    size_mb = A.size_gib * 1024
    npages = size_mb * 256
    configs = [("main", 1), ("channel", 1), ("channel", 2), ("channel", 4)]
    for case in ("written", "untouched"):
        # Every page populated with zeros in the kernel (KMIG_IOC_PREALLOC,
        # as QEMU's -mem-prealloc): UML takes ~70 s per GiB of user faults.
        src = Region(size_mb, prealloc=npages if case == "written" else 0,
                     seed=3)
        log("zero %s: %d GiB region filled in %.1f s" %
            (case, A.size_gib, src.fill_s))
        for mode, ch in configs:
            dst = Region(size_mb)
            try:
                r = migrate(src, dst, ch, mode)
            finally:
                dst.stop()
            r.update(case=case, mode=mode, channels=ch,
                     size_bytes=npages * PAGE)
            log("zero %s %s/%d: %.3f s" % (case, mode, ch, r["time_ns"] / 1e9))
            res["zero"].append(r)
        if case == "written":
            bench_zerocheck_cold(res, src, npages)
        src.stop()


def scan(region, impl):
    r = migctl_json("scan", str(region.id), "--zero-check", impl)
    return r["time_ns"], r["pages"]


def bench_zerocheck_cold(res, region, npages):
    for impl in A.impls:
        best = None
        for _ in range(2):
            ns, pages = scan(region, impl)
            best = ns if best is None else min(best, ns)
        res["zerocheck"].append({"impl": impl, "case": "cold",
                                 "bytes": pages * PAGE, "time_ns": best})
        log("zero check %s cold: %.2f GiB/s" %
            (impl, pages * PAGE / best * 1e9 / 2**30))


def bench_zerocheck_hot(res):
    region = Region(1, zero=64, seed=5)  # 1 MiB region, 64 pages (256 KiB)
    try:
        for impl in A.impls:
            total = 0
            nbytes = 0
            for _ in range(200):
                ns, pages = scan(region, impl)
                total += ns
                nbytes += pages * PAGE
            res["zerocheck"].append({"impl": impl, "case": "hot",
                                     "bytes": nbytes, "time_ns": total})
            log("zero check %s hot: %.2f GiB/s" %
                (impl, nbytes / total * 1e9 / 2**30))
    finally:
        region.stop()


def bench_random(res):
    size_mb = A.random_gib * 1024
    npages = size_mb * 256
    src = Region(size_mb, random=npages, seed=11)
    log("random: %d GiB region filled in %.1f s" % (A.random_gib, src.fill_s))
    try:
        for ch in (1, 2, 4):
            dst = Region(size_mb)
            try:
                r = migrate(src, dst, ch, "channel")
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
                r = migrate(src, dst, ch, "channel")
            finally:
                dst.stop()
            r.update(channels=ch, size_bytes=npages * PAGE)
            log("random %d ch, destination preallocated: %.3f s" %
                (ch, r["time_ns"] / 1e9))
            res["random_dest_prealloc"].append(r)
    finally:
        src.stop()


def tcp_run(nbytes, pool):
    path = "/sys/kernel/debug/kmig/tcp_loopback"
    best = None
    for _ in range(3):
        with open(path, "w") as f:
            f.write("%d %d" % (nbytes, pool))
        with open(path) as f:
            kv = f.read().split()
        d = dict(zip(kv[0::2], kv[1::2]))
        r = {"bytes": int(d["bytes"]), "time_ns": int(d["time_ns"]),
             "pool_pages": int(d["pool_pages"]),
             "copied_pages": int(d["copied_pages"])}
        if best is None or r["time_ns"] < best["time_ns"]:
            best = r
    return best


def bench_tcp(res):
    # Cold: each side cycles through A.tcp_pool_mib of pages, larger than
    # the caches, as a migration of a large region does. Hot: one batch
    # of pages, always in cache, the best case of the stack.
    cold = tcp_run(A.tcp_gib << 30, A.tcp_pool_mib << 20)
    hot = tcp_run(A.tcp_gib << 30, 0)
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
                   "pause_ms": [], "flush_ms": [], "pages": [], "bytes": []}
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
    def random_region(size_mb):
        return Region(size_mb, random=size_mb * 256, seed=11)
    profile_uml.bench_profile(A, res, log, migrate, Region, random_region)


def main():
    global A
    ap = argparse.ArgumentParser()
    ap.add_argument("--ko", required=True)
    ap.add_argument("--migctl", required=True)
    ap.add_argument("--bin", required=True)
    ap.add_argument("--vmm", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--size-gib", type=int, default=8)
    ap.add_argument("--random-gib", type=int, default=2)
    ap.add_argument("--tcp-gib", type=int, default=4)
    ap.add_argument("--tcp-pool-mib", type=int, default=512)
    ap.add_argument("--colo-checkpoints", type=int, default=200)
    ap.add_argument("--colo-interval-ms", type=int, default=100)
    ap.add_argument("--profile-mib", type=int, default=512)
    ap.add_argument("--profile-reps", type=int, default=5)
    ap.add_argument("--only", default="")
    ap.add_argument("--colo-timeout", type=int, default=240)
    A = ap.parse_args()
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
    res = {"kernel": os.uname().release, "cpus": os.cpu_count(),
           "size_gib": A.size_gib, "random_gib": A.random_gib,
           "zero": [], "random": [], "random_dest_prealloc": [],
           "zerocheck": [], "colo": [],
           "tcp_loopback": None, "tcp_loopback_hot": None,
           "memory": None, "errors": []}
    steps = [("tcp", bench_tcp), ("zero", bench_zero),
             ("zerocheck-hot", bench_zerocheck_hot), ("random", bench_random),
             ("colo", bench_colo), ("memory", bench_memory),
             ("profile", bench_profile)]
    only = set(A.only.split(",")) - {""}
    for name, fn in steps:
        if only and name not in only:
            continue
        t0 = time.monotonic()
        try:
            fn(res)
        except Exception as e:  # record and go on: one table missing
            res["errors"].append("%s: %s" % (name, e))
            log("%s failed: %s" % (name, e))
        log("%s took %.0f s" % (name, time.monotonic() - t0))
        with open(os.path.join(A.out, "kmig.json"), "w") as f:
            json.dump(res, f, indent=1)
    sh("rmmod", "kmig", check=False)
    log("done")


if __name__ == "__main__":
    sys.exit(main())
