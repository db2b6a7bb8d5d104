# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# Resource limit system tests, sourced by tests/system/run-tests.sh after
# migration-cases.sh (POSIX sh). Uses the helpers of run-tests.sh (t, tf,
# ok, notok, sysfs, load, unload) and migration-cases.sh (region_start,
# region_stop, region_hash, mig_listen, mig_get, mig_wait, mjv,
# mig_reason_has, mcheck, gstat) and lib.sh (mjv, mark, klog_clean).
#
# The cases, run by limits_all (which then checks nothing leaked):
#   NAME FUNCTION ARGS
LIMITS_CASES='
load                 limits_load
regions-memory       limits_regions_memory
channels             limits_channels
migrations           limits_migrations
dest-memory          limits_dest_memory
netlink              limits_netlink
'
# limits_load   load-time values: defaults (max_memory 90% of RAM), module
#     parameters, refused bad ones
# limits_regions_memory   kmig-systest limits: max_regions_per_user
#     (EMFILE), max_memory (SIGBUS, ENOSPC from KMIG_IOC_PREALLOC),
#     counters, raising the limits; kernel log lines
# limits_channels   listen/start over max_channels: refused, the message
#     names the limit, counted; works once raised
# limits_migrations   max_migrations: a second listen refused while one is
#     in flight, works after a cancel or a raise
# limits_dest_memory   a destination over max_memory fails its migration
#     with a reason naming max_memory; after raising the limit the same
#     migration completes, byte-identical
# limits_netlink   migctl params/set/stats agree with sysfs; set all four
#     at once; max-memory under a page refused
: "${LIMITS_SIZE_MB:=16}"	# regions of the migration cases
: "${LIMITS_RANDOM:=2048}"	# data pages of the source
: "${LIMITS_DST_CAP:=512}"	# destination pages allowed by max_memory

# lim_set NAME VALUE: write a limit in /sys/kernel/kmig/.
lim_set() { echo "$2" > "/sys/kernel/kmig/$1"; }

# lim_all: the four limits in sysfs, R/M/C/M.
lim_all() { echo "$(sysfs max_regions_per_user)/$(sysfs max_memory)/$(sysfs max_channels)/$(sysfs max_migrations)"; }

# lim_restore: the load-time defaults of every limit.
lim_restore() {
	lim_set max_regions_per_user 64
	lim_set max_channels 64
	lim_set max_migrations 0
	lim_set max_memory 90%
}

limits_load() {
	_tag="limits, load time"
	unload
	tf "$_tag: insmod max_channels=0 refused" insmod "$KO" max_channels=0
	tf "$_tag: insmod max_channels=65 refused" insmod "$KO" max_channels=65
	tf "$_tag: insmod max_memory=lots refused" insmod "$KO" max_memory=lots
	tf "$_tag: insmod max_memory=101% refused" insmod "$KO" max_memory=101%
	dmesg | tail -20 > "$T/out"
	mcheck "$_tag: the refusal names max_memory in the kernel log" \
		grep -q 'max_memory=101%: must be' "$T/out"
	t "$_tag: insmod with every limit" load max_regions_per_user=5 max_memory=64M \
		max_channels=4 max_migrations=3
	_v=$(lim_all)
	echo "$_v" > "$T/out"
	mcheck "$_tag: sysfs shows the module parameters" [ "$_v" = 5/67108864/4/3 ]
	unload
	t "$_tag: insmod with the defaults" load
	_pages=$(($(sed -n 's/^MemTotal: *\([0-9]*\) kB/\1/p' /proc/meminfo) / 4))
	# shellcheck disable=SC2017 # floor(pages * 90 / 100), as the module
	_want=$((_pages * 90 / 100 * 4096))
	_v=$(lim_all)
	echo "got $_v, max_memory expected $_want (90% of $_pages pages)" > "$T/out"
	mcheck "$_tag: defaults 64 regions, 90% of RAM, 64 channels, no migration limit" \
		[ "$_v" = "64/$_want/64/0" ]
	for _s in limit_regions_refused limit_memory_refused limit_channels_refused \
		  limit_migrations_refused migrations_running; do
		_v=$(sysfs "stats/$_s")
		echo "stats/$_s: $_v" > "$T/out"
		mcheck "$_tag: stats/$_s is 0 after the load" [ "$_v" = 0 ]
	done
}

