#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Offline checks of the migctl command line: help texts, argument
# validation, exit codes, one-line error messages, and the "module not
# loaded" error. Needs neither root nor the kmig module (the checks that
# need the module to be absent are skipped when it is loaded).
#
# Usage: tests/cli-usage.sh          (MIGCTL=/path/to/migctl to override)
# Output: TAP ("ok N - ...", "not ok N - ..."), then "# N passed, N failed".
# Exit status: 0 when all passed, 1 otherwise.

set -u

dir=$(cd "$(dirname "$0")" && pwd)
MIGCTL=${MIGCTL:-$dir/../migctl}

if [ ! -x "$MIGCTL" ]; then
	echo "Bail out! $MIGCTL not found or not executable (run make first)"
	exit 1
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

. "$dir/tap.sh"
NOT_LOADED="migctl: kmig module not loaded (generic netlink family \"kmig\" not found); load it with 'modprobe kmig' or 'insmod kmig.ko'"

# result DESC STATUS [DIAGNOSTIC...]
result() {
	tap_result "$1" "$2" && return
	shift 2
	local l
	for l in "$@"; do
		echo "#   $l"
	done
	echo "#   rc=$rc stdout=$(head -c 200 "$tmp/out" | tr '\n' '|')"
	echo "#   stderr=$(head -c 300 "$tmp/err" | tr '\n' '|')"
}

skip() {
	tap_result "$1 # SKIP $2" 0
}

run() {
	"$MIGCTL" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
}

lines() {
	wc -l <"$1" | tr -d ' '
}

# expect_help DESC PATTERN ARGS...: exit 0, usage on stdout, stderr empty
expect_help() {
	local desc=$1 pat=$2
	shift 2
	run "$@"
	if [ $rc -eq 0 ] && [ ! -s "$tmp/err" ] &&
	   head -n1 "$tmp/out" | grep -q '^Usage: migctl' &&
	   grep -qE -- "$pat" "$tmp/out"; then
		result "$desc" 0
	else
		result "$desc" 1 "want: exit 0, 'Usage: migctl' and /$pat/ on stdout, empty stderr"
	fi
}

# one_line: stderr is exactly one line starting with "migctl: "
one_line() {
	[ "$(lines "$tmp/err")" = 1 ] && head -n1 "$tmp/err" | grep -q '^migctl: '
}

# expect_usage DESC PATTERN ARGS...: exit 2, stdout empty, one line
# "migctl: ..." on stderr matching PATTERN (extended regex)
expect_usage() {
	local desc=$1 pat=$2
	shift 2
	run "$@"
	if [ $rc -eq 2 ] && [ ! -s "$tmp/out" ] && one_line &&
	   grep -qE -- "$pat" "$tmp/err"; then
		result "$desc" 0
	else
		result "$desc" 1 "want: exit 2, empty stdout, one line on stderr matching /$pat/"
	fi
}

# expect_line DESC RC LINE ARGS...: exit RC, stdout empty, stderr == LINE
expect_line() {
	local desc=$1 want_rc=$2 line=$3
	shift 3
	run "$@"
	if [ $rc -eq "$want_rc" ] && [ ! -s "$tmp/out" ] &&
	   [ "$(lines "$tmp/err")" = 1 ] && [ "$(cat "$tmp/err")" = "$line" ]; then
		result "$desc" 0
	else
		result "$desc" 1 "want: exit $want_rc, empty stdout, stderr '$line'"
	fi
}

# ---- help and version ----

for h in --help -h help; do
	expect_help "migctl $h prints the full usage" \
		'regions \[ID\]' $h
done
run --help
for word in 'Usage: migctl (\[-j\] )?regions' 'Usage: migctl (\[-j\] )?params' \
	    'Usage: migctl set' 'Usage: migctl (\[-j\] )?stats' \
	    'Usage: migctl (\[-j\] )?scan' \
	    'channels N' 'zero-page-detection none\|main\|channel' \
	    'zero-check auto\|generic\|sse2\|avx2\|avx512' \
	    '--zero-check IMPL' '-j, --json' '-V, --version' 'Exit status' \
	    'Usage: migctl (\[-j\] )?listen --region ID' \
	    'Usage: migctl (\[-j\] )?start --region ID --to HOST:PORT' \
	    'Usage: migctl (\[-j\] )?status \[--region ID\] \[--watch\]' \
	    'Usage: migctl (\[-j\] )?cancel --region ID' \
	    'Usage: migctl (\[-j\] )?switchover --region ID' \
	    'Usage: migctl (\[-j\] )?monitor \[--region ID\] \[--count N\]' \
	    'dirty-push --region ID --pages LIST' \
	    '\[--live\] \[--downtime-limit MS\] \[--max-bandwidth RATE\]' \
	    '\[--max-passes N\]$' '\[--no-convergence continue\|switchover\|postcopy\]' \
	    '\[--postcopy \[--postcopy-after N\] \[--prefetch N\]\]' \
	    'Usage: migctl (\[-j\] )?postcopy --region ID' \
	    'postcopy --region ID +switch a live migration' \
	    'Usage: migctl (\[-j\] )?postcopy-resume --region ID \[--to ADDR:PORT \| --port PORT\]' \
	    'postcopy-resume --region ID \[--to ADDR:PORT \| --port PORT\]$' \
	    'region 3 source postcopy-paused: REASON' 'postcopy-active or postcopy-paused' \
	    'end a live migration \(guest paused\)' \
	    'postcopy-active' 'SIGBUS' 'postcopy_latency' \
	    'switchover ready: pause the guest and run' \
	    'expected_downtime_ns' 'switchover_ready' \
	    'migrations-completed' 'migration failed: REASON' \
	    'Usage: migctl (\[-j\] )?checkpoint --region ID' \
	    'Usage: migctl (\[-j\] )?colo-paused --region ID --checkpoint N' \
	    '^ {26}\[--colo\] \[--integrity\] \[--postcopy-pause-timeout MS\]$' \
	    '\[--colo\] \[--checkpoint-interval MS\]' \
	    'COLO failover: REASON \(last committed' \
	    'checkpoint-pause, checkpoint-done' 'colo_latency' \
	    'checkpoint_interval_ms' 'colo_cache_pages' 'p99_ns' \
	    'failed, cancelled, colo' 'holds checkpoint' \
	    'Usage: migctl keygen' 'keygen  +print a new migration key' \
	    'listen --region ID \(--key-file FILE \| --insecure\)' \
	    '\(--key-file FILE \| --insecure\) \[--channels N\]' \
	    '--key-file FILE the migration key' '--insecure +no key, no authentication' \
	    'auth_failures' 'Auth failures' 'hmac-sha256' 'auth-failures'; do
	grep -qE -- "$word" "$tmp/out"
	result "full usage mentions '$word'" $?
