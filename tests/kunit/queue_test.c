// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the batch queue between the dispatcher and the channel threads.
 * Every populated page is handed out exactly once across 1, 2, 4 and 64
 * channels, never-touched pages never, each channel gets one SYNC and one
 * COMPLETE, and each batch is split data first, zero after, correctly.
 */
#include <kunit/test.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/highmem.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/completion.h>

#include "kmig_kunit.h"
#include "channel.h"
#include "queue.h"
#include "region.h"

#define QT_PAGES	3000

struct qt_ctx {
	struct kmig_queue *q;
	enum kmig_zero_detect detect;
	unsigned long *seen;
	atomic_t dups;
	atomic_t pages;
	atomic_t zero_pages;
	atomic_t bad_split;
	atomic_t bad_kind;
	atomic_t finished;
	struct completion all_done;
	unsigned int nch;
	unsigned int *syncs;
	unsigned int *completes;
	unsigned int *batches;
};

struct qt_consumer {
	struct qt_ctx *ctx;
	unsigned int ch;
};

/* Page @i of the test region: never touched, zero, or data. */
static int qt_kind(unsigned long i)
{
	if (i % 3 == 0)
		return 0;		/* never touched */
	return i % 5 == 0 ? 1 : 2;	/* zero : data */
}

static bool qt_page_zero(struct page *page)
{
	void *p = kmap_local_page(page);
	bool zero = !memchr_inv(p, 0, PAGE_SIZE);

	kunmap_local(p);
	return zero;
}

static int qt_consumer_fn(void *data)
{
	struct qt_consumer *c = data;
	struct qt_ctx *ctx = c->ctx;
	struct kmig_batch *b;
	unsigned int i, d;
	bool done = false;

	while (!done && (b = kmig_queue_take(ctx->q, c->ch))) {
		switch (b->kind) {
		case KMIG_BATCH_DATA:
			ctx->batches[c->ch]++;
			d = kmig_batch_split(b, ctx->detect !=
					     KMIG_ZERO_DETECT_NONE);
			for (i = 0; i < b->n; i++) {
				bool zero = qt_page_zero(b->pages[i]);

				if (test_and_set_bit(b->index[i], ctx->seen))
					atomic_inc(&ctx->dups);
				/* Data first, then zero; "none" sends all as data. */
				if (i < d && zero &&
				    ctx->detect != KMIG_ZERO_DETECT_NONE)
					atomic_inc(&ctx->bad_split);
				if (i >= d && !zero)
					atomic_inc(&ctx->bad_split);
			}
			atomic_add(b->n, &ctx->pages);
			atomic_add(b->n - d, &ctx->zero_pages);
			break;
		case KMIG_BATCH_SYNC:
			ctx->syncs[c->ch]++;
			break;
		case KMIG_BATCH_COMPLETE:
			ctx->completes[c->ch]++;
			done = true;
			break;
		default:
			atomic_inc(&ctx->bad_kind);
		}
		kmig_queue_put(ctx->q, b);
	}
	if (atomic_inc_return(&ctx->finished) == ctx->nch)
		complete(&ctx->all_done);
	kmig_channel_park();
	return 0;
}

static struct kmig_region *qt_region(struct kunit *test, unsigned long *data,
				     unsigned long *zero)
{
	struct kmig_region *r = kmig_region_create();
	unsigned long i;

	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(r));
	KUNIT_ASSERT_EQ(test, kmig_region_map(r, 0, QT_PAGES), 0);
	*data = 0;
	*zero = 0;
	for (i = 0; i < QT_PAGES; i++) {
		struct page *p;
		void *va;

		if (!qt_kind(i))
			continue;
		p = kmig_region_get_page(r, i, true);
		KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(p));
		if (qt_kind(i) == 2) {
			va = kmap_local_page(p);
			memset(va + (i % 4000), (int)(i % 250) + 1, 64);
			kunmap_local(va);
			(*data)++;
		} else {
			(*zero)++;
		}
		put_page(p);
	}
	return r;
}

