#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Unpack linux-source-6.12 into the cache (once per package version), graft
# this clone in as drivers/kmig, print the tree's path.
set -euo pipefail
KMIG_TAG=kernel-src
. "$(dirname "$0")/lib.sh"
ksrc_lock
ksrc_prepare
