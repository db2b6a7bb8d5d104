# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# COLO system tests, sourced by tests/system/run-tests.sh after
# live-cases.sh (POSIX sh: dash in UML, busybox ash in the Debian 6.1
# initramfs). Uses the helpers of run-tests.sh, migration-cases.sh and
# live-cases.sh.
#
# The cases, run by colo_all:  NAME FUNCTION ARGS
COLO_CASES='
migctl-1             colo_migctl 1
migctl-4             colo_migctl 4
vmm-1                colo_vmm 1
vmm-4                colo_vmm 4
primary-before-1     colo_primary_killed before 1
primary-during-1     colo_primary_killed during 1
primary-after-1      colo_primary_killed after 1
primary-during-4     colo_primary_killed during 4
secondary-lost       colo_secondary_lost
'
# colo_migctl CHANNELS   two kmig-systest regions driven by migctl alone:
#     listen --colo, start --live --colo, switchover, COLO entry on both
#     sides (cache = populated pages), checkpoints acknowledged with
#     'migctl colo-paused' from the shell, status and sysfs figures,
#     refusals (colo-paused for a checkpoint not asked, checkpoint on the
#     secondary, COLO hello to a plain listener), cancel: primary
#     cancelled, its CANCEL ends the secondary as cancelled (no failover)
#     at the last committed checkpoint, byte-identical to the primary
# colo_vmm CHANNELS   kmig-vmm primary and secondary, writers on both
#     sides, 6 checkpoints: the secondary equals the primary at every
#     checkpoint (its own writes undone by each flush)
# colo_primary_killed before|during|after CHANNELS   the primary dies at
#     checkpoint 3: the secondary holds checkpoint 2 (before), 2 or 3
#     (during), 3 (after), byte-identical to the primary then
# colo_secondary_lost   the secondary dies: the primary fails over
: "${COLO_TIMEOUT:=120}"	# seconds for one COLO session
: "${COLO_SIZE_MB:=16}"		# guest RAM of the kmig-vmm cases
: "${COLO_RANDOM:=2048}"	# random pages filled on the primary
: "${COLO_ZERO:=512}"		# zero pages filled on the primary

# colo_ack SIDE REGION: answer a pending checkpoint pause of REGION, if
# any (the next checkpoint after the committed one); quiet.
colo_ack() {
	mig_get "$1" "$2"
	_n=$(($(mjv checkpoint) + 1))
	if [ "$1" = dst ]; then
		dst_run "$MIGCTL" colo-paused --region "$2" --checkpoint "$_n" > /dev/null 2>&1
	else
		"$MIGCTL" colo-paused --region "$2" --checkpoint "$_n" > /dev/null 2>&1
	fi
}

# colo_acked N SRC DST: answer the pauses on both sides; N checkpoints
# committed, or the primary left COLO.
colo_acked() {
	colo_ack src "$2"
	colo_ack dst "$3"
	mig_get src "$2"
	[ "$(mjv checkpoints)" -ge "$1" ] 2>/dev/null && return 0
	[ "$(mjv state)" != colo ]
}

