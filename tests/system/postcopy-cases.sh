# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# Postcopy system tests, sourced by tests/system/run-tests.sh after
# live-cases.sh (whose monitor helpers they use). The guests are
# tools/example-vmm's kmig-vmm: the source's writers dirty the guest and
# pause at switchover-ready; the destination's writers (--postcopy) run
# from postcopy-active on, while missing pages are fetched, and record what
# each page held before their first write to it. That "postcopy hash" must
# be the source's hash at its pause: no writer ever saw a stale or zero
# page, and every page it did not write ended byte-identical.
#
# The cases, run by postcopy_all:  NAME FUNCTION ARGS
POSTCOPY_CASES='
after-1              pc_complete after-1
after-0              pc_complete after-0
no-converge          pc_complete no-converge
cancel               pc_lost cancel
source-killed        pc_lost kill
link-cut-resumed     pc_resume
'
# pc_complete after-1|after-0|no-converge  postcopy after one pass, with
#     no pass at all (pure postcopy), or forced by --no-convergence
#     postcopy on writers far above the bandwidth limit (which precopy
#     never converges): completes; the destination's writers' prior hash
#     and its final content equal the source's at the pause; events and
#     counters: postcopy-active on both sides, pages pushed, none missing,
#     requests served when the writers hit missing pages, fault latency
# pc_lost cancel|kill  pure postcopy under a low bandwidth limit; during
#     postcopy 'migctl cancel' on the source, or the source VMM killed:
#     the destination pauses (event, sysfs), its VMM alive and its pages
#     kept; then a cancel on the destination, or its pause timeout (3 s),
#     ends it: the reason says the guest is lost, the writers get SIGBUS
#     on the missing pages (the VMM dies by it), nothing hangs, the kernel
#     log is clean
# pc_resume  pure postcopy through a relay (kmig-hostile relay) that resets
#     every connection once postcopy is active: both sides go
#     postcopy-paused, the destination's writers wait (its VMM lives on);
#     migctl postcopy-resume on both (the source straight to the
#     destination) reconnects and the migration completes byte-identical,
#     one pause counted on each side
#
# Sizes and knobs, overridable before sourcing (deb61: smaller):
: "${PC_SIZE_MB:=64}"		# region
: "${PC_RANDOM:=4096}"		# random pages filled
: "${PC_BW:=8388608}"		# bandwidth limit (bytes/s): the push takes ~2 s
: "${PC_LOST_BW:=1048576}"	# pc_lost: the push would take ~16 s
: "${PC_TIMEOUT:=240}"
: "${PC_PAUSE_MS:=3000}"	# pc_lost: the destination's pause timeout

