# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# Channel authentication system tests, sourced by tests/system/run-tests.sh
# after migration-cases.sh (POSIX sh). Uses its helpers.
#
# Functions (each prints TAP lines through ok/notok):
#   auth_keys     kernel to kernel: a wrong key, no key and a key to an
#                 insecure listener are refused with their reasons and
#                 counted, the listener keeps listening and nothing is
#                 written; the right key then migrates; the key shows
#                 nowhere (status, sysfs, kernel log)
#   auth_peer     tests/system/auth-peer.py, an independent implementation
#                 of the exchange: a source that stalls after the challenge
#                 is dropped after the 10 s limit, a wrong MAC is refused
#                 and its DATA never lands, a source with the key is
#                 accepted (the kernel's MACs match the specification); a
#                 destination without the key gets no page from a keyed
#                 source
#   auth_all      both
: "${AUTH_MB:=16}"

AUTH_PEER=${AUTH_PEER:-$BIN/auth-peer.py}

# auth_keygen FILE: a new key in FILE, mode 600.
auth_keygen() {
	(umask 077 && "$MIGCTL" keygen > "$1") && [ -s "$1" ]
}

# auth_regions: source (256 random + 64 zero pages) and empty destination
# regions; sets _spid _sid _dpid _did.
auth_regions() {
	region_start src --size "$AUTH_MB" --random 256 --zero 64 --seed 41 --out "$T/src.hash" ||
		return 1
	_spid=$RPID _sid=$RID
	if ! region_start dst --size "$AUTH_MB" --out "$T/dst.hash"; then
		region_stop "$_spid"; return 1
	fi
	_dpid=$RPID _did=$RID
}

# auth_refused TAG WHY ARGS...: migctl start ARGS to the listener fails,
# the source's reason has WHY, the destination still listens with nothing
# written, and its auth_failures is now AUTH_WANT.
auth_refused() {
	_t=$1 _why=$2; shift 2
	timeout 60 "$MIGCTL" start --region "$_sid" --to "$MIG_ADDR:$MPORT" --channels 2 \
		"$@" --wait > "$T/start.out" 2>&1
	_rc=$?
	{ cat "$T/start.out"; echo "exit status $_rc"; } > "$T/out"
	mcheck "$_t: migctl start --wait exits 1" [ $_rc -eq 1 ]
	mig_wait src "$_sid" "failed completed cancelled" 10
	cp "$T/mig-src.json" "$T/out"
	mcheck "$_t: source failed: '$_why'" \
		sh -c "[ '$(mjv state)' = failed ] && grep '\"reason\"' '$T/mig-src.json' | grep -qF '$_why'"
	mig_get dst "$_did"
	{ cat "$T/mig-dst.json"; echo "populated $(sysfs "regions/$_did/populated_pages")"; } > "$T/out"
	mcheck "$_t: destination listening, auth_failures $AUTH_WANT, nothing written" \
		[ "$(mjv state)/$(mjv auth_failures)/$(sysfs "regions/$_did/populated_pages")" = "listening/$AUTH_WANT/0" ]
}

