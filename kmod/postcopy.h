/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Postcopy's missing-page map (struct kmig_postcopy): on a destination
 * that switched to postcopy, the pages whose contents are still on the
 * source. A fault on one of them queues a page request (merged with any
 * other for the same page) and sleeps until the page is installed, or
 * gets SIGBUS once it never can be. Each page received is applied once:
 * the first copy claims it, every later one is discarded. Also the
 * source's prefetch window, a pure function of its unsent-page bitmap.
 *
 * Layering: nothing here knows regions, channels or sockets. The
 * destination's receive path claims and installs pages, its main thread
 * sends the requests (listener.c), the region holds the published map
 * (region.h, RCU) for its fault handler (device.c).
 */
#ifndef _KMIG_POSTCOPY_H
#define _KMIG_POSTCOPY_H

#include <linux/types.h>
#include <linux/kref.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <linux/atomic.h>
#include <linux/mm_types.h>

#include "hist.h"

/* Page requests waiting for the request sender, at most. */
#define KMIG_POSTCOPY_REQ_RING		1024
/* Default and largest prefetch window (pages after a requested one). */
#define KMIG_POSTCOPY_PREFETCH_DEFAULT	16
#define KMIG_POSTCOPY_PREFETCH_MAX	64

enum kmig_postcopy_state {
	KMIG_POSTCOPY_ACTIVE,	/* pages arrive; faults wait for them */
	KMIG_POSTCOPY_DONE,	/* no page is missing any more */
	KMIG_POSTCOPY_FAILED,	/* missing pages never come: SIGBUS */
};

struct kmig_postcopy {
	struct kref ref;
	unsigned long npages;
	/* Set: the page's contents are still on the source. */
	unsigned long *missing;
	/* Set: missing and no received copy has claimed it yet. */
	unsigned long *unclaimed;
	/* Set: a request for the page was queued (merges faults). */
	unsigned long *requested;
	atomic_long_t nmissing;
	enum kmig_postcopy_state state;	/* READ_ONCE; set under @lock */
	unsigned int epoch;		/* a pause: requests to be asked again */

	wait_queue_head_t wq;		/* faulting threads */
	wait_queue_head_t req_wq;	/* the request sender */

	spinlock_t lock;		/* the ring, state, latency */
	pgoff_t ring[KMIG_POSTCOPY_REQ_RING];
	unsigned int ring_head;		/* next to take */
	unsigned int ring_len;
	struct kmig_hist latency;	/* fault to page installed, ns */

	atomic64_t faults;		/* faults that waited for a page */
	atomic64_t requested_pages;	/* pages put in requests */
	atomic64_t requests;		/* REQUEST packets sent */
	atomic64_t served_pages;	/* pages applied from answers */
	atomic64_t pushed_pages;	/* pages applied from the push */
	atomic64_t discarded;		/* copies received after the first */
	atomic64_t sigbus;		/* faults answered with SIGBUS */
};

struct kmig_postcopy *kmig_postcopy_alloc(unsigned long npages);
void kmig_postcopy_get(struct kmig_postcopy *pc);
void kmig_postcopy_put(struct kmig_postcopy *pc);

/* Before postcopy is active (MISSING): @index's contents are stale. */
void kmig_postcopy_mark_missing(struct kmig_postcopy *pc, pgoff_t index);

static inline bool kmig_postcopy_is_missing(struct kmig_postcopy *pc,
					    pgoff_t index)
{
	return index < pc->npages && test_bit(index, pc->missing);
}

static inline unsigned long kmig_postcopy_nmissing(struct kmig_postcopy *pc)
{
	return atomic_long_read(&pc->nmissing);
}

/*
 * Receive path: true when this copy of @index is the one to apply (the
 * page is missing and no copy claimed it before); the caller then
 * installs it and calls kmig_postcopy_arrived(). False: discard it.
 */
bool kmig_postcopy_claim(struct kmig_postcopy *pc, pgoff_t index);
/*
 * A claimed page is installed: it is no longer missing. Wakes nobody;
 * kmig_postcopy_wake() after a packet's pages. True when it was the last.
 */
bool kmig_postcopy_arrived(struct kmig_postcopy *pc, pgoff_t index);
void kmig_postcopy_wake(struct kmig_postcopy *pc);

/*
 * Queue a request for @index unless one is queued already. False when the
 * ring is full (the caller waits a little and asks again).
 */
bool kmig_postcopy_request(struct kmig_postcopy *pc, pgoff_t index);
/* The request sender: up to @max queued page indices, oldest first. */
unsigned int kmig_postcopy_take(struct kmig_postcopy *pc, pgoff_t *out,
				unsigned int max);
bool kmig_postcopy_has_requests(struct kmig_postcopy *pc);
/*
 * The sweep after the push: up to @max pages from *@next on that are
 * missing and were never asked for, now marked asked; *@next moves past
 * them. Returns how many.
 */
unsigned int kmig_postcopy_unrequested(struct kmig_postcopy *pc,
				       unsigned long *next, pgoff_t *out,
				       unsigned int max);
/* Wake the request sender (its migration is stopping). Any context. */
void kmig_postcopy_kick(struct kmig_postcopy *pc);

/*
 * A thread that touched missing page @index: request it and sleep until
 * it is installed (0), postcopy failed (-EIO) or a fatal signal (-EINTR).
 * The time from the start of the wait to the page is added to the
 * latency (pages that came only: a failure is not a latency).
 */
int kmig_postcopy_wait(struct kmig_postcopy *pc, pgoff_t index);

/*
 * Postcopy paused, no channel thread running: copies claimed but never
 * installed are unclaimed again, the requests are forgotten and every
 * waiting fault asks again (it goes on waiting for its page).
 */
void kmig_postcopy_pause(struct kmig_postcopy *pc);

/* End: DONE once nothing is missing, FAILED otherwise; wakes every waiter. */
void kmig_postcopy_finish(struct kmig_postcopy *pc, bool failed);

static inline enum kmig_postcopy_state
kmig_postcopy_state(struct kmig_postcopy *pc)
{
	return READ_ONCE(pc->state);
}

struct kmig_postcopy_latency {
	u64 count;
	u64 last;
	u64 mean;
	u64 p50;
	u64 p99;
	u64 max;
};

void kmig_postcopy_latency(struct kmig_postcopy *pc,
			   struct kmig_postcopy_latency *out);

/*
 * Source: the prefetch window after requested page @index: the pages of
 * (@index, @index + @window] still set in @unsent (cleared as they are
 * taken, atomically: the push takes from the same bitmap), at most @room
 * of them, into @out. Returns how many.
 */
unsigned int kmig_postcopy_prefetch(unsigned long *unsent,
				    unsigned long npages, pgoff_t index,
				    unsigned int window, pgoff_t *out,
				    unsigned int room);

#endif /* _KMIG_POSTCOPY_H */
