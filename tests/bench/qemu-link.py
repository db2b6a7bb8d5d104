#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""QEMU's RAM migration between the two hosts of make bench's long link.

Run inside the hosts of scripts/hosts.sh --bench (tests/bench/hosts-bench.sh
drives it): Debian's qemu-system-x86_64 (TCG, a paused guest, no devices)
on host a migrates to one on host b over the link that kmig's channels
use, with the same netem. QMP, capabilities and parameters as in
qemu-anchor.py (whose code this reuses): multifd with N channels, or the
plain migration stream (--channels 0); no bandwidth limit, a downtime
limit that never holds the migration back.

  qemu-link.py src-start --qmp SOCK --size-mib N --random-file FILE
      a source QEMU whose RAM is a private copy of FILE (prealloc: the
      copy is made before the migration, not during it), left running in
      the background; prints its pid. One per run (hosts-bench.sh quits
      it): a second multifd migration of one source hung here.
  qemu-link.py src-migrate --qmp SOCK --to ADDR:PORT --channels N
      one migration of that source; prints a JSON object (status,
      total_time_ms, the RAM statistics)
  qemu-link.py dst --qmp SOCK --size-mib N --addr ADDR --channels N
                   --port-file FILE
      a destination QEMU (RAM preallocated, see below) listening on
      ADDR, the port written to FILE once it listens; waits for the end
      of the migration (--timeout), kills QEMU, prints a JSON object

The destination's RAM is preallocated (prealloc=on) before it listens.
Inside UML every first touch of a page by a process is a page fault
that UML's kernel serves from outside (about 70 s per GiB): left to the
migration, those faults, not the link, would set QEMU's rate. kmig's
destination fills kernel pages and takes no such fault.

