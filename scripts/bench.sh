#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make bench: measure and print, assert nothing about speed.
#
#   deps, the uml-bench kernel and module, userspace; then, one after the
#   other (never two at once, so they do not share the two cores):
#   1. memscan      the memory read limit: a userspace AVX2 zero scan (host)
#   2. QEMU         Debian's qemu-system-x86_64 (TCG, paused guest) migrating
#                   the same sizes over loopback, multifd 1/2/4 and without
#   3. kmig         tests/bench/bench-uml.py in the non-debug UML kernel:
#                   zero and random regions on 1/2/4 channels, in-kernel TCP
#                   loopback, every zero check, COLO, memory overhead
#   4. report       tests/bench/report.py: Markdown tables + merged JSON
# Results: build/results/bench-<date>/ (and build/results/bench-latest).
# Sizes: KMIG_BENCH_SIZE_GIB (zero cases, default 8), KMIG_BENCH_RANDOM_GIB
# (random data, default 2); KMIG_BENCH_COLO_CHECKPOINTS (default 200),
# KMIG_BENCH_COLO_INTERVAL_MS (default 100).
set -uo pipefail
KMIG_TAG=bench
. "$(dirname "$0")/lib.sh"
S=$KMIG_TOP/scripts
export KMIG_TOP

size=${KMIG_BENCH_SIZE_GIB:-8}
rsize=${KMIG_BENCH_RANDOM_GIB:-2}
ckpts=${KMIG_BENCH_COLO_CHECKPOINTS:-200}
ival=${KMIG_BENCH_COLO_INTERVAL_MS:-100}
res=$KMIG_RESULTS/bench-$(date -u +%Y%m%d-%H%M%S)
mkdir -p "$res"
t_all=$(date +%s)

step() { # NAME CMD...: run and time one step; a failure is reported, not fatal
	local name=$1 t0 rc=0; shift
	log "== $name"
	t0=$(date +%s)
	"$@" || rc=$?
	log "$name: $(($(date +%s) - t0)) s$([ $rc -eq 0 ] || echo ", exit status $rc")"
	return 0
}

step deps "$S/deps.sh"
step kernel bash -c '"$1/uml-kernel.sh" uml-bench >/dev/null && "$1/modules.sh" uml-bench' _ "$S"
step userspace "$S/userspace.sh"
step memscan-build make -s -C "$KMIG_TOP/tests/bench" memscan

qemu_version=$(qemu-system-x86_64 --version 2>/dev/null | head -1)
python3 - "$res/machine.json" "$size" "$rsize" "$qemu_version" <<'PY'
import json, os, platform, subprocess, sys, time
out, size, rsize, qv = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
cpu = ""
with open("/proc/cpuinfo") as f:
    for line in f:
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
top = os.environ["KMIG_TOP"]
commit = subprocess.run(["git", "-C", top, "describe", "--always", "--dirty"],
                        capture_output=True, text=True).stdout.strip()
json.dump({"host_cpu": cpu, "host_cores": os.cpu_count(), "host_mem_bytes": mem,
           "host_kernel": platform.release(), "uml_kernel": "",
           "qemu_version": qv, "commit": commit,
           "command": "make bench (KMIG_BENCH_SIZE_GIB=%d KMIG_BENCH_RANDOM_GIB=%d)"
                      % (size, rsize),
           "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())},
          open(out, "w"), indent=1)
PY

step memscan bash -c '"$1" --size-gib "$2" > "$3"' _ \
	"$KMIG_TOP/tests/bench/memscan" "$size" "$res/memscan.json"
step qemu bash -c 'python3 "$1" --size-gib "$2" --random-size-gib "$3" \
	--cases zero-written,zero-untouched,random --channels 0,1,2,4 > "$4"' _ \
	"$KMIG_TOP/tests/bench/qemu-anchor.py" "$size" "$rsize" "$res/qemu.json"
# UML's memory: the zero region, two random regions and room to spare.
step kmig env KMIG_UML_MEM=$((size + 2 * rsize + 3))G KMIG_UML_TIMEOUT=2400 \
	KMIG_BENCH_OUT="$res" \
	KMIG_BENCH_ARGS="--size-gib $size --random-gib $rsize --colo-checkpoints $ckpts --colo-interval-ms $ival" \
	"$S/systest-uml.sh" --bench
if [ -f "$res/kmig.json" ]; then
	python3 - "$res/machine.json" "$res/kmig.json" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
m["uml_kernel"] = json.load(open(sys.argv[2])).get("kernel", "")
json.dump(m, open(sys.argv[1], "w"), indent=1)
PY
fi
step report python3 "$KMIG_TOP/tests/bench/report.py" "$res"
ln -sfn "$(basename "$res")" "$KMIG_RESULTS/bench-latest"
log "results: $res (build/results/bench-latest), $(($(date +%s) - t_all)) s in all"
