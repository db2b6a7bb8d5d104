#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build kmig's Debian packages from the tree and check them with lintian
# (make deb):
#
#   scripts/deb.sh [--no-lintian]
#
# Copies the tree (without build/ and .git) to build/deb/kmig-VERSION and
# runs dpkg-buildpackage -us -uc -b there, so that the tree stays clean and
# what is packaged is what the tree holds. Packages and the .changes land in
# build/deb/: kmig-dkms_VERSION_all.deb, migctl_VERSION_ARCH.deb.
# lintian runs on the .changes with the profile debian; any error or
# warning fails (overrides: debian/*.lintian-overrides, each with its why).
set -euo pipefail
KMIG_TAG=deb
. "$(dirname "$0")/lib.sh"

lint=1
[ "${1:-}" != --no-lintian ] || lint=0
for c in dpkg-buildpackage dh dh_dkms lintian fakeroot; do
	command -v "$c" >/dev/null ||
		die "$c not found: run 'scripts/deps.sh deb' as root (make deb does: debhelper, dh-dkms, lintian, fakeroot)"
done
ver=$(dpkg-parsechangelog -l "$KMIG_TOP/debian/changelog" -S Version)
out=$KMIG_BUILD/deb
src=$out/kmig-$ver
# migctl's version is the package's: no git revision from the tree around build/.
export GIT_CEILING_DIRECTORIES=$out
rm -rf "$out"
mkdir -p "$src"
rsync -a --exclude=/build --exclude=/.git --exclude='*.o' --exclude='*.ko' \
	"$KMIG_TOP/" "$src/"

log "dpkg-buildpackage -us -uc -b in $src (log: $KMIG_LOGS/deb-build.log)"
(cd "$src" && logrun "$KMIG_LOGS/deb-build.log" dpkg-buildpackage -us -uc -b) ||
	die "dpkg-buildpackage failed"
changes=$(ls "$out"/kmig_"$ver"_*.changes)
for f in "$out"/*.deb; do log "built ${f#"$KMIG_TOP"/}"; done

[ $lint -eq 1 ] || exit 0
log "lintian $(basename "$changes") (log: $KMIG_LOGS/deb-lintian.log)"
lintian --profile debian --fail-on error,warning --display-info --show-overrides \
	"$changes" > "$KMIG_LOGS/deb-lintian.log" 2>&1 && rc=0 || rc=$?
grep -E '^[EWI]: ' "$KMIG_LOGS/deb-lintian.log" | indent 40 || true
[ $rc -eq 0 ] || die "lintian found errors or warnings (see above)"
log "lintian: no error, no warning"
