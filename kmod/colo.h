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
#include <linux/atomic.h>
#include <uapi/linux/kmig.h>

#include "hist.h"
#include "colo_sm.h"
#include "colo_cache.h"
#include "sink.h"
#include "mig_info.h"

struct kmig_mig;
struct kmig_region;

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

	struct kmig_region *region;	/* the migration's */
	struct kmig_colo_cache cache;	/* secondary */
	struct kmig_page_sink sink;	/* secondary: into the cache */
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
/* @mig's COLO latency figures; the caller holds mig->lock. */
void kmig_colo_latency(struct kmig_mig *mig, struct kmig_colo_latency *out);

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

/*
 * Channel threads of a secondary: CHECKPOINT @n arrived (-EPROTO out of
 * order or outside COLO). The pages go through the sink (colo->sink).
 */
int kmig_colo_rx_begin(struct kmig_mig *mig, u64 n);
/* CANCEL: the primary ended COLO on purpose; -EPROTO outside COLO. */
int kmig_colo_rx_cancel(struct kmig_mig *mig);

#endif /* _KMIG_COLO_H */
