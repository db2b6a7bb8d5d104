# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# Live migration system tests, sourced by tests/system/run-tests.sh after
# migration-cases.sh (POSIX sh: dash in UML, busybox ash in the Debian 6.1
# initramfs). Uses run-tests.sh's ok, notok, sysfs, jsq, $MIGCTL, $T and
# migration-cases.sh's helpers (mcheck, mig_get, mjv, mig_wait, mig_listen,
# region_start, region_hash, region_stop) and lib.sh (wait_until, mjv,
# mark, klog_clean).
# The guests are tools/example-vmm's kmig-vmm (source: writer threads
# standing in for vCPUs, switchover on switchover-ready; destination:
# listen, hash on completion), or kmig-systest regions driven by migctl.
#
# Every case is made deterministic by a bandwidth limit (--max-bandwidth),
# not by the machine's speed: a pass lasts at least its bytes over the
# limit, long enough to look at the status while it runs, and
# convergence is either certain (writes far below the limit) or
# impossible (a 1 ms downtime limit with writers running).
#
# Functions (each prints TAP lines through ok/notok):
#   live_converge CHANNELS       writers well below the bandwidth: completes,
#                                source hash at the pause = destination's,
#                                passes >= 2, downtime sane, live status
#                                fields, monitor event order
#   live_no_converge switchover|pause
#                                writers far above a 1 ms limit: never
#                                ready; forced by --max-passes 3
#                                --no-convergence switchover, or by the
#                                VMM pausing at pass 2 itself; byte-identical
#   live_cancel_vmm              kmig-vmm --no-switchover cancelled in pass 2:
#                                source cancelled, destination failed, the
#                                VMM's writers go on
#   live_cancel_region           migctl start --live on a kmig-systest
#                                region cancelled mid-pass 0: source region
#                                unchanged, destination failed
#   live_write_resent            sequential writer over a small region, long
#                                passes: every page is resent, hash equal
#   live_idle                    no writes at all: pass-done 0 and
#                                switchover-ready come; pages pushed by
#                                'migctl dirty-push' are resent once;
#                                switchover completes
# (A QEMU guest's live migration is in vm-cases.sh.)
#
# Sizes and knobs, overridable before sourcing (deb61: smaller):
: "${LIVE_SIZE_MB:=64}"	# live_converge region
: "${LIVE_RANDOM:=8192}"	# random pages filled in live_converge
: "${LIVE_ZERO:=2048}"		# zero pages filled in live_converge
: "${LIVE_BW:=8M}"		# live_converge bandwidth limit (pass 0 >= 4 s)
: "${LIVE_TIMEOUT:=300}"	# seconds for one live migration
: "${LIVE_VMM:=$BIN/../../tools/example-vmm/kmig-vmm}"
LIVE_ADDR=127.0.0.1

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

# vmm_up NAME dest|source: VID (and VPORT) in its log, or VPID gone.
vmm_up() {
	kill -0 "$VPID" 2>/dev/null || return 1
	VID=$(sed -n 's/^id //p' "$T/$1.log" 2>/dev/null)
	VPORT=$(sed -n 's/^port //p' "$T/$1.log" 2>/dev/null)
	[ -n "$VID" ] && { [ "$2" = source ] || [ -n "$VPORT" ]; }
}

# vmm_wait PID SECONDS: wait for kmig-vmm to exit (killed after SECONDS);
# sets VRC to its exit status (137 or so when killed).
vmm_wait() {
	wait_until "$2" sh -c "! kill -0 $1" 2>/dev/null
	kill -9 "$1" 2>/dev/null
	wait "$1"; VRC=$?
}

# log_wait FILE EREGEX SECONDS: until a line of FILE matches.
log_wait() { wait_until "$3" grep -qE "$2" "$1" 2>/dev/null; }

# hash_eq A B: two "hash H populated N nonzero M" lines with the same hash
# and nonzero count (populated differs by the zero pages not sent as data).
hash_eq() {
	[ -n "$1" ] && [ "${1%% populated*}" = "${2%% populated*}" ] &&
		[ "${1##* nonzero }" = "${2##* nonzero }" ] && [ "${1#hash }" != "$1" ]
}

