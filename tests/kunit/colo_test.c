// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: COLO building blocks. The latency histogram (buckets, bounds,
 * percentiles), the secondary's checkpoint state machine with a loss at
 * every point, and the COLO cache: allocation only for pages that exist,
 * and the flush of the primary's union the secondary's dirty pages.
 */
#include <kunit/test.h>
#include <linux/mm.h>
#include <linux/highmem.h>
#include <linux/bitmap.h>
#include <linux/slab.h>

#include "kmig_kunit.h"
#include "hist.h"
#include "colo_sm.h"
#include "colo_cache.h"
#include "region.h"

static void colo_test_hist_buckets(struct kunit *test)
{
	unsigned int prev = 0, idx;
	u64 v;

	KUNIT_EXPECT_EQ(test, kmig_hist_bucket(0), 0U);
	KUNIT_EXPECT_EQ(test, kmig_hist_bucket(15), 15U);
	KUNIT_EXPECT_LT(test, kmig_hist_bucket(U64_MAX), (unsigned int)KMIG_HIST_BUCKETS);
	KUNIT_EXPECT_EQ(test, kmig_hist_bucket_max(kmig_hist_bucket(U64_MAX)),
			U64_MAX);
	/* Monotonic; each value within its bucket, bound within 1/16. */
	for (v = 1; v < (1ULL << 62); v += v / 7 + 1) {
		idx = kmig_hist_bucket(v);
		KUNIT_EXPECT_GE(test, idx, prev);
		KUNIT_EXPECT_GE(test, kmig_hist_bucket_max(idx), v);
		KUNIT_EXPECT_LE(test, kmig_hist_bucket_max(idx) - v, v / 16);
		if (idx)
			KUNIT_EXPECT_LT(test, kmig_hist_bucket_max(idx - 1), v);
		prev = idx;
	}
}

static void colo_test_hist_percentiles(struct kunit *test)
{
	struct kmig_hist *h = kunit_kzalloc(test, sizeof(*h), GFP_KERNEL);
	u64 i, p50, p99;

	KUNIT_ASSERT_NOT_NULL(test, h);
	KUNIT_EXPECT_EQ(test, kmig_hist_percentile(h, 99), 0ULL);
	/* 1..1000 ms: p50 is 500 ms, p99 990 ms, within 1/16 above. */
	for (i = 1000; i >= 1; i--)
		kmig_hist_add(h, i * NSEC_PER_MSEC);
	KUNIT_EXPECT_EQ(test, h->count, 1000ULL);
	KUNIT_EXPECT_EQ(test, h->max, 1000 * NSEC_PER_MSEC);
	KUNIT_EXPECT_EQ(test, h->last, NSEC_PER_MSEC);
	KUNIT_EXPECT_EQ(test, div_u64(h->sum, h->count), 500500000ULL);
	p50 = kmig_hist_percentile(h, 50);
	p99 = kmig_hist_percentile(h, 99);
	KUNIT_EXPECT_GE(test, p50, 500 * NSEC_PER_MSEC);
	KUNIT_EXPECT_LE(test, p50, 500 * NSEC_PER_MSEC + 500 * NSEC_PER_MSEC / 16);
	KUNIT_EXPECT_GE(test, p99, 990 * NSEC_PER_MSEC);
	KUNIT_EXPECT_LE(test, p99, 1000 * NSEC_PER_MSEC);	/* capped at max */
	KUNIT_EXPECT_EQ(test, kmig_hist_percentile(h, 100), h->max);

	/* One outlier among 200: p99 does not see it, max does. */
	memset(h, 0, sizeof(*h));
	for (i = 0; i < 199; i++)
		kmig_hist_add(h, 20 * NSEC_PER_MSEC);
	kmig_hist_add(h, 700 * NSEC_PER_MSEC);
	KUNIT_EXPECT_LE(test, kmig_hist_percentile(h, 99),
			20 * NSEC_PER_MSEC + 20 * NSEC_PER_MSEC / 16);
	KUNIT_EXPECT_EQ(test, h->max, 700 * NSEC_PER_MSEC);
}

