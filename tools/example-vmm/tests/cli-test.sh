#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# kmig-vmm's command line without the module: usage errors exit 2, --help
# exits 0, a valid command without /dev/kmig fails with exit 1.
set -u
VMM=${1:-./kmig-vmm}
pass=0 fail=0

expect() {	# expect STATUS ARGS...
	want=$1; shift
	"$VMM" "$@" >/dev/null 2>&1
	got=$?
	if [ "$got" = "$want" ]; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1)); echo "FAIL: kmig-vmm $* exited $got, want $want"
	fi
}

expect 0 --help
expect 0 source --help
expect 2
expect 2 source
expect 2 source --size 64
expect 2 source --size 64 --to 1.2.3.4:5 --pattern hot:0
expect 2 dest --port 5
expect 2 dest --size 64 --fill-random 5
# COLO
expect 0 source --colo --help
expect 2 source --size 64 --to 1.2.3.4:5 --checkpoints 3
expect 2 source --size 64 --to 1.2.3.4:5 --colo --checkpoint-interval 9
expect 2 source --size 64 --to 1.2.3.4:5 --colo --no-switchover
expect 2 source --size 64 --to 1.2.3.4:5 --colo --die-at before
expect 2 source --size 64 --to 1.2.3.4:5 --colo --die-at never --die-checkpoint 1
expect 2 source --size 64 --to 1.2.3.4:5 --colo --die-at after --die-checkpoint 1 --die-delay 5
expect 2 source --size 64 --to 1.2.3.4:5 --colo --die-at after --die-checkpoint 4 --checkpoints 3
expect 2 dest --size 64 --writers 2
expect 2 dest --size 64 --colo --checkpoints 2
expect 2 dest --size 64 --colo --die-at before --die-checkpoint 1
if [ ! -e /dev/kmig ]; then
	expect 1 source --size 1 --to 127.0.0.1:4444
	expect 1 dest --size 1
	expect 1 source --size 1 --to 127.0.0.1:4444 --colo --checkpoint-interval 10 \
		--checkpoints 2 --die-at during --die-checkpoint 2 --die-delay 0
	expect 1 dest --size 1 --colo --writers 2 --rate 100 --pattern hot:5 --seed 3
	"$VMM" dest --size 1 2>&1 | grep -q '/dev/kmig' &&
		pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL: no /dev/kmig message"; }
fi
"$VMM" source 2>&1 | grep -q '^usage: kmig-vmm source' &&
	pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL: no usage on error"; }
grepout() {	# grepout PATTERN ARGS...: kmig-vmm's output matches
	pat=$1; shift
	if "$VMM" "$@" 2>&1 | grep -q -- "$pat"; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1)); echo "FAIL: kmig-vmm $* does not print '$pat'"
	fi
}
grepout '--die-at before|during|after' --help
grepout 'go together' source --size 1 --to 1.2.3.4:5 --colo --die-checkpoint 2
grepout '--checkpoints needs --colo' source --size 1 --to 1.2.3.4:5 --checkpoints 2
grepout 'only with --colo' dest --size 1 --rate 5
echo "cli: $pass passed, $fail failed"
[ "$fail" = 0 ]
