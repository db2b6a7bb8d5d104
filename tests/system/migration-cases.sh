# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# Migration system tests, sourced by tests/system/run-tests.sh (POSIX sh:
# dash in UML, busybox ash in the Debian 6.1 initramfs). Uses what
# run-tests.sh defines: ok, notok, skip, sysfs, $MIGCTL, $SYSTEST, $T, the
# helpers of lib.sh (regions, migctl, checks), and $KEYOPT ("--key-file FILE": both ends of a kmig-to-kmig migration
# authenticate; a kmig side facing wire-peer or wire-sink is --insecure).
#
# The cases (mig_all runs MIG_CASES, then on deb61 MIG_NETNS_CASES with
# the destination in its own network namespace joined by a veth pair):
#   NAME FUNCTION ARGS
MIG_CASES='
roundtrip-1-none      mig_roundtrip 1 none
roundtrip-1-main      mig_roundtrip 1 main
roundtrip-1-channel   mig_roundtrip 1 channel
roundtrip-2-none      mig_roundtrip 2 none
roundtrip-2-main      mig_roundtrip 2 main
roundtrip-2-channel   mig_roundtrip 2 channel
roundtrip-4-none      mig_roundtrip 4 none
roundtrip-4-main      mig_roundtrip 4 main
roundtrip-4-channel   mig_roundtrip 4 channel
wrong-id              mig_wrong_id
malformed             run_table "$MIG_MALFORMED"
bad-second-hello      mig_bad_second_hello
peer-killed           run_table "$MIG_PEER_KILLED"
compat-newer-source   mig_compat_src
compat-newer-dest     mig_compat_dst
'
MIG_NETNS_CASES='
netns-roundtrip-4     mig_roundtrip 4 channel
netns-roundtrip-2     mig_roundtrip 2 main
netns-bad-offset      mig_malformed bad-offset "offset outside the region"
netns-peer-killed     run_table "$MIG_PEER_KILLED"
'
# mig_roundtrip CHANNELS MODE: full migration between two regions, MODE
#   none|main|channel; mig_wrong_id: a source with another --id is
#   rejected; mig_bad_second_hello: a bad hello after an accepted channel.
# Version skew (protocol.rst, "Compatibility between kmig versions"):
#   mig_compat_src: a kmig destination meets a later source (wire-peer
#   future-only, then future); mig_compat_dst: a kmig source meets a
#   later or broken destination (wire-sink --grant, --reply-version).
# The mid-transfer cases, made deterministic by a userspace peer on the
# slow side: a kmig source blocked on a stalled wire-sink that is killed
# (1 and 2 channels) or the source cancelled; a kmig destination fed
# slowly by wire-peer that is killed, or the destination cancelled.
MIG_PEER_KILLED='
sink-1-kill           mig_src_sink 1 kill
sink-2-kill           mig_src_sink 2 kill
sink-2-cancel         mig_src_sink 2 cancel
slow-kill             mig_dst_slow kill
slow-cancel           mig_dst_slow cancel
'
# mig_malformed CASE EXPECT: wire-peer CASE against a listening destination;
# EXPECT is the reason text (packet cases) or the reply status (hello cases).
MIG_MALFORMED='
bad-magic       mig_malformed bad-magic "bad magic"
bad-type        mig_malformed bad-type "unknown packet type"
bad-flags       mig_malformed bad-flags "unknown packet flags"
reserved        mig_malformed reserved "non-zero reserved bytes"
bad-seq         mig_malformed bad-seq "packet number out of sequence"
zero-count      mig_malformed zero-count "page count zero or over the maximum"
oversized-count mig_malformed oversized-count "page count zero or over the maximum"
sync-counts     mig_malformed sync-counts "page counts on a SYNC or COMPLETE"
bad-offset      mig_malformed bad-offset "offset outside the region"
unaligned       mig_malformed unaligned "offset not page aligned"
dup-offset      mig_malformed dup-offset "duplicate offset in a packet"
truncated       mig_malformed truncated "short buffer"
close           mig_malformed close "peer closed channel 0 before COMPLETE (packet 1)"
garbage-hello   mig_malformed garbage-hello 1
hello-bad-magic mig_malformed hello-bad-magic 1
hello-reserved  mig_malformed hello-reserved 9
bad-version     mig_malformed bad-version 2
bad-page-size   mig_malformed bad-page-size 6
bad-max-pages   mig_malformed bad-max-pages 10
bad-channel-id  mig_malformed bad-channel-id 5
wrong-id        mig_malformed wrong-id 3
wrong-size      mig_malformed wrong-size 7
wrong-channels  mig_malformed wrong-channels 4
short-hello     mig_malformed short-hello -
'
#
# Sizes and knobs, overridable before sourcing:
: "${MIG_SIZE_MB:=256}"	# source and destination regions of mig_roundtrip
: "${MIG_RANDOM:=8192}"	# random-data pages written in the source
: "${MIG_ZERO:=8192}"		# zero-written pages in the source
: "${MIG_STALL_RANDOM:=16384}"	# source data pages of the mid-transfer cases
: "${MIG_SMALL_MB:=64}"		# regions of the rejection and malformed cases
: "${MIG_TIMEOUT:=300}"		# seconds for one migration
: "${MIG_ADDR:=127.0.0.1}"	# destination address seen by the source
: "${MIG_ID:=6b6d69672d6d6967726174696f6e2031}"	# "kmig-migration 1"
MIG_DST_NS=${MIG_DST_NS:-}	# pid holding the destination's netns (netns_setup)

