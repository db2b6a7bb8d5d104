// SPDX-License-Identifier: GPL-2.0
/*
 * The send path of a source (send.h): the dispatcher queues a pass, and
 * each channel's thread takes the batches queued for it and sends each
 * as DATA (header, offset block, data pages spliced or, with integrity,
 * copied), SYNC, COMPLETE (then waits for its acknowledgment) or
 * CHECKPOINT, within the bandwidth limit; and a COLO primary's CANCEL.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/highmem.h>
#include <linux/sched.h>
#include <linux/ktime.h>
#include <linux/wait.h>

#include "send.h"
#include "channel.h"
#include "mig.h"
#include "packet.h"
#include "prof.h"
#include "queue.h"
#include "region.h"
#include "wire.h"

/* A source waits this long for the acknowledgment of its COMPLETE. */
#define KMIG_ACK_TIMEOUT	(60 * HZ)

/* Header and offset block of a packet in ch->buf; returns the length. */
static int kmig_send_encode_hdr(struct kmig_channel *ch, u16 type,
				const struct kmig_batch *b, u32 data,
				u32 zero)
{
	struct kmig_wire_hdr hdr = {
		.type = type,
		.seq = ch->seq,
		.data_pages = data,
		.zero_pages = zero,
		.pass = b->pass,
	};
	u64 *offs = ch->offs;
	size_t len = KMIG_WIRE_HDR_SIZE;
	unsigned int i;
	int ret;

	ret = kmig_wire_hdr_encode(ch->buf, KMIG_CH_BUF_SIZE, &hdr);
	if (ret < 0)
		return -EINVAL;
	if (data + zero) {
		for (i = 0; i < data + zero; i++)
			offs[i] = (u64)b->index[i] << PAGE_SHIFT;
		ret = kmig_wire_offsets_encode(ch->buf + len,
					       KMIG_CH_BUF_SIZE - len, offs,
					       data + zero);
		if (ret < 0)
			return -EINVAL;
		len += ret;
	}
	return len;
}

/*
 * Send the packet of @len bytes encoded in ch->buf, which has no data
 * pages (its CRC appended with integrity); returns the bytes sent. @more:
 * more packets follow at once (MSG_MORE, see kmig_send_more()).
 */
static int kmig_send_encoded(struct kmig_channel *ch, int len, bool more)
{
	int ret;

	if (len < 0)
		return len;
	if (ch->crc) {
		ret = kmig_packet_put_crc(ch, ch->buf + len, ch->buf, len,
					  NULL, 0);
		if (ret)
			return ret;
		len += KMIG_WIRE_CRC_SIZE;
	}
	ret = kmig_sock_send(ch->ks.sock, ch->buf, len, more);
	if (ret)
		return ret;
	ch->seq++;
	return len;
}

/* A SYNC, COMPLETE or CHECKPOINT; returns the bytes sent. */
static int kmig_send_hdr(struct kmig_channel *ch, u16 type,
			 const struct kmig_batch *b)
{
	return kmig_send_encoded(ch, kmig_send_encode_hdr(ch, type, b, 0, 0),
				 false);
}

/*
 * A DATA packet is always followed by more: the next batch, or the SYNC,
 * COMPLETE or CHECKPOINT that ends every pass and is sent without
 * MSG_MORE. So DATA goes with MSG_MORE and TCP fills its segments: a
 * packet of zero pages (a header and 8 bytes per page) no longer costs a
 * segment, and a wakeup of the receiver, of its own.
 */
static bool kmig_send_more(void)
{
	return kmig_opt(KMIG_OPT_CORK);
}

/*
 * Integrity: the data pages go through the bounce buffer, so that the
 * bytes sent are the bytes the CRC covers even while the guest writes
 * (live precopy); the socket copies them, no page is spliced.
 */
