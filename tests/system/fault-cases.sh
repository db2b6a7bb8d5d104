# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh disable=SC2016
#
# Fault-injection system tests, sourced by tests/system/run-tests.sh after
# colo-cases.sh (POSIX sh: dash in UML, busybox ash in the Debian 6.1
# initramfs). Uses the helpers of run-tests.sh (ok, notok, skip, sysfs,
# load, unload), lib.sh (regions, migctl, kmig-vmm, checks),
# migration-cases.sh (sink_stall_start, src_stalled, src_unchanged) and
# colo-cases.sh (colo_failover).
#
# Each case injects one fault, prints '# fault: NAME injected' when it
# does (a robustness report counts these lines), checks what each side
# reports (state, reason, counters), that no process outside the fault
# was harmed, and that the kernel log since the case began is clean (no
# WARNING, BUG, KASAN, lockdep, hung task, Call Trace). fault_all ends
# with a kmemleak scan after rmmod, compared with one taken before.
#
# Faults already covered elsewhere (not repeated here):
#   migration-cases.sh  mig_peer_killed: a stalled destination (wire-sink)
#                       killed under a kmig source, 1 and 2 channels; the
#                       source cancelled while blocked on it; a slow source
#                       (wire-peer) killed under a kmig destination; the
#                       destination cancelled mid-transfer.
#                       mig_malformed close / short-hello / truncated: a
#                       source that closes in the handshake or mid-packet.
#   live-cases.sh       live_cancel_vmm, live_cancel_region: cancels mid-pass.
#   colo-cases.sh       colo_primary_killed before|during|after: the primary
#                       killed mid-COLO-checkpoint (1 and 4 channels);
#                       colo_secondary_lost: the secondary killed in COLO.
#   run-tests.sh        'rmmod refused while a region is open'.
#
# The cases, run by fault_all (each function selectable with
# KMIG_SYSTEST_ONLY=NAME; several in one boot, an argument after a '+':
# KMIG_SYSTEST_ONLY=fault_run:fault_two:fault_live_dst_killed+pass):
#   NAME FUNCTION ARGS
FAULT_CASES='
hs-src-killed        fault_hs_src_killed
hs-dst-killed        fault_hs_dst_killed
dst-region-closed    fault_dst_region_closed
src-killed-region    fault_src_killed region
rmmod                fault_rmmod
two                  fault_two
live-dst-pass        fault_live_dst_killed pass
live-dst-switchover  fault_live_dst_killed switchover
colo-secondary       fault_colo_secondary_killed
src-killed-vmm       fault_src_killed vmm
memcg                fault_memcg
64ch                 fault_64ch
stall                fault_stall_env
'
# fault_hs_src_killed   a source killed in the handshake: after part of its
#     hello (the destination drops the connection and keeps listening), and
#     after channel 0 of 2 was accepted (the destination fails); then a
#     real source still completes into the region
# fault_hs_dst_killed   a destination killed in the handshake (it read the
#     hellos and never replied): the source fails at once naming the
#     channel; one that just stays silent fails the source after the 10 s
#     setup timeout
# fault_live_dst_killed pass|switchover   the destination kmig-vmm killed
#     mid-pass 1 of a live migration, or right after the source VMM
#     switched over (final pass in flight): the source fails, its VMM
#     resumes the guest
# fault_colo_secondary_killed   the COLO secondary killed while a
#     checkpoint's pages are in flight: the primary fails over
# fault_dst_region_closed   the destination region's owner closes it
#     mid-receive: destination cancelled ("region closed by its owner"),
#     region freed, the source fails, its region unchanged
# fault_src_killed vmm|region   the source VMM (kmig-vmm, live, mid-pass 0)
#     or a source region process blocked on a stalled destination killed:
#     its region and migration go, the destination fails / the sink sees
#     the close
# fault_rmmod   rmmod during a migration is refused (module in use) and
#     harms nothing; rmmod with a netlink monitor subscribed succeeds;
#     after everything is closed rmmod succeeds; the module loads again
# fault_memcg   the destination region's owner in a memory cgroup with a
#     small memory.max: page allocation fails mid-receive; the migration
#     fails with a reason naming ENOMEM and alloc_failures counts it; no
#     OOM kill; a bystander is untouched
# fault_64ch   64 channels on a sparse 4 GiB region
# fault_two   two migrations of two regions at once
# fault_stall [S]   a destination that stops reading (full receive
#     windows), with the hung-task detector at 10 s: held 10 s, the source
#     stays active and a cancel ends it within 5 s; held FAULT_STALL_S (or
#     S) seconds: past 30 s the source fails by itself (TCP_USER_TIMEOUT
#     30 s), a cancel then answers "already ended"; no hung task either
#     way (fault_stall_env: Debian 6.1, QEMU TCG: the long stall 40 s)
#
# Knobs:
: "${FAULT_STALL_S:=60}"	# fault_stall: seconds the stalled window is held
				# (CI: 60; FAULT_STALL_S=600 for a "minutes" run)
: "${FAULT_MEMCG_MAX:=8M}"	# fault_memcg: memory.max of the destination
# FAULT_KEY: the key option of every kmig-to-kmig migration here
# (run-tests.sh's KEYOPT); FAULT_NOKEY: that of a kmig end facing
# wire-peer or wire-sink, which do not authenticate.
FAULT_KEY=${FAULT_KEY-$KEYOPT} FAULT_NOKEY=--insecure

fault_injected() { echo "# fault: $1 injected"; }

# fault_region_gone ID: region ID no longer exists (sysfs and migctl).
fault_region_gone() {
	wait_until 10 test ! -d "/sys/kernel/kmig/regions/$1"
	[ ! -d "/sys/kernel/kmig/regions/$1" ] &&
		! "$MIGCTL" --json regions 2>/dev/null | jq -e ".[] | select(.id == $1)" > /dev/null 2>&1
}

