# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# Listener hardening system tests: the destination's handshake deadline,
# concurrent handshakes, the connection flood, and the exact `bytes`
# counters. Sourced by tests/system/run-tests.sh after migration-cases.sh
# (POSIX sh), whose helpers it uses; the misbehaving clients are
# tests/system/kmig-hostile (C).
#
# Functions (each prints TAP lines through ok/notok):
#   lst_bytes auth|insecure
#                 1 channel, no CRC: a known stream (LST_RANDOM data pages,
#                 LST_ZERO zero pages); the migration's and the channel's
#                 `bytes` on both sides equal the figure computed from
#                 protocol.rst's sizes, exactly
#   lst_slow      on one keyed listener, one-byte-every-4-s clients, a
#                 partial hello then silence and a partial AUTH RESPONSE
#                 then silence are each dropped at handshake_timeout_ms
#                 from accept (not per read), counted and logged; a cancel
#                 with a handshake pending ends it at once. At the same time
#                 on a second keyed listener, the same clients do not hold
#                 up a real 2-channel source, which completes in far less
#                 than the limit, and its end cancels them
#   lst_flood     LST_FLOOD (200) concurrent clients sending bad hellos in
#                 a loop at a keyed listener; a real 2-channel source
#                 started in the middle completes within the handshake
#                 limit plus LST_MARGIN_S; the listener rejected the flood
#   listener_all  all of these
: "${LST_RANDOM:=300}"		# data pages of the lst_bytes stream
: "${LST_ZERO:=100}"		# zero pages of the lst_bytes stream
: "${LST_DRIP:=3}"		# one-byte-every-4-s clients per listener
: "${LST_FLOOD:=200}"		# concurrent bad clients of lst_flood
: "${LST_FLOOD_MS:=9000}"	# how long the flood lasts
: "${LST_MARGIN_S:=3}"		# over the handshake limit, for a real source

HOSTILE=$BIN/kmig-hostile

# The handshake limit in ms (sysfs, else netlink).
lst_limit_ms() {
	_v=$(sysfs handshake_timeout_ms)
	[ -n "$_v" ] || _v=$("$MIGCTL" --json params 2> /dev/null | jq -r '.handshake_timeout_ms | values')
	echo "${_v:-10000}"
}

# lst_regions: source (LST_RANDOM random + LST_ZERO zero pages) and an
# empty destination; sets _spid _sid _dpid _did.
lst_regions() {
	region_start src --size 16 --random "$LST_RANDOM" --zero "$LST_ZERO" --seed 7 \
		--out "$T/src.hash" || return 1
	_spid=$RPID _sid=$RID
	if ! region_start dst --size 16 --out "$T/dst.hash"; then
		region_stop "$_spid"; return 1
	fi
	_dpid=$RPID _did=$RID
}

lst_bytes() {
	_mode=$1 _tag="listener: bytes, $1"
	case $_mode in
	auth) _opt=$KEYOPT _hs=$((64 + 64 + 3 * 80)) ;;
	*) _opt=--insecure _hs=$((64 + 64)) ;;
	esac
	lst_regions || { notok "$_tag: regions"; return 1; }
	if ! mig_listen "$_did" --channels 1 $_opt; then
		notok "$_tag: listen"; region_stop "$_spid"; region_stop "$_dpid"; return 1
	fi
	timeout "$MIG_TIMEOUT" "$MIGCTL" start --region "$_sid" --to "$MIG_ADDR:$MPORT" \
		--channels 1 --zero-page-detection channel $_opt --wait > "$T/out" 2>&1
	mcheck "$_tag: migration completes" [ $? -eq 0 ]
	mig_wait dst "$_did" "completed failed cancelled" 30
	# protocol.rst: DATA is a 48-byte header, 8 bytes per page offset and
	# the data pages; at most 128 pages a packet; then SYNC, COMPLETE and
	# its acknowledgment, 48 bytes each; the hello and reply 64 each, and
	# with a key CHALLENGE, RESPONSE and PROOF 80 each.
	_p=$((LST_RANDOM + LST_ZERO))
	_ch=$((48 * ((_p + 127) / 128) + 8 * _p + 4096 * LST_RANDOM + 3 * 48))
	_all=$((_ch + _hs))
	_v=
	for _side in src dst; do
		[ $_side = src ] && _r=$_sid || _r=$_did
		mig_get $_side "$_r"
		_b=$(mjv bytes) _cb=$(jq -r '.channel[0].bytes' "$T/mig-$_side.json" 2>/dev/null)
		_sb=$(sysfs "regions/$_r/migration/bytes")
		_v="$_v $_side:$(mjv state)/$(mjv normal_pages)/$(mjv zero_pages)/$_b/$_sb/$_cb"
	done
	_want="src:completed/$LST_RANDOM/$LST_ZERO/$_all/$_all/$_ch"
	_want="$_want dst:completed/$LST_RANDOM/$LST_ZERO/$_all/$_all/$_ch"
	echo "side:state/normal/zero/bytes/sysfs bytes/channel bytes: got$_v, want $_want" > "$T/out"
	mcheck "$_tag: bytes $_all (channel $_ch) on both sides, netlink and sysfs" \
		[ "$_v" = " $_want" ]
	region_stop "$_spid"
	region_stop "$_dpid"
}

