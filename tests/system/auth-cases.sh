# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# Channel authentication system tests, sourced by tests/system/run-tests.sh
# after migration-cases.sh (POSIX sh). Uses its helpers.
#
# The cases, run by auth_all:  NAME FUNCTION ARGS
AUTH_CASES='
keys                 auth_keys
peer                 auth_peer
flip-on              integrity_flip on
flip-off             integrity_flip off
integrity-live-1     integrity_live 1
integrity-live-4     integrity_live 4
'
# auth_keys   kernel to kernel: a wrong key, no key and a key to an
#     insecure listener are refused with their reasons and counted, the
#     listener keeps listening and nothing is written; the right key then
#     migrates; the key shows nowhere (status, sysfs, kernel log)
# auth_peer   tests/system/auth-peer.py, an independent implementation of
#     the exchange: a source that stalls after the challenge is dropped
#     after the 10 s limit, a wrong MAC is refused and its DATA never
#     lands, a source with the key is accepted (the kernel's MACs match
#     the specification); a destination without the key gets no page
#     from a keyed source
# integrity_flip on|off   tests/system/flip-proxy.py between the two sides
#     flips one byte inside the first data page: with --integrity the
#     destination fails on the CRC-32C mismatch, counts it and writes
#     nothing; without (the control) the migration "completes" with the
#     wrong byte
# integrity_live CHANNELS   a live migration with --integrity while
#     kmig-vmm writes: completes byte-identical, no CRC error
: "${AUTH_MB:=16}"

AUTH_PEER=${AUTH_PEER:-$BIN/auth-peer.py}

# auth_keygen FILE: a new key in FILE, mode 600.
auth_keygen() {
	(umask 077 && "$MIGCTL" keygen > "$1") && [ -s "$1" ]
}

# auth_refused TAG WHY ARGS...: migctl start ARGS to the listener fails,
# the source's reason has WHY, the destination still listens with nothing
# written, and its auth_failures is now AUTH_WANT.
auth_refused() {
	_t=$1 _why=$2; shift 2
	mstart "$_t: migctl start --wait exits 1" 1 60 --region "$_sid" --to "$MIG_ADDR:$MPORT" \
		--channels 2 "$@"
	mig_wait src "$_sid" "failed completed cancelled" 10
	cp "$T/mig-src.json" "$T/out"
	mcheck "$_t: source failed: '$_why'" failed_with src "$_why"
	mig_get dst "$_did"
	{ cat "$T/mig-dst.json"; echo "populated $(sysfs "regions/$_did/populated_pages")"; } > "$T/out"
	mcheck "$_t: destination listening, auth_failures $AUTH_WANT, nothing written" \
		[ "$(mjv state)/$(mjv auth_failures)/$(sysfs "regions/$_did/populated_pages")" = "listening/$AUTH_WANT/0" ]
}