# fault_bg NAME ARGS...: kmig-systest ARGS in the background,
# output in $T/NAME.out; sets FPID.
fault_bg() {
	_fn=$1; shift
	rm -f "$T/$_fn.out"
	"$SYSTEST" "$@" > "$T/$_fn.out" 2>&1 &
	FPID=$!
}

# ---------------------------------------------------------------------------

fault_hs_src_killed() {
	begin "fault: source killed in the handshake" fhss
	pair_start "$_tag" "$MIG_SMALL_MB" --random 1024 --zero 256 --seed 31 || return 1
	_grej=$(gstat rejected_connections)
	# shellcheck disable=SC2086
	pair_listen "$_tag" listen --channels 2 --id "$MIG_ID" $FAULT_NOKEY || return 1
	_rs=$((MIG_SMALL_MB * 1048576))

	# 1. 10 bytes of a hello, then nothing, then killed.
	fault_bg hs1 wire-peer --to "$MIG_ADDR:$MPORT" --case short-hello --hold --id "$MIG_ID" \
		--channels 2 --region-size "$_rs" --timeout 30
	_pp=$FPID
	log_wait "$T/hs1.out" '^holding' 10
	sleep 0.3
	fault_injected "source killed after part of its hello"
	kill -9 "$_pp"; wait "$_pp" 2>/dev/null
	wait_until 5 mig_field_is dst "$_did" rejected_connections 1
	{ cat "$T/hs1.out"; cat "$T/mig-dst.json"; } > "$T/out"
	mcheck "$_tag: partial hello: connection dropped, destination still listening, rejected_connections 1" \
		[ "$(mjv state)/$(mjv rejected_connections)" = listening/1 ]
	gstat_is "$_tag: module rejected_connections + 1" rejected_connections "$((_grej + 1))"
	dmesg | grep "region $_did: rejected a connection" | tail -1 > "$T/out"
	mcheck "$_tag: kernel log: rejected a connection: connection closed before the hello" \
		grep -q "connection closed before the hello" "$T/out"

	# 2. Channel 0 of 2 accepted (a whole hello, the reply unread), killed
	#    before channel 1 comes.
	fault_bg hs2 wire-peer --to "$MIG_ADDR:$MPORT" --case valid --hold --id "$MIG_ID" \
		--channels 2 --channel-id 0 --region-size "$_rs" --timeout 30
	_pp=$FPID
	log_wait "$T/hs2.out" '^holding' 10
	wait_until 5 mig_field_is dst "$_did" state active
	{ cat "$T/hs2.out"; cat "$T/mig-dst.json"; } > "$T/out"
	mcheck "$_tag: channel 0 of 2 accepted: destination active" [ "$(mjv state)" = active ]
	fault_injected "source killed between the channels of the handshake"
	kill -9 "$_pp"; wait "$_pp" 2>/dev/null
	_t0=$(now_cs)
	mig_wait dst "$_did" "completed failed cancelled" 30
	_t1=$(now_cs)
	cp "$T/mig-dst.json" "$T/out"
	echo "# $_tag: destination $(mjv state) after $((_t1 - _t0))0 ms: $(mig_reason dst)"
	fc "$_tag: destination failed within 5 s" \
		'[ "$(mjv state)" = failed ] && [ $((_t1 - _t0)) -lt 500 ]'
	mcheck "$_tag: reason 'peer closed channel 0 before COMPLETE (packet 0)'" \
		mig_reason_has dst "peer closed channel 0 before COMPLETE (packet 0)"
	_pop=$(sysfs "regions/$_did/populated_pages")
	echo "populated $_pop" > "$T/out"
	mcheck "$_tag: nothing written to the destination" [ "$_pop" = 0 ]

	# 3. The region takes a real migration afterwards.
	# shellcheck disable=SC2086
	if mig_listen "$_did" --channels 2 $FAULT_KEY; then
		# shellcheck disable=SC2086
		mstart "$_tag: then a real source completes" 0 120 --region "$_sid" \
			--to "$MIG_ADDR:$MPORT" --channels 2 $FAULT_KEY
		mig_wait dst "$_did" "completed failed cancelled" 30
		pair_hashes; cat "$T/mig-dst.json" >> "$T/out"
		fc "$_tag: destination completed, content = source" \
			'[ "$(mjv state)" = completed ] && hash_eq "$_sh" "$_dh"'
	else
		notok "$_tag: listen again"
	fi
	pair_stop
	klog_ok
}

