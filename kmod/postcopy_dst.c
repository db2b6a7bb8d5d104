// SPDX-License-Identifier: GPL-2.0
/*
 * A destination's postcopy (postcopy_dst.h).
 *
 * The channels: MISSING marks pages stale; POSTCOPY meets the other
 * channels at a held barrier, which the main thread opens after the
 * switch. From then on a channel's DATA is postcopy DATA: each page is
 * applied only if it claims a missing page (receive.c).
 *
 * The main thread sends everything that goes the other way on channel 0
 * (the acknowledgment, the REQUESTs, the final COMPLETE), so that one
 * thread writes that socket while channel 0's own thread reads it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/wait.h>

#include "postcopy_dst.h"
#include "postcopy.h"
#include "mig.h"
#include "channel.h"
#include "packet.h"
#include "region.h"
#include "status.h"
#include "sock.h"

static bool kmig_postcopy_dst_bad(struct kmig_channel *ch, const char *what)
{
	kmig_mig_count_malformed(ch->mig);
	kmig_mig_fail(ch->mig, "channel %u packet %llu: %s", ch->id, ch->seq,
		      what);
	return false;
}

/* MISSING: its offsets (and CRC), each page marked missing. */
static bool kmig_postcopy_dst_missing(struct kmig_channel *ch,
				      const struct kmig_wire_hdr *hdr)
{
	struct kmig_mig *mig = ch->mig;
	size_t olen = kmig_wire_offsets_len(hdr);
	u32 i, n = hdr->zero_pages;
	int ret;

	if (hdr->pass != READ_ONCE(mig->barrier_pass))
		return kmig_postcopy_dst_bad(ch, "MISSING for a pass that is not open");
	ret = kmig_sock_recv(ch->ks.sock, ch->buf + KMIG_WIRE_HDR_SIZE, olen);
	if (ret == -ECONNRESET || ret == -EBADMSG)
		return kmig_postcopy_dst_bad(ch, "MISSING cut short");
	if (!ret && ch->crc)
		ret = kmig_packet_check_crc(ch, ch->buf,
					    KMIG_WIRE_HDR_SIZE + olen, NULL, 0);
	if (ret == -EILSEQ)
		return false;
	if (ret) {
		kmig_mig_fail(mig, "channel %u: receive failed (%pe)", ch->id,
			      ERR_PTR(ret));
		return false;
	}
	ret = kmig_wire_offsets_decode(ch->buf + KMIG_WIRE_HDR_SIZE, olen, hdr,
				       &ch->lim, ch->offs);
	if (ret) {
		kmig_mig_count_malformed(mig);
		kmig_mig_fail(mig, "channel %u packet %llu: MISSING offsets: %s",
			      ch->id, ch->seq, kmig_wire_strerror(ret));
		return false;
	}
	for (i = 0; i < n; i++)
		kmig_postcopy_mark_missing(mig->pc, ch->offs[i] >> PAGE_SHIFT);
	kmig_channel_count(ch, 0, 0, KMIG_WIRE_HDR_SIZE + olen);
	return true;
}

bool kmig_postcopy_dst_packet(struct kmig_channel *ch,
			      const struct kmig_wire_hdr *hdr)
{
	struct kmig_mig *mig = ch->mig;

	if (ch->pc || !mig->pc)
		return kmig_postcopy_dst_bad(ch, "MISSING or POSTCOPY after POSTCOPY");
	/*
	 * Once the guest ran here a page it wrote must never be marked
	 * missing again; a resumed migration starts with POSTCOPY alone.
	 */
	if (READ_ONCE(mig->postcopy_active) &&
	    (hdr->type == KMIG_WIRE_MISSING || !READ_ONCE(mig->pc_resuming)))
		return kmig_postcopy_dst_bad(ch, "MISSING or POSTCOPY after postcopy began");
	if (hdr->type == KMIG_WIRE_MISSING)
		return kmig_postcopy_dst_missing(ch, hdr);
	kmig_channel_count(ch, 0, 0, KMIG_WIRE_HDR_SIZE);
	/* The main thread switches, then opens the barrier. */
	if (!kmig_mig_barrier_hold(mig, hdr->pass))
		return false;
	ch->pc = mig->pc;
	return true;
}

void kmig_postcopy_dst_arrived(struct kmig_channel *ch, pgoff_t index)
{
	struct kmig_postcopy *pc = ch->pc;

	atomic64_inc(ch->id ? &pc->pushed_pages : &pc->served_pages);
	if (kmig_postcopy_arrived(pc, index))
		wake_up_all(&pc->req_wq);
}

bool kmig_postcopy_dst_complete(struct kmig_channel *ch,
				const struct kmig_wire_hdr *hdr)
{
	struct kmig_mig *mig = ch->mig;

	kmig_channel_count(ch, 0, 0, KMIG_WIRE_HDR_SIZE);
	/* Pairs with the release in kmig_postcopy_dst_serve(). */
	if (!smp_load_acquire(&mig->pc_complete_sent) ||
	    hdr->pass != mig->postcopy_pass)
		return kmig_postcopy_dst_bad(ch, "COMPLETE on channel 0 before ours");
	return true;
}

