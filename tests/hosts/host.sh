#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# One host of a two-host run (scripts/hosts.sh), inside its own kernel (UML
# or Debian 6.1 under QEMU) as root: brings the link up, loads kmig, runs
# the cases of tests/hosts/cases.sh named in the run's configuration in
# step with the other host, and ends with the module's unload, kmemleak
# and '# systest done'. POSIX sh (dash in UML, bash in the initramfs).
#
#   host.sh --role a|b --share DIR --env NAME --ko KO --migctl PATH --bin DIR
#
# DIR is the directory both hosts and scripts/hosts.sh share: conf.sh (the
# run: HOST_CASES_RUN, HOST_MTU, HOST_KINDS, HOST_BENCH, HOST_BENCH_ARGS,
# HOST_BENCH_OUT), mig.key, and:
#   sync/ROLE.NAME     host ROLE has reached sync point NAME
#   val/ROLE.KEY       a value host ROLE gives the other (written once)
#   req/ROLE.N.ACTION  a request to scripts/hosts.sh; .done when served
#   killed-ROLE        scripts/hosts.sh killed host ROLE (kill-a, kill-b)
# Files are only ever created (renamed into place), never rewritten, and
# looked for by listing their directory: neither hostfs nor 9p then has a
# stale name or content to show.
# Host a is 10.77.0.1 and fd77::1, host b 10.77.0.2 and fd77::2, on /24
# and /64 of the one Ethernet interface (UML: vec0; QEMU: eth0).

ENV=unknown KO= MIGCTL= BIN= ROLE= SHARE=
while [ $# -gt 0 ]; do
	case "$1" in
	--role) ROLE=$2; shift 2 ;;
	--share) SHARE=$2; shift 2 ;;
	*) break ;;
	esac
done
HOSTS=$(cd "$(dirname "$0")" && pwd)
. "$HOSTS/../system/lib.sh"
args "$@"
[ -n "$BIN" ] || BIN=$HOSTS/../system
SYSTEST=$BIN/kmig-systest
T=/tmp/kmig-host.$$
mkdir -p "$T"
. "$BIN/tap.sh"
. "$SHARE/conf.sh"
case $ROLE in
a) PEER=b ME=1 OTHER=2 ;;
b) PEER=a ME=2 OTHER=1 ;;
*) echo "# host.sh: --role a or b"; echo "# systest done"; exit 1 ;;
esac
KEYFILE=$T/mig.key
(umask 077 && cp "$SHARE/mig.key" "$KEYFILE")
KEYOPT="--key-file $KEYFILE"
LIVE_VMM=$BIN/../../tools/example-vmm/kmig-vmm

# --- Between the hosts ---------------------------------------------------
_in() { ls "$SHARE/$1" 2>/dev/null | grep -qxF "$2"; }
# peer_killed: scripts/hosts.sh killed the other host (a case's kill-a or
# kill-b): nothing more comes from it, so nothing waits for it.
peer_killed() { _in . "killed-$PEER"; }
# sync_point NAME [SECONDS]: both hosts reached NAME (default: 120 s), or
# the other host was killed (at once, status 0).
sync_point() {
	: > "$SHARE/sync/$ROLE.$1"
	wait_until "${2:-120}" _sync_in "$PEER.$1"
}
_sync_in() { _in sync "$1" || peer_killed; }
# put KEY VALUE: give the other host VALUE; get KEY [SECONDS]: the other
# host's VALUE of KEY (empty when it did not come in time, or at once
# when the other host was killed without giving it).
put() {
	echo "$2" > "$SHARE/val/.$ROLE.$1.tmp" && mv "$SHARE/val/.$ROLE.$1.tmp" "$SHARE/val/$ROLE.$1"
}
get() {
	wait_until "${2:-120}" _get_in "$PEER.$1" && _in val "$PEER.$1" && cat "$SHARE/val/$PEER.$1"
}
_get_in() { _in val "$1" || peer_killed; }
# request ACTION [SECONDS]: scripts/hosts.sh does ACTION (link-down,
# link-up, kill-a, kill-b); returns when it has. A host that asks for its
# own kill does not return (its TAP lines so far count; its end checks,
# rmmod and kmemleak, are the other host's only).
_rq=0
request() {
	_rq=$((_rq + 1))
	: > "$SHARE/req/$ROLE.$_rq.$1"
	wait_until "${2:-30}" _in req "$ROLE.$_rq.$1.done"
}

