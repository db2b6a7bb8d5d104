# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# The kernel's own YNL command line (tools/net/ynl/cli.py of the 6.12
# source) driving kmig from Documentation/netlink/specs/kmig.yaml alone:
# no --process-unknown, the schema checked (the kernel's genetlink.yaml).
# Sourced by tests/system/run-tests.sh (POSIX sh). Uses run-tests.sh's ok,
# notok, skip, sysfs, load, loaded, $T, lib.sh's wait_until, jf, mark,
# klog_clean and migration-cases.sh's region_start, region_hash,
# region_stop and mcheck. In UML, python3 is the host's (hostfs);
# KMIG_YNL (the kernel source's tools/net/ynl, from scripts/systest-uml.sh)
# says where the CLI is. Skipped where there is no python3 or no CLI (the
# Debian 6.1 initramfs).
#
# Functions (each prints TAP lines through ok/notok/skip):
#   ynl_basic      params-get, stats-get, region-get (do on a held region
#                  and dump), params-set (channels 3, sysfs follows, back)
#   ynl_dump_attrs a region-get dump with id and a mig-get dump with
#                  region-id are refused (EINVAL, "a dump takes no
#                  attributes"); without them they succeed
#   ynl_migrate    a real migration between two regions over loopback,
#                  driven by the CLI only: --subscribe events in the
#                  background, mig-listen (port 0: the reply has the port),
#                  mig-start with a key and integrity, mig-get until both
#                  completed, their counters and the mig-get dump; the
#                  destination's content equals the source's; the
#                  subscriber saw both sides' completed events
#   ynl_all        all of them
#
# Knobs, overridable before sourcing:
: "${YNL_SIZE_MB:=16}"	# regions of ynl_migrate
: "${YNL_RANDOM:=1024}"	# data pages of its source
: "${YNL_ZERO:=256}"	# zero-written pages of its source
: "${YNL_EVENTS_S:=45}"	# seconds the event subscriber listens

YNL_SPEC=$BIN/../../Documentation/netlink/specs/kmig.yaml
YNL_SCHEMA=${KMIG_YNL:-}/../../../Documentation/netlink/genetlink.yaml

# ynl ARGS...: cli.py with the spec and the kernel's schema, JSON output.
ynl() {
	python3 "$KMIG_YNL/cli.py" --spec "$YNL_SPEC" --schema "$YNL_SCHEMA" \
		--output-json "$@"
}

# ynl_ready: the CLI can run here (else says why on stdout).
ynl_ready() {
	if ! command -v python3 > /dev/null 2>&1; then
		echo "no python3 here (the $ENV environment has none)"; return 1
	fi
	if [ -z "${KMIG_YNL:-}" ] || [ ! -f "$KMIG_YNL/cli.py" ]; then
		echo "no tools/net/ynl/cli.py (KMIG_YNL='${KMIG_YNL:-}')"; return 1
	fi
	if ! python3 -c 'import yaml, jsonschema' 2> /dev/null; then
		echo "python3 lacks yaml or jsonschema (python3-yaml, python3-jsonschema)"; return 1
	fi
}

# ynl_do NAME FILE ARGS...: run the CLI into FILE; ok when it exits 0 and
# prints JSON, else notok with its output.
ynl_do() {
	_n=$1 _f=$2; shift 2
	ynl "$@" > "$_f" 2>&1
	_rc=$?
	{ echo "cli.py $*"; cat "$_f"; echo "exit status $_rc"; } > "$T/out"
	if [ $_rc -eq 0 ] && jq -e . "$_f" > /dev/null 2>&1; then
		ok "$_n"
	else
		notok "$_n"; return 1
	fi
}

# ynl_check NAME FILE FILTER: jq -e FILTER holds on the JSON in FILE.
ynl_jq() { jq -e "$1" "$2" > /dev/null 2>&1; }
ynl_check() {
	{ echo "jq: $3"; cat "$2"; } > "$T/out"
	mcheck "$1" ynl_jq "$3" "$2"
}