# mon_start: migctl monitor --json (every region) in the background, output
# in $T/mon.json; sets MONPID. Returns once it is subscribed: a probe
# region is made to listen and is cancelled until the monitor shows it.
mon_start() {
	rm -f "$T/mon.json"
	"$MIGCTL" monitor --json > "$T/mon.json" 2> "$T/mon.err" &
	MONPID=$!
	region_start probe --size 4 || return 1
	_ppid=$RPID _prid=$RID
	wait_until 30 mon_probe "$_prid"; _rc=$?
	region_stop "$_ppid"
	return $_rc
}

# mon_probe REGION: listen and cancel on REGION; the monitor saw it.
mon_probe() {
	# shellcheck disable=SC2086
	mig_listen "$1" --channels 1 $KEYOPT > /dev/null 2>&1
	"$MIGCTL" cancel --region "$1" > /dev/null 2>&1
	sleep 0.2
	mon_events "$1" | grep -q .
}

# mon_wait REGION EVENT/STATE SECONDS: until the monitor saw it.
mon_saw() { mon_events "$1" | grep -qx "$2"; }
mon_wait() { wait_until "$3" mon_saw "$1" "$2"; }

mon_stop() { kill "$MONPID" 2>/dev/null; wait "$MONPID" 2>/dev/null; }

# mon_events REGION: the events of REGION seen by the monitor, one line
# each: "EVENT/STATE".
mon_events() {
	tr -d ' \t' < "$T/mon.json" 2>/dev/null | grep "\"region_id\":$1[,}]" |
		awk '{ e = $0; sub(/.*"event":"/, "", e); sub(/".*/, "", e)
		       s = $0; sub(/.*"state":"/, "", s); sub(/".*/, "", s); print e "/" s }'
}

# mon_last REGION EVENT: the last EVENT of REGION (JSON without blanks) in
# $T/mon-last.json, loaded for mjv (mj_load).
mon_last() {
	tr -d ' \t' < "$T/mon.json" | grep "\"region_id\":$1[,}]" |
		grep "\"event\":\"$2\"" | tail -1 > "$T/mon-last.json"
	mj_load "$T/mon-last.json"
	[ -s "$MJF" ]
}

