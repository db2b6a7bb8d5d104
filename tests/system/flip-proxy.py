#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""A TCP relay that corrupts one byte, for the integrity system tests.

  flip-proxy.py --to ADDR:PORT --port-file F --flip-at N [--conns C]

Listens on 127.0.0.1 (port written to F), relays each of C connections
(default 1) to ADDR:PORT both ways, and XORs byte N (0-based) of the
first connection's client-to-server stream with 0x01 (N < 0: no flip).
Ends when every relayed connection has closed on both sides; prints
"flip-proxy: flipped byte N (0xAA -> 0xBB), relayed X bytes up, Y down".
"""
import argparse
import os
import socket
import sys
import threading


def pump(src, dst, flip_at, stat, key):
    pos = 0
    try:
        while True:
            buf = src.recv(65536)
            if not buf:
                break
            if 0 <= flip_at - pos < len(buf):
                i = flip_at - pos
                stat["flip"] = (buf[i], buf[i] ^ 1)
                buf = buf[:i] + bytes([buf[i] ^ 1]) + buf[i + 1:]
            pos += len(buf)
            dst.sendall(buf)
    except OSError:
        pass
    stat[key] = stat.get(key, 0) + pos
    for s, how in ((dst, socket.SHUT_WR), (src, socket.SHUT_RD)):
        try:
            s.shutdown(how)
        except OSError:
            pass


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--to", required=True)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--flip-at", type=int, required=True)
    ap.add_argument("--conns", type=int, default=1)
    a = ap.parse_args()
    host, port = a.to.rsplit(":", 1)
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", 0))
    ls.listen(a.conns)
    with open(a.port_file + ".tmp", "w") as f:
        f.write("%d\n" % ls.getsockname()[1])
    os.rename(a.port_file + ".tmp", a.port_file)
    ls.settimeout(60)
    stat, threads = {}, []
    for n in range(a.conns):
        c, _ = ls.accept()
        s = socket.create_connection((host, int(port)), timeout=60)
        for sock in (c, s):
            sock.settimeout(None)
        threads.append(threading.Thread(
            target=pump, args=(c, s, a.flip_at if n == 0 else -1, stat,
                               "up")))
        threads.append(threading.Thread(
            target=pump, args=(s, c, -1, stat, "down")))
        threads[-2].start()
        threads[-1].start()
    for t in threads:
        t.join()
    f = stat.get("flip")
    print("flip-proxy: %s, relayed %d bytes up, %d down" % (
        "flipped byte %d (0x%02x -> 0x%02x)" % (a.flip_at, f[0], f[1])
        if f else "no byte flipped", stat.get("up", 0), stat.get("down", 0)),
        flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
