# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# Helpers shared by the system-test scripts (POSIX sh: dash in UML,
# busybox ash in the Debian 6.1 initramfs). Sourced by run-tests.sh (for
# every case file), demo.sh and wire-selftest.sh. The migration helpers
# use run-tests.sh's ok/notok/sysfs and the case files' knobs (MIG_ADDR,
# MIG_TIMEOUT, LIVE_VMM ...) when they run.
#
#   now_cs                   hundredths of a second since boot
#   wait_until SECONDS CMD…  run CMD every 0.1 s until it succeeds; fails
#                            (status 1) when SECONDS have passed first.
#                            Every polling loop of the system tests is one.
#   jf FILE FILTER           jq -r FILTER of the JSON in FILE ("" when the
#                            file is missing or not JSON)
#   jl FILE N FILTER         the same on line N of a JSON-lines FILE
#   mj_load FILE / mjv KEY   the one reader of migctl's JSON objects
#   mark NAME / klog_since NAME / klog_clean NAME    the kernel log
#   run_table TABLE          the case runner (below)
#   args "$@"                run-tests.sh's and demo.sh's options

# args: --env E --ko KO --migctl PATH --bin DIR into ENV, KO, MIGCTL, BIN.
args() {
	while [ $# -gt 0 ]; do
		case "$1" in
		--env) ENV=$2; shift 2 ;;
		--ko) KO=$2; shift 2 ;;
		--migctl) MIGCTL=$2; shift 2 ;;
		--bin) BIN=$2; shift 2 ;;
		*) echo "# unknown argument $1"; shift ;;
		esac
	done
}

