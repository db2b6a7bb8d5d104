// SPDX-License-Identifier: GPL-2.0
/*
 * Batch queue between the dispatcher and the channel threads (queue.h).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/xarray.h>
#include <linux/sched.h>
#include <linux/math64.h>
#include <linux/time64.h>

#include "prof.h"
#include "queue.h"
#include "region.h"
#include "zerocheck.h"

int kmig_queue_init(struct kmig_queue *q, unsigned int nch,
		    enum kmig_zero_detect zero_detect)
{
	unsigned int i;

	memset(q, 0, sizeof(*q));
	spin_lock_init(&q->lock);
	init_waitqueue_head(&q->wq);
	q->nch = nch;
	q->zero_detect = zero_detect;
	q->slots = kcalloc(nch, sizeof(*q->slots), GFP_KERNEL);
	q->free = kcalloc(2 * nch, sizeof(*q->free), GFP_KERNEL);
	if (!q->slots || !q->free)
		goto err;
	for (i = 0; i < nch; i++)
		init_waitqueue_head(&q->slots[i].wq);
	for (i = 0; i < 2 * nch; i++) {
		/* Zeroed: uninit releases the pages of every batch. */
		q->free[i] = kzalloc(sizeof(*q->free[i]), GFP_KERNEL);
		if (!q->free[i])
			goto err;
		q->nbatches++;
	}
	q->nfree = q->nbatches;
	return 0;
err:
	kmig_queue_uninit(q);
	return -ENOMEM;
}

static void kmig_batch_release(struct kmig_batch *b)
{
	unsigned int i;

	for (i = 0; i < b->n; i++)
		if (b->pages[i])
			put_page(b->pages[i]);
	b->n = 0;
}

void kmig_queue_uninit(struct kmig_queue *q)
{
	unsigned int i;

	if (q->slots) {
		for (i = 0; i < q->nch; i++) {
			if (q->slots[i].batch) {
				kmig_batch_release(q->slots[i].batch);
				kfree(q->slots[i].batch);
			}
		}
	}
	if (q->free) {
		for (i = 0; i < q->nfree; i++) {
			kmig_batch_release(q->free[i]);
			kfree(q->free[i]);
		}
	}
	kfree(q->slots);
	kfree(q->free);
	q->nch = 0;
	q->slots = NULL;
	q->free = NULL;
	q->nfree = 0;
}

void kmig_queue_stop(struct kmig_queue *q)
{
	unsigned int i;

	spin_lock_bh(&q->lock);
	q->stopped = true;
	spin_unlock_bh(&q->lock);
	wake_up_all(&q->wq);
	for (i = 0; i < q->nch; i++)
		wake_up_all(&q->slots[i].wq);
}

void kmig_queue_restart(struct kmig_queue *q)
{
	struct kmig_batch *b;
	unsigned int i;

	for (i = 0; i < q->nch; i++) {
		spin_lock_bh(&q->lock);
		b = q->slots[i].batch;
		q->slots[i].batch = NULL;
		spin_unlock_bh(&q->lock);
		if (b)
			kmig_queue_put(q, b);
	}
	spin_lock_bh(&q->lock);
	q->stopped = false;
	q->first = 0;
	q->next = 0;
	spin_unlock_bh(&q->lock);
}

static bool kmig_queue_get_free(struct kmig_queue *q, struct kmig_batch **b)
{
	bool done = true;

	spin_lock_bh(&q->lock);
	if (q->stopped)
		*b = NULL;
	else if (q->nfree)
		*b = q->free[--q->nfree];
	else
		done = false;
	spin_unlock_bh(&q->lock);
	return done;
}

/* A free batch from the pool, or NULL once stopped. */
static struct kmig_batch *kmig_queue_alloc(struct kmig_queue *q)
{
	struct kmig_batch *b = NULL;

	wait_event_idle(q->wq, kmig_queue_get_free(q, &b));
	return b;
}

/* A free batch set up as an empty @kind batch of @pass, or NULL once stopped. */
static struct kmig_batch *kmig_queue_new(struct kmig_queue *q,
					 enum kmig_batch_kind kind, u64 pass)
{
	struct kmig_batch *b = kmig_queue_alloc(q);

	if (b) {
		b->kind = kind;
		b->pass = pass;
		b->n = 0;
		b->checked = false;
	}
	return b;
}

/* Put @b in channel @ch's slot if it is free; true when done or stopped. */
static bool kmig_queue_try_slot(struct kmig_queue *q, unsigned int ch,
				struct kmig_batch *b, bool *queued)
{
	bool done = true;