ynl_basic() {
	_tag="YNL CLI"
	ynl_do "$_tag: params-get" "$T/ynl-params.json" --do params-get || return 1
	_ch=$(sysfs channels)
	ynl_check "$_tag: params-get channels = sysfs ($_ch)" "$T/ynl-params.json" \
		".channels == $_ch and .\"region-size-max\" > 0"
	ynl_do "$_tag: stats-get" "$T/ynl-stats.json" --do stats-get &&
		ynl_check "$_tag: stats-get has the counters" "$T/ynl-stats.json" \
			'has("regions") and has("migrations-started")'

	if ! region_start yhold --size 8 --random 100 --zero 0 --seed 5 --out "$T/yhold.hash"; then
		notok "$_tag: a region to read"; return 1
	fi
	_hpid=$RPID _hid=$RID
	ynl_do "$_tag: region-get do" "$T/ynl-region.json" --do region-get --json "{\"id\": $_hid}" &&
		ynl_check "$_tag: region-get do: id, size, populated pages" "$T/ynl-region.json" \
			".id == $_hid and .size == 8388608 and .\"populated-pages\" == 100 and .\"page-size\" > 0"
	ynl_do "$_tag: region-get dump" "$T/ynl-regions.json" --dump region-get &&
		ynl_check "$_tag: region-get dump lists the region" "$T/ynl-regions.json" \
			"map(select(.id == $_hid)) | length == 1"
	region_stop "$_hpid"

	ynl_do "$_tag: params-set channels 3" "$T/ynl-set.json" --do params-set \
		--json '{"channels": 3}' &&
		ynl_check "$_tag: params-set replies with the parameters" "$T/ynl-set.json" '.channels == 3'
	_v=$(sysfs channels); echo "sysfs channels: $_v" > "$T/out"
	mcheck "$_tag: sysfs channels follows params-set" [ "$_v" = 3 ]
	ynl_do "$_tag: params-set channels back to $_ch" "$T/ynl-set.json" --do params-set \
		--json "{\"channels\": $_ch}"
}

# ynl_refused NAME FILE ARGS...: the CLI fails with EINVAL and kmig's message.
ynl_refused() {
	_n=$1 _f=$2; shift 2
	ynl "$@" > "$_f" 2>&1
	_rc=$?
	{ echo "cli.py $*"; cat "$_f"; echo "exit status $_rc"; } > "$T/out"
	mcheck "$_n" sh -c "[ $_rc -ne 0 ] && grep -q 'Invalid argument' '$_f' &&
		grep -q 'a dump takes no attributes' '$_f'"
}

ynl_dump_attrs() {
	_tag="YNL CLI"
	if ! region_start yda --size 8 --out "$T/yda.hash"; then
		notok "$_tag: a region for the dump requests"; return 1
	fi
	_dpid=$RPID _did=$RID
	ynl_refused "$_tag: region-get dump with id refused" "$T/ynl-da1.out" \
		--dump region-get --json "{\"id\": $_did}"
	ynl_refused "$_tag: mig-get dump with region-id refused" "$T/ynl-da2.out" \
		--dump mig-get --json "{\"region-id\": $_did}"
	ynl_do "$_tag: mig-get dump without attributes" "$T/ynl-da3.json" --dump mig-get
	region_stop "$_dpid"
}

# ynl_mig_state ID STATE: the CLI's mig-get of region ID says STATE (for
# wait_until; the reply in $T/ynl-mig-ID.json).
ynl_mig_state() {
	ynl --do mig-get --json "{\"region-id\": $1}" > "$T/ynl-mig-$1.json" 2>&1 &&
		[ "$(jf "$T/ynl-mig-$1.json" '.state')" = "$2" ]
}

# ynl_subscribed PID: PID has a generic netlink socket (protocol 16)
# bound to its pid with a multicast group (the Groups column of
# /proc/net/netlink).
ynl_subscribed() {
	awk -v p="$1" '$2 == 16 && $3 == p && $4 !~ /^0+$/ { f = 1 } END { exit !f }' \
		/proc/net/netlink
}

