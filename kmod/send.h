/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The send path of a source channel: its thread turns the batches of the
 * queue into DATA, SYNC, COMPLETE and CHECKPOINT packets.
 */
#ifndef _KMIG_SEND_H
#define _KMIG_SEND_H

struct kmig_channel;

/* The source channel thread (kthread function, @data: the channel). */
int kmig_send_thread(void *data);

/* A COLO primary's CANCEL, once the channel's send thread is parked. */
int kmig_send_cancel(struct kmig_channel *ch);

#endif /* _KMIG_SEND_H */
