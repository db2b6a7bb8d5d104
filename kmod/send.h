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

struct kmig_batch;

/*
 * Start a source channel's thread (its handshake is done), running @fn
 * (NULL: the send thread below; postcopy's channel 0 has its own).
 */
int kmig_send_start(struct kmig_channel *ch, int (*fn)(void *data));

/*
 * A channel's send loop: the batches queued for it, until the queue stops,
 * the channel is done or fails (the migration failed with the reason).
 * Returns 1 right after channel 0 sent POSTCOPY (its thread serves the
 * requests from there), else 0.
 */
int kmig_send_run(struct kmig_channel *ch);
/* After kmig_send_run(): the channel's socket is free, then park. */
void kmig_send_park(struct kmig_channel *ch);
/*
 * One DATA packet of batch @b (split into data and zero pages here),
 * within the bandwidth limit when @throttle.
 */
int kmig_send_batch(struct kmig_channel *ch, struct kmig_batch *b,
		    bool throttle);
/* A header-only packet of @type and @pass; returns the bytes sent. */
int kmig_send_control(struct kmig_channel *ch, u16 type, u64 pass);

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