static int kmig_send_crc_data(struct kmig_channel *ch,
			      struct kmig_batch *b, int len,
			      unsigned int data, bool more)
{
	size_t dlen = (size_t)data * PAGE_SIZE;
	unsigned int i;
	int ret;

	for (i = 0; i < data; i++)
		memcpy_from_page(ch->bounce + (size_t)i * PAGE_SIZE,
				 b->pages[i], 0, PAGE_SIZE);
	ret = kmig_packet_put_crc(ch, ch->buf + len, ch->buf, len,
				  ch->bounce, dlen);
	if (ret)
		return ret;
	ret = kmig_sock_send(ch->ks.sock, ch->buf, len, true);
	if (ret)
		return ret;
	ch->seq++;
	ret = kmig_sock_send(ch->ks.sock, ch->bounce, dlen, true);
	if (!ret)
		ret = kmig_sock_send(ch->ks.sock, ch->buf + len,
				     KMIG_WIRE_CRC_SIZE, more);
	return ret;
}

int kmig_send_batch(struct kmig_channel *ch, struct kmig_batch *b,
		    bool answer)
{
	bool more = !answer && kmig_send_more();
	struct kmig_mig *mig = ch->mig;
	struct kmig_region *region = mig->region;
	unsigned int data, zero, copied = 0;
	u64 bytes, t;
	int len, ret;

	t = kmig_prof_start();
	data = kmig_batch_split(b, mig->cfg.zero_detect !=
				   KMIG_ZERO_DETECT_NONE);
	kmig_prof_end(KMIG_PROF_SRC_SCAN, t, b->n);
	zero = b->n - data;
	bytes = KMIG_WIRE_HDR_SIZE + (u64)b->n * KMIG_WIRE_OFFSET_SIZE +
		(u64)data * PAGE_SIZE + (ch->crc ? KMIG_WIRE_CRC_SIZE : 0);

	if (!answer)
		kmig_send_throttle(mig, bytes);
	t = kmig_prof_start();
	len = kmig_send_encode_hdr(ch, KMIG_WIRE_DATA, b, data, zero);
	kmig_prof_end(KMIG_PROF_SRC_ENCODE, t, b->n);
	t = kmig_prof_start();
	if (!data) {
		/* Zero pages only: offsets, no data block. */
		len = kmig_send_encoded(ch, len, more);
		if (len < 0)
			return len;
		goto count;
	}
	if (len < 0)
		return len;
	if (ch->crc) {
		ret = kmig_send_crc_data(ch, b, len, data, more);
		if (ret)
			return ret;
		goto count;
	}
	ret = kmig_sock_send(ch->ks.sock, ch->buf, len, true);
	if (ret)
		return ret;
	ch->seq++;
	ret = kmig_sock_send_pages(ch->ks.sock, b->pages, data, more,
				   &copied);
	if (ret)
		return ret;
	if (copied)
		kmig_mig_count_fallbacks(mig, copied);

count:
	kmig_prof_end(KMIG_PROF_SRC_SEND, t, b->n);
	kmig_channel_count(ch, b->n, zero, bytes);
	atomic64_add(b->n, &mig->pages_done);
	atomic64_add(zero, &mig->zero_pages);
	atomic64_add(data, &mig->normal_pages);
	atomic64_add(zero, &region->stats.zero_pages);
	atomic64_add((u64)zero * PAGE_SIZE, &region->stats.zero_bytes);
	atomic64_add(data, &region->stats.normal_pages);
	atomic64_add((u64)data * PAGE_SIZE, &region->stats.normal_bytes);
	return 0;
}

int kmig_send_control(struct kmig_channel *ch, u16 type, u64 pass)
{
	struct kmig_wire_hdr hdr = {
		.type = type,
		.seq = ch->seq,
		.pass = pass,
	};
	int len;

	len = kmig_wire_hdr_encode(ch->buf, KMIG_CH_BUF_SIZE, &hdr);
	return kmig_send_encoded(ch, len < 0 ? -EINVAL : len, false);
}

