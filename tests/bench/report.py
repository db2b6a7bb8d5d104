#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Tables of one make bench run of R rounds.

    report.py DIR

Reads DIR/machine.json and the raw figures of every round:
DIR/memscan-rN.json, DIR/qemu-rN.json, DIR/kmig-rN.json and
DIR/longlink-rN.json (tests/bench/hosts-bench.sh) (N = 1, 2, ...;
a plain memscan.json, qemu.json or kmig.json counts as round 1 of its
kind when there is no rN file of that kind). Any of them may be missing
or unreadable: the cells that need it then say "not measured". Writes
DIR/results.md (Markdown tables T1..T8, each with a caption, notes, its
outliers and the load of its runs) and DIR/results.json (the inputs as
read, per round; the rows of every table with every round's value and
the statistics; the outliers; the load summary; the missing inputs), and
prints the Markdown on stdout.

Statistics, for every configuration over its runs (one per round, or
more when a round repeated one):
  * median (min-max) and n. Percentiles are nearest-rank (the
    ceil(n * p / 100)-th smallest value).
  * A ratio (kmig/QEMU, kmig/limit, ...) is the ratio of the medians. It
    is marked "n.s." (not significant) when the two sides' ranges
    [min, max] overlap, and "(n=1)" when a side has one value only (one
    round: no range to compare).
  * Outliers: a value x with |x - median| > 3 * max(1.4826 * MAD,
    0.01 * |median|) (MAD: the median of |x_i - median|, 1.4826 * MAD
    estimates the standard deviation of normal data; the 1 % floor keeps
    values that are all but identical, such as QEMU's whole milliseconds,
    from making any small difference an outlier), for n >= 3. Listed
    under the table with the configuration, the round and the value;
    never dropped: the medians include them.
  * Load: every run carries the record of the CPU probe before it
    (tests/bench/loadprobe.py); each table says how many of its runs
    waited for the CPU (retried) and ran on a busy CPU (flagged busy),
    and names the latter.
Conventions: GiB/s = bytes / 2^30 / seconds, computed per run, then the
statistics. Python 3 standard library only.
"""

import json
import math
import os
import re
import sys

try:  # the per-page profile's tables (tests/bench/profile_uml.py's data)
    import report_profile
except ImportError:  # pragma: no cover
    report_profile = None

NM = "not measured"
NA = "-"
GIB = 1 << 30
MIB = 1 << 20
KIB = 1 << 10
KINDS = ("memscan", "qemu", "kmig", "longlink")
BUSY_NAMED = 6     # busy runs named under a table (all in Load)
OUTLIER_K = 3.0
MAD_SCALE = 1.4826
OUTLIER_FLOOR = 0.01
OUTLIER_RULE = ("|x - median| > 3 x max(1.4826 x MAD, 1 % of the median), "
                "n >= 3")


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


# ------------------------------------------------------------- statistics

def stat(values):
    """values: [(round, value)]. None when no value is a number; else
    n, median, min, max, the values and the outliers (round, value)."""
    v = [(r, num(x)) for r, x in values]
    v = [(r, x) for r, x in v if x is not None]
    if not v:
        return None
    xs = [x for _, x in v]
    med = median(xs)
    out = []
    if len(xs) >= 3:
        mad = median([abs(x - med) for x in xs])
        scale = max(MAD_SCALE * mad, OUTLIER_FLOOR * abs(med))
        out = [[r, x] for r, x in v if abs(x - med) > OUTLIER_K * scale]
    return {"n": len(xs), "median": med, "min": min(xs), "max": max(xs),
            "values": [[r, x] for r, x in v], "outliers": out}


def fstat(st, nd=2, scale=1.0):
    """'10.20 (9.80-11.00)', '10.20' for one value, NM for None."""
    if st is None:
        return NM
    if st["n"] == 1 or st["min"] == st["max"]:
        return "%.*f" % (nd, st["median"] * scale)
    return "%.*f (%.*f–%.*f)" % (nd, st["median"] * scale, nd,
                                 st["min"] * scale, nd, st["max"] * scale)


def sratio(a, b):
    """Ratio of the medians of two stats, and its significance: True
    (the ranges do not overlap), False (they do: n.s.), None (a side
    has one value). (None, None) when a side is missing."""
    if a is None or b is None:
        return None, None
    r = ratio(a["median"], b["median"])
    if r is None:
        return None, None
    if a["n"] < 2 or b["n"] < 2:
        return r, None
    overlap = a["min"] <= b["max"] and b["min"] <= a["max"]
    return r, not overlap


def fratio(r, sig):
    if r is None:
        return NM
    s = "%.2f" % r
    if sig is False:
        s += " n.s."
    elif sig is None:
        s += " (n=1)"
    return s


def ratio_data(a, b):
    r, sig = sratio(a, b)
    return {"ratio": r, "significant": sig}


# ---------------------------------------------------------------- inputs

def read_json(path, problems, name):
    try:
        with open(path, encoding="utf-8") as f:
            v = json.load(f)
    except (OSError, ValueError) as e:
        problems.append("%s: unreadable (%s)" % (name, e))
        return None
    if not isinstance(v, dict):
        problems.append("%s: not a JSON object" % name)
        return None
    return v


def load_inputs(d):
    """{"machine": dict or None, "memscan"|"qemu"|"kmig": {round: dict}},
    problems (list of strings)."""
    inp, problems = {"machine": None}, []
    path = os.path.join(d, "machine.json")
    if os.path.exists(path):
        inp["machine"] = read_json(path, problems, "machine.json")
    else:
        problems.append("machine.json: missing")
    names = sorted(os.listdir(d))
    for kind in KINDS:
        inp[kind] = {}
        pat = re.compile(r"^%s-r(\d+)\.json$" % kind)
        files = sorted(((int(m.group(1)), n) for n in names
                        for m in [pat.match(n)] if m))
        if not files and kind + ".json" in names:
            files = [(1, kind + ".json")]
        for r, n in files:
            v = read_json(os.path.join(d, n), problems, n)
            if v is not None:
                inp[kind][r] = v
        if not files:
            problems.append("%s: no %s-rN.json" % (kind, kind))
    return inp, problems


def rounds_of(inp, kind):
    """[(round, dict)] in round order."""
    return sorted(as_dict(inp.get(kind)).items())


def n_rounds(inp):
    rs = set()
    for k in KINDS:
        rs |= set(as_dict(inp.get(k)))
    return len(rs)


def caption(inp):
    m = as_dict(inp.get("machine"))
    k = next((v for _, v in rounds_of(inp, "kmig")), {})
    q = next((v for _, v in rounds_of(inp, "qemu")), {})

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
    uml = m.get("uml_kernel") or as_dict(k).get("kernel")
    qv = m.get("qemu_version") or as_dict(q).get("qemu_version")
    return ("*Machine: %s; host kernel: %s; kmig kernel: %s; QEMU: %s; "
            "commit: %s; command: `%s`; rounds: %d; date: %s.*" % (
                machine, s(m.get("host_kernel")), s(uml), s(qv),
                s(m.get("commit")), s(m.get("command")), n_rounds(inp),
                s(m.get("date"))))


# ------------------------------------------------------------ run lookups

class Runs:
    """The runs of each configuration over the rounds, as GiB/s and time."""

    def __init__(self):
        self.ok = {}       # key -> list of (round, size_bytes, time_s, entry)
        self.failed = {}   # key -> list of (round, status)
        self.order = []

    def add(self, key, rnd, size, seconds, entry, status=None):
        if key not in self.order:
            self.order.append(key)
        if status not in (None, "completed"):
            self.failed.setdefault(key, []).append((rnd, str(status)))
            return
        if pos(size) is None or pos(seconds) is None:
            return
        self.ok.setdefault(key, []).append((rnd, size, seconds, entry))

    def get(self, key):
        """dict(size_bytes, time (stat, s), gib (stat), n, failed, probes)
        or None; {"failed": [...]} if every run failed."""
        runs = self.ok.get(key)
        failed = self.failed.get(key, [])
        if not runs:
            if failed:
                return {"failed": failed}
            return None
        return {"size_bytes": median([r[1] for r in runs]),
                "time": stat([(r[0], r[2]) for r in runs]),
                "gib": stat([(r[0], gib_s(r[1], r[2])) for r in runs]),
                "n": len(runs), "failed": failed,
                "probes": [(r[0], as_dict(r[3]).get("probe"))
                           for r in runs]}

    def keys(self):
        return list(self.order)


# QEMU runs whose time is the wall time (QEMU reported total-time 0).
QEMU_WALL = []


def qemu_runs(inp):
    runs = Runs()
    for rnd, q in rounds_of(inp, "qemu"):
        for r in as_list(q.get("runs")):
            if not isinstance(r, dict):
                continue
            ch = num(r.get("channels"))
            if r.get("multifd") is False or ch is None:
                ch = 0
            ms = num(r.get("total_time_ms"))
            if not ms and num(r.get("migrate_wall_ms")):
                # QEMU 7.2 sometimes reports a completed migration with
                # total-time (and downtime) 0: use the wall time from the
                # migrate command to status completed instead, which is
                # within about 70 ms of total-time where both exist, and
                # say so.
                ms = num(r.get("migrate_wall_ms"))
                QEMU_WALL.append("%s/%s r%d" % (r.get("case"), int(ch), rnd))
            runs.add((r.get("case"), int(ch)), rnd, r.get("size_bytes"),
                     None if ms is None else ms / 1e3, r, r.get("status"))
    return runs


def kmig_runs(inp, field, keyfn):
    runs = Runs()
    for rnd, k in rounds_of(inp, "kmig"):
        for r in as_list(k.get(field)):
            if isinstance(r, dict):
                ns = num(r.get("time_ns"))
                runs.add(keyfn(r), rnd, r.get("size_bytes"),
                         None if ns is None else ns / 1e9, r)
    return runs


def chan(r):
    ch = num(r.get("channels"))
    return None if ch is None else int(ch)


def run_cells(run):
    """n, time (ms), GiB/s cells of a Runs.get() result."""
    if run is None:
        return [NM, NM, NM]
    if "time" not in run:
        f = "status: %s" % ", ".join(sorted(set(s for _, s in run["failed"])))
        return ["0", f, NM]
    n = str(run["n"])
    if run["failed"]:
        n += " (+%d failed)" % len(run["failed"])
    return [n, fstat(run["time"], 1, 1e3), fstat(run["gib"])]


def gib_of(run):
    return None if run is None else run.get("gib")


def med(st):
    return None if st is None else st["median"]


def strip_run(run):
    if run is None:
        return None
    return {k: v for k, v in run.items() if k != "probes"}


def ratio_span(rs, what):
    """'kmig/QEMU is a..b (k of n faster)' from [(label, ratio, sig)]."""
    rs = [x for x in rs if x[1] is not None]
    if not rs:
        return None
    lo = min(rs, key=lambda x: x[1])
    hi = max(rs, key=lambda x: x[1])
    faster = sum(1 for x in rs if x[1] > 1 and x[2] is not False)
    ns = sum(1 for x in rs if x[2] is False)
    return ("%s ranges from %.2f (%s) to %.2f (%s); kmig is faster in %d "
            "of %d compared configurations%s." % (
                what, lo[1], lo[0], hi[1], hi[0], faster, len(rs),
                " (%d not significant)" % ns if ns else ""))


class Table:
    """Collects a table's outliers and the probes of its runs."""

    def __init__(self):
        self.outliers = []   # (label, round, value, median, unit)
        self.probes = []     # (label, round, probe record)

    def watch(self, label, st, unit="GiB/s", probes=()):
        if st:
            for rnd, x in st["outliers"]:
                self.outliers.append((label, rnd, x, st["median"], unit))
        for rnd, p in probes:
            if isinstance(p, dict):
                self.probes.append((label, rnd, p))

    def watch_run(self, label, run):
        if run and "gib" in run:
            self.watch(label, run["gib"], "GiB/s", run["probes"])

    def finish(self, t):
        t["outliers"] = [{"config": lbl, "round": rnd, "value": x,
                          "median": m, "unit": u}
                         for lbl, rnd, x, m, u in self.outliers]
        t["load"] = load_summary(self.probes)
        return t


