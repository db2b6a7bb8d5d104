#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""A destination that hangs up on QEMU's device state once kmig is done.

  devstate-sink.py MIGCTL REGION

Listens on 127.0.0.1 (prints 'port N'), accepts QEMU's migration stream
and reads it, and closes the connection as soon as kmig's migration into
REGION has completed (migctl -j status --region REGION), so that QEMU's
device-state migration fails after kmig has moved all of the RAM: the
case where the source must resume its guest. Gives up after 180 s.
"""
import json
import select
import socket
import subprocess
import sys
import time


def kmig_state(migctl, region):
    out = subprocess.run([migctl, "-j", "status", "--region", region],
                         capture_output=True, text=True).stdout
    try:
        return json.loads(out).get("state")
    except ValueError:
        return None


def main():
    migctl, region = sys.argv[1], sys.argv[2]
    ls = socket.socket()
    ls.bind(("127.0.0.1", 0))
    ls.listen(1)
    print("port", ls.getsockname()[1], flush=True)
    end = time.time() + 180
    conn, got = None, 0
    while time.time() < end:
        r, _, _ = select.select([ls] + ([conn] if conn else []), [], [], 0.05)
        if ls in r and not conn:
            conn, _ = ls.accept()
        if conn and conn in r:
            data = conn.recv(1 << 16)
            if not data:
                print("QEMU closed after", got, "bytes", flush=True)
                return 0
            got += len(data)
        if kmig_state(migctl, region) in ("completed", "failed", "cancelled"):
            print("kmig done; hanging up after", got, "bytes", flush=True)
            if conn:
                conn.close()
            return 0
    print("timeout", flush=True)
    return 1


if __name__ == "__main__":
    sys.exit(main())
