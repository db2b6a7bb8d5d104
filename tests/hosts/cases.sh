# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# Two-host cases, sourced by tests/hosts/host.sh on both hosts: host a is
# the source of every migration, host b the destination. Each case runs on
# both at once, in step (sync_point, put, get), under the link conditions
# of its line, and checks the content byte-identical at the end and each
# host's kernel log since the case began.
#
# The cases:  NAME  RTT-MS LOSS-% RATE IP  FUNCTION ARGS
HOST_CASES='
plain-crc         0   0  -       4  hc_plain 4 --integrity
plain-6           0   0  -       6  hc_plain 4
plain-rtt10-loss  10  1  -       4  hc_plain 4 --integrity
plain-rtt50       50  0  -       6  hc_plain 4
plain-rate        0   0  200mbit 4  hc_plain 2
live              0   0  -       4  hc_live 2
live-crc-rtt10    10  0  -       6  hc_live 4 --integrity
live-rtt50-loss   50  1  -       4  hc_live 8
colo              0   0  -       4  hc_colo 2 4
colo-rtt10        10  0  -       6  hc_colo 1 3
flap              0   0  -       4  hc_flap 2
flap-cut          0   0  -       6  hc_cut 2
kill-a-colo       0   0  -       4  hc_colo_kill 2 2
kill-b-live       0   0  -       4  hc_live_kill b 2
kill-a-live       0   0  -       6  hc_live_kill a 2
'
# hc_plain CHANNELS [--integrity]   a paused guest: kmig-systest regions
#     (HC_SIZE_MB, HC_RANDOM random pages, HC_ZERO zero pages), b listens
#     (migctl listen, the key, the integrity wanted or not), a sends with
#     'migctl start --wait'; both completed, the hashes equal
# hc_live CHANNELS [--integrity]   a running guest: kmig-vmm source with a
#     writer (HC_LIVE_RATE pages/s) live-migrates to a kmig-vmm dest; both
#     exit 0, b's hash equals a's at the pause
# hc_colo CHANNELS N   COLO: a kmig-vmm primary (--colo --checkpoints N,
#     a writer) on a, a secondary with a writer of its own on b; both exit
#     0, the secondary ends cancelled at checkpoint N, and at every
#     checkpoint 0..N it equals the primary (byte-identical)
# hc_flap CHANNELS   a live migration slowed to HC_SLOW_BW; mid-pass, host
#     a's port leaves the bridge for 2 s: the migration carries on and
#     completes, byte-identical
# hc_cut CHANNELS   the same with the link down until both sides failed
#     on their own (TCP: the sockets' 30 s user timeout, keepalive on an
#     idle channel): each fails within HC_DEAD_S with a reason naming the
#     timeout, the source guest runs on, both regions and migrations gone
# The cases that kill a host end their run (hosts.sh: a killed host has
# no end; the survivor's sync points and gets return at once):
# hc_colo_kill CHANNELS K   COLO as above, checkpoints HC_COLO_SLOW_MS
#     apart; after checkpoint K host a gives b its per-checkpoint hashes
#     and asks for its own kill: b's secondary fails over within HC_DEAD_S
#     holding checkpoint K, byte-identical to a's then, and frees
#     everything (regions, migrations; rmmod and kmemleak at b's end)
# hc_live_kill a|b CHANNELS   a live migration slowed to HC_SLOW_BW; once
#     pages arrive, b asks for the kill of host a or b: the survivor fails
#     within HC_DEAD_S with its reason (a source's guest runs on) and frees
#     everything
# Every case authenticates (the run's key on both hosts).
: "${HC_SIZE_MB:=32}"
: "${HC_RANDOM:=2048}"
: "${HC_ZERO:=1024}"
: "${HC_LIVE_RATE:=50}"
: "${HC_TIMEOUT:=180}"
: "${HC_SLOW_BW:=1048576}"	# bytes/s of the flap and kill cases' migrations
: "${HC_DEAD_S:=50}"		# a dead peer found: TCP user timeout 30 s + slack
: "${HC_COLO_SLOW_MS:=2000}"	# checkpoint interval of hc_colo_kill