done

for cmd in regions params set stats scan listen start status cancel switchover dirty-push \
	   checkpoint colo-paused monitor keygen vm help; do
	expect_help "migctl $cmd --help" "migctl( \[-j\])? $cmd" $cmd --help
	expect_help "migctl $cmd -h" "migctl( \[-j\])? $cmd" $cmd -h
	expect_help "migctl help $cmd" "migctl( \[-j\])? $cmd" help $cmd
	run help $cmd
	cp "$tmp/out" "$tmp/help1"
	run $cmd --help
	cmp -s "$tmp/help1" "$tmp/out"
	result "migctl help $cmd and migctl $cmd --help print the same" $?
done

expect_help "--help wins over other arguments (regions 1 --help)" \
	'migctl \[-j\] regions' regions 1 --help
expect_help "--help wins over bad arguments (set channels 999 --help)" \
	'migctl set' set channels 999 --help
expect_help "--help after command with --json (-j scan --help)" \
	'migctl \[-j\] scan' -j scan --help
expect_help "help for an alias (help region)" 'migctl \[-j\] regions' help region
expect_help "regions help: ID and --region ID" 'migctl \[-j\] regions --region ID' regions --help
expect_help "scan help: ID and --region ID" 'migctl \[-j\] scan --region ID' help scan

for v in -V --version; do
	run $v
	[ $rc -eq 0 ] && [ ! -s "$tmp/err" ] && [ "$(lines "$tmp/out")" = 1 ] &&
		grep -q '^migctl ' "$tmp/out"
	result "migctl $v prints one version line" $?
done

if [ -w /dev/full ]; then
	"$MIGCTL" --help >/dev/full 2>"$tmp/err"
	rc=$?
	: >"$tmp/out"
	[ $rc -eq 1 ] && one_line && grep -q 'write error' "$tmp/err"
	result "write error on stdout is reported (exit 1)" $?
else
	skip "write error on stdout is reported" "no /dev/full"
fi

# ---- usage errors (exit 2, one line) ----

expect_usage "no command" 'no command given' 
expect_usage "unknown command" "^migctl: frobnicate: unknown command" frobnicate
expect_usage "unknown option" "^migctl: -x: unknown option" -x regions
expect_usage "unknown long option" "^migctl: --bogus: unknown option" --bogus
expect_usage "help with an unknown command" "unknown command 'nope'" help nope
expect_usage "help with two arguments" 'too many arguments' help regions params

expect_usage "regions: non-numeric id" "^migctl: regions: invalid region id 'abc'" regions abc
expect_usage "regions: id 0" "invalid region id '0'" regions 0
expect_usage "regions: negative id" "invalid region id '-1'" regions -1
expect_usage "regions: id above u32" "invalid region id '4294967296'" regions 4294967296
expect_usage "regions: id with junk" "invalid region id '1x'" regions 1x
expect_usage "regions: two ids" 'too many arguments' regions 1 2
expect_usage "regions: --region without value" \
	"^migctl: regions: --region needs a value \(try 'migctl regions --help'\)" regions --region
expect_usage "regions: bad --region" "^migctl: regions: invalid region id 'abc'" regions --region abc
expect_usage "regions: --region=0" "invalid region id '0'" regions --region=0
expect_usage "regions: ID and --region" \
	'^migctl: regions: region given more than once \(ID or --region ID\)' regions 1 --region 2
expect_usage "regions: --region twice" 'region given more than once' regions --region 1 --region=2
expect_usage "regions: --region then ID" 'too many arguments' regions --region 1 2
expect_usage "params: extra argument" '^migctl: params: too many arguments' params x
expect_usage "stats: extra argument" '^migctl: stats: too many arguments' stats x

