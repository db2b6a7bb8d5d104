# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# Live migration system tests, sourced by tests/system/run-tests.sh after
# migration-cases.sh (POSIX sh: dash in UML, busybox ash in the Debian 6.1
# initramfs). Uses run-tests.sh's ok, notok, sysfs, $MIGCTL, $T and the
# helpers of lib.sh (regions, migctl, kmig-vmm, checks).
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
# The cases, run by live_all:  NAME FUNCTION ARGS
LIVE_CASES='
converge-1           live_converge 1
converge-4           live_converge 4
no-converge-switch   live_no_converge switchover
no-converge-pause    live_no_converge pause
cancel-vmm           live_cancel_vmm
cancel-region        live_cancel_region
write-resent         live_write_resent
idle                 live_idle
'
# live_converge CHANNELS  writers well below the bandwidth: completes,
#     source hash at the pause = destination's, passes >= 2, downtime
#     sane, live status fields, monitor event order
# live_no_converge switchover|pause  writers far above a 1 ms limit: never
#     ready; forced by --max-passes 3 --no-convergence switchover, or by
#     the VMM pausing at pass 2 itself; byte-identical
# live_cancel_vmm  kmig-vmm --no-switchover cancelled in pass 2: source
#     cancelled, destination failed, the VMM's writers go on
# live_cancel_region  migctl start --live on a kmig-systest region
#     cancelled mid-pass 0: source region unchanged, destination failed
# live_write_resent  sequential writer over a small region, long passes:
#     every page is resent, hash equal
# live_idle  no writes at all: pass-done 0 and switchover-ready come;
#     pages pushed by 'migctl dirty-push' are resent once; switchover
#     completes
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
	jq -r --argjson r "$1" 'select(.region_id == $r) | "\(.event)/\(.state)"' "$T/mon.json" 2>/dev/null
}

# mon_last REGION EVENT: the last EVENT of REGION in $T/mon-last.json,
# loaded for mjv (mj_load).
mon_last() {
	jq -c --argjson r "$1" --arg e "$2" 'select(.region_id == $r and .event == $e)' \
		"$T/mon.json" 2>/dev/null | tail -1 > "$T/mon-last.json"
	mj_load "$T/mon-last.json"
	[ -s "$MJF" ]
}

