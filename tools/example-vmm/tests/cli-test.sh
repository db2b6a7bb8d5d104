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
expect 2 dest --size 64 --prealloc --insecure
expect 2 source --size 64 --to 1.2.3.4:5 --no-hash --hash-file h --insecure
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
# The migration key: exactly one of --key-file and --insecure.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
KEY=AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=
(umask 077 && echo "$KEY" > "$tmp/mig.key")
expect 2 source --size 1 --to 1.2.3.4:5
expect 2 dest --size 1
expect 2 dest --size 1 --colo
expect 2 source --size 1 --to 1.2.3.4:5 --insecure --key-file "$tmp/mig.key"
expect 2 dest --size 1 --key-file "$tmp/mig.key" --insecure
expect 2 dest --size 1 --key-file
expect 1 dest --size 1 --key-file "$tmp/none"
expect 1 source --size 1 --to 1.2.3.4:5 --key-file "$tmp"
printf '%s\n' "${KEY%=}" > "$tmp/short.key"
expect 1 dest --size 1 --key-file "$tmp/short.key"
if [ ! -e /dev/kmig ]; then
	expect 1 source --size 1 --to 127.0.0.1:4444 --insecure
	expect 1 dest --size 1 --key-file "$tmp/mig.key"
	expect 1 source --size 1 --to 127.0.0.1:4444 --colo --checkpoint-interval 10 \
		--checkpoints 2 --die-at during --die-checkpoint 2 --die-delay 0 --key-file "$tmp/mig.key"
	expect 1 dest --size 1 --colo --writers 2 --rate 100 --pattern hot:5 --seed 3 --insecure
	"$VMM" dest --size 1 --insecure 2>&1 | grep -q '/dev/kmig' &&
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
grepout '^kmig-vmm: a key is required: --key-file FILE (migctl keygen), or --insecure to run without authentication$' \
	source --size 1 --to 1.2.3.4:5
grepout '^kmig-vmm: --key-file and --insecure exclude each other$' dest --size 1 --insecure --key-file "$tmp/mig.key"
grepout "^kmig-vmm: --key-file: '$tmp/short.key' is not a migration key" dest --size 1 --key-file "$tmp/short.key"
grepout '(--key-file FILE | --insecure)' --help
if [ ! -e /dev/kmig ]; then	# (with it, dest would listen)
	cp "$tmp/mig.key" "$tmp/open.key"
	chmod 644 "$tmp/open.key"
	grepout "^kmig-vmm: warning: key file '$tmp/open.key' is readable by group or others" \
		dest --size 1 --key-file "$tmp/open.key"
	if "$VMM" dest --size 1 --key-file "$tmp/open.key" 2>&1 | grep -qF -e "$KEY" -e "${KEY%=}"; then
		fail=$((fail + 1)); echo "FAIL: the key shows in kmig-vmm's output"
	else
		pass=$((pass + 1))
	fi
fi
echo "cli: $pass passed, $fail failed"
[ "$fail" = 0 ]
