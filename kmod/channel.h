/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A channel of a migration: one kthread, bound to a CPU, and one TCP
 * connection. On a source its thread sends the batches the dispatcher
 * queues for it (send.c); on a destination it validates and applies the
 * packets of its connection (receive.c); the packet I/O both share is
 * packet.c. This header: the channel object and its lifecycle
 * (channel.c). A channel sees its migration only as an opaque back
 * pointer (@mig): the threads above it reach the migration, not it.
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
struct kmig_postcopy;

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
	bool postcopy;			/* POSTCOPY granted */
	bool pc_sent;			/* source: POSTCOPY sent */
	/* Destination: past the POSTCOPY barrier (the migration's map). */
	struct kmig_postcopy *pc;
	u64 rseq;			/* next packet number, other way */
	struct page *scratch;		/* destination: discarded copies */
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
	/* Destination, postcopy: rxpages[i] is a discarded copy's scratch. */
	DECLARE_BITMAP(rxskip, KMIG_WIRE_MAX_PAGES_LIMIT);
	struct kmig_region_sink sink;	/* destination: the region */
};

/* @dest: a destination's channel, which receives pages. */
int kmig_channel_init(struct kmig_channel *ch, struct kmig_mig *mig,
		      unsigned int id, bool dest);
void kmig_channel_uninit(struct kmig_channel *ch);

/*
 * Integrity (ch->crc): a bounce buffer of @pages pages, for the data of a
 * packet whose CRC must be checked before it is used (no-op without).
 */
int kmig_channel_alloc_bounce(struct kmig_channel *ch, unsigned int pages);
/*
 * Create, bind and wake the channel's thread, running @fn (data: the
 * channel), named kmig-<dir>/<region id>:<channel id>.
 */
int kmig_channel_start(struct kmig_channel *ch, int (*fn)(void *data),
		       const char *dir, unsigned int region_id);
/* Stop the thread (its socket must be shut down first). */
void kmig_channel_stop(struct kmig_channel *ch);
/*
 * Postcopy recovery: a stopped channel whose socket is gone, ready for a
 * new connection (packet numbers from 0, nothing done); counters kept.
 */
void kmig_channel_reset(struct kmig_channel *ch);

/* For the channel threads (send.c, receive.c). */

/*
 * Sleep until kthread_stop(), without counting as load or hung; also for
 * the bench sender and the KUnit consumer threads once they are done.
 */
void kmig_channel_park(void);
/* One packet of @pages pages (@zero of them zero) and @bytes bytes. */
void kmig_channel_count(struct kmig_channel *ch, u64 pages, u64 zero,
			u64 bytes);

#endif /* _KMIG_CHANNEL_H */
