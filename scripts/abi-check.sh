#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Module parameters and sysfs attributes against their documentation, as
# TAP on stdout (a few seconds; part of 'make static', scripts/check.sh):
#
#   1  every module_param*() in kmod/*.c has a MODULE_PARM_DESC() and every
#      MODULE_PARM_DESC() names a parameter (source)
#   2  the same read back from a built kmig.ko with modinfo: every
#      parameter (parmtype) has a non-empty description (parm), and the
#      .ko has exactly the parameters of the source. Skipped when no
#      kmig.ko newer than every kmod/ source is found (KO argument or
#      $KMIG_KO, else build/{deb612,deb61,uml-debug,uml-bench}/kmod/kmig.ko)
#   3  Documentation/ABI/testing/sysfs-module-kmig has one entry per
#      parameter, /sys/module/kmig/parameters/<name>, and no other; each
#      entry gives the parameter's permissions as in the source ("0444")
#   4  Documentation/ABI/testing/sysfs-kernel-kmig has one entry per
#      attribute the source defines (struct kobj_attribute in attribute
#      groups, macros expanded with cpp) under /sys/kernel/kmig, and no
#      other (besides the directories the groups make); each entry says
#      (RO) or (RW) as the attribute's mode does
#   5  every entry of both files has What, Date, KernelVersion, Contact
#      and Description
#
# A sysfs definition the parser does not know (DEVICE_ATTR, BIN_ATTR,
# sysfs_create_file, an attribute group it has no directory for) fails 4
# with a message saying what to extend here.
#
#   scripts/abi-check.sh [KO]
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
abi_mod=Documentation/ABI/testing/sysfs-module-kmig
abi_sys=Documentation/ABI/testing/sysfs-kernel-kmig
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

n=0
fail=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
notok() { n=$((n + 1)); fail=1; echo "not ok $n - $*"; }
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }
diag() { sed 's/^/# /'; }

echo "1..5"

# --- Sources ----------------------------------------------------------------

