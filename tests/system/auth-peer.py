#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""A userspace peer for kmig's channel authentication (system tests).

An independent implementation of the AUTH exchange of
Documentation/kmig/protocol.rst ("Authentication") in Python's hmac and
hashlib, to check the kernel against the specification and to play the
peers a kernel-to-kernel test cannot: a source that stalls or has the
wrong key, and a destination that does not know the key.

  auth-peer.py src --addr A --port P --key-file F --mode MODE
               [--region-size BYTES] [--pages N] [--stall S]
    MODE good      prove the key, check the destination's proof, send N
                   data pages (offsets 0.., byte pattern) in one DATA, SYNC
                   and COMPLETE of pass 0, read the acknowledgment
    MODE badmac    answer the challenge with a wrong MAC, print the reply,
                   then try to send a DATA packet anyway
    MODE stall     read the challenge and send nothing for S seconds;
                   print whether the destination closed the connection
    MODE nofeature a hello without the AUTH feature; print the reply
  auth-peer.py dst --port-file F --key-file F --mode impostor [--wait S]
    listen on 127.0.0.1 (port written to F); to the first source: a
    challenge, an accepting reply and a proof made with this key (not
    the source's); print how many bytes the source sent after the reply

Output: one line "result WORD key=value ...". Exit status 0 when the
peer ran its mode to the end (the result says what happened), 2 on a
usage or local error.
"""
import argparse
import base64
import hashlib
import hmac
import os
import socket
import struct
import sys
import time

HELLO_MAGIC = 0x4B4D4748
REPLY_MAGIC = 0x4B4D4741
PKT_MAGIC = 0x4B4D4750
AUTH_MAGIC = 0x4B4D474B
FEAT_AUTH = 0x2
PAGE = 4096
LABEL_SRC = b"KMIG-AUTH-SRC-V1"
LABEL_DST = b"KMIG-AUTH-DST-V1"
DATA, SYNC, COMPLETE = 1, 2, 3
CHALLENGE, RESPONSE, PROOF = 1, 2, 3


def out(word, **kv):
    print("result %s %s" % (word, " ".join("%s=%s" % i for i in kv.items())),
          flush=True)


def read_key(path):
    with open(path) as f:
        key = base64.b64decode(f.read().strip(), validate=True)
    if len(key) != 32:
        sys.exit("auth-peer: %s: not a 32-byte key" % path)
    return key


def mac(key, label, hello, nd, ns):
    return hmac.new(key, label + hello + nd + ns, hashlib.sha256).digest()


def hello(features, region_size, mig_id, ch=0, count=1):
    return struct.pack(">IHHQ16sHHIQI12s", HELLO_MAGIC, 1, 1, features,
                       mig_id, ch, count, PAGE, region_size, 128, bytes(12))


def auth_msg(step, nonce=bytes(32), m=bytes(32)):
    return struct.pack(">IH2s32s32s8s", AUTH_MAGIC, step, bytes(2), nonce, m,
                       bytes(8))


def parse_auth(buf, step):
    magic, st, _, nonce, m, _ = struct.unpack(">IH2s32s32s8s", buf)
    if magic != AUTH_MAGIC or st != step:
        raise ValueError("not an AUTH step %d message" % step)
    return nonce, m


def reply(status, features, reason=b""):
    return struct.pack(">IHHQ40s8s", REPLY_MAGIC, 1 if not status else 0,
                       status, features, reason, bytes(8))


def parse_reply(buf):
    magic, _, status, features, reason, _ = struct.unpack(">IHHQ40s8s", buf)
    if magic != REPLY_MAGIC:
        raise ValueError("not a reply")
    return status, features, reason.rstrip(b"\0").decode(errors="replace")


def header(typ, seq, data=0, zero=0, pas=0):
    return struct.pack(">IHHQIIQ16s", PKT_MAGIC, typ, 0, seq, data, zero,
                       pas, bytes(16))


def recv_exact(s, n):
    buf = b""
    while len(buf) < n:
        chunk = s.recv(n - len(buf))
        if not chunk:
            raise ConnectionError("closed after %d of %d bytes" %
                                  (len(buf), n))
        buf += chunk
    return buf


def closed_by_peer(s, seconds):
    """True if the peer closes (or resets) within seconds."""
    s.settimeout(seconds)
    try:
        return s.recv(1) == b""
    except socket.timeout:
        return False
    except OSError:
        return True


def src(a):
    key = read_key(a.key_file)
    mig_id = bytes.fromhex(a.id) if a.id else os.urandom(16)
    feats = 0 if a.mode == "nofeature" else FEAT_AUTH
    h = hello(feats, a.region_size, mig_id)
    s = socket.create_connection((a.addr, a.port), timeout=30)
    s.sendall(h)
    first = recv_exact(s, 64)
    if struct.unpack(">I", first[:4])[0] == REPLY_MAGIC:
        st, _, reason = parse_reply(first)
        out("rejected", status=st, reason=repr(reason))
        return 0
    nd, _ = parse_auth(first + recv_exact(s, 16), CHALLENGE)
    if a.mode == "stall":
        t0 = time.monotonic()
        closed = closed_by_peer(s, a.stall)
        out("dropped" if closed else "open",
            after_s="%.1f" % (time.monotonic() - t0))
        return 0
    ns = os.urandom(32)
    m = os.urandom(32) if a.mode == "badmac" else \
        mac(key, LABEL_SRC, h, nd, ns)
    s.sendall(auth_msg(RESPONSE, ns, m))
    st, feats_got, reason = parse_reply(recv_exact(s, 64))
    if st:
        # Try to write a page anyway: it must not land.
        try:
            s.sendall(header(DATA, 0, 1, 0, 0) + struct.pack(">Q", 0) +
                      b"\xa5" * PAGE)
        except OSError:
            pass
        out("rejected", status=st, reason=repr(reason),
            closed=closed_by_peer(s, 5))
        return 0
    _, pm = parse_auth(recv_exact(s, 80), PROOF)
    if not hmac.compare_digest(pm, mac(key, LABEL_DST, h, nd, ns)):
        out("bad-proof")
        return 0
    n = a.pages
    pkt = header(DATA, 0, n, 0, 0)
    pkt += b"".join(struct.pack(">Q", i * PAGE) for i in range(n))
    pkt += b"".join(bytes([(i * 7 + 1) & 0xff]) * PAGE for i in range(n))
    s.sendall(pkt + header(SYNC, 1, 0, 0, 0) + header(COMPLETE, 2, 0, 0, 0))
    ack = recv_exact(s, 48)
    typ = struct.unpack(">IH", ack[:6])[1]
    out("accepted", proof="ok", features=feats_got, pages=n,
        ack="complete" if typ == COMPLETE else typ)
    return 0


def dst(a):
    key = read_key(a.key_file)
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", 0))
    ls.listen(8)
    with open(a.port_file + ".tmp", "w") as f:
        f.write("%d\n" % ls.getsockname()[1])
    os.rename(a.port_file + ".tmp", a.port_file)
    ls.settimeout(a.wait)
    s, _ = ls.accept()
    s.settimeout(a.wait)
    h = recv_exact(s, 64)
    feats = struct.unpack(">Q", h[8:16])[0]
    nd = os.urandom(32)
    s.sendall(auth_msg(CHALLENGE, nd))
    ns, _ = parse_auth(recv_exact(s, 80), RESPONSE)
    s.sendall(reply(0, feats))
    s.sendall(auth_msg(PROOF, bytes(32), mac(key, LABEL_DST, h, nd, ns)))
    got = 0
    s.settimeout(a.wait)
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            got += len(chunk)
    except (socket.timeout, OSError):
        pass
    out("impostor", bytes_after_reply=got)
    return 0


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="role", required=True)
    p = sub.add_parser("src")
    p.add_argument("--addr", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--key-file", required=True)
    p.add_argument("--mode", required=True,
                   choices=["good", "badmac", "stall", "nofeature"])
    p.add_argument("--region-size", type=int, default=64 << 20)
    p.add_argument("--pages", type=int, default=4)
    p.add_argument("--stall", type=float, default=20)
    p.add_argument("--id")
    p = sub.add_parser("dst")
    p.add_argument("--port-file", required=True)
    p.add_argument("--key-file", required=True)
    p.add_argument("--mode", required=True, choices=["impostor"])
    p.add_argument("--wait", type=float, default=10)
    a = ap.parse_args()
    try:
        return src(a) if a.role == "src" else dst(a)
    except (OSError, ValueError, ConnectionError) as e:
        out("error", what=repr(str(e)))
        return 0


if __name__ == "__main__":
    sys.exit(main())
