#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Check include/uapi/linux/kmig.h and kmod/generated/netlink.[ch] (the
# family, its policies and ops table, the handler prototypes) against
# Documentation/netlink/specs/kmig.yaml, with the kernel's own YNL generator
# (tools/net/ynl/ynl-gen-c.py from a kernel source tree).
#
#   scripts/ynl-check.sh KSRC          check, exit 1 on any difference
#   scripts/ynl-check.sh KSRC --write  regenerate the generated part of
#                                      kmig.h and kmod/generated/netlink.[ch]
set -euo pipefail

ksrc=${1:?usage: $0 KERNEL_SOURCE_DIR [--write]}
mode=${2:-}
top=$(cd "$(dirname "$0")/.." && pwd)
gen=$ksrc/tools/net/ynl/ynl-gen-c.py
uapi=$top/include/uapi/linux/kmig.h
kgen=$top/kmod/generated

[ -f "$gen" ] || { echo "ynl-check: no $gen" >&2; exit 2; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# ynl-gen-c walks up from the spec to a directory holding MAINTAINERS and
# reads the schema from Documentation/netlink/: give it that layout.
mkdir -p "$tmp/Documentation/netlink/specs"
touch "$tmp/MAINTAINERS"
cp "$ksrc/Documentation/netlink/genetlink.yaml" "$tmp/Documentation/netlink/"
cp "$top/Documentation/netlink/specs/kmig.yaml" "$tmp/Documentation/netlink/specs/"
spec=$tmp/Documentation/netlink/specs/kmig.yaml

(cd "$(dirname "$gen")" &&
	timeout 120 python3 ./ynl-gen-c.py --mode uapi --header --spec "$spec" -o "$tmp/uapi.h" &&
	timeout 120 python3 ./ynl-gen-c.py --mode kernel --source --spec "$spec" -o "$tmp/netlink.c" &&
	timeout 120 python3 ./ynl-gen-c.py --mode kernel --header --spec "$spec" -o "$tmp/netlink.h")

# The committed header is the generated one with a hand-written block
# (ioctl and device definitions) before the final #endif.
sed '/kmig: hand-written part begin/,/kmig: hand-written part end/d' "$uapi" > "$tmp/committed.h"

if [ "$mode" = "--write" ]; then
	hand=$(sed -n '/kmig: hand-written part begin/,/kmig: hand-written part end/p' "$uapi")
	{ head -n -1 "$tmp/uapi.h"; printf '%s\n\n' "$hand"; tail -n 1 "$tmp/uapi.h"; } > "$uapi"
	mkdir -p "$kgen"
	cp "$tmp/netlink.c" "$tmp/netlink.h" "$kgen/"
	echo "ynl-check: rewrote $uapi and $kgen/netlink.[ch]"
	exit 0
fi

rc=0
# Blank lines around the hand-written block are not significant.
if ! diff -u <(grep -v '^$' "$tmp/uapi.h") <(grep -v '^$' "$tmp/committed.h"); then
	echo "ynl-check: include/uapi/linux/kmig.h differs from the spec (run $0 KSRC --write)" >&2
	rc=1
fi

# The generated kernel files are checked in as ynl-gen-c writes them.
for f in netlink.c netlink.h; do
	if ! diff -u "$tmp/$f" "$kgen/$f"; then
		echo "ynl-check: kmod/generated/$f differs from the spec (run $0 KSRC --write)" >&2
		rc=1
	fi
done
[ $rc -eq 0 ] && echo "ynl-check: uapi header and kmod/generated/netlink.[ch] match the spec"
exit $rc