auth_keys() {
	begin "auth, kernel to kernel" auth-keys
	auth_keygen "$T/k1" && auth_keygen "$T/k2" || { notok "$_tag: migctl keygen"; return 1; }
	_k1hex=$(base64 -d < "$T/k1" | od -An -tx1 | tr -d ' \n')
	echo "k1 $_k1hex" > "$T/out"
	fc "$_tag: migctl keygen gives 32 bytes, two keys differ" \
		'[ ${#_k1hex} -eq 64 ] && ! cmp -s "$T/k1" "$T/k2"'
	pair_start "$_tag" "$AUTH_MB" --random 256 --zero 64 --seed 41 || return 1
	_gauth=$(gstat auth_failures)
	pair_listen "$_tag" "listen --key-file" --channels 2 --key-file "$T/k1" || return 1
	mig_get dst "$_did"
	cp "$T/mig-dst.json" "$T/out"
	mcheck "$_tag: listener status auth 1" [ "$(mjv auth)" = 1 ]
	AUTH_WANT=1 auth_refused "$_tag: wrong key" "authentication failed" --key-file "$T/k2"
	AUTH_WANT=2 auth_refused "$_tag: insecure source" "needs the migration key" --insecure
	gstat_is "$_tag: module auth_failures + 2" auth_failures "$((_gauth + 2))"

	mstart "$_tag: the right key completes" 0 "$MIG_TIMEOUT" --region "$_sid" \
		--to "$MIG_ADDR:$MPORT" --channels 2 --key-file "$T/k1"
	mig_wait dst "$_did" "completed failed cancelled" 30
	_dst=$(mjv state) _dauth=$(mjv auth)
	mig_get src "$_sid"
	echo "source $(mjv state) auth $(mjv auth), destination $_dst auth $_dauth" > "$T/out"
	mcheck "$_tag: both completed with auth 1" [ "$(mjv state)/$(mjv auth)/$_dst/$_dauth" = completed/1/completed/1 ]
	pair_hash "$_tag: content migrated"

	# A keyed source to an insecure listener: refused, the source counts it.
	if mig_listen "$_did" --channels 2 --insecure; then
		mig_get dst "$_did"
		mcheck "$_tag: insecure listener status auth 0" [ "$(mjv auth)" = 0 ]
		mstart "$_tag: keyed source to an insecure listener exits 1" 1 60 --region "$_sid" \
			--to "$MIG_ADDR:$MPORT" --channels 2 --key-file "$T/k1"
		mig_wait src "$_sid" "failed completed cancelled" 10
		cp "$T/mig-src.json" "$T/out"
		mcheck "$_tag: ... reason 'has no key'" mig_reason_has src "has no key"
		dst_run "$MIGCTL" cancel --region "$_did" > /dev/null 2>&1
	else
		notok "$_tag: listen --insecure"
	fi

	# The key shows nowhere.
	{ "$MIGCTL" status --region "$_sid" --json; "$MIGCTL" status --region "$_did" --json
	  "$MIGCTL" status --region "$_did"; cat /sys/kernel/kmig/regions/*/migration/* 2>/dev/null
	  dmesg; } > "$T/all.txt" 2>&1
	grep -n -i -e "$_k1hex" -e "$(cat "$T/k1")" "$T/all.txt" > "$T/out"
	mcheck "$_tag: the key is in no status, sysfs file or kernel log line" [ ! -s "$T/out" ]
	pair_stop
	klog_ok
}

# auth_peer_src MODE ARGS...: auth-peer.py src against the listener; the
# result line in APR.
auth_peer_src() {
	_m=$1; shift
	APR=$(timeout 60 python3 "$AUTH_PEER" src --port "$MPORT" --mode "$_m" \
		--region-size "$((AUTH_MB << 20))" "$@" 2>&1 | tail -n 1)
	echo "auth-peer $_m: $APR" > "$T/out"
}

auth_peer() {
	_tag="auth, userspace peer"
	if ! command -v python3 > /dev/null 2>&1; then
		skip "$_tag" "no python3 in this test system"
		return 0
	fi
	begin "$_tag" auth-peer
	auth_keygen "$T/k1" && auth_keygen "$T/k2" || { notok "$_tag: migctl keygen"; return 1; }
	region_start dst --size "$AUTH_MB" --out "$T/dst.hash" || { notok "$_tag: region"; return 1; }
	_dpid=$RPID _did=$RID _spid=
	pair_listen "$_tag" listen --channels 1 --key-file "$T/k1" || return 1
	auth_peer_src stall --key-file "$T/k1" --stall 20
	fc "$_tag: a source silent after the challenge is dropped within 12 s" \
		'echo "$APR" | grep -q "^result dropped" && [ "$(echo "$APR" | sed "s/.*after_s=\([0-9]*\).*/\1/")" -le 12 ]'
	auth_peer_src badmac --key-file "$T/k2"
	fc "$_tag: a wrong MAC gets status 12, reason 'wrong key'" \
		'echo "$APR" | grep -qF "result rejected status=12 reason='"'wrong key'"'"'
	auth_peer_src nofeature --key-file "$T/k1"
	fc "$_tag: a hello without AUTH gets status 12" 'echo "$APR" | grep -q "^result rejected status=12"'
	mig_get dst "$_did"
	{ cat "$T/mig-dst.json"; echo "populated $(sysfs "regions/$_did/populated_pages")"; } > "$T/out"
	mcheck "$_tag: listening, auth_failures 3, rejected 3, nothing written" \
		[ "$(mjv state)/$(mjv auth_failures)/$(mjv rejected_connections)/$(sysfs "regions/$_did/populated_pages")" = listening/3/3/0 ]
	auth_peer_src good --key-file "$T/k1" --pages 4
	fc "$_tag: the kernel accepts a peer with the key and its proof checks out" \
		'echo "$APR" | grep -q "^result accepted proof=ok features=2 pages=4 ack=complete"'
	mig_wait dst "$_did" "completed failed cancelled" 30
	{ cat "$T/mig-dst.json"; echo "populated $(sysfs "regions/$_did/populated_pages")"; } > "$T/out"
	mcheck "$_tag: destination completed with the peer's 4 pages" \
		[ "$(mjv state)/$(sysfs "regions/$_did/populated_pages")" = completed/4 ]
	region_stop "$_dpid"

	# A destination without the key: the source sends it no page.
	region_start src --size "$AUTH_MB" --random 64 --seed 43 --out "$T/src.hash" ||
		{ notok "$_tag: source region"; return 1; }
	_spid=$RPID _sid=$RID
	rm -f "$T/peer.port"
	python3 "$AUTH_PEER" dst --port-file "$T/peer.port" --key-file "$T/k2" --mode impostor \
		--wait 10 > "$T/peer.out" 2>&1 &
	_ppid=$!
	wait_until 10 test -s "$T/peer.port"
	timeout 60 "$MIGCTL" start --region "$_sid" --to "127.0.0.1:$(cat "$T/peer.port")" \
		--channels 1 --key-file "$T/k1" --wait > "$T/start.out" 2>&1
	_rc=$?
	wait "$_ppid"
	mig_get src "$_sid"
	{ cat "$T/start.out" "$T/peer.out" "$T/mig-src.json"; } > "$T/out"
	fc "$_tag: a source fails on a destination's wrong proof" \
		'[ $_rc -eq 1 ] && reason_is src "failed authentication"'
	fc "$_tag: ... counts it and sends nothing after the reply" \
		'[ "$(mjv auth_failures)" = 1 ] && grep -q "^result impostor bytes_after_reply=0" "$T/peer.out"'
	region_stop "$_spid"
	klog_ok
}