# live_converge CHANNELS
live_converge() {
	_ch=$1
	begin "live migration, $1 channel(s), writers below the bandwidth" "lc$_ch"
	cp /dev/null "$T/out"
	mcheck "$_tag: migctl monitor --json subscribed" mon_start
	vmm_dst "$_tag" ldst --size "$LIVE_SIZE_MB" --port 0 --addr "$LIVE_ADDR" --channels "$_ch" ||
		{ mon_stop; return 1; }
	# The monitor is subscribed once it saw the destination's listening.
	mon_wait "$_did" state/listening 30
	_rc=$?
	{ cat "$T/mon.json" "$T/mon.err"; } > "$T/out"
	mcheck "$_tag: monitor sees the destination listening" [ $_rc -eq 0 ]
	vmm_src "$_tag" lsrc --size "$LIVE_SIZE_MB" --to "$LIVE_ADDR:$_port" \
		--fill-random "$LIVE_RANDOM" --fill-zero "$LIVE_ZERO" --seed "$((_ch + 40))" \
		--channels "$_ch" --writers 2 --rate 200 --pattern hot:10 \
		--max-bandwidth "$(bw_bytes "$LIVE_BW")" --exit || { mon_stop; return 1; }
	# Pass 0 takes >= 3 s (bandwidth limit): the status while it runs.
	mon_wait "$_sid" state/active 60
	mig_get src "$_sid"
	cp "$T/mig-src.json" "$T/out"
	fc "$_tag: migctl status during pass 0: active, live, limit 300 ms, bandwidth, pass 0, not ready" \
		'[ "$(mjv state)" = active ] && [ "$(mjv live)" = true ] && [ "$(mjv downtime_limit_ms)" = 300 ] &&
		[ "$(mjv max_bandwidth)" = "$(bw_bytes "$LIVE_BW")" ] && [ "$(mjv switchover_ready)" = 0 ] &&
		[ "$(mjv pass)" = 0 ] && [ -n "$(mjv expected_downtime_ns)" ] && [ -n "$(mjv dirty_syncs)" ]'
	# Documentation/kmig/netlink.rst: U64_MAX while no bandwidth is known.
	mcheck "$_tag: expected_downtime_ns during pass 0 is U64_MAX (no bandwidth measured yet)" \
		grep -qE '"expected_downtime_ns": *18446744073709551615[,} ]' "$MJF"
	"$MIGCTL" status --region "$_sid" > "$T/out" 2>&1
	fc "$_tag: migctl status text has Live, Pass, Switchover ready lines" \
		'grep -q "^ *Live:" "$T/out" && grep -q "^ *Pass:" "$T/out" && grep -q "^ *Switchover ready:" "$T/out"'
	grep -E '^ *(Live|Pass|Expected downtime):' "$T/out" | sed 's/^ */# status: /'
	vmm_done lsrc ldst "$LIVE_TIMEOUT"
	sleep 0.5
	mon_stop
	show source "$T/lsrc.log" '^(summary|switchover)'
	mcheck "$_tag: source and destination kmig-vmm exit 0 (completed)" [ "$_src/$_drc" = 0/0 ]
	vmm_hash_eq "$_tag: destination content = source content at the pause" lsrc ldst
	echo "# $_tag: source $_sh; destination $_dh"
	mon_events "$_sid" > "$T/seq"
	{ echo "events of region $_sid:"; cat "$T/seq"; } > "$T/out"
	echo "# $_tag: source events: $(uniq -c < "$T/seq" | awk '{ printf "%s%s", sep, ($1 > 1 ? $2 " x" $1 : $2); sep = ", " }')"
	fc "$_tag: monitor: setup, active, pass-done(s), switchover-ready, completed, in order" \
		'tr "\n" " " < "$T/seq" | grep -qE "^state/setup state/active (pass-done/active )+switchover-ready/active (pass-done/active )*completed/completed $"'
	fc "$_tag: monitor: destination state and completed events" \
		'mon_last "$_did" state && mon_last "$_did" completed'
	if mon_last "$_sid" completed; then
		cp "$MJF" "$T/out"
		_p=$(mjv passes) _dt=$(mjv downtime_ns)
		echo "# $_tag: passes $_p, downtime $((${_dt:-0} / 1000)) us, dirty syncs $(mjv dirty_syncs)"
		mcheck "$_tag: passes >= 2 (pass 0 and the final one)" [ "${_p:-0}" -ge 2 ]
		fc "$_tag: downtime > 0 and < 10 s" '[ "${_dt:-0}" -gt 0 ] && [ "${_dt:-0}" -lt 10000000000 ]'
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
	klog_ok
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
	_how=$1
	begin "live migration, no convergence, forced switchover ($1)" "nc$_how"
	if [ "$_how" = switchover ]; then
		set -- --max-passes 3 --no-convergence switchover
	else
		set -- --pause-on-pass 2
	fi
	vmm_dst "$_tag" ncdst --size 64 --port 0 --addr "$LIVE_ADDR" --channels 2 || return 1
	vmm_src "$_tag" ncsrc --size 64 --to "$LIVE_ADDR:$_port" --fill-random 1024 \
		--seed 7 --channels 2 --writers 1 --rate 1000 --pattern hot:10 \
		--max-bandwidth 2097152 --downtime-limit 1 --exit "$@" || return 1
	# After pass-done 0 the next ready point is pass-done 2, >= 2 passes away.
	log_wait "$T/ncsrc.log" '^event pass-done .* pass=0 ' 120
	mig_get src "$_sid"
	{ cat "$T/ncsrc.log"; cat "$T/mig-src.json"; } > "$T/out"
	_e=$(mjv expected_downtime_ns)
	echo "# $_tag: after pass 0: expected downtime $((${_e:-0} / 1000)) us, dirty rate $(mjv dirty_rate) pages/s"
	fc "$_tag: status after pass 0: expected downtime > 1 ms limit, switchover_ready 0" \
		'[ "$(mjv state)" = active ] && [ "$(mjv switchover_ready)" = 0 ] && [ "$(mjv downtime_limit_ms)" = 1 ] &&
		[ -n "$_e" ] && [ "${#_e}" -lt 19 ] && [ "$_e" -gt 1000000 ]'
	vmm_done ncsrc ncdst "$LIVE_TIMEOUT"
	show source "$T/ncsrc.log" '^(event switchover-ready|switchover|summary)'
	mcheck "$_tag: source and destination kmig-vmm exit 0 (completed)" [ "$_src/$_drc" = 0/0 ]
	# The passes announced before the switchover-ready (or the pause).
	_first=$(grep -nE '^(event|status) switchover-ready' "$T/ncsrc.log" | head -1 | cut -d: -f1)
	if [ "$_how" = switchover ]; then
		fc "$_tag: switchover-ready only after pass-done 2 (max-passes 3)" \
			'[ -n "$_first" ] && head -n "$_first" "$T/ncsrc.log" | tail -1 | grep -qE " pass=2 " &&
			head -n "$_first" "$T/ncsrc.log" | grep -qE "^event pass-done .* pass=2 "'
		fc "$_tag: switchover-ready with expected downtime > 1 ms" \
			'[ -n "$_first" ] && head -n "$_first" "$T/ncsrc.log" | tail -1 |
			awk "{ for (i = 1; i <= NF; i++) if (\$i ~ /^expected-downtime-ms=/) { split(\$i, a, \"=\"); exit !(a[2] > 1) } exit 1 }"'
	else
		mcheck "$_tag: no switchover-ready at all" [ -z "$_first" ]
		mcheck "$_tag: the VMM paused on pass-done 2" grep -qE '^switchover sent' "$T/ncsrc.log"
	fi
	vmm_hash_eq "$_tag: destination content = source content at the pause" ncsrc ncdst
	_s=$(sed -n 's/^summary .* passes=\([0-9]*\) downtime-ms=\([0-9.]*\).*/passes \1, downtime \2 ms/p' "$T/ncsrc.log")
	echo "# $_tag: $_s"
	cp "$T/ncsrc.log" "$T/out"
	mcheck "$_tag: passes >= 4 and downtime > 0" \
		grep -qE '^summary result=completed passes=([4-9]|[1-9][0-9]+) downtime-ms=([1-9][0-9]*\.|0\.0*[1-9])' "$T/ncsrc.log"
	klog_ok
}