# mig_roundtrip CHANNELS MODE: migrate a region with MIG_RANDOM data and
# MIG_ZERO zero pages into an empty one and compare.
mig_roundtrip() {
	_ch=$1 _mode=$2
	begin "migration, $_ch channel(s), zero-page-detection $_mode" "rt$_ch$_mode"
	pair_start "$_tag" "$MIG_SIZE_MB" --random "$MIG_RANDOM" --zero "$MIG_ZERO" \
		--seed "$((_ch * 16 + 3))" || return 1
	# shellcheck disable=SC2086
	pair_listen "$_tag" "migctl listen --port 0 --json reports a port" --channels "$_ch" $KEYOPT ||
		return 1
	# shellcheck disable=SC2086
	mstart "$_tag: migctl start --wait exits 0" 0 "$((MIG_TIMEOUT + 10))" --region "$_sid" \
		--to "$MIG_ADDR:$MPORT" --channels "$_ch" --zero-page-detection "$_mode" $KEYOPT
	mig_wait dst "$_did" "completed failed cancelled" 30
	_dch=$MCH
	mig_get src "$_sid"
	_sch=$MCH
	{ echo "source:"; cat "$T/mig-src.json"; echo "destination:"; cat "$T/mig-dst.json"; } > "$T/out"
	_sst=$(mjv state); _szero=$(mjv zero_pages); _snorm=$(mjv normal_pages)
	_sdone=$(mjv pages_done); _stotal=$(mjv pages_total)
	echo "# $_tag: $_snorm data + $_szero zero pages in $(mjv time_ns) ns, $(mjv throughput) B/s"
	mj_load "$T/mig-dst.json"; _dst=$(mjv state); _dzero=$(mjv zero_pages); _dnorm=$(mjv normal_pages)
	mcheck "$_tag: both sides completed" [ "$_sst/$_dst" = completed/completed ]
	mcheck "$_tag: $_ch channels on both sides" [ "$_sch/$_dch" = "$_ch/$_ch" ]
	_spop=$(sysfs "regions/$_sid/populated_pages")
	echo "source populated $_spop, zero $_szero + normal $_snorm" >> "$T/out"
	fc "$_tag: source zero + normal pages = its populated pages ($_spop)" \
		'[ "$((_szero + _snorm))" = "$_spop" ] && [ "$_spop" = "$((MIG_RANDOM + MIG_ZERO))" ]'
	fc "$_tag: source pages_done = pages_total" '[ -n "$_sdone" ] && [ "$_sdone" = "$_stotal" ]'
	if [ "$_mode" = none ]; then _wz=0; else _wz=$MIG_ZERO; fi
	mcheck "$_tag: zero pages sent = $_wz" [ "$_szero" = "$_wz" ]
	mcheck "$_tag: destination normal/zero pages = source's" [ "$_dnorm/$_dzero" = "$_snorm/$_szero" ]
	_dpop=$(sysfs "regions/$_did/populated_pages")
	echo "destination populated $_dpop" >> "$T/out"
	mcheck "$_tag: destination populated pages = data pages sent ($_snorm)" [ "$_dpop" = "$_snorm" ]
	# The same hash and non-zero page count; populated differs by the zero pages.
	pair_hash "$_tag: destination content = source content" "$MIG_RANDOM"
	pair_stop
	klog_ok
}