# live_converge CHANNELS
live_converge() {
	_ch=$1 _tag="live migration, $1 channel(s), writers below the bandwidth"
	mark "lc$_ch"
	cp /dev/null "$T/out"
	mcheck "$_tag: migctl monitor --json subscribed" mon_start
	if ! vmm_start ldst dest --size "$LIVE_SIZE_MB" --port 0 --addr "$LIVE_ADDR" --channels "$_ch"; then
		notok "$_tag: kmig-vmm dest listening"; mon_stop; return 1
	fi
	_dpid=$VPID _did=$VID _port=$VPORT
	# The monitor is subscribed once it saw the destination's listening.
	mon_wait "$_did" state/listening 30
	_rc=$?
	{ cat "$T/mon.json" "$T/mon.err"; } > "$T/out"
	mcheck "$_tag: monitor sees the destination listening" [ $_rc -eq 0 ]
	if ! vmm_start lsrc source --size "$LIVE_SIZE_MB" --to "$LIVE_ADDR:$_port" \
	     --fill-random "$LIVE_RANDOM" --fill-zero "$LIVE_ZERO" --seed "$((_ch + 40))" \
	     --channels "$_ch" --writers 2 --rate 200 --pattern hot:10 \
	     --max-bandwidth "$(bw_bytes "$LIVE_BW")" --exit; then
		notok "$_tag: kmig-vmm source"; vmm_wait "$_dpid" 1; mon_stop; return 1
	fi
	_spid=$VPID _sid=$VID
	# Pass 0 takes >= 3 s (bandwidth limit): the status while it runs.
	mon_wait "$_sid" state/active 60
	mig_get src "$_sid"
	cp "$T/mig-src.json" "$T/out"
	_v=no
	[ "$(mjv state)" = active ] && [ "$(mjv live)" = true ] && [ "$(mjv downtime_limit_ms)" = 300 ] &&
		[ "$(mjv max_bandwidth)" = "$(bw_bytes "$LIVE_BW")" ] && [ "$(mjv switchover_ready)" = 0 ] &&
		[ "$(mjv pass)" = 0 ] && [ -n "$(mjv expected_downtime_ns)" ] && [ -n "$(mjv dirty_syncs)" ] && _v=yes
	mcheck "$_tag: migctl status during pass 0: active, live, limit 300 ms, bandwidth, pass 0, not ready" \
		[ $_v = yes ]
	# Documentation/kmig/netlink.rst: U64_MAX while no bandwidth is known.
	mcheck "$_tag: expected_downtime_ns during pass 0 is U64_MAX (no bandwidth measured yet)" \
		grep -qE '"expected_downtime_ns": *18446744073709551615[,} ]' "$MJF"
	"$MIGCTL" status --region "$_sid" > "$T/out" 2>&1
	_v=no
	grep -q '^ *Live:' "$T/out" && grep -q '^ *Pass:' "$T/out" && grep -q '^ *Switchover ready:' "$T/out" && _v=yes
	mcheck "$_tag: migctl status text has Live, Pass, Switchover ready lines" [ $_v = yes ]
	grep -E '^ *(Live|Pass|Expected downtime):' "$T/out" | sed 's/^ */# status: /'
	vmm_wait "$_spid" "$LIVE_TIMEOUT"; _src=$VRC
	vmm_wait "$_dpid" 30; _drc=$VRC
	sleep 0.5
	mon_stop
	{ cat "$T/lsrc.log"; echo "exit $_src"; cat "$T/ldst.log"; echo "exit $_drc"; } > "$T/out"
	grep -E '^(summary|switchover)' "$T/lsrc.log" | sed 's/^/# source: /'
	mcheck "$_tag: source and destination kmig-vmm exit 0 (completed)" [ "$_src/$_drc" = 0/0 ]
	_sh=$(cat "$T/lsrc.hash" 2>/dev/null) _dh=$(cat "$T/ldst.hash" 2>/dev/null)
	{ echo "source at pause: $_sh"; echo "destination:     $_dh"; } > "$T/out"
	echo "# $_tag: source $_sh; destination $_dh"
	mcheck "$_tag: destination content = source content at the pause" hash_eq "$_sh" "$_dh"
	mon_events "$_sid" > "$T/seq"
	{ echo "events of region $_sid:"; cat "$T/seq"; } > "$T/out"
	echo "# $_tag: source events: $(uniq -c < "$T/seq" | awk '{ printf "%s%s", sep, ($1 > 1 ? $2 " x" $1 : $2); sep = ", " }')"
	_v=no
	tr '\n' ' ' < "$T/seq" | grep -qE '^state/setup state/active (pass-done/active )+switchover-ready/active (pass-done/active )*completed/completed $' && _v=yes
	mcheck "$_tag: monitor: setup, active, pass-done(s), switchover-ready, completed, in order" [ $_v = yes ]
	_v=no
	mon_last "$_did" state && mon_last "$_did" completed && _v=yes
	mcheck "$_tag: monitor: destination state and completed events" [ $_v = yes ]
	if mon_last "$_sid" completed; then
		cp "$MJF" "$T/out"
		_p=$(mjv passes) _dt=$(mjv downtime_ns)
		echo "# $_tag: passes $_p, downtime $((${_dt:-0} / 1000)) us, dirty syncs $(mjv dirty_syncs)"
		mcheck "$_tag: passes >= 2 (pass 0 and the final one)" [ "${_p:-0}" -ge 2 ]
		_v=no; [ "${_dt:-0}" -gt 0 ] && [ "${_dt:-0}" -lt 10000000000 ] && _v=yes
		mcheck "$_tag: downtime > 0 and < 10 s" [ $_v = yes ]
		mcheck "$_tag: completed status: live, switchover_ready 1" \
			[ "$(mjv live)/$(mjv switchover_ready)" = true/1 ]
		_sent=$(($(mjv normal_pages) + $(mjv zero_pages)))
		mcheck "$_tag: pages sent ($_sent) >= pages filled ($((LIVE_RANDOM + LIVE_ZERO)))" \
			[ "$_sent" -ge $((LIVE_RANDOM + LIVE_ZERO)) ]
	else
		cp "$T/mon.json" "$T/out"
		notok "$_tag: monitor saw the source's completed event"
	fi
	_s=$(sed -n 's/^summary .* passes=\([0-9]*\) downtime-ms=\([0-9.]*\).*/\1 \2/p' "$T/lsrc.log")
	cp "$T/lsrc.log" "$T/out"
	mcheck "$_tag: kmig-vmm summary: completed, passes, downtime ($_s)" \
		grep -qE '^summary result=completed passes=([2-9]|[1-9][0-9]+) downtime-ms=[0-9]' "$T/lsrc.log"
	mcheck "$_tag: kernel log clean" klog_clean "lc$_ch"
}

