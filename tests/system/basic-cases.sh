# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# The module itself, sourced by tests/system/run-tests.sh (POSIX sh): its
# load, regions and migctl against a held region, load-time parameters,
# and the final checks (kmemleak, the kernel log since the start).
#
# The cases:  NAME FUNCTION ARGS
# basic_load: the module loads, its device, sysfs, log line, zero check.
# basic_systest CASE: kmig-systest CASE (regions, raw netlink, sysfs).
# basic_migctl: migctl against a held region (regions, params, stats, set,
#     scan with each zero check, errors, rmmod refused while it is open).
# basic_params: load-time parameters, and refusing bad ones.
# basic_end: kmemleak finds nothing, the kernel log since the start is clean.
BASIC_REGION_CASES='
region-rw      basic_systest region-rw
refuse         basic_systest refuse
close-frees    basic_systest close-frees
prealloc       basic_systest prealloc
threads        basic_systest threads
fork           basic_systest fork
netlink        basic_systest netlink
nonroot        basic_systest nonroot
scan           basic_systest scan
migctl         basic_migctl
'

basic_load() {
	mark start
	t "insmod kmig.ko" load
	t "/dev/kmig is a character device" test -c /dev/kmig
	t "/sys/kernel/kmig exists with parameters" sh -c \
		'[ "$(cat /sys/kernel/kmig/channels)" = 2 ] && [ "$(cat /sys/kernel/kmig/zero_page_detection)" = channel ]'
	t "load message in the kernel log" sh -c 'dmesg | grep -q "kmig: loaded"'
	ACTIVE=$(sysfs zero_check_active)
	AVAIL=$(sysfs zero_check_available)
	echo "# zero check: active $ACTIVE, available: $AVAIL"
	t "zero check active is one of the available" sh -c "echo ' $AVAIL ' | grep -q ' $ACTIVE '"
	echo "active=$ACTIVE" > "$T/out"
	fc "zero check active is a real implementation" '[ "$ACTIVE" != auto ] && [ -n "$ACTIVE" ]'
}

basic_systest() { t "systest $1" "$SYSTEST" "$1"; }