# sink_stall_start CHANNELS SIZE_MB [ARGS...]: kmig-systest wire-sink as a
# stalling destination (reads 4 packets per channel, then nothing; or, with
# ARGS, e.g. --stall-after 0, as ARGS say), in the destination's
# namespace; sets SINKPID and SINKPORT, output in $T/sink.out.
sink_stall_start() {
	rm -f "$T/sink.out"
	_sc=$1 _sm=$2; shift 2
	[ $# -gt 0 ] || set -- --stall-after 4
	set -- wire-sink --port 0 --addr "$MIG_ADDR" --channels "$_sc" --conns "$_sc" \
		--region-size "$((_sm * 1048576))" --timeout 60 "$@"
	if [ -n "$MIG_DST_NS" ]; then
		nsenter -t "$MIG_DST_NS" -n "$SYSTEST" "$@" > "$T/sink.out" 2>&1 &
	else
		"$SYSTEST" "$@" > "$T/sink.out" 2>&1 &
	fi
	SINKPID=$!
	wait_until 10 sh -c "grep -q '^listening ' '$T/sink.out' || ! kill -0 $SINKPID" 2>/dev/null
	SINKPORT=$(sed -n 's/^listening //p' "$T/sink.out" 2>/dev/null)
	cp "$T/sink.out" "$T/out"
	[ -n "$SINKPORT" ]
}

# src_stalled SID CHANNELS: every sink connection stalled and the source,
# still active, has stopped sending (its byte count holds for 0.6 s: it
# is blocked on full windows).
src_stalled() {
	wait_until 60 sh -c "[ \"\$(grep -c 'stalled after' '$T/sink.out')\" = $2 ]" ||
		{ cp "$T/sink.out" "$T/out"; return 1; }
	_b=-1
	wait_until 30 src_holds "$1" && [ "$(mjv state)" = active ] && return 0
	cp "$T/mig-src.json" "$T/out"
	return 1
}

# src_holds SID: the source's byte count is _b (the last call's), or it is
# no longer active; else _b takes the count, after 0.5 s (wait_until adds
# 0.1: samples 0.6 s apart).
src_holds() {
	mig_get src "$1"
	[ "$(mjv state)" = active ] || return 0
	[ "$(mjv bytes)" = "$_b" ] && return 0
	_b=$(mjv bytes)
	sleep 0.5
	return 1
}

# mig_src_sink CHANNELS kill|cancel: a kmig source (MIG_STALL_RANDOM data
# pages) sends to a wire-sink that stalls after 4 packets per channel, so
# the source blocks in send; then the sink is killed (source failed with
# a reason naming the channel or peer), or the source cancelled (within
# 5 s). Either way the source region is unchanged.
mig_src_sink() {
	_ch=$1 _how=$2
	if [ "$_how" = kill ]; then
		begin "migration, $_ch channel(s), destination peer killed mid-transfer" "sink-$_how$_ch"
	else
		begin "migration, $_ch channel(s), source cancelled while blocked on a stalled peer" "sink-$_how$_ch"
	fi
	region_start src --size "$MIG_SIZE_MB" --random "$MIG_STALL_RANDOM" --seed "$((80 + _ch))" \
		--out "$T/src.hash" || { notok "$_tag: source region"; return 1; }
	_spid=$RPID _sid=$RID
	_h0=$(region_hash "$_spid" "$T/src.hash")
	sink_stall_start "$_ch" "$MIG_SIZE_MB" || { notok "$_tag: wire-sink listening"; region_stop "$_spid"; return 1; }
	"$MIGCTL" start --region "$_sid" --to "$MIG_ADDR:$SINKPORT" --channels "$_ch" --insecure \
		> "$T/out" 2>&1
	mcheck "$_tag: migctl start" [ $? -eq 0 ]
	mcheck "$_tag: $_ch sink connection(s) stalled after 4 packets, source active and blocked" \
		src_stalled "$_sid" "$_ch"
	sed 's/^/# /' "$T/sink.out" | grep stalled
	if [ "$_how" = kill ]; then
		kill -9 "$SINKPID"; wait "$SINKPID" 2>/dev/null
		mig_end src "$_sid" failed "$_tag: source failed"
		mcheck "$_tag: source reason names the channel: peer closed, reset or send failed" \
			reason_is src 'peer (closed|reset) channel [0-9]|channel [0-9]+: send failed: peer closed or reset'
	else
		mig_cancel_timed src "$_sid" "$_tag" source
		kill -9 "$SINKPID"; wait "$SINKPID" 2>/dev/null
	fi
	src_unchanged
	region_stop "$_spid"
	klog_ok
}

# src_unchanged: the source region (_spid) hashes as _h0 did.
src_unchanged() {
	_h1=$(region_hash "$_spid" "$T/src.hash")
	{ echo "before: $_h0"; echo "after:  $_h1"; } > "$T/out"
	fc "$_tag: source region unchanged" '[ -n "$_h0" ] && [ "$_h0" = "$_h1" ]'
}

# mig_dst_slow kill|cancel: a kmig destination (1 channel) fed by
# kmig-systest wire-peer --case slow (2 new data pages per packet, one
# packet every 50 ms, never COMPLETE); once pages arrived, the peer is
# killed (destination failed: "peer closed channel 0 before COMPLETE
# (packet P)", P the packets it sent, 2 P pages received and populated,
# nothing malformed), or the destination cancelled (within 5 s, the peer
# sees its connection closed).
mig_dst_slow() {
	_how=$1
	if [ "$_how" = kill ]; then
		begin "migration, source peer killed mid-transfer" "slow-$_how"
	else
		begin "migration, destination cancelled mid-transfer" "slow-$_how"
	fi
	region_start dst --size "$MIG_SMALL_MB" --out "$T/dst.hash" ||
		{ notok "$_tag: destination region"; return 1; }
	_dpid=$RPID _did=$RID _spid=
	_gmal=$(gstat malformed_packets)
	pair_listen "$_tag" listen --channels 1 --id "$MIG_ID" --insecure || return 1
	"$SYSTEST" wire-peer --to "$MIG_ADDR:$MPORT" --case slow --interval-ms 50 --packets 1200 \
		--id "$MIG_ID" --channels 1 --region-size "$((MIG_SMALL_MB * 1048576))" \
		--timeout 30 > "$T/peer.out" 2>&1 &
	_pp=$!
	# Some packets in: pages_done > 0 and a few packets sent.
	mig_wait_active "$_did"; _act=$?
	[ $_act -eq 0 ] && wait_until 10 sh -c "[ \"\$(grep -c '^sent DATA' '$T/peer.out')\" -ge 3 ]"
	{ cat "$T/peer.out"; cat "$T/mig-dst.json"; } > "$T/out"
	mcheck "$_tag: destination active, pages arriving" [ $_act -eq 0 ]
	if [ "$_how" = kill ]; then
		kill -9 "$_pp"; wait "$_pp" 2>/dev/null
		_sent=$(grep -c '^sent DATA' "$T/peer.out")
		mig_end dst "$_did" failed "$_tag: destination failed"
		_p=$(mig_reason dst | sed -n 's/.*peer closed channel 0 before COMPLETE (packet \([0-9]*\)).*/\1/p')
		echo "# $_tag: peer sent $_sent packets, destination reason packet ${_p:-?}"
		# P = packets sent; one more if the kill came between a send and its line.
		fc "$_tag: reason 'peer closed channel 0 before COMPLETE (packet P)', P the packets sent" \
			'[ -n "$_p" ] && { [ "$_p" = "$_sent" ] || [ "$_p" = "$((_sent + 1))" ]; }'
		mcheck "$_tag: malformed_packets 0" [ "$(mjv malformed_packets)" = 0 ]
		gstat_is "$_tag: module malformed_packets unchanged" malformed_packets "$_gmal"
		_done=$(mjv pages_done)
		_pop=$(sysfs "regions/$_did/populated_pages")
		_dh=$(region_hash "$_dpid" "$T/dst.hash")
		{ cat "$T/mig-dst.json"; echo "populated_pages $_pop"; echo "$_dh"; } > "$T/out"
		fc "$_tag: pages_done = 2 x packets = populated pages = nonzero pages ($_done)" \
			'[ -n "$_p" ] && [ "$_done" = "$((2 * _p))" ] && [ "$_pop" = "$_done" ] && [ "${_dh##* nonzero }" = "$_done" ]'
	else
		mig_cancel_timed dst "$_did" "$_tag" destination
		wait_until 10 sh -c "! kill -0 $_pp" 2>/dev/null
		kill -9 "$_pp" 2>/dev/null
		wait "$_pp"; _rc=$?
		{ cat "$T/peer.out"; echo "exit status $_rc"; } > "$T/out"
		fc "$_tag: wire-peer sees its connection closed or reset, exits 0" \
			'[ $_rc -eq 0 ] && grep -q "^peer closed" "$T/peer.out"'
		_done=$(mjv pages_done)
		_pop=$(sysfs "regions/$_did/populated_pages")
		echo "pages_done $_done populated_pages $_pop" >> "$T/out"
		fc "$_tag: populated pages = pages_done ($_done)" '[ -n "$_done" ] && [ "$_pop" = "$_done" ]'
	fi
	region_stop "$_dpid"
	klog_ok
}

# mig_wrong_id: destination listening for MIG_ID, a source with another id
# fails with "wrong migration id"; the destination keeps listening, counts
# the rejection, and still takes the right source; cancel of a listener.
mig_wrong_id() {
	_tag="migration, wrong id"
	pair_start "$_tag" "$MIG_SMALL_MB" --random 512 --zero 512 --seed 5 || return 1
	_grej=$(gstat rejected_connections)
	# shellcheck disable=SC2086
	pair_listen "$_tag" "listen --id" --channels 1 --id "$MIG_ID" $KEYOPT || return 1
	# shellcheck disable=SC2086
	mstart "$_tag: migctl start --wait exits 1" 1 60 --region "$_sid" --to "$MIG_ADDR:$MPORT" \
		--channels 1 --id 0123456789abcdef0123456789abcdef $KEYOPT
	mig_wait src "$_sid" "failed completed cancelled" 10
	cp "$T/mig-src.json" "$T/out"
	mcheck "$_tag: source failed, reason 'wrong migration id'" failed_with src 'wrong migration id'
	mig_get dst "$_did"
	cp "$T/mig-dst.json" "$T/out"
	mcheck "$_tag: destination still listening, rejected_connections 1" \
		[ "$(mjv state)/$(mjv rejected_connections)" = listening/1 ]
	gstat_is "$_tag: module rejected_connections + 1" rejected_connections "$((_grej + 1))"
	# The right source still gets in.
	# shellcheck disable=SC2086
	mstart "$_tag: then the right id completes" 0 "$MIG_TIMEOUT" --region "$_sid" \
		--to "$MIG_ADDR:$MPORT" --channels 1 --id "$MIG_ID" $KEYOPT
	mig_end dst "$_did" completed "$_tag: destination completed"
	pair_hash "$_tag: content migrated"
	# A listener can be cancelled.
	# shellcheck disable=SC2086
	if mig_listen "$_did" --channels 1 --id "$MIG_ID" $KEYOPT; then
		dst_run "$MIGCTL" cancel --region "$_did" > "$T/out" 2>&1
		mcheck "$_tag: migctl cancel of a listener" [ $? -eq 0 ]
		mig_wait dst "$_did" "cancelled" 10
		cp "$T/mig-dst.json" "$T/out"
		mcheck "$_tag: listener cancelled" [ "$(mjv state)" = cancelled ]
	else
		notok "$_tag: listen again after a completed migration"
	fi
	pair_stop
}

# Cases of kmig-systest wire-peer answered by a reply status.
mig_hello_case() {
	case $1 in
	garbage-hello|short-hello|hello-*|bad-version|bad-page-size|bad-max-pages|bad-channel-id|wrong-*) return 0 ;;
	esac
	return 1
}

