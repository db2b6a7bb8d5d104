/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Channel threads: on a source each sends the batches the dispatcher
 * queues for it; on a destination each validates and applies the packets
 * of its connection. One kthread per channel, bound to a CPU.
 */
#ifndef _KMIG_CHANNEL_H
#define _KMIG_CHANNEL_H

#include <linux/types.h>

struct kmig_channel;
struct kmig_mig;

int kmig_channel_init(struct kmig_mig *mig, struct kmig_channel *ch,
		      unsigned int id);
void kmig_channel_uninit(struct kmig_channel *ch);

/* Create, bind and wake the channel's thread. */
int kmig_channel_start(struct kmig_channel *ch);
/* Stop the thread (its socket must be shut down first). */
void kmig_channel_stop(struct kmig_channel *ch);

/*
 * A header-only packet (an acknowledgment) of @len bytes in @buf, which
 * has room for KMIG_WIRE_CRC_SIZE more: with integrity its CRC-32C is
 * appended, sent, or received and checked (-EILSEQ on a mismatch, after
 * failing the migration).
 */
int kmig_channel_send_small(struct kmig_channel *ch, u8 *buf, size_t len);
int kmig_channel_recv_small(struct kmig_channel *ch, u8 *buf, size_t len);

/* A COLO primary's CANCEL, once the channel's send thread is parked. */
int kmig_channel_send_cancel(struct kmig_channel *ch);

#endif /* _KMIG_CHANNEL_H */
