// SPDX-License-Identifier: GPL-2.0
/*
 * The receive path of a destination channel (receive.h): its thread checks
 * every header and offset block with the wire codec (and, with integrity,
 * the whole packet's CRC-32C) before it reads any page data or touches a
 * page, then receives the data straight into the pages of its page sink:
 * the region, or the COLO cache once COLO is active. SYNC meets the other
 * channels at the migration's barrier; COMPLETE is acknowledged.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/highmem.h>
#include <linux/bitmap.h>
#include <linux/sched.h>

#include "receive.h"
#include "channel.h"
#include "mig.h"
#include "packet.h"
#include "prof.h"
#include "colo.h"
#include "sink.h"
#include "region.h"
#include "wire.h"
#include "limits.h"
#include "postcopy.h"
#include "postcopy_dst.h"

static void kmig_receive_malformed(struct kmig_channel *ch, const char *what,
				   int err)
{
	struct kmig_mig *mig = ch->mig;

	kmig_mig_count_malformed(mig);
	kmig_mig_fail(mig,
		      "channel %u packet %llu: %s: %s", ch->id, ch->seq, what,
		      kmig_wire_strerror(err));
}

/*
 * -ETIMEDOUT: keepalive or TCP_USER_TIMEOUT found the source gone (its
 * host died or the path is cut): named as the source names it.
 */
static void kmig_receive_failed(struct kmig_channel *ch, int ret)
{
	struct kmig_mig *mig = ch->mig;
	bool colo = mig->colo && READ_ONCE(mig->colo->active);

	if ((ret == -ECONNRESET || ret == -EPIPE) && colo)
		kmig_mig_fail(mig,
			      "primary lost: channel %u closed (packet %llu)",
			      ch->id, ch->seq);
	else if (ret == -ETIMEDOUT && colo)
		kmig_mig_fail(mig,
			      "primary lost: channel %u stopped responding (TCP timeout)",
			      ch->id);
	else if (ret == -ETIMEDOUT)
		kmig_mig_link_lost(mig,
				   "peer stopped responding on channel %u (TCP timeout)",
				   ch->id);
	else if (ret == -ECONNRESET || ret == -EPIPE)
		kmig_mig_link_lost(mig,
				   "peer closed channel %u before COMPLETE (packet %llu)",
				   ch->id, ch->seq);
	else if (ret == -ENOSPC)
		kmig_mig_fail(mig,
			      "channel %u packet %llu: max_memory (%llu bytes in all regions) reached",
			      ch->id, ch->seq, kmig_limits_memory());
	else if (ret == -ENOMEM)
		kmig_mig_fail(mig,
			      "channel %u: receive failed (%pe)", ch->id,
			      ERR_PTR(ret));
	else
		kmig_mig_link_lost(mig,
				   "channel %u: receive failed (%pe)", ch->id,
				   ERR_PTR(ret));
}

/*
 * The connection ended inside a packet (@what): a truncated packet, or in
 * postcopy, where packets are cut by a broken link, a lost link.
 */
static void kmig_receive_cut(struct kmig_channel *ch, const char *what)
{
	if (ch->pc || READ_ONCE(ch->mig->postcopy_active))
		kmig_mig_link_lost(ch->mig,
				   "channel %u packet %llu: connection cut inside its %s",
				   ch->id, ch->seq, what);
	else
		kmig_receive_malformed(ch, what, KMIG_WIRE_ESHORT);
}

static void kmig_receive_put_rx(struct kmig_channel *ch, unsigned int n)
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
	bitmap_zero(ch->rxskip, KMIG_WIRE_MAX_PAGES_LIMIT);
}

/* Where the pages of a DATA packet go. */
static struct kmig_page_sink *kmig_receive_sink(struct kmig_channel *ch)
{
	struct kmig_colo *colo = ch->mig->colo;

	/* COLO after checkpoint 0: into the cache, never the region. */
	if (colo && READ_ONCE(colo->active))
		return &colo->sink;
	return &ch->sink.sink;
}

/*
 * Are the zero pages ch->offs[@first, @n) all never touched in @sink? Then
 * there is nothing to clear, and one index walk over their span saves a
 * lookup per page (a fresh destination: every first pass).
 */