/* The normal sequence, and steps out of order refused without effect. */
static void colo_test_sm_sequence(struct kunit *test)
{
	struct kmig_colo_sm sm;

	kmig_colo_sm_init(&sm);
	KUNIT_EXPECT_EQ(test, sm.committed, 0ULL);
	KUNIT_EXPECT_EQ(test, kmig_colo_sm_synced(&sm), -EPROTO);
	KUNIT_EXPECT_EQ(test, kmig_colo_sm_paused(&sm, 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, kmig_colo_sm_begin(&sm, 2), -EPROTO);
	KUNIT_EXPECT_EQ(test, kmig_colo_sm_begin(&sm, 0), -EPROTO);
	KUNIT_EXPECT_EQ(test, sm.phase, KMIG_COLO_RUNNING);

	KUNIT_EXPECT_EQ(test, kmig_colo_sm_begin(&sm, 1), 1);
	KUNIT_EXPECT_EQ(test, kmig_colo_sm_begin(&sm, 1), 0);	/* channel 2 */
	KUNIT_EXPECT_EQ(test, kmig_colo_sm_begin(&sm, 2), -EPROTO);
	KUNIT_EXPECT_FALSE(test, kmig_colo_sm_flush(&sm));
	KUNIT_EXPECT_EQ(test, kmig_colo_sm_paused(&sm, 2), -EINVAL);
	KUNIT_EXPECT_EQ(test, kmig_colo_sm_paused(&sm, 1), 0);
	KUNIT_EXPECT_EQ(test, kmig_colo_sm_paused(&sm, 1), -EINVAL);
	KUNIT_EXPECT_FALSE(test, kmig_colo_sm_flush(&sm));
	KUNIT_EXPECT_EQ(test, kmig_colo_sm_synced(&sm), 0);
	KUNIT_EXPECT_EQ(test, kmig_colo_sm_synced(&sm), -EPROTO);
	/* A CHECKPOINT after the SYNC is a protocol error. */
	KUNIT_EXPECT_EQ(test, kmig_colo_sm_begin(&sm, 1), -EPROTO);
	KUNIT_EXPECT_TRUE(test, kmig_colo_sm_flush(&sm));
	KUNIT_EXPECT_FALSE(test, kmig_colo_sm_flush(&sm));
	KUNIT_EXPECT_EQ(test, kmig_colo_sm_begin(&sm, 2), -EPROTO);
	kmig_colo_sm_commit(&sm);
	KUNIT_EXPECT_EQ(test, sm.committed, 1ULL);
	KUNIT_EXPECT_EQ(test, sm.phase, KMIG_COLO_RUNNING);
	/* The next one; the data may come before the VMM's pause. */
	KUNIT_EXPECT_EQ(test, kmig_colo_sm_begin(&sm, 2), 1);
	KUNIT_EXPECT_EQ(test, kmig_colo_sm_synced(&sm), 0);
	KUNIT_EXPECT_FALSE(test, kmig_colo_sm_flush(&sm));
	KUNIT_EXPECT_EQ(test, kmig_colo_sm_paused(&sm, 2), 0);
	KUNIT_EXPECT_TRUE(test, kmig_colo_sm_flush(&sm));
	kmig_colo_sm_commit(&sm);
	KUNIT_EXPECT_EQ(test, sm.committed, 2ULL);
}

/*
 * The primary lost at every point of checkpoint 3 (2 committed): the
 * region holds 2 until the flush has started, and 3 from then on (the
 * flush needs nothing from the network and is finished). A failed flush
 * (allocation) goes back to 2.
 */
static void colo_test_sm_loss(struct kunit *test)
{
	struct kmig_colo_sm sm;
	int point, step;

	for (point = 0; point <= 6; point++) {
		kmig_colo_sm_init(&sm);
		sm.committed = 2;
		for (step = 0; step < point; step++) {
			switch (step) {
			case 0:
				KUNIT_ASSERT_EQ(test, kmig_colo_sm_begin(&sm, 3), 1);
				break;
			case 1:
				KUNIT_ASSERT_EQ(test, kmig_colo_sm_begin(&sm, 3), 0);
				break;
			case 2:
				KUNIT_ASSERT_EQ(test, kmig_colo_sm_paused(&sm, 3), 0);
				break;
			case 3:
				KUNIT_ASSERT_EQ(test, kmig_colo_sm_synced(&sm), 0);
				break;
			case 4:
				KUNIT_ASSERT_TRUE(test, kmig_colo_sm_flush(&sm));
				break;
			case 5:
				kmig_colo_sm_commit(&sm);
				break;
			}
		}
		KUNIT_EXPECT_EQ_MSG(test, kmig_colo_sm_lost(&sm),
				    point < 5 ? 2ULL : 3ULL,
				    "lost after %d steps", point);
	}

	kmig_colo_sm_init(&sm);
	sm.committed = 2;
	kmig_colo_sm_begin(&sm, 3);
	kmig_colo_sm_paused(&sm, 3);
	kmig_colo_sm_synced(&sm);
	KUNIT_ASSERT_TRUE(test, kmig_colo_sm_flush(&sm));
	kmig_colo_sm_abort(&sm);
	KUNIT_EXPECT_EQ(test, kmig_colo_sm_lost(&sm), 2ULL);
	KUNIT_EXPECT_EQ(test, sm.phase, KMIG_COLO_RUNNING);
}

#define CT_PAGES	64

static void ct_fill(struct page *page, u8 v)
{
	void *p = kmap_local_page(page);

	memset(p, v, PAGE_SIZE);
	kunmap_local(p);
}

/* First byte of a page, or -1 without one; -2 if not uniform. */
static int ct_byte(struct kmig_region *r, pgoff_t index)
{
	struct page *page = kmig_region_get_page(r, index, false);
	int ret;
	u8 *p;

	if (IS_ERR_OR_NULL(page))
		return -1;
	p = kmap_local_page(page);
	ret = memchr_inv(p, p[0], PAGE_SIZE) ? -2 : p[0];
	kunmap_local(p);
	put_page(page);
	return ret;
}

static void ct_set(struct kmig_colo_cache *c, pgoff_t index, u8 v)
{
	struct page *page = kmig_colo_cache_get(c, index);

	if (page) {
		ct_fill(page, v);
		put_page(page);
	}
}

/*
 * Region pages 0..9 hold 0x10 + i. The cache takes a copy of exactly
 * those. Then, as between two checkpoints: the secondary writes pages 1,
 * 2 and creates page 20 (its own dirty set: 1, 2, 20); the primary sends
 * page 3 (new data), page 4 (zero), page 30 (a page the secondary does
 * not have). The flush of {1, 2, 3, 4, 20, 30} gives the checkpoint's
 * contents everywhere; pages outside the set, even if written (page 5,
 * not flushed on purpose), keep theirs.
 */
static void colo_test_cache_flush(struct kunit *test)
{
	struct kmig_colo_cache cache;
	struct kmig_region *r;
	unsigned long *bits;
	struct page *page;
	long n;
	int i;

	r = kmig_region_create();
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(r));
	KUNIT_ASSERT_EQ(test, kmig_region_map(r, 0, CT_PAGES), 0);
	for (i = 0; i < 10; i++) {
		page = kmig_region_get_page(r, i, true);
		KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(page));
		ct_fill(page, 0x10 + i);
		put_page(page);
	}
	bits = kunit_kcalloc(test, BITS_TO_LONGS(CT_PAGES), sizeof(long),
			     GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, bits);

	kmig_colo_cache_init(&cache);
	KUNIT_ASSERT_EQ(test, kmig_colo_cache_fill(&cache, r), 0);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&cache.npages), 10L);
	KUNIT_EXPECT_NULL(test, kmig_colo_cache_get(&cache, 10));

	/* The secondary's own writes. */
	for (i = 1; i <= 2; i++) {
		page = kmig_region_get_page(r, i, false);
		ct_fill(page, 0xee);
		put_page(page);
	}
	page = kmig_region_get_page(r, 20, true);
	ct_fill(page, 0xee);
	put_page(page);
	page = kmig_region_get_page(r, 5, false);
	ct_fill(page, 0xee);
	put_page(page);

	/* The primary's checkpoint, as the channel threads apply it. */
	ct_set(&cache, 3, 0x33);
	ct_set(&cache, 4, 0);
	page = alloc_page(GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, page);
	ct_fill(page, 0x30);
	KUNIT_ASSERT_EQ(test, kmig_colo_cache_install(&cache, 30, page), 0);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&cache.npages), 11L);
	/* A second copy of the same page (two channels) keeps one. */
	page = alloc_page(GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, page);
	ct_fill(page, 0x31);
	KUNIT_ASSERT_EQ(test, kmig_colo_cache_install(&cache, 30, page), 0);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&cache.npages), 11L);

	for (i = 0; i < 10; i++)
		KUNIT_EXPECT_EQ(test, ct_byte(r, i), i == 1 || i == 2 || i == 5 ?
				0xee : 0x10 + i);	/* region untouched so far */

	__set_bit(1, bits);
	__set_bit(2, bits);
	__set_bit(20, bits);
	__set_bit(3, bits);
	__set_bit(4, bits);
	__set_bit(30, bits);
	n = kmig_colo_flush(&cache, r, bits);
	KUNIT_EXPECT_EQ(test, n, 6L);
	KUNIT_EXPECT_EQ(test, ct_byte(r, 1), 0x11);
	KUNIT_EXPECT_EQ(test, ct_byte(r, 2), 0x12);
	KUNIT_EXPECT_EQ(test, ct_byte(r, 3), 0x33);
	KUNIT_EXPECT_EQ(test, ct_byte(r, 4), 0);
	KUNIT_EXPECT_EQ(test, ct_byte(r, 20), 0);	/* not in the checkpoint */
	KUNIT_EXPECT_EQ(test, ct_byte(r, 30), 0x31);
	KUNIT_EXPECT_EQ(test, ct_byte(r, 5), 0xee);	/* not flushed */
	KUNIT_EXPECT_EQ(test, ct_byte(r, 6), 0x16);
	KUNIT_EXPECT_EQ(test, ct_byte(r, 40), -1);	/* never allocated */
	KUNIT_EXPECT_EQ(test, atomic_long_read(&cache.npages), 11L);

	kmig_colo_cache_destroy(&cache);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&cache.npages), 0L);
	kmig_region_put(r);
}

static struct kunit_case kmig_colo_cases[] = {
	KUNIT_CASE(colo_test_hist_buckets),
	KUNIT_CASE(colo_test_hist_percentiles),
	KUNIT_CASE(colo_test_sm_sequence),
	KUNIT_CASE(colo_test_sm_loss),
	KUNIT_CASE(colo_test_cache_flush),
	{}
};

KMIG_KUNIT_SUITE(colo);
