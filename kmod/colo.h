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

#include "colo_state.h"

struct kmig_mig;
struct kmig_region;

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