# fault_hs_dst_killed: a source (2 channels) to a wire-sink that reads the
# first hello and never replies; killed -> the source fails at once; kept
# silent -> the source fails after the 10 s setup timeout.
fault_hs_dst_killed() {
	begin "fault: destination killed in the handshake" fhsd
	region_start src --size "$MIG_SMALL_MB" --random 1024 --seed 33 --out "$T/src.hash" ||
		{ notok "$_tag: source region"; return 1; }
	_spid=$RPID _sid=$RID
	_h0=$(region_hash "$_spid" "$T/src.hash")
	for _how in kill silent; do
		_st="$_tag ($_how)"
		[ $_how = silent ] && _st="fault: destination silent in the handshake"
		fault_bg sink wire-sink --port 0 --addr "$MIG_ADDR" --channels 2 --conns 2 \
			--region-size "$((MIG_SMALL_MB * 1048576))" --no-reply --timeout 60
		_sk=$FPID
		log_wait "$T/sink.out" '^listening ' 10
		_port=$(sed -n 's/^listening //p' "$T/sink.out")
		# shellcheck disable=SC2086
		"$MIGCTL" start --region "$_sid" --to "$MIG_ADDR:$_port" --channels 2 $FAULT_NOKEY \
			> "$T/out" 2>&1
		mcheck "$_st: migctl start" [ $? -eq 0 ]
		log_wait "$T/sink.out" 'hello read, no reply' 10
		mig_get src "$_sid"
		{ cat "$T/sink.out"; cat "$T/mig-src.json"; } > "$T/out"
		mcheck "$_st: source in setup, waiting for the reply" [ "$(mjv state)" = setup ]
		_t0=$(now_cs)
		if [ $_how = kill ]; then
			fault_injected "destination killed after reading the hello"
			kill -9 "$_sk"; wait "$_sk" 2>/dev/null
			mig_wait src "$_sid" "completed failed cancelled" 30
		else
			fault_injected "destination silent after reading the hello"
			mig_wait src "$_sid" "completed failed cancelled" 30
			kill -9 "$_sk"; wait "$_sk" 2>/dev/null
		fi
		_t1=$(now_cs)
		cp "$T/mig-src.json" "$T/out"
		echo "# $_st: source $(mjv state) after $((_t1 - _t0))0 ms: $(mig_reason src)"
		mcheck "$_st: source failed" [ "$(mjv state)" = failed ]
		if [ $_how = kill ]; then
			mcheck "$_st: within 5 s" [ $((_t1 - _t0)) -lt 500 ]
			mcheck "$_st: reason 'channel 0: hello to ... failed'" reason_is src \
				'channel 0: hello to .* failed \(-E(CONNRESET|PIPE|CONNABORTED)\)|peer (closed|reset)'
		else
			fc "$_st: after the 10 s setup timeout (9..20 s)" \
				'[ $((_t1 - _t0)) -ge 900 ] && [ $((_t1 - _t0)) -lt 2000 ]'
			mcheck "$_st: reason 'channel 0: hello to ... failed (-ETIMEDOUT)'" reason_is src \
				'channel 0: hello to .* failed \(-ETIMEDOUT\)'
		fi
	done
	src_unchanged
	region_stop "$_spid"
	klog_ok
}

# fault_live_dst_killed pass|switchover: kmig-vmm source (2 writers, far
# above a 1 MiB/s limit, downtime limit 1 ms: forced over after 2 passes)
# to kmig-vmm dest; the destination VMM killed mid-pass 1, or as soon as
# the source paused the guest and switched over (the final pass, about
# three seconds at 1 MiB/s, in flight; killed before any other command,
# which in UML can take a second). The source fails naming a channel, its
# VMM reports result=failed, resumes the guest (--resume) and exits 1.
fault_live_dst_killed() {
	_when=$1
	begin "fault: destination VMM killed at $1 (live)" "fld$_when"
	# shellcheck disable=SC2086
	vmm_dst "$_tag" fdst --size 16 --port 0 --addr "$LIVE_ADDR" --channels 2 $FAULT_KEY || return 1
	# shellcheck disable=SC2086
	vmm_src "$_tag" fsrc --size 16 --to "$LIVE_ADDR:$_port" --fill-random 1024 \
		--seed 41 --channels 2 --writers 2 --rate 500 --pattern random \
		--max-bandwidth 1048576 --downtime-limit 1 --max-passes 2 \
		--no-convergence switchover --resume $FAULT_KEY || return 1
	if [ "$_when" = pass ]; then
		log_wait "$T/fsrc.log" '^(event|status) pass-done .* pass=0 ' 60
	else
		log_wait "$T/fsrc.log" '^switchover sent' 60
	fi
	_rc=$?
	kill -9 "$_dpid"
	cp "$T/fsrc.log" "$T/out"
	fc "$_tag: source reached the $_when, destination killed there" \
		'[ $_rc -eq 0 ] && ! grep -q "^summary result=completed" "$T/out"'
	fault_injected "destination VMM killed at $_when"
	vmm_done fsrc fdst 60 1
	show source "$T/fsrc.log" '^(event failed|summary|resumed|switchover)'
	mcheck "$_tag: source failed event, reason names a channel" \
		grep -qE "^(event|status) failed region=$_sid state=failed .*reason=\".*channel [0-9]" "$T/fsrc.log"
	fc "$_tag: kmig-vmm source: summary result=failed, exit 1" \
		'grep -q "^summary result=failed" "$T/fsrc.log" && [ $_src = 1 ]'
	vmm_writes_on "$_tag: the source guest runs on after the failure" fsrc
	fc "$_tag: both regions gone with their VMMs" \
		'! [ -d /sys/kernel/kmig/regions/$_sid ] && ! [ -d /sys/kernel/kmig/regions/$_did ]'
	klog_ok
}

# fault_colo_secondary_killed: COLO at 4 MiB/s, the primary's writers at
# 2000 pages/s, 200 ms apart: each checkpoint sends some 400 pages (about
# 0.4 s). The secondary kmig-vmm is killed 100 ms after the primary's
# checkpoint-pause event of checkpoint 2 (its pages in flight). The primary
# fails over (secondary lost), runs on alone and exits 0 after a cancel.
fault_colo_secondary_killed() {
	begin "fault: COLO secondary killed mid-checkpoint" fcsk
	# shellcheck disable=SC2086
	vmm_dst "$_tag" cdst --size 16 --port 0 --addr "$LIVE_ADDR" --channels 2 --colo $FAULT_KEY ||
		return 1
	# shellcheck disable=SC2086
	vmm_src "$_tag" csrc --size 16 --to "$LIVE_ADDR:$_port" \
		--fill-random 512 --seed 84 --channels 2 --writers 2 --rate 2000 \
		--pattern random --max-bandwidth 4194304 --max-passes 2 --no-convergence switchover \
		--colo --checkpoint-interval 200 $FAULT_KEY || return 1
	log_wait "$T/csrc.log" '^checkpoint 1 pages' "$COLO_TIMEOUT"
	mcheck "$_tag: checkpoint 1 done" [ $? -eq 0 ]
	log_wait "$T/csrc.log" '^event checkpoint-pause .* checkpoint=2 ' 30
	sleep 0.1
	_in="in flight"
	grep -q '^checkpoint 2 pages' "$T/csrc.log" && _in='done'
	fault_injected "COLO secondary killed mid-checkpoint"
	echo "# $_tag: killed while checkpoint 2 was $_in"
	colo_failover "the primary ends with result failover and exits 0"
	klog_ok
}

