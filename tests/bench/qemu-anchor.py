#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""QEMU migration anchor for `make bench`.

Measures QEMU's own RAM migration over loopback TCP, natively on this host
(TCG only, the guest paused with -S, no disk, no devices), so that kmig's
numbers have a reference point on the same machine.

For every (case, channels) pair it starts a destination QEMU with
-incoming defer and a source QEMU, sets the same capabilities and
parameters on both over QMP, runs migrate-incoming tcp:127.0.0.1:PORT and
migrate, polls query-migrate until completed or failed, records the
source's final statistics and kills both.

Cases:
  zero-written    guest RAM allocated and filled with zeros (prealloc=on)
  zero-untouched  guest RAM never touched (no prealloc)
  random          guest RAM a private copy of a file of random bytes
                  (memory-backend-file, share=off, prealloc=on)
  random-dst-prealloc  the same, into a destination whose RAM is
                  preallocated (prealloc=on): the first write to each
                  page happens before the migration, not during it. On a
                  microVM whose memory the outer hypervisor backs lazily
                  (virtio-balloon free page reporting), that first write
                  can cost milliseconds per 2 MiB.

Channels: 0 = legacy precopy (no multifd); N > 0 = multifd capability on
and multifd-channels=N on both sides.

Postcopy (--postcopy precopy,postcopy): a running guest, pcguest.elf
(tests/bench/pcguest.c, a multiboot kernel: random data, then writes
paced by the PIT to a hot set of pages, each write timed), migrated under
a bandwidth limit (max-bandwidth and max-postcopy-bandwidth, no multifd:
QEMU 7.2 has no postcopy with multifd):
  precopy   precopy only; after --pc-max-passes passes (dirty-sync-count
            - 1) without completing, the switchover is forced by raising
            downtime-limit to its maximum (as a management layer does)
  postcopy  postcopy-ram on both sides (and postcopy-blocktime on the
            destination), migrate-start-postcopy once the first pass is
            done (dirty-sync-count 2)
The source's RAM is preallocated (zeros) as in zero-written. QEMU 7.2
keeps no per-fault latency (only the total postcopy-blocktime): the
destination logs the trace events of its fault thread's page requests
and of the pages placed (-trace, -msg timestamp=on), and the time from
a page's request to its placement is the fault's latency, as kmig's
runs from the fault to the page installed. The guest also times its
writes and prints the slow ones on its debug console (isa-debugcon, one
file per QEMU): the destination's file holds the writes that stalled
there (a page fetched by postcopy, a first write to a page the
destination had not allocated, or the vCPU thread not running), the
guest's view. Postcopy needs userfaultfd
on the destination: as root, or vm.unprivileged_userfaultfd=1; without
it the runs are recorded as not possible, with the reason.

With --probe-state FILE, loadprobe.py probes the CPU right before each
migrate command (both QEMUs up and configured) and waits while it is
busy; the record goes with the run ("probe"). --round N is recorded.

