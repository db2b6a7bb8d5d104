/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libkmig's region content hash and page contents, shared by the system
 * test programs (kmig-systest region / wire-peer / wire-sink) and the
 * example VMM (kmig-vmm --fill-random, --hash-file), so that a test can
 * compare the hash of either on one side with the other's.
 *
 * The hash of a region is the sum (mod 2^64) over every page with non-zero
 * contents of page_hash(index, bytes); untouched and zero pages add
 * nothing, so a destination that leaves zero pages unpopulated hashes the
 * same as its source, and hashes of disjoint page sets add up.
 */
#ifndef KMIG_LIB_PAGEHASH_H
#define KMIG_LIB_PAGEHASH_H

#include <stdint.h>
#include <stddef.h>
#include <string.h>

static inline uint64_t mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x;
}

/* FNV-1a style over 64-bit words, with a fold per step, then mix64. */
static inline uint64_t page_hash(uint64_t idx, const void *page, size_t len)
{
	const unsigned char *b = page;
	uint64_t h = 0xcbf29ce484222325ULL ^ mix64(idx + 1), w;
	size_t i;

	for (i = 0; i + 8 <= len; i += 8) {
		memcpy(&w, b + i, 8);
		h = (h ^ w) * 0x100000001b3ULL;
		h ^= h >> 32;
	}
	return mix64(h ^ len);
}

static inline int page_is_zero(const void *page, size_t len)
{
	const uint64_t *w = page;
	size_t i;

	for (i = 0; i < len / 8; i++)
		if (w[i])
			return 0;
	return 1;
}

static inline uint64_t xorshift64(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*s = x;
	return x;
}

/*
 * Contents of data page @idx for @seed and @version: xorshift64 words,
 * never all zero.
 */
static inline void page_fill(void *page, size_t len, uint64_t seed,
			     uint64_t idx, uint64_t version)
{
	uint64_t s = mix64(seed ^ mix64(idx * 0x9e3779b97f4a7c15ULL + version)) | 1;
	uint64_t *w = page;
	size_t i;

	for (i = 0; i < len / 8; i++)
		w[i] = xorshift64(&s);
}

/* A content hash, and the pages it counted. */
struct kmig_hash {
	uint64_t hash;
	uint64_t populated;	/* pages counted (the kernel reports populated) */
	uint64_t nonzero;	/* of which with non-zero contents */
};

/*
 * As kmig-systest region --random @nrand --zero @nzero --seed @seed: pages
 * of pseudo-random data (page_fill() version 0), then zero-written pages,
 * at distinct pseudo-random positions of @npages pages at @mem. Returns 0,
 * or -1 if they don't fit or out of memory.
 */
int kmig_pages_fill(unsigned char *mem, size_t npages, size_t page_size,
		    size_t nrand, size_t nzero, uint64_t seed);

/*
 * Hash of the pages whose bit is set in @bits (bit N of 64-bit word W for
 * page 64 * W + N; NULL: every page).
 */
void kmig_pages_hash(const unsigned char *mem, size_t npages,
		     size_t page_size, const uint64_t *bits,
		     struct kmig_hash *h);

/*
 * Hash of a /dev/kmig region @fd mapped at @mem, reading only the pages
 * KMIG_IOC_PAGE_BITMAP reports populated. Returns 0, -ENOMEM, or the
 * -errno of the ioctl.
 */
int kmig_region_hash(int fd, const unsigned char *mem, size_t npages,
		     size_t page_size, struct kmig_hash *h);

/* "hash H populated N nonzero M\n", the line the tests compare. */
void kmig_hash_line(const struct kmig_hash *h, char *buf, size_t len);

#endif