# host_cases_run GLOBS: the lines of HOST_CASES whose name matches one of
# GLOBS, in table order. Each starts and ends at a sync point, so one host
# that fails a case does not run the next one out of step.
host_cases_run() {
	set -f; _hc_ifs=$IFS; IFS='
'
	for _hc in $HOST_CASES; do
		IFS=$_hc_ifs; set +f
		case $_hc in '#'*) continue ;; esac
		_hn=${_hc%% *}
		for _g in $1; do
			# shellcheck disable=SC2254
			case $_hn in $_g) hc_one $_hc; break ;; esac
		done
		set -f
	done
	IFS=$_hc_ifs; set +f
}

# hc_one NAME RTT LOSS RATE IP FUNCTION ARGS...
hc_one() {
	_tag=$1 _rtt=$2 _loss=$3 _rate=$4 HC_IP=$5; shift 5
	begin "$_tag" "host-$_tag"
	_t0=$(now_cs)
	if ! sync_point "begin-$_tag" "$HC_TIMEOUT"; then
		notok "$_tag: host $PEER at the start"
		return
	fi
	link_set "$_rtt" "$_loss" "$_rate" || notok "$_tag: tc netem on $IF"
	"$@"
	link_clear
	sync_point "end-$_tag" "$HC_TIMEOUT" || notok "$_tag: host $PEER at the end"
	echo "# $_tag: $(( ($(now_cs) - _t0) / 100 )) s (rtt $_rtt ms, loss $_loss %, rate $_rate, IPv$HC_IP)"
	klog_ok
}

# hc_wait_end CMD: (b) until CMD (the destination ended) succeeds, or 15 s
# after host a said how its end went (a source that failed leaves a
# destination waiting), at most HC_TIMEOUT.
hc_wait_end() {
	wait_until "$HC_TIMEOUT" _hc_ended "$1"
	wait_until 15 eval "$1"
}
_hc_ended() { eval "$1" || _in val "a.$_tag.hash"; }

# --- hc_plain ------------------------------------------------------------
hc_plain() {
	_ch=$1; shift
	if [ "$ROLE" = b ]; then
		if ! region_start dst --size "$HC_SIZE_MB" --out "$T/dst.hash"; then
			notok "$_tag: destination region"; put "$_tag.port" none; return
		fi
		_did=$RID _dpid=$RPID
		if mig_listen "$_did" --addr "$(my_addr "$HC_IP")" --channels "$_ch" $KEYOPT "$@"; then
			put "$_tag.port" "$MPORT"
		else
			notok "$_tag: migctl listen"; put "$_tag.port" none; region_stop "$_dpid"; return
		fi
		hc_wait_end "mig_in_state dst $_did 'completed failed cancelled'"
		cp "$T/mig-dst.json" "$T/out"
		mcheck "$_tag: destination completed" [ "$(mjv state)" = completed ]
		_dh=$(region_hash "$_dpid" "$T/dst.hash")
		_sh=$(get "$_tag.hash" 10)
		{ echo "source:      $_sh"; echo "destination: $_dh"; } > "$T/out"
		mcheck "$_tag: content byte-identical" hash_eq "$_sh" "$_dh"
		region_stop "$_dpid"
		return
	fi
	_port=$(get "$_tag.port" "$HC_TIMEOUT")
	if ! region_start src --size "$HC_SIZE_MB" --random "$HC_RANDOM" --zero "$HC_ZERO" \
		--seed 18 --out "$T/src.hash"; then
		notok "$_tag: source region"; put "$_tag.hash" none; return
	fi
	_sid=$RID _spid=$RPID
	_sh=$(region_hash "$_spid" "$T/src.hash")
	if [ -z "$_port" ] || [ "$_port" = none ]; then
		notok "$_tag: destination port from host b"; put "$_tag.hash" none
		region_stop "$_spid"; return
	fi
	mstart "$_tag: migctl start --wait exits 0" 0 "$HC_TIMEOUT" --region "$_sid" \
		--to "$(peer_addr "$HC_IP" "$_port")" $KEYOPT --channels "$_ch" "$@"
	mig_get src "$_sid"
	cp "$T/mig-src.json" "$T/out"
	mcheck "$_tag: source completed, $_ch channels" [ "$(mjv state)" = completed ]
	put "$_tag.hash" "$_sh"
	region_stop "$_spid"
}