def load_summary(probes):
    retried = [(lbl, rnd, p) for lbl, rnd, p in probes
               if (num(p.get("retries")) or 0) > 0]
    busy = [(lbl, rnd, p) for lbl, rnd, p in probes if p.get("busy") is True]
    ratios = [num(p.get("probe_ratio")) for _, _, p in probes]
    return {"runs": len(probes), "retried": len(retried), "busy": len(busy),
            "busy_runs": [{"config": lbl, "round": rnd,
                           "probe_ratio": p.get("probe_ratio")}
                          for lbl, rnd, p in busy],
            "probe_ratio_max": max([x for x in ratios if x is not None],
                                   default=None)}


def load_line(ld):
    if not ld["runs"]:
        return "Load: no probe records."
    s = ("Load: %d run%s probed, %d retried, %d flagged busy" % (
        ld["runs"], "" if ld["runs"] == 1 else "s", ld["retried"],
        ld["busy"]))
    if ld["busy_runs"]:
        named = ld["busy_runs"][:BUSY_NAMED]
        more = len(ld["busy_runs"]) - len(named)
        s += " (%s%s)" % (", ".join(
            "%s r%s: %s" % (b["config"], b["round"],
                            f2(b["probe_ratio"]) + "x")
            for b in named), ", and %d more: see Load" % more
            if more else "")
    return s + "."


def outlier_lines(t):
    if not t.get("outliers"):
        return ["Outliers (%s): none." % OUTLIER_RULE]
    out = ["Outliers (%s), kept in the medians:" % OUTLIER_RULE, ""]
    for o in t["outliers"]:
        out.append("* %s, round %s: %s (median %s)" % (
            o["config"], o["round"],
            ("%s %s" % (f2(o["value"]), o["unit"] or "")).strip(),
            f2(o["median"])))
    return out


# ------------------------------------------------------------------ tables

MODENAME = {"main": "main thread", "channel": "channels", "none": "none"}


def zero_runs(inp):
    return kmig_runs(inp, "zero", lambda r: (r.get("case"), r.get("mode"),
                                             chan(r)))


def qemu_label(case, ch):
    return "QEMU %s %s" % (str(case).replace("zero-", "", 1),
                           "no multifd" if ch == 0 else "multifd %d" % ch)


def t1_zero(inp):
    tb = Table()
    kz = zero_runs(inp)
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
        rt, sig = sratio(gib_of(run), gib_of(q))
        modename = MODENAME.get(mode, str(mode))
        rows.append(["kmig", case, modename, str(ch),
                     fsize(run and run.get("size_bytes"))] + run_cells(run)
                    + [NA if qkey is None else fratio(rt, sig)])
        data.append({"system": "kmig", "case": case, "mode": mode,
                     "channels": ch, "run": strip_run(run),
                     "qemu_key": list(qkey) if qkey else None,
                     "kmig_over_qemu": rt, "significant": sig})
        tb.watch_run("kmig %s %s/%s" % (case, mode, ch), run)
        if rt is not None:
            pairs.setdefault(case, []).append(
                ("%s %s/%s" % (case, mode, ch), rt, sig))
    for key in std_q + extra_q:
        case, ch = key
        run = qr.get(key)
        rows.append(["QEMU", str(case).replace("zero-", "", 1),
                     "no multifd" if ch == 0 else "multifd",
                     NA if ch == 0 else str(ch),
                     fsize(run and run.get("size_bytes"))] + run_cells(run)
                    + [NA])
        data.append({"system": "QEMU", "case": case,
                     "multifd": ch != 0, "channels": ch,
                     "run": strip_run(run)})
        tb.watch_run(qemu_label(case, ch), run)

    notes = []
    for case in ("written", "untouched"):
        best = None
        for d in data:
            if d["system"] == "kmig" and d["case"] == case:
                g = med(gib_of(d["run"]))
                if g is not None and (best is None or g > best[1]):
                    best = ("%s/%s" % (d["mode"], d["channels"]), g)
        bq = None
        for d in data:
            if d["system"] == "QEMU" and d["case"] == "zero-" + case:
                g = med(gib_of(d["run"]))
                if g is not None and (bq is None or g > bq[1]):
                    bq = ("no multifd" if d["channels"] == 0
                          else "multifd %d" % d["channels"], g)
        parts = []
        if best:
            parts.append("fastest kmig (median): %s at %.2f GiB/s" % best)
        if bq:
            parts.append("fastest QEMU (median): %s at %.2f GiB/s" % bq)
        span = ratio_span(pairs.get(case, []), "kmig/QEMU")
        if parts or span:
            notes.append("%s zero pages: %s%s" % (
                case.capitalize(), "; ".join(parts) + ". " if parts else "",
                span or ""))
    return tb.finish({
        "id": "T1", "title": "Zero pages",
        "columns": ["System", "Case", "Mode", "Channels", "Size", "n",
                    "Total time (ms)", "GiB/s", "kmig/QEMU"],
        "rows": rows, "data": data, "notes": notes,
        "legend": "Median (min–max) over the rounds. kmig main-thread mode "
                  "is compared with QEMU without multifd, channel mode N "
                  "with QEMU multifd N; the ratio is of the median GiB/s, "
                  "n.s. when the two ranges overlap."})