static bool kmig_receive_zero_unpopulated(struct kmig_channel *ch,
					  struct kmig_page_sink *sink,
					  unsigned int first, unsigned int n)
{
	u64 lo = U64_MAX, hi = 0;
	unsigned int i;

	if (first >= n || !kmig_opt(KMIG_OPT_ZERO_RANGE))
		return false;
	for (i = first; i < n; i++) {
		lo = min(lo, ch->offs[i]);
		hi = max(hi, ch->offs[i]);
	}
	return kmig_sink_none_in(sink, lo >> PAGE_SHIFT, hi >> PAGE_SHIFT);
}

/* Returns 0, a negative errno (receive), or 1 after a malformed packet. */
static int kmig_receive_data(struct kmig_channel *ch,
			     const struct kmig_wire_hdr *hdr)
{
	struct kmig_mig *mig = ch->mig;
	struct kmig_region *region = mig->region;
	unsigned int i, n = hdr->data_pages + hdr->zero_pages;
	size_t olen = kmig_wire_offsets_len(hdr);
	struct kmig_page_sink *sink = kmig_receive_sink(ch);
	struct page *page;
	const char *why;
	u64 t, ta;
	int ret;

	t = kmig_prof_start();
	ret = kmig_sock_recv(ch->ks.sock, ch->buf + KMIG_WIRE_HDR_SIZE, olen);
	kmig_prof_end(KMIG_PROF_DST_RECV, t, 0);
	if (ret == -ECONNRESET || ret == -EBADMSG) {
		kmig_receive_cut(ch, "offsets");
		return 1;
	}
	if (ret)
		return ret;
	t = kmig_prof_start();
	ret = kmig_wire_offsets_decode(ch->buf + KMIG_WIRE_HDR_SIZE, olen,
				       hdr, &ch->lim, ch->offs);
	kmig_prof_end(KMIG_PROF_DST_DECODE, t, n);
	if (ret) {
		kmig_receive_malformed(ch, "offsets", ret);
		return 1;
	}

	if (ch->crc) {
		/* The whole packet, checked before a byte of it is applied. */
		ret = kmig_sock_recv(ch->ks.sock, ch->bounce,
				     (size_t)hdr->data_pages * PAGE_SIZE);
		if (ret == -ECONNRESET || ret == -EBADMSG) {
			kmig_receive_cut(ch, "data");
			return 1;
		}
		if (!ret)
			ret = kmig_packet_check_crc(ch, ch->buf,
						    KMIG_WIRE_HDR_SIZE + olen,
						    ch->bounce,
						    (size_t)hdr->data_pages *
						    PAGE_SIZE);
		if (ret == -EILSEQ)
			return 1;
		if (ret)
			return ret;
	}

	why = kmig_sink_refuse(sink);
	if (why) {
		kmig_mig_count_malformed(mig);
		kmig_mig_fail(mig,
			      "channel %u packet %llu: %s", ch->id, ch->seq,
			      why);
		return 1;
	}

	/* Everything is checked: now the sink's pages. */
	t = kmig_prof_start();
	for (i = 0; i < hdr->data_pages; i++) {
		pgoff_t index = ch->offs[i] >> PAGE_SHIFT;

		if (ch->pc && !kmig_postcopy_claim(ch->pc, index)) {
			/* Postcopy: another copy came first; read, drop. */
			get_page(ch->scratch);
			ch->rxpages[i] = ch->scratch;
			__set_bit(i, ch->rxskip);
			continue;
		}
		page = kmig_sink_get(sink, index);
		if (IS_ERR(page)) {
			ret = PTR_ERR(page);
			goto out;
		}
		if (!page) {
			ta = kmig_prof_start();
			page = kmig_sink_alloc(sink);
			kmig_prof_end(KMIG_PROF_DST_ALLOC, ta, 1);
			if (!page) {
				ret = -ENOMEM;
				goto out;
			}
			__set_bit(i, ch->rxnew);
		}
		ch->rxpages[i] = page;
	}
	kmig_prof_end(KMIG_PROF_DST_LOOKUP, t, hdr->data_pages);
	t = kmig_prof_start();
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
		kmig_receive_cut(ch, "data");
		ret = 1;
		goto out;
	}
	if (ret)
		goto out;
	kmig_prof_end(KMIG_PROF_DST_RECV, t, hdr->data_pages);

	t = kmig_prof_start();
	for (i = 0; i < hdr->data_pages; i++) {
		pgoff_t index = ch->offs[i] >> PAGE_SHIFT;

		if (test_bit(i, ch->rxskip))
			continue;
		if (test_bit(i, ch->rxnew)) {
			/* Takes over the allocation reference. */
			__clear_bit(i, ch->rxnew);
			page = ch->rxpages[i];
			ch->rxpages[i] = NULL;
			ret = kmig_sink_install(sink, index, page);
			if (ret)
				goto out;
		}
		kmig_sink_mark(sink, index);
		if (ch->pc)
			kmig_postcopy_dst_arrived(ch, index);
	}
	kmig_prof_end(KMIG_PROF_DST_APPLY, t, hdr->data_pages);
	t = kmig_prof_start();
	if (!ch->pc && kmig_receive_zero_unpopulated(ch, sink, i, n)) {
		for (; i < n; i++)
			kmig_sink_mark(sink, ch->offs[i] >> PAGE_SHIFT);
	}
	for (; i < n; i++) {
		pgoff_t index = ch->offs[i] >> PAGE_SHIFT;

		if (ch->pc && !kmig_postcopy_claim(ch->pc, index))
			continue;
		/* A zero page clears a populated page and allocates nothing. */
		page = kmig_sink_get(sink, index);
		if (!IS_ERR_OR_NULL(page)) {
			clear_highpage(page);
			put_page(page);
		}
		kmig_sink_mark(sink, index);
		if (ch->pc)
			kmig_postcopy_dst_arrived(ch, index);
	}
	if (ch->pc)
		kmig_postcopy_wake(ch->pc);
	kmig_prof_end(KMIG_PROF_DST_LOOKUP, t, hdr->zero_pages);

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
	kmig_receive_put_rx(ch, hdr->data_pages);
	return ret;
}