# --- hc_live -------------------------------------------------------------
hc_live() {
	_ch=$1; shift
	if [ "$ROLE" = b ]; then
		if ! vmm_start dst dest --size "$HC_SIZE_MB" --port 0 --addr "$(my_addr "$HC_IP")" \
			--channels "$_ch" "$@"; then
			notok "$_tag: kmig-vmm dest"; put "$_tag.port" none; return
		fi
		_dpid=$VPID
		put "$_tag.port" "$VPORT"
		hc_wait_end "! kill -0 $_dpid"
		vmm_wait "$_dpid" 1
		cp "$T/dst.log" "$T/out"
		mcheck "$_tag: kmig-vmm dest exits 0" [ "$VRC" = 0 ]
		_dh=$(cat "$T/dst.hash" 2> /dev/null)
		_sh=$(get "$_tag.hash" 10)
		{ echo "source at the pause: $_sh"; echo "destination:         $_dh"; } > "$T/out"
		mcheck "$_tag: content byte-identical" hash_eq "$_sh" "$_dh"
		return
	fi
	_port=$(get "$_tag.port" "$HC_TIMEOUT")
	if [ -z "$_port" ] || [ "$_port" = none ]; then
		notok "$_tag: destination port from host b"; put "$_tag.hash" none; return
	fi
	if ! vmm_start src source --size "$HC_SIZE_MB" --to "$(peer_addr "$HC_IP" "$_port")" \
		--fill-random "$HC_RANDOM" --fill-zero "$HC_ZERO" --seed 18 --channels "$_ch" \
		--writers 1 --rate "$HC_LIVE_RATE" --exit "$@"; then
		notok "$_tag: kmig-vmm source"; put "$_tag.hash" none; return
	fi
	_spid=$VPID
	vmm_wait "$_spid" "$HC_TIMEOUT"
	cp "$T/src.log" "$T/out"
	mcheck "$_tag: kmig-vmm source exits 0 (switched over)" [ "$VRC" = 0 ]
	show "$_tag" "$T/src.log" '^(summary|pass|downtime)'
	put "$_tag.hash" "$(cat "$T/src.hash" 2> /dev/null)"
}

# --- Helpers of the cases below -------------------------------------------
# hc_dst_up ARGS...: (b) a kmig-vmm dest (dst) on this host's address,
# its port given to a; _dpid _did. notok (port none) when it fails.
hc_dst_up() {
	if ! vmm_start dst dest --size "$HC_SIZE_MB" --port 0 --addr "$(my_addr "$HC_IP")" "$@"; then
		notok "$_tag: kmig-vmm dest"; put "$_tag.port" none; return 1
	fi
	_dpid=$VPID _did=$VID
	put "$_tag.port" "$VPORT"
}
# hc_src_up ARGS...: (a) a kmig-vmm source (src) to b's port; _spid _sid.
hc_src_up() {
	_port=$(get "$_tag.port" "$HC_TIMEOUT")
	if [ -z "$_port" ] || [ "$_port" = none ]; then
		notok "$_tag: destination port from host b"; return 1
	fi
	if ! vmm_start src source --size "$HC_SIZE_MB" --to "$(peer_addr "$HC_IP" "$_port")" "$@"; then
		notok "$_tag: kmig-vmm source"; return 1
	fi
	_spid=$VPID _sid=$VID
}
# hc_slow_src CHANNELS ARGS...: (a) a live source slowed to HC_SLOW_BW
# (pass 0 of its 8 MiB of random pages: about 8 s; at 2 MiB/s a TCG
# source could complete before the kill of b landed).
hc_slow_src() {
	_hch=$1; shift
	hc_src_up --fill-random "$HC_RANDOM" --fill-zero "$HC_ZERO" --seed 18 \
		--channels "$_hch" --writers 1 --rate "$HC_LIVE_RATE" \
		--max-bandwidth "$HC_SLOW_BW" "$@"
}
# hc_src_sending: the source's migration is active with pages sent, and
# not over.
hc_src_sending() {
	mig_get src "$_sid"
	[ "$(mjv state)" = active ] && [ "$(mjv pages_done)" -gt 0 ] 2> /dev/null
}
# hc_reason FILE: the reason of the last 'failed' event of a kmig-vmm log.
hc_reason() { sed -n -E 's/^(event|status) failed .* reason="(.*)"$/\2/p' "$1" | tail -n 1; }
# hc_freed: no region and no migration left on this host (kmig-vmm gone).
hc_freed() { [ "$(gstat regions)" = 0 ] && [ "$(gstat migrations_running)" = 0 ]; }
hc_freed_check() {
	wait_until 10 hc_freed
	echo "regions $(gstat regions), migrations_running $(gstat migrations_running)" > "$T/out"
	mcheck "$_tag: $1: every region and migration freed" hc_freed
}
# hc_dead_end LOG SIDE: (the survivor, or both sides of a cut) the
# kmig-vmm of LOG exited (VRC) after the peer was lost _tk ago: it failed
# (exit 1, result failed) within HC_DEAD_S, with the reason the TCP
# timeout gives; the time in _dead.
# shellcheck disable=SC2016
hc_dead_end() {
	_dead=$((($(now_cs) - _tk) / 100))
	_dl=$1 _why=$(hc_reason "$T/$1")
	echo "# $_tag: $2 failed ${_dead} s after the peer was lost: $_why"
	{ cat "$T/$1"; echo "exit $VRC after $_dead s"; } > "$T/out"
	fc "$_tag: $2 fails (kmig-vmm exits 1, result failed)" \
		'[ "$VRC" = 1 ] && grep -q "^summary result=failed" "$T/$_dl"'
	mcheck "$_tag: $2 failed within $HC_DEAD_S s (${_dead} s)" [ "$_dead" -le "$HC_DEAD_S" ]
	mcheck "$_tag: $2's reason names the channel and the timeout" \
		eval 'echo "$_why" | grep -qE "channel [0-9].*(TCP timeout|-110)"'
}

