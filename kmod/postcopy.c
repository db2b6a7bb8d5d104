// SPDX-License-Identifier: GPL-2.0
/*
 * Postcopy's missing-page map (postcopy.h).
 *
 * Ordering: a page is installed in the region before its missing bit is
 * cleared (clear_bit_unlock(): release), and a faulting thread reads the
 * bit with acquire before it looks the page up, so a thread that sees the
 * page as no longer missing finds the new contents. The wakeup comes after
 * the bits of a whole packet are cleared.
 */
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/bitmap.h>
#include <linux/bitops.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/sched/signal.h>

#include "postcopy.h"

/* A faulting thread whose request found the ring full asks again after. */
#define KMIG_POSTCOPY_RETRY	(HZ / 50)

struct kmig_postcopy *kmig_postcopy_alloc(unsigned long npages)
{
	struct kmig_postcopy *pc;
	size_t words = BITS_TO_LONGS(npages);

	pc = kzalloc(sizeof(*pc), GFP_KERNEL_ACCOUNT);
	if (!pc)
		return NULL;
	pc->missing = kvcalloc(words, sizeof(long), GFP_KERNEL_ACCOUNT);
	pc->unclaimed = kvcalloc(words, sizeof(long), GFP_KERNEL_ACCOUNT);
	pc->requested = kvcalloc(words, sizeof(long), GFP_KERNEL_ACCOUNT);
	if (!pc->missing || !pc->unclaimed || !pc->requested) {
		kvfree(pc->missing);
		kvfree(pc->unclaimed);
		kvfree(pc->requested);
		kfree(pc);
		return NULL;
	}
	kref_init(&pc->ref);
	pc->npages = npages;
	pc->state = KMIG_POSTCOPY_ACTIVE;
	spin_lock_init(&pc->lock);
	init_waitqueue_head(&pc->wq);
	init_waitqueue_head(&pc->req_wq);
	return pc;
}

static void kmig_postcopy_release(struct kref *ref)
{
	struct kmig_postcopy *pc = container_of(ref, struct kmig_postcopy, ref);

	kvfree(pc->missing);
	kvfree(pc->unclaimed);
	kvfree(pc->requested);
	kfree(pc);
}

void kmig_postcopy_get(struct kmig_postcopy *pc)
{
	kref_get(&pc->ref);
}

void kmig_postcopy_put(struct kmig_postcopy *pc)
{
	if (pc)
		kref_put(&pc->ref, kmig_postcopy_release);
}

void kmig_postcopy_mark_missing(struct kmig_postcopy *pc, pgoff_t index)
{
	if (index >= pc->npages)
		return;
	set_bit(index, pc->unclaimed);
	if (!test_and_set_bit(index, pc->missing))
		atomic_long_inc(&pc->nmissing);
}

bool kmig_postcopy_claim(struct kmig_postcopy *pc, pgoff_t index)
{
	if (index < pc->npages && test_and_clear_bit(index, pc->unclaimed))
		return true;
	atomic64_inc(&pc->discarded);
	return false;
}

bool kmig_postcopy_arrived(struct kmig_postcopy *pc, pgoff_t index)
{
	/* The page is in place before the bit goes (see the top). */
	clear_bit_unlock(index, pc->missing);
	return atomic_long_dec_and_test(&pc->nmissing);
}

void kmig_postcopy_wake(struct kmig_postcopy *pc)
{
	wake_up_all(&pc->wq);
}

bool kmig_postcopy_request(struct kmig_postcopy *pc, pgoff_t index)
{
	bool queued = true, wake = false;

	spin_lock(&pc->lock);
	if (!test_bit(index, pc->requested)) {
		if (pc->ring_len < KMIG_POSTCOPY_REQ_RING) {
			pc->ring[(pc->ring_head + pc->ring_len) %
				 KMIG_POSTCOPY_REQ_RING] = index;
			pc->ring_len++;
			__set_bit(index, pc->requested);
			wake = true;
		} else {
			queued = false;
		}
	}
	spin_unlock(&pc->lock);
	if (wake) {
		atomic64_inc(&pc->requested_pages);
		wake_up(&pc->req_wq);
	}
	return queued;
}

unsigned int kmig_postcopy_take(struct kmig_postcopy *pc, pgoff_t *out,
				unsigned int max)
{
	unsigned int n = 0;

	spin_lock(&pc->lock);
	while (n < max && pc->ring_len) {
		pgoff_t index = pc->ring[pc->ring_head];

		pc->ring_head = (pc->ring_head + 1) % KMIG_POSTCOPY_REQ_RING;
		pc->ring_len--;
		/* Arrived meanwhile (the push): no need to ask. */
		if (test_bit(index, pc->missing))
			out[n++] = index;
	}
	spin_unlock(&pc->lock);
	return n;
}