/* Channel 0, the other way: a header (and offsets) from @buf. */
static int kmig_postcopy_dst_send(struct kmig_mig *mig, u8 *buf, u16 type,
				  const pgoff_t *index, unsigned int n)
{
	struct kmig_channel *ch = &mig->ch[0];
	struct kmig_wire_hdr hdr = {
		.type = type,
		.seq = ch->rseq,
		.zero_pages = n,
		.pass = mig->postcopy_pass,
	};
	u64 *offs = (u64 *)(buf + KMIG_CH_BUF_SIZE);
	size_t len = KMIG_WIRE_HDR_SIZE;
	unsigned int i;
	int ret;

	if (kmig_wire_hdr_encode(buf, KMIG_CH_BUF_SIZE, &hdr) < 0)
		return -EINVAL;
	if (n) {
		for (i = 0; i < n; i++)
			offs[i] = (u64)index[i] << PAGE_SHIFT;
		ret = kmig_wire_offsets_encode(buf + len, KMIG_CH_BUF_SIZE - len,
					       offs, n);
		if (ret < 0)
			return -EINVAL;
		len += ret;
	}
	if (ch->crc) {
		ret = kmig_packet_put_crc(ch, buf + len, buf, len, NULL, 0);
		if (ret)
			return ret;
		len += KMIG_WIRE_CRC_SIZE;
	}
	ret = kmig_sock_send(ch->ks.sock, buf, len, false);
	if (ret)
		return ret;
	ch->rseq++;
	atomic64_add(len, &ch->bytes);
	return 0;
}

/*
 * The switch, with every channel held at the POSTCOPY barrier: publish
 * the map, take every user mapping down (the next access of a missing
 * page faults and waits), announce postcopy-active, acknowledge, open.
 */
static int kmig_postcopy_dst_switch(struct kmig_mig *mig, u8 *buf)
{
	struct kmig_region *region = mig->region;
	int ret;

	mig->postcopy_pass = READ_ONCE(mig->barrier_held) - 1;
	kmig_region_set_postcopy(region, mig->pc);
	kmig_region_unmap_all(region);
	spin_lock_bh(&mig->lock);
	mig->postcopy = true;
	mig->postcopy_active = true;
	mig->switchover_ns = ktime_get_ns();
	spin_unlock_bh(&mig->lock);
	kmig_mig_set_state(mig, KMIG_MIG_STATE_POSTCOPY_ACTIVE);
	kmig_status_event(mig, KMIG_MIG_EVENT_POSTCOPY_ACTIVE);
	pr_info("region %u: postcopy: %lu pages still on the source\n",
		region->id, kmig_postcopy_nmissing(mig->pc));
	ret = kmig_postcopy_dst_send(mig, buf, KMIG_WIRE_POSTCOPY, NULL, 0);
	kmig_mig_release(mig);
	return ret;
}

/*
 * The push ended (every channel but 0 done) with pages still missing:
 * after this long they are asked for, all of them. A source that pushes
 * every page never lets it come to that (answers in flight arrive well
 * within it); one that leaves pages out cannot hold the migration.
 */
#define KMIG_POSTCOPY_SWEEP_DELAY	HZ

/* Requests until nothing is missing; then our COMPLETE on channel 0. */
static int kmig_postcopy_dst_serve(struct kmig_mig *mig, u8 *buf,
				   pgoff_t *index)
{
	struct kmig_postcopy *pc = mig->pc;
	unsigned int n, max = mig->ch[0].lim.max_pages;
	unsigned long pushed_at = 0, next = 0;
	int ret;

	for (;;) {
		wait_event_idle_timeout(pc->req_wq,
					kmig_postcopy_has_requests(pc) ||
					!kmig_postcopy_nmissing(pc) ||
					kmig_mig_halted(mig), HZ / 4);
		if (kmig_mig_halted(mig))
			return -ECANCELED;
		n = kmig_postcopy_take(pc, index, max);
		if (!n && kmig_postcopy_nmissing(pc) &&
		    atomic_read(&mig->channels_done) >= mig->nch - 1) {
			if (!pushed_at)
				pushed_at = jiffies;
			else if (time_after(jiffies,
					    pushed_at + KMIG_POSTCOPY_SWEEP_DELAY))
				n = kmig_postcopy_unrequested(pc, &next, index,
							      max);
		}
		if (n) {
			ret = kmig_postcopy_dst_send(mig, buf, KMIG_WIRE_REQUEST,
						     index, n);
			if (ret)
				return ret;
			atomic64_inc(&pc->requests);
			continue;
		}
		if (!kmig_postcopy_nmissing(pc))
			break;
	}
	kmig_postcopy_finish(pc, false);
	kmig_region_set_postcopy(mig->region, NULL);
	/*
	 * Before it goes: channel 0's thread may read the answer at once,
	 * and the source closes once it answered.
	 */
	WRITE_ONCE(mig->ch[0].expect_close, true);
	/* Pairs with the acquire in kmig_postcopy_dst_complete(). */
	smp_store_release(&mig->pc_complete_sent, true);
	return kmig_postcopy_dst_send(mig, buf, KMIG_WIRE_COMPLETE, NULL, 0);
}

