/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The batch queue between a source's dispatcher and its channel threads,
 * after QEMU's multifd: the dispatcher walks the populated pages of the
 * region, fills batches of up to KMIG_BATCH_PAGES pages (holding a
 * reference on each page) and hands each full batch to the next channel
 * whose slot is free; each channel takes its batch, sends it and gives it
 * back. Two batches per channel circulate, so a channel always has the
 * next batch waiting while it sends one. Control batches (SYNC, COMPLETE)
 * go to every channel. Nothing here knows about sockets, so the KUnit
 * suite drives it with plain consumer threads.
 */
#ifndef _KMIG_QUEUE_H
#define _KMIG_QUEUE_H

#include <linux/types.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <linux/bitmap.h>
#include <uapi/linux/kmig.h>

#include "wire.h"

struct kmig_region;
struct page;

#define KMIG_BATCH_PAGES	KMIG_WIRE_DEFAULT_MAX_PAGES	/* 128, 512 KiB */

enum kmig_batch_kind {
	KMIG_BATCH_DATA,
	KMIG_BATCH_SYNC,
	KMIG_BATCH_COMPLETE,
	KMIG_BATCH_CHECKPOINT,	/* COLO: checkpoint @pass begins */
	KMIG_BATCH_MISSING,	/* postcopy: index[] only, no pages */
	KMIG_BATCH_POSTCOPY,	/* postcopy begins at @pass */
};

struct kmig_batch {
	enum kmig_batch_kind kind;
	unsigned int n;			/* pages */
	bool checked;			/* zero[] is valid */
	unsigned int nzero;		/* bits set in zero[] */
	u64 pass;
	pgoff_t index[KMIG_BATCH_PAGES];
	struct page *pages[KMIG_BATCH_PAGES];	/* one reference each */
	DECLARE_BITMAP(zero, KMIG_BATCH_PAGES);
	/* kmig_batch_split()'s room for the zero pages while it moves them. */
	pgoff_t zindex[KMIG_BATCH_PAGES];
	struct page *zpages[KMIG_BATCH_PAGES];
};

struct kmig_queue_slot {
	struct kmig_batch *batch;	/* waiting for the channel, or NULL */
	wait_queue_head_t wq;		/* the channel waits here */
};

struct kmig_queue {
	spinlock_t lock;		/* slots, pool, next, stopped; _bh */
	wait_queue_head_t wq;		/* the dispatcher waits here */
	unsigned int nch;
	unsigned int next;		/* round robin start */
	unsigned int first;		/* channels below take no batch */
	bool stopped;
	enum kmig_zero_detect zero_detect;
	struct kmig_queue_slot *slots;
	struct kmig_batch **free;	/* pool of 2 * nch batches */
	unsigned int nfree;
	unsigned int nbatches;
};

int kmig_queue_init(struct kmig_queue *q, unsigned int nch,
		    enum kmig_zero_detect zero_detect);
/* Drops the pages of batches still queued; consumers must be gone. */
void kmig_queue_uninit(struct kmig_queue *q);

/*
 * Dispatcher: queue every populated page of @region, in page order, as
 * DATA batches of @pass; *pages counts them. With zero detection "main"
 * each batch is checked here before it is queued. Returns 0, or
 * -ECANCELED once the queue is stopped.
 */
int kmig_queue_pass(struct kmig_queue *q, struct kmig_region *region,
		    u64 pass, u64 *pages);
/*
 * Dispatcher: queue the pages whose bits are set in @bits (npages bits,
 * each cleared atomically as it is taken: in postcopy channel 0 takes
 * from the same bitmap) as DATA batches of @pass. Pages that do not
 * exist (never populated) are skipped.
 */
int kmig_queue_bitmap(struct kmig_queue *q, struct kmig_region *region,
		      unsigned long *bits, u64 pass, u64 *pages);

/*
 * Dispatcher, postcopy: the pages set in @bits (left set) as MISSING
 * batches of @pass; *pages counts them.
 */
int kmig_queue_missing(struct kmig_queue *q, struct kmig_region *region,
		       const unsigned long *bits, u64 pass, u64 *pages);
/*
 * From now on channels below @first get no batch (postcopy: channel 0
 * serves requests). Control batches go to channels @first and up.
 */
void kmig_queue_set_first(struct kmig_queue *q, unsigned int first);

/* Dispatcher: one SYNC or COMPLETE batch to every channel (from first). */
int kmig_queue_control(struct kmig_queue *q, enum kmig_batch_kind kind,
		       u64 pass);
/* Dispatcher: wait until every batch is back in the pool. */
int kmig_queue_drain(struct kmig_queue *q);

/* Channel @ch: the next batch, or NULL once the queue is stopped. */
struct kmig_batch *kmig_queue_take(struct kmig_queue *q, unsigned int ch);
/* Channel: give a batch back (drops its page references). */
void kmig_queue_put(struct kmig_queue *q, struct kmig_batch *b);

/* Stop: every waiter returns; later calls fail. */
void kmig_queue_stop(struct kmig_queue *q);
/*
 * Postcopy recovery, with no consumer running: every batch back in the
 * pool (page references dropped), stopped no more, every channel taking
 * batches again.
 */
void kmig_queue_restart(struct kmig_queue *q);

/*
 * Check the pages of a DATA batch for zero (if not done yet) and order it
 * data pages first, zero pages after, as the wire wants them. Returns the
 * number of data pages.
 */
unsigned int kmig_batch_split(struct kmig_batch *b, bool detect);

/*
 * Token bucket shared by the channels of a migration: @rate bytes per
 * second, bursts up to a tenth of a second. kmig_rate_take() returns how
 * long (ns) the caller must wait before sending @bytes (0: go now) and
 * charges them. Pure arithmetic on @now_ns, for KUnit.
 */
struct kmig_rate {
	spinlock_t lock;	/* the three below; _bh */
	u64 rate;		/* bytes per second, 0: unlimited */
	u64 tokens;		/* bytes that may go now */
	u64 last_ns;
};

void kmig_rate_init(struct kmig_rate *r, u64 rate, u64 now_ns);
u64 kmig_rate_take(struct kmig_rate *r, u64 bytes, u64 now_ns);

/*
 * Convergence arithmetic: the downtime to expect for @remaining bytes at
 * @bandwidth bytes per second (U64_MAX when nothing was measured yet).
 */
u64 kmig_expected_downtime_ns(u64 remaining, u64 bandwidth);

#endif /* _KMIG_QUEUE_H */
