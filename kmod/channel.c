// SPDX-License-Identifier: GPL-2.0
/*
 * Channel threads (channel.h). A source channel turns batches into DATA,
 * SYNC and COMPLETE packets; a destination channel checks every header and
 * offset block with the wire codec before it reads any page data or
 * touches the region, then receives the data straight into the region's
 * pages.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kthread.h>
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/highmem.h>
#include <linux/cpumask.h>
#include <linux/sched.h>

#include "channel.h"
#include "migration.h"
#include "region.h"
#include "wire.h"
#include "limits.h"

/* A source waits this long for the acknowledgment of its COMPLETE. */
#define KMIG_ACK_TIMEOUT	(60 * HZ)

#define KMIG_CH_BUF_SIZE	(KMIG_WIRE_HDR_SIZE + \
				 KMIG_WIRE_MAX_PAGES_LIMIT * KMIG_WIRE_OFFSET_SIZE + \
				 KMIG_WIRE_CRC_SIZE)

/* The i-th online CPU, wrapping. */
static int kmig_channel_cpu(unsigned int i)
{
	unsigned int n = num_online_cpus(), k = 0;
	int cpu;

	i %= max(n, 1U);
	for_each_online_cpu(cpu)
		if (k++ == i)
			return cpu;
	return cpumask_first(cpu_online_mask);
}

int kmig_channel_init(struct kmig_mig *mig, struct kmig_channel *ch,
		      unsigned int id)
{
	ch->mig = mig;
	ch->id = id;
	ch->cpu = kmig_channel_cpu(id);
	ch->buf = kmalloc(KMIG_CH_BUF_SIZE, GFP_KERNEL);
	ch->offs = kcalloc(KMIG_WIRE_MAX_PAGES_LIMIT, sizeof(*ch->offs),
			   GFP_KERNEL);
	if (!ch->buf || !ch->offs)
		return -ENOMEM;
	if (mig->role == KMIG_MIG_ROLE_DESTINATION) {
		ch->rxpages = kcalloc(KMIG_WIRE_MAX_PAGES_LIMIT,
				      sizeof(*ch->rxpages), GFP_KERNEL);
		ch->rxnew = bitmap_zalloc(KMIG_WIRE_MAX_PAGES_LIMIT, GFP_KERNEL);
		if (!ch->offs || !ch->rxpages || !ch->rxnew)
			return -ENOMEM;
	}
	return 0;
}

void kmig_channel_uninit(struct kmig_channel *ch)
{
	kfree(ch->buf);
	kfree(ch->offs);
	kfree(ch->rxpages);
	bitmap_free(ch->rxnew);
	kvfree(ch->bounce);
	ch->bounce = NULL;
	ch->buf = NULL;
	ch->offs = NULL;
	ch->rxpages = NULL;
	ch->rxnew = NULL;
}

/* Sleep until kthread_stop(), without counting as load or hung. */
static void kmig_channel_park(void)
{
	for (;;) {
		set_current_state(TASK_IDLE);
		if (kthread_should_stop())
			break;
		schedule();
	}
	__set_current_state(TASK_RUNNING);
}

static void kmig_channel_count(struct kmig_channel *ch, u64 pages,
			       u64 zero, u64 bytes)
{
	atomic64_add(pages, &ch->pages);
	atomic64_add(zero, &ch->zero_pages);
	atomic64_add(bytes, &ch->bytes);
	atomic64_inc(&ch->packets);
}

/* Source side. */

/*
 * Integrity (ch->crc): the CRC-32C of a packet follows it. @at gets the
 * CRC of @a and @b, big-endian.
 */
static int kmig_channel_put_crc(struct kmig_channel *ch, u8 *at,
				const void *a, size_t alen, const void *b,
				size_t blen)
{
	__be32 be;
	u32 crc;
	int ret;

	ret = kmig_crc_calc(&ch->mig->crc, a, alen, b, blen, &crc);
	if (ret)
		return ret;
	be = cpu_to_be32(crc);
	memcpy(at, &be, sizeof(be));
	return 0;
}