static bool kmig_postcopy_dst_waiting(struct kmig_mig *mig)
{
	return kmig_mig_held(mig) || kmig_mig_halted(mig) ||
	       atomic_read(&mig->channels_done) == mig->nch;
}

/*
 * A resumed postcopy, every channel connected again: tell the source
 * every page still missing (MISSING on channel 0, then POSTCOPY), wait
 * for its POSTCOPY on every channel, go on.
 */
static int kmig_postcopy_dst_resync(struct kmig_mig *mig, u8 *buf,
				    pgoff_t *index)
{
	struct kmig_postcopy *pc = mig->pc;
	unsigned int n = 0, max = mig->ch[0].lim.max_pages;
	unsigned long i;
	int ret;

	for_each_set_bit(i, pc->missing, pc->npages) {
		index[n++] = i;
		if (n < max)
			continue;
		ret = kmig_postcopy_dst_send(mig, buf, KMIG_WIRE_MISSING, index, n);
		if (ret)
			return ret;
		n = 0;
		cond_resched();
	}
	if (n) {
		ret = kmig_postcopy_dst_send(mig, buf, KMIG_WIRE_MISSING, index, n);
		if (ret)
			return ret;
	}
	ret = kmig_postcopy_dst_send(mig, buf, KMIG_WIRE_POSTCOPY, NULL, 0);
	if (ret)
		return ret;
	wait_event_idle(mig->wq, kmig_postcopy_dst_waiting(mig));
	if (kmig_mig_halted(mig) || !kmig_mig_held(mig))
		return -ECANCELED;
	kmig_mig_pc_unpause(mig);
	kmig_status_event(mig, KMIG_MIG_EVENT_POSTCOPY_ACTIVE);
	pr_info("region %u: postcopy resumed: %lu pages still on the source\n",
		mig->region->id, kmig_postcopy_nmissing(pc));
	kmig_mig_release(mig);
	return 0;
}

/*
 * Paused: every channel dropped, the map ready to be served again (faults
 * keep waiting, and ask again once resumed), then wait for the resume.
 */
static int kmig_postcopy_dst_pause(struct kmig_mig *mig)
{
	kmig_mig_drop_channels(mig, mig->postcopy_pass);
	kmig_postcopy_pause(mig->pc);
	WRITE_ONCE(mig->pc_complete_sent, false);
	kmig_status_event(mig, KMIG_MIG_EVENT_POSTCOPY_PAUSED);
	return kmig_mig_pc_wait_resume(mig) ? -ECANCELED : -EAGAIN;
}

int kmig_postcopy_dst_run(struct kmig_mig *mig)
{
	unsigned int max = KMIG_WIRE_MAX_PAGES_LIMIT;
	pgoff_t *index;
	u8 *buf;
	int ret = 0;

	/* A packet, the offsets it is encoded from, the page indices. */
	buf = kmalloc(KMIG_CH_BUF_SIZE + max * sizeof(u64), GFP_KERNEL);
	index = kmalloc_array(max, sizeof(*index), GFP_KERNEL);
	if (!buf || !index) {
		kmig_mig_fail(mig, "postcopy: out of memory");
		goto out;
	}
	if (kmig_mig_pc_paused(mig))
		goto paused;
	if (READ_ONCE(mig->pc_resuming)) {
		ret = kmig_postcopy_dst_resync(mig, buf, index);
	} else {
		/* Precopy to its end, or the switch to postcopy. */
		wait_event_idle(mig->wq, kmig_postcopy_dst_waiting(mig));
		if (kmig_mig_stopping(mig) || !kmig_mig_held(mig))
			goto out;
		ret = kmig_postcopy_dst_switch(mig, buf);
	}
	if (!ret)
		ret = kmig_postcopy_dst_serve(mig, buf, index);
	if (ret && ret != -ECANCELED)
		kmig_mig_link_lost(mig, "postcopy: channel 0: send failed (%pe)",
				   ERR_PTR(ret));
	wait_event_idle(mig->wq, atomic_read(&mig->channels_done) == mig->nch ||
			kmig_mig_halted(mig));
paused:
	if (kmig_mig_pc_paused(mig) && !kmig_mig_stopping(mig))
		ret = kmig_postcopy_dst_pause(mig);
out:
	kfree(index);
	kfree(buf);
	return ret == -EAGAIN ? ret : 0;
}

void kmig_postcopy_dst_end(struct kmig_mig *mig)
{
	if (mig->postcopy_active &&
	    kmig_postcopy_state(mig->pc) == KMIG_POSTCOPY_ACTIVE) {
		/* Stopped with pages on the source: they are lost. */
		kmig_postcopy_finish(mig->pc, true);
		if (kmig_postcopy_nmissing(mig->pc)) {
			pr_warn("region %u: postcopy failed: %lu pages of the guest were still on the source and are lost; their faults get SIGBUS\n",
				mig->region->id,
				kmig_postcopy_nmissing(mig->pc));
			kmig_mig_reason_prefix(mig, "guest lost in postcopy");
			WRITE_ONCE(mig->region->postcopy_lost, true);
		}
	}
}
