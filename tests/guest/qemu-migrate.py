#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""QEMU's own live migration of the test guest, without kmig.

Boots the guest (scripts/guest-image.sh) in a source QEMU with plain
anonymous RAM, starts a destination QEMU with -incoming defer and
migrate-incoming tcp:127.0.0.1:PORT, waits for a few beats, migrates with
QMP 'migrate' and checks with beat-check.sh that the destination's serial
log continues the source's. With --shared-ram FILE both QEMUs map the
same file (share=on) and set x-ignore-shared: only device state moves,
as with kmig (without kmig: the RAM is simply the same).
A sanity check of the guest and of QEMU's migration under TCG, apart from
kmig; run by hand:

  tests/guest/qemu-migrate.py [--runs N] [--append "beat.rate=1000"]
                              [--workdir DIR] [--keep-running SECONDS]
                              [--min-sweeps N] [--qemu-args "-cpu max"]
                              [--kernel PATH] [--shared-ram FILE]

Logs: DIR/run-N/{src,dst}.log (serial) and {src,dst}.qemu (QEMU's
output); one line per run, exit status 0 when every run passed.
"""
import argparse
import json
import os
import socket
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))


class Qmp:
    def __init__(self, path, timeout=30):
        t0 = time.time()
        while True:
            try:
                self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self.s.connect(path)
                break
            except OSError:
                self.s.close()
                if time.time() - t0 > timeout:
                    raise
                time.sleep(0.1)
        self.f = self.s.makefile("rw")
        self.recv()
        self.cmd("qmp_capabilities")

    def recv(self):
        while True:
            line = self.f.readline()
            if not line:
                raise EOFError("QMP connection closed")
            m = json.loads(line)
            if "event" not in m:
                return m

    def cmd(self, name, **args):
        msg = {"execute": name}
        if args:
            msg["arguments"] = args
        self.f.write(json.dumps(msg) + "\n")
        self.f.flush()
        r = self.recv()
        if "error" in r:
            raise RuntimeError("QMP %s: %s" % (name, r["error"]))
        return r["return"]


def beats(log):
    out = subprocess.run([os.path.join(HERE, "beat-check.sh"), "last", log],
                         capture_output=True, text=True)
    return int(out.stdout) if out.returncode == 0 else 0


def qemu(args, kernel, initrd, append, mem, d, side, extra):
    machine = ["-machine", "pc"]
    if args.shared_ram:
        machine = ["-object", "memory-backend-file,id=ram0,size=%s,mem-path=%s,"
                   "share=on" % (mem, args.shared_ram),
                   "-machine", "pc,memory-backend=ram0"]
    cmd = [args.qemu, "-accel", "tcg", "-m", mem, "-smp", "1", "-nodefaults",
           "-display", "none", "-no-reboot"] + machine + [
           "-serial", "file:%s/%s.log" % (d, side),
           "-qmp", "unix:%s/%s.qmp,server=on,wait=off" % (d, side),
           "-kernel", kernel, "-initrd", initrd, "-append", append] + \
        args.qemu_args.split() + extra
    with open("%s/%s.qemu" % (d, side), "w") as out:
        out.write(" ".join(cmd) + "\n")
        out.flush()
        return subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out,
                                stderr=subprocess.STDOUT)


def stop(p, q):
    try:
        if q:
            q.cmd("quit")
    except (OSError, EOFError, RuntimeError):
        pass
    try:
        p.wait(5)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()


def run(args, n, kernel, initrd):
    d = os.path.join(args.workdir, "run-%d" % n)
    os.makedirs(d, exist_ok=True)
    for f in os.listdir(d):
        os.unlink(os.path.join(d, f))
    append = "%s %s" % (args.base_append, args.append)
    port = args.port + n
    src = qemu(args, kernel, initrd, append, args.mem, d, "src", [])
    dst = qemu(args, kernel, initrd, append, args.mem, d, "dst",
               ["-incoming", "defer"])
    qs = qd = None
    try:
        qs, qd = Qmp(d + "/src.qmp"), Qmp(d + "/dst.qmp")
        if args.shared_ram:
            for q in (qs, qd):
                q.cmd("migrate-set-capabilities", capabilities=[
                    {"capability": "x-ignore-shared", "state": True}])
        qd.cmd("migrate-incoming", uri="tcp:127.0.0.1:%d" % port)
        t0 = time.time()
        while beats(d + "/src.log") < args.beats_before:
            if time.time() - t0 > 120 or src.poll() is not None:
                return False, "source: no beat %d after %.0f s" % (
                    args.beats_before, time.time() - t0)
            time.sleep(0.2)
        boot = time.time() - t0
        qs.cmd("migrate-set-parameters", **{"downtime-limit": args.downtime_ms})
        qs.cmd("migrate", uri="tcp:127.0.0.1:%d" % port)
        t1 = time.time()
        while True:
            info = qs.cmd("query-migrate")
            if info.get("status") in ("completed", "failed", "cancelled"):
                break
            if time.time() - t1 > 300:
                return False, "migration not done after 300 s: %s" % info
            time.sleep(0.2)
        ram = info.get("ram", {})
        stats = ("%s in %.1f s (QEMU: total %s ms, downtime %s ms, %d passes, "
                 "%.0f MiB sent, %d dirty pages/s at the end)" % (
                     info.get("status"), time.time() - t1,
                     info.get("total-time"), info.get("downtime"),
                     ram.get("dirty-sync-count", 0),
                     ram.get("transferred", 0) / 2**20,
                     ram.get("dirty-pages-rate", 0)))
        if info.get("status") != "completed":
            return False, "migration " + stats + " %s" % info.get("error-desc", "")
        t2 = time.time()
        want = args.beats_after
        while time.time() - t2 < max(30, args.keep_running):
            if dst.poll() is not None:
                break
            if beats(d + "/dst.log") >= beats(d + "/src.log") + want and \
                    time.time() - t2 >= args.keep_running:
                break
            time.sleep(0.2)
        st = "exited" if dst.poll() is not None else qd.cmd("query-status")["status"]
        chk = subprocess.run(
            [os.path.join(HERE, "beat-check.sh"), "continued", "--min-sweeps",
             str(args.min_sweeps), d + "/src.log", d + "/dst.log"],
            capture_output=True, text=True)
        ok = chk.returncode == 0
        return ok, "boot+%d beats %.1f s; migration %s; destination %s; %s" % (
            args.beats_before, boot, stats, st, chk.stdout.strip())
    finally:
        stop(src, qs)
        stop(dst, qd)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--qemu", default="qemu-system-x86_64")
    ap.add_argument("--mem", default="256M")
    ap.add_argument("--append", default="beat.rate=1000",
                    help="kernel options added to guest-image.sh --append")
    ap.add_argument("--workdir", default="/tmp/kmig-qemu-migrate")
    ap.add_argument("--port", type=int, default=47300)
    ap.add_argument("--beats-before", type=int, default=6)
    ap.add_argument("--beats-after", type=int, default=6)
    ap.add_argument("--keep-running", type=float, default=0,
                    help="seconds the destination runs before the check")
    ap.add_argument("--downtime-ms", type=int, default=300)
    ap.add_argument("--min-sweeps", type=int, default=2,
                    help="verify sweeps the destination must complete")
    ap.add_argument("--qemu-args", default="",
                    help="more QEMU options, both sides (e.g. '-cpu max')")
    ap.add_argument("--kernel", help="instead of guest-image.sh's")
    ap.add_argument("--shared-ram", metavar="FILE",
                    help="guest RAM in FILE (share=on) on both sides and "
                    "x-ignore-shared: QEMU migrates device state only, as "
                    "with kmig")
    args = ap.parse_args()
    gi = os.path.join(TOP, "scripts", "guest-image.sh")
    paths = {}
    for line in subprocess.run([gi], check=True, capture_output=True,
                               text=True).stdout.splitlines():
        k, _, v = line.partition("=")
        paths[k] = v
    args.base_append = subprocess.run([gi, "--append"], check=True,
                                      capture_output=True, text=True).stdout.strip()
    passed = 0
    for n in range(1, args.runs + 1):
        ok, what = run(args, n, args.kernel or paths["kernel"], paths["initrd"])
        passed += ok
        print("run %d: %s: %s" % (n, "ok" if ok else "FAILED", what), flush=True)
    print("%d of %d runs passed (logs in %s)" % (passed, args.runs, args.workdir))
    return 0 if passed == args.runs else 1


if __name__ == "__main__":
    sys.exit(main())
