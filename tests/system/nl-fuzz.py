#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Generic netlink fuzzer for the kmig family (system test, python3 stdlib).

    nl-fuzz.py --spec Documentation/netlink/specs/kmig.yaml [--seed S]
               [--root N] [--nonroot N] [--regions N]
    nl-fuzz.py --spec ... --replay HEX     send one message, print the answers

Everything about the family comes from the YNL spec at run time: commands
(do, dump, admin-perm), attribute sets with their types and checks, enums,
constants and multicast groups, so attributes added to the spec are fuzzed
without touching this file. The family id and groups are resolved through
nlctrl, whose list of operations must agree with the spec.

Each message is a random mix of valid attributes (biased towards the
fuzzer's own regions, ports and ids seen in earlier replies, loopback
addresses, so that some listen/start requests really migrate between the
fuzzer's regions), boundary and out-of-range values, wrong sizes,
unterminated or too long strings, unknown types, zero-length, truncated and
duplicated attributes, bad nla_len, nested garbage, bad nlmsg flags, bad
genl version and reserved fields, and batches. For every message the
fuzzer predicts what generic netlink must do from the spec alone (header
checks, unknown command, CAP_NET_ADMIN, strict policy validation) and
checks the answer against it:

  * every message from the kernel is a well-formed netlink message, reply
    attributes parse and have the spec's type, size and set;
  * every request gets exactly one ack/error (or one NLMSG_DONE for a
    dump), none for a message without NLM_F_REQUEST and NLM_F_ACK;
  * a policy violation is refused with EINVAL or ERANGE; a read-only
    command without attributes succeeds; a dump with attributes is
    refused (dumps take none); an unknown command or a dump of a do-only
    command is EOPNOTSUPP; a bad genl header is EINVAL;
  * as an unprivileged user (uid/gid 65534, no capabilities) every
    admin-perm command is refused with EPERM and changes nothing;
  * the module keeps answering (periodic probes), its regions stay
    readable, and the fuzzer's regions are all gone at the end.

Exit status 0 when nothing unexpected happened, 1 otherwise, 2 on a
setup problem. The seed is printed; failures print the message bytes.
"""

import argparse
import errno
import fcntl
import json
import mmap
import os
import random
import re
import select
import socket
import struct
import sys
import time

# ---------------------------------------------------------------------------
# A YAML subset: block mappings and sequences, '-' items, plain, quoted and
# block (|, >) scalars, flow lists, anchors and aliases. Enough for YNL specs.

_KEY = re.compile(r'^([A-Za-z0-9_][A-Za-z0-9_.-]*)\s*:(?:\s+(.*))?$')


def _scalar(s):
    s = s.strip()
    if s.startswith('[') and s.endswith(']'):
        return [_scalar(x) for x in s[1:-1].split(',') if x.strip()]
    if len(s) >= 2 and s[0] == s[-1] and s[0] in '"\'':
        return s[1:-1]
    if s in ('true', 'True'):
        return True
    if s in ('false', 'False'):
        return False
    try:
        return int(s, 0)
    except ValueError:
        return s


class _Yaml:
    def __init__(self, text):
        self.lines = []
        for raw in text.splitlines():
            st = raw.strip()
            if not st or st.startswith('#') or st == '---':
                continue
            self.lines.append([len(raw) - len(raw.lstrip(' ')), raw.strip()])
        self.anchors = {}

    def parse(self):
        if not self.lines:
            return None
        obj, _ = self.block(0, self.lines[0][0])
        return obj

    def block(self, i, ind):
        if self.lines[i][1] == '-' or self.lines[i][1].startswith('- '):
            return self.seq(i, ind)
        return self.mapping(i, ind)

    def seq(self, i, ind):
        out = []
        while i < len(self.lines) and self.lines[i][0] == ind and \
                (self.lines[i][1] == '-' or self.lines[i][1].startswith('- ')):
            rest = self.lines[i][1][1:].strip()
            if not rest:
                i += 1
                if i < len(self.lines) and self.lines[i][0] > ind:
                    item, i = self.block(i, self.lines[i][0])
                else:
                    item = None
            elif _KEY.match(rest):
                # "- key: value": a mapping starting on the dash's line.
                sub = ind + 1 + (len(self.lines[i][1]) - 1 - len(self.lines[i][1][1:].lstrip()))
                self.lines[i] = [sub, rest]
                item, i = self.mapping(i, sub)
            else:
                item, i = _scalar(rest), i + 1
            out.append(item)
        return out, i

    def mapping(self, i, ind):
        out = {}
        while i < len(self.lines) and self.lines[i][0] == ind:
            text = self.lines[i][1]
            m = _KEY.match(text)
            if not m:
                break
            key, val = m.group(1), (m.group(2) or '').strip()
            i += 1
            anchor = None
            if val.startswith('&'):
                anchor, _, val = val.partition(' ')
                anchor, val = anchor[1:], val.strip()
            if val == '':
                if i < len(self.lines) and (self.lines[i][0] > ind or (
                        self.lines[i][0] == ind and (self.lines[i][1] == '-' or
                                                     self.lines[i][1].startswith('- ')))):
                    v, i = self.block(i, self.lines[i][0])
                else:
                    v = None
            elif val[0] in '|>':
                parts = []
                while i < len(self.lines) and self.lines[i][0] > ind:
                    parts.append(self.lines[i][1])
                    i += 1
                v = '\n'.join(parts)
            elif val.startswith('*'):
                v = self.anchors.get(val[1:].strip())
            else:
                parts = [val]
                while i < len(self.lines) and self.lines[i][0] > ind:
                    parts.append(self.lines[i][1])
                    i += 1
                v = _scalar(' '.join(parts))
            if anchor:
                self.anchors[anchor] = v
            out[key] = v
        return out, i


def yaml_load(text):
    return _Yaml(text).parse()


# ---------------------------------------------------------------------------
# The family, from its YNL spec.

INT_SIZES = {'u8': 1, 'u16': 2, 'u32': 4, 'u64': 8, 's8': 1, 's16': 2, 's32': 4, 's64': 8}


class Attr:
    def __init__(self, name, value, d, spec):
        self.name, self.value = name, value
        self.type = d.get('type', 'unused')
        self.nested = d.get('nested-attributes')
        self.checks = {}
        for k, v in (d.get('checks') or {}).items():
            self.checks[k] = spec.const(v)
        self.lo = self.hi = None
        self.mask = None
        if self.type in INT_SIZES:
            bits = INT_SIZES[self.type] * 8
            if self.type[0] == 's':
                self.lo, self.hi = -(1 << (bits - 1)), (1 << (bits - 1)) - 1
            else:
                self.lo, self.hi = 0, (1 << bits) - 1
        self.min, self.max = self.checks.get('min'), self.checks.get('max')
        en = d.get('enum')
        if en and en in spec.enums:
            kind, vals = spec.enums[en]
            if kind == 'flags':
                self.mask = 0
                for v in vals:
                    self.mask |= 1 << v
            elif vals and not d.get('enum-as-flags'):
                if self.min is None and (min(vals) != 0 or self.type[0] == 's'):
                    self.min = min(vals)
                if self.max is None:
                    self.max = max(vals)

    def __repr__(self):
        return self.name


class AttrSet:
    def __init__(self, name):
        self.name = name
        self.by_name, self.by_id = {}, {}
        self.max = 0


class Op:
    def __init__(self, name, value, d):
        self.name, self.value = name, value
        self.set = d.get('attribute-set')
        self.admin = 'admin-perm' in (d.get('flags') or [])
        self.do = d.get('do') is not None
        self.dump = d.get('dump') is not None
        self.notify = d.get('notify') or (d.get('event') is not None and name)
        self.request = None       # attribute names of the do request, or None
        if self.do and isinstance(d['do'], dict):
            req = d['do'].get('request')
            if isinstance(req, dict) and req.get('attributes'):
                self.request = list(req['attributes'])

    def __repr__(self):
        return self.name


class Spec:
    def __init__(self, path):
        y = yaml_load(open(path).read())
        self.name = y['name']
        self.version = 1
        self.consts, self.enums, self.enum_names = {}, {}, {}
        for d in y.get('definitions') or []:
            if d.get('type') == 'const':
                self.consts[d['name']] = d['value']
            elif d.get('type') in ('enum', 'flags'):
                v, vals, names = d.get('value-start', 0), [], {}
                for e in d.get('entries') or []:
                    if isinstance(e, dict) and 'value' in e:
                        v = e['value']
                    vals.append(v)
                    names[v] = e['name'] if isinstance(e, dict) else e
                    v += 1
                self.enums[d['name']] = (d['type'], vals)
                self.enum_names[d['name']] = names
        self.sets = {}
        raw_sets = {s['name']: s for s in y.get('attribute-sets') or []}
        for s in y.get('attribute-sets') or []:
            aset = AttrSet(s['name'])
            parent = raw_sets.get(s.get('subset-of'))
            v = 1
            pvals = {}
            if parent:
                pv = 1
                for a in parent.get('attributes') or []:
                    pv = a.get('value', pv)
                    pvals[a['name']] = (pv, a)
                    pv += 1
            for a in s.get('attributes') or []:
                if parent and a['name'] in pvals:
                    v, base = pvals[a['name']]
                    a = dict(base, **a)
                else:
                    v = a.get('value', v)
                attr = Attr(a['name'], v, a, self)
                aset.by_name[attr.name] = attr
                aset.by_id[v] = attr
                aset.max = max(aset.max, v)
                v += 1
            self.sets[aset.name] = aset
        self.ops = []
        v = 1
        ops = y.get('operations') or {}
        for o in ops.get('list') or []:
            v = o.get('value', v)
            op = Op(o['name'], v, o)
            self.ops.append(op)
            v += 1
        by_name = {o.name: o for o in self.ops}
        for op in self.ops:
            if op.set is None and isinstance(op.notify, str) and op.notify in by_name:
                op.set = by_name[op.notify].set
        self.by_value = {o.value: o for o in self.ops}
        self.mcgrps = [g['name'] for g in (y.get('mcast-groups') or {}).get('list') or []]

    def const(self, v):
        return self.consts.get(v, v) if isinstance(v, str) else v

    def aset(self, op):
        return self.sets.get(op.set) if op else None


# ---------------------------------------------------------------------------
# Netlink.

NETLINK_GENERIC = 16
SOL_NETLINK = 270
NETLINK_ADD_MEMBERSHIP, NETLINK_CAP_ACK, NETLINK_EXT_ACK = 1, 10, 11
NLMSG_NOOP, NLMSG_ERROR, NLMSG_DONE, NLMSG_MIN_TYPE = 1, 2, 3, 0x10
F_REQUEST, F_MULTI, F_ACK, F_ECHO = 1, 2, 4, 8
F_ROOT, F_MATCH, F_ATOMIC, F_DUMP = 0x100, 0x200, 0x400, 0x300
F_CAPPED, F_ACK_TLVS = 0x100, 0x200
NLA_F_NESTED, NLA_F_NET_BYTEORDER, NLA_TYPE_MASK = 0x8000, 0x4000, 0x3fff
GENL_ID_CTRL, CTRL_CMD_GETFAMILY = 0x10, 3
CTRL_ATTR_FAMILY_ID, CTRL_ATTR_FAMILY_NAME, CTRL_ATTR_OPS, CTRL_ATTR_MCAST_GROUPS = 1, 2, 6, 7
GENL_ADMIN_PERM, GENL_CMD_CAP_DO, GENL_CMD_CAP_DUMP = 1, 2, 4
NLMSGERR_ATTR_MSG, NLMSGERR_ATTR_OFFS = 1, 2

HDR = struct.Struct('=IHHII')


def align4(n):
    return (n + 3) & ~3


def nla(t, payload, length=None):
    n = 4 + len(payload) if length is None else length
    return struct.pack('=HH', n & 0xffff, t & 0xffff) + payload + b'\0' * (align4(4 + len(payload)) - 4 - len(payload))


def nla_walk(buf):
    """Attributes as the kernel's nla_for_each walks them: ([(type, payload)], leftover)."""
    out, off, rem = [], 0, len(buf)
    while rem >= 4:
        n, t = struct.unpack_from('=HH', buf, off)
        if n < 4 or n > rem:
            break
        out.append((t, bytes(buf[off + 4:off + n])))
        step = align4(n)
        off += step
        rem -= step
    return out, rem > 0


class Unexpected(Exception):
    pass


def parse_msgs(buf):
    """Split a datagram from the kernel into messages; raise on a malformed one."""
    out, off = [], 0
    while off < len(buf):
        if len(buf) - off < 16:
            raise Unexpected('%d trailing bytes, no netlink header' % (len(buf) - off))
        n, t, fl, seq, pid = HDR.unpack_from(buf, off)
        if n < 16 or n > len(buf) - off:
            raise Unexpected('nlmsg_len %d with %d bytes left' % (n, len(buf) - off))
        out.append((t, fl, seq, bytes(buf[off + 16:off + n])))
        off += align4(n)
    return out


class Sock:
    def __init__(self, ext_ack=True, cap_ack=False, rcvbuf=1 << 20):
        self.s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_GENERIC)
        self.s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        self.s.bind((0, 0))
        if ext_ack:
            self.s.setsockopt(SOL_NETLINK, NETLINK_EXT_ACK, 1)
        if cap_ack:
            self.s.setsockopt(SOL_NETLINK, NETLINK_CAP_ACK, 1)
        self.cap_ack = cap_ack
        self.seq = 1000

    def next_seq(self):
        self.seq = (self.seq + 1) & 0xffffffff or 1
        return self.seq

    def recv_all(self, timeout):
        r, _, _ = select.select([self.s], [], [], timeout)
        if not r:
            return None
        return self.s.recv(1 << 20)

    def exchange(self, data, dump_seqs=(), timeout=15.0):
        """Send raw bytes, then a NOOP+ACK marker; collect everything up to the
        marker's ack (and the end of any dump in dump_seqs). Returns
        {seq: [(type, flags, payload)]}; raises Unexpected on a timeout or a
        malformed message."""
        self.s.send(data)
        mark = self.next_seq()
        self.s.send(HDR.pack(16, NLMSG_NOOP, F_REQUEST | F_ACK, mark, 0))
        got, seen_mark = {}, False
        pending = set(dump_seqs)
        deadline = time.monotonic() + timeout
        while not seen_mark or pending:
            left = deadline - time.monotonic()
            buf = self.recv_all(max(left, 0.01)) if left > 0 else None
            if buf is None:
                raise Unexpected('no answer within %.0f s (marker %s, dumps pending %s)'
                                 % (timeout, 'seen' if seen_mark else 'missing', sorted(pending)))
            for t, fl, seq, p in parse_msgs(buf):
                if seq == mark and t == NLMSG_ERROR:
                    seen_mark = True
                    continue
                got.setdefault(seq, []).append((t, fl, p))
                if t in (NLMSG_DONE, NLMSG_ERROR):
                    pending.discard(seq)
        return got

    def call(self, msg_type, cmd, attrs=b'', flags=F_REQUEST | F_ACK, dump=False):
        seq = self.next_seq()
        fl = flags | (F_DUMP if dump else 0)
        body = struct.pack('=BBH', cmd, 1, 0) + attrs
        got = self.exchange(HDR.pack(16 + len(body), msg_type, fl, seq, 0) + body,
                            dump_seqs=(seq,) if dump else ())
        return got.get(seq, [])


