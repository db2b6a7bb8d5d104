/* SPDX-License-Identifier: GPL-2.0 */
/*
 * COLO (coarse-grained lock-stepping): after a live migration's switchover
 * the primary (source) and the secondary (destination) stay connected and
 * both guests run. Every checkpoint interval, or when a VMM asks, both
 * VMMs pause, the primary sends the pages it dirtied since the last
 * checkpoint over every channel, and the secondary's channel threads
 * receive them into the COLO cache: a copy of the last committed
 * checkpoint of every page that exists. When every channel has reached the
 * checkpoint's SYNC, the secondary flushes from the cache into its region
 * every page the primary sent and every page its own VMM dirtied since the
 * last checkpoint, acknowledges, and both VMMs resume.
 *
 * The region is only written by the flush, which starts once every page of
 * the checkpoint has arrived and runs to its end without the network: a
 * lost primary leaves the region at the last committed checkpoint.
 */
#ifndef _KMIG_COLO_H
#define _KMIG_COLO_H

#include <linux/types.h>
#include <linux/bits.h>
#include <linux/xarray.h>
#include <linux/atomic.h>
#include <uapi/linux/kmig.h>

struct kmig_mig;
struct kmig_region;
struct page;

/*
 * Latency histogram: 16 linear buckets per power of two, so a percentile
 * is the upper bound of its bucket, within 1/16 above the true value.
 */
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

#define KMIG_COLO_METRICS	(KMIG_COLO_METRIC_PAUSE + 1)

struct kmig_colo_latency {
	u64 count;
	u64 last;
	u64 mean;
	u64 p50;
	u64 p99;
	u64 max;
};

/*
 * The secondary's checkpoint state machine. Channel threads report the
 * CHECKPOINT packet (begin) and the end of its data (synced), the VMM its
 * pause (paused); the main thread flushes once both are in, then commits.
 * Every out-of-order step is refused (-EPROTO from the network, -EINVAL
 * from the VMM) and leaves the state unchanged.
 */
enum kmig_colo_phase {
	KMIG_COLO_RUNNING,	/* between checkpoints */
	KMIG_COLO_OPEN,		/* CHECKPOINT N seen: data, VMM pause */
	KMIG_COLO_FLUSHING,	/* data and pause in: flushing */
};

struct kmig_colo_sm {
	enum kmig_colo_phase phase;
	u64 committed;		/* last committed checkpoint */
	u64 open;		/* checkpoint being taken (committed + 1) */
	bool synced;		/* every channel reached its SYNC */
	bool paused;		/* the VMM acknowledged the pause */
};

void kmig_colo_sm_init(struct kmig_colo_sm *sm);
int kmig_colo_sm_begin(struct kmig_colo_sm *sm, u64 n);
int kmig_colo_sm_synced(struct kmig_colo_sm *sm);
int kmig_colo_sm_paused(struct kmig_colo_sm *sm, u64 n);
/* True (and FLUSHING) when data and pause are in. */
bool kmig_colo_sm_flush(struct kmig_colo_sm *sm);
void kmig_colo_sm_commit(struct kmig_colo_sm *sm);
/* The flush failed before changing the region: back to RUNNING. */
void kmig_colo_sm_abort(struct kmig_colo_sm *sm);
/*
 * The peer is lost: the checkpoint the region holds. A flush in progress
 * is finished first (it needs nothing from the network), so FLUSHING
 * counts as committed; anything earlier leaves the last committed one.
 */
u64 kmig_colo_sm_lost(const struct kmig_colo_sm *sm);

/* COLO cache: page index -> a page of the last committed checkpoint. */
struct kmig_colo_cache {
	struct xarray pages;
	atomic_long_t npages;
};

void kmig_colo_cache_init(struct kmig_colo_cache *cache);
/* Copy every populated page of @region in; -ENOMEM leaves it partial. */
int kmig_colo_cache_fill(struct kmig_colo_cache *cache,
			 struct kmig_region *region);
/* The page at @index with a reference, or NULL. */
struct page *kmig_colo_cache_get(struct kmig_colo_cache *cache, pgoff_t index);
/* Install a new page (takes the allocation); a racing one is kept. */
int kmig_colo_cache_install(struct kmig_colo_cache *cache, pgoff_t index,
			    struct page *page);
void kmig_colo_cache_destroy(struct kmig_colo_cache *cache);

/*
 * Copy the cache into @region for every bit of @bits (npages bits): a
 * cached page is copied (a page is allocated first where the region has
 * none), an uncached page is zero in the checkpoint and clears a
 * populated region page. Every allocation is made before the first copy,
 * so -ENOMEM leaves the region's contents as they were. Returns the
 * pages flushed.
 */
long kmig_colo_flush(struct kmig_colo_cache *cache, struct kmig_region *region,
		     const unsigned long *bits);

/* Per-migration COLO state (struct kmig_mig::colo). */
struct kmig_colo {
	u32 interval_ms;
	struct kmig_colo_sm sm;		/* secondary; under the mig lock */
	bool active;			/* secondary channels fill the cache */
	bool request;			/* primary: colo-checkpoint asked */
	bool bye_wanted;		/* primary: a user's cancel */
	int bye;			/* primary: 1 CANCEL sent, -1 not */
	u64 pause_for;			/* checkpoint the VMM is asked for */
	u64 paused;			/* last checkpoint the VMM paused for */
	u64 base_pass;			/* pass of checkpoint N: base + N */
	u64 begin_ns;			/* secondary: CHECKPOINT received */
	u64 transfer_ns;		/* secondary: to the last SYNC */

	struct kmig_colo_cache cache;	/* secondary */
	unsigned long *ckpt_bits;	/* secondary: received this checkpoint */
	unsigned long *flush_bits;	/* secondary: own dirty pages */
	atomic64_t ckpt_pages;		/* this checkpoint */
	u64 ckpt_bytes0;		/* channel bytes at its start */

	/* Figures, under the mig lock. */
	u64 checkpoints;
	u64 last_pages;
	u64 last_bytes;
	struct kmig_hist hist[KMIG_COLO_METRICS];
};

struct kmig_colo *kmig_colo_alloc(struct kmig_region *region, bool secondary,
				  u32 interval_ms);
void kmig_colo_free(struct kmig_colo *colo);
void kmig_colo_latency(const struct kmig_colo *colo,
		       struct kmig_colo_latency *out);

/*
 * Main threads (migration.c): the COLO phase, until the migration stops.
 * The primary's checkpoint N goes as pass @base + N.
 */
void kmig_colo_primary(struct kmig_mig *mig, u64 base);
void kmig_colo_secondary(struct kmig_mig *mig);

/*
 * A user's cancel of a COLO primary (kmig_mig_cancel()): ask for the
 * goodbye before the stop, wait for it after, then kick the channels.
 */
bool kmig_colo_bye_ask(struct kmig_mig *mig);
void kmig_colo_bye_wait(struct kmig_mig *mig);

/* Channel threads of a secondary: CHECKPOINT, DATA allowed, a page in. */
int kmig_colo_rx_begin(struct kmig_mig *mig, u64 n);
/* CANCEL: the primary ended COLO on purpose; -EPROTO outside COLO. */
int kmig_colo_rx_cancel(struct kmig_mig *mig);
bool kmig_colo_rx_open(struct kmig_mig *mig);
void kmig_colo_rx_mark(struct kmig_mig *mig, pgoff_t index);

#endif /* _KMIG_COLO_H */
