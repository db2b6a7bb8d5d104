#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make fuzz: libFuzzer on the wire codec (kmod/wire.c), built by
# tests/wire/Makefile into build/fuzz/ with clang (ASan + UBSan):
#   fuzz_wire    single decoder calls (hello, reply, header + offsets)
#   fuzz_stream  whole destination channel streams (stream_model.c)
# FUZZ_SECONDS (default 300) is the total time, split evenly between the
# harnesses, which run at the same time (on 2 cores: FUZZ_SECONDS / 2 of
# wall time); each runs as one process (one core) on its corpus
# build/fuzz/corpus/<harness> (kept between runs) and the seeds mkcorpus
# generates into build/fuzz/seeds/. Prints one line per harness and a
# total, writes build/results/fuzz-latest.json, keeps crashing inputs in
# build/results/fuzz-crashes/, and exits non-zero on any crash, timeout,
# leak or out-of-memory. Installs nothing: clang comes from scripts/deps.sh.
set -uo pipefail
KMIG_TAG=fuzz
. "$(dirname "$0")/lib.sh"

FUZZ_SECONDS=${FUZZ_SECONDS:-300}
CLANG=${CLANG:-clang}
harnesses=(fuzz_wire fuzz_stream)
declare -A max_len=([fuzz_wire]=8192 [fuzz_stream]=65536)

case $FUZZ_SECONDS in
'' | *[!0-9]*) die "FUZZ_SECONDS must be a number of seconds" ;;
esac
per=$((FUZZ_SECONDS / ${#harnesses[@]}))
[ "$per" -ge 1 ] || per=1

out=$KMIG_BUILD/fuzz
crashdir=$KMIG_RESULTS/fuzz-crashes
json=$KMIG_RESULTS/fuzz-latest.json
mkdir -p "$out" "$crashdir"

# clang with libFuzzer (Debian: clang and libclang-rt-dev, see deps.sh).
if ! command -v "$CLANG" >/dev/null 2>&1; then
	log "error: $CLANG not found; 'make deps' installs clang and libclang-rt-dev"
	exit 1
fi
probe=$(mktemp -d)
printf '%s\n' '#include <stddef.h>' \
	'int LLVMFuzzerTestOneInput(const unsigned char *d, size_t n);' \
	'int LLVMFuzzerTestOneInput(const unsigned char *d, size_t n)' \
	'{ (void)d; (void)n; return 0; }' >"$probe/p.c"
if ! "$CLANG" -fsanitize=fuzzer,address,undefined -o "$probe/p" "$probe/p.c" \
	>"$probe/log" 2>&1; then
	log "error: $CLANG cannot link -fsanitize=fuzzer (libFuzzer missing?); 'make deps' installs libclang-rt-dev:"
	indent 10 <"$probe/log"
	rm -rf "$probe"
	exit 1
fi
rm -rf "$probe"
clang_version=$("$CLANG" --version | head -n 1)

logrun "$KMIG_LOGS/fuzz-build.log" \
	make -C "$KMIG_TOP/tests/wire" fuzz CLANG="$CLANG" FUZZ_OUT="$out" ||
	die "building the fuzz targets failed"

commit=$(git -C "$KMIG_TOP" rev-parse HEAD 2>/dev/null || echo unknown)
if [ -n "$(git -C "$KMIG_TOP" status --porcelain --untracked-files=no 2>/dev/null)" ]; then
	commit=$commit-dirty
fi

# The value of libFuzzer's final 'stat::NAME: value' line.
fstat() { sed -n "s/^stat::$1: *\([0-9]*\).*/\1/p" "$2" | tail -n 1; }

# The harnesses run at the same time, one process (one core) each.
declare -A h_rc=() h_secs=()
stamp=$(mktemp)
for h in "${harnesses[@]}"; do
	corpus=$out/corpus/${h#fuzz_}
	seeds=$out/seeds/${h#fuzz_}
	mkdir -p "$corpus"
	(
		t0=$(date +%s) rc=0
		"$out/$h" -max_total_time="$per" -max_len="${max_len[$h]}" \
			-timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
			-artifact_prefix="$crashdir/$h-" "$corpus" "$seeds" \
			>"$KMIG_LOGS/fuzz-$h.log" 2>&1 </dev/null || rc=$?
		echo "$rc $(($(date +%s) - t0))" >"$out/.run-$h"
	) &
done
wait
for h in "${harnesses[@]}"; do
	read -r "h_rc[$h]" "h_secs[$h]" <"$out/.run-$h" 2>/dev/null || { h_rc[$h]=1; h_secs[$h]=0; }
	rm -f "$out/.run-$h"
done

total_execs=0 total_crashes=0 total_secs=0 entries=()
for h in "${harnesses[@]}"; do
	logf=$KMIG_LOGS/fuzz-$h.log
	rc=${h_rc[$h]} secs=${h_secs[$h]}
	# Crash, leak, timeout and OOM inputs libFuzzer wrote in this run.
	crashes=$(find "$crashdir" -name "$h-*" -newer "$stamp" | wc -l)
	if [ "$rc" -ne 0 ] && [ "$crashes" -eq 0 ]; then
		log "$h exited with $rc and left no input; see $logf"
		crashes=1
	fi
	execs=$(fstat number_of_executed_units "$logf")
	eps=$(fstat average_exec_per_sec "$logf")
	corp=$(grep -o 'corp: [0-9]*' "$logf" | tail -n 1 | grep -o '[0-9]*$')
	execs=${execs:-0} eps=${eps:-0} corp=${corp:-0}
	printf '%-12s %10s executions %8s exec/s %5s s  corpus %5s  crashes %s\n' \
		"$h:" "$execs" "$eps" "$secs" "$corp" "$crashes"
	if [ "$crashes" -ne 0 ]; then
		grep -E '^==[0-9]+==|runtime error|stream model|SUMMARY|Test unit written' \
			"$logf" | indent 12
	fi
	entries+=("$(printf '{"harness": "%s", "execs": %s, "exec_per_sec": %s, "seconds": %s, "corpus": %s, "crashes": %s}' \
		"$h" "$execs" "$eps" "$secs" "$corp" "$crashes")")
	total_execs=$((total_execs + execs))
	total_crashes=$((total_crashes + crashes))
	total_secs=$((total_secs + secs))
done
rm -f "$stamp"

{
	printf '{\n  "date": "%s",\n  "commit": "%s",\n  "clang": "%s",\n' \
		"$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$commit" "${clang_version//\"/}"
	printf '  "fuzz_seconds": %s,\n  "harnesses": [\n' "$FUZZ_SECONDS"
	sep=,
	for i in "${!entries[@]}"; do
		[ "$i" -eq $((${#entries[@]} - 1)) ] && sep=
		printf '    %s%s\n' "${entries[$i]}" "$sep"
	done
	printf '  ]\n}\n'
} >"$json"

echo "fuzz: $total_execs executions in $total_secs s, $total_crashes crashes"
if [ "$total_crashes" -ne 0 ]; then
	log "crashing inputs: $crashdir (reproduce: build/fuzz/<harness> <file>)"
	exit 1
fi