basic_migctl() {
	"$SYSTEST" hold 256 1000 500 > "$T/hold" 2>&1 &
	HOLD=$!
	wait_until 10 grep -q '^id ' "$T/hold"
	ID=$(sed -n 's/^id //p' "$T/hold")
	if [ -z "$ID" ]; then
		cp "$T/hold" "$T/out"; notok "hold a region for migctl"; return 1
	fi
	ok "hold a region for migctl (id $ID)"
	t "migctl regions" "$MIGCTL" regions
	"$MIGCTL" regions > "$T/out" 2>&1; sed 's/^/# /' "$T/out" | head -5
	mjson "$T/r.json" regions
	mcheck "migctl --json regions shows the region" \
		jt "$T/r.json" ".[] | select(.id == $ID) | .populated_pages == 1500 and .size == 268435456"
	mjson "$T/r.json" regions "$ID"
	mcheck "migctl --json regions ID" jt "$T/r.json" ".populated_pages == 1500 and .owner_pid == $HOLD"
	sysfs "regions/$ID/populated_pages" > "$T/out"
	mcheck "sysfs populated_pages = 1500" [ "$(sysfs "regions/$ID/populated_pages")" = 1500 ]
	t "migctl params" "$MIGCTL" params
	t "migctl stats" "$MIGCTL" stats
	mjson "$T/s.json" stats
	mcheck "migctl --json stats counts the region" jt "$T/s.json" '.regions == 1'
	t "migctl set channels 4" "$MIGCTL" set channels 4
	sysfs channels > "$T/out"
	mcheck "sysfs channels follows migctl" [ "$(sysfs channels)" = 4 ]
	t "migctl set zero-page-detection main" "$MIGCTL" set zero-page-detection main
	t "migctl set channels 2 zero-page-detection channel" "$MIGCTL" set channels 2 zero-page-detection channel
	mcheck "parameters restored" [ "$(sysfs channels)/$(sysfs zero_page_detection)" = 2/channel ]
	tf "migctl set channels 65 fails" "$MIGCTL" set channels 65
	"$MIGCTL" set channels 65 > /dev/null 2> "$T/out"
	mcheck "migctl error is one line" [ "$(wc -l < "$T/out")" = 1 ]
	tf "migctl set zero-page-detection sometimes fails" "$MIGCTL" set zero-page-detection sometimes
	tf "migctl regions 999999 fails" "$MIGCTL" regions 999999
	"$MIGCTL" regions 999999 > /dev/null 2> "$T/out"
	mcheck "migctl says no such region" grep -qi "no region" "$T/out"
	"$SYSTEST" as-nobody "$MIGCTL" set channels 4 > /dev/null 2> "$T/out"
	_rc=$?
	echo "rc=$_rc" >> "$T/out"
	fc "migctl set as nobody: EPERM, names CAP_NET_ADMIN" \
		'[ $_rc -ne 0 ] && grep -q "CAP_NET_ADMIN" "$T/out" && [ "$(sysfs channels)" = 2 ]'
	t "migctl regions as nobody works" "$SYSTEST" as-nobody "$MIGCTL" regions

	# Scans with every available implementation through migctl.
	for _i in $AVAIL; do
		mjson "$T/scan.json" scan "$ID" --zero-check "$_i"
		mcheck "migctl scan --zero-check $_i" \
			jt "$T/scan.json" '.normal_pages == 1000 and .populated_pages == 1500'
	done
	# Forcing every implementation, and refusing the unavailable ones.
	for _i in generic sse2 avx2 avx512; do
		if echo " $AVAIL " | grep -q " $_i "; then
			"$MIGCTL" set zero-check "$_i" > "$T/out" 2>&1
			_rc=$?
			fc "force zero check $_i" '[ $_rc -eq 0 ] && [ "$(sysfs zero_check_active)" = "$_i" ]'
		else
			tf "forcing unavailable $_i is refused" "$MIGCTL" set zero-check "$_i"
		fi
	done
	t "migctl set zero-check auto" "$MIGCTL" set zero-check auto
	mcheck "auto selects $ACTIVE again" [ "$(sysfs zero_check_active)" = "$ACTIVE" ]

	# The module cannot go while a region exists.
	tf "rmmod refused while a region is open" rmmod kmig
	t "module still usable after refused rmmod" "$SYSTEST" fork
	kill "$HOLD"; wait "$HOLD"
	mjson "$T/r.json" regions
	mcheck "region gone when its owner exits" jt "$T/r.json" "all(.[]; .id != $ID)"
}

basic_params() {
	t "rmmod kmig" unload
	tf "migctl regions without the module fails" "$MIGCTL" regions
	"$MIGCTL" regions > /dev/null 2> "$T/out"
	mcheck "migctl says the module is not loaded" grep -q "not loaded" "$T/out"
	t "insmod max_region_size=64M" load max_region_size=64M
	t "systest cap" "$SYSTEST" cap
	t "insmod zero_check=generic" load zero_check=generic
	mcheck "zero_check=generic is active" [ "$(sysfs zero_check_active)" = generic ]
	unload
	for _p in channels=0 channels=65 zero_page_detection=bogus zero_check=bogus; do
		tf "insmod $_p refused" insmod "$KO" "$_p"
	done
	if ! echo " $AVAIL " | grep -q " avx512 "; then
		tf "insmod zero_check=avx512 refused without AVX-512" insmod "$KO" zero_check=avx512
	fi
	loaded && rmmod kmig
	t "insmod after refused loads" load
	t "rmmod" unload
}

basic_end() {
	if [ -w /sys/kernel/debug/kmemleak ]; then
		kml_scan "$T/out"
		mcheck "kmemleak: no leaks" [ ! -s "$T/out" ]
	else
		skip "kmemleak: no leaks" "kmemleak not in this kernel"
	fi
	mcheck "kernel log clean" klog_clean start
}