expect_usage "set: nothing to set" '^migctl: set: nothing to set' set
expect_usage "set: missing value" '^migctl: set channels: missing value' set channels
expect_usage "set: channels 0" "^migctl: set channels: invalid value '0' \(expected a number 1\.\.64\)" set channels 0
expect_usage "set: channels 65" "invalid value '65' \(expected a number 1\.\.64\)" set channels 65
expect_usage "set: channels abc" "invalid value 'abc'" set channels abc
expect_usage "set: channels empty" "invalid value ''" set channels ''
expect_usage "set: channels 4x" "invalid value '4x'" set channels 4x
expect_usage "set: channels -1" "invalid value '-1'" set channels -1
expect_usage "set --force: channels still a number" "invalid value 'abc' \(expected a number 0\.\.4294967295\)" set --force channels abc
expect_usage "set: bad zero-check lists valid values" \
	"^migctl: set zero-check: invalid value 'foo' \(valid: auto, generic, sse2, avx2, avx512\)" \
	set zero-check foo
expect_usage "set: bad zero-page-detection lists valid values" \
	"^migctl: set zero-page-detection: invalid value 'bogus' \(valid: none, main, channel\)" \
	set zero-page-detection bogus
expect_usage "set: enum value as a number needs --force" "invalid value '3'" set zero-check 3
expect_usage "set: unknown parameter lists valid ones" \
	"^migctl: set: unknown parameter 'bogus' \(valid: channels, zero-page-detection, zero-check, max-regions-per-user, max-memory, max-channels, max-migrations, max-handshakes, handshake-timeout-ms\)" \
	set bogus 1
expect_usage "set: max-memory takes a size" \
	"^migctl: set max-memory: invalid value '12X' \(expected 0, a size with K/M/G/T or N%\)" \
	set max-memory 12X
expect_usage "set: max-memory N% is 1..100" "invalid value '101%'" set max-memory 101%
expect_usage "set: max-channels is 1..64" "^migctl: set max-channels: invalid value '0' \(expected a number 1\.\.64\)" \
	set max-channels 0
expect_usage "set: max-migrations is a number" "invalid value '-1'" set max-migrations -1
expect_usage "set: parameter given twice" '^migctl: set channels: given more than once' set channels 4 channels 5
expect_usage "set: bad second pair" "^migctl: set zero-check: invalid value 'x'" set channels 4 zero-check x
expect_usage "set: odd number of words" '^migctl: set zero-check: missing value' set channels 4 zero-check
expect_usage "set: unknown option" "^migctl: set: unknown option '--bogus'" set --bogus channels 4

expect_usage "scan: missing id" '^migctl: scan: missing region id' scan
expect_usage "scan: non-numeric id" "^migctl: scan: invalid region id 'abc'" scan abc
expect_usage "scan: id 0" "invalid region id '0'" scan 0
expect_usage "scan: negative id" "invalid region id '-5'" scan -5
expect_usage "scan: two ids" 'too many arguments' scan 1 2
expect_usage "scan: --zero-check without value" '^migctl: scan: --zero-check needs a value' scan 1 --zero-check
expect_usage "scan: bad --zero-check lists valid values" \
	"^migctl: scan: invalid zero-check 'foo' \(valid: auto, generic, sse2, avx2, avx512\)" \
	scan 1 --zero-check foo
expect_usage "scan: bad --zero-check=" "invalid zero-check 'sse3'" scan 1 --zero-check=sse3
expect_usage "scan: unknown option" "^migctl: scan: unknown option '--fast'" scan 1 --fast
expect_usage "scan: --region without value" \
	"^migctl: scan: --region needs a value \(try 'migctl scan --help'\)" scan --region
expect_usage "scan: bad --region" "^migctl: scan: invalid region id 'abc'" scan --region abc
expect_usage "scan: --region=0" "invalid region id '0'" scan --zero-check avx2 --region=0
expect_usage "scan: ID and --region" 'region given more than once' scan 1 --region 2
expect_usage "scan: --region then ID" 'too many arguments' scan --region=1 2

# migration commands
for cmd in listen start cancel switchover dirty-push checkpoint colo-paused; do
	to=
	[ $cmd = start ] && to="--to 1.2.3.4:5"
	expect_usage "$cmd: missing --region" "^migctl: $cmd: missing --region ID" $cmd
	# shellcheck disable=SC2086
	expect_usage "$cmd: bad region id" "^migctl: $cmd: invalid region id 'x'" $cmd --region x $to
	# shellcheck disable=SC2086
	expect_usage "$cmd: region id 0" "invalid region id '0'" $cmd --region 0 $to
	expect_usage "$cmd: unknown option" "^migctl: $cmd: unknown option '--bogus'" $cmd --region 1 --bogus
	expect_usage "$cmd: stray argument" "^migctl: $cmd: unexpected argument '7'" $cmd 7
	expect_usage "$cmd: --region without value" "^migctl: $cmd: --region needs a value" $cmd --region
	expect_usage "$cmd: --region twice" "^migctl: $cmd: --region given more than once" $cmd --region 1 --region 2