# --- The link ------------------------------------------------------------
# The link: the one Ethernet interface (type 1; not sit0 and the like).
IF=
for _i in /sys/class/net/*; do
	[ "$(cat "$_i/type" 2> /dev/null)" = 1 ] && [ -z "$IF" ] && IF=${_i##*/}
done
# link_set RTT-MS LOSS-% RATE: this host's egress gets half the round trip
# (the other host the other half), the loss and the rate cap ('-' or 0:
# none). netem's queue holds 100000 packets: its default 1000 would cap a
# long link's bandwidth-delay product.
link_set() {
	_lq="limit 100000"
	[ "$1" = 0 ] || _lq="$_lq delay $(($1 / 2))ms"
	[ "$2" = 0 ] || _lq="$_lq loss $2%"
	[ "$3" = - ] || _lq="$_lq rate $3"
	# shellcheck disable=SC2086
	tc qdisc replace dev "$IF" root netem $_lq
}
link_clear() { tc qdisc del dev "$IF" root 2> /dev/null; return 0; }
# peer_addr 4|6 [PORT]: the other host's address (with PORT: as --to takes it).
peer_addr() {
	if [ "$1" = 6 ]; then _pa=fd77::$OTHER; else _pa=10.77.0.$OTHER; fi
	if [ -z "$2" ]; then echo "$_pa"; elif [ "$1" = 6 ]; then echo "[$_pa]:$2"; else echo "$_pa:$2"; fi
}
my_addr() { if [ "$1" = 6 ]; then echo "fd77::$ME"; else echo "10.77.0.$ME"; fi; }

# One segment per frame, as on a wire: UML's vector device offers TSO, but
# its receive buffers hold one frame of the MTU (unless booted with gro=1,
# which gives every frame, however small, 64 KiB and shrinks TCP's
# windows by that overhead): the other host's TSO frames, UML's or
# QEMU's, would be dropped ("Incoming GSO frames and GRO disabled on the
# interface"), and TCP would stall for seconds at a time.
link_up() {
	ip link set "$IF" mtu "$HOST_MTU" 2> /dev/null
	ip link set "$IF" gso_max_segs 1 &&
		ip link set "$IF" up &&
		ip addr add "10.77.0.$ME/24" dev "$IF" &&
		ip -6 addr add "fd77::$ME/64" dev "$IF" nodad &&
		[ "$(cat "/sys/class/net/$IF/mtu")" = "$HOST_MTU" ]
}
# The other host answers on the link (both IPv4 and IPv6), and the link's
# MTU carries a full frame unfragmented.
peer_reachable() {
	busybox ping -c 1 -W 2 "$(peer_addr 4)" > /dev/null 2>&1 &&
		busybox ping -c 1 -W 2 "$(peer_addr 6)" > /dev/null 2>&1
}

# --- The run -------------------------------------------------------------
echo "# host $ROLE ($ENV): $(uname -r), $(nproc 2>/dev/null || echo ?) cpu(s), link $IF, MTU $HOST_MTU"
. "$HOSTS/cases.sh"
mark host-boot
t "link $IF up, MTU $HOST_MTU" link_up
t "insmod" load
if sync_point boot 300 && wait_until 60 peer_reachable; then
	ok "host $PEER reachable over the link (IPv4 and IPv6)"
	if [ "$HOST_BENCH" = 1 ]; then
		. "$BIN/../bench/hosts-bench.sh"
	else
		host_cases_run "$HOST_CASES_RUN"
	fi
else
	ip addr show > "$T/out" 2>&1
	notok "host $PEER reachable over the link (IPv4 and IPv6)"
fi
sync_point end 600
# Down before the power-off: UML's older network driver (eth0=tuntap)
# frees an open device's interrupt at reboot under a spinlock (lockdep:
# "Invalid wait context"); a closed one it leaves alone.
t "link $IF down" ip link set "$IF" down
t "rmmod" unload
if [ -w /sys/kernel/debug/kmemleak ]; then
	kml_scan "$T/kml"
	grep -A12 unreferenced "$T/kml" > "$T/out"
	mcheck "kmemleak: no leak" [ ! -s "$T/out" ]
fi
mcheck "kernel log clean" klog_clean host-boot
echo "# $ENV: $PASS passed, $FAIL failed, $SKIPPED skipped"
rm -rf "$T"
echo "# systest done"