# pc_pair TAG NAME DST-ARGS -- SRC-ARGS: a postcopy destination with 2
# writers and a source with 2 writers, both on 2 channels.
pc_pair() {
	_pt=$1 _pn=$2; shift 2
	_pd=
	while [ $# -gt 0 ] && [ "$1" != -- ]; do _pd="$_pd $1"; shift; done
	shift
	# shellcheck disable=SC2086
	vmm_dst "$_pt" "${_pn}dst" --size "$PC_SIZE_MB" --port 0 --addr "$LIVE_ADDR" \
		--channels 2 --postcopy --writers 2 --pattern hot:10 $_pd || return 1
	vmm_src "$_pt" "${_pn}src" --size "$PC_SIZE_MB" --to "$LIVE_ADDR:$_port" \
		--fill-random "$PC_RANDOM" --seed 11 --channels 2 --writers 2 \
		--pattern hot:10 --exit --postcopy "$@"
}

# pc_prior NAME: the destination's "postcopy hash" line as a hash line.
pc_prior() { sed -n 's/^postcopy hash \([0-9a-f]*\) .*/\1/p' "$T/$1.hash"; }
pc_src_hash() { sed -n 's/^hash \([0-9a-f]*\) .*/\1/p' "$T/$1.hash"; }

pc_complete() {
	_case=$1
	# The destination's writers: where the missing pages are (the
	# source's hot pages), or anywhere for pure postcopy.
	_dpat=hot:10
	case $1 in
	after-1) set -- --postcopy-after 1 --rate 200 --max-bandwidth "$PC_BW" ;;
	after-0) set -- --postcopy-after 0 --rate 200 --max-bandwidth "$PC_BW"
		_dpat=random ;;
	*) set -- --rate 1000 --max-bandwidth 2097152 --downtime-limit 1 \
		--max-passes 2 --no-convergence postcopy ;;
	esac
	begin "postcopy, $_case" "pc$_case"
	mcheck "$_tag: migctl monitor --json subscribed" mon_start
	pc_pair "$_tag" pc --rate 300 --pattern "$_dpat" -- "$@" || { mon_stop; return 1; }
	vmm_done pcsrc pcdst "$PC_TIMEOUT" 60
	sleep 0.5
	mon_stop
	show source "$T/pcsrc.log" '^(event (switchover-ready|postcopy-active)|switchover|summary)'
	show destination "$T/pcdst.log" '^(postcopy|summary)'
	mcheck "$_tag: source and destination kmig-vmm exit 0 (completed)" [ "$_src/$_drc" = 0/0 ]
	_s=$(pc_src_hash pcsrc) _p=$(pc_prior pcdst)
	{ echo "source at pause: $_s"; echo "destination prior: $_p"; cat "$T/pcdst.hash"; } > "$T/out"
	mcheck "$_tag: destination writers found the source's contents in every page they wrote" \
		[ -n "$_s" ] && [ "$_s" = "$_p" ]
	_touched=$(sed -n 's/^postcopy hash [0-9a-f]* touched \([0-9]*\) .*/\1/p' "$T/pcdst.hash")
	echo "# $_tag: destination writers wrote ${_touched:-?} distinct pages"
	mcheck "$_tag: destination writers ran during postcopy" [ "${_touched:-0}" -gt 0 ]
	mon_events "$_sid" > "$T/seq"
	{ echo "source events:"; cat "$T/seq"; mon_events "$_did"; } > "$T/out"
	fc "$_tag: source: switchover-ready, postcopy-active, completed, in order" \
		'tr "\n" " " < "$T/seq" | grep -qE "switchover-ready/active .*postcopy-active/postcopy-active .*completed/completed $"'
	fc "$_tag: destination: postcopy-active then completed" \
		'mon_events "$_did" | tr "\n" " " | grep -qE "postcopy-active/postcopy-active .*completed/completed $"'
	if mon_last "$_sid" completed; then
		cp "$MJF" "$T/out"
		_dt=$(mjv downtime_ns) _pu=$(mjv postcopy_pushed_pages)
		echo "# $_tag: source: passes $(mjv passes), downtime $((${_dt:-0} / 1000)) us, pushed $_pu, requests $(mjv postcopy_requests), served $(mjv postcopy_served_pages)"
		fc "$_tag: source status: postcopy, downtime > 0 and < 10 s, pages pushed" \
			'[ "$(mjv postcopy)" = true ] && [ "${_dt:-0}" -gt 0 ] && [ "${_dt:-0}" -lt 10000000000 ] &&
			[ "${_pu:-0}" -gt 0 ]'
		[ "$_case" != after-0 ] ||
			mcheck "$_tag: pure postcopy: no pass before it" [ "$(mjv passes)" = 0 ]
	else
		cp "$T/mon.json" "$T/out"
		notok "$_tag: monitor saw the source's completed event"
	fi
	if mon_last "$_did" completed; then
		cp "$MJF" "$T/out"
		_rq=$(mjv postcopy_requests) _f=$(mjv postcopy_faults)
		_lat=$(jq -r '.postcopy_latency | "\(.count) \(.p50_ns) \(.p99_ns)"' "$MJF" 2>/dev/null)
		echo "# $_tag: destination: faults $_f, requests $_rq, requested pages $(mjv postcopy_requested_pages), served $(mjv postcopy_served_pages), pushed $(mjv postcopy_pushed_pages), discarded $(mjv postcopy_discarded_pages), latency count/p50/p99 ns $_lat"
		fc "$_tag: destination status: nothing missing, pages pushed, every fault counted in the latency" \
			'[ "$(mjv postcopy_missing_pages)" = 0 ] && [ "$(mjv postcopy_pushed_pages)" -gt 0 ] &&
			[ "${_lat%% *}" = "${_f:-x}" ]'
		fc "$_tag: destination: a request for every fault that waited (merged per page)" \
			'[ "${_f:-0}" -eq 0 ] || { [ "${_rq:-0}" -gt 0 ] && [ "$(mjv postcopy_requested_pages)" -le "$_f" ]; }'
	else
		cp "$T/mon.json" "$T/out"
		notok "$_tag: monitor saw the destination's completed event"
	fi
	klog_ok
}