done
expect_usage "status: bad region id" "^migctl: status: invalid region id 'abc'" status --region abc
expect_usage "status: --region=0" "invalid region id '0'" status --region=0
expect_usage "status: positional id" "^migctl: status: unexpected argument '3'" status 3
expect_usage "status: --watch takes no value" '^migctl: status: --watch takes no value' status --watch=1
expect_usage "status: bad --interval" "^migctl: status: invalid interval 'fast' \(expected milliseconds 1\.\.3600000\)" status --watch --interval fast
expect_usage "status: --interval 0" "invalid interval '0'" status --interval 0

expect_usage "start: missing --to" '^migctl: start: missing --to HOST:PORT' start --region 1
for to in 'host.example:4444' 'localhost:80' '1.2.3:4444' '[1.2.3.4]:4444' '[fe80::1%eth0]:4444'; do
	expect_usage "start: --to $to: host must be numeric" \
		"^migctl: start: invalid host '.*' in --to \(expected a numeric IPv4 address or \[IPv6\] address; names are not resolved\)" \
		start --region 1 --to "$to"
done
expect_usage "start: --to without port" "^migctl: start: invalid --to '1.2.3.4' \(expected HOST:PORT\)" start --region 1 --to 1.2.3.4
expect_usage "start: --to IPv6 without brackets" "write an IPv6 address in brackets" start --region 1 --to ::1:4444
expect_usage "start: --to missing ]" "missing '\]'" start --region 1 --to '[::1:4444'
expect_usage "start: --to [v6] without port" "expected \[ADDR\]:PORT" start --region 1 --to '[::1]'
expect_usage "start: --to empty host" "expected HOST:PORT" start --region 1 --to :4444
for port in 0 65536 -1 x 44a ''; do
	expect_usage "start: --to port '$port'" "^migctl: start: invalid port '$port' in --to \(expected a number 1\.\.65535\)" \
		start --region 1 --to "10.0.0.2:$port"
done
expect_usage "start: bad --zero-page-detection lists valid values" \
	"^migctl: start: invalid zero-page detection 'sometimes' \(valid: none, main, channel\)" \
	start --region 1 --to 10.0.0.2:4444 --zero-page-detection sometimes
expect_usage "start: --channels 0" "^migctl: start: invalid channel count '0' \(expected a number 1\.\.64\)" \
	start --region 1 --to 10.0.0.2:4444 --channels 0
expect_usage "start: --channels 65" "invalid channel count '65'" start --region 1 --to 10.0.0.2:4444 --channels 65
expect_usage "start: --wait takes no value" '--wait takes no value' start --region 1 --to 10.0.0.2:4444 --wait=yes

for id in 123 0011223344556677889900aabbccddeeff 0011223344556677889900aabbccddeg \
	  -00112233445566778899aabbccddeeff 00112233445566778899aabbccddeef- ''; do
	expect_usage "listen: bad --id '$id'" "^migctl: listen: invalid migration id '$id' \(expected 32 hex digits\)" \
		listen --region 1 --id "$id"
done
expect_usage "start: bad --id" "^migctl: start: invalid migration id 'xyz'" start --region 1 --to 10.0.0.2:4444 --id xyz
for port in 65536 -1 x ''; do
	expect_usage "listen: bad --port '$port'" "^migctl: listen: invalid port '$port' \(expected a number 0\.\.65535\)" \
		listen --region 1 --port "$port"
done
for addr in localhost 10.0.0 ::g '[10.0.0.1]' 'fe80::1%eth0'; do
	expect_usage "listen: bad --addr '$addr'" "^migctl: listen: invalid address '.*' \(expected a numeric IPv4 or IPv6 address\)" \
		listen --region 1 --addr "$addr"
done
expect_usage "listen: bad --channels" "invalid channel count 'four'" listen --region 1 --channels four
expect_usage "listen: bad --interval" "invalid interval '-5'" listen --region 1 --wait --interval -5
expect_usage "cancel: no other option" "^migctl: cancel: unknown option '--wait'" cancel --region 1 --wait

# live migration options
S="start --region 1 --to 10.0.0.2:4444"
for o in "--downtime-limit 100" "--max-bandwidth 100M" "--max-passes 3" "--no-convergence switchover"; do
	# shellcheck disable=SC2086
	expect_usage "start: ${o%% *} requires --live" "^migctl: start: ${o%% *} requires --live\$" $S $o
done
# shellcheck disable=SC2086
expect_usage "start: --live takes no value" '^migctl: start: --live takes no value' $S --live=1
for v in 0 3600001 abc -1 '' 10ms; do
	# shellcheck disable=SC2086
	expect_usage "start: --downtime-limit '$v'" \
		"^migctl: start: invalid downtime limit '$v' \(expected milliseconds 1\.\.3600000\)" \
		$S --live --downtime-limit "$v"
done
for v in 10X 1.5G -1 '' M 100MB 100M/s ' 1' 18446744073709551616 17179869184G; do
	# shellcheck disable=SC2086
	expect_usage "start: --max-bandwidth '$v'" \
		"^migctl: start: invalid bandwidth '$v' \(expected bytes per second, optionally with a suffix K, M or G: 100M\)" \
		$S --live --max-bandwidth "$v"
