# SPDX-License-Identifier: GPL-2.0
"""The profile tables of make bench's report (report.py): where the time
of a migration goes per page (debugfs kmig/profile, kmod/prof.c), and every
optimisation's before/after (debugfs kmig/opt_off), from the "profile"
entries of kmig's results (tests/bench/profile_uml.py)."""

# (name, what it is, waiting rather than working)
SECTIONS = [
    ("src_walk", "source dispatcher: page index walk, batch fill", False),
    ("src_scan", "source channel: zero check (with its FPU sections)", False),
    ("src_encode", "source channel: header and offset block", False),
    ("src_send", "source channel: socket sends", False),
    ("src_release", "source channel: page references dropped", False),
    ("dst_recv", "destination: offset block and page data from the socket", False),
    ("dst_decode", "destination: offset block checked", False),
    ("dst_lookup", "destination: page index lookups (less allocation)", False),
    ("dst_alloc", "destination: new pages allocated", False),
    ("dst_apply", "destination: install, zero, mark", False),
    ("src_qwait", "source dispatcher: waiting for a free channel slot", True),
    ("dst_wait", "destination: waiting for the next header", True),
    ("src_ack", "source channel: waiting for COMPLETE's acknowledgment", True),
]

OPTS = [
    ("offsets", "offsets sent in order, checked for duplicates in linear time (was: quadratic)"),
    ("cork", "DATA packets sent with MSG_MORE (was: a push per packet)"),
    ("walk", "a pass walks the page index with one xa_state (was: xa_for_each)"),
    ("zero_range", "one index walk for a packet's zero pages on a fresh destination (was: a lookup per page)"),
]


def median(v):
    v = sorted(v)
    n = len(v)
    if not n:
        return None
    return v[n // 2] if n % 2 else (v[n // 2 - 1] + v[n // 2]) / 2.0


def per_page(entry, name):
    s = entry["sections"].get(name, {"ns": 0})
    ns = s["ns"]
    if name == "dst_lookup":
        ns -= entry["sections"].get("dst_alloc", {"ns": 0})["ns"]
    return ns / float(entry["pages"] or 1)


def fmt_range(v, scale=1e6):
    return "%.1f (%.1f–%.1f)" % (median(v) / scale, min(v) / scale,
                                max(v) / scale)


def tables(profile, scans=()):
    """Markdown lines; profile: the list kmig.json has under "profile",
    scans: under "profile_scan" (the zero check with "walk" on and off)."""
    if not profile:
        return []
    out = ["## P1 Where the time goes, per page", "",
           "ns per page of each section, summed over every thread of both "
           "sides (one channel, %d pages; UML has one CPU, so the working "
           "sections of both sides share it and add up to about the wall "
           "time). Sections count softirq work that ran inside them (the "
           "loopback TCP delivery). The waiting sections are time a thread "
           "slept while others ran: not work." % profile[0]["pages"], ""]
    out.append("| Section | What | " +
               " | ".join(e["case"] for e in profile) + " |")
    out.append("|---|---|" + "---|" * len(profile))
    work = [0.0] * len(profile)
    for name, what, wait in SECTIONS:
        if wait:
            continue
        vals = [per_page(e, name) for e in profile]
        for i, v in enumerate(vals):
            work[i] += v
        out.append("| %s | %s | %s |" % (name, what, " | ".join(
            "%.1f" % v for v in vals)))
    out.append("| **sum of the working sections** | | %s |" % " | ".join(
        "**%.1f**" % v for v in work))
    walls = [median(e["time_ns"]) / e["pages"] for e in profile]
    offs = [median(e["opt_off_time_ns"]["none"]) / e["pages"]
            for e in profile]
    out.append("| wall time, profile on (median) | | %s |" % " | ".join(
        "%.1f" % v for v in walls))
    out.append("| wall time, profile off (median) | | %s |" % " | ".join(
        "%.1f" % v for v in offs))
    for name, what, wait in SECTIONS:
        if not wait:
            continue
        out.append("| %s | %s | %s |" % (name, what, " | ".join(
            "%.1f" % per_page(e, name) for e in profile)))
    fpu = profile[0].get("fpu_pair_ns", 0)
    nfpu = profile[0]["sections"].get("src_fpu", {"n": 0})["n"]
    out += ["", "FPU: %d kernel_fpu_begin()/end() sections for %d pages of "
            "written zeros (one per %d pages), %d ns per pair as measured "
            "here%s." % (nfpu, profile[0]["pages"],
                          profile[0]["pages"] // max(nfpu, 1), fpu,
                          " (UML's kernel_fpu_begin() is empty: the host "
                          "saves the FPU state)" if not fpu else ""), ""]

    out += ["## P2 Optimisations: before and after, same run", "",
            "Migration time in ms, median (min–max) of %d runs each, one "
            "channel, %d pages, the runs of every column interleaved. "
            "\"before\" turns that one optimisation off (debugfs "
            "kmig/opt_off), every other one stays on. A ratio is marked "
            "n.s. when the two ranges overlap." %
            (len(profile[0]["opt_off_time_ns"]["none"]), profile[0]["pages"]),
            ""]
    out.append("| Optimisation | Case | After (all on) | Before (this one off) "
               "| Before/after |")
    out.append("|---|---|---|---|---|")
    for opt, what in OPTS:
        for e in list(profile) + list(scans):
            on = e["opt_off_time_ns"]["none"]
            off = e["opt_off_time_ns"].get(opt)
            if not off:
                continue
            ratio = median(off) / median(on)
            ns = max(min(on), min(off)) <= min(max(on), max(off))
            out.append("| %s: %s | %s | %s | %s | %.2f%s |" % (
                opt, what, e["case"], fmt_range(on), fmt_range(off), ratio,
                " n.s." if ns else ""))
    out.append("")
    return out