LOOPBACK_MS = {}   # key -> stat of the time in ms, for T2


def loopback_stat(inp, key="tcp_loopback"):
    """stat of GiB/s over the rounds, the bytes and pool size, probes."""
    vals, ms, nbytes, pool, probes = [], [], None, None, []
    for rnd, k in rounds_of(inp, "kmig"):
        tl = as_dict(k.get(key))
        ns = num(tl.get("time_ns"))
        g = gib_s(tl.get("bytes"), None if ns is None else ns / 1e9)
        if g is None:
            continue
        vals.append((rnd, g))
        ms.append((rnd, ns / 1e6))
        nbytes = tl.get("bytes")
        n = num(tl.get("pool_pages"))
        pool = None if n is None else int(n) * 4096
        probes.append((rnd, tl.get("probe")))
    LOOPBACK_MS[key] = stat(ms)
    return stat(vals), nbytes, pool, probes


def random_runs(inp, field="random"):
    return kmig_runs(inp, field, chan)


def t2_random(inp):
    tb = Table()
    kr = random_runs(inp)
    qr = qemu_runs(inp)
    lb, _, _, _ = loopback_stat(inp)

    std_k = [1, 2, 4]
    extra_k = [k for k in kr.keys() if k not in std_k]
    std_q = [("random", n) for n in (0, 1, 2, 4)]
    std_q += [("random-dst-prealloc", n) for n in (0, 1, 2, 4)
              if ("random-dst-prealloc", n) in qr.keys()]
    extra_q = [k for k in qr.keys() if k not in std_q and
               str(k[0]).startswith("random")]

    rows, data, pairs, lbr = [], [], [], []
    for ch in std_k + extra_k:
        run = kr.get(ch)
        q = qr.get(("random", ch))
        rq, sq = sratio(gib_of(run), gib_of(q))
        rl, sl = sratio(gib_of(run), lb)
        rows.append(["kmig", str(ch), fsize(run and run.get("size_bytes"))]
                    + run_cells(run) + [fratio(rq, sq), fratio(rl, sl)])
        data.append({"system": "kmig", "channels": ch, "run": strip_run(run),
                     "kmig_over_qemu": rq, "qemu_significant": sq,
                     "kmig_over_loopback": rl, "loopback_significant": sl})
        tb.watch_run("kmig random %s ch" % ch, run)
        if rq is not None:
            pairs.append(("%s channel%s" % (ch, "" if ch == 1 else "s"),
                          rq, sq))
        if rl is not None:
            lbr.append((ch, rl, sl))
    # The same migrations into a destination whose pages exist already
    # (preallocated): what page allocation costs the receiving side.
    # Compared with QEMU into a preallocated destination too, where that
    # ran (qemu-anchor.py's random-dst-prealloc), else with plain random.
    kp = random_runs(inp, "random_dest_prealloc")
    for ch in kp.keys():
        run = kp.get(ch)
        q = qr.get(("random-dst-prealloc", ch)) or qr.get(("random", ch))
        rq, sq = sratio(gib_of(run), gib_of(q))
        rl, sl = sratio(gib_of(run), lb)
        rows.append(["kmig, destination preallocated", str(ch),
                     fsize(run and run.get("size_bytes"))]
                    + run_cells(run) + [fratio(rq, sq), fratio(rl, sl)])
        data.append({"system": "kmig-dest-prealloc", "channels": ch,
                     "run": strip_run(run), "kmig_over_qemu": rq,
                     "qemu_significant": sq, "kmig_over_loopback": rl,
                     "loopback_significant": sl})
        tb.watch_run("kmig random %s ch, destination preallocated" % ch, run)
    for key in std_q + extra_q:
        ch = key[1]
        run = qr.get(key)
        rows.append(["QEMU " + ("no multifd" if ch == 0 else "multifd") +
                     (", destination preallocated" if key[0] ==
                      "random-dst-prealloc" else ""),
                     NA if ch == 0 else str(ch),
                     fsize(run and run.get("size_bytes"))] + run_cells(run)
                    + [NA, NA])
        data.append({"system": "QEMU" if key[0] == "random" else
                     "QEMU-dest-prealloc", "multifd": ch != 0,
                     "channels": ch, "run": strip_run(run)})
        tb.watch_run(qemu_label(key[0], ch), run)
    for key, what in (("tcp_loopback", "cold pages"),
                      ("tcp_loopback_hot", "hot pages")):
        st, b, pool, probes = loopback_stat(inp, key)
        if key != "tcp_loopback" and st is None:
            continue
        label = "in-kernel TCP loopback, %s" % what
        if pool is not None:
            label += " (%s pool)" % fsize(pool)
        rows.append([label, "1", fsize(b), NM if st is None else
                     str(st["n"]), fstat(LOOPBACK_MS.get(key), 1),
                     fstat(st), NA, NA])
        data.append({"system": key, "bytes": num(b), "pool_bytes": pool,
                     "gib": st})
        tb.watch(label, st, probes=probes)

    notes = []
    gk = [(d["channels"], med(gib_of(d["run"]))) for d in data
          if d["system"] == "kmig" and med(gib_of(d["run"])) is not None]
    if gk:
        b = max(gk, key=lambda x: x[1])
        notes.append("Fastest kmig (median): %s channel%s at %.2f GiB/s." % (
            b[0], "" if b[0] == 1 else "s", b[1]))
    gq = [(d["channels"], med(gib_of(d["run"]))) for d in data
          if d["system"] == "QEMU" and med(gib_of(d["run"])) is not None]
    if gq:
        b = max(gq, key=lambda x: x[1])
        notes.append("Fastest QEMU (median): %s at %.2f GiB/s." % (
            "no multifd" if b[0] == 0 else "multifd %d" % b[0], b[1]))
    span = ratio_span(pairs, "kmig/QEMU")
    if span:
        notes.append(span)
    if lb is not None:
        s = "In-kernel TCP loopback over cold pages: %s GiB/s" % fstat(lb)
        if lbr:
            s += "; kmig/loopback: %s" % ", ".join(
                "%s (%s channel%s)" % (fratio(r, sg), ch,
                                       "" if ch == 1 else "s")
                for ch, r, sg in lbr)
        notes.append(s + ".")
    kfill = [as_dict(k.get("random_fill")).get("how")
             for _, k in rounds_of(inp, "kmig")]
    kfill = sorted(set(x for x in kfill if x))
    if kfill:
        notes.append("kmig's random region filled: %s." % "; ".join(kfill))
    return tb.finish({
        "id": "T2", "title": "Non-zero pages",
        "columns": ["System", "Channels", "Size", "n", "Total time (ms)",
                    "GiB/s", "kmig/QEMU", "kmig/TCP loopback"],
        "rows": rows, "data": data, "notes": notes,
        "legend": "Median (min–max) over the rounds; GiB/s of page data "
                  "(size / time). kmig with N channels is compared with "
                  "QEMU multifd N, and with one in-kernel TCP stream over "
                  "loopback that cycles through a pool of pages larger "
                  "than the caches on each side (cold); ratios of medians, "
                  "n.s. when the ranges overlap. The hot row reuses one "
                  "batch of pages: the stack's best case, not a limit for "
                  "a migration."})