pc_lost() {
	begin "postcopy, the source lost during postcopy ($1)" "pcl$1"
	mcheck "$_tag: migctl monitor --json subscribed" mon_start
	pc_pair "$_tag" pcl --rate 2000 --pattern random \
		--postcopy-pause-timeout "$PC_PAUSE_MS" -- --postcopy-after 0 --rate 200 \
		--max-bandwidth "$PC_LOST_BW" || { mon_stop; return 1; }
	if ! mon_wait "$_did" postcopy-active/postcopy-active 60; then
		cp "$T/mon.json" "$T/out"; notok "$_tag: destination reached postcopy-active"
		kill -9 "$_spid" "$_dpid" 2>/dev/null; mon_stop; return 1
	fi
	sleep 1
	if [ "$1" = cancel ]; then
		"$MIGCTL" cancel --region "$_sid" > "$T/out" 2>&1
		mcheck "$_tag: migctl cancel on the source exits 0" [ $? -eq 0 ]
	else
		kill -9 "$_spid"
	fi
	_t0=$(now_cs)
	# The destination cannot tell a dead source from a broken link: it
	# pauses, its guest waiting, and keeps the pages it has.
	wait_until 20 mon_saw "$_did" postcopy-paused/postcopy-paused
	_rc=$?
	_sys=/sys/kernel/kmig/regions/$_did/migration
	_st=$(cat "$_sys/state" 2>/dev/null) _mp=$(cat "$_sys/postcopy_missing_pages" 2>/dev/null)
	{ mon_events "$_did"; echo "sysfs state $_st, missing $_mp"; } > "$T/out"
	echo "# $_tag: destination paused: sysfs state $_st, missing $_mp pages"
	fc "$_tag: destination postcopy-paused (event and sysfs) with pages missing, its VMM alive" \
		'[ $_rc -eq 0 ] && [ "$_st" = postcopy-paused ] && [ "${_mp:-0}" -gt 0 ] && kill -0 "$_dpid"'
	if [ "$1" = cancel ]; then
		"$MIGCTL" cancel --region "$_did" > "$T/out" 2>&1
		mcheck "$_tag: migctl cancel on the destination exits 0" [ $? -eq 0 ]
		_end=cancelled
	else
		# No resume: the pause timeout ends it.
		_end=failed
	fi
	vmm_wait "$_dpid" 30; _drc=$VRC
	_t1=$(now_cs)
	vmm_wait "$_spid" 30
	mon_stop
	echo "# $_tag: destination kmig-vmm ended with status $_drc after $((_t1 - _t0))0 ms"
	cp "$T/pcldst.log" "$T/out"
	# 135 = 128 + SIGBUS, as the shell reports a process killed by it.
	mcheck "$_tag: destination's writers got SIGBUS on a missing page (status 135)" [ "$_drc" = 135 ]
	if [ "$1" = cancel ]; then
		mcheck "$_tag: within 10 s" [ $((_t1 - _t0)) -lt 1000 ]
	else
		mcheck "$_tag: after the pause timeout ($PC_PAUSE_MS ms), within 10 s of it" \
			[ $((_t1 - _t0)) -ge $((PC_PAUSE_MS / 10 - 50)) ] && [ $((_t1 - _t0)) -lt $((PC_PAUSE_MS / 10 + 1000)) ]
	fi
	if mon_last "$_did" "$_end"; then
		cp "$MJF" "$T/out"
		echo "# $_tag: destination: missing $(mjv postcopy_missing_pages) pages, reason: $(mjv reason)"
		fc "$_tag: destination $_end with pages missing, the reason says the guest is lost" \
			'[ "$(mjv state)" = "$_end" ] && [ "$(mjv postcopy_missing_pages)" -gt 0 ] &&
			mjv reason | grep -q "^guest lost in postcopy: "'
	else
		cp "$T/mon.json" "$T/out"
		notok "$_tag: monitor saw the destination's $_end event"
	fi
	dmesg | grep "postcopy failed" | tail -1 > "$T/out"
	mcheck "$_tag: kernel log says the guest's pages are lost" grep -q "are lost" "$T/out"
	klog_ok
}

