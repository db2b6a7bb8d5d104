#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""A TCP relay that stalls, then resets, on the test's word.

  stall-proxy.py --to ADDR:PORT --dir D

Listens on 127.0.0.1 and writes its port to D/port; relays every
connection to ADDR:PORT both ways. Once the file D/stall exists it stops
relaying (reads nothing more: the peers' data waits in their buffers);
once D/reset exists it closes every connection with a TCP reset and
exits. Exits by itself after 300 s.
"""
import argparse
import os
import select
import socket
import struct
import sys
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--to", required=True)
    ap.add_argument("--dir", required=True)
    a = ap.parse_args()
    host, port = a.to.rsplit(":", 1)
    ls = socket.socket()
    ls.bind(("127.0.0.1", 0))
    ls.listen(64)
    with open(os.path.join(a.dir, "port.tmp"), "w") as f:
        f.write("%d\n" % ls.getsockname()[1])
    os.rename(os.path.join(a.dir, "port.tmp"), os.path.join(a.dir, "port"))
    peer = {}
    end = time.time() + 300
    while time.time() < end:
        if os.path.exists(os.path.join(a.dir, "reset")):
            for s in list(peer):
                s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                             struct.pack("ii", 1, 0))
                s.close()
            print("stall-proxy: reset %d sockets" % len(peer), flush=True)
            return 0
        stalled = os.path.exists(os.path.join(a.dir, "stall"))
        rd = [ls] + ([] if stalled else list(peer))
        r, _, _ = select.select(rd, [], [], 0.05)
        for s in r:
            if s is ls:
                c, _ = ls.accept()
                u = socket.create_connection((host, int(port)))
                peer[c], peer[u] = u, c
                continue
            if s not in peer:
                continue
            try:
                buf = s.recv(65536)
            except OSError:
                buf = b""
            if not buf:
                o = peer.pop(s)
                peer.pop(o, None)
                s.close()
                o.close()
                continue
            peer[s].sendall(buf)
    return 1


if __name__ == "__main__":
    sys.exit(main())