# --- hc_colo -------------------------------------------------------------
hc_colo() {
	_ch=$1 _cn=$2; shift 2
	if [ "$ROLE" = b ]; then
		hc_dst_up --channels "$_ch" --colo --writers 1 --rate 200 --pattern random --seed 5 || return
		hc_wait_end "! kill -0 $_dpid"
		vmm_wait "$_dpid" 1
		show secondary "$T/dst.log" '^(summary|cancelled|failover)'
		cp "$T/dst.log" "$T/out"
		mcheck "$_tag: kmig-vmm secondary exits 0" [ "$VRC" = 0 ]
		mcheck "$_tag: the secondary ends cancelled at checkpoint $_cn (no failover)" \
			grep -q "^cancelled checkpoint $_cn reason primary cancelled COLO" "$T/dst.log"
		get "$_tag.hashes" 10 > "$T/src.hash"
		_bad='' _i=0
		while [ $_i -le "$_cn" ]; do
			hash_eq "$(colo_hash_of "$T/src.hash" checkpoint $_i)" \
				"$(colo_hash_of "$T/dst.hash" checkpoint $_i)" || _bad="$_bad $_i"
			_i=$((_i + 1))
		done
		{ echo "checkpoints differing:$_bad"; cat "$T/src.hash"; echo; cat "$T/dst.hash"; } > "$T/out"
		mcheck "$_tag: secondary = primary at every checkpoint 0..$_cn (byte-identical)" [ -z "$_bad" ]
		hc_freed_check secondary
		return
	fi
	if ! hc_src_up --fill-random "$HC_RANDOM" --fill-zero "$HC_ZERO" --seed 19 \
		--channels "$_ch" --writers 1 --rate 500 --pattern hot:20 \
		--colo --checkpoint-interval 300 --checkpoints "$_cn" "$@"; then
		put "$_tag.hashes" none; return
	fi
	vmm_wait "$_spid" "$HC_TIMEOUT"
	show primary "$T/src.log" '^(colo-summary|summary|checkpoint [0-9]+ pages)'
	cp "$T/src.log" "$T/out"
	mcheck "$_tag: kmig-vmm primary exits 0" [ "$VRC" = 0 ]
	mcheck "$_tag: $_cn checkpoints done on the primary" \
		grep -q "^colo-summary checkpoints=$_cn " "$T/src.log"
	put "$_tag.hashes" "$(cat "$T/src.hash" 2> /dev/null)"
	put "$_tag.hash" done
	hc_freed_check primary
}

