# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Shared helpers for the kmig build and test scripts. Source it, don't run it.
#
# Layout:
#   $KMIG_CACHE (default ~/.cache/kmig), shared between clones:
#     src/linux-source-<debver>/     unpacked linux-source-6.12, kmig grafted in
#     build/<name>-<kver>-<hash>/    O= dirs of the UML and KUnit kernels
#     deb/<pkg>_<ver>/               unpacked Debian kernel images
#   <clone>/build/, per clone:
#     <target>/kmod, <target>/include  module staging dirs
#     logs/                            build logs and captured consoles
#     results/<suite>.tap              TAP of each suite, read by scripts/test.sh

set -o pipefail

KMIG_TOP=${KMIG_TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
KMIG_CACHE=${KMIG_CACHE:-$HOME/.cache/kmig}
KMIG_BUILD=${KMIG_BUILD:-$KMIG_TOP/build}
KMIG_LOGS=$KMIG_BUILD/logs
KMIG_RESULTS=$KMIG_BUILD/results
KMIG_JOBS=${KMIG_JOBS:-$(nproc)}
export DEBIAN_FRONTEND=noninteractive

mkdir -p "$KMIG_LOGS" "$KMIG_RESULTS"

# Show at most N lines of stdin, indented, on stderr. Reads all of its input
# (no SIGPIPE for the writer, which matters under pipefail).
indent() { sed -n "1,${1:-40}p" | sed 's/^/    /' >&2; }
log() { printf '[%s] %s\n' "${KMIG_TAG:-kmig}" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# Run a command with its output going to a log file; on failure show the
# tail of the log and return the command's status.
#   logrun LOGFILE CMD...
logrun() {
	local logf=$1 rc=0; shift
	mkdir -p "$(dirname "$logf")"
	"$@" >"$logf" 2>&1 </dev/null || rc=$?
	if [ $rc -ne 0 ]; then
		log "failed (rc=$rc): $* -- last lines of $logf:"
		tail -n 40 "$logf" | indent 40
	fi
	return $rc
}

# Installed version of a Debian package, empty if not installed. Never
# fails: dpkg-query exits non-zero for a package it does not know, which
# under pipefail would make 'v=$(deb_installed P)' end a set -e script
# silently, before it could say what is missing.
deb_installed() {
	{ dpkg-query -W -f='${db:Status-Abbrev} ${Version}\n' "$1" 2>/dev/null || true; } |
		awk '$1 == "ii" { print $2 }'
}

# The line to print when a package this run needs is missing.
#   missing_pkg PKG [WHAT]   e.g. "linux-source-6.12 is not installed: ..."
missing_pkg() {
	local how="run 'make deps'"
	[ "$(id -u)" -eq 0 ] || how="run 'make deps' as root"
	echo "${2:-$1} is not installed: $how (it installs the Debian packages kmig needs)"
}

# Version of linux-source-6.12 (e.g. 6.12.117-1~deb12u1), and its upstream
# kernel version (6.12.117).
ksrc_debver() { deb_installed linux-source-6.12; }
ksrc_kver() { ksrc_debver | sed 's/-.*//'; }
# Unpacked, grafted source tree for this version.
ksrc_dir() { echo "$KMIG_CACHE/src/linux-source-$(ksrc_debver | tr '~' '_')"; }

# The Debian 6.1 kernel ABI that linux-headers-amd64 points at, e.g.
# 6.1.0-56-amd64, and its package version (6.1.192-2).
deb61_abi() {
	[ -n "$(deb_installed linux-headers-amd64)" ] || return 0
	{ dpkg-query -W -f='${Depends}\n' linux-headers-amd64 2>/dev/null || true; } |
		tr ',' '\n' | sed -n 's/^ *linux-headers-\(6\.1\.0-[0-9]*-amd64\).*/\1/p' | awk 'NR == 1'
}
deb61_pkgver() { local a; a=$(deb61_abi); [ -z "$a" ] || deb_installed "linux-headers-$a"; }
deb61_headers() { echo "/usr/src/linux-headers-$(deb61_abi)"; }

# The 6.12 headers to build against: the installed
# linux-headers-<ksrc_kver>+deb12-amd64 if present, else the newest installed
# linux-headers-6.12.*+deb12-amd64. Empty (and status 0) when there is none.
deb612_release() {
	local kv
	kv=$(ksrc_kver)
	if [ -n "$kv" ] && [ -n "$(deb_installed "linux-headers-$kv+deb12-amd64")" ]; then
		echo "$kv+deb12-amd64"; return 0
	fi
	{ dpkg-query -W -f='${db:Status-Abbrev} ${Package}\n' 'linux-headers-6.12.*+deb12-amd64' 2>/dev/null || true; } |
		awk '$1 == "ii" { sub(/^linux-headers-/, "", $2); print $2 }' | sort -V | tail -n 1
}
deb612_headers() { local r; r=$(deb612_release); [ -z "$r" ] || echo "/usr/src/linux-headers-$r"; }

# Short hash of files' contents (config fragments, ...).
hash_files() { cat "$@" | sha256sum | cut -c1-10; }

# Serialize everything that uses the shared source tree (graft, Kconfig,
# kernel builds, KUnit): clones on the same machine share the cache.
ksrc_lock() {
	mkdir -p "$KMIG_CACHE"
	exec 9>"$KMIG_CACHE/.ksrc.lock"
	if ! flock -n 9; then
		log "waiting for another kmig build using $KMIG_CACHE"
		flock 9
	fi
}

# TAP helpers: each suite writes $KMIG_RESULTS/<suite>.tap; lines are also
# echoed to stdout.
tap_begin() { TAP_FILE=$KMIG_RESULTS/$1.tap; TAP_N=0; : >"$TAP_FILE"; }
tap_ok() { TAP_N=$((TAP_N + 1)); echo "ok $TAP_N - $*" | tee -a "$TAP_FILE"; }
tap_notok() { TAP_N=$((TAP_N + 1)); echo "not ok $TAP_N - $*" | tee -a "$TAP_FILE"; }
tap_skip() { TAP_N=$((TAP_N + 1)); echo "ok $TAP_N - $1 # SKIP $2" | tee -a "$TAP_FILE"; }
# tap_result NAME CMD...: run CMD, ok if it succeeds.
tap_result() { local n=$1; shift; if "$@"; then tap_ok "$n"; else tap_notok "$n"; fi; }

# Unpack linux-source-6.12 into the cache once per package version and graft
# this clone into it as drivers/kmig. Prints the tree's path. The caller
# holds ksrc_lock.
# Fixes to the test kernels' source (scripts/kernel-patches/*.patch, each
# with its reason), applied once: a patch that reverses cleanly is in.
ksrc_patches() { ls "$KMIG_TOP"/scripts/kernel-patches/*.patch 2>/dev/null || true; }
# An id of the patch set, for build markers (a new patch: rebuild).
ksrc_patch_id() {
	local p
	p=$(ksrc_patches)
	if [ -n "$p" ]; then hash_files $p; else echo none; fi
}
ksrc_patch() {
	local dir=$1 p
	for p in $(ksrc_patches); do
		if patch -d "$dir" -p1 -R --dry-run -s -f <"$p" >/dev/null 2>&1; then
			continue
		fi
		log "patching the kernel source: $(basename "$p")"
		patch -d "$dir" -p1 -N -s <"$p" >&2 || die "cannot apply $p"
	done
}

ksrc_prepare() {
	local debver dir tarball
	debver=$(ksrc_debver)
	[ -n "$debver" ] || die "$(missing_pkg linux-source-6.12)"
	dir=$(ksrc_dir)
	tarball=/usr/src/linux-source-6.12.tar.xz
	if [ ! -f "$dir/.kmig-unpacked" ]; then
		log "unpacking $tarball ($debver) into $dir"
		mkdir -p "$KMIG_CACHE/src"
		rm -rf "$dir" "$dir.tmp"
		mkdir -p "$dir.tmp"
		tar -xf "$tarball" -C "$dir.tmp" || die "cannot unpack $tarball"
		mv "$dir.tmp/linux-source-6.12" "$dir" && rmdir "$dir.tmp"
		echo "$debver" >"$dir/.kmig-unpacked"
	fi
	ksrc_patch "$dir"
	# Graft: drivers/kmig -> this clone (re-pointed on every run; CI runs
	# from a fresh clone). kbuild reads the clone's Kbuild, not its Makefile.
	ln -sfnT "$KMIG_TOP" "$dir/drivers/kmig"
	grep -qxF 'source "drivers/kmig/Kconfig"' "$dir/drivers/Kconfig" ||
		sed -i '$i source "drivers/kmig/Kconfig"' "$dir/drivers/Kconfig"
	grep -qxF 'obj-$(CONFIG_KMIG) += kmig/' "$dir/drivers/Makefile" ||
		echo 'obj-$(CONFIG_KMIG) += kmig/' >>"$dir/drivers/Makefile"
	echo "$dir"
}

# Re-emit the TAP test lines of FILE (output of run-tests.sh, possibly
# with \r and other lines around them) into the current suite, numbered
# anew. Sets TAP_DONE=1 when the closing '# systest done' line was seen.
tap_import() {
	local line diag=0
	TAP_DONE=0
	while IFS= read -r line; do
		line=${line%$'\r'}
		case $line in
		'# systest done'*) TAP_DONE=1 ;;
		'ok '[0-9]*|'not ok '[0-9]*)
			local st=ok rest
			case $line in 'not ok '*) st='not ok'; rest=${line#not ok } ;; *) rest=${line#ok } ;; esac
			rest=$(printf '%s' "$rest" | sed -E 's/^[0-9]+ *(- *)?//')
			TAP_N=$((TAP_N + 1))
			echo "$st $TAP_N - $rest" >>"$TAP_FILE"
			diag=0
			[ "$st" = ok ] || diag=12 ;;
		'#   '*)
			# A failure's diagnostics (the first 12 lines) stay with it.
			if [ $diag -gt 0 ]; then
				echo "$line" >>"$TAP_FILE"
				diag=$((diag - 1))
			fi ;;
		esac
	done <"$1"
}

# Lines of a captured console that show a kernel problem (TAP lines and the
# detectors' own start-up messages excluded). Non-empty output = problem.
kernel_log_problems() {
	tr -d '\r' <"$1" | sed '/^kmig: VM stopped/,$d' |
		grep -E 'BUG:|WARNING:|Kernel panic|KASAN|kmemleak|possible circular locking|INFO: task|Oops|general protection fault|Call Trace:' |
		grep -vE '^(not )?ok [0-9]+|^# ' |
		grep -vE 'kmemleak: Kernel memory leak detector initialized|kmemleak: Automatic memory scanning thread started|KernelAddressSanitizer initialized' || true
}

# Count the suite's TAP file: sets T_PASS T_FAIL T_SKIP.
tap_count() {
	T_PASS=$(grep -cE '^ok [0-9]+' "$1" || true)
	T_FAIL=$(grep -cE '^not ok [0-9]+' "$1" || true)
	T_SKIP=$(grep -ciE '^ok [0-9]+.*# *skip' "$1" || true)
}

# Copy the shared libraries that the ELF executables FILE... need (ldd)
# into the root directory ROOT, at the same paths.
copy_libs() {
	local root=$1 f lib; shift
	for f in "$@"; do
		[ "$(head -c 4 "$f" 2>/dev/null | tail -c 3)" = ELF ] || continue
		ldd "$f" 2>/dev/null | grep -oE '/[^ ]+' | while read -r lib; do
			[ -e "$root$lib" ] || cp -L --parents "$lib" "$root/" 2>/dev/null || true
		done || true
	done
}

# Debian's linux-image-<abi>-unsigned matching the installed 6.1 headers,
# fetched (apt-get download) and unpacked (dpkg-deb -x) into the cache once
# per version, with modules.dep made. Prints the unpacked dir.
deb61_image_prepare() {
	local abi ver pkg img
	abi=$(deb61_abi); ver=$(deb61_pkgver)
	[ -n "$abi" ] && [ -n "$ver" ] || die "$(missing_pkg linux-headers-amd64 "the Debian 6.1 kernel headers (linux-headers-amd64)")"
	pkg=linux-image-$abi-unsigned
	img=$KMIG_CACHE/deb/${pkg}_$ver
	if [ ! -f "$img/.kmig-unpacked" ]; then
		# One fetch at a time (parallel suites, other clones): the
		# second caller waits and finds it unpacked.
		mkdir -p "$KMIG_CACHE/deb"
		exec 8>"$KMIG_CACHE/deb/.lock"
		flock 8
	fi
	if [ ! -f "$img/.kmig-unpacked" ]; then
		log "fetching $pkg=$ver"
		rm -rf "$img" "$img.dl"
		mkdir -p "$img.dl"
		if ! (cd "$img.dl" && logrun "$KMIG_LOGS/apt-download.log" apt-get download "$pkg=$ver"); then
			logrun "$KMIG_LOGS/apt-update.log" apt-get update || die "apt-get update failed"
			(cd "$img.dl" && logrun "$KMIG_LOGS/apt-download.log" apt-get download "$pkg=$ver") ||
				die "cannot download $pkg=$ver"
		fi
		dpkg-deb -x "$img.dl"/"${pkg}"_*.deb "$img" || die "cannot unpack $pkg"
		rm -rf "$img.dl"
		[ -f "$img/boot/vmlinuz-$abi" ] || die "no boot/vmlinuz-$abi in $pkg"
		# The package ships no modules.dep: depmod makes it on install.
		depmod -b "$img" "$abi" || die "depmod failed"
		touch "$img/.kmig-unpacked"
	fi
	exec 8>&-
	echo "$img"
}

# Run a VM (UML or QEMU) with no tty: stdin /dev/null, output (\r
# stripped) to stdout and to CONSOLE. Stopped (SIGTERM, then SIGKILL) after
# TIMEOUT seconds, or when the console has been silent for
# KMIG_IDLE_TIMEOUT seconds (default 300: a hung guest should not eat CI's
# time); the line 'kmig: VM stopped ...' then goes to CONSOLE first, and
# kernel_log_problems ignores what follows it (the shutdown's own noise).
# No core dumps.
#   vm_run CONSOLE TIMEOUT CMD...
vm_run() {
	local console=$1 tmo=$2 idle=${KMIG_IDLE_TIMEOUT:-300} pidf tpid now m t0 why=
	shift 2
	pidf=$(mktemp)
	: >"$console"
	t0=$(date +%s)
	(
		echo "$BASHPID" >"$pidf"
		ulimit -c 0
		# timeout is the backstop; the loop below normally stops it first.
		exec timeout -k 10 "$((tmo + 60))" "$@" </dev/null 2>&1
	) | sed -u 's/\r$//' | tee -a "$console" &
	tpid=$!
	while kill -0 "$tpid" 2>/dev/null; do
		sleep 1
		[ -z "$why" ] || continue
		now=$(date +%s); m=$(stat -c %Y "$console")
		if [ $((now - t0)) -gt "$tmo" ]; then
			why="timeout of ${tmo}s"
		elif [ $((now - m)) -gt "$idle" ]; then
			why="${idle}s without console output"
		else
			continue
		fi
		log "stopping the VM: $why"
		echo "kmig: VM stopped: $why" >>"$console"
		# timeout passes TERM on to the VM's process group, KILLs 10s later.
		kill -TERM "$(cat "$pidf")" 2>/dev/null || true
	done
	wait "$tpid" 2>/dev/null || true
	rm -f "$pidf"
}

# hosts_run NAME MTU PAIR CASE...: one run of scripts/hosts.sh (--name
# NAME --mtu MTU) into the current suite: its TAP, then one test that it
# left nothing behind (its namespace kmig-hosts-PID, a process of its
# hosts); a run that left no TAP is one failure. Sets HR_LINE (a summary
# line) and returns non-zero on any failure.
hosts_run() {
	local name=$1 mtu=$2 pair=$3 t0 hpid rc=0 left
	shift 3
	t0=$(date +%s)
	"$KMIG_TOP/scripts/hosts.sh" --name "$name" --mtu "$mtu" "$pair" "$@" &
	hpid=$!
	wait "$hpid" || rc=1
	if [ -s "$KMIG_RESULTS/hosts-$name.tap" ]; then
		tap_import "$KMIG_RESULTS/hosts-$name.tap"
		tap_count "$KMIG_RESULTS/hosts-$name.tap"
	else
		tap_notok "$name: ran" >/dev/null
		T_PASS=0 T_FAIL=1 rc=1
	fi
	left=$({ ip netns list | grep -w "kmig-hosts-$hpid"; pgrep -af "$KMIG_BUILD/hosts-$name/" | grep -v pgrep; } || true)
	if [ -z "$left" ]; then
		tap_ok "$name: left nothing behind (namespace, processes)" >/dev/null
		T_PASS=$((T_PASS + 1))
	else
		tap_notok "$name: left nothing behind (namespace, processes)" >/dev/null
		printf '%s\n' "$left" | head -n 5 | sed 's/^/#   /' >>"$TAP_FILE"
		T_FAIL=$((T_FAIL + 1)) rc=1
	fi
	HR_LINE=$(printf '  %-30s %4d passed %3d failed %5ss  %s' "$name" "$T_PASS" "$T_FAIL" \
		"$(($(date +%s) - t0))" "$*")
	log "$HR_LINE"
	return $rc
}

# systest_finish ENV TAPSRC CONSOLE ELAPSED: turn one system-test boot into
# build/results/systest-ENV.tap: the script's TAP lines from TAPSRC, one test
# for a clean kernel log in CONSOLE, one failure named ENV if the script never
# reached '# systest done'. Returns non-zero on any failure.
systest_finish() {
	local env=$1 src=$2 console=$3 elapsed=$4 problems
	tap_begin "systest-$env"
	tap_import "$src"
	problems=$(kernel_log_problems "$console")
	if [ -z "$problems" ]; then
		tap_ok "kernel log clean ($env)" >/dev/null
	else
		tap_notok "kernel log clean ($env)" >/dev/null
		printf '%s\n' "$problems" | head -n 12 | sed 's/^/#   /' >>"$TAP_FILE"
		log "kernel problems in $console:"
		printf '%s\n' "$problems" | indent 20
	fi
	if [ "$TAP_DONE" != 1 ]; then
		tap_notok "$env" >/dev/null
		log "no '# systest done' line: the kernel panicked, hung or timed out (${elapsed}s); last lines of $console:"
		{ tail -n 30 "$console" || true; } | sed 's/^/    /' >&2
	fi
	tap_count "$TAP_FILE"
	log "$env: $T_PASS passed, $T_FAIL failed, $T_SKIP skipped (of which passed)"
	[ "$T_FAIL" -eq 0 ]
}