# bw_bytes RATE: 32M -> bytes per second.
bw_bytes() {
	case $1 in
	*K) echo $((${1%K} * 1024)) ;;
	*M) echo $((${1%M} * 1048576)) ;;
	*G) echo $((${1%G} * 1073741824)) ;;
	*) echo "$1" ;;
	esac
}

# live_no_converge switchover|pause: 64 MiB, 1024 random pages, one writer
# at 1000 pages/s over the hot 10 % (1638 pages), 2 MiB/s and a 1 ms
# downtime limit: the expected downtime of any pass that left a dirty
# page is >= 2 ms, so the migration cannot converge. switchover: with
# --max-passes 3 --no-convergence switchover, switchover-ready comes after
# pass-done 2 only; pause: the VMM pauses on pass-done 2 itself and no
# switchover-ready ever comes. Either way the copy is byte-identical.
live_no_converge() {
	_how=$1 _tag="live migration, no convergence, forced switchover ($1)"
	mark "nc$_how"
	if [ "$_how" = switchover ]; then
		set -- --max-passes 3 --no-convergence switchover
	else
		set -- --pause-on-pass 2
	fi
	if ! vmm_start ncdst dest --size 64 --port 0 --addr "$LIVE_ADDR" --channels 2; then
		notok "$_tag: kmig-vmm dest"; return 1
	fi
	_dpid=$VPID _port=$VPORT
	if ! vmm_start ncsrc source --size 64 --to "$LIVE_ADDR:$_port" --fill-random 1024 \
	     --seed 7 --channels 2 --writers 1 --rate 1000 --pattern hot:10 \
	     --max-bandwidth 2097152 --downtime-limit 1 --exit "$@"; then
		notok "$_tag: kmig-vmm source"; vmm_wait "$_dpid" 1; return 1
	fi
	_spid=$VPID _sid=$VID
	# After pass-done 0 the next ready point is pass-done 2, >= 2 passes away.
	log_wait "$T/ncsrc.log" '^event pass-done .* pass=0 ' 120
	mig_get src "$_sid"
	{ cat "$T/ncsrc.log"; cat "$T/mig-src.json"; } > "$T/out"
	_e=$(mjv expected_downtime_ns)
	echo "# $_tag: after pass 0: expected downtime $((${_e:-0} / 1000)) us, dirty rate $(mjv dirty_rate) pages/s"
	_v=no
	[ "$(mjv state)" = active ] && [ "$(mjv switchover_ready)" = 0 ] && [ "$(mjv downtime_limit_ms)" = 1 ] &&
		[ -n "$_e" ] && [ "${#_e}" -lt 19 ] && [ "$_e" -gt 1000000 ] && _v=yes
	mcheck "$_tag: status after pass 0: expected downtime > 1 ms limit, switchover_ready 0" [ $_v = yes ]
	vmm_wait "$_spid" "$LIVE_TIMEOUT"; _src=$VRC
	vmm_wait "$_dpid" 30; _drc=$VRC
	{ cat "$T/ncsrc.log"; echo "exit $_src"; cat "$T/ncdst.log"; echo "exit $_drc"; } > "$T/out"
	grep -E '^(event switchover-ready|switchover|summary)' "$T/ncsrc.log" | sed 's/^/# source: /'
	mcheck "$_tag: source and destination kmig-vmm exit 0 (completed)" [ "$_src/$_drc" = 0/0 ]
	# The passes announced before the switchover-ready (or the pause).
	_first=$(grep -nE '^(event|status) switchover-ready' "$T/ncsrc.log" | head -1 | cut -d: -f1)
	if [ "$_how" = switchover ]; then
		_v=no
		[ -n "$_first" ] &&
			head -n "$_first" "$T/ncsrc.log" | tail -1 | grep -qE ' pass=2 ' &&
			head -n "$_first" "$T/ncsrc.log" | grep -qE '^event pass-done .* pass=2 ' && _v=yes
		mcheck "$_tag: switchover-ready only after pass-done 2 (max-passes 3)" [ $_v = yes ]
		_v=no
		[ -n "$_first" ] && head -n "$_first" "$T/ncsrc.log" | tail -1 |
			awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^expected-downtime-ms=/) { split($i, a, "="); exit !(a[2] > 1) } exit 1 }' &&
			_v=yes
		mcheck "$_tag: switchover-ready with expected downtime > 1 ms" [ $_v = yes ]
	else
		mcheck "$_tag: no switchover-ready at all" [ -z "$_first" ]
		mcheck "$_tag: the VMM paused on pass-done 2" grep -qE '^switchover sent' "$T/ncsrc.log"
	fi
	_sh=$(cat "$T/ncsrc.hash" 2>/dev/null) _dh=$(cat "$T/ncdst.hash" 2>/dev/null)
	{ echo "source at pause: $_sh"; echo "destination:     $_dh"; } > "$T/out"
	mcheck "$_tag: destination content = source content at the pause" hash_eq "$_sh" "$_dh"
	_s=$(sed -n 's/^summary .* passes=\([0-9]*\) downtime-ms=\([0-9.]*\).*/passes \1, downtime \2 ms/p' "$T/ncsrc.log")
	echo "# $_tag: $_s"
	cp "$T/ncsrc.log" "$T/out"
	mcheck "$_tag: passes >= 4 and downtime > 0" \
		grep -qE '^summary result=completed passes=([4-9]|[1-9][0-9]+) downtime-ms=([1-9][0-9]*\.|0\.0*[1-9])' "$T/ncsrc.log"
	mcheck "$_tag: kernel log clean" klog_clean "nc$_how"
}