# colo_hash_of FILE WHAT N: the "hash ..." part of line "WHAT N hash ..."
# of a kmig-vmm hash file (as in tests/system/colo-cases.sh).
colo_hash_of() { sed -n "s/^$2 $3 \(hash .*\)/\1/p" "$1" | tail -n 1; }

# --- hc_flap and hc_cut --------------------------------------------------
hc_flap() {
	_ch=$1; shift
	if [ "$ROLE" = b ]; then
		hc_dst_up --channels "$_ch" || return
		hc_wait_end "! kill -0 $_dpid"
		vmm_wait "$_dpid" 1
		cp "$T/dst.log" "$T/out"
		mcheck "$_tag: kmig-vmm dest exits 0" [ "$VRC" = 0 ]
		_dh=$(cat "$T/dst.hash" 2> /dev/null)
		_sh=$(get "$_tag.hash" 10)
		{ echo "source at the pause: $_sh"; echo "destination:         $_dh"; } > "$T/out"
		mcheck "$_tag: content byte-identical" hash_eq "$_sh" "$_dh"
		return
	fi
	hc_slow_src "$_ch" --exit "$@" || { put "$_tag.hash" none; return; }
	wait_until 60 hc_src_sending
	mcheck "$_tag: migration under way" [ "$(mjv state)" = active ]
	request link-down
	sleep 2
	request link-up
	echo "# $_tag: link down for 2 s at $(mjv pages_done) pages sent"
	grep '^summary' "$T/src.log" > "$T/out"
	mcheck "$_tag: the migration had not ended at the link's return" [ ! -s "$T/out" ]
	vmm_wait "$_spid" "$HC_TIMEOUT"
	show "$_tag" "$T/src.log" '^(summary|pass|downtime)'
	cp "$T/src.log" "$T/out"
	mcheck "$_tag: kmig-vmm source exits 0 (completed across the flap)" [ "$VRC" = 0 ]
	put "$_tag.hash" "$(cat "$T/src.hash" 2> /dev/null)"
}

hc_cut() {
	_ch=$1; shift
	if [ "$ROLE" = b ]; then
		hc_dst_up --channels "$_ch" || return
		# The link went down when a said so; this side's clock from then.
		get "$_tag.down" "$HC_TIMEOUT" > /dev/null
		_tk=$(now_cs)
		vmm_wait "$_dpid" "$((HC_DEAD_S + 10))"
		hc_dead_end dst.log destination
		hc_freed_check destination
		put "$_tag.ended" yes
		return
	fi
	hc_slow_src "$_ch" --resume "$@" || { put "$_tag.down" none; return; }
	wait_until 60 hc_src_sending
	mcheck "$_tag: migration under way" [ "$(mjv state)" = active ]
	request link-down
	_tk=$(now_cs)
	put "$_tag.down" yes
	echo "# $_tag: link down at $(mjv pages_done) pages sent"
	vmm_wait "$_spid" "$((HC_DEAD_S + 10))"
	hc_dead_end src.log source
	vmm_writes_on "$_tag: the source guest runs on after the failure" src
	hc_freed_check source
	# Up again once b's end is in (the next case, and the end, need it).
	get "$_tag.ended" "$((HC_DEAD_S + 20))" > /dev/null
	request link-up
	wait_until 30 peer_reachable
	mcheck "$_tag: host b reachable again after link-up" [ $? -eq 0 ]
}

# --- hc_colo_kill and hc_live_kill: the last case of a run ---------------
# hc_killed_wait WHO: (the survivor) until hosts.sh killed WHO; _tk then.
hc_killed_wait() {
	wait_until "$HC_TIMEOUT" _in . "killed-$1"
	_rc=$?
	_tk=$(now_cs)
	echo "host $1 killed: $([ $_rc = 0 ] && echo yes || echo no)" > "$T/out"
	mcheck "$_tag: host $1 killed mid-migration" [ $_rc = 0 ]
}

