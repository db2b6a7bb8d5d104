#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Two hosts, each its own kernel, joined by a virtual Ethernet link that
# carries nothing but their traffic; runs two-host cases on them and tears
# everything down (tests/hosts/README.rst says why it is built this way).
#
#   scripts/hosts.sh [OPTIONS] PAIR CASE...
#
# PAIR is HOSTA-HOSTB, each uml (UML 6.12, the uml-debug kernel; uml-bench
# with --bench) or deb61 (Debian's stock 6.1 under QEMU TCG): uml-uml,
# deb61-uml, uml-deb61. Host a is the source of every migration, host b the
# destination. CASE: a line of tests/hosts/cases.sh's HOST_CASES (its
# name), or a glob of names.
#
#   --name NAME   results as build/results/hosts-NAME.tap (default: PAIR)
#   --mtu N       the link's MTU (default 1500; UML's vector device takes it
#                 at boot, so it holds for the whole run)
#   --bench       uml-bench kernels, no debug checks; runs
#                 tests/bench/hosts-bench.sh on both hosts instead of cases
#                 (KMIG_BENCH_OUT, KMIG_BENCH_ARGS)
#   --timeout S   the whole run (default 900)
#
# The link: a network namespace made for the run (kmig-hosts-PID), with a
# bridge and one port per host, MTU 9000 (the hosts set their own MTU):
# a tap device per host, QEMU's (virtio-net) or UML's (the vector
# driver's tap transport, a frame per read and write of the host's tap;
# MTU up to 9000; scripts/kernel-patches/0002 fixes its queue
# locks in 6.12, which lockdep reported and the debug kernel faulted on).
# KMIG_UML_NET=raw: UML on a veth pair through a raw socket instead (the
# vector driver's batched transport, which ran the long link about six
# times slower here).
# The host kernel may have no netem: each host shapes its own egress with
# tc netem (tests/hosts/host.sh), so the round trip is twice one host's
# delay.
# A directory shared by both hosts (UML: hostfs; QEMU: 9p over virtio)
# holds the run's configuration, the migration key, the hosts' sync points
# and values, and the requests to this script: link-down, link-up (host
# a's port leaves and rejoins the bridge: frames are lost, both ends stay up),
# kill-a, kill-b (the host's process group gets SIGKILL: a host rebooted
# mid-migration).
# Consoles: build/logs/hosts-NAME-{a,b}-console.log. A trap kills both
# hosts and deletes the namespace on any exit.
set -euo pipefail
KMIG_TAG=hosts
. "$(dirname "$0")/lib.sh"

name= mtu=1500 bench=0 timeout_s=900
while [ $# -gt 0 ]; do
	case $1 in
	--name) name=$2; shift 2 ;;
	--mtu) mtu=$2; shift 2 ;;
	--bench) bench=1; shift ;;
	--timeout) timeout_s=$2; shift 2 ;;
	-*) die "unknown option $1" ;;
	*) break ;;
	esac
done
pair=${1:?usage: $0 [--name N] [--mtu N] [--bench] [--timeout S] uml-uml|deb61-uml|uml-deb61 CASE...}
shift
kinds=("${pair%-*}" "${pair#*-}")
for k in "${kinds[@]}"; do
	case $k in uml|deb61) ;; *) die "unknown host kind $k (uml or deb61)" ;; esac
done
[ $bench = 1 ] || [ $# -gt 0 ] || die "no case given (tests/hosts/cases.sh)"
name=${name:-$pair}
[ "$(id -u)" -eq 0 ] || die "needs root (a network namespace, a bridge and tap devices)"
[ -c /dev/net/tun ] || die "no /dev/net/tun: the host kernel needs TUN for the link"
command -v ip >/dev/null || die "$(missing_pkg iproute2)"

# 1. What the hosts run.
ukernel=uml-debug utarget=uml-debug
[ $bench = 0 ] || { ukernel=uml-bench utarget=uml-bench; }
run=$KMIG_BUILD/hosts-$name
rm -rf "$run"
mkdir -p "$run"
targets=()
case $pair in *uml*) targets+=("$utarget") ;; esac
case $pair in *deb61*) targets+=(deb61) ;; esac
if [ "${KMIG_SKIP_USERSPACE:-0}" != 1 ]; then
	"$KMIG_TOP/scripts/modules.sh" "${targets[@]}" || die "the kmig module did not build"
	"$KMIG_TOP/scripts/userspace.sh" || die "the userspace programs did not build"