done
for v in x -1 4294967296 ''; do
	# shellcheck disable=SC2086
	expect_usage "start: --max-passes '$v'" \
		"^migctl: start: invalid pass count '$v' \(expected a number 0\.\.4294967295\)" \
		$S --live --max-passes "$v"
done
# shellcheck disable=SC2086
expect_usage "start: bad --no-convergence lists valid values" \
	"^migctl: start: invalid no-convergence policy 'force' \(valid: continue, switchover, postcopy\)" \
	$S --live --no-convergence force
# shellcheck disable=SC2086
expect_usage "start: --max-passes twice" '^migctl: start: --max-passes given more than once' \
	$S --live --max-passes 1 --max-passes 2

# postcopy options
# shellcheck disable=SC2086
expect_usage "start: --postcopy requires --live" '^migctl: start: --postcopy requires --live$' \
	$S --postcopy
for o in "--postcopy-after 1" "--prefetch 8"; do
	# shellcheck disable=SC2086
	expect_usage "start: ${o%% *} requires --postcopy" \
		"^migctl: start: ${o%% *} requires --postcopy\$" $S --live $o
done
# shellcheck disable=SC2086
expect_usage "start: --no-convergence postcopy requires --postcopy" \
	'^migctl: start: --no-convergence postcopy requires --postcopy$' \
	$S --live --max-passes 3 --no-convergence postcopy
# shellcheck disable=SC2086
expect_usage "start: --postcopy and --colo exclude each other" \
	'^migctl: start: --postcopy and --colo exclude each other$' $S --live --postcopy --colo
for v in x -1 4294967295 ''; do
	# shellcheck disable=SC2086
	expect_usage "start: --postcopy-after '$v'" \
		"^migctl: start: invalid pass count '$v' \(expected a number 0\.\.4294967294\)" \
		$S --live --postcopy --postcopy-after "$v"
done
for v in x -1 65 ''; do
	# shellcheck disable=SC2086
	expect_usage "start: --prefetch '$v'" \
		"^migctl: start: invalid prefetch window '$v' \(expected pages 0\.\.64\)" \
		$S --live --postcopy --prefetch "$v"
done
expect_usage "postcopy: --region required" '^migctl: postcopy: ' postcopy
expect_usage "postcopy: no other option" "^migctl: postcopy: unknown option '--wait'" \
	postcopy --region 1 --wait

# postcopy-resume options
expect_help "postcopy-resume --help: usage, both sides' options" \
	'^  --port PORT +destination: listen on this port' postcopy-resume --help
expect_usage "postcopy-resume: --region required" \
	"^migctl: postcopy-resume: missing --region ID" postcopy-resume
expect_usage "postcopy-resume: --to and --port exclude each other" \
	'^migctl: postcopy-resume: --to and --port exclude each other$' \
	postcopy-resume --region 1 --to 10.0.0.2:4444 --port 4445
for v in 65536 -1 x; do
	expect_usage "postcopy-resume: --port '$v'" \
		"^migctl: postcopy-resume: invalid port '$v' \(expected a number 0\.\.65535\)$" \
		postcopy-resume --region 1 --port "$v"
done
expect_usage "postcopy-resume: --to without a port" \
	"^migctl: postcopy-resume: invalid --to '10.0.0.2' \(expected HOST:PORT\)" \
	postcopy-resume --region 1 --to 10.0.0.2
expect_usage "postcopy-resume: --to with a name" \
	"^migctl: postcopy-resume: invalid host 'dest' in --to" \
	postcopy-resume --region 1 --to dest:4444
expect_usage "postcopy-resume: no --wait" "^migctl: postcopy-resume: unknown option '--wait'" \
	postcopy-resume --region 1 --wait

# COLO options
# shellcheck disable=SC2086
expect_usage "start: --colo requires --live" '^migctl: start: --colo requires --live$' $S --colo
# shellcheck disable=SC2086
expect_usage "start: --colo --checkpoint-interval without --live" \
	'^migctl: start: --colo requires --live$' $S --colo --checkpoint-interval 100
# shellcheck disable=SC2086
expect_usage "start: --checkpoint-interval requires --colo" \
	'^migctl: start: --checkpoint-interval requires --colo$' $S --live --checkpoint-interval 100
# shellcheck disable=SC2086
expect_usage "start: --checkpoint-interval alone requires --colo" \
	'^migctl: start: --checkpoint-interval requires --colo$' $S --checkpoint-interval 100
# shellcheck disable=SC2086
expect_usage "start: --colo takes no value" '^migctl: start: --colo takes no value' $S --live --colo=1
for v in 0 9 3600001 abc -1 '' 10ms 1.5 ' 10' 4294967306; do
	# shellcheck disable=SC2086
	expect_usage "start: --checkpoint-interval '$v'" \
		"^migctl: start: invalid checkpoint interval '$v' \(expected milliseconds 10\.\.3600000\)" \
		$S --live --colo --checkpoint-interval "$v"
done
# shellcheck disable=SC2086
expect_usage "start: --checkpoint-interval without value" \
	'^migctl: start: --checkpoint-interval needs a value' $S --live --colo --checkpoint-interval