# mig_malformed CASE EXPECT: a destination listening (1 channel, MIG_ID,
# MIG_SMALL_MB) gets kmig-systest wire-peer --case CASE.
#   packet cases: destination failed, reason contains EXPECT (the
#     kmig_wire_strerror() text), malformed_packets 1 (and the module
#     counter + 1), nothing written (populated_pages 0);
#   hello cases (EXPECT: the reply status; "-" for short-hello, which
#     gets no reply): still listening, rejected_connections 1 (0 or 1 for
#     short-hello), module counter + 1, nothing written;
#   close (EXPECT a reason text): failed without a malformed packet, the
#     valid packet's 2 data pages written.
mig_malformed() {
	_c=$1 _want=$2
	begin "migration, malformed: $1" "mal-$_c"
	region_start dst --size "$MIG_SMALL_MB" || { notok "$_tag: destination region"; return 1; }
	_dpid=$RPID _did=$RID _spid=
	_gmal=$(gstat malformed_packets) _grej=$(gstat rejected_connections)
	pair_listen "$_tag" listen --channels 1 --id "$MIG_ID" --insecure || return 1
	set -- "$SYSTEST" wire-peer --to "$MIG_ADDR:$MPORT" --case "$_c" --id "$MIG_ID" \
		--channels 1 --region-size "$((MIG_SMALL_MB * 1048576))" --timeout 10
	mig_hello_case "$_c" && [ "$_want" != - ] && set -- "$@" --expect-status "$_want"
	"$@" > "$T/peer.out" 2>&1
	_rc=$?
	{ cat "$T/peer.out"; echo "exit status $_rc"; } > "$T/out"
	mcheck "$_tag: wire-peer sent it" [ $_rc -eq 0 ]
	sed 's/^/# /' "$T/peer.out" | grep -E 'reply status|peer closed|ack' | head -3
	if mig_hello_case "$_c"; then
		sleep 0.5
		mig_get dst "$_did"
		cp "$T/mig-dst.json" "$T/out"
		if [ "$_c" = short-hello ]; then
			mcheck "$_tag: still listening" [ "$(mjv state)" = listening ]
		else
			mcheck "$_tag: still listening, rejected_connections 1" \
				[ "$(mjv state)/$(mjv rejected_connections)" = listening/1 ]
			gstat_is "$_tag: module rejected_connections + 1" rejected_connections "$((_grej + 1))"
		fi
		_wpop=0
	else
		mig_end dst "$_did" failed "$_tag: destination failed"
		mcheck "$_tag: reason contains '$_want'" mig_reason_has dst "$_want"
		if [ "$_c" = close ]; then
			_wm=0 _wpop=2
		else
			_wm=1 _wpop=0
		fi
		mcheck "$_tag: malformed_packets $_wm" [ "$(mjv malformed_packets)" = $_wm ]
		gstat_is "$_tag: module malformed_packets + $_wm" malformed_packets "$((_gmal + _wm))"
	fi
	_pop=$(sysfs "regions/$_did/populated_pages")
	echo "populated_pages $_pop" > "$T/out"
	mcheck "$_tag: destination populated_pages $_wpop" [ "$_pop" = "$_wpop" ]
	dst_run "$MIGCTL" cancel --region "$_did" > /dev/null 2>&1
	region_stop "$_dpid"
	klog_ok
}