# _now: now_cs into _nc without a process (/proc/uptime is "S.CC ...";
# ${_f#0}: "08" is no octal number).
_now() {
	read -r _up _ < /proc/uptime
	_f=${_up#*.}
	_nc=$((${_up%.*} * 100 + ${_f#0}))
}
now_cs() { _now; echo "$_nc"; }

# The loop itself starts no process but the sleep: its checks see the
# state of things as soon as the hand-written loops it replaced did.
wait_until() {
	_now; _wu_end=$((_nc + $1 * 100)); shift
	until "$@"; do
		_now; [ "$_nc" -lt "$_wu_end" ] || return 1
		sleep 0.1
	done
}

jf() { jq -r "$2" "$1" 2>/dev/null; }
# jt FILE FILTER: FILTER is true of the JSON in FILE.
jt() { jq -e "$2" "$1" > /dev/null 2>&1; }
jl() { sed -n "$2p" "$1" 2>/dev/null | jq -r "$3" 2>/dev/null; }

# mjson FILE ARGS...: migctl --json ARGS into FILE (and $T/out).
mjson() { _mf=$1; shift; "$MIGCTL" --json "$@" > "$_mf" 2> "$T/err"; [ "$_mf" = "$T/out" ] || cp "$_mf" "$T/out"; }

# mj_load FILE: read the migctl --json object in FILE once with jq (jq 1.6
# takes tens of ms to start, more in UML): its top-level fields as
# KEY=VALUE lines in FILE.kv (an array: its length); MJF=FILE. mjv KEY:
# field KEY of the last mj_load, "" when absent; like jq -r: "true",
# "false", "null".
mj_load() {
	MJF=$1
	jq -r 'to_entries[] | select(.value | type != "object") |
		"\(.key)=\(if .value | type == "array" then .value | length else .value end)"' \
		"$1" > "$1.kv" 2>/dev/null
}
mjv() { sed -n "s/^$1=//p" "$MJF.kv" 2>/dev/null; }

# mark NAME: a "kmig-systest-mark NAME" line in the kernel log (the checks
# start at the last one); klog_since NAME: the log after it (fails when it
# left the ring buffer); klog_clean NAME: nothing of KLOG_BAD in it (what
# there is, with the 6 lines after each, goes to $T/out).
mark() { echo "kmig-systest-mark $1" > /dev/kmsg; }

klog_since() {
	dmesg | awk -v m="kmig-systest-mark $1" '
		substr($0, length($0) - length(m) + 1) == m { n = 0; found = 1; next }
		found { line[n++] = $0 }
		END { for (i = 0; i < n; i++) print line[i]; exit !found }'
}

KLOG_BAD='WARNING:|BUG:|KASAN|possible circular locking|possible recursive locking|inconsistent lock state|suspicious RCU|Call Trace|general protection|INFO: task|blocked for more than|Oops|invoked oom-killer|Killed process'

klog_clean() {
	if ! klog_since "$1" > "$T/klog"; then
		echo "mark $1 no longer in the kernel's ring buffer (too much logged since)" > "$T/out"
		return 1
	fi
	grep -E -A6 "$KLOG_BAD" "$T/klog" > "$T/out"
	[ ! -s "$T/out" ]
}
# kml_scan FILE: kmemleak scanned twice, its report in FILE.
kml_scan() {
	echo scan > /sys/kernel/debug/kmemleak; sleep 1
	echo scan > /sys/kernel/debug/kmemleak
	cat /sys/kernel/debug/kmemleak > "$1"
}
# klog_ok: the case's kernel log check, from its mark (_tag, _mk).
klog_ok() { mcheck "$_tag: kernel log clean${1:+ $1}" klog_clean "$_mk"; }
# begin TAG MARK: a case's name and its kernel-log mark.
begin() { _tag=$1 _mk=$2; mark "$2"; }
# klog_has REGION TEXT: the kernel log's last lines about REGION have TEXT.
klog_has() { dmesg | grep "region $1: " | tail -3 > "$T/out"; grep -q "$2" "$T/out"; }

# run_table TABLE: the case runner. TABLE has a case a line, "NAME
# FUNCTION ARGS..." (blank and '#' lines skipped; ARGS as in sh, quotes
# and all); runs FUNCTION ARGS of each line (only those whose NAME matches the glob KMIG_RT_GLOB if set).
run_table() {
	set -f; _rt_ifs=$IFS; IFS='
'
	for _rt in $1; do
		IFS=$_rt_ifs; set +f
		# shellcheck disable=SC2254
		case ${_rt%% *} in '#'*|"$_rt") ;; ${KMIG_RT_GLOB:-*}) eval "${_rt#* }" ;; esac
		set -f
	done
	IFS=$_rt_ifs; set +f
}

# --- Checks --------------------------------------------------------------
# mcheck NAME COND...: ok when the command COND succeeds; else notok with
# $T/out (write the details there first). fc NAME 'COND': the same with a
# compound condition evaluated here.
mcheck() {
	_n=$1; shift
	if "$@"; then ok "$_n"; else notok "$_n"; fi
}
fc() { if eval "$2"; then ok "$1"; else notok "$1"; fi; }

# gstat NAME: a module-wide counter (sysfs, else migctl --json stats).
gstat() {
	_v=$(sysfs "stats/$1")
	[ -n "$_v" ] || _v=$("$MIGCTL" --json stats 2> "$T/err" | jq -r ".$1 | values" 2>/dev/null)
	echo "${_v:-0}"
}
# gstat_is NAME COUNTER WANT: the module counter is WANT now.
gstat_is() {
	echo "$2: $(gstat "$2"), want $3" > "$T/out"
	mcheck "$1" [ "$(gstat "$2")" = "$3" ]
}

# hash_eq A B: two "hash H populated N nonzero M" lines with the same hash
# and nonzero count (populated differs by the zero pages not sent as data).
hash_eq() {
	[ -n "$1" ] && [ "${1%% populated*}" = "${2%% populated*}" ] &&
		[ "${1##* nonzero }" = "${2##* nonzero }" ] && [ "${1#hash }" != "$1" ]
}

# --- Regions (kmig-systest region) ---------------------------------------
# region_start NAME ARGS...: "kmig-systest region ARGS" in the background,
# log in $T/NAME.log; sets RPID and RID. Fails when no id shows up.
region_start() {
	_name=$1; shift
	rm -f "$T/$_name.log"
	"$SYSTEST" region "$@" > "$T/$_name.log" 2>&1 &
	RPID=$!
	wait_until 120 sh -c "grep -q '^id ' '$T/$_name.log' || ! kill -0 $RPID" 2>/dev/null
	RID=$(sed -n 's/^id //p' "$T/$_name.log" 2>/dev/null)
	[ -n "$RID" ] && return 0
	cp "$T/$_name.log" "$T/out" 2>/dev/null
	region_stop "$RPID"
	return 1
}

# region_hash PID FILE: ask the region process for its content hash
# (SIGUSR1), wait for FILE ("hash H populated N nonzero M"), print it.
region_hash() {
	rm -f "$2"
	kill -USR1 "$1" || return 1
	wait_until 120 test -s "$2"
	cat "$2" 2>/dev/null
	grep -q '^hash ' "$2" 2>/dev/null
}

region_stop() {
	kill "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	return 0
}

# pair_start TAG SIZE SOURCE-ARGS...: a source region (SIZE MiB, ARGS,
# hash in $T/src.hash) and an empty destination (hash in $T/dst.hash);
# sets _spid _sid _dpid _did. notok (and nothing left) when one fails.
pair_start() {
	_pt=$1 _ps=$2; shift 2
	region_start src --size "$_ps" "$@" --out "$T/src.hash" ||
		{ notok "$_pt: source region"; return 1; }
	_spid=$RPID _sid=$RID
	region_start dst --size "$_ps" --out "$T/dst.hash" ||
		{ notok "$_pt: destination region"; region_stop "$_spid"; return 1; }
	_dpid=$RPID _did=$RID
}
pair_stop() { region_stop "$_spid"; region_stop "$_dpid"; }
# pair_listen TAG NAME ARGS...: mig_listen ARGS on _did; else notok NAME
# and pair_stop.
pair_listen() {
	_pt=$1 _pn=$2; shift 2
	mig_listen "$_did" "$@" && return 0
	notok "$_pt: $_pn"; pair_stop; return 1
}
# pair_hash NAME [NONZERO]: destination content = source content (and
# NONZERO non-zero pages).
pair_hash() {
	pair_hashes
	mcheck "$1" pair_same "$_sh" "$_dh" "$2"
}
# pair_hashes: both hashes in _sh and _dh, and in $T/out.
pair_hashes() {
	_sh=$(region_hash "$_spid" "$T/src.hash"); _dh=$(region_hash "$_dpid" "$T/dst.hash")
	{ echo "source:      $_sh"; echo "destination: $_dh"; } > "$T/out"
}
pair_same() { hash_eq "$1" "$2" && { [ -z "$3" ] || [ "${1##* nonzero }" = "$3" ]; }; }

# --- Migrations (migctl) -------------------------------------------------
# Run a destination-side command in the destination's network namespace.
dst_run() {
	if [ -n "$MIG_DST_NS" ]; then
		nsenter -t "$MIG_DST_NS" -n "$@"
	else
		"$@"
	fi
}

# mig_get src|dst ID: status JSON of region ID's migration in
# $T/mig-SIDE.json, loaded for mjv; channel count in MCH.
mig_get() {
	dst_run_if "$1" "$MIGCTL" status --region "$2" --json > "$T/mig-$1.json" 2> "$T/err"
	mj_load "$T/mig-$1.json"
	MCH=$(mjv channel)
	MCH=${MCH:-0}
}
# dst_run_if SIDE CMD...: CMD, with dst_run on the destination side.
dst_run_if() { if [ "$1" = dst ]; then shift; dst_run "$@"; else shift; "$@"; fi; }

# mig_reason src|dst: the reason of the last mig_get of that side.
mig_reason() { jf "$T/mig-$1.json" '.reason // empty'; }
# mig_reason_has src|dst TEXT: ... has TEXT (any case); reason_is SIDE
# ERE: ... matches ERE; failed_with SIDE ERE: state failed and that.
mig_reason_has() { mig_reason "$1" | grep -qiF "$2"; }
reason_is() { mig_reason "$1" | grep -qE "$2"; }
failed_with() { [ "$(jf "$T/mig-$1.json" .state)" = failed ] && reason_is "$1" "$2"; }

# mig_wait src|dst ID STATES SECONDS: poll until the state is one of STATES.
mig_in_state() {
	mig_get "$1" "$2"
	case " $3 " in *" $(mjv state) "*) return 0 ;; esac
	return 1
}
mig_wait() { wait_until "$4" mig_in_state "$1" "$2" "$3"; }
# mig_end SIDE ID STATE NAME [SECONDS]: wait (30 s) until the migration
# ended; NAME passes when it is STATE. The JSON is in $T/out.
mig_end() {
	mig_wait "$1" "$2" "completed failed cancelled" "${5:-30}"
	cp "$T/mig-$1.json" "$T/out"
	mcheck "$4" [ "$(mjv state)" = "$3" ]
}

# mig_field_is src|dst ID KEY VALUE: a fresh mig_get has KEY = VALUE.
mig_field_is() { mig_get "$1" "$2" && [ "$(mjv "$3")" = "$4" ]; }

# mig_ready ID: the source is switchover-ready, or ended (for wait_until).
mig_ready() {
	mig_get src "$1"
	[ "$(mjv switchover_ready)" = 1 ] && return 0
	case $(mjv state) in completed|failed|cancelled) return 0 ;; esac
	return 1
}

