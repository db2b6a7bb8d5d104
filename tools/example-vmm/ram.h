/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Test machinery around the guest RAM: the files the content hash a test
 * compares between source and destination is written to. The fill and
 * the hash are libkmig's (tools/lib/kmig/pagehash.h), the ones of
 * kmig-systest region: the sum (mod 2^64) over the pages with non-zero
 * contents of page_hash(index, bytes). Zero and never-touched pages add
 * nothing, so a destination that leaves zero pages unpopulated hashes like
 * its source.
 */
#ifndef KMIG_VMM_RAM_H
#define KMIG_VMM_RAM_H

#include "pagehash.h"

/* Write @line to @file through a temporary file and a rename. 0 or -errno. */
int ram_write_file(const char *file, const char *line);
/*
 * Append @line to @file (created if missing) with one write(2): it is in
 * the file even if the process is killed right after. 0 or -errno.
 */
int ram_append_file(const char *file, const char *line);

#endif
