// SPDX-License-Identifier: GPL-2.0
/*
 * The COLO secondary's checkpoint state machine (colo_sm.h). Pure: no
 * locking, the user serialises (struct kmig_colo: the migration lock).
 */
#include <linux/errno.h>
#include <linux/string.h>

#include "colo_sm.h"

void kmig_colo_sm_init(struct kmig_colo_sm *sm)
{
	memset(sm, 0, sizeof(*sm));
	sm->phase = KMIG_COLO_RUNNING;
}

int kmig_colo_sm_begin(struct kmig_colo_sm *sm, u64 n)
{
	/* Every channel carries the CHECKPOINT: the first one opens it. */
	if (sm->phase == KMIG_COLO_OPEN && n == sm->open && !sm->synced)
		return 0;
	if (sm->phase != KMIG_COLO_RUNNING || n != sm->committed + 1)
		return -EPROTO;
	sm->phase = KMIG_COLO_OPEN;
	sm->open = n;
	sm->synced = false;
	sm->paused = false;
	return 1;
}

int kmig_colo_sm_synced(struct kmig_colo_sm *sm)
{
	if (sm->phase != KMIG_COLO_OPEN || sm->synced)
		return -EPROTO;
	sm->synced = true;
	return 0;
}

int kmig_colo_sm_paused(struct kmig_colo_sm *sm, u64 n)
{
	if (sm->phase != KMIG_COLO_OPEN || n != sm->open || sm->paused)
		return -EINVAL;
	sm->paused = true;
	return 0;
}

bool kmig_colo_sm_flush(struct kmig_colo_sm *sm)
{
	if (sm->phase != KMIG_COLO_OPEN || !sm->synced || !sm->paused)
		return false;
	sm->phase = KMIG_COLO_FLUSHING;
	return true;
}

void kmig_colo_sm_commit(struct kmig_colo_sm *sm)
{
	if (sm->phase != KMIG_COLO_FLUSHING)
		return;
	sm->committed = sm->open;
	sm->phase = KMIG_COLO_RUNNING;
	sm->synced = false;
	sm->paused = false;
}

void kmig_colo_sm_abort(struct kmig_colo_sm *sm)
{
	sm->phase = KMIG_COLO_RUNNING;
	sm->synced = false;
	sm->paused = false;
}

u64 kmig_colo_sm_lost(const struct kmig_colo_sm *sm)
{
	return sm->phase == KMIG_COLO_FLUSHING ? sm->open : sm->committed;
}