	spin_lock_bh(&q->lock);
	if (q->stopped) {
		*queued = false;
	} else if (!q->slots[ch].batch) {
		q->slots[ch].batch = b;
		*queued = true;
	} else {
		done = false;
	}
	spin_unlock_bh(&q->lock);
	if (done && *queued)
		wake_up(&q->slots[ch].wq);
	return done;
}

/* Any channel with a free slot, starting after the last one used. */
static bool kmig_queue_try_any(struct kmig_queue *q, struct kmig_batch *b,
			       bool *queued)
{
	unsigned int i, ch = 0;
	bool done = false;

	spin_lock_bh(&q->lock);
	if (q->stopped) {
		*queued = false;
		done = true;
		goto out;
	}
	for (i = 0; i < q->nch - q->first; i++) {
		ch = q->first + (q->next + i) % (q->nch - q->first);
		if (!q->slots[ch].batch) {
			q->slots[ch].batch = b;
			q->next = ch + 1 - q->first;
			*queued = true;
			done = true;
			break;
		}
	}
out:
	spin_unlock_bh(&q->lock);
	if (done && *queued)
		wake_up(&q->slots[ch].wq);
	return done;
}

/* Queue @b on a free channel; on failure (stopped) @b goes back. */
static int kmig_queue_push(struct kmig_queue *q, struct kmig_batch *b)
{
	bool queued = false;
	u64 t = kmig_prof_start();

	wait_event_idle(q->wq, kmig_queue_try_any(q, b, &queued));
	kmig_prof_end(KMIG_PROF_SRC_QWAIT, t, 0);
	if (!queued) {
		kmig_queue_put(q, b);
		return -ECANCELED;
	}
	return 0;
}

static int kmig_queue_flush(struct kmig_queue *q, struct kmig_batch *b)
{
	u64 t;

	if (q->zero_detect == KMIG_ZERO_DETECT_MAIN) {
		t = kmig_prof_start();
		kmig_batch_split(b, true);
		kmig_prof_end(KMIG_PROF_SRC_SCAN, t, b->n);
	}
	return kmig_queue_push(q, b);
}

/*
 * Add @page (@index) to the DATA batch being filled (*@b, started when
 * NULL) with a reference of its own; a full batch goes to the channels
 * and *@b is NULL again. *@prof is the start of the profile's walk
 * section (prof.h), which ends where a batch is handed over.
 */
static int kmig_queue_add(struct kmig_queue *q, struct kmig_batch **b,
			  u64 pass, pgoff_t index, struct page *page,
			  u64 *prof)
{
	struct kmig_batch *cur = *b;
	int ret;

	if (!cur) {
		cur = kmig_queue_new(q, KMIG_BATCH_DATA, pass);
		if (!cur)
			return -ECANCELED;
		*b = cur;
	}
	get_page(page);
	cur->index[cur->n] = index;
	cur->pages[cur->n++] = page;
	if (cur->n < KMIG_BATCH_PAGES)
		return 0;
	*b = NULL;
	kmig_prof_end(KMIG_PROF_SRC_WALK, *prof, cur->n);
	ret = kmig_queue_flush(q, cur);
	cond_resched();
	*prof = kmig_prof_start();
	return ret;
}

/* The last, partly filled batch of a pass. */
static int kmig_queue_add_last(struct kmig_queue *q, struct kmig_batch *b,
			       u64 prof)
{
	if (!b)
		return 0;
	kmig_prof_end(KMIG_PROF_SRC_WALK, prof, b->n);
	return kmig_queue_flush(q, b);
}

/*
 * A pass with one xa_state: the walk goes from entry to entry instead of
 * down from the root for each page (xa_for_each()). It holds the RCU read
 * lock while it fills a batch, and lets go (xas_pause()) to hand the full
 * batch over and take the next, which may sleep.
 */
static int kmig_queue_pass_xas(struct kmig_queue *q,
			       struct kmig_region *region, u64 pass,
			       u64 *pages)
{
	XA_STATE(xas, &region->pages, 0);
	pgoff_t last = kmig_region_npages(region) - 1;
	struct kmig_batch *b;
	struct page *page;
	u64 prof;
	int ret;

	*pages = 0;
	for (;;) {
		b = kmig_queue_new(q, KMIG_BATCH_DATA, pass);
		if (!b)
			return -ECANCELED;
		prof = kmig_prof_start();
		rcu_read_lock();
		xas_for_each(&xas, page, last) {
			if (xas_retry(&xas, page))
				continue;
			get_page(page);
			b->index[b->n] = xas.xa_index;
			b->pages[b->n++] = page;
			if (b->n == KMIG_BATCH_PAGES) {
				xas_pause(&xas);
				break;
			}
		}
		rcu_read_unlock();
		*pages += b->n;
		if (b->n < KMIG_BATCH_PAGES) {
			/* The end of the region. */
			if (!b->n) {
				kmig_queue_put(q, b);
				return 0;
			}
			return kmig_queue_add_last(q, b, prof);
		}
		kmig_prof_end(KMIG_PROF_SRC_WALK, prof, b->n);
		ret = kmig_queue_flush(q, b);
		if (ret)
			return ret;
		cond_resched();
	}
}