JSON goes to stdout, progress to stderr. Python 3 standard library only.
"""

import argparse
import json
import multiprocessing
import os
import platform
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

import loadprobe

GiB = 1 << 30
MiB = 1 << 20
CASES = ("zero-written", "zero-untouched", "random", "random-dst-prealloc")

# QEMU 7.2's default max-bandwidth is 128 MiB/s (older ones: 32 MiB/s);
# this is effectively unlimited on loopback.
MAX_BANDWIDTH = 1 << 40                 # bytes/s
# The largest value QEMU accepts (2000 s). The guest is paused, so nothing
# is redirtied: after the first bandwidth estimate (100 ms) the expected
# downtime is far below this and QEMU sends everything that is left in one
# go in the completion stage.
DOWNTIME_LIMIT_MS = 2000000

# Parameters recorded from query-migrate-parameters when present; newer
# QEMUs (9.0+) have zero-page-detection (none/legacy/multifd), 7.2 does not.
RECORDED_PARAMS = ("max-bandwidth", "downtime-limit", "multifd-channels",
                   "multifd-compression", "zero-page-detection",
                   "multifd-zero-page", "xbzrle-cache-size")
RAM_STATS = ("transferred", "remaining", "total", "duplicate", "skipped",
             "normal", "normal-bytes", "mbps", "page-size", "multifd-bytes",
             "precopy-bytes", "downtime-bytes", "pages-per-second",
             "dirty-sync-count")


def log(msg):
    print("[qemu-anchor %s] %s" % (time.strftime("%H:%M:%S"), msg),
          file=sys.stderr, flush=True)


class QMPError(Exception):
    pass


class QMP:
    """Minimal synchronous QMP client over a unix socket."""

    def __init__(self, path, proc, timeout):
        deadline = time.monotonic() + timeout
        self.sock = None
        while True:
            if proc.poll() is not None:
                raise QMPError("QEMU exited (rc %d) before QMP was up"
                               % proc.returncode)
            if os.path.exists(path):
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                try:
                    s.connect(path)
                    self.sock = s
                    break
                except OSError:
                    s.close()
            if time.monotonic() > deadline:
                raise QMPError("timed out waiting for QMP socket %s" % path)
            time.sleep(0.02)
        self.buf = b""
        self.events = []
        # The greeting only arrives once QEMU's main loop runs, i.e. after
        # the memory backends are allocated (prealloc can take seconds).
        self.greeting = self._read(deadline - time.monotonic())
        if "QMP" not in self.greeting:
            raise QMPError("unexpected QMP greeting: %r" % self.greeting)
        self.cmd("qmp_capabilities", timeout=timeout)

    def _read(self, timeout):
        deadline = time.monotonic() + max(timeout, 0.1)
        while b"\n" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise QMPError("timed out waiting for QMP reply")
            self.sock.settimeout(left)
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                raise QMPError("timed out waiting for QMP reply")
            if not chunk:
                raise QMPError("QMP connection closed")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)

    def cmd(self, name, args=None, timeout=30.0):
        msg = {"execute": name}
        if args:
            msg["arguments"] = args
        self.sock.sendall(json.dumps(msg).encode() + b"\n")
        deadline = time.monotonic() + timeout
        while True:
            try:
                r = self._read(deadline - time.monotonic())
            except QMPError as e:
                raise QMPError("%s (%s, %.0f s)" % (e, name, timeout))
            if "event" in r:
                self.events.append(r)
                continue
            if "error" in r:
                raise QMPError("%s: %s" % (name, r["error"].get("desc", r)))
            return r.get("return")

    def close(self):
        if self.sock:
            self.sock.close()
            self.sock = None


def gen_random_chunk(args):
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    path, off, length = args
    fd = os.open(path, os.O_WRONLY)
    try:
        pos = off
        end = off + length
        while pos < end:
            n = min(16 * MiB, end - pos)
            os.pwrite(fd, os.urandom(n), pos)
            pos += n
        os.fsync(fd)
    finally:
        os.close(fd)
    return length


def make_random_file(path, size):
    t0 = time.monotonic()
    with open(path, "wb") as f:
        f.truncate(size)
    chunk = 64 * MiB
    jobs = [(path, off, min(chunk, size - off))
            for off in range(0, size, chunk)]
    pool = multiprocessing.Pool(max(1, os.cpu_count() or 1))
    try:
        for _ in pool.imap_unordered(gen_random_chunk, jobs):
            pass
        pool.close()
    except BaseException:
        pool.terminate()
        raise
    finally:
        pool.join()
    log("created random file %s (%d MiB) in %.1f s"
        % (path, size // MiB, time.monotonic() - t0))


def free_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def port_in_use(port):
    """True while something still listens on port (TIME_WAIT is ignored,
    as QEMU itself listens with SO_REUSEADDR)."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        s.bind(("127.0.0.1", port))
        return False
    except OSError:
        return True
    finally:
        s.close()