fi
kdir= vmlinuz=
case $pair in *uml*) kdir=$("$KMIG_TOP/scripts/uml-kernel.sh" "$ukernel") || exit 1 ;; esac
case $pair in
*deb61*)
	command -v qemu-system-x86_64 >/dev/null || die "$(missing_pkg qemu-system-x86)"
	vmlinuz=$("$KMIG_TOP/scripts/deb61-initramfs.sh" "$run/deb61") || die "the initramfs did not build" ;;
esac

# 2. The shared directory: configuration and key.
share=$run/share
mkdir -p "$share"/{sync,val,req}
(umask 077 && "$KMIG_TOP/tools/migctl/migctl" keygen >"$share/mig.key") || die "migctl keygen failed"
{
	echo "HOST_CASES_RUN='$*'"
	echo "HOST_MTU=$mtu"
	echo "HOST_KINDS='${kinds[*]}'"
	echo "HOST_BENCH=$bench"
	echo "HOST_BENCH_ARGS='${KMIG_BENCH_ARGS:-}'"
	echo "HOST_BENCH_OUT='${KMIG_BENCH_OUT:-}'"
} >"$share/conf.sh"

# 3. The link.
ns=kmig-hosts-$$
pids=()
cleanup() {
	local p
	set +e	# all of it, whatever fails
	for p in "${pids[@]}"; do kill -9 -- "-$p" 2>/dev/null || true; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
	ip netns del "$ns" 2>/dev/null || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM
ip netns add "$ns"
nsx() { ip netns exec "$ns" "$@"; }
nsx ip link add kmigbr type bridge
nsx ip link set kmigbr mtu 9000 up
# Each host's bridge port is its tap device (kmig-a, kmig-b): QEMU's, or
# UML's, which its vector driver reads and writes (KMIG_UML_NET=raw: a
# veth pair instead, kmig-a-br on the bridge, its other end kmig-a read
# and written over a raw socket).
declare -A port=()
for r in a b; do
	if [ "${KMIG_UML_NET:-tap}" = raw ] && [ "${kinds[$([ $r = a ] && echo 0 || echo 1)]}" = uml ]; then
		nsx ip link add "kmig-$r" mtu 9000 type veth peer name "kmig-$r-br" mtu 9000
		nsx ip link set "kmig-$r" up
		port[$r]=kmig-$r-br
	else
		nsx ip tuntap add dev "kmig-$r" mode tap
		port[$r]=kmig-$r
	fi
	nsx ip link set "${port[$r]}" mtu 9000 master kmigbr up
done
log "link: namespace $ns, bridge kmigbr, ports ${port[a]} and ${port[b]} (MTU $mtu on the hosts)"

# 4. The hosts, each in its own process group, killed as one: $! is the
# group's leader (setsid and ip exec the kernel or QEMU; nothing pipes
# their output and no timeout(1) stands between, as UML makes itself a
# session leader and would outlive a timeout killed first).
boot() { # ROLE KIND
	local role=$1 kind=$2 console=$KMIG_LOGS/hosts-$name-$1-console.log conf
	: >"$console"
	case $kind in
	uml)
		conf=$run/uml-$role.sh
		mac=52:54:00:77:00:0$([ "$role" = a ] && echo 1 || echo 2)
		unet=("vec0:transport=${KMIG_UML_NET:-tap},ifname=kmig-$role,depth=128,mtu=$mtu,mac=$mac")
		cat >"$conf" <<CONF
KMIG_TOP='$KMIG_TOP'
KMIG_MODE='host'
KMIG_ENV='$name/$role'
KMIG_KO='$KMIG_BUILD/$utarget/kmod/kmig.ko'
KMIG_MIGCTL='$KMIG_TOP/tools/migctl/migctl'
KMIG_BIN='$KMIG_TOP/tests/system'
KMIG_OUT='$run/uml-$role.out'
KMIG_HOST_ROLE='$role'
KMIG_HOST_SHARE='$share'
KMIG_BENCH_OUT='${KMIG_BENCH_OUT:-}'
CONF
		setsid ip netns exec "$ns" "$kdir/linux" \
			mem="${KMIG_UML_MEM:-2G}" rootfstype=hostfs rootflags=/ rw \
			init="$KMIG_TOP/tests/system/boot/uml-init.sh" kmigconf="$conf" \
			con=null con0=fd:0,fd:1 ssl=null log_buf_len=1M panic_on_warn=1 \
			"${unet[@]}" \
			</dev/null >"$console" 2>&1 &
		;;
	deb61)
		setsid ip netns exec "$ns" qemu-system-x86_64 \
			-accel tcg -cpu max -smp 2 -m 2G -nographic -no-reboot \
			-kernel "$vmlinuz" -initrd "$run/deb61/initrd.gz" \
			-netdev "tap,id=n0,ifname=kmig-$role,script=no,downscript=no" \
			-device "virtio-net-pci,netdev=n0,mac=52:54:00:77:00:0$([ "$role" = a ] && echo 1 || echo 2)" \
			-virtfs "local,path=$share,mount_tag=kmigshare,security_model=none,id=share" \
			-append "console=ttyS0 panic=-1 panic_on_warn=1 quiet KMIG_HOST_ROLE=$role KMIG_HOST_ENV=$name/$role" \
			</dev/null >"$console" 2>&1 &
		;;
	esac
	pids+=($!)
	log "host $role: $kind (console: $console)"
}
start=$(date +%s)
boot a "${kinds[0]}"
boot b "${kinds[1]}"

