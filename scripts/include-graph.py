#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The object include graph of kmod/, and a check that it is acyclic.

An object is a .c/.h pair of one name (migration.c + migration.h is
"migration"); a header alone (compat.h, wire.h) or a .c alone (main.c)
is an object too. Object A depends on object B when A's .c or .h
includes B's header. Header guards make cycles of headers harmless to
the compiler, but a cycle of objects means two files that call each
other, which is what the layout rule forbids.

    include-graph.py [DIR]          print the graph, one object a line,
                                    in dependency order (leaves first)
    include-graph.py --check [DIR]  also exit 1 and print the cycle if
                                    there is one
    include-graph.py --dot [DIR]    the graph in Graphviz dot
    include-graph.py --check --known A,B,.. [DIR]
                                    a cycle among the objects listed is
                                    known (printed, not fatal); any cycle
                                    through another object still fails,
                                    so the known set can only shrink

Only quoted includes ("x.h") within DIR and its subdirectories count.
"""

import os
import re
import sys

INC = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def objects(root):
    deps = {}
    for dirpath, _, files in os.walk(root):
        for f in files:
            if not f.endswith(('.c', '.h')):
                continue
            path = os.path.join(dirpath, f)
            rel = os.path.relpath(path, root)
            obj = rel[:-2]
            with open(path, encoding='utf-8', errors='replace') as fh:
                text = fh.read()
            d = deps.setdefault(obj, set())
            for inc in INC.findall(text):
                target = os.path.normpath(os.path.join(os.path.dirname(rel), inc))
                if os.path.exists(os.path.join(root, target)):
                    t = target[:-2]
                    if t != obj:
                        d.add(t)
    for d in list(deps.values()):
        for t in d:
            deps.setdefault(t, set())
    return deps


def find_cycle(deps):
    """Return one cycle as a list of objects, or None."""
    WHITE, GREY, BLACK = 0, 1, 2
    colour = dict.fromkeys(deps, WHITE)
    stack = []

    def visit(n):
        colour[n] = GREY
        stack.append(n)
        for m in sorted(deps[n]):
            if colour[m] == GREY:
                return stack[stack.index(m):] + [m]
            if colour[m] == WHITE:
                c = visit(m)
                if c:
                    return c
        stack.pop()
        colour[n] = BLACK
        return None

    for n in sorted(deps):
        if colour[n] == WHITE:
            c = visit(n)
            if c:
                return c
    return None


def sccs(deps):
    """The strongly connected components of more than one object."""
    index, low, stack, on, out = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(deps[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(deps):
        if v not in index:
            visit(v)
    return out


def order(deps):
    """Leaves first; ties by name. Assumes no cycle."""
    done, out = set(), []
    while len(out) < len(deps):
        ready = sorted(n for n in deps if n not in done and deps[n] <= done)
        if not ready:
            break
        for n in ready:
            done.add(n)
            out.append(n)
    return out


def main(argv):
    mode = 'print'
    args = []
    known = set()
    it = iter(argv)
    for a in it:
        if a in ('--check', '--dot'):
            mode = a[2:]
        elif a == '--known':
            known = set(next(it, '').split(','))
        else:
            args.append(a)
    root = args[0] if args else os.path.join(os.path.dirname(__file__), '..', 'kmod')
    deps = objects(root)
    comps = sccs(deps)
    new = [c for c in comps if not set(c) <= known]
    for c in comps:
        if c not in new:
            print('known cycle among: ' + ' '.join(c), file=sys.stderr)
    if known and not new:
        # Order the rest with each known component as one node.
        cycle = None
        merged = {}
        rep = {n: ' '.join(c) for c in comps for n in c}
        for n, d in deps.items():
            k = rep.get(n, n)
            merged.setdefault(k, set()).update(rep.get(m, m) for m in d)
        for k in merged:
            merged[k].discard(k)
        deps = merged
    else:
        cycle = find_cycle(deps)
    if mode == 'dot':
        print('digraph kmod {\n\trankdir=BT;')
        for n in sorted(deps):
            for m in sorted(deps[n]):
                print(f'\t"{n}" -> "{m}";')
        print('}')
    elif cycle is None:
        for n in order(deps):
            print(f'{n:<20} {" ".join(sorted(deps[n])) or "-"}')
    if cycle:
        print('include cycle: ' + ' -> '.join(cycle), file=sys.stderr)
        return 1 if mode == 'check' else 0
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
