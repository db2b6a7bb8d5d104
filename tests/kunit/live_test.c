// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: live migration building blocks. Dirty bitmap collection while
 * other threads keep setting bits (no bit is lost or seen twice within
 * one collection), the convergence arithmetic and the token bucket.
 */
#include <kunit/test.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/bitmap.h>
#include <linux/delay.h>
#include <linux/random.h>

#include "kmig_kunit.h"
#include "channel.h"
#include "dirty.h"
#include "queue.h"
#include "region.h"

#define LT_PAGES	4096
#define LT_SETTERS	3
#define LT_MARKS	20000

struct lt_setter {
	struct kmig_region *region;
	unsigned int id;
	atomic_t *marked;	/* per page: times marked */
};

static int lt_setter_fn(void *data)
{
	struct lt_setter *s = data;
	unsigned int i;

	for (i = 0; i < LT_MARKS; i++) {
		pgoff_t index = (i * 7919 + s->id * 104729) % LT_PAGES;

		/* Count first: a collection may run right after the mark. */
		atomic_inc(&s->marked[index]);
		kmig_dirty_mark(s->region, index);
		if (!(i % 256))
			cond_resched();
	}
	kmig_channel_park();
	return 0;
}

/*
 * Every page marked at least once is collected at least once, and no
 * collection reports more pages than were marked since the previous one
 * could possibly account for: the union of all collections equals the set
 * of marked pages, and the total collected never exceeds the marks.
 */
static void live_test_collect_concurrent(struct kunit *test)
{
	struct lt_setter setters[LT_SETTERS];
	struct task_struct *tasks[LT_SETTERS];
	unsigned long *out, *seen, total = 0, i;
	struct kmig_region *r;
	atomic_t *marked;
	u64 marks = 0;
	int rounds = 0;

	r = kmig_region_create();
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(r));
	KUNIT_ASSERT_EQ(test, kmig_region_map(r, 0, LT_PAGES), 0);
	KUNIT_ASSERT_EQ(test, kmig_dirty_start(r), 0);
	KUNIT_EXPECT_EQ(test, kmig_dirty_start(r), -EBUSY);
	KUNIT_EXPECT_TRUE(test, kmig_dirty_tracking(r));

	marked = kunit_kcalloc(test, LT_PAGES, sizeof(*marked), GFP_KERNEL);
	out = kunit_kcalloc(test, BITS_TO_LONGS(LT_PAGES), sizeof(long),
			    GFP_KERNEL);
	seen = kunit_kcalloc(test, BITS_TO_LONGS(LT_PAGES), sizeof(long),
			     GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, marked);
	KUNIT_ASSERT_NOT_NULL(test, out);
	KUNIT_ASSERT_NOT_NULL(test, seen);

	for (i = 0; i < LT_SETTERS; i++) {
		setters[i] = (struct lt_setter){ .region = r, .id = i,
						 .marked = marked };
		tasks[i] = kthread_run(lt_setter_fn, &setters[i], "kmig-lt/%lu", i);
		KUNIT_ASSERT_FALSE(test, IS_ERR(tasks[i]));
		get_task_struct(tasks[i]);
	}
	/* Collect while the setters run, then once more after them. */
	for (rounds = 0; rounds < 200; rounds++) {
		bitmap_zero(out, LT_PAGES);
		total += kmig_dirty_collect(r, out);
		bitmap_or(seen, seen, out, LT_PAGES);
		cond_resched();
	}
	for (i = 0; i < LT_SETTERS; i++) {
		kthread_stop(tasks[i]);
		put_task_struct(tasks[i]);
	}
	bitmap_zero(out, LT_PAGES);
	total += kmig_dirty_collect(r, out);
	bitmap_or(seen, seen, out, LT_PAGES);

	for (i = 0; i < LT_PAGES; i++) {
		int m = atomic_read(&marked[i]);

		marks += m;
		if (!!m != !!test_bit(i, seen)) {
			KUNIT_FAIL(test, "page %lu marked %d times, seen %d", i,
				   m, test_bit(i, seen));
			break;
		}
	}
	KUNIT_EXPECT_LE(test, (u64)total, marks);
	KUNIT_EXPECT_EQ(test, kmig_dirty_count(r), 0UL);
	/* Nothing is left once the writers are gone. */
	bitmap_zero(out, LT_PAGES);
	KUNIT_EXPECT_EQ(test, kmig_dirty_collect(r, out), 0UL);

	kmig_dirty_stop(r);
	KUNIT_EXPECT_FALSE(test, kmig_dirty_tracking(r));
	/* Marks without tracking are ignored. */
	kmig_dirty_mark(r, 5);
	kmig_region_put(r);
}