/*
 * Read the CRC-32C after a packet (@a and @b) and check it before anything
 * of the packet is used. 0 when it matches; on a mismatch the migration
 * fails (reason, counter) and -EILSEQ is returned; another negative errno
 * when the receive failed.
 */
static int kmig_channel_check_crc(struct kmig_channel *ch, const void *a,
				  size_t alen, const void *b, size_t blen)
{
	struct kmig_mig *mig = ch->mig;
	u32 want, got;
	__be32 be;
	int ret;

	ret = kmig_sock_recv(ch->ks.sock, &be, sizeof(be));
	if (ret)
		return ret;
	atomic64_add(sizeof(be), &ch->bytes);
	ret = kmig_crc_calc(&mig->crc, a, alen, b, blen, &got);
	if (ret)
		return ret;
	want = be32_to_cpu(be);
	if (want == got)
		return 0;
	kmig_mig_count_integrity(mig);
	kmig_mig_stop(mig, KMIG_MIG_STATE_FAILED,
		      "channel %u packet %llu: CRC-32C mismatch (sent %08x, computed %08x)",
		      ch->id, ch->seq, want, got);
	kmig_mig_kick(mig);
	return -EILSEQ;
}

/* A packet without data (header only) from @buf, room for a CRC after. */
int kmig_channel_send_small(struct kmig_channel *ch, u8 *buf, size_t len)
{
	int ret;

	if (ch->crc) {
		ret = kmig_channel_put_crc(ch, buf + len, buf, len, NULL, 0);
		if (ret)
			return ret;
		len += KMIG_WIRE_CRC_SIZE;
	}
	ret = kmig_sock_send(ch->ks.sock, buf, len, false);
	if (!ret)
		atomic64_add(len, &ch->bytes);
	return ret;
}

/* Receive a header-only packet into @buf and check its CRC. */
int kmig_channel_recv_small(struct kmig_channel *ch, u8 *buf, size_t len)
{
	int ret;

	ret = kmig_sock_recv(ch->ks.sock, buf, len);
	if (ret)
		return ret;
	atomic64_add(len, &ch->bytes);
	return ch->crc ? kmig_channel_check_crc(ch, buf, len, NULL, 0) : 0;
}