static void qt_run(struct kunit *test, unsigned int nch,
		   enum kmig_zero_detect detect)
{
	struct qt_consumer *cons;
	struct task_struct **tasks;
	unsigned long data, zero, i;
	struct kmig_region *r;
	struct kmig_queue q;
	struct qt_ctx *ctx;
	u64 pages = 0;

	r = qt_region(test, &data, &zero);
	ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	cons = kunit_kcalloc(test, nch, sizeof(*cons), GFP_KERNEL);
	tasks = kunit_kcalloc(test, nch, sizeof(*tasks), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ctx);
	KUNIT_ASSERT_NOT_NULL(test, cons);
	KUNIT_ASSERT_NOT_NULL(test, tasks);
	ctx->seen = kunit_kcalloc(test, BITS_TO_LONGS(QT_PAGES), sizeof(long),
				  GFP_KERNEL);
	ctx->syncs = kunit_kcalloc(test, nch, sizeof(int), GFP_KERNEL);
	ctx->completes = kunit_kcalloc(test, nch, sizeof(int), GFP_KERNEL);
	ctx->batches = kunit_kcalloc(test, nch, sizeof(int), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ctx->seen);
	KUNIT_ASSERT_NOT_NULL(test, ctx->batches);
	init_completion(&ctx->all_done);
	ctx->nch = nch;
	ctx->detect = detect;
	ctx->q = &q;

	KUNIT_ASSERT_EQ(test, kmig_queue_init(&q, nch, detect), 0);
	for (i = 0; i < nch; i++) {
		cons[i].ctx = ctx;
		cons[i].ch = i;
		tasks[i] = kthread_run(qt_consumer_fn, &cons[i], "kmig-qt/%lu", i);
		KUNIT_ASSERT_FALSE(test, IS_ERR(tasks[i]));
		get_task_struct(tasks[i]);
	}

	KUNIT_EXPECT_EQ(test, kmig_queue_pass(&q, r, 0, &pages), 0);
	KUNIT_EXPECT_EQ(test, kmig_queue_control(&q, KMIG_BATCH_SYNC, 0), 0);
	KUNIT_EXPECT_EQ(test, kmig_queue_control(&q, KMIG_BATCH_COMPLETE, 0),
			0);
	KUNIT_EXPECT_NE(test, wait_for_completion_timeout(&ctx->all_done,
							  30 * HZ), 0UL);
	KUNIT_EXPECT_EQ(test, kmig_queue_drain(&q), 0);
	kmig_queue_stop(&q);
	for (i = 0; i < nch; i++) {
		kthread_stop(tasks[i]);
		put_task_struct(tasks[i]);
	}
	kmig_queue_uninit(&q);

	KUNIT_EXPECT_EQ(test, pages, (u64)(data + zero));
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->pages), (int)(data + zero));
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->dups), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->bad_split), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->bad_kind), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->zero_pages),
			detect == KMIG_ZERO_DETECT_NONE ? 0 : (int)zero);
	for (i = 0; i < QT_PAGES; i++) {
		if (test_bit(i, ctx->seen) != !!qt_kind(i)) {
			KUNIT_FAIL(test, "page %lu: seen %d, kind %d", i,
				   test_bit(i, ctx->seen), qt_kind(i));
			break;
		}
	}
	for (i = 0; i < nch; i++) {
		KUNIT_EXPECT_EQ(test, ctx->syncs[i], 1U);
		KUNIT_EXPECT_EQ(test, ctx->completes[i], 1U);
	}
	/* With as many channels as batches or fewer, every channel works. */
	if (nch <= (data + zero) / KMIG_BATCH_PAGES)
		for (i = 0; i < nch; i++)
			KUNIT_EXPECT_GT(test, ctx->batches[i], 0U);
	/* The batches' page references are all gone again. */
	kmig_region_put(r);
}

