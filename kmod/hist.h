/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Latency histogram: 16 linear buckets per power of two, so a percentile
 * is the upper bound of its bucket, within 1/16 above the true value.
 * COLO keeps one per latency metric (colo.h).
 */
#ifndef _KMIG_HIST_H
#define _KMIG_HIST_H

#include <linux/types.h>
#include <linux/bits.h>

#define KMIG_HIST_SUB_BITS	4
#define KMIG_HIST_SUB		BIT(KMIG_HIST_SUB_BITS)
#define KMIG_HIST_BUCKETS	((64 - KMIG_HIST_SUB_BITS + 1) * KMIG_HIST_SUB)

struct kmig_hist {
	u64 count;
	u64 sum;
	u64 max;
	u64 last;
	u32 bucket[KMIG_HIST_BUCKETS];
};

void kmig_hist_add(struct kmig_hist *h, u64 v);
/* Value at percentile @pct (1..100): a bucket's upper bound, <= max. */
u64 kmig_hist_percentile(const struct kmig_hist *h, unsigned int pct);
unsigned int kmig_hist_bucket(u64 v);
u64 kmig_hist_bucket_max(unsigned int idx);

#endif /* _KMIG_HIST_H */