/* Header and offset block of a packet in ch->buf; returns the length. */
static int kmig_channel_encode_hdr(struct kmig_channel *ch, u16 type,
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
 * pages (its CRC appended with integrity); returns the bytes sent.
 */
static int kmig_channel_send_encoded(struct kmig_channel *ch, int len)
{
	int ret;

	if (len < 0)
		return len;
	if (ch->crc) {
		ret = kmig_channel_put_crc(ch, ch->buf + len, ch->buf, len,
					   NULL, 0);
		if (ret)
			return ret;
		len += KMIG_WIRE_CRC_SIZE;
	}
	ret = kmig_sock_send(ch->ks.sock, ch->buf, len, false);
	if (ret)
		return ret;
	ch->seq++;
	return len;
}

/* A SYNC, COMPLETE or CHECKPOINT; returns the bytes sent. */
static int kmig_channel_send_hdr(struct kmig_channel *ch, u16 type,
				 const struct kmig_batch *b)
{
	return kmig_channel_send_encoded(ch, kmig_channel_encode_hdr(ch, type,
								     b, 0, 0));
}

/*
 * Integrity: the data pages go through the bounce buffer, so that the
 * bytes sent are the bytes the CRC covers even while the guest writes
 * (live precopy); the socket copies them, no page is spliced.
 */
static int kmig_channel_send_crc_data(struct kmig_channel *ch,
				      struct kmig_batch *b, int len,
				      unsigned int data)
{
	size_t dlen = (size_t)data * PAGE_SIZE;
	unsigned int i;
	int ret;

	for (i = 0; i < data; i++)
		memcpy_from_page(ch->bounce + (size_t)i * PAGE_SIZE,
				 b->pages[i], 0, PAGE_SIZE);
	ret = kmig_channel_put_crc(ch, ch->buf + len, ch->buf, len,
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
				     KMIG_WIRE_CRC_SIZE, false);
	return ret;
}

static int kmig_channel_send_data(struct kmig_channel *ch,
				  struct kmig_batch *b)
{
	struct kmig_mig *mig = ch->mig;
	struct kmig_region *region = mig->region;
	unsigned int data, zero, copied = 0;
	u64 bytes;
	int len, ret;

	data = kmig_batch_split(b, mig->cfg.zero_detect !=
				   KMIG_ZERO_DETECT_NONE);
	zero = b->n - data;
	bytes = KMIG_WIRE_HDR_SIZE + (u64)b->n * KMIG_WIRE_OFFSET_SIZE +
		(u64)data * PAGE_SIZE + (ch->crc ? KMIG_WIRE_CRC_SIZE : 0);

	kmig_mig_throttle(mig, bytes);
	len = kmig_channel_encode_hdr(ch, KMIG_WIRE_DATA, b, data, zero);
	if (!data) {
		/* Zero pages only: offsets, no data block. */
		len = kmig_channel_send_encoded(ch, len);
		if (len < 0)
			return len;
		goto count;
	}
	if (len < 0)
		return len;
	if (ch->crc) {
		ret = kmig_channel_send_crc_data(ch, b, len, data);
		if (ret)
			return ret;
		goto count;
	}
	ret = kmig_sock_send(ch->ks.sock, ch->buf, len, true);
	if (ret)
		return ret;
	ch->seq++;
	ret = kmig_sock_send_pages(ch->ks.sock, b->pages, data, false,
				   &copied);
	if (ret)
		return ret;
	if (copied)
		kmig_mig_count_fallbacks(mig, copied);

count:
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

/* After COMPLETE: the destination answers with a COMPLETE header. */
static int kmig_channel_wait_ack(struct kmig_channel *ch, u64 pass)
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
	ret = kmig_channel_recv_small(ch, ch->buf, KMIG_WIRE_HDR_SIZE);
	if (ret)
		return ret == -EAGAIN ? -ETIMEDOUT : ret;
	ret = kmig_wire_hdr_decode(ch->buf, KMIG_WIRE_HDR_SIZE, &lim, 0, &hdr);
	if (ret || hdr.type != KMIG_WIRE_COMPLETE || hdr.pass != pass)
		return -EPROTO;
	return 0;
}

static int kmig_channel_send_fn(void *data)
{
	struct kmig_channel *ch = data;
	struct kmig_mig *mig = ch->mig;
	struct kmig_batch *b;
	int ret = 0;

	while ((b = kmig_queue_take(&mig->queue, ch->id))) {
		switch (b->kind) {
		case KMIG_BATCH_DATA:
			ret = kmig_channel_send_data(ch, b);
			break;
		case KMIG_BATCH_SYNC:
			ret = kmig_channel_send_hdr(ch, KMIG_WIRE_SYNC, b);
			if (ret > 0) {
				kmig_channel_count(ch, 0, 0, ret);
				ch->pass = b->pass + 1;
				atomic_inc(&mig->syncs);
				ret = 0;
			}
			break;
		case KMIG_BATCH_COMPLETE:
			WRITE_ONCE(ch->expect_close, true);
			ret = kmig_channel_send_hdr(ch, KMIG_WIRE_COMPLETE, b);
			if (ret > 0) {
				kmig_channel_count(ch, 0, 0, ret);
				ret = kmig_channel_wait_ack(ch, b->pass);
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
			ret = kmig_channel_send_hdr(ch, KMIG_WIRE_CHECKPOINT, b);
			if (ret > 0) {
				kmig_channel_count(ch, 0, 0, ret);
				ret = 0;
			}
			break;
		}
		kmig_queue_put(&mig->queue, b);
		if (ret) {
			if (ret == -EPROTO)
				kmig_mig_stop(mig, KMIG_MIG_STATE_FAILED,
					      "channel %u: bad acknowledgment of COMPLETE",
					      ch->id);
			else if (ret == -ETIMEDOUT)
				kmig_mig_stop(mig, KMIG_MIG_STATE_FAILED,
					      "channel %u: no acknowledgment of COMPLETE",
					      ch->id);
			else
				kmig_mig_stop(mig, KMIG_MIG_STATE_FAILED,
					      "channel %u: send failed: peer closed or reset (%pe)",
					      ch->id, ERR_PTR(ret));
			kmig_mig_kick(mig);
			break;
		}
		if (ch->done) {
			kmig_mig_channel_done(ch);
			break;
		}
	}
	/* Its socket and seq are free for a COLO goodbye from here on. */
	smp_store_release(&ch->parked, true);
	wake_up_all(&mig->wq);
	kmig_channel_park();
	return 0;
}

/*
 * A COLO primary's goodbye (kmig_colo_primary()): CANCEL on a channel
 * whose send thread is parked, so nothing else uses its socket or seq.
 */
int kmig_channel_send_cancel(struct kmig_channel *ch)
{
	struct kmig_wire_hdr hdr = {
		.type = KMIG_WIRE_CANCEL,
		.seq = ch->seq,
	};
	u8 buf[KMIG_WIRE_HDR_SIZE + KMIG_WIRE_CRC_SIZE];
	int ret;

	if (kmig_wire_hdr_encode(buf, sizeof(buf), &hdr) < 0)
		return -EINVAL;
	ret = kmig_channel_send_small(ch, buf, KMIG_WIRE_HDR_SIZE);
	if (ret)
		return ret;
	ch->seq++;
	atomic64_inc(&ch->packets);	/* its bytes: counted by send_small */
	return 0;
}

/* Destination side. */

static void kmig_channel_malformed(struct kmig_channel *ch, const char *what,
				   int err)
{
	struct kmig_mig *mig = ch->mig;

	kmig_mig_count_malformed(mig);
	kmig_mig_stop(mig, KMIG_MIG_STATE_FAILED,
		      "channel %u packet %llu: %s: %s", ch->id, ch->seq, what,
		      kmig_wire_strerror(err));
	kmig_mig_kick(mig);
}

static void kmig_channel_recv_failed(struct kmig_channel *ch, int ret)
{
	struct kmig_mig *mig = ch->mig;

	if ((ret == -ECONNRESET || ret == -EPIPE) && mig->colo &&
	    READ_ONCE(mig->colo->active))
		kmig_mig_stop(mig, KMIG_MIG_STATE_FAILED,
			      "primary lost: channel %u closed (packet %llu)",
			      ch->id, ch->seq);
	else if (ret == -ECONNRESET || ret == -EPIPE)
		kmig_mig_stop(mig, KMIG_MIG_STATE_FAILED,
			      "peer closed channel %u before COMPLETE (packet %llu)",
			      ch->id, ch->seq);
	else if (ret == -ENOSPC)
		kmig_mig_stop(mig, KMIG_MIG_STATE_FAILED,
			      "channel %u packet %llu: max_memory (%llu bytes in all regions) reached",
			      ch->id, ch->seq, kmig_limits_memory());
	else
		kmig_mig_stop(mig, KMIG_MIG_STATE_FAILED,
			      "channel %u: receive failed (%pe)", ch->id,
			      ERR_PTR(ret));
	kmig_mig_kick(mig);
}

static void kmig_channel_put_rx(struct kmig_channel *ch, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (!ch->rxpages[i])
			continue;
		if (test_bit(i, ch->rxnew))
			__free_page(ch->rxpages[i]);
		else
			put_page(ch->rxpages[i]);
		ch->rxpages[i] = NULL;
	}
	bitmap_zero(ch->rxnew, KMIG_WIRE_MAX_PAGES_LIMIT);
}

static void kmig_channel_mark(struct kmig_channel *ch, pgoff_t index,
			      bool colo)
{
	if (colo) {
		kmig_colo_rx_mark(ch->mig, index);
		return;
	}
	if (!test_and_set_bit(index, ch->mig->received))
		atomic64_inc(&ch->mig->pages_done);
}

/* Returns 0, a negative errno (receive), or 1 after a malformed packet. */
static int kmig_channel_recv_data(struct kmig_channel *ch,
				  const struct kmig_wire_hdr *hdr)
{
	struct kmig_mig *mig = ch->mig;
	struct kmig_region *region = mig->region;
	unsigned int i, n = hdr->data_pages + hdr->zero_pages;
	size_t olen = kmig_wire_offsets_len(hdr);
	/* COLO after checkpoint 0: into the cache, never the region. */
	bool colo = mig->colo && READ_ONCE(mig->colo->active);
	struct page *page;
	int ret;

	ret = kmig_sock_recv(ch->ks.sock, ch->buf + KMIG_WIRE_HDR_SIZE, olen);
	if (ret == -ECONNRESET || ret == -EBADMSG) {
		kmig_channel_malformed(ch, "offsets", KMIG_WIRE_ESHORT);
		return 1;
	}
	if (ret)
		return ret;
	ret = kmig_wire_offsets_decode(ch->buf + KMIG_WIRE_HDR_SIZE, olen,
				       hdr, &ch->lim, ch->offs);
	if (ret) {
		kmig_channel_malformed(ch, "offsets", ret);
		return 1;
	}

	if (ch->crc) {
		/* The whole packet, checked before a byte of it is applied. */
		ret = kmig_sock_recv(ch->ks.sock, ch->bounce,
				     (size_t)hdr->data_pages * PAGE_SIZE);
		if (ret == -ECONNRESET || ret == -EBADMSG) {
			kmig_channel_malformed(ch, "data", KMIG_WIRE_ESHORT);
			return 1;
		}
		if (!ret)
			ret = kmig_channel_check_crc(ch, ch->buf,
						     KMIG_WIRE_HDR_SIZE + olen,
						     ch->bounce,
						     (size_t)hdr->data_pages *
						     PAGE_SIZE);
		if (ret == -EILSEQ)
			return 1;
		if (ret)
			return ret;
	}

	if (colo && !kmig_colo_rx_open(mig)) {
		kmig_mig_count_malformed(mig);
		kmig_mig_stop(mig, KMIG_MIG_STATE_FAILED,
			      "channel %u packet %llu: DATA outside a COLO checkpoint",
			      ch->id, ch->seq);
		kmig_mig_kick(mig);
		return 1;
	}

	/* Everything is checked: now the region's (or the cache's) pages. */
	for (i = 0; i < hdr->data_pages; i++) {
		pgoff_t index = ch->offs[i] >> PAGE_SHIFT;

		if (colo)
			page = kmig_colo_cache_get(&mig->colo->cache, index);
		else
			page = kmig_region_get_page(region, index, false);
		if (IS_ERR(page)) {
			ret = PTR_ERR(page);
			goto out;
		}
		if (!page) {
			page = kmig_region_alloc_page(region);
			if (!page) {
				ret = -ENOMEM;
				goto out;
			}
			__set_bit(i, ch->rxnew);
		}
		ch->rxpages[i] = page;
	}
	if (ch->crc) {
		for (i = 0; i < hdr->data_pages; i++)
			memcpy_to_page(ch->rxpages[i], 0,
				       ch->bounce + (size_t)i * PAGE_SIZE,
				       PAGE_SIZE);
		ret = 0;
	} else {
		ret = kmig_sock_recv_pages(ch->ks.sock, ch->rxpages,
					   hdr->data_pages);
	}
	if (ret == -ECONNRESET || ret == -EBADMSG) {
		/* Cut short inside the data block: a truncated packet. */
		kmig_channel_malformed(ch, "data", KMIG_WIRE_ESHORT);
		ret = 1;
		goto out;
	}
	if (ret)
		goto out;

	for (i = 0; i < hdr->data_pages; i++) {
		pgoff_t index = ch->offs[i] >> PAGE_SHIFT;

		if (test_bit(i, ch->rxnew)) {
			/* Takes over the allocation reference. */
			__clear_bit(i, ch->rxnew);
			page = ch->rxpages[i];
			ch->rxpages[i] = NULL;
			if (colo)
				ret = kmig_colo_cache_install(&mig->colo->cache,
							      index, page);
			else
				ret = kmig_region_install_page(region, index,
							       page);
			if (ret)
				goto out;
		}
		kmig_channel_mark(ch, index, colo);
	}
	for (; i < n; i++) {
		pgoff_t index = ch->offs[i] >> PAGE_SHIFT;

		/* A zero page clears a populated page and allocates nothing. */
		if (colo)
			page = kmig_colo_cache_get(&mig->colo->cache, index);
		else
			page = kmig_region_get_page(region, index, false);
		if (!IS_ERR_OR_NULL(page)) {
			clear_highpage(page);
			put_page(page);
		}
		kmig_channel_mark(ch, index, colo);
	}

	kmig_channel_count(ch, n, hdr->zero_pages,
			   KMIG_WIRE_HDR_SIZE + olen +
			   (u64)hdr->data_pages * PAGE_SIZE);
	atomic64_add(hdr->zero_pages, &mig->zero_pages);
	atomic64_add(hdr->data_pages, &mig->normal_pages);
	atomic64_add(hdr->zero_pages, &region->stats.zero_pages);
	atomic64_add((u64)hdr->zero_pages * PAGE_SIZE,
		     &region->stats.zero_bytes);
	atomic64_add(hdr->data_pages, &region->stats.normal_pages);
	atomic64_add((u64)hdr->data_pages * PAGE_SIZE,
		     &region->stats.normal_bytes);
	ret = 0;
out:
	kmig_channel_put_rx(ch, hdr->data_pages);
	return ret;
}

static int kmig_channel_send_ack(struct kmig_channel *ch, u64 pass)
{
	struct kmig_wire_hdr hdr = {
		.type = KMIG_WIRE_COMPLETE,
		.seq = 0,
		.pass = pass,
	};
	int ret;

	ret = kmig_wire_hdr_encode(ch->buf, KMIG_WIRE_HDR_SIZE, &hdr);
	if (ret < 0)
		return -EINVAL;
	return kmig_channel_send_small(ch, ch->buf, KMIG_WIRE_HDR_SIZE);
}

/*
 * COMPLETE ends the last pass: the one every channel has ended with a SYNC
 * (barrier_pass is one past it; 0 before any SYNC, when no COMPLETE is in
 * place, whatever its pass, including U64_MAX).
 */
static bool kmig_channel_complete_ok(struct kmig_mig *mig, u64 pass)
{
	u64 next = READ_ONCE(mig->barrier_pass);

	return next && pass == next - 1;
}

static int kmig_channel_recv_fn(void *data)
{
	struct kmig_channel *ch = data;
	struct kmig_mig *mig = ch->mig;
	struct kmig_wire_hdr hdr;
	int ret;

	for (;;) {
		ret = kmig_sock_recv(ch->ks.sock, ch->buf, KMIG_WIRE_HDR_SIZE);
		if (ret == -EBADMSG) {
			/* The connection ended inside a header. */
			kmig_channel_malformed(ch, "header", KMIG_WIRE_ESHORT);
			break;
		}
		if (ret) {
			kmig_channel_recv_failed(ch, ret);
			break;
		}
		ret = kmig_wire_hdr_decode(ch->buf, KMIG_WIRE_HDR_SIZE, &ch->lim,
					   ch->seq, &hdr);
		if (ret) {
			kmig_channel_malformed(ch, "header", ret);
			break;
		}
		if (ch->crc && hdr.type != KMIG_WIRE_DATA) {
			ret = kmig_channel_check_crc(ch, ch->buf,
						     KMIG_WIRE_HDR_SIZE, NULL, 0);
			if (ret == -EBADMSG || ret == -ECONNRESET) {
				kmig_channel_malformed(ch, "CRC",
						       KMIG_WIRE_ESHORT);
				break;
			}
			if (ret) {
				if (ret != -EILSEQ)
					kmig_channel_recv_failed(ch, ret);
				break;
			}
		}
		if (hdr.type == KMIG_WIRE_DATA) {
			ret = kmig_channel_recv_data(ch, &hdr);
			if (ret < 0) {
				kmig_channel_recv_failed(ch, ret);
				break;
			}
			if (ret)
				break;
		} else if (hdr.type == KMIG_WIRE_SYNC) {
			kmig_channel_count(ch, 0, 0, KMIG_WIRE_HDR_SIZE);
			ch->pass = hdr.pass + 1;
			atomic_inc(&mig->syncs);
			if (mig->colo && READ_ONCE(mig->colo->active) ?
			    !kmig_mig_barrier_hold(mig, hdr.pass) :
			    !kmig_mig_barrier(mig, hdr.pass))
				break;
		} else if (hdr.type == KMIG_WIRE_CHECKPOINT) {
			kmig_channel_count(ch, 0, 0, KMIG_WIRE_HDR_SIZE);
			if (kmig_colo_rx_begin(mig, hdr.pass)) {
				kmig_mig_count_malformed(mig);
				kmig_mig_stop(mig, KMIG_MIG_STATE_FAILED,
					      "channel %u: CHECKPOINT %llu out of order or outside COLO",
					      ch->id, hdr.pass);
				kmig_mig_kick(mig);
				break;
			}
		} else if (hdr.type == KMIG_WIRE_CHECKPOINT_ACK) {
			kmig_channel_malformed(ch, "header", KMIG_WIRE_ETYPE);
			break;
		} else if (hdr.type == KMIG_WIRE_CANCEL) {
			kmig_channel_count(ch, 0, 0, KMIG_WIRE_HDR_SIZE);
			if (kmig_colo_rx_cancel(mig)) {
				kmig_mig_count_malformed(mig);
				kmig_mig_stop(mig, KMIG_MIG_STATE_FAILED,
					      "channel %u: CANCEL outside COLO",
					      ch->id);
				kmig_mig_kick(mig);
			}
			break;
		} else if (mig->colo) {
			/* COMPLETE of a COLO migration: checkpoint 0. */
			kmig_channel_count(ch, 0, 0, KMIG_WIRE_HDR_SIZE);
			if (READ_ONCE(mig->colo->active) ||
			    !kmig_channel_complete_ok(mig, hdr.pass)) {
				kmig_mig_count_malformed(mig);
				kmig_mig_stop(mig, KMIG_MIG_STATE_FAILED,
					      "channel %u: COMPLETE for pass %llu out of place in COLO",
					      ch->id, hdr.pass);
				kmig_mig_kick(mig);
				break;
			}
			if (!kmig_mig_barrier_hold(mig, hdr.pass + 1))
				break;
			ret = kmig_channel_send_ack(ch, hdr.pass);
			if (ret) {
				kmig_channel_recv_failed(ch, ret);
				break;
			}
		} else {
			/* COMPLETE: everything before it is applied. */
			kmig_channel_count(ch, 0, 0, KMIG_WIRE_HDR_SIZE);
			if (!kmig_channel_complete_ok(mig, hdr.pass)) {
				kmig_mig_count_malformed(mig);
				kmig_mig_stop(mig, KMIG_MIG_STATE_FAILED,
					      "channel %u: COMPLETE for pass %llu before every channel ended it",
					      ch->id, hdr.pass);
				kmig_mig_kick(mig);
				break;
			}
			WRITE_ONCE(ch->expect_close, true);
			ret = kmig_channel_send_ack(ch, hdr.pass);
			if (ret) {
				kmig_channel_recv_failed(ch, ret);
				break;
			}
			ch->done = true;
			kmig_mig_channel_done(ch);
			break;
		}
		ch->seq++;
		cond_resched();
	}
	kmig_channel_park();
	return 0;
}

int kmig_channel_start(struct kmig_channel *ch)
{
	struct kmig_mig *mig = ch->mig;
	bool src = mig->role == KMIG_MIG_ROLE_SOURCE;
	struct task_struct *t;

	if (ch->crc) {
		ch->bounce = kvmalloc(array_size(src ? KMIG_BATCH_PAGES :
						 ch->lim.max_pages, PAGE_SIZE),
				      GFP_KERNEL);
		if (!ch->bounce)
			return -ENOMEM;
	}

	t = kthread_create(src ? kmig_channel_send_fn : kmig_channel_recv_fn,
			   ch, "kmig-%s/%u:%u", src ? "tx" : "rx",
			   mig->region->id, ch->id);
	if (IS_ERR(t))
		return PTR_ERR(t);
	kthread_bind(t, ch->cpu);
	get_task_struct(t);
	ch->task = t;
	wake_up_process(t);
	return 0;
}

void kmig_channel_stop(struct kmig_channel *ch)
{
	if (!ch->task)
		return;
	kthread_stop(ch->task);
	put_task_struct(ch->task);
	ch->task = NULL;
}