# lst_close_ok FILE LO HI: every kmig-hostile line in FILE says "closed"
# after LO..HI ms.
lst_close_ok() {
	[ -s "$1" ] && ! grep -q ' open$\|no challenge' "$1" &&
		awk -v lo="$2" -v hi="$3" '/ closed / { ms = $(NF - 1); if (ms < lo || ms > hi) bad = 1; n++ }
			END { exit bad || !n }' "$1"
}

# lst_slow_clients PORT FILE: the slow clients at PORT (LST_DRIP one byte
# every 4 s, a partial hello, a partial AUTH RESPONSE), each given up by
# $_max ms; once all have ended, their lines are in FILE.
lst_slow_clients() {
	"$HOSTILE" drip "$MIG_ADDR" "$1" "$LST_DRIP" 4000 "$_max" > "$2-drip" 2>&1 &
	"$HOSTILE" partial-hello "$MIG_ADDR" "$1" 10 "$_max" > "$2-ph" 2>&1 &
	"$HOSTILE" partial-auth "$MIG_ADDR" "$1" 40 "$_max" > "$2-pa" 2>&1 &
	wait
	cat "$2-drip" "$2-ph" "$2-pa" > "$2"
}

lst_slow() {
	_tag="listener: slow clients"
	mark lst-slow
	_lim=$(lst_limit_ms)
	lst_regions || { notok "$_tag: regions"; return 1; }
	region_start dst2 --size 16 --out "$T/dst2.hash" || { notok "$_tag: regions"; return 1; }
	_d2pid=$RPID _d2=$RID
	if ! mig_listen "$_d2" --channels 1 $KEYOPT; then
		notok "$_tag: listen"; region_stop "$_spid"; region_stop "$_dpid"; region_stop "$_d2pid"
		return 1
	fi
	_p1=$MPORT
	if ! mig_listen "$_did" --channels 2 $KEYOPT; then
		notok "$_tag: listen"; region_stop "$_spid"; region_stop "$_dpid"; region_stop "$_d2pid"
		return 1
	fi
	_p2=$MPORT
	_grej=$(gstat rejected_connections)
	_max=$((_lim + 4000))
	# Listener 1: nobody real; every client runs into the deadline.
	lst_slow_clients "$_p1" "$T/h1" &
	_g1=$!
	# Listener 2: the same clients, then a real source 1 s later.
	lst_slow_clients "$_p2" "$T/h2" &
	_g2=$!
	sleep 1
	_t0=$(now_cs)
	timeout "$MIG_TIMEOUT" "$MIGCTL" start --region "$_sid" --to "$MIG_ADDR:$_p2" \
		--channels 2 $KEYOPT --wait > "$T/src.out" 2>&1
	_rc=$? _dt=$(($(now_cs) - _t0))
	echo "# listener: real source beside slow clients: $((_dt * 10)) ms (limit $_lim ms)"
	{ cat "$T/src.out"; echo "exit $_rc after $((_dt * 10)) ms"; } > "$T/out"
	_ok=no; [ $_rc -eq 0 ] && [ $((_dt * 10)) -lt "$_lim" ] && _ok=yes
	mcheck "$_tag: a real source beside them completes within the limit" [ $_ok = yes ]
	mig_wait dst "$_did" "completed failed cancelled" 30
	_sh=$(region_hash "$_spid" "$T/src.hash"); _dh=$(region_hash "$_dpid" "$T/dst.hash")
	{ echo "$_sh"; echo "$_dh"; cat "$T/mig-dst.json"; } > "$T/out"
	_ok=no
	[ "$(mjv state)" = completed ] && [ -n "$_sh" ] && [ "${_sh%% populated*}" = "${_dh%% populated*}" ] &&
		_ok=yes
	mcheck "$_tag: ... destination completed, content migrated" [ $_ok = yes ]
	wait $_g2
	cp "$T/h2" "$T/out"
	mcheck "$_tag: ... its completion closed the slow clients at once" \
		lst_close_ok "$T/h2" 0 $((_dt * 10 + 3000))

	wait $_g1
	echo "# listener: dropped at: $(sed 's/^/[/; s/$/]/' "$T/h1" | tr '\n' ' ')"
	cp "$T/h1" "$T/out"
	mcheck "$_tag: one byte every 4 s, partial hello, partial AUTH RESPONSE: each dropped at the limit ($_lim ms) from accept" \
		lst_close_ok "$T/h1" $((_lim - 500)) $((_lim + 3000))
	mig_get dst "$_d2"
	cp "$T/mig-dst.json" "$T/out"
	mcheck "$_tag: ... still listening, rejected_connections $((LST_DRIP + 2)), auth_failures 1" \
		[ "$(mjv state)/$(mjv rejected_connections)/$(mjv auth_failures)" = "listening/$((LST_DRIP + 2))/1" ]
	klog_since lst-slow > "$T/klog"
	grep 'rejected a connection' "$T/klog" > "$T/out"
	mcheck "$_tag: ... the reason in the kernel log" \
		grep -q "rejected a connection: handshake not done within handshake_timeout_ms" "$T/out"
	echo "module rejected_connections $_grej -> $(gstat rejected_connections)" > "$T/out"
	mcheck "$_tag: ... counted module-wide" \
		[ "$(gstat rejected_connections)" -ge $((_grej + LST_DRIP + 2)) ]

	# Cancel with a handshake pending: it ends at once, nothing hangs.
	"$HOSTILE" partial-hello "$MIG_ADDR" "$_p1" 10 "$_max" > "$T/h1-c" 2>&1 &
	_h1=$!
	sleep 1
	_t0=$(now_cs)
	dst_run "$MIGCTL" cancel --region "$_d2" > "$T/out" 2>&1
	mig_wait dst "$_d2" "cancelled failed completed" 10
	_st=$(mjv state)
	wait $_h1
	_dt=$(($(now_cs) - _t0))
	{ cat "$T/h1-c"; echo "state $_st after $((_dt * 10)) ms"; } > "$T/out"
	mcheck "$_tag: cancel with a handshake pending ends it within 2 s" \
		sh -c "[ '$_st' = cancelled ] && [ $((_dt * 10)) -lt 2000 ] && grep -q ' closed ' '$T/h1-c'"
	region_stop "$_spid"
	region_stop "$_dpid"
	region_stop "$_d2pid"
	mcheck "$_tag: kernel log clean" klog_clean lst-slow
}

