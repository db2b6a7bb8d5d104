#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# shellcheck disable=SC2015,SC2086
#
# kmig-systest wire-peer against kmig-systest wire-sink (the userspace
# reference destination built on the same kmod/wire.c), on the host, no
# module needed: every case must produce the destination-side error text
# (kmig_wire_strerror()) or reply status the kernel must produce too, and
# the valid case must leave the content the peer announces. TAP output.
#
#   sh wire-selftest.sh [PATH/TO/kmig-systest]
SYSTEST=${1:-./kmig-systest}
T=$(mktemp -d /tmp/wire-selftest.XXXXXX)
N=0 FAIL=0
. "$(dirname "$0")/lib.sh"
ID=00112233445566778899aabbccddeeff
SIZE=$((64 * 1024 * 1024))

ok() { N=$((N + 1)); echo "ok $N - $1"; }
notok() { N=$((N + 1)); FAIL=$((FAIL + 1)); echo "not ok $N - $1"; sed 's/^/#   /' "$T/sink" "$T/peer" | head -30; }

# sink_start [ARGS]: sink on a free port; sets SPID, PORT.
sink_start() {
	rm -f "$T/sink"
	"$SYSTEST" wire-sink --port 0 ${ID:+--id $ID} --region-size $SIZE --timeout 5 "$@" > "$T/sink" 2>&1 &
	SPID=$!
	wait_until 5 grep -q '^listening ' "$T/sink" 2>/dev/null
	PORT=$(sed -n 's/^listening //p' "$T/sink" 2>/dev/null)
}

# one CASE EXPECTED-SINK-LINE [PEER ARGS]: run a case, expect the sink
# line and nothing written ($POP pages for "close").
one() {
	c=$1 want=$2; shift 2
	pop=0 nz=0
	[ "$c" = close ] && pop=2 nz=2
	sink_start
	"$SYSTEST" wire-peer --to "127.0.0.1:$PORT" --case "$c" --id $ID \
		--region-size $SIZE --timeout 5 "$@" > "$T/peer" 2>&1
	prc=$?
	wait $SPID
	if [ $prc -eq 0 ] && grep -qF "$want" "$T/sink" &&
	   grep -q "^sink hash [0-9a-f]* populated $pop nonzero $nz" "$T/sink" &&
	   { [ $pop != 0 ] || grep -q '^sink hash 0000000000000000' "$T/sink"; }; then
		ok "$c: $want, peer exit 0, $pop pages written"
	else
		echo "peer exit $prc" >> "$T/peer"; notok "$c: $want"
	fi
}

one bad-magic "error 'bad magic'"
one bad-type "error 'unknown packet type'"
one bad-flags "error 'unknown packet flags'"
one reserved "error 'non-zero reserved bytes'"
one bad-seq "error 'packet number out of sequence'"
one zero-count "error 'page count zero or over the maximum, or data in MISSING or REQUEST'"
one oversized-count "error 'page count zero or over the maximum, or data in MISSING or REQUEST'"
one sync-counts "error 'page counts on a SYNC or COMPLETE'"
one bad-offset "error 'offset outside the region'"
one unaligned "error 'offset not page aligned'"
one dup-offset "error 'duplicate offset in a packet'"
one truncated "error 'short buffer'"
one close "closed before COMPLETE"
one garbage-hello "reject 1 'bad magic'"
one short-hello "short hello (10 bytes)"
one hello-bad-magic "reject 1 'bad magic'" --expect-status 1
one hello-reserved "reject 9 'non-zero reserved bytes'" --expect-status 9
one bad-version "reject 2 'unsupported version'" --expect-status 2
one bad-page-size "reject 6 " --expect-status 6
one bad-max-pages "reject 10 " --expect-status 10
one bad-channel-id "reject 5 " --expect-status 5
one wrong-id "reject 3 'wrong migration id'" --expect-status 3
one wrong-size "reject 7 'region size mismatch'" --expect-status 7
one wrong-channels "reject 4 'wrong channel count'" --expect-status 4
one future-only "reject 2 'unsupported version'" --expect-status 2

# --expect-status makes the peer fail on another status.
sink_start
if "$SYSTEST" wire-peer --to "127.0.0.1:$PORT" --case wrong-id --id $ID --region-size $SIZE \
	--expect-status 0 > "$T/peer" 2>&1; then
	notok "--expect-status mismatch fails"
else
	ok "--expect-status mismatch fails"
fi
wait $SPID

# valid: the sink's content is what the peer announced, ack received.
sink_start
"$SYSTEST" wire-peer --to "127.0.0.1:$PORT" --case valid --id $ID --region-size $SIZE \
	> "$T/peer" 2>&1
prc=$?
wait $SPID
exp=$(sed -n 's/^expect //p' "$T/peer")
got=$(sed -n 's/^sink //p' "$T/sink")
[ $prc -eq 0 ] && grep -q '^ack ok' "$T/peer" && [ -n "$exp" ] && [ "$exp" = "$got" ] &&
	grep -q 'populated 5 nonzero 4' "$T/sink" &&
	ok "valid: ack ok, content as announced ($got)" || notok "valid"

# future: a later source (versions 1..9, CRC, bits 40 and 63) is met at
# version 1 with no feature (the sink grants none), and its traffic lands.
sink_start
"$SYSTEST" wire-peer --to "127.0.0.1:$PORT" --case future --id $ID --region-size $SIZE \
	> "$T/peer" 2>&1
