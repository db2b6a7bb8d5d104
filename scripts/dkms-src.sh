#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Lay out kmig's DKMS source tree, as dkms expects it in /usr/src:
#
#   scripts/dkms-src.sh DEST VERSION
#
#   DEST/dkms.conf                dist/dkms.conf, #MODULE_VERSION# = VERSION
#   DEST/kmod/                    the module's source, Kbuild and generated/
#                                 (no build products, no benchmark
#                                 hooks)
#   DEST/include/uapi/linux/kmig.h
#
# Used by the kmig-dkms package (debian/rules) and by make dkms-install.
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: $0 DEST VERSION" >&2; exit 2; }
top=$(cd "$(dirname "$0")/.." && pwd)
dest=$1 ver=$2

install -d "$dest/kmod/generated" "$dest/include/uapi/linux"
sed "s/#MODULE_VERSION#/$ver/" "$top/dist/dkms.conf" > "$dest/dkms.conf"
chmod 0644 "$dest/dkms.conf"
# The benchmark hooks (bench*.c, prof.c) are built only with
# CONFIG_KMIG_BENCH=y, for make bench: a host's module never has them
# (their headers stay: they are stubs without it).
for f in "$top"/kmod/*.[ch]; do
	case ${f##*/} in bench*.c|prof.c) continue ;; esac
	install -m 0644 "$f" "$dest/kmod/"
done
install -m 0644 "$top/kmod/Kbuild" "$dest/kmod/"
install -m 0644 "$top"/kmod/generated/*.[ch] "$dest/kmod/generated/"
install -m 0644 "$top/include/uapi/linux/kmig.h" "$dest/include/uapi/linux/"
