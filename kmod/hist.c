// SPDX-License-Identifier: GPL-2.0
/*
 * Latency histograms (hist.h): buckets, their bounds, percentiles. Pure
 * arithmetic, no locking: the user serialises (COLO: the migration lock).
 */
#include <linux/bitops.h>
#include <linux/math64.h>
#include <linux/minmax.h>

#include "hist.h"

unsigned int kmig_hist_bucket(u64 v)
{
	unsigned int e;

	if (v < KMIG_HIST_SUB)
		return v;
	e = fls64(v) - 1;	/* >= KMIG_HIST_SUB_BITS */
	return (e - KMIG_HIST_SUB_BITS + 1) * KMIG_HIST_SUB +
	       ((v >> (e - KMIG_HIST_SUB_BITS)) & (KMIG_HIST_SUB - 1));
}

u64 kmig_hist_bucket_max(unsigned int idx)
{
	unsigned int e, sub;
	u64 lo;

	if (idx < KMIG_HIST_SUB)
		return idx;
	e = idx / KMIG_HIST_SUB + KMIG_HIST_SUB_BITS - 1;
	sub = idx % KMIG_HIST_SUB;
	lo = (u64)(KMIG_HIST_SUB + sub) << (e - KMIG_HIST_SUB_BITS);
	return lo + (1ULL << (e - KMIG_HIST_SUB_BITS)) - 1;
}

void kmig_hist_add(struct kmig_hist *h, u64 v)
{
	h->bucket[kmig_hist_bucket(v)]++;
	h->count++;
	h->sum += v;
	h->last = v;
	if (v > h->max)
		h->max = v;
}

u64 kmig_hist_percentile(const struct kmig_hist *h, unsigned int pct)
{
	u64 want, seen = 0;
	unsigned int i;

	if (!h->count)
		return 0;
	/* The smallest value with at least pct% of the samples at or below. */
	want = div_u64(h->count * pct + 99, 100);
	if (!want)
		want = 1;
	for (i = 0; i < KMIG_HIST_BUCKETS; i++) {
		seen += h->bucket[i];
		if (seen >= want)
			return min(kmig_hist_bucket_max(i), h->max);
	}
	return h->max;
}