int kmig_queue_pass(struct kmig_queue *q, struct kmig_region *region,
		    u64 pass, u64 *pages)
{
	pgoff_t npages = kmig_region_npages(region);
	struct kmig_batch *b = NULL;
	unsigned long index = 0;
	struct page *page;
	u64 prof = kmig_prof_start();
	int ret;

	/*
	 * Pages leave the xarray only when the region is freed, and the
	 * migration holds a region reference: a page found stays valid; the
	 * batch takes its own reference for the send.
	 */
	if (kmig_opt(KMIG_OPT_WALK))
		return kmig_queue_pass_xas(q, region, pass, pages);
	*pages = 0;
	xa_for_each_range(&region->pages, index, page, 0, npages - 1) {
		(*pages)++;
		ret = kmig_queue_add(q, &b, pass, index, page, &prof);
		if (ret)
			return ret;
	}
	return kmig_queue_add_last(q, b, prof);
}

int kmig_queue_bitmap(struct kmig_queue *q, struct kmig_region *region,
		      unsigned long *bits, u64 pass, u64 *pages)
{
	pgoff_t npages = kmig_region_npages(region);
	struct kmig_batch *b = NULL;
	unsigned long index;
	struct page *page;
	u64 prof = kmig_prof_start();
	int ret;

	*pages = 0;
	for_each_set_bit(index, bits, npages) {
		if (!test_and_clear_bit(index, bits))
			continue;
		page = xa_load(&region->pages, index);
		if (!page)
			continue;
		(*pages)++;
		ret = kmig_queue_add(q, &b, pass, index, page, &prof);
		if (ret)
			return ret;
	}
	return kmig_queue_add_last(q, b, prof);
}

int kmig_queue_missing(struct kmig_queue *q, struct kmig_region *region,
		       const unsigned long *bits, u64 pass, u64 *pages)
{
	pgoff_t npages = kmig_region_npages(region);
	struct kmig_batch *b = NULL;
	unsigned long index;
	int ret;

	*pages = 0;
	for_each_set_bit(index, bits, npages) {
		if (!b) {
			b = kmig_queue_new(q, KMIG_BATCH_MISSING, pass);
			if (!b)
				return -ECANCELED;
		}
		b->pages[b->n] = NULL;
		b->index[b->n++] = index;
		(*pages)++;
		if (b->n < KMIG_BATCH_PAGES)
			continue;
		ret = kmig_queue_push(q, b);
		b = NULL;
		if (ret)
			return ret;
		cond_resched();
	}
	return b ? kmig_queue_push(q, b) : 0;
}

void kmig_queue_set_first(struct kmig_queue *q, unsigned int first)
{
	spin_lock_bh(&q->lock);
	q->first = min(first, q->nch - 1);
	q->next = 0;
	spin_unlock_bh(&q->lock);
}

int kmig_queue_control(struct kmig_queue *q, enum kmig_batch_kind kind,
		       u64 pass)
{
	struct kmig_batch *b;
	unsigned int ch;
	bool queued;

	for (ch = READ_ONCE(q->first); ch < q->nch; ch++) {
		b = kmig_queue_new(q, kind, pass);
		if (!b)
			return -ECANCELED;
		queued = false;
		wait_event_idle(q->wq, kmig_queue_try_slot(q, ch, b, &queued));
		if (!queued) {
			kmig_queue_put(q, b);
			return -ECANCELED;
		}
	}
	return 0;
}

static bool kmig_queue_idle(struct kmig_queue *q)
{
	bool idle;

	spin_lock_bh(&q->lock);
	idle = q->stopped || q->nfree == q->nbatches;
	spin_unlock_bh(&q->lock);
	return idle;
}

int kmig_queue_drain(struct kmig_queue *q)
{
	wait_event_idle(q->wq, kmig_queue_idle(q));
	return READ_ONCE(q->stopped) ? -ECANCELED : 0;
}

static bool kmig_queue_try_take(struct kmig_queue *q, unsigned int ch,
				struct kmig_batch **b)
{
	bool done = true;