# mig_bad_second_hello: after channel 0 was accepted, a hello with the
# wrong region size fails the whole destination migration.
mig_bad_second_hello() {
	_tag="migration, bad hello after an accepted channel"
	region_start dst --size "$MIG_SMALL_MB" || { notok "$_tag: destination region"; return 1; }
	_dpid=$RPID _did=$RID _spid=
	pair_listen "$_tag" listen --channels 2 --id "$MIG_ID" --insecure || return 1
	"$SYSTEST" wire-peer --to "$MIG_ADDR:$MPORT" --case valid --id "$MIG_ID" --channels 2 \
		--channel-id 0 --region-size "$((MIG_SMALL_MB * 1048576))" --timeout 10 > "$T/peer0.out" 2>&1 &
	_p0=$!
	sleep 1
	"$SYSTEST" wire-peer --to "$MIG_ADDR:$MPORT" --case wrong-size --id "$MIG_ID" --channels 2 \
		--channel-id 1 --region-size "$((MIG_SMALL_MB * 1048576))" --expect-status 7 \
		--timeout 10 > "$T/out" 2>&1
	mcheck "$_tag: reply status 7 (region size mismatch)" [ $? -eq 0 ]
	wait "$_p0"
	mig_wait dst "$_did" "failed completed cancelled" 30
	{ cat "$T/peer0.out"; cat "$T/mig-dst.json"; } > "$T/out"
	mcheck "$_tag: destination failed, reason 'region size mismatch'" failed_with dst 'region size mismatch'
	mcheck "$_tag: rejected_connections 1" [ "$(mjv rejected_connections)" = 1 ]
	region_stop "$_dpid"
}

