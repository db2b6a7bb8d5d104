/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The per-migration COLO state (struct kmig_mig::colo): the secondary's
 * checkpoint state machine, the COLO cache and the page sink into it,
 * the bitmaps of a checkpoint, the latency figures. Its fields are under
 * the migration's lock (@lock), unless said otherwise. The checkpoint
 * loops that drive it are in colo.c (colo.h).
 */
#ifndef _KMIG_COLO_STATE_H
#define _KMIG_COLO_STATE_H

#include <linux/types.h>
#include <linux/atomic.h>
#include <linux/spinlock.h>
#include <uapi/linux/kmig.h>

#include "hist.h"
#include "colo_sm.h"
#include "colo_cache.h"
#include "sink.h"
#include "mig_info.h"

struct kmig_region;

/* Per-migration COLO state (struct kmig_mig::colo). */
struct kmig_colo {
	spinlock_t *lock;		/* the migration's (mig->lock) */
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

/* @lock: the migration's, which guards the fields it says. */
struct kmig_colo *kmig_colo_alloc(struct kmig_region *region, spinlock_t *lock,
				  bool secondary, u32 interval_ms);
void kmig_colo_free(struct kmig_colo *colo);
/* The latency figures; the caller holds colo->lock. */
void kmig_colo_latency(const struct kmig_colo *colo,
		       struct kmig_colo_latency *out);

#endif /* _KMIG_COLO_STATE_H */
