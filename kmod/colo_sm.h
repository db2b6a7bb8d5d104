/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The COLO secondary's checkpoint state machine. Channel threads report the
 * CHECKPOINT packet (begin) and the end of its data (synced), the VMM its
 * pause (paused); the main thread flushes once both are in, then commits.
 * Every out-of-order step is refused (-EPROTO from the network, -EINVAL
 * from the VMM) and leaves the state unchanged.
 */
#ifndef _KMIG_COLO_SM_H
#define _KMIG_COLO_SM_H

#include <linux/types.h>

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

#endif /* _KMIG_COLO_SM_H */