# live_cancel_vmm: kmig-vmm --no-switchover (2 writers, 500 pages/s) at
# 4 MiB/s, cancelled with migctl while pass 2 runs: the source is
# cancelled (kmig-vmm sees the cancelled event, exits 1, its writers write
# on), the destination fails.
live_cancel_vmm() {
	_tag="live migration cancelled on the source mid-pass (kmig-vmm)"
	mark "cv"
	if ! vmm_start cvdst dest --size 64 --port 0 --addr "$LIVE_ADDR" --channels 2; then
		notok "$_tag: kmig-vmm dest"; return 1
	fi
	_dpid=$VPID _did=$VID _port=$VPORT
	if ! vmm_start cvsrc source --size 64 --to "$LIVE_ADDR:$_port" --fill-random 4096 \
	     --seed 9 --channels 2 --writers 2 --rate 500 --pattern random \
	     --max-bandwidth 4194304 --no-switchover --resume; then
		notok "$_tag: kmig-vmm source"; vmm_wait "$_dpid" 1; return 1
	fi
	_spid=$VPID _sid=$VID
	log_wait "$T/cvsrc.log" '^(event|status) pass-done .* pass=1 ' 120
	mig_get src "$_sid"
	{ cat "$T/cvsrc.log"; cat "$T/mig-src.json"; } > "$T/out"
	mcheck "$_tag: source active after pass-done 1" [ "$(mjv state)" = active ]
	_p=$(mjv pass)
	"$MIGCTL" cancel --region "$_sid" > "$T/out" 2>&1
	mcheck "$_tag: migctl cancel exits 0 (in pass $_p)" [ $? -eq 0 ]
	vmm_wait "$_spid" 60; _src=$VRC
	vmm_wait "$_dpid" 60; _drc=$VRC
	{ cat "$T/cvsrc.log"; echo "exit $_src"; cat "$T/cvdst.log"; echo "exit $_drc"; } > "$T/out"
	grep -E '^(event cancelled|summary|resumed)' "$T/cvsrc.log" | sed 's/^/# source: /'
	grep -E '^(event failed|summary)' "$T/cvdst.log" | sed 's/^/# destination: /'
	mcheck "$_tag: source cancelled event" grep -qE "^(event|status) cancelled region=$_sid state=cancelled" "$T/cvsrc.log"
	mcheck "$_tag: no switchover" sh -c "! grep -q '^switchover' '$T/cvsrc.log'"
	mcheck "$_tag: kmig-vmm source: summary result=cancelled, exit 1" \
		sh -c "grep -q '^summary result=cancelled' '$T/cvsrc.log' && [ $_src = 1 ]"
	_w0=$(sed -n 's/^summary .* writes=\([0-9]*\)$/\1/p' "$T/cvsrc.log")
	_w1=$(sed -n 's/^resumed writes=\([0-9]*\)$/\1/p' "$T/cvsrc.log")
	_v=no; [ -n "$_w0" ] && [ -n "$_w1" ] && [ "$_w1" -gt "$_w0" ] && _v=yes
	mcheck "$_tag: the writers go on after the cancel (writes $_w0 -> $_w1)" [ $_v = yes ]
	mcheck "$_tag: destination failed, kmig-vmm dest exits 1" \
		sh -c "grep -qE '^(event|status) failed region=$_did state=failed' '$T/cvdst.log' && [ $_drc = 1 ]"
	mcheck "$_tag: kernel log clean" klog_clean "cv"
}