limits_regions_memory() {
	mark limits-rm
	t "limits: regions per user and max_memory (kmig-systest limits)" "$SYSTEST" limits
	klog_since limits-rm > "$T/out"
	mcheck "limits: the kernel log names max_regions_per_user" \
		grep -q 'uid 0: region refused: max_regions_per_user (3) reached' "$T/out"
	mcheck "limits: the kernel log names max_memory at a fault" \
		grep -q 'page allocation refused: max_memory' "$T/out"
	mcheck "limits: the kernel log names max_memory at KMIG_IOC_PREALLOC" \
		grep -q 'KMIG_IOC_PREALLOC refused: max_memory' "$T/out"
}

limits_channels() {
	_tag="limits, max_channels"
	region_start dst --size "$LIMITS_SIZE_MB" || { notok "$_tag: region"; return 1; }
	_dpid=$RPID _did=$RID
	_r0=$(gstat limit_channels_refused)
	lim_set max_channels 2
	mig_listen "$_did" $KEYOPT --channels 3
	_rc=$?
	mcheck "$_tag: listen --channels 3 over max_channels 2 refused" [ $_rc -ne 0 ]
	mcheck "$_tag: ... the message names max_channels" grep -q 'max_channels' "$T/out"
	"$MIGCTL" start --region "$_did" --to 127.0.0.1:9 --channels 4 --insecure > "$T/out" 2>&1
	_rc=$?
	mcheck "$_tag: start --channels 4 refused" [ $_rc -ne 0 ]
	mcheck "$_tag: ... the message names max_channels" grep -q 'max_channels' "$T/out"
	# The default channels (the channels parameter) are checked too.
	lim_set channels 4
	mig_listen "$_did" $KEYOPT
	_rc=$?
	lim_set channels 2
	mcheck "$_tag: listen with the default of 4 channels refused" [ $_rc -ne 0 ]
	gstat_is "$_tag: 3 refusals counted" limit_channels_refused $((_r0 + 3))
	gstat_is "$_tag: no migration slot kept by a refusal" migrations_running 0
	mcheck "$_tag: listen --channels 2 works" mig_listen "$_did" $KEYOPT --channels 2
	"$MIGCTL" cancel --region "$_did" > /dev/null 2>&1
	lim_set max_channels 64
	mcheck "$_tag: listen --channels 3 works after raising max_channels" \
		mig_listen "$_did" $KEYOPT --channels 3
	"$MIGCTL" cancel --region "$_did" > /dev/null 2>&1
	region_stop "$_dpid"
}

limits_migrations() {
	_tag="limits, max_migrations"
	region_start a --size "$LIMITS_SIZE_MB" || { notok "$_tag: region a"; return 1; }
	_apid=$RPID _aid=$RID
	region_start b --size "$LIMITS_SIZE_MB" || { notok "$_tag: region b"; region_stop "$_apid"; return 1; }
	_bpid=$RPID _bid=$RID
	_r0=$(gstat limit_migrations_refused)
	lim_set max_migrations 1
	mcheck "$_tag: first listen works" mig_listen "$_aid" $KEYOPT --channels 1
	gstat_is "$_tag: stats/migrations_running 1" migrations_running 1
	mig_listen "$_bid" $KEYOPT --channels 1
	_rc=$?
	mcheck "$_tag: second listen refused" [ $_rc -ne 0 ]
	mcheck "$_tag: ... the message names max_migrations" grep -q 'max_migrations' "$T/out"
	gstat_is "$_tag: the refusal is counted" limit_migrations_refused $((_r0 + 1))
	"$MIGCTL" cancel --region "$_aid" > /dev/null 2>&1
	gstat_is "$_tag: a cancelled migration gives its slot back" migrations_running 0
	mcheck "$_tag: second listen works after the cancel" mig_listen "$_bid" $KEYOPT --channels 1
	lim_set max_migrations 2
	mcheck "$_tag: another listen works after raising max_migrations" \
		mig_listen "$_aid" $KEYOPT --channels 1
	"$MIGCTL" cancel --region "$_aid" > /dev/null 2>&1
	"$MIGCTL" cancel --region "$_bid" > /dev/null 2>&1
	lim_set max_migrations 0
	region_stop "$_apid"
	region_stop "$_bpid"
	gstat_is "$_tag: no slot left after the migrations ended" migrations_running 0
}