hc_colo_kill() {
	_ch=$1 _k=$2; shift 2
	if [ "$ROLE" = b ]; then
		hc_dst_up --channels "$_ch" --colo || return
		hc_killed_wait a
		vmm_wait "$_dpid" "$((HC_DEAD_S + 10))"
		_dead=$((($(now_cs) - _tk) / 100))
		show secondary "$T/dst.log" '^(summary|failover|cancelled)'
		{ cat "$T/dst.log"; echo "exit $VRC after $_dead s"; } > "$T/out"
		fc "$_tag: the secondary fails over and exits 0" \
			'[ "$VRC" = 0 ] && grep -q "^failover checkpoint " "$T/dst.log"'
		mcheck "$_tag: failed over within $HC_DEAD_S s of the kill ($_dead s)" [ "$_dead" -le "$HC_DEAD_S" ]
		echo "# $_tag: failover $_dead s after the kill: $(grep '^failover' "$T/dst.log")"
		mcheck "$_tag: reason 'primary lost: channel N stopped responding (TCP timeout)'" \
			grep -qE "^failover checkpoint [0-9]+ reason primary lost: channel [0-9]+ stopped responding \(TCP timeout\)" "$T/dst.log"
		_h=$(sed -n 's/^failover checkpoint \([0-9]*\) hash.*/\1/p' "$T/dst.hash" | tail -n 1)
		cp "$T/dst.hash" "$T/out"
		mcheck "$_tag: the secondary holds checkpoint $_k (${_h:-none})" [ "${_h:-x}" = "$_k" ]
		get "$_tag.hashes" 1 > "$T/src.hash"
		_sh=$(colo_hash_of "$T/src.hash" checkpoint "${_h:-x}")
		_dh=$(colo_hash_of "$T/dst.hash" "failover checkpoint" "${_h:-x}")
		{ echo "primary at checkpoint $_h: $_sh"; echo "secondary:             $_dh"; cat "$T/src.hash"; } > "$T/out"
		mcheck "$_tag: secondary = primary at checkpoint ${_h:-?} (byte-identical)" hash_eq "$_sh" "$_dh"
		hc_freed_check "secondary after the failover"
		return
	fi
	hc_src_up --fill-random "$HC_RANDOM" --fill-zero "$HC_ZERO" --seed 20 \
		--channels "$_ch" --writers 1 --rate 500 --pattern random \
		--colo --checkpoint-interval "$HC_COLO_SLOW_MS" "$@" || return
	log_wait "$T/src.log" "^checkpoint $_k pages" "$HC_TIMEOUT"
	_rc=$?
	cp "$T/src.log" "$T/out"
	mcheck "$_tag: checkpoint $_k done" [ $_rc -eq 0 ]
	# The next checkpoint is HC_COLO_SLOW_MS away: the kill comes first.
	put "$_tag.hashes" "$(cat "$T/src.hash" 2> /dev/null)"
	ok "$_tag: host a asks for its own kill after checkpoint $_k"
	request kill-a 60
	notok "$_tag: host a still alive 60 s after kill-a"
}

hc_live_kill() {
	_who=$1 _ch=$2; shift 2
	if [ "$ROLE" = b ]; then
		hc_dst_up --channels "$_ch" || return
		mig_wait_active "$_did" 60
		mcheck "$_tag: pages arriving at b" [ "$(mjv state)" = active ]
		echo "# $_tag: kill-$_who at $(mjv pages_done) pages received"
		[ "$_who" = b ] && ok "$_tag: host b asks for its own kill mid-migration"
		request "kill-$_who" 60
		if [ "$_who" = b ]; then
			notok "$_tag: host b still alive 60 s after kill-b"; return
		fi
		hc_killed_wait a
		vmm_wait "$_dpid" "$((HC_DEAD_S + 10))"
		hc_dead_end dst.log destination
		hc_freed_check "destination after the source's host died"
		return
	fi
	hc_slow_src "$_ch" --resume "$@" || return
	if [ "$_who" = a ]; then
		vmm_wait "$_spid" "$HC_TIMEOUT"
		cp "$T/src.log" "$T/out"
		notok "$_tag: host a not killed mid-migration (kmig-vmm exit $VRC)"
		return
	fi
	hc_killed_wait b
	vmm_wait "$_spid" "$((HC_DEAD_S + 10))"
	hc_dead_end src.log source
	vmm_writes_on "$_tag: the source guest runs on after the failure" src
	hc_freed_check "source after the destination's host died"
}