# live_cancel_region: a kmig-systest region (no writer) live-migrated by
# migctl start --live at 1 MiB/s, cancelled while pass 0 runs: source
# cancelled, its content unchanged (the migration never writes the
# source), destination failed.
live_cancel_region() {
	_tag="live migration cancelled on the source mid-pass 0 (migctl)"
	mark "cr"
	region_start src --size 64 --random 4096 --zero 1024 --seed 11 --out "$T/src.hash" ||
		{ notok "$_tag: source region"; return 1; }
	_spid=$RPID _sid=$RID
	_h0=$(region_hash "$_spid" "$T/src.hash")
	_pop0=$(sysfs "regions/$_sid/populated_pages")
	region_start dst --size 64 --out "$T/dst.hash" ||
		{ notok "$_tag: destination region"; region_stop "$_spid"; return 1; }
	_dpid=$RPID _did=$RID
	if ! mig_listen "$_did" --channels 2 $KEYOPT; then
		notok "$_tag: listen"; region_stop "$_spid"; region_stop "$_dpid"; return 1
	fi
	"$MIGCTL" start --region "$_sid" --to "$LIVE_ADDR:$MPORT" --channels 2 $KEYOPT --live \
		--max-bandwidth 1M > "$T/out" 2>&1
	mcheck "$_tag: migctl start --live" [ $? -eq 0 ]
	mig_wait_active "$_did"
	mig_get src "$_sid"
	cp "$T/mig-src.json" "$T/out"
	mcheck "$_tag: source active in pass 0, pages going out" \
		[ "$(mjv state)/$(mjv pass)/$(mjv live)" = active/0/true ]
	"$MIGCTL" cancel --region "$_sid" > "$T/out" 2>&1
	mcheck "$_tag: migctl cancel exits 0" [ $? -eq 0 ]
	mig_wait src "$_sid" "completed failed cancelled" 10
	cp "$T/mig-src.json" "$T/out"
	mcheck "$_tag: source cancelled" [ "$(mjv state)" = cancelled ]
	mig_wait dst "$_did" "completed failed cancelled" 30
	cp "$T/mig-dst.json" "$T/out"
	mcheck "$_tag: destination failed" [ "$(mjv state)" = failed ]
	_h1=$(region_hash "$_spid" "$T/src.hash")
	_pop1=$(sysfs "regions/$_sid/populated_pages")
	{ echo "before: $_h0 ($_pop0)"; echo "after:  $_h1 ($_pop1)"; } > "$T/out"
	_v=no; [ -n "$_h0" ] && [ "$_h0" = "$_h1" ] && [ "$_pop0" = "$_pop1" ] && _v=yes
	mcheck "$_tag: source region unchanged (content, populated pages)" [ $_v = yes ]
	# Dirty tracking is off again: the owner writes freely afterwards.
	region_stop "$_spid"
	region_stop "$_dpid"
	mcheck "$_tag: kernel log clean" klog_clean "cr"
}