colo_migctl() {
	_ch=$1
	begin "COLO by migctl, $1 channel(s)" "cm$_ch"
	pair_start "$_tag" 64 --random 2048 --zero 512 --seed 23 || return 1

	# A COLO primary to a plain listener: refused with its reason.
	# shellcheck disable=SC2086
	if mig_listen "$_did" --channels "$_ch" $KEYOPT; then
		# shellcheck disable=SC2086
		"$MIGCTL" start --region "$_sid" --to "$LIVE_ADDR:$MPORT" --channels "$_ch" \
			$KEYOPT --live --colo > /dev/null 2>&1
		mig_end src "$_sid" failed "$_tag: COLO primary to a plain listener fails"
		mcheck "$_tag: ... with 'COLO not enabled on this destination'" \
			mig_reason_has src "COLO not enabled"
		dst_run "$MIGCTL" cancel --region "$_did" > /dev/null 2>&1
	else
		notok "$_tag: plain listen"
	fi

	# shellcheck disable=SC2086
	pair_listen "$_tag" "listen --colo" --channels "$_ch" --colo $KEYOPT || return 1
	# shellcheck disable=SC2086
	"$MIGCTL" start --region "$_sid" --to "$LIVE_ADDR:$MPORT" --channels "$_ch" \
		$KEYOPT --live --colo --checkpoint-interval 200 > "$T/out" 2>&1
	mcheck "$_tag: migctl start --live --colo" [ $? -eq 0 ]
	wait_until 30 mig_field_is src "$_sid" switchover_ready 1
	"$MIGCTL" switchover --region "$_sid" > "$T/out" 2>&1
	mcheck "$_tag: switchover" [ $? -eq 0 ]
	mig_wait src "$_sid" "colo failed cancelled failover" 30
	cp "$T/mig-src.json" "$T/out"
	mcheck "$_tag: primary in state colo" [ "$(mjv state)" = colo ]
	mig_wait dst "$_did" "colo failed cancelled failover" 30
	cp "$T/mig-dst.json" "$T/out"
	mcheck "$_tag: secondary in state colo" [ "$(mjv state)" = colo ]
	# Zero pages are not allocated on a destination: 2048 pages exist.
	mcheck "$_tag: secondary's COLO cache holds its 2048 populated pages" \
		[ "$(mjv colo_cache_pages)" = 2048 ]
	mcheck "$_tag: checkpoint 0 committed" [ "$(mjv checkpoint)" = 0 ]

	# Refusals.
	"$MIGCTL" colo-paused --region "$_sid" --checkpoint 77 > "$T/out" 2>&1
	fc "$_tag: colo-paused for a checkpoint not asked: refused" \
		"[ $? -eq 1 ] && grep -q 'no pause asked' '$T/out'"
	dst_run "$MIGCTL" checkpoint --region "$_did" > "$T/out" 2>&1
	fc "$_tag: checkpoint on the secondary: refused" \
		"[ $? -eq 1 ] && grep -q 'taken by the primary' '$T/out'"

	# Five checkpoints, each pause answered from here on both sides.
	_t0=$(now_cs)
	wait_until "$COLO_TIMEOUT" colo_acked 5 "$_sid" "$_did"
	mig_get src "$_sid"
	cp "$T/mig-src.json" "$T/out"
	echo "# $_tag: after $((($(now_cs) - _t0) / 100)) s: state $(mjv state), checkpoint $(mjv checkpoint), checkpoints $(mjv checkpoints)"
	mcheck "$_tag: 5 checkpoints committed" [ "$(mjv checkpoints)" -ge 5 ]
	mcheck "$_tag: primary status: colo, interval 200 ms" \
		[ "$(mjv colo)/$(mjv checkpoint_interval_ms)" = true/200 ]
	_lat=$(sysfs "regions/$_sid/migration/colo_pause_ns")
	echo "# $_tag: primary colo_pause_ns: $_lat"
	mcheck "$_tag: sysfs colo_pause_ns counts the checkpoints" [ "${_lat%% *}" -ge 5 ]
	"$MIGCTL" status --region "$_sid" > "$T/out" 2>&1
	sed 's/^/# status: /' "$T/out" | grep -iE 'checkpoint|pause|transfer|flush' | head -8

	# A cancel is no failover: the secondary must not take over a guest
	# that runs on at the primary.
	_fo0=$(sysfs stats/migrations_failed_over)
	_t0=$(now_cs)
	"$MIGCTL" cancel --region "$_sid" > "$T/out" 2>&1
	mcheck "$_tag: cancel the primary" [ $? -eq 0 ]
	echo "# $_tag: migctl cancel answered in $((($(now_cs) - _t0) * 10)) ms"
	mig_wait dst "$_did" "failover failed cancelled completed" 60
	cp "$T/mig-dst.json" "$T/out"
	mcheck "$_tag: secondary cancelled, not failed over, after the primary's cancel" \
		[ "$(mjv state)" = cancelled ]
	mcheck "$_tag: ... reason 'primary cancelled COLO (checkpoint N kept)', N = $(mjv checkpoint)" \
		mig_reason_has dst "primary cancelled COLO (checkpoint $(mjv checkpoint) kept)"
	mcheck "$_tag: the COLO cache is freed at the end" [ "$(mjv colo_cache_pages)" = 0 ]
	echo "stats/migrations_failed_over: $_fo0 -> $(sysfs stats/migrations_failed_over)" > "$T/out"
	mcheck "$_tag: stats migrations_failed_over unchanged" \
		[ "$(sysfs stats/migrations_failed_over)" = "$_fo0" ]
	echo "# $_tag: secondary: checkpoint $(mjv checkpoint), reason: $(mjv reason)"
	mig_get src "$_sid"
	cp "$T/mig-src.json" "$T/out"
	mcheck "$_tag: primary cancelled" [ "$(mjv state)" = cancelled ]
	# The guest did not write: the secondary holds the primary's memory.
	# Hashed only now: hashing under load can outlast the primary's 10 s
	# wait for the next checkpoint's pause, which nobody answers here, and
	# the cancel above must come while the primary waits in that pause.
	pair_hash "$_tag: secondary after the cancel = last committed checkpoint"
	pair_stop
	klog_ok
}