def memscan_stats(inp):
    """{"cold": stat, "hot": stat} of native memscan GiB/s, probes."""
    vals = {"cold": [], "hot": []}
    probes = []
    for rnd, ms in rounds_of(inp, "memscan"):
        for case in ("cold", "hot"):
            g = memscan_gib(as_dict(ms.get(case)), case)
            if g is not None:
                vals[case].append((rnd, g))
        probes.append((rnd, ms.get("probe")))
    return {c: stat(v) for c, v in vals.items()}, probes


def memscan_gib(c, case):
    ns = num(c.get("time_ns"))
    nb = c.get("bytes")
    if case == "hot":
        bpp, passes = num(c.get("bytes_per_pass")), num(c.get("passes"))
        nb = None if bpp is None or passes is None else bpp * passes
    g = gib_s(nb, None if ns is None else ns / 1e9)
    return g if g is not None else pos(c.get("gib_s"))


def t3_zerocheck(inp):
    tb = Table()
    limit, mprobes = memscan_stats(inp)
    tb.watch("memscan cold", limit["cold"])
    tb.watch("memscan hot", limit["hot"])
    tb.watch("memscan", None, probes=mprobes)

    zc, probes = {}, {}
    order = ["generic", "sse2", "avx2", "avx512"]
    for rnd, k in rounds_of(inp, "kmig"):
        for r in as_list(k.get("zerocheck")):
            if not isinstance(r, dict):
                continue
            impl, case = r.get("impl"), r.get("case")
            ns = num(r.get("time_ns"))
            g = gib_s(r.get("bytes"), None if ns is None else ns / 1e9)
            if g is None:
                continue
            zc.setdefault((impl, case), []).append((rnd, g))
            probes.setdefault((impl, case), []).append((rnd, r.get("probe")))
            if impl not in order:
                order.append(impl)

    rows = [["memory read limit (memscan, userspace AVX2, native)",
             str(max((s["n"] for s in limit.values() if s), default=0)),
             fstat(limit["cold"]), "1.00" if limit["cold"] else NM,
             fstat(limit["hot"]), "1.00" if limit["hot"] else NM]]
    data = [{"impl": "memscan", "cold": limit["cold"], "hot": limit["hot"]}]
    for impl in order:
        cold = stat(zc.get((impl, "cold"), []))
        hot = stat(zc.get((impl, "hot"), []))
        fc = sratio(cold, limit["cold"])
        fh = sratio(hot, limit["hot"])
        n = max(cold["n"] if cold else 0, hot["n"] if hot else 0)
        rows.append([str(impl), str(n), fstat(cold), fratio(*fc), fstat(hot),
                     fratio(*fh)])
        data.append({"impl": impl, "cold": cold, "hot": hot,
                     "cold_fraction_of_limit": fc[0],
                     "cold_significant": fc[1],
                     "hot_fraction_of_limit": fh[0],
                     "hot_significant": fh[1]})
        for case, st in (("cold", cold), ("hot", hot)):
            tb.watch("zero check %s %s" % (impl, case), st,
                     probes=probes.get((impl, case), []))

    notes = []
    for case in ("cold", "hot"):
        v = [(d["impl"], d[case]) for d in data[1:] if d[case] is not None]
        if not v:
            continue
        b = max(v, key=lambda x: x[1]["median"])
        s = "%s: fastest (median) is %s at %.2f GiB/s" % (
            case.capitalize(), b[0], b[1]["median"])
        fr, sig = sratio(b[1], limit[case])
        if fr is not None:
            s += ", %s of the memory read limit (%.2f GiB/s)" % (
                fratio(fr, sig), limit[case]["median"])
        w = min(v, key=lambda x: x[1]["median"])
        if w[0] != b[0]:
            s += "; slowest is %s at %.2f GiB/s" % (w[0], w[1]["median"])
        notes.append(s + ".")
    return tb.finish({
        "id": "T3", "title": "Zero check",
        "columns": ["Implementation", "n", "Cold GiB/s", "Cold / limit",
                    "Hot GiB/s", "Hot / limit"],
        "rows": rows, "data": data, "notes": notes,
        "legend": "Median (min–max) over the rounds. Cold: a buffer larger "
                  "than the caches, read once; hot: a cache-resident buffer "
                  "read repeatedly. Limit: memscan cold for cold rows, "
                  "memscan hot for hot rows (native; T6 has the limits "
                  "inside UML). Ratios of medians, n.s. when the ranges "
                  "overlap."})


def t4_colo(inp):
    tb = Table()
    groups = {}
    for rnd, k in rounds_of(inp, "kmig"):
        for r in as_list(k.get("colo")):
            if not isinstance(r, dict):
                continue
            key = (r.get("load"), chan(r))
            groups.setdefault(key, []).append((rnd, r))

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
            runs = groups.get(k)
            if not runs:
                rows.append([str(ld), str(k[1])] + [NM] * 9)
                data.append({"load": ld, "channels": k[1], "measured": False})
                continue
            per = {"mean": [], "p50": [], "p99": []}
            alltr, allpause, allpages, ckpts, ival = [], [], [], 0, None
            for rnd, r in runs:
                tr = [x for x in as_list(r.get("transfer_ms"))
                      if num(x) is not None]
                if tr:
                    per["mean"].append((rnd, mean(tr)))
                    per["p50"].append((rnd, nearest_rank(tr, 50)))
                    per["p99"].append((rnd, nearest_rank(tr, 99)))
                alltr += tr
                allpause += as_list(r.get("pause_ms"))
                allpages += as_list(r.get("pages"))
                c = num(r.get("checkpoints"))
                ckpts += int(c) if c is not None else len(tr)
                ival = ival if ival is not None else num(r.get("interval_ms"))
            st = {m: stat(v) for m, v in per.items()}
            d = {"load": ld, "channels": k[1], "measured": True,
                 "rounds": len(runs), "checkpoints": ckpts,
                 "interval_ms": ival,
                 "transfer_mean_ms": st["mean"], "transfer_p50_ms": st["p50"],
                 "transfer_p99_ms": st["p99"],
                 "transfer_p99_all_ms": nearest_rank(alltr, 99),
                 "transfer_max_ms": nearest_rank(alltr, 100),
                 "pause_p99_all_ms": nearest_rank(allpause, 99),
                 "pages_mean": mean(allpages)}
            label = "colo %s %s ch" % (ld, k[1])
            tb.watch(label + " transfer p99", st["p99"], "ms")
            tb.watch(label + " transfer mean", st["mean"], "ms")
            tb.watch(label, None,
                     probes=[(rnd, r.get("probe")) for rnd, r in runs])
            p99_by_ch[k[1]] = st["p99"]
            rows.append([str(ld), str(k[1]), str(len(runs)), fint(ckpts),
                         fint(ival), fstat(st["mean"]), fstat(st["p50"]),
                         fstat(st["p99"]), f2(d["transfer_p99_all_ms"]),
                         f2(d["transfer_max_ms"]), f2(d["pause_p99_all_ms"]),
                         f2(d["pages_mean"], 1)])
            data.append(d)
        rt, sig = sratio(p99_by_ch.get(4), p99_by_ch.get(1))
        rows.append(["%s: p99 ratio 4 vs 1" % ld, "", "", "", "", "", "",
                     fratio(rt, sig), "", "", "", ""])
        data.append({"load": ld, "p99_ratio_4_vs_1": rt, "significant": sig})
        if rt is not None:
            notes.append("%s: median per-round p99 transfer with 4 channels "
                         "is %s of that with 1 (%.2f ms vs %.2f ms)." % (
                             str(ld).capitalize(), fratio(rt, sig),
                             p99_by_ch[4]["median"], p99_by_ch[1]["median"]))
    mx = [(d["transfer_max_ms"], d["load"], d["channels"]) for d in data
          if d.get("transfer_max_ms") is not None]
    if mx:
        m = max(mx, key=lambda x: x[0])
        notes.append("Longest transfer: %.2f ms (%s, %s channel%s)." % (
            m[0], m[1], m[2], "" if m[2] == 1 else "s"))
    return tb.finish({
        "id": "T4", "title": "COLO checkpoints",
        "columns": ["Load", "Channels", "n", "Checkpoints", "Interval (ms)",
                    "Transfer mean (ms)", "Transfer p50 (ms)",
                    "Transfer p99 (ms)", "Transfer p99, all (ms)",
                    "Transfer max, all (ms)", "Pause p99, all (ms)",
                    "Pages per checkpoint (mean)"],
        "rows": rows, "data": data, "notes": notes,
        "legend": "n rounds of one session each. Mean, p50 and p99 are "
                  "per session, shown as median (min–max) over the rounds; "
                  "the 'all' columns pool every checkpoint of every round "
                  "(Checkpoints: how many). Percentiles are nearest-rank. "
                  "The p99 ratio is of the per-round medians, n.s. when the "
                  "ranges overlap."})
