#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""A minimal QMP client for the system tests (the tool under test, migctl,
has its own on json-c; this one only pokes QEMU from the test side).

  qmp.py SOCKET COMMAND [ARGS_JSON]   run one command, print its "return"
                                      as JSON; exit 1 with the QMP error
  qmp.py SOCKET --status              print QEMU's run state (query-status)
  qmp.py SOCKET --wait-status STATE SECONDS
                                      poll until the run state is STATE

Connects with a timeout of 10 s (QMP serves one client at a time: a busy
socket is an error after that).
"""
import json
import socket
import sys
import time


def connect(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(10)
    s.connect(path)
    f = s.makefile("rw")
    if "QMP" not in json.loads(f.readline()):
        sys.exit("qmp.py: %s: no QMP greeting" % path)
    return s, f


def execute(f, cmd, args=None):
    req = {"execute": cmd}
    if args is not None:
        req["arguments"] = args
    f.write(json.dumps(req) + "\n")
    f.flush()
    while True:
        m = json.loads(f.readline())
        if "event" in m:
            continue
        return m


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    path, cmd = sys.argv[1], sys.argv[2]
    try:
        s, f = connect(path)
        execute(f, "qmp_capabilities")
        if cmd == "--status":
            print(execute(f, "query-status")["return"]["status"])
            return 0
        if cmd == "--wait-status":
            want, end = sys.argv[3], time.time() + float(sys.argv[4])
            while True:
                st = execute(f, "query-status")["return"]["status"]
                if st == want:
                    print(st)
                    return 0
                if time.time() > end:
                    print(st)
                    return 1
                time.sleep(0.1)
        args = json.loads(sys.argv[3]) if len(sys.argv) > 3 else None
        m = execute(f, cmd, args)
    except (OSError, ValueError) as e:
        sys.exit("qmp.py: %s: %s" % (path, e))
    if "error" in m:
        sys.exit("qmp.py: %s: %s" % (m["error"].get("class"), m["error"].get("desc")))
    print(json.dumps(m.get("return")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