# fault_dst_region_closed: a kmig source (2 channels, 4 MiB/s, 16 MiB of
# data: 4 s) into a kmig-systest destination region whose owner closes it
# (SIGTERM: munmap, close) once pages arrive.
fault_dst_region_closed() {
	begin "fault: destination region closed mid-receive" fdrc
	pair_start "$_tag" "$MIG_SMALL_MB" --random 4096 --zero 512 --seed 35 || return 1
	_h0=$(region_hash "$_spid" "$T/src.hash")
	_gcan=$(gstat migrations_cancelled) _greg=$(gstat regions)
	# shellcheck disable=SC2086
	pair_listen "$_tag" listen --channels 2 $FAULT_KEY || return 1
	# A live migration only for its bandwidth limit: nobody writes.
	# shellcheck disable=SC2086
	"$MIGCTL" start --region "$_sid" --to "$MIG_ADDR:$MPORT" --channels 2 --live \
		--max-bandwidth 4M $FAULT_KEY > "$T/out" 2>&1 ||
		{ notok "$_tag: migctl start --live"; pair_stop; return 1; }
	mig_wait_active "$_did" 30
	mcheck "$_tag: destination active, pages arriving" [ $? -eq 0 ]
	echo "# $_tag: closed at $(mjv pages_done) pages"
	fault_injected "destination region closed mid-receive"
	region_stop "$_dpid"
	mig_wait src "$_sid" "completed failed cancelled" 30
	cp "$T/mig-src.json" "$T/out"
	echo "# $_tag: source: $(mig_reason src)"
	mcheck "$_tag: source failed, reason names a channel" failed_with src 'channel [0-9]'
	mcheck "$_tag: destination region freed" fault_region_gone "$_did"
	mcheck "$_tag: kernel log: destination migration cancelled: region closed by its owner" \
		klog_has "$_did" "region $_did: destination migration cancelled: region closed by its owner"
	gstat_is "$_tag: module migrations_cancelled + 1" migrations_cancelled "$((_gcan + 1))"
	src_unchanged
	region_stop "$_spid"
	gstat_is "$_tag: module regions back to $((_greg - 2))" regions "$((_greg - 2))"
	klog_ok
}

# fault_src_killed vmm|region
#   vmm: kmig-vmm source (live, 4 MiB/s, 16 MiB of data) killed with
#     SIGKILL mid-pass 0: its region goes, the source migration is
#     cancelled ("region closed by its owner"), kmig-vmm dest gets failed
#     (the peer closed a channel, or cut a packet short).
#   region: a kmig-systest source region whose migration is blocked on a
#     stalled wire-sink (full windows) killed with SIGKILL: the channel
#     threads blocked in send are stopped, the region goes, the sink sees
#     its connection closed.
fault_src_killed() {
	_how=$1
	begin "fault: source $1 killed mid-migration" "fsk$_how"
	if [ "$_how" = vmm ]; then
		# shellcheck disable=SC2086
		vmm_dst "$_tag" ksdst --size 64 --port 0 --addr "$LIVE_ADDR" --channels 2 $FAULT_KEY || return 1
		# shellcheck disable=SC2086
		vmm_src "$_tag" kssrc --size 64 --to "$LIVE_ADDR:$_port" --fill-random 4096 \
			--seed 43 --channels 2 --writers 1 --rate 200 --max-bandwidth 4194304 $FAULT_KEY || return 1
		mig_wait_active "$_did" 30
		mcheck "$_tag: destination active, pages arriving" [ $? -eq 0 ]
		fault_injected "source VMM killed mid-pass"
		kill -9 "$_spid"; wait "$_spid" 2>/dev/null
		vmm_wait "$_dpid" 30; _drc=$VRC
		cp "$T/ksdst.log" "$T/out"
		show destination "$T/ksdst.log" '^(event failed|summary)'
		# The kill lands between packets (the close) or inside one (a
		# packet cut short): either way the destination fails naming it.
		fc "$_tag: destination failed: peer closed a channel before COMPLETE or cut a packet short, exit 1" \
			'grep -qE "^(event|status) failed region=$_did .*(peer closed channel [0-9]+ before COMPLETE|channel [0-9]+ packet [0-9]+: [a-zA-Z-]+: short buffer)" "$T/ksdst.log" && [ $_drc = 1 ]'
	else
		region_start src --size "$MIG_SMALL_MB" --random 4096 --seed 45 ||
			{ notok "$_tag: source region"; return 1; }
		_spid=$RPID _sid=$RID
		sink_stall_start 2 "$MIG_SMALL_MB" || { notok "$_tag: wire-sink"; region_stop "$_spid"; return 1; }
		# shellcheck disable=SC2086
		"$MIGCTL" start --region "$_sid" --to "$MIG_ADDR:$SINKPORT" --channels 2 $FAULT_NOKEY \
			> "$T/out" 2>&1
		mcheck "$_tag: migctl start" [ $? -eq 0 ]
		mcheck "$_tag: source blocked on the stalled sink" src_stalled "$_sid" 2
		fault_injected "source region process killed while blocked in send"
		kill -9 "$_spid"; wait "$_spid" 2>/dev/null
	fi
	_t0=$(now_cs)
	fault_region_gone "$_sid"
	_rc=$?
	_t1=$(now_cs)
	"$MIGCTL" --json regions > "$T/out" 2>&1
	mcheck "$_tag: source region freed (in $((_t1 - _t0))0 ms)" [ $_rc -eq 0 ]
	mcheck "$_tag: kernel log: source migration cancelled: region closed by its owner" \
		klog_has "$_sid" "region $_sid: source migration cancelled: region closed by its owner"
	if [ "$_how" = region ]; then
		kill -9 "$SINKPID" 2>/dev/null; wait "$SINKPID" 2>/dev/null
	fi
	klog_ok
}