limits_dest_memory() {
	begin "limits, max_memory on a destination" limits-dst
	pair_start "$_tag" "$LIMITS_SIZE_MB" --random "$LIMITS_RANDOM" --seed 7 || return 1
	_r0=$(gstat limit_memory_refused)
	lim_set max_memory $((($(gstat populated_pages) + LIMITS_DST_CAP) * 4096))
	# shellcheck disable=SC2086
	if mig_listen "$_did" $KEYOPT --channels 2; then
		# shellcheck disable=SC2086
		mstart "$_tag: the source fails" '!0' 120 --region "$_sid" --to "127.0.0.1:$MPORT" \
			--channels 2 $KEYOPT
		mig_end dst "$_did" failed "$_tag: the destination fails"
		mcheck "$_tag: ... with a reason naming max_memory" mig_reason_has dst "max_memory"
		_v=$(sysfs "regions/$_did/populated_pages")
		echo "destination populated $_v, cap $LIMITS_DST_CAP" > "$T/out"
		fc "$_tag: the destination stayed within the limit" '[ "$_v" -gt 0 ] && [ "$_v" -le "$LIMITS_DST_CAP" ]'
		_v=$(gstat limit_memory_refused)
		echo "refused $_r0 -> $_v" > "$T/out"
		mcheck "$_tag: refusals counted" [ "$_v" -gt "$_r0" ]
	else
		notok "$_tag: listen"
	fi
	lim_set max_memory 0
	# shellcheck disable=SC2086
	if mig_listen "$_did" $KEYOPT --channels 2; then
		# shellcheck disable=SC2086
		mstart "$_tag: after raising the limit the migration completes" 0 120 --region "$_sid" \
			--to "127.0.0.1:$MPORT" --channels 2 $KEYOPT
		mig_end dst "$_did" completed "$_tag: ... on the destination too"
		_sh=$(region_hash "$_spid" "$T/src.hash")
		_dh=$(region_hash "$_dpid" "$T/dst.hash")
		{ echo "source:      $_sh"; echo "destination: $_dh"; } > "$T/out"
		fc "$_tag: ... byte-identical" '[ -n "$_sh" ] && [ "$_sh" = "$_dh" ]'
	else
		notok "$_tag: listen after raising the limit"
	fi
	pair_stop
	lim_set max_memory 90%
	klog_ok
}

# limits_netlink: the limits and their refusal counters over netlink
# (migctl params, set, stats) agree with sysfs; migctl set changes them
# all in one request; max-memory under one page is refused both ways (it
# would round down to 0, "no limit").
limits_netlink() {
	_tag="limits over netlink"
	mjson "$T/p.json" params
	mcheck "$_tag: migctl params shows the sysfs values" jt "$T/p.json" "any(..|objects;
		.max_regions_per_user == $(sysfs max_regions_per_user) and .max_memory == $(sysfs max_memory) and
		.max_channels == $(sysfs max_channels) and .max_migrations == $(sysfs max_migrations))"
	"$MIGCTL" set max-regions-per-user 5 max-memory 64M max-channels 4 max-migrations 3 > "$T/out" 2>&1
	_rc=$?
	_v=$(lim_all)
	echo "exit $_rc, sysfs $_v" >> "$T/out"
	mcheck "$_tag: migctl set, all four at once: sysfs 5/64M/4/3" [ "$_rc/$_v" = 0/5/67108864/4/3 ]
	"$MIGCTL" set max-memory 100 > "$T/out" 2>&1
	_rc=$?
	mcheck "$_tag: migctl set max-memory 100: refused (at least one page), unchanged" \
		sh -c "[ $_rc = 1 ] && grep -q 'at least one page' '$T/out' && [ \"\$(cat /sys/kernel/kmig/max_memory)\" = 67108864 ]"
	echo 100 > /sys/kernel/kmig/max_memory 2> "$T/out"
	_rc=$?
	mcheck "$_tag: sysfs max_memory 100: refused too" \
		sh -c "[ $_rc != 0 ] && [ \"\$(cat /sys/kernel/kmig/max_memory)\" = 67108864 ]"
	mjson "$T/s.json" stats
	mcheck "$_tag: migctl stats shows the refusal counters of sysfs" jt "$T/s.json" "any(..|objects;
		.limit_regions_refused == $(sysfs stats/limit_regions_refused) and
		.limit_memory_refused == $(sysfs stats/limit_memory_refused) and
		.limit_channels_refused == $(sysfs stats/limit_channels_refused) and
		.limit_migrations_refused == $(sysfs stats/limit_migrations_refused) and
		.migrations_running == $(sysfs stats/migrations_running))"
	lim_restore
}

limits_all() {
	run_table "$LIMITS_CASES"
	lim_restore
	_v="$(gstat regions)/$(gstat populated_pages)/$(gstat migrations_running)"
	echo "regions/populated_pages/migrations_running: $_v" > "$T/out"
	mcheck "limits: nothing left (regions, pages, migration slots)" [ "$_v" = 0/0/0 ]
	if [ -w /sys/kernel/debug/kmemleak ]; then
		kml_scan "$T/out"
		mcheck "limits: kmemleak: no leaks" [ ! -s "$T/out" ]
	fi
}