def t5_memory(inp):
    mem, mround = {}, None
    for rnd, k in rounds_of(inp, "kmig"):
        if isinstance(k.get("memory"), dict):
            mem, mround = k["memory"], rnd
            break
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
    if mround is not None:
        notes.append("Measured in round %d (once: it does not vary)."
                     % mround)
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




def uml_limit_stats(inp):
    """stats of the in-UML limits: kernel scan and userspace scan of a
    kmig region (GiB/s), probes, and what was missing in which round."""
    vals = {"kernel_scan": [], "uml_memscan": [], "uml_memscan_hot": []}
    probes = {"kernel_scan": [], "uml_memscan": []}
    missing = {}
    for rnd, k in rounds_of(inp, "kmig"):
        lim = k.get("limits")
        if not isinstance(lim, dict):
            continue
        ks = as_dict(lim.get("kernel_scan"))
        ns = num(ks.get("time_ns"))
        g = gib_s(ks.get("bytes"), None if ns is None else ns / 1e9)
        if g is not None:
            vals["kernel_scan"].append((rnd, g))
            probes["kernel_scan"].append((rnd, ks.get("probe")))
        um = as_dict(lim.get("uml_memscan"))
        for case, key in (("cold", "uml_memscan"), ("hot", "uml_memscan_hot")):
            g = memscan_gib(as_dict(um.get(case)), case)
            if g is not None:
                vals[key].append((rnd, g))
        if um:
            probes["uml_memscan"].append((rnd, um.get("probe")))
        for m in as_list(lim.get("missing")):
            missing.setdefault(str(m), []).append(rnd)
    return {k: stat(v) for k, v in vals.items()}, probes, missing


def t6_limits(inp):
    tb = Table()
    ms, mprobes = memscan_stats(inp)
    uml, uprobes, missing = uml_limit_stats(inp)
    lb, lbytes, lpool, lprobes = loopback_stat(inp)
    lbh, _, hpool, hprobes = loopback_stat(inp, "tcp_loopback_hot")
    limits = [
        ("memory read, userspace AVX2 scan (memscan), cold", "native",
         ms["cold"], "memscan_cold"),
        ("memory read, userspace AVX2 scan (memscan), hot", "native",
         ms["hot"], "memscan_hot"),
        ("memory read, userspace AVX2 scan of a mapped kmig region "
         "(memscan --kmig-region-mib), cold", "UML", uml["uml_memscan"],
         "uml_memscan"),
        ("memory read, in-kernel read of the zero region's pages "
         "(debugfs kmig/scan_limit)", "UML", uml["kernel_scan"],
         "kernel_scan"),
        ("in-kernel TCP loopback, cold pages%s" % (
            " (%s pool)" % fsize(lpool) if lpool else ""), "UML", lb,
         "tcp_loopback"),
        ("in-kernel TCP loopback, hot pages%s" % (
            " (%s pool)" % fsize(hpool) if hpool else ""), "UML", lbh,
         "tcp_loopback_hot"),
    ]
    rows, data = [], []
    for label, env, st, key in limits:
        rows.append([label, env, NM if st is None else str(st["n"]),
                     fstat(st)])
        data.append({"limit": key, "env": env, "gib": st})
    tb.watch("memscan cold (native)", ms["cold"])
    tb.watch("memscan hot (native)", ms["hot"])
    tb.watch("memscan", None, probes=mprobes)
    tb.watch("userspace scan of a kmig region (UML)", uml["uml_memscan"],
             probes=uprobes["uml_memscan"])
    tb.watch("in-kernel read (UML)", uml["kernel_scan"],
             probes=uprobes["kernel_scan"])
    # The loopback rows' outliers and probes are T2's.

    kz = zero_runs(inp)
    kr = random_runs(inp)
    kp = random_runs(inp, "random_dest_prealloc")
    cmp_rows, cmp_data = [], []
    # The read limit in UML is the faster of the two reads measured there
    # (in the reference run the userspace scan of a mapped kmig region
    # beat the in-kernel read): a limit is what the environment can do.
    zname, zlim = "in-kernel read (UML)", uml["kernel_scan"]
    um = uml["uml_memscan"]
    if um is not None and (zlim is None or um["median"] > zlim["median"]):
        zname, zlim = "userspace read of a kmig region (UML)", um
    figures = [("kmig zero written, %s/%d" % (MODENAME[m], ch),
                kz.get(("written", m, ch)), zname, zlim)
               for m, ch in (("main", 1), ("channel", 1), ("channel", 2),
                             ("channel", 4))]
    figures += [("kmig random, %d channel%s" % (ch, "" if ch == 1 else "s"),
                 kr.get(ch), "TCP loopback, cold (UML)", lb)
                for ch in (1, 2, 4)]
    figures += [("kmig random, %d channel%s, destination preallocated" % (
                 ch, "" if ch == 1 else "s"), kp.get(ch),
                 "TCP loopback, cold (UML)", lb) for ch in kp.keys()]
    for label, run, lname, lst in figures:
        g = gib_of(run)
        r, sig = sratio(g, lst)
        rn, sn = sratio(g, ms["cold"])
        cmp_rows.append([label, NM if g is None else str(g["n"]), fstat(g),
                         lname, fstat(lst), fratio(r, sig), fstat(ms["cold"]),
                         fratio(rn, sn)])
        cmp_data.append({"figure": label, "gib": g, "limit": lname,
                         "limit_gib": lst, "over_limit": r,
                         "significant": sig, "native_limit_gib": ms["cold"],
                         "over_native_limit": rn,
                         "native_significant": sn})

    notes = []
    zl = [d for d in cmp_data if d["figure"].startswith("kmig zero")
          and d["over_limit"] is not None]
    if zl:
        b = max(zl, key=lambda d: d["over_limit"])
        notes.append("Written zero pages reach up to %s of the read limit "
                     "in UML, the %s (%s)." % (
                         fratio(b["over_limit"], b["significant"]), b["limit"],
                         b["figure"].replace("kmig zero written, ", "")))
    rl = [d for d in cmp_data if d["figure"].startswith("kmig random")
          and d["over_limit"] is not None]
    if rl:
        b = max(rl, key=lambda d: d["over_limit"])
        notes.append("Random data reaches up to %s of the cold in-kernel TCP "
                     "loopback (%s)." % (
                         fratio(b["over_limit"], b["significant"]),
                         b["figure"].replace("kmig random, ", "")))
    if missing:
        notes.append("Not measured: %s." % "; ".join(
            "%s (round%s %s)" % (m, "" if len(r) == 1 else "s",
                                 ", ".join(str(x) for x in r))
            for m, r in sorted(missing.items())))
    return tb.finish({
        "id": "T6", "title": "Limits",
        "columns": ["Limit", "Environment", "n", "GiB/s"],
        "rows": rows,
        "extra": {"columns": ["kmig figure", "n", "GiB/s", "Limit (UML)",
                              "Limit GiB/s", "kmig/limit",
                              "Native memscan cold GiB/s",
                              "kmig/native limit"],
                  "rows": cmp_rows},
        "data": data, "comparison": cmp_data, "missing": missing,
        "notes": notes,
        "legend": "Median (min–max) over the rounds. The limits of each "
                  "environment: kmig runs in UML (one CPU), memscan and "
                  "QEMU natively. kmig's figures are set against the limit "
                  "of their own environment (zero pages: the faster of the "
                  "two reads in UML, in-kernel or userspace over a mapped "
                  "kmig region; data: the cold in-kernel TCP loopback), with the native read limit beside them for "
                  "context; ratios of medians, n.s. when the ranges "
                  "overlap."})


# T7: what each side's run records, per figure: a function of the run
# (a dict) giving a number or None. kmig: tests/bench/postcopy_uml.py;
# QEMU: qemu-anchor.py --postcopy.