# fault_rmmod: rmmod while a migration runs (a source blocked on a stalled
# sink, a destination listening) is refused and changes nothing; the
# migration then cancels normally. With everything closed but a netlink
# monitor subscribed, rmmod succeeds; the module loads again.
fault_rmmod() {
	begin "fault: rmmod during a migration" frm
	pair_start "$_tag" "$MIG_SMALL_MB" --random 4096 --seed 47 || return 1
	# shellcheck disable=SC2086
	mig_listen "$_did" --channels 1 $FAULT_KEY || notok "$_tag: listen"
	sink_stall_start 1 "$MIG_SMALL_MB" || { notok "$_tag: wire-sink"; pair_stop; return 1; }
	# shellcheck disable=SC2086
	"$MIGCTL" start --region "$_sid" --to "$MIG_ADDR:$SINKPORT" --channels 1 $FAULT_NOKEY \
		> "$T/out" 2>&1
	mcheck "$_tag: source blocked on a stalled sink" src_stalled "$_sid" 1
	_ref=$(cat /sys/module/kmig/refcnt 2>/dev/null)
	fault_injected "rmmod during a migration"
	# rmmod (kmod) looks at the refcount itself; busybox's calls
	# delete_module(O_NONBLOCK) (the kernel's try_stop_module) directly.
	_n=0 _bad=0
	while [ $_n -lt 3 ]; do
		rmmod kmig > "$T/rmmod.out" 2>&1 && _bad=$((_bad + 1))
		if command -v busybox > /dev/null 2>&1; then
			busybox rmmod kmig >> "$T/rmmod.out" 2>&1 && _bad=$((_bad + 1))
		fi
		_n=$((_n + 1))
	done
	{ echo "refcnt $_ref, rmmod succeeded $_bad of 3 times"; cat "$T/rmmod.out"; } > "$T/out"
	sort -u "$T/rmmod.out" | sed 's/^/# rmmod: /' | head -3
	fc "$_tag: rmmod refused 3 times, the module stays (refcnt $_ref)" \
		'[ $_bad = 0 ] && [ -d /sys/module/kmig ] && [ "${_ref:-0}" -ge 2 ]'
	mig_get src "$_sid"; _s=$(mjv state)
	mig_get dst "$_did"; _d=$(mjv state)
	echo "source $_s destination $_d" > "$T/out"
	mcheck "$_tag: the migrations go on: source active, destination listening" \
		[ "$_s/$_d" = active/listening ]
	"$MIGCTL" cancel --region "$_sid" > "$T/out" 2>&1
	mcheck "$_tag: then the source cancels" [ $? -eq 0 ]
	dst_run "$MIGCTL" cancel --region "$_did" > "$T/out" 2>&1
	mcheck "$_tag: and the listener" [ $? -eq 0 ]
	kill -9 "$SINKPID" 2>/dev/null; wait "$SINKPID" 2>/dev/null
	# Regions with finished migrations still hold the module.
	rmmod kmig > "$T/out" 2>&1
	_rc=$?
	fc "$_tag: rmmod refused while the regions are open (migrations ended)" \
		'[ $_rc -ne 0 ] && [ -d /sys/module/kmig ]'
	pair_stop
	# A subscribed netlink monitor does not hold the module.
	"$MIGCTL" monitor --json > "$T/mon.json" 2> "$T/mon.err" &
	_mp=$!
	sleep 0.5
	_rc=1
	wait_until 5 rmmod kmig > "$T/out" 2>&1 && _rc=0
	fc "$_tag: after everything closed (a monitor subscribed) rmmod succeeds" \
		'[ $_rc -eq 0 ] && [ ! -d /sys/module/kmig ]'
	wait_until 3 sh -c "! kill -0 $_mp" 2>/dev/null
	kill "$_mp" 2>/dev/null; wait "$_mp" 2>/dev/null
	sed 's/^/# monitor: /' "$T/mon.err" | head -2
	load > "$T/out" 2>&1
	mcheck "$_tag: insmod again" [ $? -eq 0 ]
	# The module works after the reload.
	region_start src --size 4 --random 16 --seed 49 || notok "$_tag: a region after the reload"
	region_stop "$RPID"
	klog_ok
}

