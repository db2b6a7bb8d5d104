# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# The TAP output and the module helpers of a test script running inside a
# test kernel, shared by tests/system/run-tests.sh and tests/hosts/host.sh
# (POSIX sh). Needs ENV (the name every test line carries), KO and T.
#
#   ok NAME / notok NAME / skip NAME WHY   one TAP line; notok shows $T/out
#   t NAME CMD... / tf NAME CMD...         CMD passes (77: skipped) / fails
#   sysfs PATH                             /sys/kernel/kmig/PATH
#   loaded / load [PARAM=V...] / unload    the kmig module

N=0 PASS=0 FAIL=0 SKIPPED=0

ok() { N=$((N + 1)); PASS=$((PASS + 1)); echo "ok $N - $ENV: $1"; }
skip() { N=$((N + 1)); SKIPPED=$((SKIPPED + 1)); echo "ok $N - $ENV: $1 # SKIP $2"; }
notok() {
	N=$((N + 1)); FAIL=$((FAIL + 1)); echo "not ok $N - $ENV: $1"
	[ -s "$T/out" ] && sed 's/^/#   /' "$T/out" | head -40
}

# t NAME CMD...: the command passes with exit 0, is skipped with 77.
t() {
	name=$1; shift
	"$@" > "$T/out" 2>&1
	rc=$?
	if [ $rc -eq 0 ]; then
		ok "$name"
		grep '^# ' "$T/out" | head -20
	elif [ $rc -eq 77 ]; then
		skip "$name" "$(grep '^# ' "$T/out" | head -1 | cut -c3-)"
	else
		echo "exit status $rc" >> "$T/out"
		notok "$name"
	fi
}

# tf NAME CMD...: the command must fail (non-zero exit).
tf() {
	name=$1; shift
	if "$@" > "$T/out" 2>&1; then
		echo "succeeded, expected failure" >> "$T/out"
		notok "$name"
	else
		ok "$name"
	fi
}

sysfs() { cat "/sys/kernel/kmig/$1" 2>/dev/null; }
loaded() { [ -d /sys/module/kmig ]; }

load() {
	loaded && rmmod kmig 2>/dev/null
	insmod "$KO" "$@"
}

unload() {
	loaded || return 0
	rmmod kmig
}