def proc_cpu_s(pid):
    """utime + stime of @pid in seconds, None when unreadable."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return round((int(fields[11]) + int(fields[12])) /
                     os.sysconf("SC_CLK_TCK"), 2)
    except (OSError, IndexError, ValueError):
        return None


def host_info():
    info = {"uname": " ".join(platform.uname()), "nproc": os.cpu_count()}
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    info["cpu_model"] = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    info["mem_total_kib"] = int(line.split()[1])
                    break
    except OSError:
        pass
    try:
        with open("/sys/kernel/mm/transparent_hugepage/enabled") as f:
            info["thp"] = f.read().strip()
    except OSError:
        pass
    try:
        with open("/etc/debian_version") as f:
            info["debian_version"] = f.read().strip()
    except OSError:
        pass
    info["accel"] = "tcg"
    return info


def qemu_argv(qemu, size, case, qmp_path, incoming, random_file):
    """Command line for one side. The RAM block is named 'mem' on both
    sides so the destination's anonymous backend takes the source's RAM."""
    if case.startswith("random") and not incoming:
        mem = ("memory-backend-file,id=mem,size=%d,mem-path=%s,share=off,"
               "prealloc=on" % (size, random_file))
    elif ((case == "zero-written" and not incoming) or
          (case == "random-dst-prealloc" and incoming)):
        mem = "memory-backend-ram,id=mem,size=%d,prealloc=on" % size
    else:
        mem = "memory-backend-ram,id=mem,size=%d" % size
    if "prealloc=on" in mem:
        mem += ",prealloc-threads=%d" % max(1, os.cpu_count() or 1)
    argv = [qemu, "-accel", "tcg", "-machine", "pc,memory-backend=mem",
            "-m", "%dM" % (size // MiB), "-object", mem,
            "-S", "-nographic", "-nodefaults", "-display", "none",
            "-qmp", "unix:%s,server=on,wait=off" % qmp_path]
    if incoming:
        argv += ["-incoming", "defer"]
    return argv


class Side:
    def __init__(self, name, argv, workdir, qmp_path, timeout):
        self.name = name
        self.argv = argv
        self.errpath = os.path.join(workdir, name + ".stderr")
        self.qmp_path = qmp_path
        self.errf = open(self.errpath, "wb")
        self.t_start = time.monotonic()
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                                     stdout=self.errf, stderr=self.errf)
        self.qmp = None
        self.timeout = timeout

    def connect(self):
        self.qmp = QMP(self.qmp_path, self.proc, self.timeout)
        self.ready_s = time.monotonic() - self.t_start

    def stderr_tail(self):
        try:
            with open(self.errpath, "rb") as f:
                data = f.read()[-800:]
            return data.decode(errors="replace").strip()
        except OSError:
            return ""

    def kill(self):
        if self.qmp:
            self.qmp.close()
            self.qmp = None
        if self.proc.poll() is None:
            self.proc.kill()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            log("%s: pid %d did not exit after SIGKILL"
                % (self.name, self.proc.pid))
        self.errf.close()


def configure(qmp, channels):
    caps = [{"capability": "multifd", "state": channels > 0}]
    qmp.cmd("migrate-set-capabilities", {"capabilities": caps})
    params = {"max-bandwidth": MAX_BANDWIDTH,
              "downtime-limit": DOWNTIME_LIMIT_MS}
    if channels > 0:
        params["multifd-channels"] = channels
    qmp.cmd("migrate-set-parameters", params)
    got = qmp.cmd("query-migrate-parameters")
    capsnow = {c["capability"]: c["state"]
               for c in qmp.cmd("query-migrate-capabilities")}
    rec = {k: got[k] for k in RECORDED_PARAMS if k in got}
    return rec, capsnow


def dst_wait_done(dst, st, deadline):
    """After the source's @st "completed": the destination's query-migrate
    once it has completed or failed too ({} when the source did not)."""
    dinfo = {}
    while st == "completed":
        dinfo = dst.qmp.cmd("query-migrate",
                            timeout=max(deadline - time.monotonic(), 1))
        if dinfo.get("status") in ("completed", "failed"):
            break
        if time.monotonic() > deadline:
            raise QMPError("destination timed out in status %s"
                           % dinfo.get("status"))
        time.sleep(0.02)
    return dinfo


def run_error(e, src, dst):
    """A failed run's error: the exception and both QEMUs' stderr tails."""
    msg = "%s: %s" % (type(e).__name__, e)
    tails = []
    for side in (src, dst):
        if side is not None:
            t = side.stderr_tail()
            if t:
                tails.append("%s stderr: %s" % (side.name, t))
    if tails:
        msg += " | " + " | ".join(tails)
    return msg


def run_cleanup(src, dst, port):
    """Kill both QEMUs; wait (up to 10 s) until @port is free again."""
    for side in (src, dst):
        if side is not None:
            side.kill()
    if port is not None:
        for _ in range(100):
            if not port_in_use(port):
                break
            time.sleep(0.1)


def one_run(opts, case, channels, size, random_file, workdir):
    run = {"case": case, "channels": channels, "multifd": channels > 0,
           "size_bytes": size, "status": "error"}
    t0 = time.monotonic()
    src = dst = None
    try:
        port = free_port()
        dq = os.path.join(workdir, "dst.qmp")
        sq = os.path.join(workdir, "src.qmp")
        for p in (dq, sq):
            if os.path.exists(p):
                os.unlink(p)
        dst = Side("dst", qemu_argv(opts.qemu, size, case, dq, True, None),
                   workdir, dq, opts.timeout)
        src = Side("src", qemu_argv(opts.qemu, size, case, sq, False,
                                    random_file), workdir, sq, opts.timeout)
        run["src_argv"] = " ".join(shlex.quote(a) for a in src.argv)
        run["dst_argv"] = " ".join(shlex.quote(a) for a in dst.argv)
        dst.connect()
        src.connect()
        run["src_start_s"] = round(src.ready_s, 3)
        run["dst_start_s"] = round(dst.ready_s, 3)
        run["dst_params"], dcaps = configure(dst.qmp, channels)
        run["src_params"], scaps = configure(src.qmp, channels)
        run["capabilities"] = sorted(k for k, v in scaps.items() if v)
        if sorted(k for k, v in dcaps.items() if v) != run["capabilities"]:
            raise QMPError("capabilities differ: src %s dst %s"
                           % (scaps, dcaps))
        uri = "tcp:127.0.0.1:%d" % port
        if opts.probe:
            run["probe"] = opts.probe.before("qemu %s %d" % (case, channels))
        dst.qmp.cmd("migrate-incoming", {"uri": uri})
        t_mig = time.monotonic()
        src.qmp.cmd("migrate", {"uri": uri})
        deadline = t_mig + opts.timeout
        info = {}
        while True:
            # While QEMU completes the migration (the final stage, which for
            # a paused guest is nearly all of it) its main loop waits for
            # the BQL, so this can block for the whole transfer.
            info = src.qmp.cmd("query-migrate",
                               timeout=max(deadline - time.monotonic(), 1))
            st = info.get("status")
            if st in ("completed", "failed", "cancelled"):
                break
            if src.proc.poll() is not None or dst.proc.poll() is not None:
                raise QMPError("a QEMU exited during migration")
            if time.monotonic() > deadline:
                raise QMPError("timed out after %d s in status %s"
                               % (opts.timeout, st))
            time.sleep(0.05)
        t_src_done = time.monotonic()
        # Wait for the destination to finish loading as well.
        dinfo = dst_wait_done(dst, st, deadline)
        t_dst_done = time.monotonic()
        # CPU time of both QEMUs (start-up and prealloc included): a
        # total-time far above the source's CPU time shows contention.
        run["src_cpu_s"] = proc_cpu_s(src.proc.pid)
        run["dst_cpu_s"] = proc_cpu_s(dst.proc.pid)
        run["migrate_wall_ms"] = round((t_src_done - t_mig) * 1000, 1)
        run["dst_done_wall_ms"] = round((t_dst_done - t_mig) * 1000, 1)
        run["dst_status"] = dinfo.get("status")
        run["total_time_ms"] = info.get("total-time")
        run["setup_time_ms"] = info.get("setup-time")
        run["downtime_ms"] = info.get("downtime")
        ram = info.get("ram", {})
        for k in RAM_STATS:
            if k in ram:
                run[k.replace("-", "_")] = ram[k]
        if run.get("total_time_ms"):
            run["throughput_gib_s"] = round(
                size / GiB / (run["total_time_ms"] / 1000.0), 3)
        if st == "completed" and dinfo.get("status") == "completed":
            run["status"] = "completed"
        else:
            run["error"] = "source %s, destination %s: %s" % (
                st, dinfo.get("status"),
                info.get("error-desc", dst.stderr_tail() or src.stderr_tail()))
    except Exception as e:      # record and go on with the next run
        run["error"] = run_error(e, src, dst)
    finally:
        run_cleanup(src, dst, locals().get("port"))
    run["run_wall_s"] = round(time.monotonic() - t0, 2)
    return run


# ------------------------------------------------------------ postcopy

PC_CONFIGS = ("precopy", "postcopy")


def userfaultfd_usable():
    """None when QEMU's destination can use userfaultfd here, else why
    not. QEMU 7.2 calls userfaultfd(2) (no /dev/userfaultfd): a process
    without CAP_SYS_PTRACE needs vm.unprivileged_userfaultfd=1."""
    try:
        with open("/proc/sys/vm/unprivileged_userfaultfd") as f:
            unpriv = f.read().strip()
    except OSError:
        unpriv = None
    if os.geteuid() == 0 or unpriv == "1":
        return None
    return ("not root and vm.unprivileged_userfaultfd is %s: QEMU's "
            "userfaultfd(2) on the destination fails" % unpriv)


# The destination's trace events of a postcopy fault: the fault thread's
# request for a page, and the page placed (UFFDIO_COPY, which wakes the
# faulting thread).
PC_TRACE = ("postcopy_ram_fault_thread_request", "postcopy_place_page",
            "postcopy_place_page_zero")


def pc_argv(opts, size, qmp_path, incoming, con_path, trace_path=None):
    """A TCG QEMU running pcguest.elf; the source's RAM preallocated.
    With @trace_path, PC_TRACE logged there with timestamps."""
    mem = "memory-backend-ram,id=mem,size=%d" % size
    if not incoming:
        mem += ",prealloc=on,prealloc-threads=%d" % max(1, os.cpu_count() or 1)
    append = "rand_mib=%d hot_pages=%d rate=%d seed=19 stall_us=%d" % (
        opts.pc_random_mib, opts.pc_hot_pages, opts.pc_rate,
        opts.pc_stall_us)
    argv = [opts.qemu, "-accel", "tcg", "-machine", "pc,memory-backend=mem",
            "-m", "%dM" % (size // MiB), "-object", mem,
            "-kernel", opts.pc_guest, "-append", append,
            "-chardev", "file,id=dbg,path=%s" % con_path,
            "-device", "isa-debugcon,iobase=0xe9,chardev=dbg",
            "-nographic", "-nodefaults", "-display", "none",
            "-qmp", "unix:%s,server=on,wait=off" % qmp_path]
    if incoming:
        argv += ["-incoming", "defer"]
    if trace_path:
        argv += ["-msg", "timestamp=on", "-D", trace_path]
        for ev in PC_TRACE:
            argv += ["-trace", "enable=%s" % ev]
    return argv


def fault_latencies(path):
    """From the destination's trace log: for every page request of the
    fault thread, the time until that page was placed (ns), in request
    order; and the requests whose page never showed placed after it.
    Lines: 'PID@SEC.USEC:EVENT ARGS' (-msg timestamp=on)."""
    reqs, placed = [], {}
    try:
        with open(path, errors="replace") as f:
            for line in f:
                m = re.match(r"\d+@(\d+)\.(\d{6}):(\w+) (.*)", line)
                if not m:
                    continue
                t = int(m.group(1)) * 1000000000 + int(m.group(2)) * 1000
                ev, args = m.group(3), m.group(4)
                if ev == "postcopy_ram_fault_thread_request":
                    a = re.search(r"HVA=0x([0-9a-f]+)", args)
                    if a:
                        reqs.append((t, int(a.group(1), 16) & ~4095))
                elif ev.startswith("postcopy_place_page"):
                    a = re.search(r"host=(0x[0-9a-f]+)", args)
                    if a:
                        placed.setdefault(int(a.group(1), 16) & ~4095,
                                          []).append(t)
    except OSError:
        return None, None
    lat, lost = [], 0
    for t, page in reqs:
        after = [x for x in placed.get(page, ()) if x >= t]
        if after:
            lat.append(min(after) - t)
        else:
            lost += 1
    return lat, lost


def read_console(path):
    """pcguest's debug console: tsc_khz, the stalls (cycles), the last
    'w WRITES STALLS' line."""
    out = {"tsc_khz": None, "stalls": [], "writes": None, "ready": False}
    try:
        with open(path, errors="replace") as f:
            for line in f:
                p = line.split()
                if len(p) == 3 and p[0] == "ready" and p[2].isdigit():
                    out["ready"] = True
                    out["tsc_khz"] = int(p[2])
                elif len(p) == 2 and p[0] == "s" and p[1].isdigit():
                    out["stalls"].append(int(p[1]))
                elif len(p) == 3 and p[0] == "w" and p[1].isdigit():
                    out["writes"] = int(p[1])
    except OSError:
        pass
    return out


def pct(v, p):
    """The p-th percentile (nearest rank) of a sorted list."""
    if not v:
        return None
    return v[min(len(v) - 1, max(0, -(-p * len(v) // 100) - 1))]


def pc_run(opts, config, workdir):
    size = int(opts.pc_size_gib * GiB)
    bw = opts.pc_bw_mib * MiB
    run = {"config": config, "size_bytes": size,
           "random_bytes": opts.pc_random_mib * MiB,
           "hot_pages": opts.pc_hot_pages, "rate": opts.pc_rate,
           "max_bandwidth": bw, "downtime_limit_ms": opts.pc_downtime_limit_ms,
           "max_passes": opts.pc_max_passes if config == "precopy" else None,
           "stall_us": opts.pc_stall_us, "status": "error"}
    t0 = time.monotonic()
    src = dst = None
    try:
        port = free_port()
        dq = os.path.join(workdir, "pc-dst.qmp")
        sq = os.path.join(workdir, "pc-src.qmp")
        dcon = os.path.join(workdir, "pc-dst.con")
        scon = os.path.join(workdir, "pc-src.con")
        dtrace = os.path.join(workdir, "pc-dst.trace")
        for p in (dq, sq, dcon, scon, dtrace):
            if os.path.exists(p):
                os.unlink(p)
        dst = Side("pc-dst", pc_argv(opts, size, dq, True, dcon,
                                     dtrace if config == "postcopy" else None),
                   workdir, dq, opts.timeout)
        src = Side("pc-src", pc_argv(opts, size, sq, False, scon), workdir,
                   sq, opts.timeout)
        run["src_argv"] = " ".join(shlex.quote(a) for a in src.argv)
        run["dst_argv"] = " ".join(shlex.quote(a) for a in dst.argv)
        dst.connect()
        src.connect()
        run["src_start_s"] = round(src.ready_s, 3)
        caps = []
        if config == "postcopy":
            caps = [{"capability": "postcopy-ram", "state": True},
                    {"capability": "postcopy-blocktime", "state": True}]
        params = {"max-bandwidth": bw,
                  "downtime-limit": opts.pc_downtime_limit_ms,
                  "max-postcopy-bandwidth": bw}
        for side in (src, dst):
            if caps:
                side.qmp.cmd("migrate-set-capabilities", {"capabilities": caps})
            side.qmp.cmd("migrate-set-parameters", params)
        run["capabilities"] = sorted(
            c["capability"] for c in src.qmp.cmd("query-migrate-capabilities")
            if c["state"])
        # The guest filled its random data and calibrated its clock.
        deadline = time.monotonic() + 60
        while not read_console(scon)["ready"]:
            if src.proc.poll() is not None or time.monotonic() > deadline:
                raise QMPError("the guest never said ready")
            time.sleep(0.05)
        if opts.probe:
            run["probe"] = opts.probe.before("qemu postcopy %s" % config)
        uri = "tcp:127.0.0.1:%d" % port
        dst.qmp.cmd("migrate-incoming", {"uri": uri})
        t_mig = time.monotonic()
        src.qmp.cmd("migrate", {"uri": uri})
        deadline = t_mig + opts.timeout
        info = {}
        forced_at = None
        last_syncs = None
        run["passes"] = []
        while True:
            info = src.qmp.cmd("query-migrate",
                               timeout=max(deadline - time.monotonic(), 1))
            st = info.get("status")
            if st in ("completed", "failed", "cancelled"):
                break
            ram = info.get("ram", {})
            syncs = ram.get("dirty-sync-count", 0)
            if syncs != last_syncs:
                # Each bitmap sync ends a pass: when, and what it left.
                last_syncs = syncs
                run["passes"].append({
                    "t_s": round(time.monotonic() - t_mig, 3),
                    "dirty_sync_count": syncs, "status": st,
                    "transferred": ram.get("transferred"),
                    "remaining": ram.get("remaining"),
                    "dirty_pages_rate": ram.get("dirty-pages-rate")})
            if config == "precopy" and forced_at is None and \
                    syncs - 1 >= opts.pc_max_passes:
                # Not converged within the passes: force the switchover.
                src.qmp.cmd("migrate-set-parameters",
                            {"downtime-limit": 2000000})
                forced_at = time.monotonic() - t_mig
                run["forced_after_passes"] = syncs - 1
                run["remaining_at_switch"] = ram.get("remaining")
            if config == "postcopy" and forced_at is None and syncs >= 2:
                src.qmp.cmd("migrate-start-postcopy")
                forced_at = time.monotonic() - t_mig
                run["postcopy_after_passes"] = syncs - 1
                run["remaining_at_switch"] = ram.get("remaining")
            if src.proc.poll() is not None or dst.proc.poll() is not None:
                raise QMPError("a QEMU exited during migration")
            if time.monotonic() > deadline:
                raise QMPError("timed out after %d s in status %s"
                               % (opts.timeout, st))
            time.sleep(0.02)
        dinfo = dst_wait_done(dst, st, deadline)
        run["wall_ms"] = round((time.monotonic() - t_mig) * 1000, 1)
        # The guest ran on the destination a moment: its last counts.
        time.sleep(1.2)
        if forced_at is not None:
            run["switch_requested_s"] = round(forced_at, 3)
        run["total_time_ms"] = info.get("total-time")
        run["setup_time_ms"] = info.get("setup-time")
        run["downtime_ms"] = info.get("downtime")
        ram = info.get("ram", {})
        for k in RAM_STATS + ("postcopy-requests", "postcopy-bytes"):
            if k in ram:
                run[k.replace("-", "_")] = ram[k]
        run["dst_status"] = dinfo.get("status")
        if "postcopy-blocktime" in dinfo:
            run["postcopy_blocktime_ms"] = dinfo["postcopy-blocktime"]
            run["postcopy_vcpu_blocktime_ms"] = dinfo.get(
                "postcopy-vcpu-blocktime")
        if config == "precopy":
            run["converged"] = forced_at is None
            run["converge_s"] = (round(info["total-time"] / 1000.0, 3)
                                 if forced_at is None and
                                 info.get("total-time") else None)
        sc, dc = read_console(scon), read_console(dcon)
        khz = sc["tsc_khz"]
        run["tsc_khz"] = khz
        run["src_writes"] = sc["writes"]
        run["src_stalls"] = len(sc["stalls"])
        if khz:
            ns = sorted(c * 1000000 // khz for c in dc["stalls"])
            run["dst_stalls"] = len(ns)
            run["dst_stall_ns"] = ns
            run["dst_stall_p50_ns"] = pct(ns, 50)
            run["dst_stall_p99_ns"] = pct(ns, 99)
            run["dst_stall_max_ns"] = ns[-1] if ns else None
        run["dst_writes_total"] = dc["writes"]
        if config == "postcopy":
            lat, lost = fault_latencies(dtrace)
            if lat is not None:
                lat.sort()
                run["fault_ns"] = lat
                run["faults"] = len(lat) + lost
                run["faults_unplaced"] = lost
                run["fault_p50_ns"] = pct(lat, 50)
                run["fault_p99_ns"] = pct(lat, 99)
                run["fault_max_ns"] = lat[-1] if lat else None
        if st == "completed" and dinfo.get("status") == "completed":
            run["status"] = "completed"
        else:
            run["error"] = "source %s, destination %s: %s" % (
                st, dinfo.get("status"),
                info.get("error-desc", dst.stderr_tail() or src.stderr_tail()))
    except Exception as e:      # record and go on with the next run
        run["error"] = run_error(e, src, dst)
    finally:
        run_cleanup(src, dst, locals().get("port"))
    run["run_wall_s"] = round(time.monotonic() - t0, 2)
    return run


def pc_summary(run):
    if run["status"] != "completed":
        return "ERROR (%.2f s): %s" % (run["run_wall_s"], run.get("error"))
    if run["config"] == "precopy":
        return ("%s, downtime %s ms, total %s ms" % (
            "converged" if run.get("converged") else
            "not converged, forced after %s passes" %
            run.get("forced_after_passes"),
            run.get("downtime_ms"), run.get("total_time_ms")))
    return ("downtime %s ms, total %s ms, %s requests, %s postcopy bytes, "
            "blocktime %s ms; faults (trace) %s, p50 %s us, p99 %s us; the "
            "guest's stalls on the destination: %s, p50 %s us, p99 %s us" % (
                run.get("downtime_ms"), run.get("total_time_ms"),
                run.get("postcopy_requests"), run.get("postcopy_bytes"),
                run.get("postcopy_blocktime_ms"), run.get("faults"),
                (run.get("fault_p50_ns") or 0) // 1000,
                (run.get("fault_p99_ns") or 0) // 1000, run.get("dst_stalls"),
                (run.get("dst_stall_p50_ns") or 0) // 1000,
                (run.get("dst_stall_p99_ns") or 0) // 1000))


def main():
    ap = argparse.ArgumentParser(
        description="Measure QEMU's own migration over loopback (TCG, "
                    "paused guest) and print JSON.")
    ap.add_argument("--size-gib", type=float, default=8,
                    help="guest RAM for the zero cases (default 8)")
    ap.add_argument("--cases", default=",".join(CASES),
                    help="comma list of %s" % ",".join(CASES))
    ap.add_argument("--channels", default="0,1,2,4",
                    help="comma list; 0 = legacy precopy, N = multifd "
                         "with N channels (default 0,1,2,4)")
    ap.add_argument("--random-file", help="file of random bytes for the "
                    "random case (created and deleted if absent)")
    ap.add_argument("--random-size-gib", type=float,
                    help="guest RAM for the random case (default: "
                         "--size-gib; with --random-file: its size)")
    ap.add_argument("--timeout", type=float, default=300,
                    help="per-run timeout in seconds (default 300)")
    ap.add_argument("--qemu", default=shutil.which("qemu-system-x86_64")
                    or "qemu-system-x86_64")
    ap.add_argument("--probe-state", help="loadprobe.py state file: probe "
                    "the CPU before each migration")
    ap.add_argument("--round", type=int, help="round number (recorded)")
    ap.add_argument("--postcopy", default="",
                    help="comma list of %s: the postcopy runs (after the "
                         "cases)" % ",".join(PC_CONFIGS))
    ap.add_argument("--pc-guest", default=os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "pcguest.elf"))
    ap.add_argument("--pc-size-gib", type=float, default=4)
    ap.add_argument("--pc-random-mib", type=int, default=32)
    ap.add_argument("--pc-hot-pages", type=int, default=10485)
    ap.add_argument("--pc-rate", type=int, default=8000,
                    help="guest writes per second")
    ap.add_argument("--pc-bw-mib", type=int, default=16)
    ap.add_argument("--pc-downtime-limit-ms", type=int, default=300)
    ap.add_argument("--pc-max-passes", type=int, default=3)
    ap.add_argument("--pc-stall-us", type=int, default=20)
    opts = ap.parse_args()
    opts.probe = (loadprobe.Probe(opts.probe_state, env="native")
                  if opts.probe_state else None)

    cases = [c for c in opts.cases.split(",") if c]
    for c in cases:
        if c not in CASES:
            ap.error("unknown case %r (known: %s)" % (c, ", ".join(CASES)))
    try:
        channels = [int(c) for c in opts.channels.split(",") if c != ""]
    except ValueError:
        ap.error("--channels must be a comma list of integers")
    if any(c < 0 for c in channels):
        ap.error("--channels must be >= 0")
    pc_configs = [c for c in opts.postcopy.split(",") if c]
    for c in pc_configs:
        if c not in PC_CONFIGS:
            ap.error("unknown postcopy config %r (known: %s)"
                     % (c, ", ".join(PC_CONFIGS)))
    size = int(opts.size_gib * GiB) // (2 * MiB) * (2 * MiB)
    if size <= 0:
        ap.error("--size-gib too small")

    ver = subprocess.run([opts.qemu, "--version"], capture_output=True,
                         text=True)
    qemu_version = ver.stdout.splitlines()[0] if ver.stdout else "?"
    out = {"qemu_version": qemu_version, "qemu": opts.qemu,
           "host": host_info(),
           "command": " ".join(shlex.quote(a) for a in sys.argv),
           "settings": {"max_bandwidth": MAX_BANDWIDTH,
                        "downtime_limit_ms": DOWNTIME_LIMIT_MS,
                        "guest": "paused (-S), pc machine, TCG, no disk, "
                                 "-nodefaults",
                        "transport": "tcp:127.0.0.1"},
           "round": opts.round, "runs": []}

    workdir = tempfile.mkdtemp(prefix="qemu-anchor.")
    random_file = None
    created_random = False
    rsize = size
    t_all = time.monotonic()

    def on_term(signum, frame):
        raise KeyboardInterrupt
    signal.signal(signal.SIGTERM, on_term)

    try:
        if any(c.startswith("random") for c in cases):
            if opts.random_file:
                random_file = opts.random_file
                fsize = os.path.getsize(random_file)
                rsize = (int(opts.random_size_gib * GiB)
                         if opts.random_size_gib else fsize)
                if rsize > fsize:
                    ap.error("--random-file is %d bytes, smaller than "
                             "%d" % (fsize, rsize))
            else:
                rsize = (int(opts.random_size_gib * GiB)
                         if opts.random_size_gib else size)
            rsize = rsize // (2 * MiB) * (2 * MiB)
            if rsize <= 0:
                ap.error("--random-size-gib too small")

        first = True
        for case in cases:
            csize = rsize if case.startswith("random") else size
            if case.startswith("random") and random_file is None:
                # Created only now, so that its writeback does not disturb
                # the other cases.
                random_file = os.path.join(workdir, "random.bin")
                created_random = True
                t = time.monotonic()
                make_random_file(random_file, rsize)
                out["random_file_create_s"] = round(time.monotonic() - t, 2)
            if case.startswith("random"):
                out["random_file"] = random_file
            for ch in channels:
                log("run: case=%s channels=%d size=%d MiB"
                    % (case, ch, csize // MiB))
                run = one_run(opts, case, ch, csize, random_file, workdir)
                if run["status"] == "completed" and not run.get("total_time_ms"):
                    # Seen once: completed with total-time 0. Run it again.
                    log("  total-time %r: running it again"
                        % run.get("total_time_ms"))
                    first_try = run
                    run = one_run(opts, case, ch, csize, random_file, workdir)
                    run["first_try"] = {k: first_try.get(k) for k in
                                        ("total_time_ms", "migrate_wall_ms",
                                         "status")}
                if first and run.get("src_params"):
                    out["migration_options"] = {
                        "parameters_available": sorted(
                            run["src_params"].keys()),
                        "zero_page_detection_param":
                            "zero-page-detection" in run["src_params"],
                    }
                    first = False
                out["runs"].append(run)
                if run["status"] == "completed":
                    log("  done: total %s ms (setup %s, downtime %s), "
                        "%s transferred, dup %s, normal %s, %s Mbps; "
                        "src start %.2f s; run wall, QEMU start and prealloc included, %.2f s"
                        % (run.get("total_time_ms"),
                           run.get("setup_time_ms"),
                           run.get("downtime_ms"),
                           run.get("transferred"), run.get("duplicate"),
                           run.get("normal"),
                           round(run.get("mbps") or 0),
                           run.get("src_start_s", 0), run["run_wall_s"]))
                    log("  CPU: source %s s, destination %s s (with start-up "
                        "and prealloc)" % (run.get("src_cpu_s"),
                                           run.get("dst_cpu_s")))
                else:
                    log("  ERROR (%.2f s): %s"
                        % (run["run_wall_s"], run.get("error")))
        if pc_configs:
            out["postcopy"] = []
            why = userfaultfd_usable()
            if not os.path.exists(opts.pc_guest):
                why = "no guest %s (make -C tests/bench pcguest.elf)" % \
                    opts.pc_guest
            out["postcopy_unavailable"] = why
            # Odd rounds precopy first, even rounds postcopy first (as
            # bench-uml.py's postcopy step).
            if opts.round and opts.round % 2 == 0:
                pc_configs = list(reversed(pc_configs))
            for config in pc_configs:
                if why:
                    out["postcopy"].append({"config": config,
                                            "status": "unavailable",
                                            "error": why})
                    log("postcopy %s: not run: %s" % (config, why))
                    continue
                log("run: postcopy %s, %s GiB" % (config, opts.pc_size_gib))
                run = pc_run(opts, config, workdir)
                out["postcopy"].append(run)
                log("  %s" % pc_summary(run))
    except KeyboardInterrupt:
        log("interrupted")
        out["interrupted"] = True
    finally:
        if created_random and random_file and os.path.exists(random_file):
            os.unlink(random_file)
        shutil.rmtree(workdir, ignore_errors=True)

    # QEMU 7.2 (no zero-page-detection parameter): the zero-page check
    # runs in the migration thread for legacy and multifd alike; multifd
    # channels only carry non-zero pages.
    mo = out.setdefault("migration_options", {})
    if not mo.get("zero_page_detection_param"):
        mo["zero_pages"] = ("checked in the main migration thread "
                            "(buffer_is_zero) and sent as RAM_SAVE_FLAG_ZERO "
                            "on the main channel, also with multifd; no "
                            "zero-page-detection parameter in this QEMU")
    out["wall_s"] = round(time.monotonic() - t_all, 2)
    log("all runs: %.1f s" % out["wall_s"])
    json.dump(out, sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0 if all(r["status"] in ("completed", "unavailable")
                    for r in out["runs"] + out.get("postcopy", [])) else 1


if __name__ == "__main__":
    sys.exit(main())