lst_flood() {
	_tag="listener: flood of $LST_FLOOD bad connections"
	mark lst-flood
	_lim=$(lst_limit_ms)
	lst_regions || { notok "$_tag: regions"; return 1; }
	if ! mig_listen "$_did" --channels 2 $KEYOPT; then
		notok "$_tag: listen"; region_stop "$_spid"; region_stop "$_dpid"; return 1
	fi
	_gref=$(gstat limit_handshakes_reached)
	"$HOSTILE" flood "$MIG_ADDR" "$MPORT" "$LST_FLOOD" "$LST_FLOOD_MS" > "$T/flood" 2>&1 &
	_hf=$!
	sleep 3
	_t0=$(now_cs)
	timeout "$MIG_TIMEOUT" "$MIGCTL" start --region "$_sid" --to "$MIG_ADDR:$MPORT" \
		--channels 2 $KEYOPT --wait > "$T/src.out" 2>&1
	_rc=$? _dt=$(($(now_cs) - _t0))
	mig_wait dst "$_did" "completed failed cancelled" 30
	_rej=$(mjv rejected_connections)
	wait $_hf
	echo "# listener: real source under the flood: $((_dt * 10)) ms (limit $_lim ms); $(cat "$T/flood"); rejected $_rej; limit_handshakes_reached +$(($(gstat limit_handshakes_reached) - _gref))"
	{ cat "$T/src.out"; echo "exit $_rc after $((_dt * 10)) ms"; cat "$T/flood"; } > "$T/out"
	_ok=no; [ $_rc -eq 0 ] && [ $((_dt * 10)) -lt $((_lim + LST_MARGIN_S * 1000)) ] && _ok=yes
	mcheck "$_tag: a real source started in the middle completes within the limit + ${LST_MARGIN_S} s" \
		[ $_ok = yes ]
	_sh=$(region_hash "$_spid" "$T/src.hash"); _dh=$(region_hash "$_dpid" "$T/dst.hash")
	{ echo "$_sh"; echo "$_dh"; cat "$T/mig-dst.json"; } > "$T/out"
	_ok=no
	[ "$(mjv state)" = completed ] && [ "${_rej:-0}" -gt 0 ] && [ -n "$_sh" ] &&
		[ "${_sh%% populated*}" = "${_dh%% populated*}" ] && _ok=yes
	mcheck "$_tag: ... destination completed, content migrated, the flood rejected" [ $_ok = yes ]
	region_stop "$_spid"
	region_stop "$_dpid"
	mcheck "$_tag: kernel log clean" klog_clean lst-flood
}

listener_all() {
	lst_bytes insecure
	lst_bytes auth
	lst_slow
	lst_flood
}