def _k_src(r, key, scale=1.0):
    v = num(as_dict(r.get("src_status")).get(key))
    return None if v is None else v * scale


def _k_dst(r, key, scale=1.0):
    v = num(as_dict(r.get("dst_status")).get(key))
    return None if v is None else v * scale


def _k_lat(r, key, scale):
    lat = as_dict(as_dict(r.get("dst_status")).get("postcopy_latency"))
    v = num(lat.get(key))
    return None if v is None else v * scale


def _k_wait_ms(r):
    lat = as_dict(as_dict(r.get("dst_status")).get("postcopy_latency"))
    c, m = num(lat.get("count")), num(lat.get("mean_ns"))
    return None if c is None or m is None else c * m / 1e6


def _q(r, key, scale=1.0):
    v = num(r.get(key))
    return None if v is None else v * scale


def _q_pushed(r):
    # Pages sent in postcopy that no request asked for: postcopy-bytes
    # over a page and its 8-byte header, less the requests.
    b, rq = num(r.get("postcopy_bytes")), num(r.get("postcopy_requests"))
    if b is None or rq is None:
        return None
    return max(0.0, round(b / (4096 + 8)) - rq)


# (config, label, unit, kmig, QEMU, ratio?, decimals)
T7_ROWS = (
    ("precopy", "time to converge", "s",
     lambda r: num(r.get("converge_s")) if r.get("converged") else None,
     lambda r: num(r.get("converge_s")) if r.get("converged") else None,
     True, 2),
    ("precopy", "dirty at the forced switchover", "MiB",
     lambda r: _q(r, "ready_remaining_bytes", 1.0 / MIB),
     lambda r: _q(r, "remaining_at_switch", 1.0 / MIB), True, 1),
    ("precopy", "downtime, forced switchover", "ms",
     lambda r: _k_src(r, "downtime_ns", 1e-6),
     lambda r: _q(r, "downtime_ms"), True, 1),
    ("precopy", "total time", "s",
     lambda r: _k_src(r, "time_ns", 1e-9),
     lambda r: _q(r, "total_time_ms", 1e-3), True, 2),
    ("postcopy", "dirty at the switch (missing on the destination)", "MiB",
     lambda r: _q(r, "ready_remaining_bytes", 1.0 / MIB),
     lambda r: _q(r, "remaining_at_switch", 1.0 / MIB), True, 1),
    ("postcopy", "downtime", "ms",
     lambda r: _k_src(r, "downtime_ns", 1e-6),
     lambda r: _q(r, "downtime_ms"), True, 1),
    ("postcopy", "total time", "s",
     lambda r: _k_src(r, "time_ns", 1e-9),
     lambda r: _q(r, "total_time_ms", 1e-3), True, 2),
    ("postcopy", "faults that waited", "",
     lambda r: _k_dst(r, "postcopy_faults"),
     lambda r: _q(r, "faults"), False, 0),
    ("postcopy", "fault latency p50", "µs",
     lambda r: _k_lat(r, "p50_ns", 1e-3),
     lambda r: _q(r, "fault_p50_ns", 1e-3), True, 0),
    ("postcopy", "fault latency p99", "µs",
     lambda r: _k_lat(r, "p99_ns", 1e-3),
     lambda r: _q(r, "fault_p99_ns", 1e-3), True, 0),
    ("postcopy", "guest writes that stalled (QEMU's guest)", "",
     None, lambda r: _q(r, "dst_stalls"), False, 0),
    ("postcopy", "guest write stall p50 (QEMU's guest)", "µs",
     None, lambda r: _q(r, "dst_stall_p50_ns", 1e-3), False, 0),
    ("postcopy", "guest write stall p99 (QEMU's guest)", "µs",
     None, lambda r: _q(r, "dst_stall_p99_ns", 1e-3), False, 0),
    ("postcopy", "time waited in all (QEMU: postcopy-blocktime)", "ms",
     _k_wait_ms, lambda r: _q(r, "postcopy_blocktime_ms"), True, 0),
    ("postcopy", "pages requested", "",
     lambda r: _k_dst(r, "postcopy_requested_pages"),
     lambda r: _q(r, "postcopy_requests"), False, 0),
    ("postcopy", "pages served (answers, prefetch included)", "",
     lambda r: _k_src(r, "postcopy_served_pages"), None, False, 0),
    ("postcopy", "pages pushed (QEMU: sent in postcopy, not requested)", "",
     lambda r: _k_src(r, "postcopy_pushed_pages"), _q_pushed, False, 0),
    ("postcopy", "copies discarded on the destination", "",
     lambda r: _k_dst(r, "postcopy_discarded_pages"), None, False, 0),
)
T7_CONFIG = {"precopy": "precopy only, switchover forced after the pass "
                        "limit",
             "postcopy": "postcopy after 1 pass"}


def postcopy_groups(inp, kind):
    """{config: [(round, run)]} of the completed runs, {config: [(round,
    status)]} of the others, and why QEMU could not run postcopy."""
    ok, bad, why = {}, {}, None
    for rnd, x in rounds_of(inp, kind):
        if x.get("postcopy_unavailable"):
            why = x["postcopy_unavailable"]
        for r in as_list(x.get("postcopy")):
            if not isinstance(r, dict):
                continue
            if r.get("status") == "completed":
                ok.setdefault(r.get("config"), []).append((rnd, r))
            else:
                bad.setdefault(r.get("config"), []).append(
                    (rnd, str(r.get("status")), r.get("error")))
    return ok, bad, why


