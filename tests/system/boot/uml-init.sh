#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# PID 1 of a UML kernel booted on the host's root filesystem (hostfs) by
# scripts/systest-uml.sh. The kernel command line carries kmigconf=FILE, which
# the kernel hands over as an environment variable; FILE (written by the
# host side) sets:
#   KMIG_TOP     the clone
#   KMIG_MODE    systest | demo | bench | kunit | host
#   KMIG_HOST_ROLE, KMIG_HOST_SHARE   host: the role (a, b) and the shared
#                directory of a two-host run (scripts/hosts.sh)
#   KMIG_ENV     environment name for run-tests.sh (uml)
#   KMIG_KO, KMIG_MIGCTL, KMIG_BIN   module, migctl, test binaries dir
#   KMIG_YNL     the kernel source's tools/net/ynl (tests/system/ynl-cases.sh)
#   KMIG_OUT     file (on hostfs) that receives a copy of the script's output
#   KMIG_GUEST_KERNEL, KMIG_GUEST_INITRD, KMIG_GUEST_APPEND  optional: the
#                test guest (scripts/guest-image.sh), exported to the script
# Mounts proc, sysfs, devtmpfs, tmpfs (/tmp, /run, /dev/shm), debugfs and
# cgroup2, brings lo up, runs the script and powers off. Paths of the run
# under the host's /tmp stay visible (bind mounts over the private /tmp).
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export PATH
bb=/bin/busybox

mountpoint -q /proc || mount -t proc proc /proc
mountpoint -q /sys || mount -t sysfs sysfs /sys
grep -q '^[^ ]* /dev devtmpfs' /proc/mounts || mount -t devtmpfs devtmpfs /dev

# Read the configuration before /tmp is covered: the clone may live there.
if [ -z "$kmigconf" ] || [ ! -r "$kmigconf" ]; then
	echo "uml-init: no kmigconf= on the kernel command line (or unreadable: $kmigconf)"
	$bb poweroff -f
fi
. "$kmigconf"

mkdir -p /dev/pts /dev/shm 2>/dev/null
mount -t devpts devpts /dev/pts 2>/dev/null
mount -t tmpfs tmpfs /dev/shm
mount -t tmpfs tmpfs /run
# A private tmpfs on /tmp; whatever the run needs from the host's /tmp (a
# clone at /tmp/X, say) is bind-mounted back at the same path.
mkdir -p /run/host-tmp
mount --bind /tmp /run/host-tmp
mount -t tmpfs tmpfs /tmp
for p in "$kmigconf" "$KMIG_TOP" "$KMIG_KO" "$KMIG_MIGCTL" "$KMIG_BIN" "$KMIG_OUT" \
	"$KMIG_BENCH_OUT" "$KMIG_GUEST_KERNEL" "$KMIG_GUEST_INITRD" "$KMIG_HOST_SHARE"; do
	case $p in
	/tmp/?*)
		top=${p#/tmp/}; top=/tmp/${top%%/*}
		mountpoint -q "$top" && continue
		if [ -d "/run/host-tmp/${top#/tmp/}" ]; then
			mkdir -p "$top" && mount --bind "/run/host-tmp/${top#/tmp/}" "$top"
		fi ;;
	esac
done
mount -t debugfs debugfs /sys/kernel/debug
mount -t cgroup2 cgroup2 /sys/fs/cgroup 2>/dev/null
$bb ip link set lo up
$bb hostname kmig-uml 2>/dev/null

export HOME=/tmp TMPDIR=/tmp KMIG_TOP KMIG_ENV KMIG_GUEST_KERNEL KMIG_GUEST_INITRD KMIG_GUEST_APPEND \
	KMIG_YNL
cd "$KMIG_TOP" || $bb poweroff -f

# Run a script by its #! line (sh when it is not executable).
run() {
	if [ -x "$1" ]; then "$@"; else sh "$@"; fi
}

case $KMIG_MODE in
systest)
	echo "uml-init: running tests/system/run-tests.sh --env $KMIG_ENV"
	run "$KMIG_TOP/tests/system/run-tests.sh" --env "$KMIG_ENV" --ko "$KMIG_KO" \
		--migctl "$KMIG_MIGCTL" --bin "$KMIG_BIN" </dev/null 2>&1 | tee "$KMIG_OUT"
	;;
demo)
	echo "uml-init: running tests/system/demo.sh"
	# Its exit status goes into the output too: scripts/systest-uml.sh
	# --demo fails unless it is 0.
	{
		run "$KMIG_TOP/tests/system/demo.sh" --ko "$KMIG_KO" --migctl "$KMIG_MIGCTL" \
			--bin "$KMIG_BIN" </dev/null 2>&1
		echo "uml-init: demo exit status $?"
	} | tee "$KMIG_OUT"
	;;
kunit)
	# KMIG_KO is kmig.ko with the KUnit suites linked in: they run when it
	# is loaded, and insmod returns when they are done. Their KTAP is read
	# back from the kernel log (cleared first: a kernel with CONFIG_KUNIT=y
	# prints an empty KTAP plan of its own at boot).
	echo "uml-init: running the KUnit suites: insmod $KMIG_KO"
	dmesg -C
	insmod "$KMIG_KO"
	rc=$?
	dmesg >"$KMIG_OUT"
	echo "uml-init: insmod exit status $rc" >>"$KMIG_OUT"
	if [ $rc -eq 0 ]; then
		rmmod kmig
		echo "uml-init: rmmod exit status $?" >>"$KMIG_OUT"
	fi
	;;
bench)
	echo "uml-init: running tests/bench/bench-uml.py"
	# shellcheck disable=SC2086
	python3 "$KMIG_TOP/tests/bench/bench-uml.py" --ko "$KMIG_KO" \
		--migctl "$KMIG_MIGCTL" --bin "$KMIG_BIN" \
		--vmm "$KMIG_TOP/tools/example-vmm/kmig-vmm" --out "$KMIG_BENCH_OUT" \
		$KMIG_BENCH_ARGS </dev/null 2>&1 | tee "$KMIG_OUT"
	;;
host)
	echo "uml-init: running tests/hosts/host.sh, host $KMIG_HOST_ROLE"
	run "$KMIG_TOP/tests/hosts/host.sh" --role "$KMIG_HOST_ROLE" --share "$KMIG_HOST_SHARE" \
		--env "$KMIG_ENV" --ko "$KMIG_KO" --migctl "$KMIG_MIGCTL" --bin "$KMIG_BIN" \
		</dev/null 2>&1 | tee "$KMIG_OUT"
	;;
*)
	echo "uml-init: unknown KMIG_MODE '$KMIG_MODE'"
	;;
esac
sync
echo "uml-init: powering off"
$bb poweroff -f