def err_of(payload):
    if len(payload) < 4:
        raise Unexpected('NLMSG_ERROR/DONE payload of %d bytes' % len(payload))
    return struct.unpack_from('=i', payload)[0]


def resolve_family(sk, name):
    msgs = sk.call(GENL_ID_CTRL, CTRL_CMD_GETFAMILY, nla(CTRL_ATTR_FAMILY_NAME, name.encode() + b'\0'))
    fam, groups, ops = None, {}, {}
    for t, fl, p in msgs:
        if t == NLMSG_ERROR and err_of(p):
            raise OSError(-err_of(p), 'CTRL_CMD_GETFAMILY %s: %s' % (name, os.strerror(-err_of(p))))
        if t != GENL_ID_CTRL:
            continue
        attrs, _ = nla_walk(p[4:])
        for at, ap in attrs:
            at &= NLA_TYPE_MASK
            if at == CTRL_ATTR_FAMILY_ID:
                fam = struct.unpack('=H', ap[:2])[0]
            elif at == CTRL_ATTR_MCAST_GROUPS:
                for _, g in nla_walk(ap)[0]:
                    gd = {x & NLA_TYPE_MASK: y for x, y in nla_walk(g)[0]}
                    groups[gd[1].rstrip(b'\0').decode()] = struct.unpack('=I', gd[2])[0]
            elif at == CTRL_ATTR_OPS:
                for _, o in nla_walk(ap)[0]:
                    od = {x & NLA_TYPE_MASK: y for x, y in nla_walk(o)[0]}
                    ops[struct.unpack('=I', od[1])[0]] = struct.unpack('=I', od[2])[0]
    if fam is None:
        raise OSError(errno.ENOENT, 'family %s not found' % name)
    return fam, groups, ops