bool kmig_postcopy_has_requests(struct kmig_postcopy *pc)
{
	return READ_ONCE(pc->ring_len);
}

unsigned int kmig_postcopy_unrequested(struct kmig_postcopy *pc,
				       unsigned long *next, pgoff_t *out,
				       unsigned int max)
{
	unsigned long i = *next;
	unsigned int n = 0;

	spin_lock(&pc->lock);
	for (i = find_next_bit(pc->missing, pc->npages, i);
	     i < pc->npages && n < max;
	     i = find_next_bit(pc->missing, pc->npages, i + 1)) {
		if (__test_and_set_bit(i, pc->requested))
			continue;
		out[n++] = i;
	}
	spin_unlock(&pc->lock);
	*next = i;
	if (n)
		atomic64_add(n, &pc->requested_pages);
	return n;
}

void kmig_postcopy_kick(struct kmig_postcopy *pc)
{
	wake_up_all(&pc->req_wq);
}

void kmig_postcopy_pause(struct kmig_postcopy *pc)
{
	bitmap_copy(pc->unclaimed, pc->missing, pc->npages);
	spin_lock(&pc->lock);
	bitmap_zero(pc->requested, pc->npages);
	pc->ring_head = 0;
	pc->ring_len = 0;
	WRITE_ONCE(pc->epoch, pc->epoch + 1);
	spin_unlock(&pc->lock);
	wake_up_all(&pc->wq);
}

/* Installed (0), or never (-EIO); 1 while still missing. */
static int kmig_postcopy_settled(struct kmig_postcopy *pc, pgoff_t index)
{
	if (!test_bit_acquire(index, pc->missing))
		return 0;
	return kmig_postcopy_state(pc) == KMIG_POSTCOPY_FAILED ? -EIO : 1;
}

int kmig_postcopy_wait(struct kmig_postcopy *pc, pgoff_t index)
{
	u64 start = ktime_get_ns();
	unsigned int epoch;
	long left;
	int ret;

	if (index >= pc->npages)
		return -EIO;
	/* Not (or no longer) missing: nothing to wait for, nothing counted. */
	if (!kmig_postcopy_settled(pc, index))
		return 0;
	atomic64_inc(&pc->faults);
	for (;;) {
		ret = kmig_postcopy_settled(pc, index);
		if (ret <= 0)
			break;
		epoch = READ_ONCE(pc->epoch);
		left = kmig_postcopy_request(pc, index) ? MAX_SCHEDULE_TIMEOUT :
							  KMIG_POSTCOPY_RETRY;
		/* A pause forgets the requests: then ask again. */
		left = wait_event_killable_timeout(pc->wq,
						   kmig_postcopy_settled(pc, index) <= 0 ||
						   READ_ONCE(pc->epoch) != epoch,
						   left);
		if (left < 0)
			return -EINTR;
	}
	if (ret) {
		atomic64_inc(&pc->sigbus);
		return ret;
	}
	spin_lock(&pc->lock);
	kmig_hist_add(&pc->latency, ktime_get_ns() - start);
	spin_unlock(&pc->lock);
	return 0;
}

void kmig_postcopy_finish(struct kmig_postcopy *pc, bool failed)
{
	spin_lock(&pc->lock);
	if (pc->state == KMIG_POSTCOPY_ACTIVE)
		WRITE_ONCE(pc->state, failed && kmig_postcopy_nmissing(pc) ?
			   KMIG_POSTCOPY_FAILED : KMIG_POSTCOPY_DONE);
	spin_unlock(&pc->lock);
	wake_up_all(&pc->wq);
	wake_up_all(&pc->req_wq);
}

void kmig_postcopy_latency(struct kmig_postcopy *pc,
			   struct kmig_postcopy_latency *out)
{
	const struct kmig_hist *h = &pc->latency;

	spin_lock(&pc->lock);
	out->count = h->count;
	out->last = h->last;
	out->mean = h->count ? div64_u64(h->sum, h->count) : 0;
	out->p50 = kmig_hist_percentile(h, 50);
	out->p99 = kmig_hist_percentile(h, 99);
	out->max = h->max;
	spin_unlock(&pc->lock);
}

unsigned int kmig_postcopy_prefetch(unsigned long *unsent,
				    unsigned long npages, pgoff_t index,
				    unsigned int window, pgoff_t *out,
				    unsigned int room)
{
	unsigned long i, end;
	unsigned int n = 0;

	if (index >= npages)
		return 0;
	end = min_t(unsigned long, npages, index + 1 + window);
	for (i = index + 1; i < end && n < room; i++)
		if (test_and_clear_bit(i, unsent))
			out[n++] = i;
	return n;
}