# colo_hash_of FILE WHAT N: the "hash ..." part of line "WHAT N hash ..."
# of a kmig-vmm hash file.
colo_hash_of() { sed -n "s/^$2 $3 \(hash .*\)/\1/p" "$1" | tail -n 1; }

# colo_dst TAG CHANNELS ARGS...: the secondary kmig-vmm (cdst), listening.
colo_dst() {
	_ct=$1 _cc=$2; shift 2
	vmm_dst "$_ct" cdst --size "$COLO_SIZE_MB" --port 0 --addr "$LIVE_ADDR" --channels "$_cc" --colo "$@"
}

# colo_vmm CHANNELS: kmig-vmm primary (2 writers, 2000 pages/s) and
# secondary (1 writer of its own, 500 pages/s) with 6 checkpoints 300 ms
# apart: both exit 0; at every checkpoint (0 = the switchover) the
# secondary's region hashed after the flush equals the primary's hashed
# while paused, although the secondary's writer ran in between (its
# writes are undone by each flush); figures and events.
colo_vmm() {
	_ch=$1
	begin "COLO with kmig-vmm, $1 channel(s), writers on both sides" "cv$_ch"
	colo_dst "$_tag" "$_ch" --writers 1 --rate 500 --pattern random --seed 5 || return 1
	vmm_src "$_tag" csrc --size "$COLO_SIZE_MB" --to "$LIVE_ADDR:$_port" \
		--fill-random "$COLO_RANDOM" --fill-zero "$COLO_ZERO" --seed "$((_ch + 60))" \
		--channels "$_ch" --writers 2 --rate 2000 --pattern hot:20 \
		--colo --checkpoint-interval 300 --checkpoints 6 || return 1
	vmm_done csrc cdst "$COLO_TIMEOUT"
	show primary "$T/csrc.log" '^(colo-summary|summary|checkpoint [0-9]+ pages)'
	show secondary "$T/cdst.log" '^(summary|cancelled|failover)'
	mcheck "$_tag: primary and secondary kmig-vmm exit 0" [ "$_src/$_drc" = 0/0 ]
	mcheck "$_tag: 6 checkpoints done on the primary" \
		grep -q '^colo-summary checkpoints=6 ' "$T/csrc.log"
	_bad=''
	for _n in 0 1 2 3 4 5 6; do
		hash_eq "$(colo_hash_of "$T/csrc.hash" checkpoint $_n)" \
			"$(colo_hash_of "$T/cdst.hash" checkpoint $_n)" || _bad="$_bad $_n"
	done
	{ echo "checkpoints differing:$_bad"; cat "$T/csrc.hash"; echo; cat "$T/cdst.hash"; } > "$T/out"
	mcheck "$_tag: secondary = primary at every checkpoint 0..6 (byte-identical)" [ -z "$_bad" ]
	_w=$(sed -n 's/^summary .* writes=\([0-9]*\).*/\1/p' "$T/cdst.log")
	cp "$T/cdst.log" "$T/out"
	mcheck "$_tag: the secondary's writer wrote between checkpoints ($_w writes, undone)" \
		[ "${_w:-0}" -gt 0 ]
	_p=$(sed -n 's/^checkpoint 6 pages \([0-9]*\) .*/\1/p' "$T/csrc.log")
	cp "$T/csrc.log" "$T/out"
	mcheck "$_tag: checkpoint 6 sent the primary's dirty pages ($_p)" [ "${_p:-0}" -gt 0 ]
	mcheck "$_tag: the secondary ends cancelled (no failover) at checkpoint 6 after the primary's cancel" \
		grep -q "^cancelled checkpoint 6 reason primary cancelled COLO" "$T/cdst.log"
	klog_ok
}

