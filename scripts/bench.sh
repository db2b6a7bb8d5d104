#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make bench: measure and print, assert nothing about speed.
#
#   deps, the uml-bench kernel and module, userspace; then R rounds
#   (KMIG_BENCH_ROUNDS, default 5), each running every configuration once,
#   one program after the other (never two at once, so they do not share
#   the two cores):
#   1. memscan      the memory read limit: a userspace AVX2 zero scan (host)
#   2. QEMU         Debian's qemu-system-x86_64 (TCG, paused guest) migrating
#                   the same sizes over loopback, multifd 1/2/4 and without
#   3. kmig         tests/bench/bench-uml.py in the non-debug UML kernel
#                   (booted once per round): zero and random regions on
#                   1/2/4 channels, in-kernel TCP loopback, the in-UML read
#                   limits, every zero check, COLO, postcopy (a guest
#                   dirtying faster than a bandwidth limit: precopy with a
#                   forced switchover, postcopy after one pass; QEMU's
#                   postcopy beside it, step 2); memory overhead and
#                   the per-page profile (profile_uml.py) in round 1 only
#   QEMU and kmig alternate their order (odd rounds QEMU first, even rounds
#   kmig first), so that a drift of the machine's speed over the run
#   weighs on both alike. Before each run tests/bench/loadprobe.py times a
#   short CPU loop and waits while the CPU is busy (the record goes with
#   the run). Then:
#   4. long link    scripts/hosts.sh --bench uml-uml: two uml-bench kernels
#                   on one bridged tap link with netem (round trips
#                   KMIG_BENCH_LL_RTT, default 10,50 ms); in them, random
#                   data a -> b: kmig on KMIG_BENCH_LL_CH channels (1,2,4,8),
#                   QEMU multifd on as many, one iperf3 stream;
#                   KMIG_BENCH_LL_MIB per run (256), KMIG_BENCH_LL_ROUNDS
#                   rounds (default: KMIG_BENCH_ROUNDS, at most 2), all in
#                   one boot of the hosts (tests/bench/hosts-bench.sh);
#                   the link's MTU KMIG_BENCH_LL_MTU (9000: at 1500 UML's
#                   per-frame cost caps the link near 25 MiB/s).
#                   Needs root (a network namespace and tap devices).
#   5. report       tests/bench/report.py: median (min-max) over the rounds,
#                   Markdown tables + merged JSON
# Results: build/results/bench-<date>/ (and build/results/bench-latest):
# memscan-rN.json, qemu-rN.json, kmig-rN.json, longlink-rN.json per round,
# machine.json, results.md, results.json.
# Sizes: KMIG_BENCH_SIZE_GIB (zero cases, default 2), KMIG_BENCH_RANDOM_MIB
# (random data, default 512; KMIG_BENCH_RANDOM_GIB overrides it),
# KMIG_BENCH_TCP_MIB (in-kernel TCP loopback, default 1024),
# KMIG_BENCH_LIMIT_MIB (in-UML userspace scan, default 256),
# KMIG_BENCH_HOT_REPS (hot zero check scans, default 50),
# KMIG_BENCH_COLO_CHECKPOINTS (per configuration and round, default 40),
# KMIG_BENCH_COLO_INTERVAL_MS (default 100), KMIG_BENCH_PROFILE_MIB and
# KMIG_BENCH_PROFILE_REPS (the profile's region and runs, default 512 and 5,
# round 1). Postcopy (kmig and QEMU alike): KMIG_BENCH_PC_SIZE_GIB (the
# guest, default 4), KMIG_BENCH_PC_RANDOM_MIB (its random part, 32),
# KMIG_BENCH_PC_HOT_PCT (the writers' share of the pages, 1),
# KMIG_BENCH_PC_RATE (their writes per second, 8000), KMIG_BENCH_PC_BW_MIB
# (the bandwidth limit, 16 MiB/s), KMIG_BENCH_PC_MAX_PASSES (precopy's
# pass limit, 3). KMIG_BENCH_WAIT_BUDGET_S:
# the most the load probe waits in all, per environment (default 180).
# KMIG_BENCH_ONLY=STEPS (a comma list of bench-uml.py's steps: tcp, zero,
# limits, zerocheck-hot, random, colo, postcopy, memory, profile; and
# longlink, the long link): only those in kmig; QEMU's migration cases
# only with zero or random, its postcopy runs only with postcopy; memscan
# only with zero, limits or zerocheck-hot; the long link only with
# longlink. E.g. KMIG_BENCH_ONLY=postcopy: the postcopy table alone.
set -uo pipefail
KMIG_TAG=bench
. "$(dirname "$0")/lib.sh"
S=$KMIG_TOP/scripts
B=$KMIG_TOP/tests/bench
export KMIG_TOP