# shellcheck disable=SC2086
expect_usage "start: --colo twice" '^migctl: start: --colo given more than once' $S --live --colo --colo
expect_usage "listen: --colo takes no value" '^migctl: listen: --colo takes no value' listen --region 1 --colo=yes
expect_usage "listen: no --checkpoint-interval (the primary's)" \
	"^migctl: listen: unknown option '--checkpoint-interval'" listen --region 1 --colo --checkpoint-interval 100
expect_usage "listen: no --live" "^migctl: listen: unknown option '--live'" listen --region 1 --live
expect_usage "checkpoint: no --wait" "^migctl: checkpoint: unknown option '--wait'" checkpoint --region 1 --wait
expect_usage "checkpoint: no --checkpoint" "^migctl: checkpoint: unknown option '--checkpoint'" \
	checkpoint --region 1 --checkpoint 3
expect_usage "colo-paused: missing --checkpoint" '^migctl: colo-paused: missing --checkpoint N' colo-paused --region 1
expect_usage "colo-paused: --checkpoint without value" '^migctl: colo-paused: --checkpoint needs a value' \
	colo-paused --region 1 --checkpoint
expect_usage "colo-paused: region checked before the checkpoint" \
	"^migctl: colo-paused: invalid region id '0'" colo-paused --region 0 --checkpoint x
for v in x -1 18446744073709551616 '' 1e3 0x10 ' 1' 12a; do
	expect_usage "colo-paused: --checkpoint '$v'" \
		"^migctl: colo-paused: invalid checkpoint '$v' \(expected a number 0\.\.18446744073709551615\)" \
		colo-paused --region 1 --checkpoint "$v"
done
expect_usage "colo-paused: --checkpoint twice" '^migctl: colo-paused: --checkpoint given more than once' \
	colo-paused --region 1 --checkpoint 1 --checkpoint 2

expect_usage "switchover: bad --interval" "^migctl: switchover: invalid interval 'x'" switchover --region 1 --wait --interval x
expect_usage "switchover: --wait takes no value" '^migctl: switchover: --wait takes no value' switchover --region 1 --wait=1
expect_usage "switchover: --live is not an option" "^migctl: switchover: unknown option '--live'" switchover --region 1 --live
expect_usage "dirty-push: missing --pages" "^migctl: dirty-push: missing --pages LIST" dirty-push --region 1
for v in 5-3 x 1-x 1, -1 1099511627776 0-1099511627776; do
	expect_usage "dirty-push: bad page list '$v'" \
		"^migctl: dirty-push: invalid page list '$v' \(expected A-B,C,\.\.\. of page indexes 0\.\.1099511627775, at most 256 items\)" \
		dirty-push --region 1 --pages "$v"
done
expect_usage "monitor: bad region id" "^migctl: monitor: invalid region id 'x'" monitor --region x
expect_usage "monitor: region id 0" "invalid region id '0'" monitor --region 0
for v in 0 x -1 4294967296 ''; do
	expect_usage "monitor: --count '$v'" \
		"^migctl: monitor: invalid count '$v' \(expected a number 1\.\.4294967295\)" \
		monitor --count "$v"
done
expect_usage "monitor: --count without value" '^migctl: monitor: --count needs a value' monitor --count
expect_usage "monitor: stray argument" "^migctl: monitor: unexpected argument '3'" monitor 3
expect_usage "monitor: unknown option" "^migctl: monitor: unknown option '--watch'" monitor --watch

# ---- migctl vm (QEMU): usage errors come before any connection ----

expect_usage "vm without a subcommand" 'vm: missing subcommand: listen or migrate' vm
expect_usage "vm with an unknown subcommand" "vm: unknown subcommand 'go'" vm go
expect_usage "vm migrate without --qmp" 'vm migrate: missing --qmp SOCKET' vm migrate --to 1.2.3.4:5 --device-port 6 --insecure
expect_usage "vm migrate without --to" 'vm migrate: missing --to HOST:PORT' vm migrate --qmp /x --device-port 6 --insecure
expect_usage "vm migrate without --device-port" 'vm migrate: missing --device-port PORT' vm migrate --qmp /x --to 1.2.3.4:5 --insecure
expect_usage "vm migrate: device port 0" "vm migrate: invalid device port '0'" vm migrate --qmp /x --to 1.2.3.4:5 --device-port 0 --insecure
expect_usage "vm migrate: no key and no --insecure" 'vm migrate: a key is required' vm migrate --qmp /x --to 1.2.3.4:5 --device-port 6
expect_usage "vm migrate: bad bandwidth" "vm migrate: invalid bandwidth 'lots'" vm migrate --qmp /x --to 1.2.3.4:5 --device-port 6 --insecure --max-bandwidth lots
expect_usage "vm migrate: bad policy" "vm migrate: invalid no-convergence policy 'maybe'" vm migrate --qmp /x --to 1.2.3.4:5 --device-port 6 --insecure --no-convergence maybe
expect_usage "vm listen without --qmp" 'vm listen: missing --qmp SOCKET' vm listen --insecure
expect_usage "vm listen: bad port" "vm listen: invalid port '70000'" vm listen --qmp /x --port 70000 --insecure
expect_usage "vm listen: bad timeout" "vm listen: invalid timeout 'soon'" vm listen --qmp /x --timeout soon --insecure
expect_usage "vm listen: unknown option" "vm listen: unknown option '--colo'" vm listen --qmp /x --insecure --colo
run vm migrate --qmp "$tmp/no-such.qmp" --to 1.2.3.4:5 --device-port 6 --insecure
[ $rc -eq 1 ] && one_line && grep -q 'no-such.qmp: No such file or directory (is QEMU running with -qmp unix:PATH,server=on,wait=off?)' "$tmp/err"
result "vm migrate: no QMP socket at the path: exit 1, one line with a hint" $?