# live_cancel_vmm: kmig-vmm --no-switchover (2 writers, 500 pages/s) at
# 4 MiB/s, cancelled with migctl while pass 2 runs: the source is
# cancelled (kmig-vmm sees the cancelled event, exits 1, its writers write
# on), the destination fails.
live_cancel_vmm() {
	begin "live migration cancelled on the source mid-pass (kmig-vmm)" cv
	vmm_dst "$_tag" cvdst --size 64 --port 0 --addr "$LIVE_ADDR" --channels 2 || return 1
	vmm_src "$_tag" cvsrc --size 64 --to "$LIVE_ADDR:$_port" --fill-random 4096 \
		--seed 9 --channels 2 --writers 2 --rate 500 --pattern random \
		--max-bandwidth 4194304 --no-switchover --resume || return 1
	log_wait "$T/cvsrc.log" '^(event|status) pass-done .* pass=1 ' 120
	mig_get src "$_sid"
	{ cat "$T/cvsrc.log"; cat "$T/mig-src.json"; } > "$T/out"
	mcheck "$_tag: source active after pass-done 1" [ "$(mjv state)" = active ]
	_p=$(mjv pass)
	"$MIGCTL" cancel --region "$_sid" > "$T/out" 2>&1
	mcheck "$_tag: migctl cancel exits 0 (in pass $_p)" [ $? -eq 0 ]
	vmm_done cvsrc cvdst 60 60
	show source "$T/cvsrc.log" '^(event cancelled|summary|resumed)'
	show destination "$T/cvdst.log" '^(event failed|summary)'
	mcheck "$_tag: source cancelled event" grep -qE "^(event|status) cancelled region=$_sid state=cancelled" "$T/cvsrc.log"
	fc "$_tag: no switchover" '! grep -q "^switchover" "$T/cvsrc.log"'
	fc "$_tag: kmig-vmm source: summary result=cancelled, exit 1" \
		'grep -q "^summary result=cancelled" "$T/cvsrc.log" && [ $_src = 1 ]'
	vmm_writes_on "$_tag: the writers go on after the cancel" cvsrc
	fc "$_tag: destination failed, kmig-vmm dest exits 1" \
		'grep -qE "^(event|status) failed region=$_did state=failed" "$T/cvdst.log" && [ $_drc = 1 ]'
	klog_ok
}