rounds=${KMIG_BENCH_ROUNDS:-5}
size=${KMIG_BENCH_SIZE_GIB:-2}
rmib=${KMIG_BENCH_RANDOM_MIB:-512}
[ -z "${KMIG_BENCH_RANDOM_GIB:-}" ] || rmib=$((KMIG_BENCH_RANDOM_GIB * 1024))
tcp=${KMIG_BENCH_TCP_MIB:-1024}
limit=${KMIG_BENCH_LIMIT_MIB:-256}
hot=${KMIG_BENCH_HOT_REPS:-50}
ckpts=${KMIG_BENCH_COLO_CHECKPOINTS:-40}
ival=${KMIG_BENCH_COLO_INTERVAL_MS:-100}
pmib=${KMIG_BENCH_PROFILE_MIB:-512}
preps=${KMIG_BENCH_PROFILE_REPS:-5}
pcsize=${KMIG_BENCH_PC_SIZE_GIB:-4}
pcrand=${KMIG_BENCH_PC_RANDOM_MIB:-32}
pchot=${KMIG_BENCH_PC_HOT_PCT:-1}
pcrate=${KMIG_BENCH_PC_RATE:-8000}
pcbw=${KMIG_BENCH_PC_BW_MIB:-16}
pcpasses=${KMIG_BENCH_PC_MAX_PASSES:-3}
only=${KMIG_BENCH_ONLY:-}
llrounds=${KMIG_BENCH_LL_ROUNDS:-$((rounds < 2 ? rounds : 2))}
llmib=${KMIG_BENCH_LL_MIB:-256}
llrtt=${KMIG_BENCH_LL_RTT:-10,50}
llch=${KMIG_BENCH_LL_CH:-1,2,4,8}
llmtu=${KMIG_BENCH_LL_MTU:-9000}
for v in rounds size rmib tcp limit hot ckpts ival pmib preps pcsize pcrand \
	pchot pcrate pcbw pcpasses llrounds llmib llmtu; do
	case ${!v} in
	'' | *[!0-9]* | 0) die "bench: $v must be a positive integer (got '${!v}')" ;;
	esac
done
for v in llrtt llch; do
	case ${!v} in
	'' | *[!0-9,]* | ,* | *, | *,,*) die "bench: $v must be a comma list of numbers (got '${!v}')" ;;
	esac
done
[ "$pchot" -le 100 ] || die "bench: KMIG_BENCH_PC_HOT_PCT is a percentage (got $pchot)"
# The parts KMIG_BENCH_ONLY selects (all without it).
want() { # STEP...: true when one of them is selected
	local s
	[ -n "$only" ] || return 0
	for s in "$@"; do
		case ",$only," in *",$s,"*) return 0 ;; esac
	done
	return 1
}
for s in ${only//,/ }; do
	case $s in
	tcp | zero | limits | zerocheck-hot | random | colo | postcopy | memory | profile | longlink) ;;
	*) die "bench: KMIG_BENCH_ONLY: unknown step '$s'" ;;
	esac