/* A VMM-pushed bitmap lands at the right pages, inside the region only. */
static void live_test_merge(struct kunit *test)
{
	unsigned long *bits, *out;
	struct kmig_region *r;

	r = kmig_region_create();
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(r));
	KUNIT_ASSERT_EQ(test, kmig_region_map(r, 0, 256), 0);
	bits = kunit_kcalloc(test, BITS_TO_LONGS(128), sizeof(long), GFP_KERNEL);
	out = kunit_kcalloc(test, BITS_TO_LONGS(256), sizeof(long), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, bits);
	KUNIT_ASSERT_NOT_NULL(test, out);
	__set_bit(0, bits);
	__set_bit(63, bits);
	__set_bit(127, bits);

	KUNIT_EXPECT_EQ(test, kmig_dirty_merge(r, 64, bits, 128), -ENOENT);
	KUNIT_ASSERT_EQ(test, kmig_dirty_start(r), 0);
	KUNIT_EXPECT_EQ(test, kmig_dirty_merge(r, 200, bits, 128), -ERANGE);
	KUNIT_EXPECT_EQ(test, kmig_dirty_merge(r, 256, bits, 1), -ERANGE);
	KUNIT_EXPECT_EQ(test, kmig_dirty_merge(r, 64, bits, 128), 0);
	KUNIT_EXPECT_EQ(test, kmig_dirty_count(r), 3UL);
	KUNIT_EXPECT_EQ(test, kmig_dirty_collect(r, out), 3UL);
	KUNIT_EXPECT_TRUE(test, test_bit(64, out));
	KUNIT_EXPECT_TRUE(test, test_bit(127, out));
	KUNIT_EXPECT_TRUE(test, test_bit(191, out));
	KUNIT_EXPECT_EQ(test, bitmap_weight(out, 256), 3U);
	kmig_dirty_stop(r);
	kmig_region_put(r);
}

static void live_test_expected_downtime(struct kunit *test)
{
	/* 300 MB at 1 GB/s: 300 ms. */
	KUNIT_EXPECT_EQ(test, kmig_expected_downtime_ns(300000000ULL,
							1000000000ULL),
			300000000ULL);
	KUNIT_EXPECT_EQ(test, kmig_expected_downtime_ns(0, 0), 0ULL);
	KUNIT_EXPECT_EQ(test, kmig_expected_downtime_ns(4096, 0), U64_MAX);
	/* No overflow with huge values. */
	KUNIT_EXPECT_EQ(test, kmig_expected_downtime_ns(1ULL << 40, 1ULL << 40),
			1000000000ULL);
	/* 1 GiB at 1 byte/s does not wrap around. */
	KUNIT_EXPECT_EQ(test, kmig_expected_downtime_ns(1ULL << 30, 1),
			(1ULL << 30) * 1000000000ULL);
}

static void live_test_token_bucket(struct kunit *test)
{
	struct kmig_rate r;
	u64 now = 1000000000ULL, wait, sent = 0, t;

	/* Unlimited: never waits. */
	kmig_rate_init(&r, 0, now);
	KUNIT_EXPECT_EQ(test, kmig_rate_take(&r, 1ULL << 40, now), 0ULL);

	/* 100 MB/s: a 10 MB burst goes at once, then 1 MB costs 10 ms. */
	kmig_rate_init(&r, 100000000ULL, now);
	KUNIT_EXPECT_EQ(test, kmig_rate_take(&r, 10000000ULL, now), 0ULL);
	KUNIT_EXPECT_EQ(test, kmig_rate_take(&r, 1000000ULL, now), 10000000ULL);
	/* Debt accumulates: the next MB waits until 20 ms. */
	KUNIT_EXPECT_EQ(test, kmig_rate_take(&r, 1000000ULL, now), 20000000ULL);
	/* After the debt is paid and 5 ms more, 500 KB are free again. */
	KUNIT_EXPECT_EQ(test, kmig_rate_take(&r, 500000ULL, now + 25000000ULL),
			0ULL);

	/* Over a simulated second of 512 KiB sends, the rate holds. */
	kmig_rate_init(&r, 50000000ULL, now);
	for (t = now; t < now + 1000000000ULL;) {
		wait = kmig_rate_take(&r, 524288, t);
		t += wait;
		if (t < now + 1000000000ULL)
			sent += 524288;
	}
	/* 50 MB/s plus the 5 MB burst, within one packet. */
	KUNIT_EXPECT_LE(test, sent, 55000000ULL + 524288);
	KUNIT_EXPECT_GE(test, sent, 55000000ULL - 524288);
}

static struct kunit_case kmig_live_cases[] = {
	KUNIT_CASE(live_test_collect_concurrent),
	KUNIT_CASE(live_test_merge),
	KUNIT_CASE(live_test_expected_downtime),
	KUNIT_CASE(live_test_token_bucket),
	{}
};

KMIG_KUNIT_SUITE(live);