# live_write_resent: an 8 MiB region (2048 pages, 1024 filled), one writer
# going round it sequentially at 1000 pages/s, 4 MiB/s: every pass is
# written over while it is sent; --max-passes 3 --no-convergence
# switchover. The copy is byte-identical and more pages were sent than the
# region has (every written page went again).
live_write_resent() {
	_tag="live migration, pages written during a pass are resent"
	mark "wr"
	cp /dev/null "$T/out"
	mcheck "$_tag: migctl monitor --json subscribed" mon_start
	if ! vmm_start wrdst dest --size 8 --port 0 --addr "$LIVE_ADDR" --channels 2; then
		notok "$_tag: kmig-vmm dest"; mon_stop; return 1
	fi
	_dpid=$VPID _did=$VID _port=$VPORT
	if ! vmm_start wrsrc source --size 8 --to "$LIVE_ADDR:$_port" --fill-random 1024 \
	     --seed 13 --channels 2 --writers 1 --rate 1000 --pattern sequential \
	     --max-bandwidth 4194304 --max-passes 3 --no-convergence switchover --exit; then
		notok "$_tag: kmig-vmm source"; vmm_wait "$_dpid" 1; mon_stop; return 1
	fi
	_spid=$VPID _sid=$VID
	vmm_wait "$_spid" "$LIVE_TIMEOUT"; _src=$VRC
	vmm_wait "$_dpid" 30; _drc=$VRC
	sleep 0.5
	mon_stop
	{ cat "$T/wrsrc.log"; echo "exit $_src"; cat "$T/wrdst.log"; echo "exit $_drc"; } > "$T/out"
	mcheck "$_tag: source and destination kmig-vmm exit 0 (completed)" [ "$_src/$_drc" = 0/0 ]
	_sh=$(cat "$T/wrsrc.hash" 2>/dev/null) _dh=$(cat "$T/wrdst.hash" 2>/dev/null)
	{ echo "source at pause: $_sh"; echo "destination:     $_dh"; } > "$T/out"
	mcheck "$_tag: destination content = source content at the pause" hash_eq "$_sh" "$_dh"
	if mon_last "$_sid" completed; then
		cp "$MJF" "$T/out"
		_sent=$(($(mjv normal_pages) + $(mjv zero_pages)))
		echo "# $_tag: $_sent pages sent in $(mjv passes) passes for a 2048-page region"
		mcheck "$_tag: pages sent ($_sent) > pages of the region (2048)" [ "$_sent" -gt 2048 ]
		mcheck "$_tag: pages_done = pages sent" [ "$(mjv pages_done)" = "$_sent" ]
	else
		cp "$T/mon.json" "$T/out"
		notok "$_tag: monitor saw the source's completed event"
	fi
	mcheck "$_tag: kernel log clean" klog_clean "wr"
}