# kmod/*.c without comments, one line per file: "FILE<TAB>text".
for f in kmod/*.c; do
	printf '%s\t' "$f"
	perl -0777 -pe 's{/\*.*?\*/}{ }gs; s{//[^\n]*}{}g; s/\s+/ /g' "$f"
	echo
done >"$tmp/flat"

# Module parameters: "name perm" (module_param(name, type, perm), the
# _named/_cb/_string/_array forms with the permission fourth).
perl -ne '
	(undef, $_) = split /\t/, $_, 2;
	while (/\bmodule_param(_named|_cb|_string|_array|_unsafe)?\s*\(([^;]*?)\)\s*;/g) {
		my ($kind, @a) = ($1 // "", map { s/^\s+|\s+$//gr } split /,/, $2);
		my $perm = $kind eq "" || $kind eq "_unsafe" ? $a[2] : $a[3];
		print "$a[0] $perm\n";
	}' "$tmp/flat" | sort >"$tmp/params"
grep -oE 'MODULE_PARM_DESC\( *[A-Za-z_0-9]+' "$tmp/flat" |
	sed 's/.*( *//' | sort >"$tmp/descs"
cut -d' ' -f1 "$tmp/params" >"$tmp/param-names"

# sysfs attributes: each kmod/*.c with attribute groups, through cpp with
# __ATTR* turned into a marker, #include and conditionals dropped (every
# branch kept), then "path mode" per attribute.
sysfs_err=$tmp/sysfs-err
: >"$sysfs_err"
: >"$tmp/attrs"
if grep -nE '\b(DEVICE_ATTR|DRIVER_ATTR|BUS_ATTR|CLASS_ATTR|BIN_ATTR)[A-Z_]*\(|sysfs_create_(file|bin_file|link)\b' kmod/*.c >"$tmp/unknown"; then
	{ echo "sysfs definitions abi-check.sh cannot parse (extend it):"; cat "$tmp/unknown"; } >>"$sysfs_err"
fi
grep -lE 'attribute_group|__ATTR' kmod/*.c >"$tmp/attr-files"
while IFS= read -r f; do
	{
		printf '#define __ATTR(_n, _m, ...) KMIG_ABI_ATTR(_n, _m)\n'
		printf '#define __ATTR_RO(_n) KMIG_ABI_ATTR(_n, 0444)\n'
		printf '#define __ATTR_RW(_n) KMIG_ABI_ATTR(_n, 0644)\n'
		printf '#define __ATTR_WO(_n) KMIG_ABI_ATTR(_n, 0200)\n'
		grep -vE '^\s*#\s*(include|if|ifdef|ifndef|elif|else|endif)\b' "$f"
	} | cpp -P -undef -w 2>>"$sysfs_err" | tr -s ' \t\n' ' ' |
		FILE=$f perl -ne '
		# Directory of each attribute group: /sys/kernel/kmig itself for
		# the groups made on kmig_kobj, regions/<id> for the region ktype.
		my %base = (
			kmig_param_group => "/sys/kernel/kmig",
			kmig_stat_group => "/sys/kernel/kmig",
			kmig_region_group => "/sys/kernel/kmig/regions/<id>",
			kmig_mig_group => "/sys/kernel/kmig/regions/<id>",
		);
		my (%attr, %arr, %seen);
		for my $s (split /;/) {
			if ($s =~ /struct kobj_attribute (\w+) = KMIG_ABI_ATTR\( ?(\w+) ?, ?(\w+) ?\)/) {
				$attr{$1} = [$2, $3];
			} elsif ($s =~ /struct attribute \*(\w+) ?\[ ?\] ?= ?\{(.*)\}/) {
				my ($an, $ab) = ($1, $2);
				$arr{$an} = [$ab =~ /&(\w+)\.attr/g];
			} elsif ($s =~ /struct attribute_group (\w+) ?= ?\{(.*)\}/) {
				my ($g, $body) = ($1, $2);
				my ($name) = $body =~ /\.name ?= ?"([^"]*)"/;
				my ($a) = $body =~ /\.attrs ?= ?(\w+)/;
				if (!exists $base{$g}) {
					print STDERR "$ENV{FILE}: attribute group $g: no directory known for it in abi-check.sh\n";
					next;
				}
				my $dir = $base{$g} . (defined $name ? "/$name" : "");
				print "DIR $dir/\n" if defined $name;
				for my $v (@{$arr{$a} // []}) {
					$seen{$v} = 1;
					my ($file, $mode) = @{$attr{$v} // ["?$v", "?"]};
					print "$dir/$file $mode\n";
				}
			}
		}
		for my $v (sort keys %attr) {
			print STDERR "$ENV{FILE}: $v ($attr{$v}[0]) is in no attribute group\n"
				unless $seen{$v};
		}' >>"$tmp/attrs" 2>>"$sysfs_err"
done <"$tmp/attr-files"
grep '^DIR ' "$tmp/attrs" | sed 's/^DIR //' | sort -u >"$tmp/dirs"
grep -v '^DIR ' "$tmp/attrs" | sort >"$tmp/attr-modes"
# The region directory itself, made by kobject_init_and_add() per region.
if grep -q 'kobject_init_and_add([^;]*kmig_regions_kobj' "$tmp/flat"; then
	echo "/sys/kernel/kmig/regions/<id>/" >>"$tmp/dirs"
fi
sort -u -o "$tmp/dirs" "$tmp/dirs"

# --- Documentation/ABI --------------------------------------------------------

# "path<TAB>block text" for every What: of a file; a block is one entry,
# its What: lines and fields up to the next blank-line-separated What:.
abi_whats() {
	awk -v OFS='\t' '
		function flush(  i) { for (i = 1; i <= nw; i++) print w[i], body; nw = 0; body = "" }
		/^What:/ { if (!inwhat) flush(); inwhat = 1; w[++nw] = $2; next }
		{ inwhat = 0; body = body " " $0 }
		END { flush() }' "$1"
}

# The entry text of PATH in an abi_whats output FILE.
entry_of() {
	awk -v p="$1" '{ i = index($0, "\t"); if (substr($0, 1, i - 1) == p) print substr($0, i + 1) }' "$2"
}

# --- 1: MODULE_PARM_DESC in the source ---------------------------------------

nparams=$(wc -l <"$tmp/params")
missing=$(comm -23 "$tmp/param-names" "$tmp/descs")
stray=$(comm -13 "$tmp/param-names" "$tmp/descs")
if [ "$nparams" -gt 0 ] && [ -z "$missing$stray" ]; then
	ok "source: each of the $nparams module_param*() in kmod/ has a MODULE_PARM_DESC()"
else
	notok "source: each of the $nparams module_param*() in kmod/ has a MODULE_PARM_DESC()"
	[ -z "$missing" ] || echo "without MODULE_PARM_DESC: $missing" | diag
	[ -z "$stray" ] || echo "MODULE_PARM_DESC of no parameter: $stray" | diag
fi

# --- 2: modinfo on a built kmig.ko ---------------------------------------------

ko=${1:-${KMIG_KO:-}}
if [ -z "$ko" ]; then
	for t in deb612 deb61 uml-debug uml-bench; do
		c=${KMIG_BUILD:-$top/build}/$t/kmod/kmig.ko
		[ -f "$c" ] || continue
		# Older than a source file: not what the source says now.
		[ -z "$(find kmod include -newer "$c" -name '*.[ch]' -print -quit)" ] || continue
		ko=$c
		break
	done
fi
if [ -z "$ko" ]; then
	skip "modinfo: every parameter of kmig.ko has a description" \
		"no kmig.ko newer than kmod/ in build/ (scripts/modules.sh builds one)"
elif ! modinfo -F parmtype "$ko" >"$tmp/ko-types" 2>"$tmp/ko-err"; then
	notok "modinfo: every parameter of $ko has a description"
	diag <"$tmp/ko-err"
else
	# modinfo merges parm= (descriptions) and parmtype= (types; none for
	# module_param_cb()) into "name:description (type)" lines.
	modinfo -F parm "$ko" >"$tmp/ko-parm"
	cut -d: -f1 "$tmp/ko-types" "$tmp/ko-parm" | sort -u >"$tmp/ko-names"
	# A described parameter: text after "name:", without " (type)".
	sed 's/[[:space:]]*([A-Za-z_0-9]*)[[:space:]]*$//' "$tmp/ko-parm" |
		sed -n 's/^\([A-Za-z_0-9]*\):[[:space:]]*[^[:space:]].*/\1/p' |
		sort -u >"$tmp/ko-described"
	bad=$(comm -23 "$tmp/ko-names" "$tmp/ko-described")
	drift=$(diff "$tmp/param-names" "$tmp/ko-names" | grep '^[<>]')
	if [ -s "$tmp/ko-names" ] && [ -z "$bad$drift" ]; then
		ok "modinfo: each of the $(wc -l <"$tmp/ko-names") parameters of $ko has a description"
	else
		notok "modinfo: every parameter of $ko has a description"
		[ -z "$bad" ] || echo "no description: $bad" | diag
		[ -z "$drift" ] || { echo "source (<) and .ko (>) differ:"; echo "$drift"; } | diag
	fi
fi

# --- 3: sysfs-module-kmig ------------------------------------------------------

if [ -f "$abi_mod" ]; then
	abi_whats "$abi_mod" >"$tmp/mod-whats"
else
	: >"$tmp/mod-whats"
fi
errs=$(
	cut -f1 "$tmp/mod-whats" | sort >"$tmp/mod-paths"
	{
		[ ! -s "$tmp/params" ] || echo /sys/module/kmig/parameters/
		sed 's|^|/sys/module/kmig/parameters/|; s| .*||' "$tmp/params"
	} | sort >"$tmp/want"
	comm -23 "$tmp/want" "$tmp/mod-paths" | sed 's/^/not documented: /'
	comm -13 "$tmp/want" "$tmp/mod-paths" | sed 's/^/documented, not in kmod\/: /'
	while read -r name perm; do
		body=$(entry_of "/sys/module/kmig/parameters/$name" "$tmp/mod-whats")
		[ -z "$body" ] || grep -q -- "$perm" <<<"$body" ||
			echo "$name: permissions $perm (source) not in its entry"
	done <"$tmp/params"
)
if [ -f "$abi_mod" ] && [ -z "$errs" ]; then
	ok "$abi_mod: the $nparams module parameters, their permissions, nothing else"
else
	notok "$abi_mod: the $nparams module parameters, their permissions, nothing else"
	[ -f "$abi_mod" ] || echo "$abi_mod: missing" | diag
	[ -z "$errs" ] || echo "$errs" | diag
fi

# --- 4: sysfs-kernel-kmig ------------------------------------------------------

if [ -f "$abi_sys" ]; then
	abi_whats "$abi_sys" >"$tmp/sys-whats"
else
	: >"$tmp/sys-whats"
fi
errs=$(
	cat "$sysfs_err"
	cut -f1 "$tmp/sys-whats" | sort >"$tmp/sys-paths"
	{ cut -d' ' -f1 "$tmp/attr-modes"; cat "$tmp/dirs"; } | sort >"$tmp/want"
	comm -23 "$tmp/want" "$tmp/sys-paths" | sed 's/^/not documented: /'
	comm -13 "$tmp/want" "$tmp/sys-paths" | sed 's/^/documented, not in kmod\/: /'
	while read -r path mode; do
		body=$(entry_of "$path" "$tmp/sys-whats")
		[ -n "$body" ] || continue
		case $mode in
		0444) want='(RO)' ;;
		0200) want='(WO)' ;;
		*) want='(RW)' ;;
		esac
		grep -qF -- "$want" <<<"$body" || echo "$path: mode $mode, its entry does not say $want"
	done <"$tmp/attr-modes"
)
nattrs=$(wc -l <"$tmp/attr-modes")
if [ -f "$abi_sys" ] && [ "$nattrs" -gt 0 ] && [ -z "$errs" ]; then
	ok "$abi_sys: the $nattrs sysfs attributes of kmod/, (RO)/(RW) as their modes, nothing else"
else
	notok "$abi_sys: the $nattrs sysfs attributes of kmod/, (RO)/(RW) as their modes, nothing else"
	[ -z "$errs" ] || echo "$errs" | diag
fi

# --- 5: entry format -----------------------------------------------------------

errs=$(
	for f in "$abi_mod" "$abi_sys"; do
		[ -f "$f" ] || continue
		awk -v f="$f" '
			function check() {
				if (what == "") return
				for (k in need) if (!(k in got)) printf "%s:%d: %s: no %s:\n", f, line, what, k
				delete got
			}
			BEGIN { need["Date"]; need["KernelVersion"]; need["Contact"]; need["Description"] }
			/^What:/ { if (!inwhat) { check(); what = $2; line = NR } inwhat = 1; next }
			{ inwhat = 0 }
			/^(Date|KernelVersion|Contact|Description|Users):/ { sub(/:.*/, ""); got[$0] }
			END { check() }' "$f"
	done
)
if [ -z "$errs" ]; then
	ok "ABI entries: What, Date, KernelVersion, Contact, Description in each"
else
	notok "ABI entries: What, Date, KernelVersion, Contact, Description in each"
	echo "$errs" | diag
fi

exit $fail