/* Postcopy's MISSING: the offsets of the batch, no data. */
static int kmig_send_missing(struct kmig_channel *ch, struct kmig_batch *b)
{
	int len;

	len = kmig_send_encode_hdr(ch, KMIG_WIRE_MISSING, b, 0, b->n);
	len = kmig_send_encoded(ch, len, kmig_send_more());
	if (len > 0) {
		kmig_channel_count(ch, 0, 0, len);
		len = 0;
	}
	return len;
}

/* After COMPLETE: the destination answers with a COMPLETE header. */
static int kmig_send_wait_ack(struct kmig_channel *ch, u64 pass)
{
	struct kmig_wire_limits lim = {
		.page_size = PAGE_SIZE,
		.max_pages = KMIG_BATCH_PAGES,
		.region_size = kmig_region_npages(ch->mig->region) << PAGE_SHIFT,
		.channel_count = ch->mig->nch,
	};
	struct kmig_wire_hdr hdr;
	int ret;

	kmig_sock_set_timeouts(ch->ks.sock, KMIG_ACK_TIMEOUT,
			       MAX_SCHEDULE_TIMEOUT);
	ret = kmig_packet_recv_small(ch, ch->buf, KMIG_WIRE_HDR_SIZE);
	/*
	 * -ETIME: no answer within KMIG_ACK_TIMEOUT; -ETIMEDOUT stays the
	 * socket's: TCP found the peer gone (user timeout, keepalive).
	 */
	if (ret)
		return ret == -EAGAIN ? -ETIME : ret;
	ret = kmig_wire_hdr_decode(ch->buf, KMIG_WIRE_HDR_SIZE, &lim, 0, &hdr);
	if (ret || hdr.type != KMIG_WIRE_COMPLETE || hdr.pass != pass)
		return -EPROTO;
	return 0;
}

int kmig_send_pass(struct kmig_mig *mig, u64 pass, unsigned long *bits)
{
	u64 pages;
	int ret;

	WRITE_ONCE(mig->pass, pass);
	if (bits)
		ret = kmig_queue_bitmap(&mig->queue, mig->region, bits, pass,
					&pages);
	else
		ret = kmig_queue_pass(&mig->queue, mig->region, pass, &pages);
	if (!ret)
		ret = kmig_queue_control(&mig->queue, KMIG_BATCH_SYNC, pass);
	if (!ret)
		ret = kmig_queue_drain(&mig->queue);
	return ret;
}

void kmig_send_throttle(struct kmig_mig *mig, u64 bytes)
{
	u64 wait = kmig_rate_take(&mig->rate, bytes, ktime_get_ns());

	/* In slices, so a cancel is not held up by a low limit. */
	while (wait && !kmig_mig_halted(mig)) {
		u64 slice = min_t(u64, wait, 100 * NSEC_PER_MSEC);

		wait_event_idle_timeout(mig->wq, kmig_mig_halted(mig),
					max(nsecs_to_jiffies(slice), 1UL));
		wait -= slice;
	}
}