# fault_memcg: the destination region's owner runs in a memory cgroup
# with memory.max FAULT_MEMCG_MAX (the region, opened there, charges its
# pages to it); the source sends 32 MiB of data. The migration must fail
# on the allocation: the destination with a reason naming ENOMEM and the
# region's alloc_failures > 0, the source with a reason; no OOM kill (the
# cgroup's memory.events oom_kill 0, the owner alive), a bystander outside
# the cgroup untouched; after the owner exits the cgroup is empty.
fault_memcg() {
	_tag="fault: destination out of memory (memory cgroup)"
	_cg=/sys/fs/cgroup/kmig-fault
	if ! grep -q '^cgroup2 /sys/fs/cgroup ' /proc/mounts; then
		mount -t cgroup2 cgroup2 /sys/fs/cgroup 2>/dev/null
	fi
	if ! grep -qw memory /sys/fs/cgroup/cgroup.controllers 2>/dev/null; then
		skip "$_tag" "no cgroup v2 memory controller"
		return 0
	fi
	echo +memory > /sys/fs/cgroup/cgroup.subtree_control 2>/dev/null
	rmdir "$_cg" 2>/dev/null
	if ! mkdir "$_cg" || ! echo "$FAULT_MEMCG_MAX" > "$_cg/memory.max"; then
		skip "$_tag" "cannot make a memory cgroup with memory.max"
		return 0
	fi
	echo 0 > "$_cg/memory.swap.max" 2>/dev/null
	begin "$_tag" fmcg
	sleep 1000000 &
	_by=$!
	region_start src --size 64 --random 8192 --seed 51 --out "$T/src.hash" ||
		{ notok "$_tag: source region"; kill $_by; rmdir "$_cg"; return 1; }
	_spid=$RPID _sid=$RID
	_h0=$(region_hash "$_spid" "$T/src.hash")
	# The destination opens /dev/kmig from inside the cgroup.
	printf '#!/bin/sh\necho $$ > %s/cgroup.procs || exit 1\nexec "%s" "$@"\n' "$_cg" "$SYSTEST" \
		> "$T/cgwrap"
	chmod +x "$T/cgwrap"
	_sys=$SYSTEST
	SYSTEST=$T/cgwrap
	region_start dst --size 64 --out "$T/dst.hash"
	_rc=$?
	SYSTEST=$_sys
	if [ $_rc -ne 0 ]; then
		notok "$_tag: destination region in the cgroup"; region_stop "$_spid"; kill $_by; rmdir "$_cg"
		return 1
	fi
	_dpid=$RPID _did=$RID
	grep -qx "$_dpid" "$_cg/cgroup.procs" > "$T/out" 2>&1
	mcheck "$_tag: destination owner $_dpid in the cgroup (memory.max $FAULT_MEMCG_MAX)" [ $? -eq 0 ]
	_gaf=$(gstat alloc_failures)
	# shellcheck disable=SC2086
	if ! mig_listen "$_did" --channels 2 $FAULT_KEY; then
		notok "$_tag: listen"
	else
		fault_injected "destination memory cgroup limit mid-receive"
		# shellcheck disable=SC2086
		mstart "$_tag: migctl start --wait exits 1 (not completed)" 1 120 --region "$_sid" \
			--to "$MIG_ADDR:$MPORT" --channels 2 $FAULT_KEY
		mig_wait dst "$_did" "completed failed cancelled" 30
		cp "$T/mig-dst.json" "$T/out"
		echo "# $_tag: destination $(mjv state): $(mig_reason dst)"
		mcheck "$_tag: destination failed, reason names ENOMEM" failed_with dst ENOMEM
		mig_get src "$_sid"
		cp "$T/mig-src.json" "$T/out"
		echo "# $_tag: source $(mjv state): $(mig_reason src)"
		mcheck "$_tag: source failed" [ "$(mjv state)" = failed ]
	fi
	_af=$(sysfs "regions/$_did/alloc_failures")
	echo "region alloc_failures ${_af:-gone}, module $_gaf -> $(gstat alloc_failures)" > "$T/out"
	fc "$_tag: region alloc_failures > 0, module counter up" \
		'[ "${_af:-0}" -gt 0 ] && [ "$(gstat alloc_failures)" -gt "$_gaf" ]'
	_oom=$(sed -n 's/^oom_kill //p' "$_cg/memory.events")
	{ cat "$_cg/memory.events"; echo "owner alive: $(kill -0 "$_dpid" 2>/dev/null && echo yes || echo no)"; } > "$T/out"
	echo "# $_tag: memory.events: $(tr '\n' ' ' < "$_cg/memory.events")"
	fc "$_tag: no OOM kill: memory.events oom_kill 0, the destination owner alive" \
		'[ "${_oom:-x}" = 0 ] && kill -0 "$_dpid" 2>/dev/null'
	mcheck "$_tag: bystander and source owner alive" kill -0 "$_by" "$_spid"
	src_unchanged
	pair_stop
	kill "$_by"; wait "$_by" 2>/dev/null
	fault_region_gone "$_did" > /dev/null
	wait_until 5 rmdir "$_cg" 2>/dev/null
	mcheck "$_tag: the cgroup is empty and removed" [ ! -d "$_cg" ]
	klog_ok
}

# fault_64ch: 64 channels on a sparse 4 GiB region (FAULT_64_RANDOM data
# and FAULT_64_ZERO zero pages): both sides complete with 64 channels and
# the content is equal.
fault_64ch() {
	_rnd=${FAULT_64_RANDOM:-4096} _zer=${FAULT_64_ZERO:-1024}
	begin "fault: 64 channels, sparse 4 GiB region" f64
	pair_start "$_tag" 4096 --random "$_rnd" --zero "$_zer" --seed 53 || return 1
	# shellcheck disable=SC2086
	pair_listen "$_tag" listen --channels 64 $FAULT_KEY || return 1
	fault_injected "64 channels on a 4 GiB region"
	_t0=$(now_cs)
	# shellcheck disable=SC2086
	mstart "$_tag: migctl start --wait exits 0" 0 "$MIG_TIMEOUT" --region "$_sid" \
		--to "$MIG_ADDR:$MPORT" --channels 64 $FAULT_KEY
	echo "# $_tag: migrated in $(($(now_cs) - _t0))0 ms"
	mig_wait dst "$_did" "completed failed cancelled" 30
	_dch=$MCH _dst=$(mjv state)
	mig_get src "$_sid"
	{ cat "$T/mig-src.json"; cat "$T/mig-dst.json"; } > "$T/out"
	mcheck "$_tag: both completed on 64 channels" \
		[ "$(mjv state)/$_dst/$MCH/$_dch" = completed/completed/64/64 ]
	_pop=$(sysfs "regions/$_did/populated_pages")
	echo "destination populated $_pop" > "$T/out"
	mcheck "$_tag: destination populated = data pages ($_rnd)" [ "$_pop" = "$_rnd" ]
	pair_hash "$_tag: destination content = source content"
	pair_stop
	klog_ok
}