# 5. Serve the hosts' requests until both have ended.
serve() { # FILE: share/req/ROLE.N.ACTION; done when FILE.done exists
	local f=$1 act=${1##*.}
	case $act in
	link-down) nsx ip link set "${port[a]}" nomaster ;;
	link-up) nsx ip link set "${port[a]}" master kmigbr ;;
	kill-a) : >"$share/killed-a"; kill -9 -- "-${pids[0]}" 2>/dev/null || true ;;
	kill-b) : >"$share/killed-b"; kill -9 -- "-${pids[1]}" 2>/dev/null || true ;;
	*) log "unknown request $act" ;;
	esac
	log "request: $act"
	: >"$f.done"
}
while kill -0 "${pids[0]}" 2>/dev/null || kill -0 "${pids[1]}" 2>/dev/null; do
	if [ $(($(date +%s) - start)) -gt "$timeout_s" ]; then
		log "timeout after ${timeout_s}s: killing both hosts"
		echo "kmig: VM stopped: timeout of ${timeout_s}s" | tee -a "$KMIG_LOGS/hosts-$name-a-console.log" \
			>>"$KMIG_LOGS/hosts-$name-b-console.log"
		kill -9 -- "-${pids[0]}" "-${pids[1]}" 2>/dev/null || true
		break
	fi
	for f in "$share"/req/*; do
		case $f in *'*'|*.done) continue ;; esac
		[ -e "$f.done" ] || serve "$f"
	done
	sleep 0.2
done
elapsed=$(($(date +%s) - start))
log "both hosts ended after ${elapsed}s"

# 6. Results: each host's TAP, its kernel log, and whether it finished.
rc=0
tap_begin "hosts-$name"
for r in a b; do
	console=$KMIG_LOGS/hosts-$name-$r-console.log
	tap_import "$console"
	killed=0
	[ ! -e "$share/killed-$r" ] || killed=1
	# A host killed by its case has no end to check.
	[ $killed = 1 ] || tap_klog "$name: kernel log clean (host $r)" "$console" || true
	if [ "$TAP_DONE" != 1 ] && [ $killed = 0 ]; then
		tap_notok "$name: host $r finished" >/dev/null
		log "host $r printed no '# systest done' (panic, hang or timeout after ${elapsed}s); last lines of $console:"
		{ tail -n 30 "$console" || true; } | sed 's/^/    /' >&2
	fi
done
tap_count "$TAP_FILE"
log "$name: $T_PASS passed, $T_FAIL failed, $T_SKIP skipped (of which passed), ${elapsed}s"
[ "$T_FAIL" -eq 0 ] || rc=1
exit $rc
