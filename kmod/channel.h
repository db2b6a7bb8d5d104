/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Channel threads: on a source each sends the batches the dispatcher
 * queues for it; on a destination each validates and applies the packets
 * of its connection. One kthread per channel, bound to a CPU.
 */
#ifndef _KMIG_CHANNEL_H
#define _KMIG_CHANNEL_H

struct kmig_channel;
struct kmig_mig;

int kmig_channel_init(struct kmig_mig *mig, struct kmig_channel *ch,
		      unsigned int id);
void kmig_channel_uninit(struct kmig_channel *ch);

/* Create, bind and wake the channel's thread. */
int kmig_channel_start(struct kmig_channel *ch);
/* Stop the thread (its socket must be shut down first). */
void kmig_channel_stop(struct kmig_channel *ch);

#endif /* _KMIG_CHANNEL_H */
