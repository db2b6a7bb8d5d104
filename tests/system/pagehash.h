/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Region content hash and page contents shared by the region tool and the
 * wire peer (kmig-systest region / wire-peer / wire-sink).
 *
 * The hash of a region is the sum (mod 2^64) over every page with non-zero
 * contents of page_hash(index, bytes); untouched and zero pages add
 * nothing, so a destination that leaves zero pages unpopulated hashes the
 * same as its source, and hashes of disjoint page sets add up.
 */
#ifndef KMIG_SYSTEST_PAGEHASH_H
#define KMIG_SYSTEST_PAGEHASH_H

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

#endif