	spin_lock_bh(&q->lock);
	if (q->slots[ch].batch) {
		*b = q->slots[ch].batch;
		q->slots[ch].batch = NULL;
	} else if (q->stopped) {
		*b = NULL;
	} else {
		done = false;
	}
	spin_unlock_bh(&q->lock);
	return done;
}

struct kmig_batch *kmig_queue_take(struct kmig_queue *q, unsigned int ch)
{
	struct kmig_batch *b = NULL;

	wait_event_idle(q->slots[ch].wq, kmig_queue_try_take(q, ch, &b));
	if (b && READ_ONCE(q->stopped)) {
		kmig_queue_put(q, b);
		return NULL;
	}
	/* A slot is free again. */
	if (b)
		wake_up(&q->wq);
	return b;
}

void kmig_queue_put(struct kmig_queue *q, struct kmig_batch *b)
{
	kmig_batch_release(b);
	spin_lock_bh(&q->lock);
	q->free[q->nfree++] = b;
	spin_unlock_bh(&q->lock);
	wake_up(&q->wq);
}

/*
 * Data pages to the front, zero pages behind, each in the order it had:
 * the offsets of a pass's packet stay ascending in each part, which the
 * receiver checks for duplicates in linear time (kmig_wire_offsets_decode()).
 */
static unsigned int kmig_batch_partition(struct kmig_batch *b)
{
	unsigned int i, d = 0, z = 0;

	for (i = 0; i < b->n; i++) {
		if (test_bit(i, b->zero)) {
			b->zindex[z] = b->index[i];
			b->zpages[z++] = b->pages[i];
		} else {
			b->index[d] = b->index[i];
			b->pages[d++] = b->pages[i];
		}
	}
	memcpy(b->index + d, b->zindex, z * sizeof(*b->index));
	memcpy(b->pages + d, b->zpages, z * sizeof(*b->pages));
	bitmap_zero(b->zero, KMIG_BATCH_PAGES);
	bitmap_set(b->zero, d, z);
	return d;
}

unsigned int kmig_batch_split(struct kmig_batch *b, bool detect)
{
	unsigned int i, j;

	if (!detect) {
		bitmap_zero(b->zero, KMIG_BATCH_PAGES);
		b->nzero = 0;
		b->checked = true;
		return b->n;
	}
	if (!b->checked) {
		b->nzero = kmig_pages_zero_batch(b->pages, b->n, b->zero);
		b->checked = true;
	}
	if (!b->nzero)
		return b->n;
	if (kmig_opt(KMIG_OPT_OFFSETS))
		return kmig_batch_partition(b);

	/* Partition in place: data pages to the front, zero pages behind. */
	i = 0;
	j = b->n;
	for (;;) {
		while (i < j && !test_bit(i, b->zero))
			i++;
		while (i < j && test_bit(j - 1, b->zero))
			j--;
		if (i >= j)
			break;
		swap(b->pages[i], b->pages[j - 1]);
		swap(b->index[i], b->index[j - 1]);
		__clear_bit(i, b->zero);
		__set_bit(j - 1, b->zero);
	}
	return b->n - b->nzero;
}

void kmig_rate_init(struct kmig_rate *r, u64 rate, u64 now_ns)
{
	spin_lock_init(&r->lock);
	r->rate = rate;
	r->tokens = rate / 10;
	r->last_ns = now_ns;
}

u64 kmig_rate_take(struct kmig_rate *r, u64 bytes, u64 now_ns)
{
	u64 burst, wait = 0;

	if (!r->rate)
		return 0;
	burst = max_t(u64, r->rate / 10, bytes);
	spin_lock_bh(&r->lock);
	/* @last_ns may lie ahead: the time a debt is paid back. */
	if (now_ns > r->last_ns) {
		r->tokens = min(burst, r->tokens +
				mul_u64_u64_div_u64(now_ns - r->last_ns, r->rate,
						    NSEC_PER_SEC));
		r->last_ns = now_ns;
	}
	if (r->tokens >= bytes) {
		r->tokens -= bytes;
	} else {
		r->last_ns += mul_u64_u64_div_u64(bytes - r->tokens,
						  NSEC_PER_SEC, r->rate);
		r->tokens = 0;
		wait = r->last_ns - now_ns;
	}
	spin_unlock_bh(&r->lock);
	return wait;
}

u64 kmig_expected_downtime_ns(u64 remaining, u64 bandwidth)
{
	if (!remaining)
		return 0;
	if (!bandwidth)
		return U64_MAX;
	return mul_u64_u64_div_u64(remaining, NSEC_PER_SEC, bandwidth);
}