def t7_postcopy(inp):
    tb = Table()
    kok, kbad, _ = postcopy_groups(inp, "kmig")
    qok, qbad, qwhy = postcopy_groups(inp, "qemu")
    rows, data, notes = [], [], []

    def count(ok, bad, config):
        n = len(ok.get(config, []))
        nb = len(bad.get(config, []))
        if not n and not nb:
            return None
        return str(n) + (" (+%d failed)" % nb if nb else "")

    def side_cell(fn, runs, st):
        if fn is None:
            return NA
        if st is None:
            return NM if not runs else "n/a"
        return None

    for config in ("precopy", "postcopy"):
        kr, qr = kok.get(config, []), qok.get(config, [])
        kn, qn = count(kok, kbad, config), count(qok, qbad, config)
        if qwhy:
            qn = "not run"
        for cfg, label, unit, kfn, qfn, want_ratio, nd in T7_ROWS:
            if cfg != config:
                continue
            kst = stat([(rnd, kfn(r)) for rnd, r in kr]) if kfn else None
            qst = stat([(rnd, qfn(r)) for rnd, r in qr]) if qfn else None
            kc = side_cell(kfn, kr, kst)
            qc = side_cell(qfn, qr, qst)
            if label == "time to converge":
                # "never" when no run converged.
                for runs, st, which in ((kr, kst, "k"), (qr, qst, "q")):
                    if runs and st is None:
                        if which == "k":
                            kc = "never (0 of %d)" % len(runs)
                        else:
                            qc = "never (0 of %d)" % len(runs)
                    elif runs and st is not None and st["n"] < len(runs):
                        c = "%s (%d of %d)" % (fstat(st, nd), st["n"],
                                               len(runs))
                        if which == "k":
                            kc = c
                        else:
                            qc = c
            if kc is None:
                kc = fstat(kst, nd)
            if qc is None:
                qc = fstat(qst, nd)
            if qwhy:
                qc = "not run"
            rt, sig = sratio(kst, qst) if want_ratio else (None, None)
            full = "%s (%s)" % (label, unit) if unit else label
            rows.append([T7_CONFIG[config], full, kn or "0", kc, qn or "0",
                         qc, fratio(rt, sig) if rt is not None else NA])
            data.append({"config": config, "figure": label, "unit": unit,
                         "kmig": kst, "qemu": qst, "kmig_cell": kc,
                         "qemu_cell": qc, "ratio_kmig_qemu": rt,
                         "significant": sig})
            tb.watch("kmig %s %s" % (config, label), kst, unit)
            tb.watch("QEMU %s %s" % (config, label), qst, unit)
        tb.watch("kmig postcopy " + config, None,
                 probes=[(rnd, r.get("probe")) for rnd, r in kr])
        tb.watch("QEMU postcopy " + config, None,
                 probes=[(rnd, r.get("probe")) for rnd, r in qr])
        for side, bad in (("kmig", kbad), ("QEMU", qbad)):
            for rnd, st, err in bad.get(config, []):
                if st != "unavailable":
                    notes.append("%s %s, round %s failed: %s." % (
                        side, config, rnd, err or st))

    # The setting, from the first run of either side.
    k1 = next((r for rs in kok.values() for _, r in rs), {})
    q1 = next((r for rs in qok.values() for _, r in rs), {})
    if k1:
        notes.append(
            "kmig: kmig-vmm guest of %s (%s random, the rest populated "
            "zeros), %s writers at %s pages/s on the first %s %% of the "
            "pages, %s channels, max-bandwidth %s/s, downtime limit %s ms"
            "%s; in postcopy %s destination writers at %s pages/s from "
            "postcopy-active on." % (
                fsize(k1.get("size_bytes")), fsize(k1.get("random_bytes")),
                k1.get("writers"), k1.get("rate"), k1.get("hot_pct"),
                k1.get("channels"), fsize(k1.get("max_bandwidth")),
                k1.get("downtime_limit_ms"),
                ", precopy forced after %s passes" % k1["max_passes"]
                if k1.get("max_passes") else "",
                next((r.get("dst_writers") for _, r in kok.get("postcopy",
                                                               [])), "?"),
                next((r.get("dst_rate") for _, r in kok.get("postcopy", [])),
                     "?")))
        if not any(_k_lat(r, "p50_ns", 1) is not None
                   for _, r in kok.get("postcopy", [])):
            notes.append("kmig's fault latency: n/a, the status of this "
                         "migctl has no postcopy_latency.")
    if qwhy:
        notes.append("QEMU's postcopy was not run: %s." % qwhy)
    elif q1:
        notes.append(
            "QEMU: TCG, pcguest.elf writing %s pages/s to %s hot pages, "
            "the same size and random data, no multifd (QEMU 7.2 has no "
            "postcopy with it), max-bandwidth and max-postcopy-bandwidth "
            "%s/s; precopy forced by raising downtime-limit after %s "
            "passes; its faults and their latency from the destination's "
            "trace events (the fault thread's request of a page to the "
            "page placed), its guest's stalls the writes slower than %s µs "
            "on the destination (timed with rdtsc), its 'pages pushed' "
            "postcopy-bytes / 4104 less the requests." % (
                q1.get("rate"), q1.get("hot_pages"),
                fsize(q1.get("max_bandwidth")),
                next((r.get("max_passes") for _, r in qok.get("precopy", [])),
                     "?"), q1.get("stall_us")))
    return tb.finish({
        "id": "T7", "title": "Postcopy",
        "columns": ["Configuration", "Figure", "kmig n", "kmig", "QEMU n",
                    "QEMU", "kmig/QEMU"],
        "rows": rows, "data": data, "notes": notes,
        "legend": "A guest whose writers dirty memory faster than the "
                  "bandwidth limit: (a) precopy only, the switchover "
                  "forced after a pass limit; (b) postcopy after one "
                  "pass, the destination's writers running meanwhile. "
                  "Median (min–max) over the rounds, one run per "
                  "configuration and round (fault latency: each round's "
                  "p50 and p99). 'never': no run converged. n/a: the "
                  "figure is not reported. kmig/QEMU: ratio of the "
                  "medians (lower is better for every timed figure), "
                  "n.s. when the ranges overlap."})


def all_probes(inp):
    """Every run's probe record: (source, label, round, record)."""
    out = []
    for rnd, ms in rounds_of(inp, "memscan"):
        out.append(("memscan", "memscan", rnd, ms.get("probe")))
    for rnd, q in rounds_of(inp, "qemu"):
        for r in as_list(q.get("runs")):
            if isinstance(r, dict):
                out.append(("QEMU", qemu_label(r.get("case"),
                                               num(r.get("channels")) or 0),
                            rnd, r.get("probe")))
        for r in as_list(q.get("postcopy")):
            if isinstance(r, dict):
                out.append(("QEMU", "QEMU postcopy %s" % r.get("config"),
                            rnd, r.get("probe")))
    for rnd, k in rounds_of(inp, "kmig"):
        for field in ("zero", "random", "random_dest_prealloc", "zerocheck",
                      "colo", "postcopy"):
            for r in as_list(k.get(field)):
                if isinstance(r, dict):
                    p = r.get("probe")
                    out.append(("kmig", as_dict(p).get("label") or field,
                                rnd, p))
        for field in ("tcp_loopback", "tcp_loopback_hot"):
            r = as_dict(k.get(field))
            if r:
                out.append(("kmig", field, rnd, r.get("probe")))
        lim = as_dict(k.get("limits"))
        for field in ("kernel_scan", "uml_memscan"):
            r = as_dict(lim.get(field))
            if r:
                out.append(("kmig", field, rnd, r.get("probe")))
    for rnd, ll in rounds_of(inp, "longlink"):
        for r in as_list(ll.get("runs")):
            if isinstance(r, dict):
                p = r.get("probe")
                out.append(("long link", as_dict(p).get("label") or
                            "long link", rnd, p))
    return [(s, lbl, rnd, p) for s, lbl, rnd, p in out if isinstance(p, dict)]


# ------------------------------------------------------------- long link

LL_SYSTEMS = (("kmig", "kmig"), ("qemu", "QEMU multifd"),
              ("qemu0", "QEMU, no multifd"), ("tcp", "one TCP stream (iperf3)"))


def longlink_runs(inp):
    """Runs keyed (system, rtt_ms, channels); QEMU without multifd is
    system qemu0 with channel 1. Time: kmig's and iperf3's time_ns,
    QEMU's total-time (its wall time when that is 0)."""
    runs = Runs()
    for rnd, ll in rounds_of(inp, "longlink"):
        for r in as_list(ll.get("runs")):
            if not isinstance(r, dict):
                continue
            sysname, ch, rtt = r.get("system"), chan(r), num(r.get("rtt_ms"))
            if sysname not in ("kmig", "qemu", "tcp") or ch is None \
                    or rtt is None:
                continue
            if sysname == "qemu":
                ms = num(r.get("total_time_ms")) or num(
                    r.get("migrate_wall_ms"))
                secs = None if ms is None else ms / 1e3
                if ch == 0:
                    sysname, ch = "qemu0", 1
            else:
                ns = num(r.get("time_ns"))
                secs = None if ns is None else ns / 1e9
            runs.add((sysname, int(rtt), ch), rnd, r.get("size_bytes"),
                     secs, r, r.get("status"))
    return runs


def ll_cell(run):
    if run is None:
        return NM
    if "gib" not in run:
        return "status: %s" % ", ".join(sorted(set(
            s for _, s in run["failed"])))
    s = fstat(run["gib"], 3)
    if run["failed"]:
        s += " (+%d failed)" % len(run["failed"])
    return s


def ll_hosts(inp):
    for _, ll in rounds_of(inp, "longlink"):
        h = as_dict(ll.get("hosts"))
        if h:
            return h, ll
    return {}, {}