# ---- the migration key: keygen, --key-file, --insecure ----

KEYRE='^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$'
umask_was=$(umask)
umask 077	# keygen warns when it writes to a file others may read
rm -f "$tmp/out"
run keygen
cp "$tmp/out" "$tmp/key1"
[ $rc -eq 0 ] && [ ! -s "$tmp/err" ] && [ "$(lines "$tmp/out")" = 1 ] &&
	grep -qE "$KEYRE" "$tmp/out" && [ "$(tr -d '\n' <"$tmp/out" | wc -c)" = 44 ]
result "keygen prints one line of 44 base64 characters (32 bytes)" $? "want /$KEYRE/"
if command -v base64 >/dev/null 2>&1; then
	[ "$(base64 -d <"$tmp/key1" | wc -c)" = 32 ]
	result "keygen: the line decodes to 32 bytes" $?
else
	skip "keygen: the line decodes to 32 bytes" "no base64(1)"
fi
run keygen
[ $rc -eq 0 ] && grep -qE "$KEYRE" "$tmp/out" && ! cmp -s "$tmp/key1" "$tmp/out"
result "keygen: two runs give two different keys" $?
# 16 keys: no two alike, and every base64 digit turns up somewhere.
for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16; do "$MIGCTL" keygen; done \
	>"$tmp/keys" 2>"$tmp/err"
rc=$?
: >"$tmp/out"
[ "$(sort -u "$tmp/keys" | grep -cE "$KEYRE")" = 16 ] &&
	[ "$(cut -c1-42 "$tmp/keys" | fold -w1 | sort -u | wc -l)" -ge 50 ]
result "keygen: 16 keys all different, the digits spread (random)" $?
umask "$umask_was"
expect_usage "keygen: no arguments" '^migctl: keygen: too many arguments' keygen 32
expect_usage "keygen: no JSON (the key is never printed in JSON)" '^migctl: keygen: no JSON output' -j keygen
(umask 022 && "$MIGCTL" keygen >"$tmp/open.key" 2>"$tmp/err")
rc=$?
: >"$tmp/out"
[ $rc -eq 0 ] && grep -qE "$KEYRE" "$tmp/open.key" && one_line &&
	grep -q '^migctl: keygen: warning: writing the key to a file readable by group or others' "$tmp/err"
result "keygen > file readable by others: the key, and a warning" $?
(umask 077 && "$MIGCTL" keygen >"$tmp/mig.key" 2>"$tmp/err")
rc=$?
: >"$tmp/out"
[ $rc -eq 0 ] && [ ! -s "$tmp/err" ] && grep -qE "$KEYRE" "$tmp/mig.key"
result "keygen > file with umask 077: no warning" $?

for cmd in listen start; do
	to=
	[ $cmd = start ] && to="--to 10.0.0.2:4444"
	# shellcheck disable=SC2086
	expect_line "$cmd: a key or --insecure is required (before the kernel is asked)" 2 \
		"migctl: $cmd: a key is required: --key-file FILE (migctl keygen), or --insecure to run without authentication" \
		$cmd --region 1 $to
	# shellcheck disable=SC2086
	expect_usage "$cmd: --key-file and --insecure exclude each other" \
		"^migctl: $cmd: --key-file and --insecure exclude each other\$" \
		$cmd --region 1 $to --insecure --key-file "$tmp/mig.key"
	# shellcheck disable=SC2086
	expect_usage "$cmd: --insecure --key-file, either order" \
		"exclude each other" $cmd --key-file "$tmp/mig.key" --region 1 $to --insecure
	# shellcheck disable=SC2086
	expect_usage "$cmd: --insecure takes no value" "^migctl: $cmd: --insecure takes no value" \
		$cmd --region 1 $to --insecure=yes
	# shellcheck disable=SC2086
	expect_usage "$cmd: --key-file needs a value" "^migctl: $cmd: --key-file needs a value" \
		$cmd --region 1 $to --key-file
	# shellcheck disable=SC2086
	expect_usage "$cmd: --key-file twice" "^migctl: $cmd: --key-file given more than once" \
		$cmd --region 1 $to --key-file "$tmp/mig.key" --key-file "$tmp/mig.key"
	# shellcheck disable=SC2086
	expect_usage "$cmd: other usage errors come first" "invalid region id '0'" \
		$cmd --region 0 $to --key-file "$tmp/nonexistent"
	# shellcheck disable=SC2086
	expect_line "$cmd: --key-file that does not exist" 1 \
		"migctl: $cmd: cannot open key file '$tmp/nonexistent': No such file or directory" \
		$cmd --region 1 $to --key-file "$tmp/nonexistent"
	# shellcheck disable=SC2086
	expect_line "$cmd: --key-file a directory" 1 \
		"migctl: $cmd: cannot read key file '$tmp': not a regular file" \
		$cmd --region 1 $to --key-file "$tmp"
