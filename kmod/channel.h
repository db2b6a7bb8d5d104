/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A channel of a migration: one kthread, bound to a CPU, and one TCP
 * connection. On a source its thread sends the batches the dispatcher
 * queues for it (send.c); on a destination it validates and applies the
 * packets of its connection (receive.c). This header: the channel object,
 * its lifecycle and the packet I/O both directions share (channel.c).
 */
#ifndef _KMIG_CHANNEL_H
#define _KMIG_CHANNEL_H

#include <linux/types.h>
#include <linux/atomic.h>

#include "wire.h"
#include "sock.h"
#include "sink.h"

struct kmig_mig;
struct task_struct;
struct page;

/* A channel's buf: header, the largest offset block, a CRC. */
#define KMIG_CH_BUF_SIZE	(KMIG_WIRE_HDR_SIZE + \
				 KMIG_WIRE_MAX_PAGES_LIMIT * KMIG_WIRE_OFFSET_SIZE + \
				 KMIG_WIRE_CRC_SIZE)

/* One channel: a kthread and a TCP connection. */
struct kmig_channel {
	struct kmig_mig *mig;
	unsigned int id;
	int cpu;
	struct task_struct *task;	/* with a task reference */
	struct kmig_sock ks;		/* socket and saved callbacks */
	bool expect_close;		/* the peer may close now */
	bool done;			/* COMPLETE exchanged */
	bool parked;			/* source: the send thread is done */
	u64 seq;			/* next packet number */
	u64 pass;
	struct kmig_wire_limits lim;	/* destination: from the hello */
	bool crc;			/* packets carry a CRC-32C */
	void *bounce;			/* crc: one packet's data pages */

	atomic64_t pages;
	atomic64_t zero_pages;
	atomic64_t bytes;
	atomic64_t packets;

	/* Header plus offset block, on both sides. */
	u8 *buf;
	u64 *offs;			/* offsets of one packet */
	struct page **rxpages;		/* destination: pages of a packet */
	unsigned long *rxnew;		/* destination: rxpages[i] is new */
	struct kmig_region_sink sink;	/* destination: the region */
};

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

/* For the channel threads (send.c, receive.c). */

/*
 * Sleep until kthread_stop(), without counting as load or hung; also for
 * the bench sender and the KUnit consumer threads once they are done.
 */
void kmig_channel_park(void);
/* One packet of @pages pages (@zero of them zero) and @bytes bytes. */
void kmig_channel_count(struct kmig_channel *ch, u64 pages, u64 zero,
			u64 bytes);
/*
 * Integrity (ch->crc): the CRC-32C of a packet follows it. @at gets the
 * CRC of @a and @b, big-endian.
 */
int kmig_channel_put_crc(struct kmig_channel *ch, u8 *at, const void *a,
			 size_t alen, const void *b, size_t blen);
/*
 * Read the CRC-32C after a packet (@a and @b) and check it before anything
 * of the packet is used. 0 when it matches; on a mismatch the migration
 * fails (reason, counter) and -EILSEQ is returned; another negative errno
 * when the receive failed.
 */
int kmig_channel_check_crc(struct kmig_channel *ch, const void *a,
			   size_t alen, const void *b, size_t blen);

#endif /* _KMIG_CHANNEL_H */
