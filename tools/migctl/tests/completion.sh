#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Checks of migctl's bash completion (completion/migctl): a non-interactive
# bash sources bash-completion (when installed) and the completion, sets
# COMP_WORDS, COMP_CWORD, COMP_LINE and COMP_POINT as bash would for a
# command line, calls _migctl and compares COMPREPLY: commands, nested
# commands (vm listen|migrate), options, option values, set's keys and
# values, file names for --key-file and --qmp, and region ids. The migctl
# completed is tests/migctl-fake (a fake kernel with regions 1 and 3),
# first in PATH as "migctl"; the wanted options come from the man page
# (tests/man-drift.sh holds the page to the help). Then the same few
# checks without bash-completion's helpers.
#
# Usage: tests/completion.sh     (after "make tests/migctl-fake")
# Output: TAP, then "# N passed, N failed". Exit status 1 on failure.

set -uo pipefail

dir=$(cd "$(dirname "$0")" && pwd)
FAKE=${MIGCTL_FAKE_BIN:-$dir/migctl-fake}
MAN_PAGE=${MAN_PAGE:-$dir/../../../man/migctl.8}
COMPLETION=$dir/../completion/migctl
BASH_COMPLETION=${BASH_COMPLETION:-/usr/share/bash-completion/bash_completion}

if [ ! -x "$FAKE" ]; then
	echo "Bail out! $FAKE not built (run make tests/migctl-fake)"
	exit 1
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/bin" "$tmp/keys/sub"
ln -s "$FAKE" "$tmp/bin/migctl"
: >"$tmp/keys/mig.key"
: >"$tmp/keys/other.key"
: >"$tmp/keys/qemu.qmp"
PATH=$tmp/bin:$PATH

# shellcheck source=tools/migctl/tests/tap.sh
. "$dir/tap.sh"

# The options of COMMAND's section ("vm migrate") in the man page.
man_opts() {
	sed -n "/^\.SS \"\{0,1\}$1\"\{0,1\}\$/,/^\.S[SH] /p" "$MAN_PAGE" |
		grep -A1 '^\.T[PQ]' | sed -n 's/^\\fB\\-\\-\([a-z\\-]*\)\\fR.*/--\1/p' |
		sed 's/\\-/-/g' | sort -u
}