done
# bench-uml.py's steps of KMIG_BENCH_ONLY (all of them without it).
konly=$(echo ",$only," | sed 's/,longlink,/,/g; s/^,*//; s/,*$//')
# kmig-vmm's hot set (the first PCT % of the pages), in pages for QEMU's guest.
pchotpages=$((pcsize * 262144 * pchot / 100))
res=$KMIG_RESULTS/bench-$(date -u +%Y%m%d-%H%M%S)
mkdir -p "$res"
t_all=$(date +%s)
# The random guest RAM of the QEMU runs, written once for all rounds.
tmp=$(mktemp -d "${TMPDIR:-/tmp}/kmig-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
times=()

step() { # NAME CMD...: run and time one step; a failure is reported, not fatal
	local name=$1 t0 rc=0 dt; shift
	log "== $name"
	t0=$(date +%s)
	"$@" || rc=$?
	dt=$(($(date +%s) - t0))
	times+=("$name $dt s")
	log "$name: $dt s$([ $rc -eq 0 ] || echo ", exit status $rc")"
	return 0
}

step deps "$S/deps.sh"
step kernel bash -c '"$1/uml-kernel.sh" uml-bench >/dev/null && "$1/modules.sh" uml-bench' _ "$S"
step userspace "$S/userspace.sh"
step memscan-build make -s -C "$B" memscan pcguest.elf

qemu_version=$(qemu-system-x86_64 --version 2>/dev/null | head -1)
cmdline="make bench (KMIG_BENCH_ROUNDS=$rounds KMIG_BENCH_SIZE_GIB=$size KMIG_BENCH_RANDOM_MIB=$rmib KMIG_BENCH_TCP_MIB=$tcp KMIG_BENCH_COLO_CHECKPOINTS=$ckpts KMIG_BENCH_PC_SIZE_GIB=$pcsize KMIG_BENCH_PC_RANDOM_MIB=$pcrand KMIG_BENCH_PC_HOT_PCT=$pchot KMIG_BENCH_PC_RATE=$pcrate KMIG_BENCH_PC_BW_MIB=$pcbw KMIG_BENCH_PC_MAX_PASSES=$pcpasses KMIG_BENCH_LL_ROUNDS=$llrounds KMIG_BENCH_LL_MIB=$llmib KMIG_BENCH_LL_RTT=$llrtt KMIG_BENCH_LL_CH=$llch KMIG_BENCH_LL_MTU=$llmtu${only:+ KMIG_BENCH_ONLY=$only})"
python3 - "$res/machine.json" "$qemu_version" "$cmdline" "$rounds" <<'PY'
import json, os, platform, subprocess, sys, time
out, qv, cmd, rounds = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
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
           "qemu_version": qv, "commit": commit, "command": cmd,
           "rounds": rounds,
           "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())},
          open(out, "w"), indent=1)
PY

