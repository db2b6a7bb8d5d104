# SPDX-License-Identifier: GPL-2.0
"""The per-page profile of make bench (issue 16), run inside UML by
bench-uml.py: migrations of written zero pages and of random data on one
channel with debugfs kmig/profile on (kmod/prof.c), each section's time
summed over every thread of both sides. The same migration is run first
with the profile off, so that the profile's own cost shows.
"""
import os

PROFILE = "/sys/kernel/debug/kmig/profile"
OPT = "/sys/kernel/debug/kmig/opt_off"
REPS = [5]


def prof_write(what):
    with open(PROFILE, "w") as f:
        f.write(what)


def prof_read():
    secs = {}
    fpu_pair_ns = 0
    with open(PROFILE) as f:
        for line in f:
            p = line.split()
            if p[0] == "fpu_pair_ns":
                fpu_pair_ns = int(p[1])
            elif len(p) == 5:
                secs[p[0]] = {"ns": int(p[2]), "n": int(p[4])}
    return secs, fpu_pair_ns


OPTS = ["none", "offsets", "cork", "walk", "zero_range"]


def opt_write(what):
    with open(OPT, "w") as f:
        f.write(what)


def median(v):
    v = sorted(v)
    return v[len(v) // 2] if len(v) % 2 else (v[len(v) // 2 - 1] + v[len(v) // 2]) / 2


def profile_case(res, log, migrate, Region, name, src, size_mb, dst_args):
    """A warm-up, then A.profile_reps rounds of: every optimisation on, each
    one off (opt_off), all with the profile off, and one run with it on."""
    def run(opt, prof):
        opt_write(opt)
        prof_write("reset")
        prof_write("on" if prof else "off")
        dst = Region(size_mb, **dst_args)
        try:
            return migrate(src, dst, 1, "channel")
        finally:
            dst.stop()
            prof_write("off")
            opt_write("none")
    run("none", False)
    times = {o: [] for o in OPTS}
    prof_times = []
    for _ in range(REPS[0]):
        for o in OPTS:
            times[o].append(run(o, False)["time_ns"])
        r = run("none", True)
        prof_times.append(r["time_ns"])
        secs, fpu = prof_read()
    entry = {"case": name, "channels": 1, "pages": r["pages"],
             "time_ns": prof_times, "fpu_pair_ns": fpu, "sections": secs,
             "opt_off_time_ns": times}
    res["profile"].append(entry)
    log("profile %s: %s" % (name, ", ".join(
        "%s off %.1f ms" % (o, median(times[o]) / 1e6) for o in OPTS)))
    log("profile %s: %.1f ms with the profile on" %
        (name, median(prof_times) / 1e6))


def profile_scan(res, log, scan, name, region, scans):
    """The zero check (migctl scan, auto) of @region, @scans scans summed,
    with the walk optimisation on and off, interleaved, REPS times."""
    times = {"none": [], "walk": []}
    pages = 0
    for _ in range(REPS[0]):
        for o in times:
            opt_write(o)
            try:
                ns = 0
                for _ in range(scans):
                    t, pages = scan(region)
                    ns += t
            finally:
                opt_write("none")
            times[o].append(ns)
    entry = {"case": name, "pages": pages * scans, "opt_off_time_ns": times}
    res["profile_scan"].append(entry)
    log("profile %s: walk on %.2f ms, off %.2f ms" % (
        name, median(times["none"]) / 1e6, median(times["walk"]) / 1e6))


def bench_profile(A, res, log, migrate, Region, random_region, scan):
    """random_region(size_mb) -> a Region of random data; scan(region) ->
    (time_ns, pages) of one zero check of it."""
    if not os.path.exists(PROFILE):
        res["errors"].append("profile: %s missing" % PROFILE)
        return
    res.setdefault("profile", [])
    res.setdefault("profile_scan", [])
    REPS[0] = A.profile_reps
    size_mb = A.profile_mib
    npages = size_mb * 256
    src = Region(size_mb, prealloc=npages, seed=3)
    try:
        profile_case(res, log, migrate, Region, "zero written", src,
                     size_mb, {})
        profile_scan(res, log, scan, "zero check, cold (%d MiB)" % size_mb,
                     src, 1)
    finally:
        src.stop()
    hot = Region(1, zero=64, seed=5)     # 64 pages (256 KiB)
    try:
        profile_scan(res, log, scan, "zero check, hot (256 KiB, 50 scans)",
                     hot, 50)
    finally:
        hot.stop()
    src = random_region(size_mb)
    try:
        profile_case(res, log, migrate, Region, "random", src, size_mb, {})
        profile_case(res, log, migrate, Region,
                     "random, destination preallocated", src, size_mb,
                     {"prealloc": npages})
    finally:
        src.stop()