static int kmig_receive_send_ack(struct kmig_channel *ch, u64 pass)
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
	return kmig_packet_send_small(ch, ch->buf, KMIG_WIRE_HDR_SIZE);
}

/*
 * COMPLETE ends the last pass: the one every channel has ended with a SYNC
 * (barrier_pass is one past it; 0 before any SYNC, when no COMPLETE is in
 * place, whatever its pass, including U64_MAX).
 */
static bool kmig_receive_complete_ok(struct kmig_mig *mig, u64 pass)
{
	u64 next = READ_ONCE(mig->barrier_pass);

	return next && pass == next - 1;
}

static int kmig_receive_thread(void *data)
{
	struct kmig_channel *ch = data;
	struct kmig_mig *mig = ch->mig;
	struct kmig_wire_hdr hdr;
	int ret;

	for (;;) {
		u64 t = kmig_prof_start();

		ret = kmig_sock_recv(ch->ks.sock, ch->buf, KMIG_WIRE_HDR_SIZE);
		kmig_prof_end(KMIG_PROF_DST_WAIT, t, 1);
		if (ret == -EBADMSG) {
			/* The connection ended inside a header. */
			kmig_receive_cut(ch, "header");
			break;
		}
		if (ret) {
			kmig_receive_failed(ch, ret);
			break;
		}
		ret = kmig_wire_hdr_decode(ch->buf, KMIG_WIRE_HDR_SIZE, &ch->lim,
					   ch->seq, &hdr);
		if (ret) {
			kmig_receive_malformed(ch, "header", ret);
			break;
		}
		if (ch->crc && hdr.type != KMIG_WIRE_DATA &&
		    !kmig_wire_type_offsets_only(hdr.type)) {
			ret = kmig_packet_check_crc(ch, ch->buf,
						    KMIG_WIRE_HDR_SIZE, NULL, 0);
			if (ret == -EBADMSG || ret == -ECONNRESET) {
				kmig_receive_cut(ch, "CRC");
				break;
			}
			if (ret) {
				if (ret != -EILSEQ)
					kmig_receive_failed(ch, ret);
				break;
			}
		}
		/*
		 * A connection of a resumed postcopy starts with POSTCOPY:
		 * before it, a page would go in without the missing map.
		 */
		if (!ch->pc && READ_ONCE(mig->postcopy_active) &&
		    hdr.type != KMIG_WIRE_POSTCOPY) {
			kmig_mig_count_malformed(mig);
			kmig_mig_fail(mig,
				      "channel %u packet %llu: type %u before POSTCOPY on a resumed postcopy",
				      ch->id, ch->seq, hdr.type);
			break;
		}
		if (hdr.type == KMIG_WIRE_DATA) {
			ret = kmig_receive_data(ch, &hdr);
			if (ret < 0) {
				kmig_receive_failed(ch, ret);
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
				kmig_mig_fail(mig,
					      "channel %u: CHECKPOINT %llu out of order or outside COLO",
					      ch->id, hdr.pass);
				break;
			}
		} else if (hdr.type == KMIG_WIRE_CHECKPOINT_ACK ||
			   hdr.type == KMIG_WIRE_REQUEST ||
			   (!ch->postcopy && (hdr.type == KMIG_WIRE_MISSING ||
					      hdr.type == KMIG_WIRE_POSTCOPY))) {
			kmig_receive_malformed(ch, "header", KMIG_WIRE_ETYPE);
			break;
		} else if (hdr.type == KMIG_WIRE_MISSING ||
			   hdr.type == KMIG_WIRE_POSTCOPY) {
			/* Returns false once the migration stopped. */
			if (!kmig_postcopy_dst_packet(ch, &hdr))
				break;
		} else if (ch->pc && ch->id == 0) {
			/* The source's answer to our COMPLETE: the end. */
			if (!kmig_postcopy_dst_complete(ch, &hdr))
				break;
			ch->done = true;
			kmig_mig_channel_done(ch);
			break;
		} else if (hdr.type == KMIG_WIRE_CANCEL) {
			kmig_channel_count(ch, 0, 0, KMIG_WIRE_HDR_SIZE);
			if (kmig_colo_rx_cancel(mig)) {
				kmig_mig_count_malformed(mig);
				kmig_mig_fail(mig,
					      "channel %u: CANCEL outside COLO",
					      ch->id);
			}
			break;
		} else if (mig->colo) {
			/* COMPLETE of a COLO migration: checkpoint 0. */
			kmig_channel_count(ch, 0, 0, KMIG_WIRE_HDR_SIZE);
			if (READ_ONCE(mig->colo->active) ||
			    !kmig_receive_complete_ok(mig, hdr.pass)) {
				kmig_mig_count_malformed(mig);
				kmig_mig_fail(mig,
					      "channel %u: COMPLETE for pass %llu out of place in COLO",
					      ch->id, hdr.pass);
				break;
			}
			if (!kmig_mig_barrier_hold(mig, hdr.pass + 1))
				break;
			ret = kmig_receive_send_ack(ch, hdr.pass);
			if (ret) {
				kmig_receive_failed(ch, ret);
				break;
			}
		} else {
			/* COMPLETE: everything before it is applied. */
			kmig_channel_count(ch, 0, 0, KMIG_WIRE_HDR_SIZE);
			if (!kmig_receive_complete_ok(mig, hdr.pass)) {
				kmig_mig_count_malformed(mig);
				kmig_mig_fail(mig,
					      "channel %u: COMPLETE for pass %llu before every channel ended it",
					      ch->id, hdr.pass);
				break;
			}
			WRITE_ONCE(ch->expect_close, true);
			ret = kmig_receive_send_ack(ch, hdr.pass);
			if (ret) {
				kmig_receive_failed(ch, ret);
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

int kmig_receive_start(struct kmig_channel *ch)
{
	struct kmig_mig *mig = ch->mig;
	int ret;

	ret = kmig_channel_alloc_bounce(ch, ch->lim.max_pages);
	if (ret)
		return ret;
	if (ch->postcopy && !ch->scratch) {
		ch->scratch = alloc_page(GFP_KERNEL);
		if (!ch->scratch)
			return -ENOMEM;
	}
	kmig_sink_region_init(&ch->sink, mig->region, mig->received,
			      &mig->pages_done);
	return kmig_channel_start(ch, kmig_receive_thread, "rx",
				  mig->region->id);
}