# mig_compat_src: a destination listening (1 channel, MIG_ID) meets a
# later kmig source, kmig-systest wire-peer:
#   future-only (hello offering versions 2..9, CRC, bits 40 and 63):
#     reply status 2 'unsupported version', still listening,
#     rejected_connections 1 (and the module's + 1), nothing written;
#   then future (versions 1..9, the same features) on the same listener:
#     granted version 1 and features 0x4 (CRC only), the valid traffic
#     with a CRC-32C after each packet completes, the ack's CRC checks,
#     the content is what the peer announced, no CRC or packet error.
mig_compat_src() {
	begin "migration, compatibility: a later source" compat-src
	region_start dst --size "$MIG_SMALL_MB" --out "$T/dst.hash" ||
		{ notok "$_tag: destination region"; return 1; }
	_dpid=$RPID _did=$RID _spid=
	_grej=$(gstat rejected_connections)
	pair_listen "$_tag" listen --channels 1 --id "$MIG_ID" --insecure || return 1
	set -- "$SYSTEST" wire-peer --to "$MIG_ADDR:$MPORT" --id "$MIG_ID" --channels 1 \
		--region-size "$((MIG_SMALL_MB * 1048576))" --timeout 10
	"$@" --case future-only --expect-status 2 > "$T/peer.out" 2>&1
	_rc=$?
	{ cat "$T/peer.out"; echo "exit status $_rc"; } > "$T/out"
	fc "$_tag: hello offering 2..9: reply status 2 'unsupported version'" \
		'[ $_rc -eq 0 ] && grep -q "^reply status 2 reason '"'unsupported version'"'" "$T/peer.out"'
	mig_get dst "$_did"
	cp "$T/mig-dst.json" "$T/out"
	mcheck "$_tag: still listening, rejected_connections 1" \
		[ "$(mjv state)/$(mjv rejected_connections)" = listening/1 ]
	gstat_is "$_tag: module rejected_connections + 1" rejected_connections "$((_grej + 1))"
	"$@" --case future --expect-status 0 > "$T/peer.out" 2>&1
	_rc=$?
	{ cat "$T/peer.out"; echo "exit status $_rc"; } > "$T/out"
	fc "$_tag: hello offering 1..9, CRC, bits 40, 63: version 1, CRC granted only, acked" \
		'[ $_rc -eq 0 ] && grep -q "^granted version 1 features 0x4\$" "$T/peer.out" && grep -q "^ack ok" "$T/peer.out"'
	mig_end dst "$_did" completed "$_tag: destination completed"
	mcheck "$_tag: integrity on, no CRC or packet error, rejected_connections still 1" \
		[ "$(mjv integrity)/$(mjv integrity_errors)/$(mjv malformed_packets)/$(mjv rejected_connections)" = true/0/0/1 ]
	_exp=$(sed -n 's/^expect //p' "$T/peer.out")
	_dh=$(region_hash "$_dpid" "$T/dst.hash")
	{ echo "peer:        $_exp"; echo "destination: $_dh"; } > "$T/out"
	mcheck "$_tag: content as the peer announced" hash_eq "$_exp" "$_dh"
	region_stop "$_dpid"
	klog_ok
}