# mig_listen ID ARGS...: destination listening on a free port; sets MPORT.
mig_listen() {
	_r=$1; shift
	dst_run "$MIGCTL" listen --region "$_r" --port 0 "$@" --json > "$T/listen.json" 2>&1
	_rc=$?
	MPORT=$(jf "$T/listen.json" '.port | values')
	cp "$T/listen.json" "$T/out"
	[ $_rc -eq 0 ] && [ -n "$MPORT" ] && [ "$MPORT" != 0 ]
}

# mstart NAME RC SECONDS ARGS...: migctl start ARGS --wait (killed after
# SECONDS) exits RC (!0: not 0); its status in _rc, its output in $T/out.
mstart() {
	_mn=$1 _mr=$2 _ms=$3; shift 3
	timeout "$_ms" "$MIGCTL" start "$@" --wait > "$T/start.out" 2>&1
	_rc=$?
	{ cat "$T/start.out"; echo "exit status $_rc"; } > "$T/out"
	if [ "$_mr" = '!0' ]; then mcheck "$_mn" [ $_rc -ne 0 ]; else mcheck "$_mn" [ $_rc -eq "$_mr" ]; fi
}

# mig_cancel_timed SIDE ID TAG WHO: migctl cancel on SIDE; it exits 0, WHO
# (source, destination) is cancelled, within 5 s.
mig_cancel_timed() {
	_t0=$(now_cs)
	dst_run_if "$1" "$MIGCTL" cancel --region "$2" > "$T/out" 2>&1
	_rc=$?
	mig_wait "$1" "$2" "completed failed cancelled" 10
	_t1=$(now_cs)
	{ echo "migctl cancel exit $_rc after $((_t1 - _t0))0 ms"; cat "$T/mig-$1.json"; } > "$T/out"
	echo "# $3: cancelled in $((_t1 - _t0))0 ms"
	mcheck "$3: migctl cancel exits 0" [ $_rc -eq 0 ]
	mcheck "$3: $4 cancelled" [ "$(mjv state)" = cancelled ]
	mcheck "$3: cancelled within 5 s" [ $((_t1 - _t0)) -lt 500 ]
}