Python 3 standard library only.
"""

import argparse
import importlib.util
import json
import os
import socket
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
_spec = importlib.util.spec_from_file_location(
    "qemu_anchor", os.path.join(HERE, "qemu-anchor.py"))
qa = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(qa)

MiB = 1 << 20


def argv_of(opts, size, incoming):
    if incoming:
        mem = "memory-backend-ram,id=mem,size=%d,prealloc=on" % size
    else:
        mem = ("memory-backend-file,id=mem,size=%d,mem-path=%s,share=off,"
               "prealloc=on" % (size, opts.random_file))
    argv = [opts.qemu, "-accel", "tcg", "-machine", "pc,memory-backend=mem",
            "-m", "%dM" % (size // MiB), "-object", mem,
            "-S", "-nographic", "-nodefaults", "-display", "none",
            "-qmp", "unix:%s,server=on,wait=off" % opts.qmp]
    if incoming:
        argv += ["-incoming", "defer"]
    return argv


def spawn(opts, incoming):
    if os.path.exists(opts.qmp):
        os.unlink(opts.qmp)
    err = open(opts.qmp + ".stderr", "wb")
    return subprocess.Popen(argv_of(opts, opts.size_mib * MiB, incoming),
                            stdin=subprocess.DEVNULL, stdout=err, stderr=err,
                            start_new_session=True)


def src_start(opts):
    t0 = time.monotonic()
    p = spawn(opts, False)
    q = qa.QMP(opts.qmp, p, opts.timeout)
    q.close()
    print(json.dumps({"pid": p.pid,
                      "start_s": round(time.monotonic() - t0, 2)}))
    return 0


def connect(path, timeout):
    """QMP on a QEMU this process did not start."""
    class Alive:
        def poll(self):
            return None
    return qa.QMP(path, Alive(), timeout)


def wait_end(q, deadline, period, proc=None):
    """query-migrate until the migration ended (its last answer), QEMU
    (proc) exited or the deadline passed."""
    while True:
        info = q.cmd("query-migrate",
                     timeout=max(deadline - time.monotonic(), 1))
        st = info.get("status")
        if st in ("completed", "failed", "cancelled"):
            return info
        if proc is not None and proc.poll() is not None:
            raise qa.QMPError("QEMU exited (rc %d)" % proc.returncode)
        if time.monotonic() > deadline:
            raise qa.QMPError("timed out in status %s" % st)
        time.sleep(period)


def src_migrate(opts):
    run = {"channels": opts.channels, "multifd": opts.channels > 0,
           "size_bytes": opts.size_mib * MiB, "status": "error"}
    q = None
    try:
        q = connect(opts.qmp, 30)
        run["params"], caps = qa.configure(q, opts.channels)
        run["capabilities"] = sorted(k for k, v in caps.items() if v)
        t0 = time.monotonic()
        q.cmd("migrate", {"uri": "tcp:%s" % opts.to})
        info = wait_end(q, t0 + opts.timeout, 0.05)
        st = info.get("status")
        run["migrate_wall_ms"] = round((time.monotonic() - t0) * 1000, 1)
        run["total_time_ms"] = info.get("total-time")
        run["setup_time_ms"] = info.get("setup-time")
        run["downtime_ms"] = info.get("downtime")
        for k in qa.RAM_STATS:
            if k in info.get("ram", {}):
                run[k.replace("-", "_")] = info["ram"][k]
        run["status"] = st
        if st != "completed":
            run["error"] = info.get("error-desc", st)
    except Exception as e:  # recorded; the next run goes on
        run["error"] = "%s: %s" % (type(e).__name__, e)
    finally:
        if q:
            q.close()
    print(json.dumps(run))
    return 0 if run["status"] == "completed" else 1


def free_port(addr):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind((addr, 0))
    port = s.getsockname()[1]
    s.close()
    return port


def dst(opts):
    run = {"channels": opts.channels, "status": "error"}
    p = q = None
    t0 = time.monotonic()
    try:
        p = spawn(opts, True)
        q = qa.QMP(opts.qmp, p, opts.timeout)
        run["start_s"] = round(time.monotonic() - t0, 2)
        qa.configure(q, opts.channels)
        port = free_port(opts.addr)
        q.cmd("migrate-incoming", {"uri": "tcp:%s:%d" % (opts.addr, port)})
        with open(opts.port_file + ".tmp", "w") as f:
            f.write("%d\n" % port)
        os.rename(opts.port_file + ".tmp", opts.port_file)
        info = wait_end(q, time.monotonic() + opts.timeout, 0.1, p)
        run["status"] = info.get("status")
    except Exception as e:  # recorded
        run["error"] = "%s: %s" % (type(e).__name__, e)
        try:
            with open(opts.qmp + ".stderr", "rb") as f:
                run["stderr"] = f.read()[-600:].decode(errors="replace")
        except OSError:
            pass
        if not os.path.exists(opts.port_file):
            with open(opts.port_file, "w") as f:
                f.write("none\n")
    finally:
        if q:
            q.close()
        if p and p.poll() is None:
            p.kill()
            p.wait()
    print(json.dumps(run))
    return 0 if run["status"] == "completed" else 1


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("what", choices=("src-start", "src-migrate", "dst"))
    ap.add_argument("--qmp", required=True)
    ap.add_argument("--qemu", default="qemu-system-x86_64")
    ap.add_argument("--size-mib", type=int, default=256)
    ap.add_argument("--random-file")
    ap.add_argument("--channels", type=int, default=0)
    ap.add_argument("--to")
    ap.add_argument("--addr")
    ap.add_argument("--port-file")
    ap.add_argument("--timeout", type=float, default=300)
    opts = ap.parse_args()
    if opts.what == "src-start":
        if not opts.random_file:
            ap.error("src-start needs --random-file")
        return src_start(opts)
    if opts.what == "src-migrate":
        if not opts.to:
            ap.error("src-migrate needs --to")
        return src_migrate(opts)
    if not opts.addr or not opts.port_file:
        ap.error("dst needs --addr and --port-file")
    return dst(opts)


if __name__ == "__main__":
    sys.exit(main())