integrity_flip() {
	_mode=$1 _tag="integrity, a flipped byte, integrity $1"
	if ! command -v python3 > /dev/null 2>&1; then
		skip "$_tag" "no python3 in this test system"
		return 0
	fi
	_iopt=
	[ "$_mode" = on ] && _iopt=--integrity
	begin "$_tag" "flip-$_mode"
	# Two random pages: one DATA packet, its data from byte 128 of the
	# stream (64 hello + 48 header + 2 offsets): byte 300 is in page 0.
	pair_start "$_tag" "$AUTH_MB" --random 2 --seed 47 || return 1
	_gint=$(gstat integrity_errors)
	# shellcheck disable=SC2086
	pair_listen "$_tag" listen --channels 1 --insecure $_iopt || return 1
	rm -f "$T/proxy.port"
	python3 "$BIN/flip-proxy.py" --to "127.0.0.1:$MPORT" --port-file "$T/proxy.port" \
		--flip-at 300 > "$T/proxy.out" 2>&1 &
	_ppid=$!
	wait_until 10 test -s "$T/proxy.port"
	# shellcheck disable=SC2086
	timeout 60 "$MIGCTL" start --region "$_sid" --to "127.0.0.1:$(cat "$T/proxy.port")" \
		--channels 1 --insecure $_iopt --wait > "$T/start.out" 2>&1
	_rc=$?
	mig_wait dst "$_did" "completed failed cancelled" 30
	kill "$_ppid" 2>/dev/null; wait "$_ppid" 2>/dev/null
	_dstate=$(mjv state)
	_dpop=$(sysfs "regions/$_did/populated_pages")
	_dint=$(sysfs "regions/$_did/migration/integrity")
	_derr=$(sysfs "regions/$_did/migration/integrity_errors")
	{ cat "$T/start.out" "$T/proxy.out" "$T/mig-dst.json"
	  echo "exit $_rc, dst $_dstate, populated $_dpop, integrity $_dint errors $_derr"; } > "$T/out"
	mcheck "$_tag: the proxy flipped byte 300" grep -q "flipped byte 300" "$T/proxy.out"
	if [ "$_mode" = on ]; then
		mcheck "$_tag: destination failed: CRC-32C mismatch" failed_with dst 'CRC-32C mismatch'
		mcheck "$_tag: integrity 1, integrity_errors 1, module + 1" \
			[ "$_dint/$_derr/$(gstat integrity_errors)" = "1/1/$((_gint + 1))" ]
		mcheck "$_tag: nothing written to the destination" [ "$_dpop" = 0 ]
		mcheck "$_tag: the source fails too (exit 1)" [ $_rc -eq 1 ]
	else
		mcheck "$_tag: completed unnoticed (exit 0)" [ "$_rc/$_dstate" = 0/completed ]
		_sh=$(region_hash "$_spid" "$T/src.hash"); _dh=$(region_hash "$_dpid" "$T/dst.hash")
		{ echo "$_sh"; echo "$_dh"; } > "$T/out"
		mcheck "$_tag: ... with content that differs from the source's" \
			[ "${_sh%% populated*}" != "${_dh%% populated*}" ]
	fi
	pair_stop
	klog_ok
}

# integrity_live CHANNELS: kmig-vmm source and destination (live-cases.sh's
# vmm_start, with its key options), --integrity, writers running during
# the precopy: byte-identical, no CRC error.
integrity_live() {
	_ch=$1
	begin "integrity, live with writers, $1 channel(s)" "ilive$_ch"
	_gint=$(gstat integrity_errors)
	vmm_dst "$_tag" idst --size "$AUTH_MB" --port 0 --addr 127.0.0.1 --channels "$_ch" \
		--integrity || return 1
	vmm_src "$_tag" isrc --size "$AUTH_MB" --to "127.0.0.1:$_port" --channels "$_ch" \
		--integrity --fill-random 2048 --seed "$((_ch + 50))" --writers 2 --rate 200 --exit || return 1
	vmm_done isrc idst 300
	mcheck "$_tag: both kmig-vmm exit 0 (completed)" [ "$_src/$_drc" = 0/0 ]
	vmm_hash_eq "$_tag: destination = source at the pause" isrc idst
	gstat_is "$_tag: no CRC error" integrity_errors "$_gint"
	klog_ok
}

auth_all() { run_table "$AUTH_CASES"; }