# fault_both_active SID1 SID2: both sources active (_a, _b their states).
fault_both_active() {
	mig_get src "$1"; _a=$(mjv state)
	mig_get src "$2"; _b=$(mjv state)
	[ "$_a/$_b" = active/active ]
}

# fault_two: two migrations of two region pairs at once (4 and 2
# channels, 16 MiB of data each), live only for a bandwidth limit of 8 MiB/s
# each so that they surely overlap (about 2 s each; nobody writes):
# both active together, both switch over and complete, both copies
# correct.
fault_two() {
	begin "fault: two migrations at once" f2
	_ok=yes
	for _k in 1 2; do
		region_start "s$_k" --size "$MIG_SMALL_MB" --random 4096 --zero 1024 \
			--seed "$((60 + _k))" --out "$T/s$_k.hash" || _ok=no
		eval "_sp$_k=\$RPID _si$_k=\$RID"
		region_start "d$_k" --size "$MIG_SMALL_MB" --out "$T/d$_k.hash" || _ok=no
		eval "_dp$_k=\$RPID _di$_k=\$RID"
		# shellcheck disable=SC2086
		eval "mig_listen \$_di$_k --channels $((6 - 2 * _k)) $FAULT_KEY" || _ok=no
		eval "_port$_k=\$MPORT"
	done
	mcheck "$_tag: two region pairs, two listeners" [ $_ok = yes ]
	fault_injected "two migrations at once"
	# shellcheck disable=SC2154,SC2086
	"$MIGCTL" start --region "$_si1" --to "$MIG_ADDR:$_port1" --channels 4 --live \
		--max-bandwidth 8M $FAULT_KEY > "$T/start1.out" 2>&1
	_r1=$?
	# shellcheck disable=SC2154,SC2086
	"$MIGCTL" start --region "$_si2" --to "$MIG_ADDR:$_port2" --channels 2 --live \
		--max-bandwidth 8M $FAULT_KEY > "$T/start2.out" 2>&1
	_r2=$?
	{ cat "$T/start1.out" "$T/start2.out"; echo "exit $_r1 $_r2"; } > "$T/out"
	mcheck "$_tag: both migctl start exit 0" [ "$_r1/$_r2" = 0/0 ]
	_both=no
	wait_until 5 fault_both_active "$_si1" "$_si2" && _both=yes
	echo "source 1 $_a, source 2 $_b" > "$T/out"
	mcheck "$_tag: both active at the same time" [ $_both = yes ]
	# shellcheck disable=SC2154
	for _k in 1 2; do
		eval "_sp=\$_sp$_k _si=\$_si$_k _dp=\$_dp$_k _di=\$_di$_k"
		wait_until 60 mig_ready "$_si"
		timeout 60 "$MIGCTL" switchover --region "$_si" --wait > "$T/out" 2>&1
		mcheck "$_tag: migration $_k switched over and completed" [ $? -eq 0 ]
		mig_wait dst "$_di" "completed failed cancelled" 30
		_st=$(mjv state)
		_sh=$(region_hash "$_sp" "$T/s$_k.hash"); _dh=$(region_hash "$_dp" "$T/d$_k.hash")
		{ cat "$T/mig-dst.json"; echo "$_sh"; echo "$_dh"; } > "$T/out"
		fc "$_tag: migration $_k: destination completed, content = source" \
			'[ "$_st" = completed ] && hash_eq "$_sh" "$_dh"'
		region_stop "$_sp"
		region_stop "$_dp"
	done
	klog_ok
}