want zero random && step random-file python3 -c '
import os, sys
with open(sys.argv[1], "wb") as f:
    for _ in range((int(sys.argv[2]) + 15) // 16):
        f.write(os.urandom(16 << 20))
' "$tmp/random.bin" "$rmib"

run_memscan() { # ROUND
	python3 "$B/loadprobe.py" --state "$res/probe-native.state" \
		--label "memscan r$1" -- "$B/memscan" --size-gib "$size" \
		>"$res/memscan-r$1.json"
}
run_qemu() { # ROUND
	local cases=zero-written,zero-untouched,random,random-dst-prealloc
	local pc=precopy,postcopy
	want zero random || cases=
	want postcopy || pc=
	[ -n "$cases$pc" ] || return 0
	python3 "$B/qemu-anchor.py" --size-gib "$size" \
		${cases:+--random-file "$tmp/random.bin"} \
		--random-size-gib "$(awk -v m="$rmib" 'BEGIN { print m / 1024 }')" \
		--cases "$cases" --channels 0,1,2,4 \
		--postcopy "$pc" --pc-size-gib "$pcsize" --pc-random-mib "$pcrand" \
		--pc-hot-pages "$pchotpages" --pc-rate "$pcrate" --pc-bw-mib "$pcbw" \
		--pc-max-passes "$pcpasses" \
		--probe-state "$res/probe-native.state" --round "$1" \
		>"$res/qemu-r$1.json"
}
run_kmig() { # ROUND
	[ -z "$only" ] || [ -n "$konly" ] || return 0
	local args="--round $1 --size-gib $size --random-mib $rmib --tcp-mib $tcp"
	args+=" --limit-mib $limit --hot-reps $hot --colo-checkpoints $ckpts"
	args+=" --colo-interval-ms $ival --probe-state $res/probe-uml.state"
	args+=" --profile-mib $pmib --profile-reps $preps"
	args+=" --pc-size-gib $pcsize --pc-random-mib $pcrand --pc-hot-pct $pchot"
	args+=" --pc-rate $pcrate --pc-dst-rate $pcrate --pc-bw-mib $pcbw"
	args+=" --pc-max-passes $pcpasses"
	[ -z "$only" ] || args+=" --only $konly"
	[ "$1" = 1 ] || args+=" --skip memory,profile"
	# UML's memory: the zero region, two random regions, the TCP pools
	# and room to spare; or the postcopy source (the destination receives
	# the hot set only) and 2 GiB, whichever is more.
	local mem=$((size * 1024 + 2 * rmib + 3072))
	[ $mem -ge $((pcsize * 1024 + 2048)) ] || mem=$((pcsize * 1024 + 2048))
	env KMIG_UML_MEM=${mem}M \
		KMIG_UML_TIMEOUT="${KMIG_UML_TIMEOUT:-1200}" KMIG_SKIP_USERSPACE=1 \
		KMIG_BENCH_OUT="$res" KMIG_BENCH_ARGS="$args" \
		"$S/systest-uml.sh" --bench
	[ -s "$res/kmig-r$1.json" ]
}

for r in $(seq 1 "$rounds"); do
	t_round=$(date +%s)
	log "=== round $r of $rounds ($([ $((r % 2)) = 1 ] && echo "QEMU, then kmig" || echo "kmig, then QEMU"))"
	! want zero limits zerocheck-hot || step "r$r memscan" run_memscan "$r"
	if [ $((r % 2)) = 1 ]; then
		step "r$r qemu" run_qemu "$r"
		step "r$r kmig" run_kmig "$r"
	else
		step "r$r kmig" run_kmig "$r"
		step "r$r qemu" run_qemu "$r"
	fi
	log "round $r: $(($(date +%s) - t_round)) s"
done

# The long link: its rounds interleave its configurations inside one boot
# of the two hosts (booting them takes a while; QEMU's source is started
# once for all runs).
run_longlink() {
	[ "$(id -u)" -eq 0 ] || { log "long link: needs root (a network namespace and tap devices): not measured"; return 1; }
	env KMIG_SKIP_USERSPACE=1 KMIG_BENCH_OUT="$res" \
		KMIG_BENCH_ARGS="rounds=$llrounds rtt=$llrtt ch=$llch qch=$llch mib=$llmib" \
		"$S/hosts.sh" --bench --mtu "$llmtu" --name bench-longlink --timeout 3600 uml-uml
}
want longlink && step longlink run_longlink

if [ -f "$res/kmig-r1.json" ]; then
	python3 - "$res/machine.json" "$res/kmig-r1.json" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
m["uml_kernel"] = json.load(open(sys.argv[2])).get("kernel", "")
json.dump(m, open(sys.argv[1], "w"), indent=1)
PY
fi
step report python3 "$B/report.py" "$res"
ln -sfn "$(basename "$res")" "$KMIG_RESULTS/bench-latest"
log "step times: $(printf '%s; ' "${times[@]}")"
log "results: $res (build/results/bench-latest), $(($(date +%s) - t_all)) s in all"