auth_keys() {
	_tag="auth, kernel to kernel"
	mig_mark auth-keys
	auth_keygen "$T/k1" && auth_keygen "$T/k2" || { notok "$_tag: migctl keygen"; return 1; }
	_k1hex=$(base64 -d < "$T/k1" | od -An -tx1 | tr -d ' \n')
	echo "k1 $_k1hex" > "$T/out"
	mcheck "$_tag: migctl keygen gives 32 bytes, two keys differ" \
		sh -c "[ ${#_k1hex} -eq 64 ] && ! cmp -s '$T/k1' '$T/k2'"
	auth_regions || { notok "$_tag: regions"; return 1; }
	_gauth=$(gstat auth_failures)
	if ! mig_listen "$_did" --channels 2 --key-file "$T/k1"; then
		notok "$_tag: listen --key-file"; region_stop "$_spid"; region_stop "$_dpid"; return 1
	fi
	mig_get dst "$_did"
	cp "$T/mig-dst.json" "$T/out"
	mcheck "$_tag: listener status auth 1" [ "$(mjv auth)" = 1 ]
	AUTH_WANT=1 auth_refused "$_tag: wrong key" "authentication failed" --key-file "$T/k2"
	AUTH_WANT=2 auth_refused "$_tag: insecure source" "needs the migration key" --insecure
	echo "module auth_failures $_gauth -> $(gstat auth_failures)" > "$T/out"
	mcheck "$_tag: module auth_failures + 2" [ "$(gstat auth_failures)" = "$((_gauth + 2))" ]

	timeout "$MIG_TIMEOUT" "$MIGCTL" start --region "$_sid" --to "$MIG_ADDR:$MPORT" --channels 2 \
		--key-file "$T/k1" --wait > "$T/out" 2>&1
	mcheck "$_tag: the right key completes" [ $? -eq 0 ]
	mig_wait dst "$_did" "completed failed cancelled" 30
	_dst=$(mjv state) _dauth=$(mjv auth)
	mig_get src "$_sid"
	echo "source $(mjv state) auth $(mjv auth), destination $_dst auth $_dauth" > "$T/out"
	mcheck "$_tag: both completed with auth 1" [ "$(mjv state)/$(mjv auth)/$_dst/$_dauth" = completed/1/completed/1 ]
	_sh=$(region_hash "$_spid" "$T/src.hash"); _dh=$(region_hash "$_dpid" "$T/dst.hash")
	{ echo "$_sh"; echo "$_dh"; } > "$T/out"
	_v=no; [ -n "$_sh" ] && [ "${_sh%% populated*}" = "${_dh%% populated*}" ] && _v=yes
	mcheck "$_tag: content migrated" [ $_v = yes ]

	# A keyed source to an insecure listener: refused, the source counts it.
	if mig_listen "$_did" --channels 2 --insecure; then
		mig_get dst "$_did"
		mcheck "$_tag: insecure listener status auth 0" [ "$(mjv auth)" = 0 ]
		timeout 60 "$MIGCTL" start --region "$_sid" --to "$MIG_ADDR:$MPORT" --channels 2 \
			--key-file "$T/k1" --wait > "$T/out" 2>&1
		mcheck "$_tag: keyed source to an insecure listener exits 1" [ $? -eq 1 ]
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
	_b64=$(cat "$T/k1")
	grep -n -i -e "$_k1hex" -e "$_b64" "$T/all.txt" > "$T/out"
	mcheck "$_tag: the key is in no status, sysfs file or kernel log line" [ ! -s "$T/out" ]
	region_stop "$_spid"
	region_stop "$_dpid"
	mcheck "$_tag: kernel log clean" mig_dmesg_clean auth-keys
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
	mig_mark auth-peer
	auth_keygen "$T/k1" && auth_keygen "$T/k2" || { notok "$_tag: migctl keygen"; return 1; }
	region_start dst --size "$AUTH_MB" --out "$T/dst.hash" || { notok "$_tag: region"; return 1; }
	_dpid=$RPID _did=$RID
	if ! mig_listen "$_did" --channels 1 --key-file "$T/k1"; then
		notok "$_tag: listen"; region_stop "$_dpid"; return 1
	fi
	auth_peer_src stall --key-file "$T/k1" --stall 20
	mcheck "$_tag: a source silent after the challenge is dropped within 12 s" \
		sh -c "echo '$APR' | grep -q '^result dropped' &&
		       [ \$(echo '$APR' | sed 's/.*after_s=\([0-9]*\).*/\1/') -le 12 ]"
	auth_peer_src badmac --key-file "$T/k2"
	mcheck "$_tag: a wrong MAC gets status 12, reason 'wrong key'" \
		sh -c "echo \"\$1\" | grep -qF \"result rejected status=12 reason='wrong key'\"" - "$APR"
	auth_peer_src nofeature --key-file "$T/k1"
	mcheck "$_tag: a hello without AUTH gets status 12" \
		sh -c "echo \"\$1\" | grep -q '^result rejected status=12'" - "$APR"
	mig_get dst "$_did"
	{ cat "$T/mig-dst.json"; echo "populated $(sysfs "regions/$_did/populated_pages")"; } > "$T/out"
	mcheck "$_tag: listening, auth_failures 3, rejected 3, nothing written" \
		[ "$(mjv state)/$(mjv auth_failures)/$(mjv rejected_connections)/$(sysfs "regions/$_did/populated_pages")" = listening/3/3/0 ]
	auth_peer_src good --key-file "$T/k1" --pages 4
	mcheck "$_tag: the kernel accepts a peer with the key and its proof checks out" \
		sh -c "echo \"\$1\" | grep -q '^result accepted proof=ok features=2 pages=4 ack=complete'" - "$APR"
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
	_i=0
	while [ ! -s "$T/peer.port" ] && [ $_i -lt 100 ]; do sleep 0.1; _i=$((_i + 1)); done
	timeout 60 "$MIGCTL" start --region "$_sid" --to "127.0.0.1:$(cat "$T/peer.port")" \
		--channels 1 --key-file "$T/k1" --wait > "$T/start.out" 2>&1
	_rc=$?
	wait "$_ppid"
	mig_get src "$_sid"
	{ cat "$T/start.out" "$T/peer.out" "$T/mig-src.json"; } > "$T/out"
	mcheck "$_tag: a source fails on a destination's wrong proof" \
		sh -c "[ $_rc -eq 1 ] && grep '\"reason\"' '$T/mig-src.json' | grep -qF 'failed authentication'"
	mcheck "$_tag: ... counts it and sends nothing after the reply" \
		sh -c "[ '$(mjv auth_failures)' = 1 ] && grep -q '^result impostor bytes_after_reply=0' '$T/peer.out'"
	region_stop "$_spid"
	mcheck "$_tag: kernel log clean" mig_dmesg_clean auth-peer
}

auth_all() {
	auth_keys
	auth_peer
}