# colo_primary_killed before|during|after CHANNELS: the primary kmig-vmm
# SIGKILLs itself at checkpoint 3, before acknowledging the pause, while
# the checkpoint's pages are in flight (a bandwidth limit makes the
# transfer last), or after checkpoint-done. The secondary (no writers of
# its own) fails over holding checkpoint 2 (before), 2 or 3 (during), 3
# (after), byte-identical to the primary's memory at that checkpoint.
colo_primary_killed() {
	_when=$1 _ch=$2
	begin "COLO primary killed $1 the transfer of checkpoint 3, $2 channel(s)" "ck$_when$_ch"
	colo_dst "$_tag" "$_ch" || return 1
	_delay=''
	[ "$_when" = during ] && _delay="--die-delay 150"
	# Writers far above the 4 MiB/s limit: the live phase is forced
	# over after 2 passes, and each checkpoint takes about a second.
	# shellcheck disable=SC2086 # $_delay: word splitting intended
	vmm_src "$_tag" csrc --size "$COLO_SIZE_MB" --to "$LIVE_ADDR:$_port" \
		--fill-random "$COLO_RANDOM" --fill-zero "$COLO_ZERO" --seed "$((_ch + 70))" \
		--channels "$_ch" --writers 2 --rate 4000 --pattern random \
		--max-bandwidth 4194304 --max-passes 2 --no-convergence switchover \
		--colo --checkpoint-interval 200 --die-at "$_when" --die-checkpoint 3 $_delay || return 1
	vmm_done csrc cdst "$COLO_TIMEOUT" 60
	show primary "$T/csrc.log" '^(dying|checkpoint [0-9]+ pages)'
	show secondary "$T/cdst.log" '^(summary|failover)'
	mcheck "$_tag: the primary died there" grep -q "^dying at $_when checkpoint 3" "$T/csrc.log"
	fc "$_tag: the secondary fails over and exits 0" \
		'[ $_drc -eq 0 ] && grep -q "^failover checkpoint " "$T/cdst.log"'
	_k=$(sed -n 's/^failover checkpoint \([0-9]*\) hash.*/\1/p' "$T/cdst.hash" | tail -n 1)
	case $_when in
	before) _want=2 ;;
	during) _want="2 3" ;;
	*) _want=3 ;;
	esac
	echo "# $_tag: the secondary holds checkpoint $_k (expected: $_want)"
	fc "$_tag: the secondary holds checkpoint $_want" 'case " $_want " in *" ${_k:-x} "*) true ;; *) false ;; esac'
	_sh=$(colo_hash_of "$T/csrc.hash" checkpoint "${_k:-x}")
	_dh=$(colo_hash_of "$T/cdst.hash" "failover checkpoint" "${_k:-x}")
	{ echo "primary at checkpoint $_k: $_sh"; echo "secondary:             $_dh"; cat "$T/csrc.hash"; } > "$T/out"
	mcheck "$_tag: secondary = primary at checkpoint $_k (byte-identical)" hash_eq "$_sh" "$_dh"
	klog_ok
}