def t8_longlink(inp):
    tb = Table()
    lr = longlink_runs(inp)
    keys = lr.keys()
    rtts = sorted(set(k[1] for k in keys)) or [10, 50]
    chans = sorted(set(k[2] for k in keys if k[0] in ("kmig", "qemu"))
                   | {1, 2, 4, 8})
    rows, data, notes = [], [], []
    for rtt in rtts:
        tcp = lr.get(("tcp", rtt, 1))
        line = {}
        for sysname, label in LL_SYSTEMS:
            if sysname == "qemu0" and not any(
                    k[0] == "qemu0" and k[1] == rtt for k in keys):
                continue
            cells = []
            for ch in chans:
                if sysname in ("tcp", "qemu0") and ch != 1:
                    cells.append(NA)
                    continue
                run = lr.get((sysname, rtt, ch))
                cells.append(ll_cell(run))
                tb.watch_run("%s rtt %d ms %d ch" % (label, rtt, ch), run)
                line[(sysname, ch)] = run
                data.append({"system": sysname, "rtt_ms": rtt,
                             "channels": ch, "run": strip_run(run)})
            rows.append(["%d ms" % rtt, label] + cells)
        for label, other in (("kmig/QEMU multifd", "qemu"),
                             ("kmig/one TCP stream", "tcp")):
            cells = []
            for ch in chans:
                k = line.get(("kmig", ch))
                o = tcp if other == "tcp" else line.get(("qemu", ch))
                r, sig = sratio(gib_of(k), gib_of(o))
                cells.append(fratio(r, sig))
                data.append({"ratio": label, "rtt_ms": rtt, "channels": ch,
                             "value": r, "significant": sig})
            rows.append(["%d ms" % rtt, label] + cells)
        parts = []
        for sysname, label in (("kmig", "kmig"), ("qemu", "QEMU multifd")):
            one, top = line.get((sysname, 1)), line.get((sysname, chans[-1]))
            r, sig = sratio(gib_of(top), gib_of(one))
            if r is not None:
                parts.append("%s %d channels/1: %s" % (label, chans[-1],
                                                        fratio(r, sig)))
        setup = []
        for ch in (1, chans[-1]):
            run = line.get(("kmig", ch))
            st = stat([(r, (num(e.get("setup_ns")) or 0) / 1e6)
                       for r, _, _, e in lr.ok.get(("kmig", rtt, ch), [])
                       if num(e.get("setup_ns")) is not None]) if run else None
            if st:
                setup.append("%s ms on %d" % (fstat(st, 0), ch))
        if setup:
            parts.append("kmig's connect and handshake (setup): %s"
                         % ", ".join(setup))
        if tcp and "gib" in tcp:
            parts.append("one TCP stream: %s GiB/s" % fstat(tcp["gib"], 3))
        if parts:
            notes.append("RTT %d ms: %s." % (rtt, "; ".join(parts)))
    h, ll = ll_hosts(inp)
    if h:
        notes.append(
            "Hosts: two UML kernels %s (%s CPU each, MTU %s) on one "
            "bridged tap link, netem on each host's egress (half the "
            "round trip each, no loss, no rate cap); %s MiB per run; "
            "inside the hosts: %s, %s. TCP autotuning in the hosts: "
            "tcp_rmem %s, tcp_wmem %s (min default max, bytes), %s; kmig "
            "sets 4 MiB send and receive buffers per channel socket and "
            "locks them (no autotuning)." % (
                h.get("kernel", NM), h.get("cpus", NM), h.get("mtu", NM),
                ll.get("size_mib", NM), h.get("qemu_version") or "no QEMU",
                h.get("iperf3_version") or "no iperf3",
                str(h.get("tcp_rmem", NM)).replace("\t", " "),
                str(h.get("tcp_wmem", NM)).replace("\t", " "),
                h.get("tcp_congestion_control", NM)))
    return tb.finish({
        "id": "T8", "title": "Long link",
        "columns": ["RTT", "System"] + ["%d channel%s" % (
            c, "" if c == 1 else "s") for c in chans],
        "rows": rows, "data": data, "notes": notes,
        "legend": "GiB/s (median (min–max) over the rounds) of a paused "
                  "guest's random RAM migrated from one host to the "
                  "other, with N channels (kmig) or multifd N (QEMU), "
                  "over a link of the given round trip; the TCP stream is "
                  "one iperf3 stream of the same size over the same link "
                  "(channel count 1 only; the kmig/one TCP stream ratio "
                  "compares every column with it). QEMU runs inside the "
                  "hosts (userspace on UML), its destination RAM "
                  "preallocated. Ratios of medians, n.s. when the ranges "
                  "overlap (tests/bench/hosts-bench.sh)."})


def load_section(inp, d=None):
    probes = all_probes(inp)
    by = {}
    for s, lbl, rnd, p in probes:
        by.setdefault(s, []).append(("%s %s" % (s, lbl)
                                     if not lbl.startswith(s) else lbl,
                                     rnd, p))
    summary = {s: load_summary(v) for s, v in by.items()}
    summary["all"] = load_summary([x for v in by.values() for x in v])
    # The seconds the probes waited in all (their state files).
    waited = {}
    for env in ("native", "uml", "uml-link"):
        path = os.path.join(d or "", "probe-%s.state" % env)
        try:
            with open(path) as f:
                w = num(as_dict(json.load(f)).get("waited_s"))
        except (OSError, ValueError):
            continue
        if w is not None:
            waited[env] = w
    summary["waited_s"] = waited
    return summary


def load_md(summary):
    out = ["## Load", "",
           "Before each run a fixed CPU loop (tests/bench/loadprobe.py) is "
           "timed and compared with the fastest of the session; above "
           "1.3 times the fastest the CPU counts as busy: wait 3 s and "
           "probe again, up to 3 times, then run anyway flagged busy. "
           "Natively /proc/loadavg is recorded too.", ""]
    rows = []
    for s in ("memscan", "QEMU", "kmig", "long link", "all"):
        ld = summary.get(s)
        if not ld:
            continue
        rows.append([s, str(ld["runs"]), str(ld["retried"]), str(ld["busy"]),
                     f2(ld["probe_ratio_max"])])
    if not rows:
        return out + ["No probe records.", ""]
    out += [md_table(["Runs of", "Probed", "Retried", "Flagged busy",
                      "Largest probe ratio"], rows), ""]
    if summary.get("waited_s"):
        out += ["The probes waited %s (at most KMIG_BENCH_WAIT_BUDGET_S "
                "per environment, 180 s by default; once it is spent, a "
                "busy run is flagged without waiting)." % " and ".join(
                    "%.0f s %s" % (w, {"uml": "in UML", "uml-link":
                                      "in the long link's hosts"}.get(
                                          e, "on the host"))
                    for e, w in sorted(summary["waited_s"].items())), ""]
    busy = summary["all"]["busy_runs"]
    if busy:
        out += ["Flagged busy: " + "; ".join(
            "%s, round %s (probe %sx)" % (b["config"], b["round"],
                                          f2(b["probe_ratio"]))
            for b in busy) + ".", ""]
    return out


TABLES = (t1_zero, t2_random, t3_zerocheck, t4_colo, t5_memory, t6_limits,
          t7_postcopy, t8_longlink)
TITLES = ("Zero pages", "Non-zero pages", "Zero check", "COLO checkpoints",
          "Memory overhead", "Limits", "Postcopy", "Long link")


def build(inp):
    tables = []
    for i, fn in enumerate(TABLES):
        try:
            t = fn(inp)
        except Exception as e:  # a malformed input must not end the report
            t = {"id": "T%d" % (i + 1), "title": TITLES[i],
                 "columns": ["Result"], "rows": [[NM]], "data": [],
                 "notes": ["Could not be computed from the input: %s: %s"
                           % (type(e).__name__, e)], "legend": "",
                 "outliers": [], "load": load_summary([])}
        tables.append(t)
    return tables


def markdown(tables, inp, problems, load):
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
        if t["id"] != "T5":
            out += outlier_lines(t) + [""]
            out += [load_line(t["load"]), ""]
    out += profile_md(inp)
    out += load_md(load)
    return "\n".join(out)


def profile_md(inp):
    """report_profile.py's tables from the first round with a profile."""
    for _, k in rounds_of(inp, "kmig"):
        prof = k.get("profile")
        if isinstance(prof, list) and prof:
            if report_profile is None:
                return ["Profile: report_profile.py missing.", ""]
            try:
                return report_profile.tables(prof,
                                             k.get("profile_scan") or ())
            except Exception as e:  # a malformed profile must not end it
                return ["Profile: could not be shown: %s: %s" % (
                    type(e).__name__, e), ""]
    return []


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
    load = load_section(inp, d)
    if QEMU_WALL:
        problems.append(
            "QEMU reported total-time 0 for %s: their time is the wall time "
            "from the migrate command to status completed"
            % ", ".join(sorted(set(QEMU_WALL))))
    md = markdown(tables, inp, problems, load)
    merged = {"inputs": {k: ({str(r): v for r, v in inp[k].items()}
                             if k in KINDS else inp[k]) for k in inp},
              "rounds": n_rounds(inp), "problems": problems,
              "qemu_wall_time_runs": sorted(set(QEMU_WALL)),
              "caption": caption(inp).strip("*"),
              "outlier_rule": OUTLIER_RULE, "load": load,
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
