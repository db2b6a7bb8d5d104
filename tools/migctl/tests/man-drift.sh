#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# No drift between migctl's help, its man page (man/migctl.8) and its
# option parser:
#   - the page renders without a groff warning (as lintian's
#     groff-message check runs man);
#   - the commands of 'migctl help' (vm as vm listen and vm migrate) are
#     the .SS sections of the page's COMMANDS, and each has a help of its
#     own ('migctl COMMAND --help');
#   - the global options of 'migctl help' are the page's OPTIONS;
#   - for each command, the options its help defines (in its synopses and
#     its "  --name VALUE  text" lines, read by _migctl_options of the bash
#     completion, completion/migctl) are the options of its man section
#     (its synopsis block and its .TP tags), both ways;
#   - the keys of 'migctl set --help' are the keys of the set section;
#   - each command accepts exactly the options its help names: every
#     option name found in the sources, the help or the page is tried on
#     tests/migctl-fake (MIGCTL_FAKE=nomodule: nothing reaches even the
#     fake kernel) as --name= and --name, and counts as accepted unless
#     migctl names it in a usage error (unknown option, unexpected
#     argument) or finds too many arguments.
#
# Usage: tests/man-drift.sh     (MIGCTL, MIGCTL_FAKE_BIN, MAN_PAGE to
#                                override the paths)
# Output: TAP, then "# N passed, N failed". Exit status 1 on failure.

set -uo pipefail

dir=$(cd "$(dirname "$0")" && pwd)
MIGCTL=${MIGCTL:-$dir/../migctl}
FAKE=${MIGCTL_FAKE_BIN:-$dir/migctl-fake}
MAN_PAGE=${MAN_PAGE:-$dir/../../../man/migctl.8}
COMPLETION=$dir/../completion/migctl

for f in "$MIGCTL" "$FAKE"; do
	if [ ! -x "$f" ]; then
		echo "Bail out! $f not found or not executable (run make check)"
		exit 1
	fi
done
if [ ! -f "$MAN_PAGE" ] || [ ! -f "$COMPLETION" ]; then
	echo "Bail out! $MAN_PAGE or $COMPLETION missing"
	exit 1
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# shellcheck source=tools/migctl/tests/tap.sh
. "$dir/tap.sh"
# shellcheck source=tools/migctl/completion/migctl
. "$COMPLETION"

GLOBALS='^(-j|--json|-p|--pretty|-h|--help|-V|--version)$'

# same DESC A B: the sorted lines of files A (the help) and B (the page)
# are the same; else the lines of each alone as diagnostics.
same() {
	sort -u "$2" >"$tmp/a"
	sort -u "$3" >"$tmp/b"
	if cmp -s "$tmp/a" "$tmp/b"; then
		tap_result "$1" 0
		return
	fi
	tap_result "$1" 1
	comm -23 "$tmp/a" "$tmp/b" | sed "s/^/#   only in $4: /"
	comm -13 "$tmp/a" "$tmp/b" | sed "s/^/#   only in $5: /"
}

# ---- the page renders without warnings ----
LC_ALL=C.UTF-8 MANROFFSEQ='' MANWIDTH=80 \
	man --warnings -E UTF-8 -l -Tutf8 -Z "$MAN_PAGE" >/dev/null 2>"$tmp/warn"
st=$?
if [ $st -eq 0 ] && [ ! -s "$tmp/warn" ]; then
	tap_result "man/migctl.8 renders without groff warnings" 0
else
	tap_result "man/migctl.8 renders without groff warnings" 1
	echo "#   man exit $st"
	sed 's/^/#   /' "$tmp/warn" | head -20
fi

