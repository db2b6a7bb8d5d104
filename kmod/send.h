/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The send path of a source: the dispatcher (precopy.c, and the COLO
 * primary's loop) queues passes; each channel's thread turns the batches
 * of the queue into DATA, SYNC, COMPLETE and CHECKPOINT packets.
 */
#ifndef _KMIG_SEND_H
#define _KMIG_SEND_H

#include <linux/types.h>

struct kmig_channel;
struct kmig_mig;

/* Start a source channel's thread (its handshake is done). */
int kmig_send_start(struct kmig_channel *ch);

/*
 * Dispatcher: queue one pass (all populated pages, or @bits) and end it
 * with SYNC, and wait until every batch of it has been sent.
 */
int kmig_send_pass(struct kmig_mig *mig, u64 pass, unsigned long *bits);
/* Source channel: wait for the bandwidth limit before sending @bytes. */
void kmig_send_throttle(struct kmig_mig *mig, u64 bytes);

/* A COLO primary's CANCEL, once the channel's send thread is parked. */
int kmig_send_cancel(struct kmig_channel *ch);

#endif /* _KMIG_SEND_H */