int kmig_send_run(struct kmig_channel *ch)
{
	struct kmig_mig *mig = ch->mig;
	struct kmig_batch *b;
	bool serve = false;
	unsigned int n;
	int ret = 0;
	u64 t;

	while ((b = kmig_queue_take(&mig->queue, ch->id))) {
		switch (b->kind) {
		case KMIG_BATCH_DATA:
			ret = kmig_send_batch(ch, b, false);
			/* Postcopy's push: channels 1 and up, past POSTCOPY. */
			if (!ret && ch->pc_sent)
				atomic64_add(b->n, &mig->pc_pushed);
			break;
		case KMIG_BATCH_MISSING:
			ret = kmig_send_missing(ch, b);
			break;
		case KMIG_BATCH_POSTCOPY:
			ret = kmig_send_hdr(ch, KMIG_WIRE_POSTCOPY, b);
			if (ret > 0) {
				kmig_channel_count(ch, 0, 0, ret);
				ch->pass = b->pass;
				ch->pc_sent = true;
				serve = ch->id == 0;
				ret = 0;
			}
			break;
		case KMIG_BATCH_SYNC:
			ret = kmig_send_hdr(ch, KMIG_WIRE_SYNC, b);
			if (ret > 0) {
				kmig_channel_count(ch, 0, 0, ret);
				ch->pass = b->pass + 1;
				atomic_inc(&mig->syncs);
				ret = 0;
			}
			break;
		case KMIG_BATCH_COMPLETE:
			WRITE_ONCE(ch->expect_close, true);
			ret = kmig_send_hdr(ch, KMIG_WIRE_COMPLETE, b);
			if (ret > 0) {
				t = kmig_prof_start();
				kmig_channel_count(ch, 0, 0, ret);
				ret = kmig_send_wait_ack(ch, b->pass);
				kmig_prof_end(KMIG_PROF_SRC_ACK, t, 1);
			}
			if (!ret && mig->colo) {
				/* COLO: the channel stays for checkpoints. */
				WRITE_ONCE(ch->expect_close, false);
				kmig_mig_channel_done(ch);
			} else if (!ret) {
				ch->done = true;
			}
			break;
		case KMIG_BATCH_CHECKPOINT:
			ret = kmig_send_hdr(ch, KMIG_WIRE_CHECKPOINT, b);
			if (ret > 0) {
				kmig_channel_count(ch, 0, 0, ret);
				ret = 0;
			}
			break;
		}
		t = kmig_prof_start();
		n = b->n;
		kmig_queue_put(&mig->queue, b);
		kmig_prof_end(KMIG_PROF_SRC_RELEASE, t, n);
		if (ret) {
			if (ret == -EPROTO)
				kmig_mig_fail(mig,
					      "channel %u: bad acknowledgment of COMPLETE",
					      ch->id);
			else if (ret == -ETIME)
				kmig_mig_link_lost(mig,
						   "channel %u: no acknowledgment of COMPLETE",
						   ch->id);
			else if (ret == -ETIMEDOUT)
				kmig_mig_link_lost(mig,
						   "peer stopped responding on channel %u (TCP timeout)",
						   ch->id);
			else
				kmig_mig_link_lost(mig,
						   "channel %u: send failed: peer closed or reset (%pe)",
						   ch->id, ERR_PTR(ret));
			break;
		}
		if (ch->done) {
			kmig_mig_channel_done(ch);
			break;
		}
		if (serve)
			return 1;
	}
	return 0;
}

void kmig_send_park(struct kmig_channel *ch)
{
	/* Its socket and seq are free for a COLO goodbye from here on. */
	smp_store_release(&ch->parked, true);
	wake_up_all(&ch->mig->wq);
	kmig_channel_park();
}

static int kmig_send_thread(void *data)
{
	struct kmig_channel *ch = data;

	kmig_send_run(ch);
	kmig_send_park(ch);
	return 0;
}

int kmig_send_start(struct kmig_channel *ch, int (*fn)(void *data))
{
	struct kmig_mig *mig = ch->mig;
	int ret;

	ret = kmig_channel_alloc_bounce(ch, KMIG_BATCH_PAGES);
	if (ret)
		return ret;
	return kmig_channel_start(ch, fn ?: kmig_send_thread, "tx",
				  mig->region->id);
}

/*
 * A COLO primary's goodbye (kmig_colo_primary()): CANCEL on a channel
 * whose send thread is parked, so nothing else uses its socket or seq.
 */
int kmig_send_cancel(struct kmig_channel *ch)
{
	struct kmig_wire_hdr hdr = {
		.type = KMIG_WIRE_CANCEL,
		.seq = ch->seq,
	};
	u8 buf[KMIG_WIRE_HDR_SIZE + KMIG_WIRE_CRC_SIZE];
	int ret;

	if (kmig_wire_hdr_encode(buf, sizeof(buf), &hdr) < 0)
		return -EINVAL;
	ret = kmig_packet_send_small(ch, buf, KMIG_WIRE_HDR_SIZE);
	if (ret)
		return ret;
	ch->seq++;
	atomic64_inc(&ch->packets);	/* its bytes: counted by send_small */
	return 0;
}