# mig_compat_dst: a kmig source (1 channel, --insecure) meets wire-sink
# playing a destination that breaks the rule: its accepting reply grants
# the unknown bit 40, or names version 2, or grants CRC, which the source
# did not ask for. Each time the source fails at once with its reason
# ('channel 0: bad hello reply: reply accepts an unknown feature',
# '... unsupported version', 'channel 0: destination granted features 0x4
# of 0x0') and sends no packet.
mig_compat_dst() {
	begin "migration, compatibility: a destination breaking the rule" compat-dst
	region_start src --size "$MIG_SMALL_MB" --random 64 --seed 7 ||
		{ notok "$_tag: source region"; return 1; }
	_spid=$RPID _sid=$RID
	for _c in "--grant 0x10000000000:bad hello reply: reply accepts an unknown feature" \
		"--reply-version 2:bad hello reply: unsupported version" \
		"--grant 0x4:destination granted features 0x4 of 0x0"; do
		_why="channel 0: ${_c#*:}"
		# shellcheck disable=SC2086
		sink_stall_start 1 "$MIG_SMALL_MB" ${_c%%:*} ||
			{ notok "$_tag: wire-sink ${_c%%:*} listening"; continue; }
		mstart "$_tag: ${_c%%:*}: migctl start --wait exits 1" 1 30 --region "$_sid" \
			--to "$MIG_ADDR:$SINKPORT" --channels 1 --insecure
		wait_until 10 sh -c "! kill -0 $SINKPID" 2>/dev/null
		kill -9 "$SINKPID" 2>/dev/null; wait "$SINKPID" 2>/dev/null
		mig_get src "$_sid"
		{ cat "$T/mig-src.json"; cat "$T/sink.out"; } > "$T/out"
		fc "$_tag: ${_c%%:*}: source failed: '$_why', no page sent" \
			'failed_with src "^$_why\$" && grep -q "populated 0 nonzero 0" "$T/sink.out"'
	done
	region_stop "$_spid"
	klog_ok
}

