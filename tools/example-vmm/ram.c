// SPDX-License-Identifier: GPL-2.0
/* Guest RAM contents and content hash (see ram.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <linux/kmig.h>

#include "ram.h"

uint64_t ram_mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x;
}

uint64_t ram_xorshift64(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*s = x;
	return x;
}

/* FNV-1a style over 64-bit words, with a fold per step, then mix64. */
uint64_t ram_page_hash(uint64_t idx, const void *page, size_t len)
{
	const unsigned char *b = page;
	uint64_t h = 0xcbf29ce484222325ULL ^ ram_mix64(idx + 1), w;
	size_t i;

	for (i = 0; i + 8 <= len; i += 8) {
		memcpy(&w, b + i, 8);
		h = (h ^ w) * 0x100000001b3ULL;
		h ^= h >> 32;
	}
	return ram_mix64(h ^ len);
}

static int page_is_zero(const void *page, size_t len)
{
	const uint64_t *w = page;
	size_t i;

	for (i = 0; i < len / 8; i++)
		if (w[i])
			return 0;
	return 1;
}

/* page_fill() of pagehash.h: xorshift64 words, never all zero. */
static void page_fill(void *page, size_t len, uint64_t seed, uint64_t idx,
		      uint64_t version)
{
	uint64_t s = ram_mix64(seed ^ ram_mix64(idx * 0x9e3779b97f4a7c15ULL +
						version)) | 1;
	uint64_t *w = page;
	size_t i;

	for (i = 0; i < len / 8; i++)
		w[i] = ram_xorshift64(&s);
}

int ram_fill(unsigned char *ram, size_t npages, size_t page_size,
	     size_t nrand, size_t nzero, uint64_t seed)
{
	uint64_t s = ram_mix64(seed) | 1, *used;
	size_t i, p;

	if (nrand > npages || nzero > npages - nrand)
		return -1;
	used = calloc((npages + 63) / 64, 8);
	if (!used)
		return -1;
	for (i = 0; i < nrand + nzero; i++) {
		do
			p = ram_xorshift64(&s) % npages;
		while (used[p / 64] & (1ULL << (p % 64)));
		used[p / 64] |= 1ULL << (p % 64);
		if (i < nrand)
			page_fill(ram + p * page_size, page_size, seed, p, 0);
		else
			memset(ram + p * page_size, 0, page_size);
	}
	free(used);
	return 0;
}

void ram_hash_pages(const unsigned char *ram, size_t npages, size_t page_size,
		    const uint64_t *bits, struct ram_hash *h)
{
	const unsigned char *pg;
	size_t p;

	memset(h, 0, sizeof(*h));
	for (p = 0; p < npages; p++) {
		if (bits && !(bits[p / 64] & (1ULL << (p % 64))))
			continue;
		h->populated++;
		pg = ram + p * page_size;
		if (page_is_zero(pg, page_size))
			continue;
		h->nonzero++;
		h->hash += ram_page_hash(p, pg, page_size);
	}
}

int ram_hash_region(int fd, const unsigned char *ram, size_t npages,
		    size_t page_size, struct ram_hash *h)
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
	ram_hash_pages(ram, npages, page_size, bits, h);
out:
	free(bits);
	return ret;
}

void ram_hash_line(const struct ram_hash *h, char *buf, size_t len)
{
	snprintf(buf, len, "hash %016llx populated %llu nonzero %llu\n",
		 (unsigned long long)h->hash, (unsigned long long)h->populated,
		 (unsigned long long)h->nonzero);
}

int ram_write_file(const char *file, const char *line)
{
	char tmp[4096];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp.%d", file, (int)getpid());
	f = fopen(tmp, "w");
	if (!f)
		return -errno;
	if (fputs(line, f) < 0) {
		fclose(f);
		unlink(tmp);
		return -EIO;
	}
	if (fclose(f) || rename(tmp, file)) {
		int e = -errno;

		unlink(tmp);
		return e;
	}
	return 0;
}

int ram_append_file(const char *file, const char *line)
{
	size_t len = strlen(line);
	ssize_t n;
	int fd, e = 0;

	fd = open(file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	n = write(fd, line, len);
	if (n < 0)
		e = -errno;
	else if ((size_t)n != len)
		e = -EIO;
	if (close(fd) && !e)
		e = -errno;
	return e;
}