/* Channel counts and zero page detection modes qt_run() is run with. */
static const struct qt_param {
	unsigned int nch;
	enum kmig_zero_detect detect;
	const char *desc;
} qt_params[] = {
	{ 1, KMIG_ZERO_DETECT_CHANNEL, "1 channel" },
	{ 2, KMIG_ZERO_DETECT_CHANNEL, "2 channels" },
	{ 4, KMIG_ZERO_DETECT_CHANNEL, "4 channels" },
	{ 64, KMIG_ZERO_DETECT_CHANNEL, "64 channels" },
	{ 4, KMIG_ZERO_DETECT_MAIN, "4 channels, zero pages found by main" },
	{ 2, KMIG_ZERO_DETECT_NONE, "2 channels, no zero page detection" },
};

KUNIT_ARRAY_PARAM_DESC(qt, qt_params, desc);

static void queue_test_pass(struct kunit *test)
{
	const struct qt_param *p = test->param_value;

	qt_run(test, p->nch, p->detect);
}

/* A stopped queue releases every waiter and every queued page. */
static void queue_test_stop(struct kunit *test)
{
	unsigned long data, zero;
	struct kmig_region *r = qt_region(test, &data, &zero);
	struct kmig_queue q;
	u64 pages = 0;

	KUNIT_ASSERT_EQ(test, kmig_queue_init(&q, 2, KMIG_ZERO_DETECT_CHANNEL),
			0);
	kmig_queue_stop(&q);
	KUNIT_EXPECT_EQ(test, kmig_queue_pass(&q, r, 0, &pages), -ECANCELED);
	KUNIT_EXPECT_EQ(test, kmig_queue_control(&q, KMIG_BATCH_SYNC, 0),
			-ECANCELED);
	KUNIT_EXPECT_NULL(test, kmig_queue_take(&q, 0));
	kmig_queue_uninit(&q);
	kmig_region_put(r);
}

/* The split of one batch with a known pattern. */
static void queue_test_split(struct kunit *test)
{
	struct kmig_batch *b = kunit_kzalloc(test, sizeof(*b), GFP_KERNEL);
	unsigned int i, d, zeros = 0;

	KUNIT_ASSERT_NOT_NULL(test, b);
	b->kind = KMIG_BATCH_DATA;
	b->n = KMIG_BATCH_PAGES;
	for (i = 0; i < b->n; i++) {
		b->pages[i] = alloc_page(GFP_KERNEL | __GFP_ZERO);
		KUNIT_ASSERT_NOT_NULL(test, b->pages[i]);
		b->index[i] = 1000 + i;
		if (i % 7 == 3 || i == 0 || i == b->n - 1) {
			zeros++;
		} else {
			void *va = kmap_local_page(b->pages[i]);

			((u8 *)va)[PAGE_SIZE - 1] = 1;
			kunmap_local(va);
		}
	}
	d = kmig_batch_split(b, true);
	KUNIT_EXPECT_EQ(test, d, b->n - zeros);
	KUNIT_EXPECT_EQ(test, b->nzero, zeros);
	for (i = 0; i < b->n; i++) {
		bool zero = qt_page_zero(b->pages[i]);
		unsigned long idx = b->index[i] - 1000;

		KUNIT_EXPECT_EQ(test, zero, i >= d);
		KUNIT_EXPECT_EQ(test, !!test_bit(i, b->zero), i >= d);
		/* The index moved with its page. */
		KUNIT_EXPECT_EQ(test, zero,
				idx % 7 == 3 || idx == 0 || idx == b->n - 1);
		/* Each part keeps its order (the receiver's linear check). */
		if (i && i != d)
			KUNIT_EXPECT_LT(test, b->index[i - 1], b->index[i]);
	}
	/* Splitting again changes nothing. */
	KUNIT_EXPECT_EQ(test, kmig_batch_split(b, true), d);
	/* Without detection every page is data. */
	b->checked = false;
	KUNIT_EXPECT_EQ(test, kmig_batch_split(b, false), b->n);
	for (i = 0; i < b->n; i++)
		__free_page(b->pages[i]);
}

static struct kunit_case kmig_queue_cases[] = {
	KUNIT_CASE_PARAM(queue_test_pass, qt_gen_params),
	KUNIT_CASE(queue_test_stop),
	KUNIT_CASE(queue_test_split),
	{}
};

KMIG_KUNIT_SUITE(queue);