pc_resume() {
	begin "postcopy, the link cut and resumed" "pcresume"
	mcheck "$_tag: migctl monitor --json subscribed" mon_start
	vmm_dst "$_tag" pcrdst --size "$PC_SIZE_MB" --port 0 --addr "$LIVE_ADDR" \
		--channels 2 --postcopy --writers 2 --rate 300 --pattern random ||
		{ mon_stop; return 1; }
	rm -rf "$T/relay"; mkdir -p "$T/relay"
	"$BIN/kmig-hostile" relay --to "$LIVE_ADDR:$_port" --dir "$T/relay" \
		> "$T/relay.out" 2>&1 &
	_rp=$!
	wait_until 10 test -s "$T/relay/port"
	_relay=$(cat "$T/relay/port" 2>/dev/null)
	vmm_src "$_tag" pcrsrc --size "$PC_SIZE_MB" --to "$LIVE_ADDR:$_relay" \
		--fill-random "$PC_RANDOM" --seed 13 --channels 2 --writers 2 \
		--rate 200 --exit --postcopy --postcopy-after 0 \
		--max-bandwidth "$PC_LOST_BW" || { kill "$_rp"; mon_stop; return 1; }
	if ! mon_wait "$_did" postcopy-active/postcopy-active 60; then
		cp "$T/mon.json" "$T/out"; notok "$_tag: destination reached postcopy-active"
		kill -9 "$_spid" "$_dpid" "$_rp" 2>/dev/null; mon_stop; return 1
	fi
	sleep 1
	touch "$T/relay/reset"
	wait_until 30 mon_saw "$_did" postcopy-paused/postcopy-paused &&
		wait_until 30 mon_saw "$_sid" postcopy-paused/postcopy-paused
	_rc=$?
	mon_events "$_did" > "$T/out"
	mcheck "$_tag: both sides postcopy-paused after the reset" [ $_rc -eq 0 ]
	echo "# $_tag: $(tail -1 "$T/relay.out")"
	mig_get dst "$_did"
	cp "$T/mig-dst.json" "$T/out"
	echo "# $_tag: paused: destination missing $(mjv postcopy_missing_pages) pages, reason: $(mjv reason)"
	fc "$_tag: destination paused with pages missing, its VMM alive" \
		'[ "$(mjv state)" = postcopy-paused ] && [ "$(mjv postcopy_missing_pages)" -gt 0 ] &&
		kill -0 "$_dpid"'
	sleep 1
	"$MIGCTL" postcopy-resume --region "$_did" > "$T/out" 2>&1
	mcheck "$_tag: migctl postcopy-resume on the destination exits 0" [ $? -eq 0 ]
	"$MIGCTL" postcopy-resume --region "$_sid" --to "$LIVE_ADDR:$_port" > "$T/out" 2>&1
	mcheck "$_tag: migctl postcopy-resume on the source (to the destination itself) exits 0" [ $? -eq 0 ]
	vmm_done pcrsrc pcrdst "$PC_TIMEOUT" 60
	kill "$_rp" 2>/dev/null; wait "$_rp" 2>/dev/null
	sleep 0.5
	mon_stop
	show destination "$T/pcrdst.log" '^(postcopy|summary)'
	mcheck "$_tag: source and destination kmig-vmm exit 0 (completed)" [ "$_src/$_drc" = 0/0 ]
	_s=$(pc_src_hash pcrsrc) _p=$(pc_prior pcrdst)
	{ echo "source at pause: $_s"; echo "destination prior: $_p"; cat "$T/pcrdst.hash"; } > "$T/out"
	mcheck "$_tag: destination writers found the source's contents in every page they wrote" \
		[ -n "$_s" ] && [ "$_s" = "$_p" ]
	mon_events "$_sid" > "$T/seq"
	{ echo "source events:"; cat "$T/seq"; } > "$T/out"
	fc "$_tag: source: postcopy-active, postcopy-paused, postcopy-active, completed" \
		'tr "\n" " " < "$T/seq" | grep -qE "postcopy-active/postcopy-active .*postcopy-paused/postcopy-paused .*postcopy-active/postcopy-active .*completed/completed $"'
	for _side in "$_sid" "$_did"; do
		if mon_last "$_side" completed; then
			cp "$MJF" "$T/out"
			echo "# $_tag: region $_side: pauses $(mjv postcopy_pauses), requests $(mjv postcopy_requests), pushed $(mjv postcopy_pushed_pages), discarded $(mjv postcopy_discarded_pages)"
			mcheck "$_tag: region $_side completed after one pause" [ "$(mjv postcopy_pauses)" = 1 ]
		else
			cp "$T/mon.json" "$T/out"
			notok "$_tag: monitor saw region $_side complete"
		fi
	done
	klog_ok
}

postcopy_all() {
	run_table "$POSTCOPY_CASES"
}
