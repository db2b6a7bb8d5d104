# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# Netlink fuzzing, sourced by tests/system/run-tests.sh after colo-cases.sh
# (POSIX sh). Uses run-tests.sh's ok, notok, skip, t, load, unload, loaded
# and migration-cases.sh's mig_roundtrip, mcheck and gstat.
#
# Functions (each prints TAP lines through ok/notok/skip):
#   nlfuzz_all [SEED [ROOT [NONROOT]]]
#       tests/system/nl-fuzz.py: ROOT messages as root and NONROOT as uid
#       65534 without capabilities (admin commands must be EPERM), every
#       command and attribute of the YNL spec; then a sanity phase: the
#       module answers, a small migration still completes, no region is
#       left, rmmod succeeds, kmemleak finds no kmig leak and the kernel
#       log since the start is clean. SEED defaults to a random one
#       (printed); KMIG_SYSTEST_ONLY=nlfuzz_all:SEED reproduces a run.
#
# Knobs, overridable before sourcing:
: "${NLFUZZ_ROOT:=15000}"	# messages as root
: "${NLFUZZ_NONROOT:=5000}"	# messages as nobody
: "${NLFUZZ_BUDGET:=150}"	# seconds for the fuzzing itself, at most

nlfuzz_all() {
	_seed=${1:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}
	_root=${2:-$NLFUZZ_ROOT} _nonroot=${3:-$NLFUZZ_NONROOT}
	_spec=$BIN/../../Documentation/netlink/specs/kmig.yaml
	if ! command -v python3 > /dev/null 2>&1; then
		skip "netlink fuzzer" "no python3 here (the $ENV environment has none)"
		return 0
	fi
	loaded || t "insmod for the netlink fuzzer" load
	mark nlfuzz
	# Leaks suspected before the fuzzing stay out of its verdict (and in
	# the list for run-tests.sh's final check: no 'clear').
	_kml=/sys/kernel/debug/kmemleak
	: > "$T/kml0"
	[ -w $_kml ] && echo scan > $_kml && cat $_kml > "$T/kml0"

	python3 "$BIN/nl-fuzz.py" --spec "$_spec" --seed "$_seed" --root "$_root" \
		--nonroot "$_nonroot" --budget "$NLFUZZ_BUDGET" > "$T/nlfuzz.out" 2>&1
	_rc=$?
	_line=$(grep '^nl-fuzz: seed' "$T/nlfuzz.out")
	grep '^# ' "$T/nlfuzz.out" | head -60
	cp "$T/nlfuzz.out" "$T/out"
	echo "exit status $_rc" >> "$T/out"
	if [ $_rc -eq 0 ] && [ -n "$_line" ]; then
		ok "netlink fuzzer (${_line#nl-fuzz: })"
	else
		notok "netlink fuzzer, seed $_seed (${_line:-no summary})"
	fi

	# Sanity: the module still works after the fuzzing.
	t "migctl params after fuzzing" "$MIGCTL" params
	_o1=$MIG_SIZE_MB _o2=$MIG_RANDOM _o3=$MIG_ZERO
	MIG_SIZE_MB=16 MIG_RANDOM=1024 MIG_ZERO=512
	mig_roundtrip 2 channel
	MIG_SIZE_MB=$_o1 MIG_RANDOM=$_o2 MIG_ZERO=$_o3
	_n=$(gstat regions)
	echo "regions: $_n" > "$T/out"
	mcheck "no region left after fuzzing" [ "$_n" = 0 ]
	t "rmmod after fuzzing" unload
	if [ -w $_kml ]; then
		kml_scan "$T/kml"
		# Every new unreferenced object whose backtrace goes through kmig.
		awk 'NR == FNR { if (/^unreferenced object/) old[$3] = 1; next }
			/^unreferenced object/ { if (b ~ /kmig/) print b; b = ""; skip = ($3 in old) }
			!skip { b = b $0 "\n" }
			END { if (b ~ /kmig/) print b }' "$T/kml0" "$T/kml" > "$T/out"
		[ -s "$T/kml" ] && [ ! -s "$T/out" ] &&
			echo "# kmemleak: $(grep -c '^unreferenced' "$T/kml") suspect(s), none new from kmig"
		mcheck "kmemleak: no kmig leak after fuzzing" [ ! -s "$T/out" ]
	else
		skip "kmemleak: no kmig leak after fuzzing" "kmemleak not in this kernel"
	fi
	mcheck "kernel log clean after fuzzing" klog_clean nlfuzz
	t "insmod after fuzzing" load
}