done

# bad key files: one line, exit 1, the key file named, nothing of it echoed
K1=$(cat "$tmp/key1")
i=0
for bad in '' ' ' "${K1%=}" "${K1}=" "${K1}A" "A${K1}" "${K1%?=}==" \
	   "$(printf '%s' "$K1" | tr 'A-Za-z' 'N-ZA-Mn-za-m' | cut -c1-43)!" \
	   "${K1%??}B=" "${K1%??}/=" "$(printf '%064x' 1)" \
	   "$(printf '%s' "$K1" | cut -c1-20) $(printf '%s' "$K1" | cut -c21-44)" \
	   "$K1
$K1" \
	   "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==" \
	   "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==" \
	   "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAB=" \
	   "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA-="; do
	i=$((i + 1))
	printf '%s\n' "$bad" >"$tmp/bad$i.key"
	chmod 600 "$tmp/bad$i.key"
	expect_line "--key-file with a bad key ($i: '$(printf '%s' "$bad" | head -c 12 | tr '\n' ' ')...')" 1 \
		"migctl: listen: invalid key file '$tmp/bad$i.key' (expected one 32-byte key in base64, as 'migctl keygen' prints)" \
		listen --region 1 --key-file "$tmp/bad$i.key"
done
head -c 100000 /dev/zero | tr '\0' 'A' >"$tmp/big.key"
chmod 600 "$tmp/big.key"
expect_line "--key-file: a large file is refused" 1 \
	"migctl: start: invalid key file '$tmp/big.key' (expected one 32-byte key in base64, as 'migctl keygen' prints)" \
	start --region 1 --to 10.0.0.2:4444 --key-file "$tmp/big.key"
cp "$tmp/key1" "$tmp/grp.key"
chmod 640 "$tmp/grp.key"
run listen --region 1 --key-file "$tmp/grp.key"
grep -qxF "migctl: listen: warning: key file '$tmp/grp.key' is readable by group or others (chmod 600 '$tmp/grp.key')" "$tmp/err" &&
	! grep -qF "$K1" "$tmp/err"
result "--key-file readable by the group: a warning on stderr, the key not shown" $?

# ---- without the module: one line, exit 1 ----

if [ -e /sys/module/kmig ]; then
	skip "module-not-loaded checks" "kmig is loaded"
else
	for args in "regions" "regions 1" "regions --json" "-j regions" \
		    "regions -j 1" "params" "params --json" "-j -p params" \
		    "stats" "stats -j" "scan 1" "scan 1 --zero-check avx2" \
		    "regions --region 1" "scan --region 1" "scan --region=1 --zero-check avx2" \
		    "set channels 4" "set channels 4 zero-check avx2" \
		    "set -f channels 100" "region 1" "stat" \
		    "listen --region 1 --insecure" "listen --region 1 --addr :: --port 0 --wait --insecure" \
		    "listen --region 1 --key-file $tmp/mig.key" \
		    "start --region 1 --to 10.0.0.2:4444 --insecure" \
		    "start --region 1 --to 10.0.0.2:4444 --key-file=$tmp/mig.key" \
		    "start --region 1 --to [::1]:4444 --id 00112233445566778899aabbccddeeff --key-file $tmp/mig.key" \
		    "status" "status --region 1 -j" "status --watch" "cancel --region 1" \
		    "start --region 1 --to 10.0.0.2:4444 --live --insecure" \
		    "start --region 1 --to 10.0.0.2:4444 --live --downtime-limit 1 --max-bandwidth 100M --max-passes 0 --no-convergence continue --wait --insecure" \
		    "start --region 1 --to 10.0.0.2:4444 --live --max-bandwidth 0 --downtime-limit 3600000 --insecure" \
		    "start --region 1 --to 10.0.0.2:4444 --live --max-bandwidth 1536 --max-passes 4294967295 --insecure" \
		    "start --region 1 --to 10.0.0.2:4444 --live --max-bandwidth 1g --no-convergence=switchover --insecure" \
		    "start --region 1 --to 10.0.0.2:4444 --live --max-bandwidth 16k --insecure" \
		    "start --region 1 --to 10.0.0.2:4444 --live --max-bandwidth 17179869183G --insecure" \
		    "switchover --region 1" "switchover --region 1 --wait --interval 5 -j" \
		    "monitor" "monitor --region 3 --count 1 -j" \
		    "listen --region 1 --colo --insecure" "listen --region 1 --colo --wait --interval 5 --key-file $tmp/mig.key" \
		    "start --region 1 --to 10.0.0.2:4444 --live --colo --insecure" \
		    "start --region 1 --to 10.0.0.2:4444 --live --colo --checkpoint-interval 10 --key-file $tmp/mig.key" \
		    "start --region 1 --to 10.0.0.2:4444 --colo --live --checkpoint-interval=3600000 --wait --insecure" \
		    "checkpoint --region 1" "checkpoint --region 4294967295 -j" \
		    "colo-paused --region 1 --checkpoint 0" \
		    "colo-paused --region 1 --checkpoint 18446744073709551615 -j"; do
		# shellcheck disable=SC2086
		expect_line "migctl $args without the module" 1 "$NOT_LOADED" $args
	done
fi

tap_end