# live_idle: a live migration of a region nobody writes (kmig-systest, by
# migctl): pass 0 ends with pass-done, its expected downtime (nothing
# dirty) is within the limit, so switchover-ready comes; migctl switchover
# completes it, byte-identical.
live_idle() {
	_tag="live migration of an idle region"
	mark "idle"
	region_start src --size 64 --random 2048 --zero 512 --seed 17 --out "$T/src.hash" ||
		{ notok "$_tag: source region"; return 1; }
	_spid=$RPID _sid=$RID
	region_start dst --size 64 --out "$T/dst.hash" ||
		{ notok "$_tag: destination region"; region_stop "$_spid"; return 1; }
	_dpid=$RPID _did=$RID
	if ! mig_listen "$_did" --channels 2 $KEYOPT; then
		notok "$_tag: listen"; region_stop "$_spid"; region_stop "$_dpid"; return 1
	fi
	"$MIGCTL" start --region "$_sid" --to "$LIVE_ADDR:$MPORT" --channels 2 $KEYOPT --live > "$T/out" 2>&1
	mcheck "$_tag: migctl start --live" [ $? -eq 0 ]
	_t0=$(now_cs)
	wait_until 30 mig_ready "$_sid"
	cp "$T/mig-src.json" "$T/out"
	echo "# $_tag: after $((($(now_cs) - _t0) / 100)) s: state $(mjv state), passes $(mjv passes), pass $(mjv pass), dirty syncs $(mjv dirty_syncs), switchover_ready $(mjv switchover_ready)"
	mcheck "$_tag: pass 0 done (passes >= 1)" [ "$(mjv passes)" -ge 1 ]
	mcheck "$_tag: switchover-ready within 30 s" [ "$(mjv switchover_ready)" = 1 ]
	live_dirty_push "$_tag" "$_sid" "$_did" 16384 2560
	timeout 60 "$MIGCTL" switchover --region "$_sid" --wait > "$T/out" 2>&1
	_rc=$?
	mig_get src "$_sid"
	{ echo "exit status $_rc"; cat "$T/mig-src.json"; } >> "$T/out"
	mcheck "$_tag: migctl switchover --wait exits 0" [ $_rc -eq 0 ]
	if [ "$(mjv state)" != completed ]; then
		"$MIGCTL" cancel --region "$_sid" > /dev/null 2>&1
		dst_run "$MIGCTL" cancel --region "$_did" > /dev/null 2>&1
	fi
	mig_wait dst "$_did" "completed failed cancelled" 30
	cp "$T/mig-dst.json" "$T/out"
	mcheck "$_tag: destination completed" [ "$(mjv state)" = completed ]
	_sh=$(region_hash "$_spid" "$T/src.hash"); _dh=$(region_hash "$_dpid" "$T/dst.hash")
	{ echo "$_sh"; echo "$_dh"; } > "$T/out"
	mcheck "$_tag: destination content = source content" hash_eq "$_sh" "$_dh"
	region_stop "$_spid"
	region_stop "$_dpid"
	mcheck "$_tag: kernel log clean" klog_clean "idle"
}

# live_done_ge SRC N: source pages_done >= N.
live_done_ge() { mig_get src "$1" && [ "$(mjv pages_done)" -ge "$2" ] 2>/dev/null; }

# live_dirty_push TAG SRC DST NPAGES POPULATED: on the idle live migration
# of region SRC (NPAGES pages, POPULATED of them populated; DST is the
# destination), the VMM-pushed dirty bitmap (mig-dirty-push, through
# 'migctl dirty-push'): pushing every page resends exactly the populated
# ones in the next pass and nothing after it; a page past the end and a
# region without dirty tracking are refused with their reason.
live_dirty_push() {
	mig_get src "$2"
	_pd0=$(mjv pages_done) _ps0=$(mjv passes)
	"$MIGCTL" dirty-push --region "$2" --pages "0-$(($4 - 1))" > "$T/out" 2>&1
	mcheck "$1: dirty-push of all $4 pages" grep -q "^region $2: $4 pages marked dirty" "$T/out"
	wait_until 10 live_done_ge "$2" $((_pd0 + $5))
	sleep 0.5
	mig_get src "$2"
	{ echo "pages_done before $_pd0 passes before $_ps0"; cat "$T/mig-src.json"; } > "$T/out"
	mcheck "$1: pushed pages resent, exactly the $5 populated ones" \
		[ "$(mjv pages_done)" -eq $((_pd0 + $5)) ]
	mcheck "$1: in one more pass" [ "$(mjv passes)" -eq $((_ps0 + 1)) ]
	"$MIGCTL" dirty-push --region "$2" --pages "$4" > "$T/out" 2>&1
	_rc=$?
	mcheck "$1: dirty-push past the end refused" \
		sh -c "[ $_rc -eq 1 ] && grep -q 'outside the region' '$T/out'"
	dst_run "$MIGCTL" dirty-push --region "$3" --pages 0 > "$T/out" 2>&1
	_rc=$?
	mcheck "$1: dirty-push without dirty tracking (destination) refused" \
		sh -c "[ $_rc -eq 1 ] && grep -q 'no dirty tracking' '$T/out'"
}

# live_all: every case.
live_all() {
	if [ ! -x "$LIVE_VMM" ]; then
		echo "no executable $LIVE_VMM" > "$T/out"
		notok "live migration: kmig-vmm built (tools/example-vmm)"
		return 1
	fi
	live_converge 1
	live_converge 4
	live_no_converge switchover
	live_no_converge pause
	live_cancel_vmm
	live_cancel_region
	live_write_resent
	live_idle
}