# live_cancel_region: a kmig-systest region (no writer) live-migrated by
# migctl start --live at 1 MiB/s, cancelled while pass 0 runs: source
# cancelled, its content unchanged (the migration never writes the
# source), destination failed.
live_cancel_region() {
	begin "live migration cancelled on the source mid-pass 0 (migctl)" cr
	pair_start "$_tag" 64 --random 4096 --zero 1024 --seed 11 || return 1
	_h0=$(region_hash "$_spid" "$T/src.hash")
	_pop0=$(sysfs "regions/$_sid/populated_pages")
	# shellcheck disable=SC2086
	pair_listen "$_tag" listen --channels 2 $KEYOPT || return 1
	# shellcheck disable=SC2086
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
	mig_end src "$_sid" cancelled "$_tag: source cancelled" 10
	mig_end dst "$_did" failed "$_tag: destination failed"
	_h1=$(region_hash "$_spid" "$T/src.hash")
	_pop1=$(sysfs "regions/$_sid/populated_pages")
	{ echo "before: $_h0 ($_pop0)"; echo "after:  $_h1 ($_pop1)"; } > "$T/out"
	fc "$_tag: source region unchanged (content, populated pages)" \
		'[ -n "$_h0" ] && [ "$_h0" = "$_h1" ] && [ "$_pop0" = "$_pop1" ]'
	# Dirty tracking is off again: the owner writes freely afterwards.
	pair_stop
	klog_ok
}

# live_write_resent: an 8 MiB region (2048 pages, 1024 filled), one writer
# going round it sequentially at 1000 pages/s, 4 MiB/s: every pass is
# written over while it is sent; --max-passes 3 --no-convergence
# switchover. The copy is byte-identical and more pages were sent than the
# region has (every written page went again).
live_write_resent() {
	begin "live migration, pages written during a pass are resent" wr
	cp /dev/null "$T/out"
	mcheck "$_tag: migctl monitor --json subscribed" mon_start
	vmm_dst "$_tag" wrdst --size 8 --port 0 --addr "$LIVE_ADDR" --channels 2 || { mon_stop; return 1; }
	vmm_src "$_tag" wrsrc --size 8 --to "$LIVE_ADDR:$_port" --fill-random 1024 \
		--seed 13 --channels 2 --writers 1 --rate 1000 --pattern sequential \
		--max-bandwidth 4194304 --max-passes 3 --no-convergence switchover --exit ||
		{ mon_stop; return 1; }
	vmm_done wrsrc wrdst "$LIVE_TIMEOUT"
	sleep 0.5
	mon_stop
	mcheck "$_tag: source and destination kmig-vmm exit 0 (completed)" [ "$_src/$_drc" = 0/0 ]
	vmm_hash_eq "$_tag: destination content = source content at the pause" wrsrc wrdst
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
	klog_ok
}

# live_idle: a live migration of a region nobody writes (kmig-systest, by
# migctl): pass 0 ends with pass-done, its expected downtime (nothing
# dirty) is within the limit, so switchover-ready comes; migctl switchover
# completes it, byte-identical.
live_idle() {
	begin "live migration of an idle region" idle
	pair_start "$_tag" 64 --random 2048 --zero 512 --seed 17 || return 1
	# shellcheck disable=SC2086
	pair_listen "$_tag" listen --channels 2 $KEYOPT || return 1
	# shellcheck disable=SC2086
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
	mig_end dst "$_did" completed "$_tag: destination completed"
	pair_hash "$_tag: destination content = source content"
	pair_stop
	klog_ok
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

# live_all: every case of LIVE_CASES.
live_all() {
	vmm_built "live migration" || return 1
	run_table "$LIVE_CASES"
}

# vmm_built WHAT: kmig-vmm is there (else a failed test "WHAT: kmig-vmm built").
vmm_built() {
	[ -x "$LIVE_VMM" ] && return 0
	echo "no executable $LIVE_VMM" > "$T/out"
	notok "$1: kmig-vmm built (tools/example-vmm)"
	return 1
}
