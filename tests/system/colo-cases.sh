# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# COLO system tests, sourced by tests/system/run-tests.sh after
# live-cases.sh (POSIX sh: dash in UML, busybox ash in the Debian 6.1
# initramfs). Uses the helpers of run-tests.sh, migration-cases.sh and
# live-cases.sh.
#
# Functions (each prints TAP lines through ok/notok):
#   colo_migctl CHANNELS   two kmig-systest regions driven by migctl alone:
#                          listen --colo, start --live --colo, switchover,
#                          COLO entry on both sides (cache = populated
#                          pages), checkpoints acknowledged with 'migctl
#                          colo-paused' from the shell, status and sysfs
#                          figures, refusals (colo-paused for a checkpoint
#                          not asked, checkpoint on the secondary, COLO
#                          hello to a plain listener), cancel: primary
#                          cancelled, secondary failover at the last
#                          committed checkpoint, byte-identical to the
#                          primary (no writers)
: "${COLO_TIMEOUT:=120}"

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

colo_migctl() {
	_ch=$1 _tag="COLO by migctl, $1 channel(s)"
	mig_mark "cm$_ch"
	region_start src --size 64 --random 2048 --zero 512 --seed 23 --out "$T/src.hash" ||
		{ notok "$_tag: source region"; return 1; }
	_spid=$RPID _sid=$RID
	region_start dst --size 64 --out "$T/dst.hash" ||
		{ notok "$_tag: destination region"; region_stop "$_spid"; return 1; }
	_dpid=$RPID _did=$RID

	# A COLO primary to a plain listener: refused with its reason.
	if mig_listen "$_did" --channels "$_ch"; then
		"$MIGCTL" start --region "$_sid" --to "$LIVE_ADDR:$MPORT" --channels "$_ch" \
			--live --colo > /dev/null 2>&1
		mig_wait src "$_sid" "completed failed cancelled" 30
		cp "$T/mig-src.json" "$T/out"
		mcheck "$_tag: COLO primary to a plain listener fails" [ "$(mjv state)" = failed ]
		mcheck "$_tag: ... with 'COLO not enabled on this destination'" \
			mig_reason_has src "COLO not enabled"
		dst_run "$MIGCTL" cancel --region "$_did" > /dev/null 2>&1
	else
		notok "$_tag: plain listen"
	fi

	if ! mig_listen "$_did" --channels "$_ch" --colo; then
		notok "$_tag: listen --colo"; region_stop "$_spid"; region_stop "$_dpid"; return 1
	fi
	"$MIGCTL" start --region "$_sid" --to "$LIVE_ADDR:$MPORT" --channels "$_ch" \
		--live --colo --checkpoint-interval 200 > "$T/out" 2>&1
	mcheck "$_tag: migctl start --live --colo" [ $? -eq 0 ]
	_t0=$(now_cs)
	while [ $(($(now_cs) - _t0)) -lt 3000 ]; do
		mig_get src "$_sid"
		[ "$(mjv switchover_ready)" = 1 ] && break
		sleep 0.2
	done
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
	mcheck "$_tag: colo-paused for a checkpoint not asked: refused" \
		sh -c "[ $? -eq 1 ] && grep -q 'no pause asked' '$T/out'"
	dst_run "$MIGCTL" checkpoint --region "$_did" > "$T/out" 2>&1
	mcheck "$_tag: checkpoint on the secondary: refused" \
		sh -c "[ $? -eq 1 ] && grep -q 'taken by the primary' '$T/out'"

	# Five checkpoints, each pause answered from here on both sides.
	_t0=$(now_cs)
	while [ $(($(now_cs) - _t0)) -lt $((COLO_TIMEOUT * 100)) ]; do
		colo_ack src "$_sid"
		colo_ack dst "$_did"
		mig_get src "$_sid"
		[ "$(mjv checkpoints)" -ge 5 ] 2>/dev/null && break
		case $(mjv state) in colo) ;; *) break ;; esac
		sleep 0.1
	done
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

	# The guest did not write: the secondary holds the primary's memory.
	_sh=$(region_hash "$_spid" "$T/src.hash"); _dh=$(region_hash "$_dpid" "$T/dst.hash")
	{ echo "$_sh"; echo "$_dh"; } > "$T/out"
	mcheck "$_tag: secondary content = primary content" hash_eq "$_sh" "$_dh"

	"$MIGCTL" cancel --region "$_sid" > "$T/out" 2>&1
	mcheck "$_tag: cancel the primary" [ $? -eq 0 ]
	mig_wait dst "$_did" "failover failed cancelled completed" 60
	cp "$T/mig-dst.json" "$T/out"
	mcheck "$_tag: secondary failover after the primary's cancel" [ "$(mjv state)" = failover ]
	echo "# $_tag: secondary: checkpoint $(mjv checkpoint), reason: $(mjv reason)"
	mig_get src "$_sid"
	cp "$T/mig-src.json" "$T/out"
	mcheck "$_tag: primary cancelled" [ "$(mjv state)" = cancelled ]
	_dh2=$(region_hash "$_dpid" "$T/dst.hash")
	{ echo "$_sh"; echo "$_dh2"; } > "$T/out"
	mcheck "$_tag: secondary after failover = last committed checkpoint" hash_eq "$_sh" "$_dh2"
	region_stop "$_spid"
	region_stop "$_dpid"
	mcheck "$_tag: kernel log clean" mig_dmesg_clean "cm$_ch"
}

colo_all() {
	colo_migctl 1
	colo_migctl 4
}