# mig_wait_active ID: destination active with pages arriving (for the
# mid-transfer cases), within MIG_TIMEOUT (or SECONDS). Fails when it
# ended first.
mig_active_or_ended() {
	mig_get dst "$1"
	case $(mjv state) in
	active) [ "$(mjv pages_done)" -gt 0 ] 2>/dev/null ;;
	completed|failed|cancelled) return 0 ;;
	*) return 1 ;;
	esac
}
mig_wait_active() {
	wait_until "${2:-$MIG_TIMEOUT}" mig_active_or_ended "$1" && [ "$(mjv state)" = active ]
}

# --- kmig-vmm ------------------------------------------------------------
# vmm_start NAME dest|source ARGS...: kmig-vmm in the background, output in
# $T/NAME.log; waits for its region id (and, for dest, its port). Sets
# VPID, VID and (dest) VPORT.
vmm_start() {
	_vn=$1; shift
	rm -f "$T/$_vn.log" "$T/$_vn.hash"
	# shellcheck disable=SC2086
	"$LIVE_VMM" "$@" $KEYOPT --hash-file "$T/$_vn.hash" > "$T/$_vn.log" 2>&1 &
	VPID=$!
	wait_until 120 vmm_up "$_vn" "$1" && kill -0 "$VPID" 2>/dev/null && return 0
	cp "$T/$_vn.log" "$T/out" 2>/dev/null
	return 1
}
vmm_up() {
	kill -0 "$VPID" 2>/dev/null || return 1
	VID=$(sed -n 's/^id //p' "$T/$1.log" 2>/dev/null)
	VPORT=$(sed -n 's/^port //p' "$T/$1.log" 2>/dev/null)
	[ -n "$VID" ] && { [ "$2" = source ] || [ -n "$VPORT" ]; }
}
# vmm_dst TAG NAME ARGS...: a kmig-vmm dest (_dpid _did _port); vmm_src
# TAG NAME ARGS...: a kmig-vmm source to it (_spid _sid). notok when it
# does not come up.
vmm_dst() {
	_vt=$1 _vd=$2; shift 2
	vmm_start "$_vd" dest "$@" || { notok "$_vt: kmig-vmm dest"; return 1; }
	_dpid=$VPID _did=$VID _port=$VPORT
}
vmm_src() {
	_vt=$1 _vs=$2; shift 2
	vmm_start "$_vs" source "$@" || { notok "$_vt: kmig-vmm source"; vmm_wait "$_dpid" 1; return 1; }
	_spid=$VPID _sid=$VID
}