# netns_ip: iproute2's ip by path (busybox ash runs its own ip applet for
# a bare "ip" even when /bin/ip is iproute2), else busybox ip.
netns_ip() {
	for _x in /usr/sbin/ip /sbin/ip /bin/ip /usr/bin/ip; do
		[ -x "$_x" ] && "$_x" -V 2>&1 | grep -q iproute2 && { echo "$_x"; return 0; }
	done
	echo ip
}

# netns_ping ADDR: reachable (ping, busybox ping, or skipped without one).
netns_ping() {
	if command -v ping > /dev/null 2>&1; then
		ping -c 1 -W 5 "$1"
	elif command -v busybox > /dev/null 2>&1; then
		busybox ping -c 1 -W 5 "$1"
	else
		echo "no ping: reachability of $1 not checked"
	fi
}

# netns_setup: a second network namespace for the destination, held by a
# sleeping process (MIG_DST_NS), joined by a veth pair: kmig0 10.99.0.1/24
# here, kmig1 10.99.0.2/24 there; lo up there. Sets MIG_ADDR=10.99.0.2, so
# every function above runs its destination side (migctl listen, status,
# cancel) in that namespace with nsenter, the source side here.
# Works with iproute2 and with busybox's ip (which ignores the veth peer
# name: the peer is found as "X@kmig0" and renamed), busybox or util-linux
# unshare and nsenter.
netns_setup() {
	_ip=$(netns_ip)
	unshare -n sleep 1000000 &
	_ns=$!
	wait_until 5 sh -c "[ \"\$(readlink /proc/$_ns/ns/net)\" != '$(readlink /proc/$$/ns/net)' ]"
	{
		kill -0 "$_ns" &&
		"$_ip" link add kmig0 type veth peer name kmig1 &&
		_peer=$("$_ip" -o link show | sed -n 's/^[0-9]*: \([^@:]*\)@kmig0:.*/\1/p') &&
		[ -n "$_peer" ] &&
		"$_ip" link set "$_peer" netns "$_ns" &&
		{ [ "$_peer" = kmig1 ] || nsenter -t "$_ns" -n "$_ip" link set "$_peer" name kmig1; } &&
		"$_ip" addr add 10.99.0.1/24 dev kmig0 &&
		"$_ip" link set kmig0 up &&
		nsenter -t "$_ns" -n "$_ip" link set lo up &&
		nsenter -t "$_ns" -n "$_ip" addr add 10.99.0.2/24 dev kmig1 &&
		nsenter -t "$_ns" -n "$_ip" link set kmig1 up &&
		netns_ping 10.99.0.2
	} > "$T/out" 2>&1 || {
		echo "ip: $_ip" >> "$T/out"
		"$_ip" link del kmig0 2>/dev/null
		kill "$_ns" 2>/dev/null; wait "$_ns" 2>/dev/null
		return 1
	}
	MIG_DST_NS=$_ns MIG_ADDR=10.99.0.2
}

netns_teardown() {
	"$(netns_ip)" link del kmig0 2>/dev/null
	if [ -n "$MIG_DST_NS" ]; then
		kill "$MIG_DST_NS" 2>/dev/null; wait "$MIG_DST_NS" 2>/dev/null
	fi
	MIG_DST_NS='' MIG_ADDR=127.0.0.1
}

# mig_all: MIG_CASES; on deb61 then MIG_NETNS_CASES across a netns.
mig_all() {
	run_table "$MIG_CASES"
	[ "$ENV" = deb61 ] || return 0
	if netns_setup; then
		ok "netns + veth between source and destination"
		run_table "$MIG_NETNS_CASES"
		netns_teardown
	else
		notok "netns + veth between source and destination"
	fi
}
