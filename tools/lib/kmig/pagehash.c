// SPDX-License-Identifier: GPL-2.0
/*
 * libkmig's region fill and content hash (pagehash.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include <linux/kmig.h>

#include "pagehash.h"

int kmig_pages_fill(unsigned char *mem, size_t npages, size_t page_size,
		    size_t nrand, size_t nzero, uint64_t seed)
{
	uint64_t s = mix64(seed) | 1, *used;
	size_t i, p;

	if (nrand > npages || nzero > npages - nrand)
		return -1;
	used = calloc((npages + 63) / 64, 8);
	if (!used)
		return -1;
	for (i = 0; i < nrand + nzero; i++) {
		do
			p = xorshift64(&s) % npages;
		while (used[p / 64] & (1ULL << (p % 64)));
		used[p / 64] |= 1ULL << (p % 64);
		if (i < nrand)
			page_fill(mem + p * page_size, page_size, seed, p, 0);
		else
			memset(mem + p * page_size, 0, page_size);
	}
	free(used);
	return 0;
}

void kmig_pages_hash(const unsigned char *mem, size_t npages,
		     size_t page_size, const uint64_t *bits,
		     struct kmig_hash *h)
{
	const unsigned char *pg;
	size_t p;

	memset(h, 0, sizeof(*h));
	for (p = 0; p < npages; p++) {
		if (bits && !(bits[p / 64] & (1ULL << (p % 64))))
			continue;
		h->populated++;
		pg = mem + p * page_size;
		if (page_is_zero(pg, page_size))
			continue;
		h->nonzero++;
		h->hash += page_hash(p, pg, page_size);
	}
}

int kmig_region_hash(int fd, const unsigned char *mem, size_t npages,
		     size_t page_size, struct kmig_hash *h)
{
	const uint64_t chunk = 1ULL << 24;	/* pages per ioctl, at most */
	struct kmig_page_bitmap pb;
	uint64_t *bits, first;
	int ret = 0;

	bits = calloc((npages + 63) / 64, 8);
	if (!bits)
		return -ENOMEM;
	for (first = 0; first < npages; first += chunk) {
		memset(&pb, 0, sizeof(pb));
		pb.first = first;
		pb.count = npages - first < chunk ?
			   (npages - first + 63) / 64 * 64 : chunk;
		pb.bitmap = (uintptr_t)(bits + first / 64);
		if (ioctl(fd, KMIG_IOC_PAGE_BITMAP, &pb)) {
			ret = -errno;
			goto out;
		}
	}
	kmig_pages_hash(mem, npages, page_size, bits, h);
out:
	free(bits);
	return ret;
}

void kmig_hash_line(const struct kmig_hash *h, char *buf, size_t len)
{
	snprintf(buf, len, "hash %016llx populated %llu nonzero %llu\n",
		 (unsigned long long)h->hash, (unsigned long long)h->populated,
		 (unsigned long long)h->nonzero);
}