# vmm_wait PID SECONDS: wait for kmig-vmm to exit (killed after SECONDS);
# sets VRC to its exit status (137 or so when killed).
vmm_wait() {
	wait_until "$2" sh -c "! kill -0 $1" 2>/dev/null
	kill -9 "$1" 2>/dev/null
	wait "$1"; VRC=$?
}
# vmm_done SRC DST SECONDS [DST-SECONDS]: wait for both (_spid, _dpid):
# _src, _drc their statuses, both logs in $T/out.
vmm_done() {
	vmm_wait "$_spid" "$3"; _src=$VRC
	vmm_wait "$_dpid" "${4:-30}"; _drc=$VRC
	{ cat "$T/$1.log"; echo "exit $_src"; cat "$T/$2.log"; echo "exit $_drc"; } > "$T/out"
}
# vmm_hash_eq NAME SRC DST: their hash files say the same.
vmm_hash_eq() {
	_sh=$(cat "$T/$2.hash" 2>/dev/null) _dh=$(cat "$T/$3.hash" 2>/dev/null)
	{ echo "source at pause: $_sh"; echo "destination:     $_dh"; } > "$T/out"
	mcheck "$1" hash_eq "$_sh" "$_dh"
}
# vmm_writes_on NAME LOG: the writers went on after the end (summary
# writes < resumed writes).
vmm_writes_on() {
	_w0=$(sed -n 's/^summary .* writes=\([0-9]*\)$/\1/p' "$T/$2.log")
	_w1=$(sed -n 's/^resumed writes=\([0-9]*\)$/\1/p' "$T/$2.log")
	fc "$1 (writes $_w0 -> $_w1)" '[ -n "$_w0" ] && [ -n "$_w1" ] && [ "$_w1" -gt "$_w0" ]'
}

# log_wait FILE EREGEX SECONDS: until a line of FILE matches.
log_wait() { wait_until "$3" grep -qE "$2" "$1" 2>/dev/null; }
# show PREFIX FILE EREGEX: FILE's lines matching EREGEX as '# PREFIX: ...'.
show() { grep -E "$3" "$2" | sed "s/^/# $1: /"; }