prc=$?
wait $SPID
exp=$(sed -n 's/^expect //p' "$T/peer")
got=$(sed -n 's/^sink //p' "$T/sink")
[ $prc -eq 0 ] && grep -q '^granted version 1 features 0$' "$T/peer" &&
	grep -q '^ack ok' "$T/peer" && [ -n "$exp" ] && [ "$exp" = "$got" ] &&
	ok "future: version 1, no feature granted, content as announced" || notok "future"

# A reply granting an unknown bit, or naming a version the peer does not
# speak, is refused by the peer's reply decoder (the source's rule).
for g in "--grant 0x10000000000:reply accepts an unknown feature" \
	"--reply-version 2:unsupported version"; do
	sink_start ${g%%:*}
	"$SYSTEST" wire-peer --to "127.0.0.1:$PORT" --case valid --id $ID --region-size $SIZE \
		> "$T/peer" 2>&1
	prc=$?
	wait $SPID
	[ $prc -eq 1 ] && grep -q "^reply malformed: ${g#*:}\$" "$T/peer" &&
		ok "sink ${g%%:*}: peer refuses the reply (${g#*:})" || notok "sink ${g%%:*}"
done

# valid with a prefix of good packets before a bad one: only those land.
sink_start
"$SYSTEST" wire-peer --to "127.0.0.1:$PORT" --case bad-offset --prefix 3 --id $ID \
	--region-size $SIZE > "$T/peer" 2>&1
wait $SPID
grep -q "error 'offset outside the region' (packet 3)" "$T/sink" &&
	grep -q 'populated 3 nonzero 3' "$T/sink" && ok "--prefix 3: three pages, then the error" ||
	notok "--prefix 3"

# Four channels, each its own peer; hashes of disjoint page sets add up.
sink_start --channels 4 --conns 4
for c in 0 1 2 3; do
	"$SYSTEST" wire-peer --to "127.0.0.1:$PORT" --case valid --id $ID --region-size $SIZE \
		--channels 4 --channel-id $c > "$T/peer$c" 2>&1 &
done
wait $SPID; wait
hs=$(for c in 0 1 2 3; do sed -n 's/^expect hash \([0-9a-f]*\).*/\1/p' "$T/peer$c"; done)
sum=$("$SYSTEST" hash-add $hs)
cat "$T/peer0" "$T/peer1" "$T/peer2" "$T/peer3" > "$T/peer"
[ "$(grep -c '^ack ok' "$T/peer")" = 4 ] && grep -q "^sink hash $sum populated 20 nonzero 16" "$T/sink" &&
	ok "4 channels: 4 acks, sum of the channel hashes ($sum)" || notok "4 channels"

# A sink without --id takes the first channel's id; a differing one is rejected.
ID=
sink_start --channels 2 --conns 2
ID=00112233445566778899aabbccddeeff
"$SYSTEST" wire-peer --to "127.0.0.1:$PORT" --case valid --channels 2 --region-size $SIZE > "$T/peer" 2>&1
"$SYSTEST" wire-peer --to "127.0.0.1:$PORT" --case valid --channels 2 --channel-id 1 \
	--id ffeeddccbbaa99887766554433221100 --region-size $SIZE >> "$T/peer" 2>&1
wait $SPID
grep -q "reject 3 'wrong migration id'" "$T/sink" && ok "id taken from the first channel" ||
	notok "id taken from the first channel"

# slow: 3 packets of 2 data pages, then (no close within 1 s) it closes;
# the sink keeps exactly those 6 pages.
sink_start
"$SYSTEST" wire-peer --to "127.0.0.1:$PORT" --case slow --packets 3 --interval-ms 20 --id $ID \
	--region-size $SIZE --timeout 1 > "$T/peer" 2>&1
prc=$?
wait $SPID
[ $prc -eq 0 ] && [ "$(grep -c '^sent DATA 2+0 seq' "$T/peer")" = 3 ] &&
	grep -q '^no close within 1s' "$T/peer" && grep -q 'closed before COMPLETE' "$T/sink" &&
	grep -q 'populated 6 nonzero 6' "$T/sink" && ok "slow: 3 packets, 6 pages, closed before COMPLETE" ||
	notok "slow"

# slow, the destination killed: the peer sees the close and exits 0.
sink_start --timeout 30
"$SYSTEST" wire-peer --to "127.0.0.1:$PORT" --case slow --interval-ms 20 --id $ID \
	--region-size $SIZE --timeout 5 > "$T/peer" 2>&1 &
ppid=$!
sleep 0.5
kill -9 $SPID; wait $SPID 2>/dev/null
wait $ppid
prc=$?
[ $prc -eq 0 ] && grep -q '^peer closed' "$T/peer" && ok "slow: sees the destination go away" ||
	{ echo "peer exit $prc" >> "$T/peer"; notok "slow: sees the destination go away"; }

# --stall-after 2: two packets read, then nothing; the peer's ack never comes.
sink_start --stall-after 2 --timeout 30
"$SYSTEST" wire-peer --to "127.0.0.1:$PORT" --case valid --id $ID --region-size $SIZE \
	--timeout 1 > "$T/peer" 2>&1
prc=$?
grep -q '^conn 0: stalled after 2 packets' "$T/sink" && kill -0 $SPID 2>/dev/null &&
	[ $prc -ne 0 ] && ! grep -q '^ack ok' "$T/peer" && ok "--stall-after 2: stalls, stays open" ||
	{ echo "peer exit $prc" >> "$T/peer"; notok "--stall-after 2"; }
kill -9 $SPID; wait $SPID 2>/dev/null

rm -rf "$T"
echo "1..$N"
[ $FAIL -eq 0 ]