ynl_migrate() {
	_tag="YNL CLI migration"
	if ! region_start ysrc --size "$YNL_SIZE_MB" --random "$YNL_RANDOM" --zero "$YNL_ZERO" \
	     --seed 15 --out "$T/ysrc.hash"; then
		notok "$_tag: source region"; return 1
	fi
	_spid=$RPID _sid=$RID
	if ! region_start ydst --size "$YNL_SIZE_MB" --out "$T/ydst.hash"; then
		notok "$_tag: destination region"; region_stop "$_spid"; return 1
	fi
	_dpid=$RPID _did=$RID
	mark ynl-mig
	_key=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')

	# Not through ynl(): $! must be python's pid, the socket's port id.
	python3 "$KMIG_YNL/cli.py" --spec "$YNL_SPEC" --schema "$YNL_SCHEMA" --output-json \
		--subscribe events --sleep "$YNL_EVENTS_S" > "$T/ynl-events.json" 2>&1 &
	_epid=$!
	wait_until 30 ynl_subscribed "$_epid"
	_rc=$?
	{ echo "subscriber $_epid:"; cat /proc/net/netlink; } > "$T/out"
	mcheck "$_tag: --subscribe events joins the group" [ $_rc -eq 0 ]

	ynl_do "$_tag: mig-listen" "$T/ynl-listen.json" --do mig-listen --json \
		"{\"region-id\": $_did, \"port\": 0, \"channels\": 2, \"key\": \"$_key\"}"
	ynl_check "$_tag: mig-listen replies listening, destination, a port" "$T/ynl-listen.json" \
		'.state == "listening" and .role == "destination" and .port > 0 and .auth == 1'
	_port=$(jf "$T/ynl-listen.json" '.port // 0')
	ynl_do "$_tag: mig-start" "$T/ynl-start.json" --do mig-start --json \
		"{\"region-id\": $_sid, \"addr\": \"127.0.0.1\", \"port\": $_port, \"channels\": 2, \"zero-page-detection\": \"channel\", \"key\": \"$_key\", \"integrity\": true}"
	ynl_check "$_tag: mig-start replies as the source" "$T/ynl-start.json" \
		".role == \"source\" and .\"region-id\" == $_sid"

	wait_until 120 ynl_mig_state "$_sid" completed
	wait_until 30 ynl_mig_state "$_did" completed
	_s=$T/ynl-mig-$_sid.json _d=$T/ynl-mig-$_did.json
	cat "$_s" "$_d" > "$T/out"
	mcheck "$_tag: mig-get: both sides completed" \
		[ "$(jf "$_s" .state)/$(jf "$_d" .state)" = completed/completed ]
	ynl_check "$_tag: source: 2 channels, authenticated, CRCs, every page sent" "$_s" \
		"(.channel | length) == 2 and .auth == 1 and .integrity == true and
		 .\"normal-pages\" == $YNL_RANDOM and .\"zero-pages\" == $YNL_ZERO and
		 .\"pages-done\" == .\"pages-total\""
	ynl_check "$_tag: destination: the source's pages" "$_d" \
		"(.channel | length) == 2 and .auth == 1 and .integrity == true and
		 .\"normal-pages\" == $YNL_RANDOM and .\"zero-pages\" == $YNL_ZERO"
	_sh=$(region_hash "$_spid" "$T/ysrc.hash")
	_dh=$(region_hash "$_dpid" "$T/ydst.hash")
	{ echo "source:      $_sh"; echo "destination: $_dh"; } > "$T/out"
	_v=no
	[ -n "$_sh" ] && [ "${_sh%% populated*}" = "${_dh%% populated*}" ] && _v=yes
	mcheck "$_tag: destination content = source content" [ $_v = yes ]
	ynl_do "$_tag: mig-get dump" "$T/ynl-migs.json" --dump mig-get &&
		ynl_check "$_tag: mig-get dump has both, completed" "$T/ynl-migs.json" \
			"map(select((.\"region-id\" == $_sid or .\"region-id\" == $_did) and
			 .state == \"completed\")) | length == 2"
	grep -q '"pad"' "$_s" && echo "# $_tag: replies carry pad attributes here, decoded from the spec"

	# The subscriber prints what it got when its time is up.
	wait "$_epid"
	_rc=$?
	{ echo "exit status $_rc"; cat "$T/ynl-events.json"; } > "$T/out"
	mcheck "$_tag: --subscribe events exits 0 with JSON" \
		sh -c "[ $_rc -eq 0 ] && jq -e . '$T/ynl-events.json' > /dev/null"
	_ev='map(select(.name == "mig-event") | .msg)'
	ynl_check "$_tag: events: completed for the source and the destination" \
		"$T/ynl-events.json" \
		"$_ev | map(select(.event == \"completed\") | .\"region-id\") | sort == ([$_sid, $_did] | sort)"
	ynl_check "$_tag: events: the destination's listening state" "$T/ynl-events.json" \
		"$_ev | map(select(.\"region-id\" == $_did and .event == \"state\" and .state == \"listening\")) | length >= 1"
	region_stop "$_spid"
	region_stop "$_dpid"
	mcheck "$_tag: kernel log clean" klog_clean ynl-mig
}

ynl_all() {
	if ! _why=$(ynl_ready); then
		skip "YNL CLI cases" "$_why"
		return 0
	fi
	loaded || t "insmod for the YNL CLI cases" load
	ynl_basic
	ynl_dump_attrs
	ynl_migrate
}