# fault_stall_one HOLD: a source (2 channels) blocked on a wire-sink that
# stopped reading (full receive windows), the stall held HOLD seconds.
# Channel sockets have TCP_USER_TIMEOUT 30 s (Documentation/kmig/
# protocol.rst, Sockets), which also bounds a zero window: a hold under
# 30 s leaves the source active, sending nothing, and the cancel after it
# ends it within 5 s; a longer hold sees the source fail by itself after
# the 30 s (reason 'peer stopped responding on channel N (TCP timeout)'
# or 'send failed ... -ETIMEDOUT'), the
# sink still stalled, and a cancel at the end of the hold answered
# "already ended". Sets FST_TAG.
fault_stall_one() {
	_hold=$1
	begin "fault: destination stops reading for $1 s" "fst$_hold"
	region_start src --size "$MIG_SMALL_MB" --random 4096 --seed 55 --out "$T/src.hash" ||
		{ notok "$_tag: source region"; return 1; }
	_spid=$RPID _sid=$RID
	_h0=$(region_hash "$_spid" "$T/src.hash")
	sink_stall_start 2 "$MIG_SMALL_MB" || { notok "$_tag: wire-sink"; region_stop "$_spid"; return 1; }
	# shellcheck disable=SC2086
	"$MIGCTL" start --region "$_sid" --to "$MIG_ADDR:$SINKPORT" --channels 2 $FAULT_NOKEY \
		> "$T/out" 2>&1
	mcheck "$_tag: source blocked on the stalled sink" src_stalled "$_sid" 2
	fault_injected "destination receive window full for $_hold s"
	mig_get src "$_sid"; _b0=$(mjv bytes)
	_t0=$(now_cs) _tend=''
	wait_until "$_hold" fault_stall_sample
	cp "$T/mig-src.json" "$T/out"
	if [ "$_hold" -lt 30 ]; then
		fc "$_tag: still active after $_hold s, nothing more sent ($_b0 = $(mjv bytes) bytes)" \
			'[ "$(mjv state)" = active ] && [ "$_b0" = "$(mjv bytes)" ]'
	else
		echo "# $_tag: the source ended after $((${_tend:-0} / 100)) s: $(mig_reason src)"
		# TCP_USER_TIMEOUT 30 s from the last acknowledged data (a bit
		# before the sink's stall was seen), checked every second here.
		fc "$_tag: source failed by itself after the 30 s TCP user timeout (20..60 s)" \
			'[ "$(mjv state)" = failed ] && [ "${_tend:-0}" -ge 2000 ] && [ "${_tend:-0}" -le 6000 ]'
		mcheck "$_tag: reason 'peer stopped responding on channel N (TCP timeout)' or 'send failed ... -ETIMEDOUT'" \
			reason_is src 'peer stopped responding on channel [0-9]+ \(TCP timeout\)|channel [0-9]+: send failed.*(-110|ETIMEDOUT)'
		fc "$_tag: nothing more sent while stalled ($_b0 = $(mjv bytes) bytes)" '[ "$_b0" = "$(mjv bytes)" ]'
	fi
	_t0=$(now_cs)
	"$MIGCTL" cancel --region "$_sid" > "$T/cancel.out" 2>&1
	_rc=$?
	mig_wait src "$_sid" "completed failed cancelled" 10
	_t1=$(now_cs)
	{ echo "cancel exit $_rc after $((_t1 - _t0))0 ms"; cat "$T/cancel.out"; cat "$T/mig-src.json"; } > "$T/out"
	echo "# $_tag: migctl cancel answered in $((_t1 - _t0))0 ms: $(head -1 "$T/cancel.out")"
	if [ "$_hold" -lt 30 ]; then
		fc "$_tag: then cancelled within 5 s" \
			'[ $_rc -eq 0 ] && [ "$(mjv state)" = cancelled ] && [ $((_t1 - _t0)) -lt 500 ]'
	else
		fc "$_tag: a cancel then answers 'already ended' at once, state failed" \
			'[ $_rc -eq 1 ] && grep -q "already ended" "$T/cancel.out" && [ "$(mjv state)" = failed ] && [ $((_t1 - _t0)) -lt 500 ]'
	fi
	kill -9 "$SINKPID" 2>/dev/null; wait "$SINKPID" 2>/dev/null
	src_unchanged
	region_stop "$_spid"
	klog_ok "(no hung task)"
}

# fault_stall_sample: the source's status about every second (for
# wait_until, which it never satisfies); _tend: when it left active.
fault_stall_sample() {
	sleep 0.9
	mig_get src "$_sid"
	if [ -z "$_tend" ] && [ "$(mjv state)" != active ]; then
		_tend=$(($(now_cs) - _t0))
		cp "$T/mig-src.json" "$T/src-end.json"
	fi
	return 1
}

# fault_stall [SECONDS]: fault_stall_one 10, then fault_stall_one
# FAULT_STALL_S (or SECONDS), with the hung-task detector at 10 s
# throughout (and one more period after, before the log checks).
fault_stall() {
	_hto=$(cat /proc/sys/kernel/hung_task_timeout_secs 2>/dev/null)
	if [ -n "$_hto" ]; then
		echo 10 > /proc/sys/kernel/hung_task_timeout_secs
	else
		echo "# fault_stall: no hung-task detector in this kernel"
	fi
	fault_stall_one 10
	fault_stall_one "${1:-$FAULT_STALL_S}"
	sleep 11
	mcheck "fault: stalls: kernel log clean after one more hung-task period" klog_clean "fst10"
	[ -n "$_hto" ] && echo "$_hto" > /proc/sys/kernel/hung_task_timeout_secs
}
# fault_stall_env: fault_stall; on Debian 6.1 (QEMU TCG) a shorter long
# stall, still past the 30 s TCP user timeout.
fault_stall_env() {
	if [ "$ENV" = deb61 ]; then fault_stall "${FAULT_STALL_S_DEB61:-40}"; else fault_stall; fi
}

fault_all() {
	vmm_built faults || return 1
	_ft0=$(now_cs)
	loaded || load
	echo "# faults: kmig-to-kmig migrations with '${FAULT_KEY:-no key option}', kmig against wire-peer/wire-sink with '${FAULT_NOKEY:-no key option}'"
	_leak=no
	if [ -w /sys/kernel/debug/kmemleak ]; then
		_leak=yes
		kml_scan "$T/leak0.all"; grep '^unreferenced object' "$T/leak0.all" > "$T/leak0"
	fi
	run_table "$FAULT_CASES"
	if [ $_leak = yes ]; then
		unload
		kml_scan "$T/leak1.all"; grep '^unreferenced object' "$T/leak1.all" > "$T/leak1"
		grep -vxF -f "$T/leak0" "$T/leak1" > "$T/out"
		[ -s "$T/out" ] && cat /sys/kernel/debug/kmemleak >> "$T/out"
		mcheck "faults: kmemleak: no new leak after rmmod" [ ! -s "$T/out" ]
		load
	else
		skip "faults: kmemleak: no new leak after rmmod" "kmemleak not in this kernel"
	fi
	echo "# faults: fault_all took $((($(now_cs) - _ft0) / 100)) s"
}

# fault_run NAME[+ARG]...: the named cases in one boot (for iterating).
fault_run() {
	for _fr in "$@"; do
		loaded || load
		# shellcheck disable=SC2046,SC2091
		$(echo "$_fr" | tr '+' ' ')
	done
}
