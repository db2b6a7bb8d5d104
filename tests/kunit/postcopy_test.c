// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: postcopy's missing-page map (postcopy.c). Marking and claiming
 * (the first copy of a page is applied, every later one discarded),
 * request merging and the request ring, the source's prefetch window, and
 * the fault path's wait: a thread sleeps until its page is installed, or
 * gets -EIO once postcopy failed; a pause, after which it asks again.
 */
#include <kunit/test.h>
#include <linux/kthread.h>
#include <linux/completion.h>
#include <linux/bitmap.h>
#include <linux/slab.h>
#include <linux/delay.h>

#include "kmig_kunit.h"
#include "postcopy.h"

static struct kmig_postcopy *pc_test_alloc(struct kunit *test,
					   unsigned long npages)
{
	struct kmig_postcopy *pc = kmig_postcopy_alloc(npages);

	KUNIT_ASSERT_NOT_NULL(test, pc);
	return pc;
}

static void postcopy_test_claim(struct kunit *test)
{
	struct kmig_postcopy *pc = pc_test_alloc(test, 100);

	kmig_postcopy_mark_missing(pc, 5);
	kmig_postcopy_mark_missing(pc, 7);
	kmig_postcopy_mark_missing(pc, 7);	/* twice: still one page */
	kmig_postcopy_mark_missing(pc, 100);	/* past the end: ignored */
	KUNIT_EXPECT_EQ(test, kmig_postcopy_nmissing(pc), 2UL);
	KUNIT_EXPECT_TRUE(test, kmig_postcopy_is_missing(pc, 5));
	KUNIT_EXPECT_FALSE(test, kmig_postcopy_is_missing(pc, 6));
	KUNIT_EXPECT_FALSE(test, kmig_postcopy_is_missing(pc, 100));

	/* The first copy claims the page; a second one is discarded. */
	KUNIT_EXPECT_TRUE(test, kmig_postcopy_claim(pc, 5));
	KUNIT_EXPECT_FALSE(test, kmig_postcopy_claim(pc, 5));
	/* A page never missing, or past the end, is discarded too. */
	KUNIT_EXPECT_FALSE(test, kmig_postcopy_claim(pc, 6));
	KUNIT_EXPECT_FALSE(test, kmig_postcopy_claim(pc, 1000));
	KUNIT_EXPECT_EQ(test, atomic64_read(&pc->discarded), 3LL);
	/* Claimed but not installed yet: still missing for faults. */
	KUNIT_EXPECT_TRUE(test, kmig_postcopy_is_missing(pc, 5));
	KUNIT_EXPECT_FALSE(test, kmig_postcopy_arrived(pc, 5));
	KUNIT_EXPECT_FALSE(test, kmig_postcopy_is_missing(pc, 5));
	KUNIT_EXPECT_TRUE(test, kmig_postcopy_claim(pc, 7));
	KUNIT_EXPECT_TRUE(test, kmig_postcopy_arrived(pc, 7));	/* the last */
	KUNIT_EXPECT_EQ(test, kmig_postcopy_nmissing(pc), 0UL);
	kmig_postcopy_put(pc);
}