# ---- what the page says: its roff source, read by its conventions ----
# "cmd NAME", "opt NAME OPTION", "global OPTION", "setkey KEY" (tabs)
awk -v globals="$GLOBALS" '
function opts(line, c,    o) {
	while (match(line, /(^|[ [(|])--?[a-zA-Z][a-zA-Z0-9-]*/)) {
		o = substr(line, RSTART, RLENGTH)
		sub(/^[ [(|]/, "", o)
		line = substr(line, RSTART + RLENGTH)
		if (c == "")
			print "global\t" o
		else if (o !~ globals)
			print "opt\t" c "\t" o
	}
}
{
	gsub(/\\-/, "-")
	gsub(/\\f[BIRP]/, "")
	gsub(/\\&/, "")
}
/^\.SH/ {
	sh = substr($0, 5)
	gsub(/"/, "", sh)
	ss = ""
	next
}
/^\.SS/ && sh == "COMMANDS" {
	ss = substr($0, 5)
	gsub(/"/, "", ss)
	print "cmd\t" ss
	syn = 0
	had_syn = 0
	next
}
/^\.nf/ && ss != "" && !had_syn { syn = 1; had_syn = 1; next }
/^\.fi/ { syn = 0; next }
syn { opts($0, ss); next }
/^\.T[PQ]/ { tag = 1; next }
tag {
	tag = 0
	t = $0
	sub(/^\.[BIR]+ /, "", t)
	gsub(/"/, "", t)
	if (t ~ /^-/) {
		if (sh == "OPTIONS")
			opts(t, "")
		else if (ss != "")
			opts(t, ss)
	} else if (ss == "set" && t ~ /^[a-z]/) {
		split(t, w, " ")
		print "setkey\t" w[1]
	}
}' "$MAN_PAGE" >"$tmp/man"

man_field() {
	awk -F '\t' -v k="$1" -v c="${2-}" '$1 == k && (c == "" || $2 == c) { print $NF }' "$tmp/man"
}

# ---- the commands ----
_migctl_commands "$MIGCTL" >"$tmp/help-cmds"
man_field cmd >"$tmp/man-cmds"
same "the commands of 'migctl help' are the sections of COMMANDS" \
	"$tmp/help-cmds" "$tmp/man-cmds" "'migctl help'" "man/migctl.8"

cmds=$(cut -d' ' -f1 "$tmp/help-cmds" | uniq)
bad=
for c in $cmds; do
	"$MIGCTL" "$c" --help >"$tmp/out" 2>&1 && head -n1 "$tmp/out" | grep -q "^Usage: migctl.* $c\b" ||
		bad="$bad $c"
done
tap_result "every command has a help of its own ('migctl COMMAND --help')" \
	"$([ -z "$bad" ]; echo $?)" || echo "#   no 'Usage: migctl ... COMMAND' from:$bad"

# ---- the global options ----
_migctl_global_options "$MIGCTL" >"$tmp/help-glob"
man_field global >"$tmp/man-glob"
same "the global options of 'migctl help' are the page's OPTIONS" \
	"$tmp/help-glob" "$tmp/man-glob" "'migctl help'" "OPTIONS"

# ---- each command's options ----
for c in $cmds; do
	_migctl_options "$MIGCTL" "$c" | cut -f1,2 >"$tmp/help-opts-$c"
	awk -F '\t' -v c="$c" '$1 == "opt" && ($2 == c || index($2, c " ") == 1) { print $2 "\t" $3 }' \
		"$tmp/man" >"$tmp/man-opts-$c"
	same "$c: the options of 'migctl $c --help' are those of its man section" \
		"$tmp/help-opts-$c" "$tmp/man-opts-$c" "the help" "the man page"
done

# ---- the keys of set ----
_migctl_set_keys "$MIGCTL" | cut -f1 >"$tmp/help-keys"
man_field setkey >"$tmp/man-keys"
same "the keys of 'migctl set --help' are those of the set section" \
	"$tmp/help-keys" "$tmp/man-keys" "the help" "the man page"

# ---- the parser accepts exactly the options of the help ----
# Every option name of the sources, the help and the page.
{
	grep -ohE '"--?[a-zA-Z][a-zA-Z0-9-]*[="]' "$dir"/../*.c | tr -d '"='
	cut -f2 "$tmp"/help-opts-*
	awk -F '\t' '$1 == "opt" { print $3 }' "$tmp/man"
} | grep -vE "$GLOBALS" | grep -vx -- '-' | sort -u >"$tmp/candidates"

# accepts "CMD [SUB]" OPTION ERRFILE: 0 when migctl does not reject OPTION.
accepts() {
	local form
	for form in "$2=" "$2"; do
		# shellcheck disable=SC2086
		MIGCTL_FAKE=nomodule "$FAKE" $1 "$form" </dev/null >/dev/null 2>"$3"
		grep -qF -e "'$form'" -e "too many arguments" "$3" || return 0
	done
	return 1
}

# One prober per command, all at once (a few hundred runs of migctl).
while read -r name; do
	f=$tmp/acc-${name// /-}
	while read -r o; do
		accepts "$name" "$o" "$f.err" && printf '%s\t%s\n' "$name" "$o"
	done <"$tmp/candidates" >"$f" 2>/dev/null &
done <"$tmp/help-cmds"
wait

while read -r name; do
	cp "$tmp/acc-${name// /-}" "$tmp/acc"
	awk -F '\t' -v c="$name" '$1 == c { print $1 "\t" $2 }' "$tmp/help-opts-${name%% *}" >"$tmp/want"
	same "$name: the options migctl accepts are those of its help" \
		"$tmp/acc" "$tmp/want" "the parser" "the help"
done <"$tmp/help-cmds"

tap_end