# comp LINE: call _migctl for LINE, the cursor at its end, with the words
# split as bash does (at blanks, and "--name=VALUE" into --name, =, VALUE);
# the sorted COMPREPLY in $got (one line), its stderr in $tmp/err.
comp() {
	local line=$1 w
	set -f
	COMP_WORDS=()
	for w in $line; do
		while [[ $w == *=* ]]; do
			COMP_WORDS+=("${w%%=*}" "=")
			w=${w#*=}
		done
		[[ -n $w ]] && COMP_WORDS+=("$w")
	done
	set +f
	[[ $line == *" " ]] && COMP_WORDS+=("")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMP_LINE=$line
	COMP_POINT=${#line}
	COMPREPLY=()
	_migctl migctl "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}" 2>"$tmp/err"
	got=$(printf '%s\n' "${COMPREPLY[@]}" | grep . | sort | tr '\n' ' ')
	got=${got% }
}

# expect DESC LINE WANT...: COMPREPLY for LINE is WANT (any order), and
# the completion wrote nothing on stderr.
expect() {
	local desc=$1 line=$2 want
	shift 2
	want=$(printf '%s\n' "$@" | grep . | sort | tr '\n' ' ')
	want=${want% }
	comp "$line"
	if [[ $got == "$want" && ! -s $tmp/err ]]; then
		tap_result "$desc" 0
	else
		tap_result "$desc" 1
		echo "#   line: '$line'"
		echo "#   want: $want"
		echo "#   got:  $got"
		[[ -s $tmp/err ]] && sed 's/^/#   stderr: /' "$tmp/err" | head -5
	fi
}

# The words of the wanted lists are split on purpose.
# shellcheck disable=SC2046
checks() {
	expect "$1: migctl st<TAB>: the commands starting with st" \
		"migctl st" start stats status
	expect "$1: migctl -j st<TAB>: the same after a global option" \
		"migctl -j st" start stats status
	expect "$1: migctl start --<TAB>: start's options (those of its man section)" \
		"migctl start --" $(man_opts start)
	expect "$1: migctl start --key-file <TAB>: file names" \
		"migctl start --region 1 --key-file " mig.key other.key qemu.qmp sub
	expect "$1: migctl listen --key-file m<TAB>: the file names starting with m" \
		"migctl listen --key-file m" mig.key
	expect "$1: migctl start --region <TAB>: the region ids (migctl -j regions)" \
		"migctl start --region " 1 3
	expect "$1: migctl listen --region=<TAB>: the region ids" \
		"migctl listen --region=" 1 3
}

cd "$tmp/keys" || exit 1

# ---- with bash-completion ----
# shellcheck disable=SC2046
if [ -f "$BASH_COMPLETION" ]; then
	# shellcheck disable=SC1090
	. "$BASH_COMPLETION"
	# shellcheck source=tools/migctl/completion/migctl
	. "$COMPLETION"
	if complete -p migctl 2>/dev/null | grep -q -- '-F _migctl migctl$'; then
		tap_result "the file registers _migctl for migctl" 0
	else
		tap_result "the file registers _migctl for migctl" 1
	fi
	checks bash-completion
	expect "migctl <TAB>: every command" "migctl " \
		$(sed -n 's/^\.SS "\{0,1\}\([a-z\\-]*\).*/\1/p' "$MAN_PAGE" | sed 's/\\-/-/g' | sort -u)
	expect "migctl -<TAB>: the global options" "migctl -" \
		-j --json -p --pretty -h --help -V --version
	expect "migctl vm <TAB>: its subcommands" "migctl vm " listen migrate
	expect "migctl vm migrate --<TAB>: vm migrate's options" \
		"migctl vm migrate --" $(man_opts "vm migrate")
	expect "migctl vm migrate --no-convergence <TAB>: the policies" \
		"migctl vm migrate --no-convergence " continue switchover postcopy
	expect "migctl vm listen --qmp q<TAB>: file names" \
		"migctl vm listen --qmp q" qemu.qmp
	expect "migctl start --region 1 --to <TAB>: nothing (a numeric HOST:PORT)" \
		"migctl start --region 1 --to "
	expect "migctl start --region 1 --l<TAB>: --live" \
		"migctl start --region 1 --l" --live
	expect "migctl start --zero-page-detection <TAB>: its values" \
		"migctl start --zero-page-detection " none main channel
	expect "migctl start --no-convergence s<TAB>: switchover" \
		"migctl start --no-convergence s" switchover
	expect "migctl start --no-convergence=p<TAB>: postcopy" \
		"migctl start --no-convergence=p" postcopy
	expect "migctl regions <TAB>: the region ids" "migctl regions " 1 3
	expect "migctl region <TAB> (alias): the region ids" "migctl region " 1 3
	expect "migctl scan 1 <TAB>: scan's options" "migctl scan 1 " --region --zero-check
	expect "migctl scan --zero-check avx2 <TAB>: the region ids" \
		"migctl scan --zero-check avx2 " 1 3
	expect "migctl scan 1 --zero-check a<TAB>: the implementations" \
		"migctl scan 1 --zero-check a" auto avx2 avx512
	expect "migctl status --region 3 --watch --<TAB>: status's options" \
		"migctl status --region 3 --watch --" --region --watch --interval
	expect "migctl set <TAB>: its keys" "migctl set " channels \
		zero-page-detection zero-check max-regions-per-user max-memory \
		max-channels max-migrations max-handshakes handshake-timeout-ms
	expect "migctl set channels 4 max-m<TAB>: the keys again" \
		"migctl set channels 4 max-m" max-memory max-migrations
	expect "migctl set zero-check <TAB>: its values" \
		"migctl set -f zero-check " auto generic sse2 avx2 avx512
	expect "migctl help s<TAB>: the commands starting with s" \
		"migctl help s" scan set start stats status switchover
	MIGCTL_FAKE=nomodule expect "no module: migctl start --region <TAB>: nothing, quietly" \
		"migctl start --region "
else
	tap_result "bash-completion # SKIP $BASH_COMPLETION not installed" 0
fi

# ---- without it: a shell that sources only the completion ----
unset -f _init_completion _filedir _get_comp_words_by_ref 2>/dev/null
# shellcheck source=tools/migctl/completion/migctl
. "$COMPLETION"
checks "plain bash"

tap_end