static void postcopy_test_requests(struct kunit *test)
{
	struct kmig_postcopy *pc = pc_test_alloc(test, 4096);
	pgoff_t out[8];
	unsigned long i;

	for (i = 0; i < 4096; i++)
		kmig_postcopy_mark_missing(pc, i);
	KUNIT_EXPECT_FALSE(test, kmig_postcopy_has_requests(pc));
	/* Faults on one page merge into one request. */
	KUNIT_EXPECT_TRUE(test, kmig_postcopy_request(pc, 3));
	KUNIT_EXPECT_TRUE(test, kmig_postcopy_request(pc, 3));
	KUNIT_EXPECT_TRUE(test, kmig_postcopy_request(pc, 9));
	KUNIT_EXPECT_TRUE(test, kmig_postcopy_has_requests(pc));
	KUNIT_EXPECT_EQ(test, atomic64_read(&pc->requested_pages), 2LL);
	KUNIT_EXPECT_EQ(test, kmig_postcopy_take(pc, out, ARRAY_SIZE(out)), 2U);
	KUNIT_EXPECT_EQ(test, out[0], (pgoff_t)3);
	KUNIT_EXPECT_EQ(test, out[1], (pgoff_t)9);
	KUNIT_EXPECT_EQ(test, kmig_postcopy_take(pc, out, ARRAY_SIZE(out)), 0U);
	/* Asked once: a later fault on it waits for that answer. */
	KUNIT_EXPECT_TRUE(test, kmig_postcopy_request(pc, 3));
	KUNIT_EXPECT_FALSE(test, kmig_postcopy_has_requests(pc));

	/* A page that arrives (the push) before it is sent is not asked. */
	KUNIT_EXPECT_TRUE(test, kmig_postcopy_request(pc, 20));
	KUNIT_EXPECT_TRUE(test, kmig_postcopy_claim(pc, 20));
	kmig_postcopy_arrived(pc, 20);
	KUNIT_EXPECT_EQ(test, kmig_postcopy_take(pc, out, ARRAY_SIZE(out)), 0U);

	/* The ring: full at KMIG_POSTCOPY_REQ_RING, oldest first, at most max. */
	for (i = 0; i < KMIG_POSTCOPY_REQ_RING; i++)
		KUNIT_EXPECT_TRUE(test, kmig_postcopy_request(pc, 100 + i));
	KUNIT_EXPECT_FALSE(test, kmig_postcopy_request(pc, 100 + i));
	KUNIT_EXPECT_EQ(test, kmig_postcopy_take(pc, out, 3), 3U);
	KUNIT_EXPECT_EQ(test, out[0], (pgoff_t)100);
	KUNIT_EXPECT_EQ(test, out[2], (pgoff_t)102);
	/* Room again: the refused page can be asked now. */
	KUNIT_EXPECT_TRUE(test, kmig_postcopy_request(pc, 100 + i));
	kmig_postcopy_put(pc);
}

/* The sweep: every missing page not asked for yet, once, from *next on. */
static void postcopy_test_sweep(struct kunit *test)
{
	struct kmig_postcopy *pc = pc_test_alloc(test, 300);
	unsigned long next = 0;
	pgoff_t out[2];

	kmig_postcopy_mark_missing(pc, 1);
	kmig_postcopy_mark_missing(pc, 5);
	kmig_postcopy_mark_missing(pc, 9);
	kmig_postcopy_mark_missing(pc, 299);
	KUNIT_EXPECT_TRUE(test, kmig_postcopy_request(pc, 5));
	KUNIT_EXPECT_EQ(test, kmig_postcopy_take(pc, out, 2), 1U);	/* sent */
	KUNIT_EXPECT_EQ(test, kmig_postcopy_unrequested(pc, &next, out, 2), 2U);
	KUNIT_EXPECT_EQ(test, out[0], (pgoff_t)1);
	KUNIT_EXPECT_EQ(test, out[1], (pgoff_t)9);
	KUNIT_EXPECT_EQ(test, kmig_postcopy_unrequested(pc, &next, out, 2), 1U);
	KUNIT_EXPECT_EQ(test, out[0], (pgoff_t)299);
	KUNIT_EXPECT_EQ(test, kmig_postcopy_unrequested(pc, &next, out, 2), 0U);
	next = 0;	/* asked already: a second sweep asks nothing */
	KUNIT_EXPECT_EQ(test, kmig_postcopy_unrequested(pc, &next, out, 2), 0U);
	/* Faults on them merge into the sweep's requests. */
	KUNIT_EXPECT_TRUE(test, kmig_postcopy_request(pc, 9));
	KUNIT_EXPECT_FALSE(test, kmig_postcopy_has_requests(pc));
	kmig_postcopy_put(pc);
}

