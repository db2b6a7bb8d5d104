/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Test machinery around the guest RAM: initial contents and the content
 * hash a test compares between source and destination.
 *
 * The hash is the one of tests/system/pagehash.h (kmig-systest region): the
 * sum (mod 2^64) over the pages with non-zero contents of
 * page_hash(index, bytes). Zero and never-touched pages add nothing, so a
 * destination that leaves zero pages unpopulated hashes like its source.
 */
#ifndef KMIG_VMM_RAM_H
#define KMIG_VMM_RAM_H

#include <stddef.h>
#include <stdint.h>

struct ram_hash {
	uint64_t hash;
	uint64_t populated;	/* pages the kernel reports populated */
	uint64_t nonzero;	/* of which with non-zero contents */
};

/* page_hash() of pagehash.h. */
uint64_t ram_page_hash(uint64_t idx, const void *page, size_t len);
/* mix64() and xorshift64() of pagehash.h. */
uint64_t ram_mix64(uint64_t x);
uint64_t ram_xorshift64(uint64_t *s);

/*
 * As kmig-systest region --random @nrand --zero @nzero --seed @seed: pages
 * of pseudo-random data, then zero-written pages, at distinct pseudo-random
 * positions. Returns 0, or -1 if they don't fit.
 */
int ram_fill(unsigned char *ram, size_t npages, size_t page_size,
	     size_t nrand, size_t nzero, uint64_t seed);

/*
 * Hash of the pages whose bit is set in @bits (bit N of 64-bit word W for
 * page 64 * W + N; NULL: every page).
 */
void ram_hash_pages(const unsigned char *ram, size_t npages, size_t page_size,
		    const uint64_t *bits, struct ram_hash *h);

/*
 * Hash of a /dev/kmig region @fd mapped at @ram, reading only the pages
 * KMIG_IOC_PAGE_BITMAP reports populated. Returns 0 or -errno.
 */
int ram_hash_region(int fd, const unsigned char *ram, size_t npages,
		    size_t page_size, struct ram_hash *h);

/* "hash H populated N nonzero M\n", as kmig-systest region writes it. */
void ram_hash_line(const struct ram_hash *h, char *buf, size_t len);
/* Write @line to @file through a temporary file and a rename. 0 or -errno. */
int ram_write_file(const char *file, const char *line);
/*
 * Append @line to @file (created if missing) with one write(2): it is in
 * the file even if the process is killed right after. 0 or -errno.
 */
int ram_append_file(const char *file, const char *line);

#endif