# colo_failover NAME: kill the secondary (_dpid): the primary (csrc)
# reports the failover, ends with result failover and exits 0 (NAME).
colo_failover() {
	kill -9 "$_dpid"
	log_wait "$T/csrc.log" '^failover checkpoint' 60
	_rc=$?
	cp "$T/csrc.log" "$T/out"
	mcheck "$_tag: the primary reports the failover" [ $_rc -eq 0 ]
	show primary "$T/csrc.log" '^(event failover|failover|summary)'
	vmm_wait "$_spid" 30; _src=$VRC
	vmm_wait "$_dpid" 1
	cp "$T/csrc.log" "$T/out"
	fc "$_tag: $1" '[ $_src -eq 0 ] && grep -q "^summary result=failover" "$T/csrc.log"'
}

# colo_secondary_lost: the secondary kmig-vmm killed after checkpoint 2:
# the primary fails over (secondary lost) and runs on alone.
colo_secondary_lost() {
	begin "COLO secondary lost" csl
	colo_dst "$_tag" 2 || return 1
	vmm_src "$_tag" csrc --size "$COLO_SIZE_MB" --to "$LIVE_ADDR:$_port" \
		--fill-random "$COLO_RANDOM" --seed 80 --channels 2 --writers 1 --rate 1000 \
		--colo --checkpoint-interval 200 || return 1
	log_wait "$T/csrc.log" '^checkpoint 2 pages' "$COLO_TIMEOUT"
	mcheck "$_tag: checkpoint 2 done" [ $? -eq 0 ]
	colo_failover "the primary ends COLO with result failover and exits 0"
	klog_ok
}

colo_all() {
	vmm_built COLO || return 1
	run_table "$COLO_CASES"
}

# colo_long CHECKPOINTS: a long idle COLO session (debugging aid, not in
# colo_all): prints progress, and on a stall the status of both sides,
# the VMMs' logs and the kernel's task states.
colo_long() {
	rm -f "$T/cdst.log" "$T/csrc.log"
	"$LIVE_VMM" dest --size 256 --port 0 --addr "$LIVE_ADDR" --channels 1 --colo $KEYOPT \
		> "$T/cdst.log" 2>&1 &
	_dpid=$!
	log_wait "$T/cdst.log" '^port ' 30 || return 1
	_port=$(sed -n 's/^port //p' "$T/cdst.log") _did=$(sed -n 's/^id //p' "$T/cdst.log")
	"$LIVE_VMM" source --size 256 --to "$LIVE_ADDR:$_port" --fill-random 16384 \
		--fill-zero 8192 --seed 13 --channels 1 --colo --checkpoint-interval 100 \
		--checkpoints "$1" --writers 1 --rate 1 $KEYOPT > "$T/csrc.log" 2>&1 &
	_spid=$!
	log_wait "$T/csrc.log" '^id ' 30 || return 1
	_sid=$(sed -n 's/^id //p' "$T/csrc.log") _last=-1 _same=0
	while kill -0 "$_spid" 2>/dev/null; do
		sleep 5
		_n=$(grep -c '^checkpoint [0-9]* pages' "$T/csrc.log")
		echo "# colo_long: $_n checkpoints"
		if [ "$_n" = "$_last" ]; then
			_same=$((_same + 1))
		else
			_same=0
		fi
		_last=$_n
		[ $_same -ge 4 ] && break
	done
	if kill -0 "$_spid" 2>/dev/null; then
		echo "# colo_long: stalled at $_last"
		"$MIGCTL" status --region "$_sid" | sed 's/^/# src: /'
		"$MIGCTL" status --region "$_did" | sed 's/^/# dst: /'
		tail -5 "$T/csrc.log" | sed 's/^/# csrc: /'
		tail -5 "$T/cdst.log" | sed 's/^/# cdst: /'
		echo w > /proc/sysrq-trigger
		sleep 1
		dmesg | sed -n '/Show Blocked State/,$p' | head -150 | sed 's/^/# dmesg: /'
		notok "colo_long: stalled at checkpoint $_last"
	else
		tail -3 "$T/csrc.log" | sed 's/^/# csrc: /'
		ok "colo_long: $_last checkpoints"
	fi
	kill -9 "$_spid" "$_dpid" 2>/dev/null
	wait
}