static void postcopy_test_prefetch(struct kunit *test)
{
	unsigned long *unsent = kunit_kzalloc(test, BITS_TO_LONGS(40) *
					      sizeof(long), GFP_KERNEL);
	pgoff_t out[16];

	KUNIT_ASSERT_NOT_NULL(test, unsent);
	bitmap_set(unsent, 10, 30);	/* 10..39: the whole rest */
	__clear_bit(12, unsent);	/* sent already */
	/* The window after page 9: 10..13, of which 12 is gone. */
	KUNIT_EXPECT_EQ(test, kmig_postcopy_prefetch(unsent, 40, 9, 4, out, 16), 3U);
	KUNIT_EXPECT_EQ(test, out[0], (pgoff_t)10);
	KUNIT_EXPECT_EQ(test, out[1], (pgoff_t)11);
	KUNIT_EXPECT_EQ(test, out[2], (pgoff_t)13);
	/* Taken: the push will not send them again; nor will a second window. */
	KUNIT_EXPECT_FALSE(test, test_bit(10, unsent));
	KUNIT_EXPECT_EQ(test, kmig_postcopy_prefetch(unsent, 40, 9, 4, out, 16), 0U);
	/* At most @room pages. */
	KUNIT_EXPECT_EQ(test, kmig_postcopy_prefetch(unsent, 40, 14, 16, out, 2), 2U);
	KUNIT_EXPECT_EQ(test, out[1], (pgoff_t)16);
	KUNIT_EXPECT_TRUE(test, test_bit(17, unsent));
	/* Not past the end of the region; window 0 takes nothing. */
	KUNIT_EXPECT_EQ(test, kmig_postcopy_prefetch(unsent, 40, 37, 16, out, 16), 2U);
	KUNIT_EXPECT_EQ(test, out[1], (pgoff_t)39);
	KUNIT_EXPECT_EQ(test, kmig_postcopy_prefetch(unsent, 40, 20, 0, out, 16), 0U);
	KUNIT_EXPECT_EQ(test, kmig_postcopy_prefetch(unsent, 40, 40, 16, out, 16), 0U);
}

struct postcopy_test_waiter {
	struct kmig_postcopy *pc;
	pgoff_t index;
	int ret;
	struct completion done;
};

static int postcopy_test_wait_fn(void *data)
{
	struct postcopy_test_waiter *w = data;

	w->ret = kmig_postcopy_wait(w->pc, w->index);
	complete(&w->done);
	return 0;
}

/* Start a thread faulting on @index; returns once its request is queued. */
static void postcopy_test_fault(struct kunit *test,
				struct postcopy_test_waiter *w,
				struct kmig_postcopy *pc, pgoff_t index)
{
	struct task_struct *t;
	int i;

	w->pc = pc;
	w->index = index;
	w->ret = 1;
	init_completion(&w->done);
	t = kthread_run(postcopy_test_wait_fn, w, "kmig-pc-test");
	KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	for (i = 0; i < 500 && !kmig_postcopy_has_requests(pc); i++)
		usleep_range(2000, 3000);
	KUNIT_ASSERT_TRUE(test, kmig_postcopy_has_requests(pc));
}

static void postcopy_test_wait(struct kunit *test)
{
	struct kmig_postcopy *pc = pc_test_alloc(test, 64);
	struct postcopy_test_waiter w;
	struct kmig_postcopy_latency lat;
	pgoff_t out[4];

	kmig_postcopy_mark_missing(pc, 42);
	kmig_postcopy_mark_missing(pc, 43);
	/* Not missing: no wait, no request. */
	KUNIT_EXPECT_EQ(test, kmig_postcopy_wait(pc, 41), 0);
	KUNIT_EXPECT_FALSE(test, kmig_postcopy_has_requests(pc));

	postcopy_test_fault(test, &w, pc, 42);
	KUNIT_EXPECT_EQ(test, kmig_postcopy_take(pc, out, 4), 1U);
	KUNIT_EXPECT_EQ(test, out[0], (pgoff_t)42);
	/* Asked, but asleep until the page is installed. */
	KUNIT_EXPECT_FALSE(test, wait_for_completion_timeout(&w.done, HZ / 10));
	KUNIT_EXPECT_TRUE(test, kmig_postcopy_claim(pc, 42));
	kmig_postcopy_arrived(pc, 42);
	kmig_postcopy_wake(pc);
	KUNIT_ASSERT_TRUE(test, wait_for_completion_timeout(&w.done, 10 * HZ));
	KUNIT_EXPECT_EQ(test, w.ret, 0);
	kmig_postcopy_latency(pc, &lat);
	KUNIT_EXPECT_EQ(test, lat.count, 1ULL);
	KUNIT_EXPECT_GE(test, lat.max, 100ULL * NSEC_PER_MSEC / 2);

	/* Postcopy fails: the waiter gets -EIO, and so does every later one. */
	postcopy_test_fault(test, &w, pc, 43);
	KUNIT_EXPECT_FALSE(test, wait_for_completion_timeout(&w.done, HZ / 20));
	kmig_postcopy_finish(pc, true);
	KUNIT_EXPECT_EQ(test, kmig_postcopy_state(pc), KMIG_POSTCOPY_FAILED);
	KUNIT_ASSERT_TRUE(test, wait_for_completion_timeout(&w.done, 10 * HZ));
	KUNIT_EXPECT_EQ(test, w.ret, -EIO);
	KUNIT_EXPECT_EQ(test, kmig_postcopy_wait(pc, 43), -EIO);
	/* The latency counts pages that came, not failures. */
	kmig_postcopy_latency(pc, &lat);
	KUNIT_EXPECT_EQ(test, lat.count, 1ULL);
	kmig_postcopy_put(pc);
}