# ---------------------------------------------------------------------------
# Regions of the fuzzer's own: /dev/kmig, mmap, KMIG_IOC_REGION_INFO.

def _ior(magic, nr, size):
    return (2 << 30) | (size << 16) | (magic << 8) | nr


KMIG_IOC_REGION_INFO = _ior(0xb7, 0x01, 64)


class Region:
    def __init__(self, size, pages, rng):
        self.fd = os.open('/dev/kmig', os.O_RDWR | os.O_CLOEXEC)
        self.map = None
        self.size = size
        if size:
            self.map = mmap.mmap(self.fd, size, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
            npages = size // mmap.PAGESIZE
            for _ in range(pages):
                off = rng.randrange(npages) * mmap.PAGESIZE
                if rng.random() < 0.3:
                    self.map[off:off + 8] = b'\0' * 8    # a populated zero page
                else:
                    self.map[off:off + 64] = rng.randbytes(64)
        info = bytearray(64)
        fcntl.ioctl(self.fd, KMIG_IOC_REGION_INFO, info)
        self.id = struct.unpack_from('=I', info)[0]

    def close(self):
        if self.map is not None:
            self.map.close()
        os.close(self.fd)


# ---------------------------------------------------------------------------
# The fuzzer.

ERRNAME = errno.errorcode


def ename(e):
    return 'ok' if e == 0 else ERRNAME.get(-e, str(e))


class Msg:
    """One generated message and what the kernel must do with it."""

    def __init__(self, op, cmd, flags, version, reserved, attrs, kind):
        self.op, self.cmd, self.flags = op, cmd, flags
        self.version, self.reserved = version, reserved
        self.attrs, self.kind = attrs, kind
        self.len_delta = 0          # nlmsg_len - real length
        self.truncate = None        # cut the genl header / payload to this many bytes
        self.expect = None          # ('any',) ('ok',) ('err', {errnos}) ('silent', ack0)
        self.seq = 0
        self.name = op.name if op else 'unknown-cmd'

    def encode(self, fam, seq):
        self.seq = seq
        body = struct.pack('=BBH', self.cmd & 0xff, self.version, self.reserved) + self.attrs
        if self.truncate is not None:
            body = body[:self.truncate]
        n = 16 + len(body)
        return HDR.pack((n + self.len_delta) & 0xffffffff, fam, self.flags, seq, 0) + body + \
            b'\0' * (align4(n) - n)


class Fuzzer:
    def __init__(self, spec, seed, regions, nonroot):
        self.spec, self.rng = spec, random.Random(seed)
        self.seed = seed
        self.regions = regions            # Region objects (root) or ids
        self.nonroot = nonroot
        self.pool = {}                    # attribute name -> values seen in replies
        self.last = {}                    # attribute name -> last value seen
        self.focus = None                 # region ids of the scenario running
        self.sent = 0
        self.per_cmd = {}                 # name -> {errname: count}
        self.errnos = {}
        self.unexpected = []
        self.replies = 0
        self.exact = 0                    # answers checked against an exact prediction
        self.region_ids = [r if isinstance(r, int) else r.id for r in regions]
        self.sk = Sock(ext_ack=True)
        self.sk_cap = Sock(ext_ack=True, cap_ack=True)
        self.fam, self.groups, self.kops = resolve_family(self.sk, spec.name)

    # --- bookkeeping
    def bad(self, what, m=None, data=None, answers=None):
        rec = {'what': what}
        if m is not None:
            rec.update(cmd=m.name, kind=m.kind, seq=m.seq, flags=hex(m.flags))
        if data is not None:
            rec['bytes'] = data.hex()
        if answers is not None:
            rec['answers'] = [(t, hex(fl), p[:64].hex()) for t, fl, p in answers][:4]
        self.unexpected.append(rec)
        if len(self.unexpected) <= 20:
            print('# nl-fuzz: UNEXPECTED: %s' % json.dumps(rec), flush=True)

    def count(self, m, e, k=None):
        if k is None:
            k = ename(e) if e is not None else 'no-answer'
        if m.expect and m.expect[0] in ('ok', 'err', 'silent'):
            self.exact += 1
        c = self.per_cmd.setdefault(m.name, {})
        c[k] = c.get(k, 0) + 1
        self.errnos[k] = self.errnos.get(k, 0) + 1

    def remember(self, aset, attrs):
        for t, p in attrs:
            a = aset.by_id.get(t & NLA_TYPE_MASK)
            if a is None:
                continue
            if a.type in INT_SIZES and len(p) == INT_SIZES[a.type]:
                v = int.from_bytes(p, sys.byteorder, signed=a.type[0] == 's')
            elif a.type in ('binary', 'string') and 0 < len(p) <= 64:
                v = p
            else:
                continue
            self.last[a.name] = v
            lst = self.pool.setdefault(a.name, [])
            if v not in lst:
                lst.append(v)
                del lst[:-16]

    # --- checks of what the kernel sends
    def check_attrs(self, aset, buf, where, depth=0):
        attrs, left = nla_walk(buf)
        if left:
            raise Unexpected('%s: attributes do not parse (leftover bytes)' % where)
        for t, p in attrs:
            a = aset.by_id.get(t & NLA_TYPE_MASK)
            if a is None:
                raise Unexpected('%s: attribute type %d not in set %s' % (where, t & NLA_TYPE_MASK, aset.name))
            ty = a.type
            if ty in INT_SIZES and len(p) != INT_SIZES[ty]:
                raise Unexpected('%s: %s is %s but %d bytes' % (where, a.name, ty, len(p)))
            if ty in ('uint', 'sint') and len(p) not in (4, 8):
                raise Unexpected('%s: %s is %s but %d bytes' % (where, a.name, ty, len(p)))
            if ty == 'flag' and p:
                raise Unexpected('%s: flag %s with %d bytes' % (where, a.name, len(p)))
            if ty == 'string' and (not p or p[-1] != 0):
                raise Unexpected('%s: string %s not NUL-terminated' % (where, a.name))
            if ty == 'nest' and a.nested in self.spec.sets and depth < 4:
                self.check_attrs(self.spec.sets[a.nested], p, where + '/' + a.name, depth + 1)
        return attrs

    def check_error(self, fl, p, seq):
        """An ack or error: code, echoed request header, extack TLVs."""
        e = err_of(p)
        if e > 0 or e < -4095:
            raise Unexpected('error code %d' % e)
        if len(p) < 20:
            raise Unexpected('NLMSG_ERROR without the original header')
        olen, _, _, oseq, _ = HDR.unpack_from(p, 4)
        if oseq != seq:
            raise Unexpected('ack echoes sequence %d, not %d' % (oseq, seq))
        copied = 16 if fl & F_CAPPED else olen
        if len(p) < 4 + copied:
            raise Unexpected('ack copies %d bytes of a %d-byte request' % (len(p) - 4, olen))
        if not fl & F_ACK_TLVS:
            return None
        start = 4 + align4(copied)
        attrs, left = nla_walk(p[start:])
        if left:
            raise Unexpected('extack TLVs do not parse')
        msg = None
        for t, v in attrs:
            if t == NLMSGERR_ATTR_MSG:
                if not v or v[-1] != 0:
                    raise Unexpected('extack message not NUL-terminated')
                msg = v[:-1].decode(errors='replace')
            elif t == NLMSGERR_ATTR_OFFS:
                off = struct.unpack('=I', v)[0]
                if off >= olen:
                    raise Unexpected('extack offset %d past the request (%d bytes)' % (off, olen))
        return msg

    # --- value generation
    def interesting_ints(self, a):
        lo, hi = a.lo, a.hi
        vals = {0, 1, hi, hi - 1, 0xffffffff & hi, 1 << 31 & hi, 0xffff & hi}
        for b in (a.min, a.max):
            if b is not None:
                vals.update({b - 1, b, b + 1})
        return sorted(v for v in vals if lo <= v <= hi)

    def valid_int(self, a):
        lo = a.min if a.min is not None else a.lo
        hi = a.max if a.max is not None else a.hi
        if a.mask is not None:
            return self.rng.randrange(a.mask + 1) & a.mask
        r = self.rng.random()
        pool = [v for v in self.pool.get(a.name, []) if isinstance(v, int) and lo <= v <= hi]
        if a.name in ('id', 'region-id') or a.name.endswith('region-id'):
            pool += [i for i in self.region_ids if lo <= i <= hi]
            if self.focus and r < 0.5:
                return self.rng.choice(self.focus)
        if pool and r < 0.6:
            v = self.rng.choice(pool)
            if self.rng.random() < 0.2:
                v = min(max(v + self.rng.choice((-1, 1)), lo), hi)
            return v
        if r < 0.8:
            c = [v for v in self.interesting_ints(a) if lo <= v <= hi]
            if c:
                return self.rng.choice(c)
        if hi - lo > 1 << 20 and self.rng.random() < 0.7:
            return lo + self.rng.randrange(1 << self.rng.randrange(1, 20))
        return self.rng.randint(lo, hi)

    def valid_value(self, a):
        """Payload of a valid attribute (per the spec's type and checks)."""
        t, rng = a.type, self.rng
        if t in INT_SIZES:
            return self.valid_int(a).to_bytes(INT_SIZES[t], sys.byteorder, signed=t[0] == 's')
        if t in ('uint', 'sint'):
            n = rng.choice((4, 8))
            return rng.getrandbits(8 * n).to_bytes(n, sys.byteorder)
        if t == 'flag':
            return b''
        if t == 'string':
            mx = a.checks.get('max-len', 32)
            pool = [v for v in self.pool.get(a.name, []) if isinstance(v, bytes)]
            if 'addr' in a.name:
                pool += [b'127.0.0.1\0', b'::1\0', b'0.0.0.0\0', b'127.0.0.1\0', b'::\0',
                         b'::ffff:127.0.0.1\0', b'127.0.0.2\0']
            pool = [v for v in pool if len(v.rstrip(b'\0')) <= mx]
            if pool and rng.random() < 0.8:
                return rng.choice(pool)
            n = rng.choice((0, 1, mx, mx - 1, rng.randrange(mx + 1)))
            return bytes(rng.randrange(0x20, 0x7f) for _ in range(max(n, 0))) + b'\0'
        if t == 'binary':
            pool = [v for v in self.pool.get(a.name, []) if isinstance(v, bytes)]
            if 'exact-len' in a.checks:
                n = a.checks['exact-len']
                pool = [v for v in pool if len(v) == n]
                if pool and rng.random() < 0.5:
                    return rng.choice(pool)
                return rng.randbytes(n)
            lo = a.checks.get('min-len', 0)
            hi = a.checks.get('max-len', 4096)
            if 'bitmap' in a.name:
                words = rng.choice((1, 1, 2, 8, 64, 512))
                bm = bytearray(8 * words)
                for _ in range(rng.randrange(8)):
                    bm[rng.randrange(len(bm))] |= 1 << rng.randrange(8)
                return bytes(bm)
            return rng.randbytes(rng.randint(lo, min(hi, 256)))
        if t == 'nest' and a.nested in self.spec.sets:
            inner = self.spec.sets[a.nested]
            out = b''
            for ia in rng.sample(list(inner.by_name.values()), min(3, len(inner.by_name))):
                out += nla(ia.value, self.valid_value(ia) if ia.type != 'nest' else b'')
            return out
        return rng.randbytes(rng.randrange(16))

    def bad_value(self, a):
        """Payload that breaks the attribute's policy, or a borderline one."""
        t, rng = a.type, self.rng
        if t in INT_SIZES:
            n = INT_SIZES[t]
            r = rng.random()
            edges = [v for b in (a.min, a.max) if b is not None for v in (b - 1, b, b + 1)
                     if a.lo <= v <= a.hi]
            if edges and r < 0.3:
                v = rng.choice(edges)
                return v.to_bytes(n, sys.byteorder, signed=t[0] == 's')
            if r < 0.5:
                v = rng.choice(self.interesting_ints(a))
                return v.to_bytes(n, sys.byteorder, signed=t[0] == 's')
            if r < 0.8:
                v = rng.choice((0, 1, 0xff, 0xffffffff, (1 << 64) - 1, 1 << 32, 1 << 16))
                m = rng.choice([x for x in (0, 1, 2, 3, 4, 5, 7, 8, 9, 16) if x != n])
                return (v & ((1 << (8 * m)) - 1)).to_bytes(m, sys.byteorder) if m else b''
            return rng.randbytes(rng.choice((0, 1, 2, 3, 5, 6, 7, 9, 12, 16, 64)))
        if t == 'flag':
            return rng.randbytes(rng.choice((1, 4, 8)))
        if t == 'string':
            mx = a.checks.get('max-len', 64)
            return rng.choice((
                b'', b'\0', b'127.0.0.1', b'x' * mx + b'\0', b'x' * (mx + 1) + b'\0',
                b'x' * (mx + 1), b'y' * mx, b'127.0.0.1\0junk', b'1.2.3.4.5\0',
                b'[::1]\0', b'localhost\0', b'\xff\xfe\0', rng.randbytes(rng.randrange(1, 300)),
                b'A' * 4000 + b'\0', b'::1%lo\0', b'0x7f000001\0', b'127.1\0',
            ))
        if t == 'binary':
            n = a.checks.get('exact-len')
            if n:
                return rng.randbytes(rng.choice((0, 1, n - 1, n + 1, 2 * n)))
            return rng.choice((b'', rng.randbytes(rng.randrange(1, 8)), rng.randbytes(7),
                               b'\xff' * 8 * rng.choice((1, 2, 1024)), rng.randbytes(9),
                               b'\xff' * 65000))
        if t == 'nest':
            if rng.random() < 0.5:
                return rng.randbytes(rng.randrange(1, 40))
            out = b''
            for _ in range(rng.randrange(1, 5)):
                out += nla(rng.randrange(0, 40) | (NLA_F_NESTED if rng.random() < 0.3 else 0),
                           rng.randbytes(rng.randrange(12)))
            return out
        return rng.randbytes(rng.randrange(0, 24))

    # --- messages
    def gen_attrs(self, op, aset, kind):
        rng = self.rng
        if aset is None:
            aset = rng.choice(list(self.spec.sets.values()))
        req = [aset.by_name[n] for n in (op.request or []) if n in aset.by_name] if op else []
        allattrs = list(aset.by_name.values())
        if kind == 'empty':
            return b''
        if kind == 'garbage':
            return rng.randbytes(rng.choice((1, 2, 3, 4, 5, 8, 17, 64, 300)))
        items = []     # (type field, payload, nla_len or None)
        for a in req:
            if rng.random() < (0.85 if kind == 'valid' else 0.6):
                items.append((a.value, self.valid_value(a), None))
        if kind == 'valid':
            rng.shuffle(items)
            return b''.join(nla(t, p) for t, p, _ in items)
        for _ in range(rng.choice((1, 1, 1, 2, 3))):
            r = rng.random()
            if r < 0.35 and (req or allattrs):
                a = rng.choice(req or allattrs)
                items.append((a.value, self.bad_value(a), None))
            elif r < 0.45:          # an attribute of the set that the request does not take
                a = rng.choice(allattrs)
                items.append((a.value, self.bad_value(a) if rng.random() < 0.3 else self.valid_value(a), None))
            elif r < 0.55:          # unknown type
                t = rng.choice((0, aset.max + 1, aset.max + 2, NLA_TYPE_MASK, rng.randrange(1, NLA_TYPE_MASK),
                                max(1, len(req)) + 1))
                items.append((t, rng.randbytes(rng.choice((0, 4, 8, 13))), None))
            elif r < 0.62 and items:  # duplicate
                items.append(rng.choice(items))
            elif r < 0.70 and items:  # type flag bits
                i = rng.randrange(len(items))
                t, p, n = items[i]
                items[i] = (t | rng.choice((NLA_F_NESTED, NLA_F_NET_BYTEORDER)), p, n)
            elif r < 0.78 and items:  # zero-length
                i = rng.randrange(len(items))
                items[i] = (items[i][0], b'', None)
            elif r < 0.88 and items:  # bad nla_len
                i = rng.randrange(len(items))
                t, p, _ = items[i]
                items[i] = (t, p, rng.choice((0, 1, 2, 3, 4 + len(p) + 1, 4 + len(p) + 4, 0xffff,
                                              max(4, 4 + len(p) - 1), 4 + len(p) + 64)))
            elif (req or allattrs):  # nested garbage in any nest of the set, else a boundary value
                nests = [a for a in allattrs if a.type == 'nest']
                a = rng.choice(nests) if nests and rng.random() < 0.5 else rng.choice(req or allattrs)
                items.append((a.value | (NLA_F_NESTED if a.type == 'nest' and rng.random() < 0.7 else 0),
                              self.bad_value(a), None))
        rng.shuffle(items)
        out = b''.join(nla(t, p, n) for t, p, n in items)
        if rng.random() < 0.05:     # truncated last attribute
            out = out[:rng.randrange(len(out) + 1)]
        return out

    def gen(self, op=None, kind=None):
        rng = self.rng
        spec = self.spec
        if op is None:
            r = rng.random()
            if r < 0.03:
                cmd = rng.choice((0, max(spec.by_value) + 1, 0xff, rng.randrange(256)))
                op = spec.by_value.get(cmd)
            else:
                op = rng.choice(spec.ops)
                cmd = op.value
        else:
            cmd = op.value
        if kind is None:
            kind = rng.choices(('valid', 'mutate', 'garbage', 'empty'), (35, 50, 8, 7))[0]
        flags = F_REQUEST | F_ACK
        if op is not None and op.dump:
            if rng.random() < 0.35:
                flags |= F_DUMP
        elif rng.random() < 0.03:
            flags |= F_DUMP
        r = rng.random()
        if r < 0.08:
            flags &= ~F_ACK
        elif r < 0.11:
            flags |= F_ECHO
        elif r < 0.15:
            flags |= rng.choice((F_ROOT, F_MATCH, F_ATOMIC, 0x800, 0x10, F_MULTI, 0x8000))
        elif r < 0.17:
            flags &= ~F_REQUEST
        version = spec.version if rng.random() < 0.9 else rng.choice((0, 2, 0xff, rng.randrange(256)))
        reserved = 0 if rng.random() < 0.97 else rng.choice((1, 0x8000, 0xffff))
        aset = spec.aset(op) if op else None
        if flags & F_DUMP == F_DUMP and kind == 'valid' and rng.random() < 0.7:
            kind = 'empty'
        m = Msg(op, cmd, flags, version, reserved, self.gen_attrs(op, aset, kind), kind)
        r = rng.random()
        if r < 0.02:
            m.len_delta = rng.choice((-16, -1, -3, 1, 4, 1000))
            m.flags &= ~F_DUMP      # a dump's later parts would come after the marker
        elif r < 0.04:
            m.truncate = rng.randrange(4)
        return m

    # --- prediction: what generic netlink must do, from the spec alone
    def violation(self, op, aset, attrs_bytes):
        """'yes' when the strict policy must refuse the attributes, 'no' when
        they pass it, 'maybe' when the spec cannot tell."""
        attrs, left = nla_walk(attrs_bytes)
        if left:
            return 'yes'
        req = {aset.by_name[n].value: aset.by_name[n] for n in op.request if n in aset.by_name}
        verdict = 'no'
        for t, p in attrs:
            a = req.get(t & NLA_TYPE_MASK)
            if a is None:
                return 'yes'
            nested = bool(t & NLA_F_NESTED)
            if a.type == 'nest':
                if not nested:
                    return 'yes'
                verdict = 'maybe'
                continue
            if nested:
                return 'yes'
            v = self.attr_ok(a, p)
            if v == 'yes':
                return 'yes'
            if v == 'maybe':
                verdict = 'maybe'
        return verdict

    def attr_ok(self, a, p):
        t, n = a.type, len(p)
        if t in INT_SIZES:
            if n != INT_SIZES[t]:
                return 'yes'
            v = int.from_bytes(p, sys.byteorder, signed=t[0] == 's')
            if a.min is not None and v < a.min or a.max is not None and v > a.max:
                return 'yes'
            if a.mask is not None and v & ~a.mask:
                return 'yes'
            return 'no'
        if t in ('uint', 'sint'):
            return 'no' if n in (4, 8) else 'yes'
        if t == 'flag':
            return 'yes' if n else 'no'
        if t == 'string':
            mx = a.checks.get('max-len')
            if a.checks.get('unterminated-ok'):
                if n < 1:
                    return 'yes'
                if mx is not None:
                    m = n - 1 if p[-1] == 0 else n
                    return 'yes' if m > mx else 'no'
                return 'no'
            lim = min(n, mx + 1) if mx is not None else n
            return 'no' if lim and 0 in p[:lim] else 'yes'
        if t == 'binary':
            c = a.checks
            if 'exact-len' in c and n != c['exact-len']:
                return 'yes'
            if 'min-len' in c and n < c['min-len'] or 'max-len' in c and n > c['max-len']:
                return 'yes'
            return 'no'
        return 'maybe'

    def predict(self, m):
        """Sets m.expect."""
        if m.len_delta:
            m.expect = ('any',)     # the kernel drops or splits the datagram
            return
        if not m.flags & F_REQUEST:
            m.expect = ('silent', bool(m.flags & F_ACK))
            return
        if m.truncate is not None:
            m.expect = ('err', {errno.EINVAL})
            return
        if m.reserved:
            m.expect = ('err', {errno.EINVAL})
            return
        fl = m.flags
        dump = fl & F_DUMP == F_DUMP
        if dump:
            fl &= ~F_DUMP
        if fl & ~(F_REQUEST | F_ACK | F_ECHO):
            m.expect = ('err', {errno.EINVAL})
            return
        op = m.op
        if op is None or (dump and not op.dump) or (not dump and not op.do):
            m.expect = ('err', {errno.EOPNOTSUPP})
            return
        if op.admin and self.nonroot:
            m.expect = ('err', {errno.EPERM})
            return
        aset = self.spec.aset(op)
        if dump:
            # Dumps take no request attributes: the do's policy refuses
            # what it does not accept, the dump's start whatever it does.
            m.expect = ('ok',) if not m.attrs else ('err', {errno.EINVAL, errno.ERANGE})
            return
        if op.request and aset is not None:
            v = self.violation(op, aset, m.attrs)
            if v == 'yes':
                m.expect = ('err', {errno.EINVAL, errno.ERANGE})
                return
            if v == 'no' and op.name == 'region-get':
                ids = [struct.unpack('=I', p)[0] for t, p in nla_walk(m.attrs)[0]
                       if t & NLA_TYPE_MASK == aset.by_name['id'].value] if 'id' in aset.by_name else []
                if ids and ids[-1] in self.region_ids:
                    m.expect = ('ok', ids[-1])
                    return
            m.expect = ('any',)
            return
        # No request attributes: generic netlink gives such a command a
        # reject-all policy, so any attribute byte is refused.
        if m.attrs:
            m.expect = ('err', {errno.EINVAL})
        else:
            m.expect = ('ok',) if not op.admin else ('any',)

    # --- send and judge
    def run_batch(self, msgs):
        sk = self.sk_cap if self.rng.random() < 0.2 else self.sk
        data = b''
        dumps = []
        for m in msgs:
            self.predict(m)
            seq = sk.next_seq()
            data += m.encode(self.fam, seq)
            if m.flags & F_DUMP == F_DUMP and m.flags & F_REQUEST and not m.len_delta:
                dumps.append(seq)
        if any(m.len_delta for m in msgs):
            dumps = []
        try:
            got = sk.exchange(data, dump_seqs=dumps)
        except Unexpected as e:
            self.bad(str(e), msgs[0], data)
            for m in msgs:
                self.sent += 1
                self.count(m, None)
            return False
        for m in msgs:
            self.sent += 1
            try:
                self.judge(m, got.pop(m.seq, []), sk, data)
            except Unexpected as e:
                self.bad(str(e), m, m.encode(self.fam, m.seq), [])
                self.count(m, None, 'unexpected')
        if got and not any(m.len_delta for m in msgs):
            self.bad('answers with unknown sequence numbers %s' % sorted(got), msgs[0], data)
        return True

    def judge(self, m, answers, sk, data):
        exp = m.expect
        errs = [(fl, p) for t, fl, p in answers if t == NLMSG_ERROR]
        dones = [(fl, p) for t, fl, p in answers if t == NLMSG_DONE]
        replies = [(t, fl, p) for t, fl, p in answers if t == self.fam]
        others = [t for t, fl, p in answers if t not in (NLMSG_ERROR, NLMSG_DONE, self.fam)]
        if others:
            raise Unexpected('answer of type %s' % others)
        for fl, p in errs:
            msg = self.check_error(fl, p, m.seq)
            if msg is not None:
                self.extack_msgs = getattr(self, 'extack_msgs', 0) + 1
        aset = self.spec.aset(m.op) if m.op else None
        for t, fl, p in replies:
            if len(p) < 4:
                raise Unexpected('genl reply of %d bytes' % len(p))
            rop = self.spec.by_value.get(p[0])
            if rop is None:
                raise Unexpected('reply with unknown command %d' % p[0])
            rset = self.spec.aset(rop)
            if rset is not None:
                self.remember(rset, self.check_attrs(rset, p[4:], 'reply to %s' % m.name))
            self.replies += 1
        if exp[0] == 'any' and m.len_delta:
            self.count(m, None, 'bad-nlmsg_len')
            return
        if exp[0] == 'silent':
            want = 1 if exp[1] else 0
            if len(errs) != want or replies or dones or (errs and err_of(errs[0][1]) != 0):
                raise Unexpected('message without NLM_F_REQUEST: expected %s, got %d acks, %d replies'
                                 % ('an ack' if want else 'no answer', len(errs), len(replies)))
            self.count(m, None, 'no-request-flag')
            return
        dump = m.flags & F_DUMP == F_DUMP
        if dump and errs == [] and dones:
            if len(dones) != 1:
                raise Unexpected('%d NLMSG_DONE' % len(dones))
            e = err_of(dones[0][1])
        else:
            if len(errs) > 1 or dones:
                raise Unexpected('%d acks/errors and %d NLMSG_DONE for one request' % (len(errs), len(dones)))
            if errs:
                e = err_of(errs[0][1])
                if e == 0 and not m.flags & F_ACK:
                    raise Unexpected('ack without NLM_F_ACK')
            elif m.flags & F_ACK:
                raise Unexpected('no ack for a request with NLM_F_ACK')
            elif dump:
                raise Unexpected('dump without NLMSG_DONE')
            else:
                e = 0
        self.count(m, e)
        if exp[0] == 'err' and -e not in exp[1]:
            raise Unexpected('expected %s, got %s' % ('/'.join(ename(-x) for x in sorted(exp[1])), ename(e)))
        if exp[0] == 'ok':
            if e != 0:
                raise Unexpected('expected success, got %s' % ename(e))
            if len(exp) > 1:
                ok = False
                for t, fl, p in replies:
                    for at, ap in nla_walk(p[4:])[0]:
                        if at == aset.by_name['id'].value and struct.unpack('=I', ap)[0] == exp[1]:
                            ok = True
                if not ok:
                    raise Unexpected('region-get %d: reply without that id' % exp[1])
        if e == 0 and not dump and m.op and m.op.admin and self.nonroot:
            raise Unexpected('admin command succeeded without CAP_NET_ADMIN')

    # --- scenarios: listen on one region, start another towards it
    def scenario(self):
        rng, spec = self.rng, self.spec
        ops = {o.name: o for o in spec.ops}
        lst, st = ops.get('mig-listen'), ops.get('mig-start')
        if not lst or not st or len(self.region_ids) < 2 or self.nonroot:
            return
        aset = spec.aset(lst)
        need = ('region-id', 'addr', 'port', 'channels')
        if aset is None or any(n not in aset.by_name for n in need):
            return
        A = aset.by_name
        src, dst = rng.sample(self.region_ids, 2)
        ch = rng.choice((1, 1, 2, 4))
        u32 = lambda v: struct.pack('=I', v)
        cancel = ops.get('mig-cancel')
        if cancel and rng.random() < 0.7:     # free both regions first
            for r in (src, dst):
                self.run_batch([Msg(cancel, cancel.value, F_REQUEST | F_ACK, 1, 0,
                                    nla(A['region-id'].value, u32(r)), 'scenario')])
        extra = b''
        if 'insecure' in A and 'insecure' in (lst.request or []) and rng.random() < 0.8:
            extra = nla(A['insecure'].value, b'')
        colo = 'colo' in A and 'colo' in (lst.request or []) and rng.random() < 0.15
        body = nla(A['region-id'].value, u32(dst)) + nla(A['addr'].value, b'127.0.0.1\0') + \
            nla(A['port'].value, struct.pack('=H', 0)) + nla(A['channels'].value, u32(ch)) + extra
        if colo:
            body += nla(A['colo'].value, b'')
        m = Msg(lst, lst.value, F_REQUEST | F_ACK, 1, 0, body, 'scenario')
        self.last.pop('port', None)
        self.run_batch([m])
        port = self.last.get('port')
        if not port:
            return
        body = nla(A['region-id'].value, u32(src)) + nla(A['addr'].value, b'127.0.0.1\0') + \
            nla(A['port'].value, struct.pack('=H', port)) + nla(A['channels'].value, u32(ch)) + extra
        if 'live' in A and (colo or rng.random() < 0.3):
            body += nla(A['live'].value, b'')
            if 'max-bandwidth' in A and rng.random() < 0.5:
                body += nla(A['max-bandwidth'].value, struct.pack('=Q', 1 << 20))
        if colo:
            body += nla(A['colo'].value, b'')
            if 'checkpoint-interval-ms' in A and rng.random() < 0.7:
                body += nla(A['checkpoint-interval-ms'].value, u32(rng.choice((10, 20, 100))))
        m = Msg(st, st.value, F_REQUEST | F_ACK, 1, 0, body, 'scenario')
        self.run_batch([m])
        self.scenarios = getattr(self, 'scenarios', 0) + 1
        # Poke it at once with whatever comes: cancel, switchover, dirty push...
        self.focus = [src, dst]
        for _ in range(rng.randrange(6)):
            op = rng.choice([o for o in spec.ops if o.set == lst.set and o.do])
            self.run_batch([self.gen(op, rng.choice(('valid', 'valid', 'mutate')))])
        self.focus = None

    # --- health
    def probe(self):
        ops = {o.name: o for o in self.spec.ops}
        for name in ('params-get', 'stats-get'):
            if name in ops:
                self.run_batch([Msg(ops[name], ops[name].value, F_REQUEST | F_ACK, 1, 0, b'', 'probe')])
        rg = ops.get('region-get')
        if rg and 'id' in self.spec.sets[rg.set].by_name:
            a = self.spec.sets[rg.set].by_name['id']
            for i in self.region_ids:
                self.run_batch([Msg(rg, rg.value, F_REQUEST | F_ACK, 1, 0,
                                    nla(a.value, struct.pack('=I', i)), 'probe')])

    def run(self, n, events=None, deadline=None):
        done, unexp0 = 0, len(self.unexpected)
        while done < n:
            if deadline and time.monotonic() > deadline:
                print('# nl-fuzz: time budget reached after %d messages' % done)
                break
            if done % 250 == 0:
                before = self.sent
                self.probe()
                done += self.sent - before
                if events:
                    events.drain(self)
                if len(self.unexpected) - unexp0 > 50:
                    print('# nl-fuzz: more than 50 unexpected answers, stopping this phase')
                    break
            r = self.rng.random()
            before = self.sent
            if r < 0.06:
                self.scenario()
            elif r < 0.10:
                batch = [self.gen() for _ in range(self.rng.randrange(2, 5))]
                for i, m in enumerate(batch):
                    m.len_delta = 0         # would swallow or split the rest of the batch
                    if i:
                        m.flags &= ~F_DUMP  # a second dump on the socket is EBUSY
                if not self.run_batch(batch):
                    break
            elif not self.run_batch([self.gen()]):
                break
            done += self.sent - before
        return done


class Events:
    """A subscriber to every multicast group of the family: each notification
    must parse and belong to the spec."""

    def __init__(self, fz):
        self.sk = Sock(ext_ack=False, rcvbuf=1 << 18)
        self.n, self.lost, self.kinds = 0, 0, {}
        for g, gid in fz.groups.items():
            self.sk.s.setsockopt(SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, gid)

    def drain(self, fz):
        while True:
            try:
                buf = self.sk.s.recv(1 << 20, socket.MSG_DONTWAIT)
            except BlockingIOError:
                return
            except OSError as e:
                if e.errno == errno.ENOBUFS:
                    self.lost += 1
                    continue
                raise
            try:
                for t, fl, seq, p in parse_msgs(buf):
                    if t != fz.fam or len(p) < 4:
                        raise Unexpected('notification of type %d, %d bytes' % (t, len(p)))
                    op = fz.spec.by_value.get(p[0])
                    if op is None or not op.notify:
                        raise Unexpected('notification with command %d' % p[0])
                    aset = fz.spec.aset(op)
                    attrs = fz.check_attrs(aset, p[4:], 'event')
                    ev = [a for a in attrs if aset.by_id.get(a[0] & NLA_TYPE_MASK) is not None and
                          aset.by_id[a[0] & NLA_TYPE_MASK].name == 'event']
                    k = struct.unpack('=I', ev[0][1])[0] if ev else -1
                    self.kinds[k] = self.kinds.get(k, 0) + 1
                    self.n += 1
            except Unexpected as e:
                fz.bad('event: %s' % e, data=buf)


# ---------------------------------------------------------------------------

def check_ops(spec, kops):
    """The kernel's operations (nlctrl) against the spec."""
    problems = []
    for op in spec.ops:
        want = (GENL_CMD_CAP_DO if op.do else 0) | (GENL_CMD_CAP_DUMP if op.dump else 0)
        if not want:
            if op.value in kops:
                problems.append('%s: notification only in the spec, an operation in the kernel' % op.name)
            continue
        if op.value not in kops:
            problems.append('%s (%d): missing in the kernel' % (op.name, op.value))
            continue
        f = kops[op.value]
        have = f & (GENL_CMD_CAP_DO | GENL_CMD_CAP_DUMP)
        if have != want:
            problems.append('%s: do/dump 0x%x in the kernel, 0x%x in the spec' % (op.name, have, want))
        if bool(f & GENL_ADMIN_PERM) != op.admin:
            problems.append('%s: admin-perm %s in the kernel' % (op.name, bool(f & GENL_ADMIN_PERM)))
    for v in kops:
        if v not in spec.by_value:
            problems.append('kernel operation %d not in the spec' % v)
    return problems


def drop_privileges():
    os.setgroups([])
    os.setgid(65534)
    os.setuid(65534)
    with open('/proc/self/status') as f:
        caps = {l.split(':')[0]: int(l.split()[1], 16) for l in f if l.startswith('Cap')}
    if caps.get('CapEff') or caps.get('CapPrm'):
        raise OSError(errno.EPERM, 'capabilities left after setuid: %s' % caps)


def params_snapshot(fz):
    ops = {o.name: o for o in fz.spec.ops}
    op = ops.get('params-get')
    if not op:
        return None
    msgs = fz.sk.call(fz.fam, op.value)
    for t, fl, p in msgs:
        if t == fz.fam:
            aset = fz.spec.aset(op)
            return sorted((aset.by_id[x].name, y.hex()) for x, y in nla_walk(p[4:])[0]
                          if x in aset.by_id and aset.by_id[x].type != 'pad')
    return None


def stat_value(fz, name):
    ops = {o.name: o for o in fz.spec.ops}
    op = ops.get('stats-get')
    if not op:
        return None
    aset = fz.spec.aset(op)
    for t, fl, p in fz.sk.call(fz.fam, op.value):
        if t == fz.fam:
            for x, y in nla_walk(p[4:])[0]:
                if x in aset.by_id and aset.by_id[x].name == name:
                    return int.from_bytes(y, sys.byteorder)
    return None


def mig_states(fz):
    """state name -> count over the migrations of the fuzzer's regions (dump)."""
    ops = {o.name: o for o in fz.spec.ops}
    op = ops.get('mig-get')
    out = {}
    if not op or not op.dump:
        return out
    aset = fz.spec.aset(op)
    names = fz.spec.enum_names.get('mig-state', {})
    for t, fl, p in fz.sk.call(fz.fam, op.value, dump=True):
        if t != fz.fam:
            continue
        d = {aset.by_id[x].name: y for x, y in nla_walk(p[4:])[0] if x in aset.by_id}
        if 'region-id' in d and struct.unpack('=I', d['region-id'])[0] in fz.region_ids and 'state' in d:
            s = struct.unpack('=I', d['state'])[0]
            out[names.get(s, s)] = out.get(names.get(s, s), 0) + 1
    return out


def cancel_all(fz):
    ops = {o.name: o for o in fz.spec.ops}
    op = ops.get('mig-cancel')
    if not op:
        return
    a = fz.spec.aset(op).by_name.get('region-id')
    for i in fz.region_ids:
        msgs = fz.sk.call(fz.fam, op.value, nla(a.value, struct.pack('=I', i)))
        for t, fl, p in msgs:
            if t == NLMSG_ERROR and err_of(p) not in (0, -errno.ENOENT, -errno.EALREADY):
                fz.bad('final cancel of region %d: %s' % (i, ename(err_of(p))))


def replay(spec, hexmsg):
    sk = Sock()
    fam, _, _ = resolve_family(sk, spec.name)
    data = bytearray(bytes.fromhex(hexmsg))
    if len(data) >= 6:
        struct.pack_into('=H', data, 4, fam)
    seq = struct.unpack_from('=I', data, 8)[0] if len(data) >= 12 else 0
    got = sk.exchange(bytes(data), dump_seqs=())
    for s, msgs in got.items():
        for t, fl, p in msgs:
            extra = ' %s' % ename(err_of(p)) if t in (NLMSG_ERROR, NLMSG_DONE) else ''
            print('seq %d%s: type %d flags 0x%x %d bytes%s %s' % (
                s, ' (request)' if s == seq else '', t, fl, len(p), extra, p[:96].hex()))
    return 0


def summary_lines(fz, label):
    for name in sorted(fz.per_cmd):
        c = fz.per_cmd[name]
        total = sum(c.values())
        top = ', '.join('%s %d' % (k, v) for k, v in sorted(c.items(), key=lambda kv: -kv[1]))
        print('# nl-fuzz: %s %-16s %6d: %s' % (label, name, total, top))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--spec', required=True)
    ap.add_argument('--seed', type=int, default=None)
    ap.add_argument('--root', type=int, default=15000, help='messages sent as root')
    ap.add_argument('--nonroot', type=int, default=5000, help='messages sent as uid 65534')
    ap.add_argument('--regions', type=int, default=6)
    ap.add_argument('--region-mb', type=int, default=4)
    ap.add_argument('--budget', type=float, default=0, help='seconds for both phases (0: none)')
    ap.add_argument('--replay', metavar='HEX', help='send one message (family id patched in), print the answers')
    args = ap.parse_args()
    spec = Spec(args.spec)
    if args.replay:
        return replay(spec, args.replay)
    seed = args.seed if args.seed is not None else int.from_bytes(os.urandom(4), 'little')
    print('# nl-fuzz: seed %d (reproduce: --seed %d --root %d --nonroot %d)'
          % (seed, seed, args.root, args.nonroot), flush=True)
    t0 = time.monotonic()
    deadline = t0 + args.budget if args.budget else None
    rng = random.Random(seed)
    try:
        probe = Sock()
        fam, groups, kops = resolve_family(probe, spec.name)
    except OSError as e:
        print('# nl-fuzz: cannot resolve family %s: %s' % (spec.name, e))
        return 2
    problems = check_ops(spec, kops)
    for p in problems:
        print('# nl-fuzz: UNEXPECTED: nlctrl vs spec: %s' % p)
    missing = [g for g in spec.mcgrps if g not in groups]
    for g in missing:
        print('# nl-fuzz: UNEXPECTED: multicast group %s missing' % g)
    ndo = sum(1 for o in spec.ops if o.do)
    ndump = sum(1 for o in spec.ops if o.dump)
    print('# nl-fuzz: family %s id %d, %d commands in the spec (%d do, %d dump), %d attribute sets, '
          'groups %s' % (spec.name, fam, len(spec.ops), ndo, ndump, len(spec.sets),
                         ', '.join('%s=%d' % kv for kv in groups.items())), flush=True)

    regions_before = None
    size = args.region_mb << 20
    regions = []
    try:
        for i in range(args.regions):
            # One region never mapped (size 0), one of another size.
            sz = 0 if i == args.regions - 1 and args.regions > 2 else size * (2 if i == 1 else 1)
            regions.append(Region(sz, rng.randrange(16, 200) if sz else 0, rng))
    except OSError as e:
        print('# nl-fuzz: cannot create regions: %s' % e)
        return 2
    print('# nl-fuzz: regions %s' % ', '.join('%d (%d KiB)' % (r.id, r.size >> 10) for r in regions))

    fz = Fuzzer(spec, seed, regions, nonroot=False)
    fz.spec_path = args.spec
    events = Events(fz)
    regions_before = stat_value(fz, 'regions')
    params0 = params_snapshot(fz)

    # Non-root phase first, in a child, while the regions exist (and no
    # migration of ours runs, so the counters it checks cannot move).
    started0 = stat_value(fz, 'migrations-started')
    rd, wr = os.pipe()
    sys.stdout.flush()
    pid = os.fork()
    if pid == 0:
        os.close(rd)
        res = {'sent': 0, 'unexpected': [], 'per_cmd': {}}
        try:
            drop_privileges()
            nf = Fuzzer(spec, seed + 1, [r.id for r in regions], nonroot=True)
            nf.spec_path = args.spec
            nf.run(args.nonroot, deadline=deadline and (t0 + args.budget / 4))
            res = {'sent': nf.sent, 'unexpected': nf.unexpected, 'per_cmd': nf.per_cmd,
                   'errnos': nf.errnos, 'exact': nf.exact}
            summary_lines(nf, 'non-root')
        except Exception as e:       # noqa: BLE001 - reported as unexpected
            res['unexpected'].append({'what': 'non-root phase: %r' % e})
        sys.stdout.flush()
        os.write(wr, json.dumps(res).encode())
        os._exit(0)
    os.close(wr)
    raw = b''
    while True:
        chunk = os.read(rd, 1 << 16)
        if not chunk:
            break
        raw += chunk
    os.close(rd)
    _, status = os.waitpid(pid, 0)
    try:
        nres = json.loads(raw.decode())
    except ValueError:
        nres = {'sent': 0, 'unexpected': [{'what': 'non-root child died (status %d)' % status}], 'per_cmd': {}}
    for u in nres['unexpected']:
        fz.unexpected.append(dict(u, phase='non-root'))
    if params_snapshot(fz) != params0:
        fz.bad('parameters changed during the non-root phase')
    if stat_value(fz, 'migrations-started') != started0:
        fz.bad('a migration was started during the non-root phase')

    # Root phase.
    try:
        fz.run(args.root, events=events, deadline=deadline)
    except Exception:       # noqa: BLE001 - a fuzzer bug or a dead socket: reported, not hidden
        import traceback
        fz.bad('root phase stopped: %s' % traceback.format_exc().replace('\n', ' | '))
    events.drain(fz)
    summary_lines(fz, 'root')
    states = mig_states(fz)
    cancel_all(fz)
    time.sleep(0.2)
    events.drain(fz)
    # Restore the parameters the fuzzing changed.
    ops = {o.name: o for o in spec.ops}
    if params0 and 'params-set' in ops:
        ps = ops['params-set']
        aset = spec.aset(ps)
        body = b''
        for name, val in params0:
            if name in (ps.request or []):
                body += nla(aset.by_name[name].value, bytes.fromhex(val))
        for t, fl, p in fz.sk.call(fz.fam, ps.value, body):
            if t == NLMSG_ERROR and err_of(p):
                fz.bad('restoring the parameters: %s' % ename(err_of(p)))
        if params_snapshot(fz) != params0:
            fz.bad('parameters not restored')
    for r in regions:
        r.close()
    left = stat_value(fz, 'regions')
    if left != (regions_before or 0) - len(regions):
        fz.bad('regions after closing ours: %s (expected %d)' % (left, (regions_before or 0) - len(regions)))

    total = fz.sent + nres['sent']
    nunexp = len(fz.unexpected) + len(problems) + len(missing)
    print('# nl-fuzz: %d answers checked against an exact prediction (root), %d (non-root)'
          % (fz.exact, nres.get('exact', 0)))
    print('# nl-fuzz: events %d (lost: %d ENOBUFS), by kind %s; replies %d; scenarios %d; '
          'fuzzer migrations at the end: %s' % (
              events.n, events.lost, dict(sorted(events.kinds.items())), fz.replies,
              getattr(fz, 'scenarios', 0), states or 'none'))
    errs = dict(fz.errnos)
    for k, v in (nres.get('errnos') or {}).items():
        errs[k] = errs.get(k, 0) + v
    print('# nl-fuzz: answers: %s' % ', '.join('%s %d' % kv for kv in sorted(errs.items(), key=lambda kv: -kv[1])))
    cmds = (set(fz.per_cmd) | set(nres['per_cmd'])) - {'unknown-cmd'}
    print('nl-fuzz: seed %d, %d messages (root %d, non-root %d), %d commands, %d unexpected, %.0f s'
          % (seed, total, fz.sent, nres['sent'], len(cmds), nunexp, time.monotonic() - t0))
    for u in fz.unexpected[20:25]:
        print('# nl-fuzz: UNEXPECTED: %s' % json.dumps(u))
    return 1 if nunexp else 0


if __name__ == '__main__':
    sys.exit(main())
