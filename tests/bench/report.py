#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Tables of one make bench run.

    report.py DIR

Reads DIR/machine.json, DIR/memscan.json, DIR/qemu.json and DIR/kmig.json
(any of them may be missing or unreadable: the cells that need it then say
"not measured"), writes DIR/results.md (Markdown tables T1..T5, each with a
caption and notes) and DIR/results.json (the inputs as read, the rows of
every table with raw and derived figures, the missing inputs), and prints
the Markdown on stdout.

Conventions: GiB/s = bytes / 2^30 / seconds. When several runs share a
configuration, the median time is used. Percentiles are nearest-rank
(the ceil(n * p / 100)-th smallest value). Ratios are plain quotients
(2.00 = twice as fast). Python 3 standard library only.
"""

import json
import math
import os
import sys

NM = "not measured"
NA = "-"
GIB = 1 << 30
MIB = 1 << 20
KIB = 1 << 10
INPUTS = ("machine", "memscan", "qemu", "kmig")


# ---------------------------------------------------------------- helpers

def num(x):
    """x as a finite float, or None (bools, strings, None, NaN...)."""
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        return None
    x = float(x)
    return x if math.isfinite(x) else None


def pos(x):
    """x as a float > 0, or None."""
    x = num(x)
    return x if x is not None and x > 0 else None


def gib_s(nbytes, seconds):
    nbytes, seconds = pos(nbytes), pos(seconds)
    if nbytes is None or seconds is None:
        return None
    return nbytes / GIB / seconds


def ratio(a, b):
    a, b = num(a), pos(b)
    if a is None or b is None:
        return None
    return a / b


def median(values):
    v = sorted(x for x in (num(y) for y in values) if x is not None)
    if not v:
        return None
    m = len(v) // 2
    return v[m] if len(v) % 2 else (v[m - 1] + v[m]) / 2


def nearest_rank(values, p):
    v = sorted(x for x in (num(y) for y in values) if x is not None)
    if not v:
        return None
    rank = max(1, math.ceil(len(v) * p / 100.0))
    return v[min(rank, len(v)) - 1]


def mean(values):
    v = [x for x in (num(y) for y in values) if x is not None]
    return sum(v) / len(v) if v else None


def as_list(x):
    return x if isinstance(x, list) else []


def as_dict(x):
    return x if isinstance(x, dict) else {}


def f2(x, nd=2):
    x = num(x)
    return NM if x is None else "%.*f" % (nd, x)


def fint(x):
    x = num(x)
    return NM if x is None else "%d" % round(x)


def fsize(nbytes):
    b = num(nbytes)
    if b is None:
        return NM
    for unit, name in ((GIB, "GiB"), (MIB, "MiB"), (KIB, "KiB")):
        if b >= unit:
            q = b / unit
            return ("%d %s" % (q, name) if q == int(q)
                    else "%.2f %s" % (q, name))
    return "%d B" % b


def fbytes(nbytes):
    """Exact byte count and a readable size: '262144 (256 KiB)'."""
    b = num(nbytes)
    if b is None:
        return NM
    if b < KIB:
        return "%d B" % b
    return "%d (%s)" % (b, fsize(b))


def md_cell(s):
    return str(s).replace("|", "\\|").replace("\n", " ")


def md_table(columns, rows):
    out = ["| " + " | ".join(md_cell(c) for c in columns) + " |",
           "|" + "|".join("---" for _ in columns) + "|"]
    for r in rows:
        out.append("| " + " | ".join(md_cell(c) for c in r) + " |")
    return "\n".join(out)


def load_inputs(d):
    """{name: dict or None}, problems (list of strings)."""
    data, problems = {}, []
    for name in INPUTS:
        path = os.path.join(d, name + ".json")
        data[name] = None
        if not os.path.exists(path):
            problems.append("%s.json: missing" % name)
            continue
        try:
            with open(path, encoding="utf-8") as f:
                v = json.load(f)
        except (OSError, ValueError) as e:
            problems.append("%s.json: unreadable (%s)" % (name, e))
            continue
        if not isinstance(v, dict):
            problems.append("%s.json: not a JSON object" % name)
            continue
        data[name] = v
    return data, problems


def caption(inp):
    m = as_dict(inp.get("machine"))
    k = as_dict(inp.get("kmig"))
    q = as_dict(inp.get("qemu"))

    def s(v):
        return NM if v is None or v == "" else str(v)

    mem = pos(m.get("host_mem_bytes"))
    cores = m.get("host_cores")
    if not m:
        machine = NM
    else:
        machine = "%s, %s cores, %s RAM" % (
            s(m.get("host_cpu")), s(cores),
            NM if mem is None else "%.1f GiB" % (mem / GIB))
    uml = m.get("uml_kernel") or k.get("kernel")
    qv = m.get("qemu_version") or q.get("qemu_version")
    return ("*Machine: %s; host kernel: %s; kmig kernel: %s; QEMU: %s; "
            "commit: %s; command: `%s`; date: %s.*" % (
                machine, s(m.get("host_kernel")), s(uml), s(qv),
                s(m.get("commit")), s(m.get("command")), s(m.get("date"))))


# ------------------------------------------------------------ run lookups

class Runs:
    """Median time of the runs of each configuration."""

    def __init__(self):
        self.ok = {}       # key -> list of (size_bytes, time_s, entry)
        self.failed = {}   # key -> list of status strings

    def add(self, key, size, seconds, entry, status=None):
        if status not in (None, "completed"):
            self.failed.setdefault(key, []).append(str(status))
            return
        if pos(size) is None or pos(seconds) is None:
            return
        self.ok.setdefault(key, []).append((size, seconds, entry))

    def get(self, key):
        """dict(size, time_s, gib_s, n) or None; 'failed' if all failed."""
        runs = self.ok.get(key)
        if not runs:
            if key in self.failed:
                return {"failed": self.failed[key]}
            return None
        t = median([r[1] for r in runs])
        size = median([r[0] for r in runs])
        return {"size_bytes": size, "time_s": t, "gib_s": gib_s(size, t),
                "n": len(runs), "raw": [r[2] for r in runs]}

    def keys(self):
        return list(self.ok) + [k for k in self.failed if k not in self.ok]


def qemu_runs(inp):
    runs = Runs()
    for r in as_list(as_dict(inp.get("qemu")).get("runs")):
        if not isinstance(r, dict):
            continue
        ch = num(r.get("channels"))
        if r.get("multifd") is False or ch is None:
            ch = 0
        ms = num(r.get("total_time_ms"))
        if not ms and num(r.get("migrate_wall_ms")):
            # QEMU 7.2 sometimes reports a completed migration with
            # total-time (and downtime) 0: use the wall time from the
            # migrate command to status completed instead, which is within
            # about 70 ms of total-time where both exist, and say so.
            ms = num(r.get("migrate_wall_ms"))
            QEMU_WALL.append("%s/%s" % (r.get("case"), int(ch)))
        runs.add((r.get("case"), int(ch)), r.get("size_bytes"),
                 None if ms is None else ms / 1e3, r, r.get("status"))
    return runs


# QEMU runs whose time is the wall time (QEMU reported total-time 0).
QEMU_WALL = []


def run_cells(run):
    """size, time (ms), GiB/s cells of a Runs.get() result."""
    if run is None:
        return [NM, NM, NM]
    if "failed" in run:
        f = "status: %s" % ", ".join(sorted(set(run["failed"])))
        return [NM, f, NM]
    t = "%.1f" % (run["time_s"] * 1e3)
    if run["n"] > 1:
        t += " (median of %d)" % run["n"]
    return [fsize(run["size_bytes"]), t, f2(run["gib_s"])]


def gib_of(run):
    return None if run is None or "failed" in run else run["gib_s"]


def strip_raw(run):
    if run is None:
        return None
    return {k: v for k, v in run.items() if k != "raw"}


def ratio_span(rs, what):
    """'kmig/QEMU is a..b (k of n faster)' from a list of (label, ratio)."""
    rs = [(lbl, r) for lbl, r in rs if r is not None]
    if not rs:
        return None
    lo = min(rs, key=lambda x: x[1])
    hi = max(rs, key=lambda x: x[1])
    faster = sum(1 for _, r in rs if r > 1)
    return ("%s ranges from %.2f (%s) to %.2f (%s); kmig is faster in %d "
            "of %d compared configurations." % (
                what, lo[1], lo[0], hi[1], hi[0], faster, len(rs)))


# ------------------------------------------------------------------ tables

def t1_zero(inp):
    kz = Runs()
    for r in as_list(as_dict(inp.get("kmig")).get("zero")):
        if isinstance(r, dict):
            ns = num(r.get("time_ns"))
            ch = num(r.get("channels"))
            kz.add((r.get("case"), r.get("mode"),
                    None if ch is None else int(ch)),
                   r.get("size_bytes"), None if ns is None else ns / 1e9, r)
    qr = qemu_runs(inp)

    std_k = [(c, m, n) for c in ("written", "untouched")
             for m, n in (("main", 1), ("channel", 1), ("channel", 2),
                          ("channel", 4))]
    std_q = [(c, n) for c in ("zero-written", "zero-untouched")
             for n in (0, 1, 2, 4)]
    extra_k = [k for k in kz.keys() if k not in std_k]
    extra_q = [k for k in qr.keys()
               if k not in std_q and str(k[0]).startswith("zero-")]

    rows, data, pairs = [], [], {}
    for key in std_k + extra_k:
        case, mode, ch = key
        run = kz.get(key)
        qkey = None
        if mode == "main":
            qkey = ("zero-%s" % case, 0)
        elif mode == "channel":
            qkey = ("zero-%s" % case, ch)
        q = qr.get(qkey) if qkey else None
        rt = ratio(gib_of(run), gib_of(q))
        modename = {"main": "main thread", "channel": "channels",
                    "none": "none"}.get(mode, str(mode))
        if qkey is None:
            rcell = NA
        else:
            rcell = f2(rt)
        rows.append(["kmig", case, modename, str(ch)] + run_cells(run)
                    + [rcell])
        data.append({"system": "kmig", "case": case, "mode": mode,
                     "channels": ch, "run": strip_raw(run),
                     "qemu_key": list(qkey) if qkey else None,
                     "kmig_over_qemu": rt})
        if rt is not None:
            lbl = "%s %s/%s" % (case, mode, ch)
            pairs.setdefault(case, []).append((lbl, rt))
    for key in std_q + extra_q:
        case, ch = key
        run = qr.get(key)
        rows.append(["QEMU", str(case).replace("zero-", "", 1),
                     "no multifd" if ch == 0 else "multifd",
                     NA if ch == 0 else str(ch)] + run_cells(run) + [NA])
        data.append({"system": "QEMU", "case": case,
                     "multifd": ch != 0, "channels": ch,
                     "run": strip_raw(run)})

    notes = []
    for case in ("written", "untouched"):
        best = None
        for d in data:
            if d["system"] == "kmig" and d["case"] == case:
                g = gib_of(d["run"])
                if g is not None and (best is None or g > best[1]):
                    best = ("%s/%s" % (d["mode"], d["channels"]), g)
        bq = None
        for d in data:
            if d["system"] == "QEMU" and d["case"] == "zero-" + case:
                g = gib_of(d["run"])
                if g is not None and (bq is None or g > bq[1]):
                    bq = ("no multifd" if d["channels"] == 0
                          else "multifd %d" % d["channels"], g)
        parts = []
        if best:
            parts.append("fastest kmig: %s at %.2f GiB/s" % best)
        if bq:
            parts.append("fastest QEMU: %s at %.2f GiB/s" % bq)
        span = ratio_span(pairs.get(case, []), "kmig/QEMU")
        if parts or span:
            notes.append("%s zero pages: %s%s" % (
                case.capitalize(), "; ".join(parts) + ". " if parts else "",
                span or ""))
    return {"id": "T1", "title": "Zero pages",
            "columns": ["System", "Case", "Mode", "Channels", "Size",
                        "Total time (ms)", "GiB/s", "kmig/QEMU"],
            "rows": rows, "data": data, "notes": notes,
            "legend": "kmig main-thread mode is compared with QEMU without "
                      "multifd, channel mode N with QEMU multifd N."}


def loopback(inp, key="tcp_loopback"):
    tl = as_dict(as_dict(inp.get("kmig")).get(key))
    ns = num(tl.get("time_ns"))
    return tl.get("bytes"), ns, gib_s(tl.get("bytes"),
                                      None if ns is None else ns / 1e9)


def pool_size(inp, key):
    tl = as_dict(as_dict(inp.get("kmig")).get(key))
    n = num(tl.get("pool_pages"))
    return None if n is None else int(n) * 4096


def t2_random(inp):
    kr = Runs()
    for r in as_list(as_dict(inp.get("kmig")).get("random")):
        if isinstance(r, dict):
            ns = num(r.get("time_ns"))
            ch = num(r.get("channels"))
            kr.add(None if ch is None else int(ch), r.get("size_bytes"),
                   None if ns is None else ns / 1e9, r)
    qr = qemu_runs(inp)
    lb_bytes, lb_ns, lb = loopback(inp)

    std_k = [1, 2, 4]
    extra_k = [k for k in kr.keys() if k not in std_k]
    std_q = [("random", n) for n in (0, 1, 2, 4)]
    extra_q = [k for k in qr.keys() if k not in std_q and k[0] == "random"]

    rows, data, pairs, lbr = [], [], [], []
    for ch in std_k + extra_k:
        run = kr.get(ch)
        q = qr.get(("random", ch))
        rq = ratio(gib_of(run), gib_of(q))
        rl = ratio(gib_of(run), lb)
        rows.append(["kmig", str(ch)] + run_cells(run) + [f2(rq), f2(rl)])
        data.append({"system": "kmig", "channels": ch, "run": strip_raw(run),
                     "kmig_over_qemu": rq, "kmig_over_loopback": rl})
        if rq is not None:
            pairs.append(("%s channel%s" % (ch, "" if ch == 1 else "s"),
                          rq))
        if rl is not None:
            lbr.append((ch, rl))
    # The same migrations into a destination whose pages exist already
    # (preallocated): what page allocation costs the receiving side.
    kp = Runs()
    for r in as_list(as_dict(inp.get("kmig")).get("random_dest_prealloc")):
        if isinstance(r, dict):
            ns = num(r.get("time_ns"))
            ch = num(r.get("channels"))
            kp.add(None if ch is None else int(ch), r.get("size_bytes"),
                   None if ns is None else ns / 1e9, r)
    for ch in kp.keys():
        run = kp.get(ch)
        rq = ratio(gib_of(run), gib_of(qr.get(("random", ch))))
        rl = ratio(gib_of(run), lb)
        rows.append(["kmig, destination preallocated", str(ch)]
                    + run_cells(run) + [f2(rq), f2(rl)])
        data.append({"system": "kmig-dest-prealloc", "channels": ch,
                     "run": strip_raw(run), "kmig_over_qemu": rq,
                     "kmig_over_loopback": rl})
    for key in std_q + extra_q:
        ch = key[1]
        run = qr.get(key)
        rows.append(["QEMU " + ("no multifd" if ch == 0 else "multifd"),
                     NA if ch == 0 else str(ch)] + run_cells(run)
                    + [NA, NA])
        data.append({"system": "QEMU", "multifd": ch != 0, "channels": ch,
                     "run": strip_raw(run)})
    for key, what in (("tcp_loopback", "cold pages"),
                      ("tcp_loopback_hot", "hot pages")):
        b, ns, g = loopback(inp, key)
        pool = pool_size(inp, key)
        if key != "tcp_loopback" and b is None:
            continue
        ms = None if ns is None else ns / 1e6
        label = "in-kernel TCP loopback, %s" % what
        if pool is not None:
            label += " (%s pool)" % fsize(pool)
        rows.append([label, "1", fsize(b),
                     NM if ms is None else "%.1f" % ms, f2(g), NA, NA])
        data.append({"system": key, "bytes": num(b), "pool_bytes": pool,
                     "time_ns": ns, "gib_s": g})

    notes = []
    gk = [(d["channels"], gib_of(d["run"])) for d in data
          if d["system"] == "kmig" and gib_of(d["run"]) is not None]
    if gk:
        b = max(gk, key=lambda x: x[1])
        notes.append("Fastest kmig: %s channel%s at %.2f GiB/s." % (
            b[0], "" if b[0] == 1 else "s", b[1]))
    gq = [(d["channels"], gib_of(d["run"])) for d in data
          if d["system"] == "QEMU" and gib_of(d["run"]) is not None]
    if gq:
        b = max(gq, key=lambda x: x[1])
        notes.append("Fastest QEMU: %s at %.2f GiB/s." % (
            "no multifd" if b[0] == 0 else "multifd %d" % b[0], b[1]))
    span = ratio_span(pairs, "kmig/QEMU")
    if span:
        notes.append(span)
    if lb is not None:
        s = "In-kernel TCP loopback over cold pages: %.2f GiB/s" % lb
        if lbr:
            s += "; kmig/loopback: %s" % ", ".join(
                "%.2f (%s channel%s)" % (r, ch, "" if ch == 1 else "s")
                for ch, r in lbr)
        notes.append(s + ".")
    return {"id": "T2", "title": "Non-zero pages",
            "columns": ["System", "Channels", "Size", "Total time (ms)",
                        "GiB/s", "kmig/QEMU", "kmig/TCP loopback"],
            "rows": rows, "data": data, "notes": notes,
            "legend": "GiB/s of page data (size / time). kmig with N "
                      "channels is compared with QEMU multifd N, and with "
                      "one in-kernel TCP stream over loopback that cycles "
                      "through a pool of pages larger than the caches on "
                      "each side (cold). The hot row reuses one batch of "
                      "pages: the stack's best case, not a limit for a "
                      "migration."}


def t3_zerocheck(inp):
    ms = as_dict(inp.get("memscan"))
    limit = {}
    for case in ("cold", "hot"):
        c = as_dict(ms.get(case))
        ns = num(c.get("time_ns"))
        nb = c.get("bytes")
        if case == "hot":
            bpp, passes = num(c.get("bytes_per_pass")), num(c.get("passes"))
            nb = None if bpp is None or passes is None else bpp * passes
        g = gib_s(nb, None if ns is None else ns / 1e9)
        if g is None:
            g = pos(c.get("gib_s"))
        limit[case] = g

    zc = {}
    order = ["generic", "sse2", "avx2", "avx512"]
    for r in as_list(as_dict(inp.get("kmig")).get("zerocheck")):
        if not isinstance(r, dict):
            continue
        impl, case = r.get("impl"), r.get("case")
        ns = num(r.get("time_ns"))
        g = gib_s(r.get("bytes"), None if ns is None else ns / 1e9)
        if g is None:
            continue
        zc.setdefault((impl, case), []).append(g)
        if impl not in order:
            order.append(impl)

    rows = [["memory read limit (memscan, userspace AVX2)",
             f2(limit["cold"]), "1.00" if limit["cold"] else NM,
             f2(limit["hot"]), "1.00" if limit["hot"] else NM]]
    data = [{"impl": "memscan", "cold_gib_s": limit["cold"],
             "hot_gib_s": limit["hot"]}]
    for impl in order:
        cold = median(zc.get((impl, "cold"), []))
        hot = median(zc.get((impl, "hot"), []))
        fc, fh = ratio(cold, limit["cold"]), ratio(hot, limit["hot"])
        rows.append([str(impl), f2(cold), f2(fc), f2(hot), f2(fh)])
        data.append({"impl": impl, "cold_gib_s": cold, "hot_gib_s": hot,
                     "cold_fraction_of_limit": fc,
                     "hot_fraction_of_limit": fh})

    notes = []
    for case in ("cold", "hot"):
        v = [(d["impl"], d[case + "_gib_s"]) for d in data[1:]
             if d[case + "_gib_s"] is not None]
        if not v:
            continue
        b = max(v, key=lambda x: x[1])
        s = "%s: fastest is %s at %.2f GiB/s" % (case.capitalize(), b[0],
                                                  b[1])
        fr = ratio(b[1], limit[case])
        if fr is not None:
            s += ", %.2f of the memory read limit (%.2f GiB/s)" % (
                fr, limit[case])
        w = min(v, key=lambda x: x[1])
        if w[0] != b[0]:
            s += "; slowest is %s at %.2f GiB/s" % w
        notes.append(s + ".")
    return {"id": "T3", "title": "Zero check",
            "columns": ["Implementation", "Cold GiB/s", "Cold / limit",
                        "Hot GiB/s", "Hot / limit"],
            "rows": rows, "data": data, "notes": notes,
            "legend": "Cold: a buffer larger than the caches, read once; "
                      "hot: a cache-resident buffer read repeatedly. "
                      "Limit: memscan cold for cold rows, memscan hot for "
                      "hot rows."}


def t4_colo(inp):
    groups = {}
    for r in as_list(as_dict(inp.get("kmig")).get("colo")):
        if not isinstance(r, dict):
            continue
        ch = num(r.get("channels"))
        key = (r.get("load"), None if ch is None else int(ch))
        groups.setdefault(key, r)   # the first entry of a configuration

    keys = [(ld, ch) for ld in ("idle", "load") for ch in (1, 4)]
    for k in groups:
        if k not in keys:
            keys.append(k)
    loads = []
    for k in keys:
        if k[0] not in loads:
            loads.append(k[0])
    keys.sort(key=lambda k: (loads.index(k[0]),
                             k[1] if k[1] is not None else 1 << 30))

    rows, data, notes = [], [], []
    for ld in loads:
        p99_by_ch = {}
        for k in [k for k in keys if k[0] == ld]:
            r = groups.get(k)
            if r is None:
                rows.append([str(ld), str(k[1])] + [NM] * 8)
                data.append({"load": ld, "channels": k[1], "measured": False})
                continue
            tr = as_list(r.get("transfer_ms"))
            d = {"load": ld, "channels": k[1], "measured": True,
                 "checkpoints": num(r.get("checkpoints")),
                 "interval_ms": num(r.get("interval_ms")),
                 "transfer_mean_ms": mean(tr),
                 "transfer_p50_ms": nearest_rank(tr, 50),
                 "transfer_p99_ms": nearest_rank(tr, 99),
                 "transfer_max_ms": nearest_rank(tr, 100),
                 "pause_p99_ms": nearest_rank(as_list(r.get("pause_ms")),
                                              99),
                 "pages_mean": mean(as_list(r.get("pages")))}
            if d["checkpoints"] is None:
                d["checkpoints"] = len([x for x in tr
                                        if num(x) is not None]) or None
            p99_by_ch[k[1]] = d["transfer_p99_ms"]
            rows.append([str(ld), str(k[1]), fint(d["checkpoints"]),
                         fint(d["interval_ms"]),
                         f2(d["transfer_mean_ms"]), f2(d["transfer_p50_ms"]),
                         f2(d["transfer_p99_ms"]), f2(d["transfer_max_ms"]),
                         f2(d["pause_p99_ms"]), f2(d["pages_mean"], 1)])
            data.append(d)
        rt = ratio(p99_by_ch.get(4), p99_by_ch.get(1))
        rows.append(["%s: p99 ratio 4 vs 1" % ld, "", "", "", "", "",
                     f2(rt), "", "", ""])
        data.append({"load": ld, "p99_ratio_4_vs_1": rt})
        if rt is not None:
            notes.append("%s: p99 transfer with 4 channels is %.2f of that "
                         "with 1 (%.2f ms vs %.2f ms)." % (
                             str(ld).capitalize(), rt, p99_by_ch[4],
                             p99_by_ch[1]))
    mx = [(d["transfer_max_ms"], d["load"], d["channels"]) for d in data
          if d.get("transfer_max_ms") is not None]
    if mx:
        m = max(mx, key=lambda x: x[0])
        notes.append("Longest transfer: %.2f ms (%s, %s channel%s)." % (
            m[0], m[1], m[2], "" if m[2] == 1 else "s"))
    return {"id": "T4", "title": "COLO checkpoints",
            "columns": ["Load", "Channels", "Checkpoints", "Interval (ms)",
                        "Transfer mean (ms)", "Transfer p50 (ms)",
                        "Transfer p99 (ms)", "Transfer max (ms)",
                        "Pause p99 (ms)", "Pages per checkpoint (mean)"],
            "rows": rows, "data": data, "notes": notes,
            "legend": "Computed from the per-checkpoint lists; p50 and p99 "
                      "are nearest-rank."}


def t5_memory(inp):
    mem = as_dict(as_dict(inp.get("kmig")).get("memory"))
    region = pos(mem.get("region_bytes"))
    bm = as_dict(mem.get("bitmaps"))
    items = [("page index", mem.get("page_index_bytes"))]
    names = ["dirty", "received", "pending", "colo_ckpt", "colo_flush"]
    names += [k for k in bm if k not in names]
    items += [("bitmap %s" % n, bm.get(n)) for n in names]

    def per_gib(b):
        b = num(b)
        return None if b is None or region is None else b * GIB / region

    rows, data = [], []
    total, missing = 0.0, 0
    for name, b in items:
        b = num(b)
        if b is None:
            missing += 1
        else:
            total += b
        pg = per_gib(b)
        pct = ratio(b, region)
        rows.append([name, fbytes(b), fbytes(pg),
                     NM if pct is None else "%.4f %%" % (pct * 100)])
        data.append({"item": name, "bytes": b, "bytes_per_gib": pg,
                     "fraction_of_region": pct})
    have = len(items) - missing
    tot = total if have else None
    label = "total metadata" + (" (of the measured items)"
                                if have and missing else "")
    pct = ratio(tot, region)
    rows.append([label, fbytes(tot), fbytes(per_gib(tot)),
                 NM if pct is None else "%.4f %%" % (pct * 100)])
    data.append({"item": "total", "bytes": tot,
                 "bytes_per_gib": per_gib(tot), "fraction_of_region": pct,
                 "items_missing": missing})

    cache = num(mem.get("colo_cache_bytes"))
    populated = pos(mem.get("populated_bytes"))
    cpg = None if cache is None or populated is None \
        else cache * GIB / populated
    colo_rows = [["COLO cache", fbytes(cache), fbytes(populated),
                  fbytes(cpg)]]
    data.append({"item": "colo_cache", "bytes": cache,
                 "populated_bytes": populated,
                 "bytes_per_gib_populated": cpg})

    notes = []
    if tot is not None and region is not None:
        notes.append("Metadata for a %s region: %s per GiB of region "
                     "(%.4f %% of it)%s." % (
                         fsize(region), fsize(per_gib(tot)), pct * 100,
                         ", %d item(s) not measured" % missing
                         if missing else ""))
        biggest = max(((d["item"], d["bytes"]) for d in data[:len(items)]
                       if d["bytes"] is not None), key=lambda x: x[1])
        notes.append("Largest item: %s (%s per GiB)." % (
            biggest[0], fsize(per_gib(biggest[1]))))
    if cpg is not None:
        notes.append("COLO cache: %s per GiB of populated memory." %
                     fsize(cpg))
    return {"id": "T5", "title": "Memory overhead",
            "columns": ["Structure",
                        "Bytes (region of %s)" % (fsize(region) if region
                                                  else NM),
                        "Bytes per GiB of region", "Share of region"],
            "rows": rows,
            "extra": {"columns": ["", "Bytes", "Populated bytes",
                                  "Bytes per GiB of populated memory"],
                      "rows": colo_rows},
            "data": data, "notes": notes,
            "legend": "Metadata kmig keeps per region (page index and "
                      "bitmaps); the COLO cache, which holds pages and so "
                      "scales with populated memory, separately."}


TABLES = (t1_zero, t2_random, t3_zerocheck, t4_colo, t5_memory)
TITLES = ("Zero pages", "Non-zero pages", "Zero check", "COLO checkpoints",
          "Memory overhead")


def build(inp):
    tables = []
    for i, fn in enumerate(TABLES):
        try:
            t = fn(inp)
        except Exception as e:  # a malformed input must not end the report
            t = {"id": "T%d" % (i + 1), "title": TITLES[i],
                 "columns": ["Result"], "rows": [[NM]], "data": [],
                 "notes": ["Could not be computed from the input: %s: %s"
                           % (type(e).__name__, e)], "legend": ""}
        tables.append(t)
    return tables


def markdown(tables, inp, problems):
    cap = caption(inp)
    out = ["# kmig bench results", ""]
    if problems:
        out += ["Inputs: " + "; ".join(problems) + ".", ""]
    for t in tables:
        out += ["## %s %s" % (t["id"], t["title"]), "", cap, ""]
        if t.get("legend"):
            out += [t["legend"], ""]
        out += [md_table(t["columns"], t["rows"]), ""]
        if t.get("extra"):
            out += [md_table(t["extra"]["columns"], t["extra"]["rows"]), ""]
        notes = t.get("notes") or ["No measurements."]
        out += ["Notes: " + " ".join(notes), ""]
    return "\n".join(out)


def main(argv):
    if len(argv) != 2 or argv[1] in ("-h", "--help"):
        sys.stderr.write("usage: report.py DIR\n")
        return 2
    d = argv[1]
    if not os.path.isdir(d):
        sys.stderr.write("report.py: %s: not a directory\n" % d)
        return 2
    inp, problems = load_inputs(d)
    tables = build(inp)
    if QEMU_WALL:
        problems.append(
            "QEMU reported total-time 0 for %s: their time is the wall time "
            "from the migrate command to status completed"
            % ", ".join(sorted(set(QEMU_WALL))))
    md = markdown(tables, inp, problems)
    merged = {"inputs": inp, "problems": problems,
              "qemu_wall_time_runs": sorted(set(QEMU_WALL)),
              "caption": caption(inp).strip("*"),
              "tables": {t["id"]: {k: t[k] for k in t if k != "id"}
                         for t in tables}}
    with open(os.path.join(d, "results.md"), "w", encoding="utf-8") as f:
        f.write(md)
    with open(os.path.join(d, "results.json"), "w", encoding="utf-8") as f:
        json.dump(merged, f, indent=1, sort_keys=True)
        f.write("\n")
    sys.stdout.write(md)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