/*
 * A pause (the links broke): a copy claimed but never installed can be
 * claimed again, and a waiting fault asks again for its page, which it
 * still gets.
 */
static void postcopy_test_pause(struct kunit *test)
{
	struct kmig_postcopy *pc = pc_test_alloc(test, 16);
	struct postcopy_test_waiter w;
	pgoff_t out[4];
	int i;

	kmig_postcopy_mark_missing(pc, 3);
	kmig_postcopy_mark_missing(pc, 4);
	KUNIT_EXPECT_TRUE(test, kmig_postcopy_claim(pc, 3));	/* cut short */
	postcopy_test_fault(test, &w, pc, 4);
	KUNIT_EXPECT_EQ(test, kmig_postcopy_take(pc, out, 4), 1U);	/* sent, lost */
	kmig_postcopy_pause(pc);
	KUNIT_EXPECT_EQ(test, kmig_postcopy_state(pc), KMIG_POSTCOPY_ACTIVE);
	KUNIT_EXPECT_TRUE(test, kmig_postcopy_claim(pc, 3));
	/* The waiter is still waiting, and has asked again. */
	for (i = 0; i < 500 && !kmig_postcopy_has_requests(pc); i++)
		usleep_range(2000, 3000);
	KUNIT_EXPECT_FALSE(test, completion_done(&w.done));
	KUNIT_EXPECT_EQ(test, kmig_postcopy_take(pc, out, 4), 1U);
	KUNIT_EXPECT_EQ(test, out[0], (pgoff_t)4);
	KUNIT_EXPECT_TRUE(test, kmig_postcopy_claim(pc, 4));
	kmig_postcopy_arrived(pc, 4);
	kmig_postcopy_wake(pc);
	KUNIT_ASSERT_TRUE(test, wait_for_completion_timeout(&w.done, 10 * HZ));
	KUNIT_EXPECT_EQ(test, w.ret, 0);
	kmig_postcopy_put(pc);
}

static void postcopy_test_finish_done(struct kunit *test)
{
	struct kmig_postcopy *pc = pc_test_alloc(test, 8);

	kmig_postcopy_mark_missing(pc, 1);
	KUNIT_EXPECT_TRUE(test, kmig_postcopy_claim(pc, 1));
	kmig_postcopy_arrived(pc, 1);
	/* Nothing missing: a stop after the last page is no loss. */
	kmig_postcopy_finish(pc, true);
	KUNIT_EXPECT_EQ(test, kmig_postcopy_state(pc), KMIG_POSTCOPY_DONE);
	kmig_postcopy_finish(pc, true);	/* final: stays done */
	KUNIT_EXPECT_EQ(test, kmig_postcopy_state(pc), KMIG_POSTCOPY_DONE);
	kmig_postcopy_put(pc);
}

static struct kunit_case kmig_postcopy_cases[] = {
	KUNIT_CASE(postcopy_test_claim),
	KUNIT_CASE(postcopy_test_requests),
	KUNIT_CASE(postcopy_test_prefetch),
	KUNIT_CASE(postcopy_test_sweep),
	KUNIT_CASE(postcopy_test_wait),
	KUNIT_CASE(postcopy_test_pause),
	KUNIT_CASE(postcopy_test_finish_done),
	{}
};

KMIG_KUNIT_SUITE(postcopy);
