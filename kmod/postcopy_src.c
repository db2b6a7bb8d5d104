// SPDX-License-Identifier: GPL-2.0
/*
 * A source's postcopy (postcopy_src.h).
 *
 * mig->pending holds the pages the destination does not have yet. Every
 * page is taken from it atomically, by the push (kmig_queue_bitmap()) or
 * by channel 0's answers, so that each goes once; a page asked for is
 * sent even when the push took it already (it may be queued behind bulk
 * data), and the destination applies whichever copy arrives first.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/sort.h>
#include <linux/bitmap.h>
#include <linux/ktime.h>
#include <linux/xarray.h>

#include "postcopy_src.h"
#include "postcopy.h"
#include "send.h"
#include "mig.h"
#include "channel.h"
#include "packet.h"
#include "queue.h"
#include "region.h"
#include "status.h"
#include "sock.h"

/* The destination acknowledges POSTCOPY within this. */
#define KMIG_POSTCOPY_ACK_TIMEOUT	(60 * HZ)

/* Channel 0's answers: a packet buffer, the request's offsets, a batch. */
struct kmig_postcopy_src {
	struct kmig_channel *ch;
	struct kmig_wire_limits lim;
	struct kmig_wire_hdr hdr;
	u8 buf[KMIG_CH_BUF_SIZE];
	u64 offs[KMIG_BATCH_PAGES];
	pgoff_t list[KMIG_BATCH_PAGES];
	struct kmig_batch batch;
};

/*
 * One packet from the destination on channel 0: header, offsets and CRC
 * checked. 0, -EPROTO (malformed: the migration failed), or the receive's
 * errno.
 */
static int kmig_postcopy_src_recv(struct kmig_postcopy_src *s)
{
	struct kmig_channel *ch = s->ch;
	struct kmig_mig *mig = ch->mig;
	size_t olen;
	int ret;

	ret = kmig_sock_recv(ch->ks.sock, s->buf, KMIG_WIRE_HDR_SIZE);
	if (ret)
		return ret;
	ret = kmig_wire_hdr_decode(s->buf, KMIG_WIRE_HDR_SIZE, &s->lim,
				   ch->rseq, &s->hdr);
	if (ret)
		goto bad;
	olen = kmig_wire_offsets_len(&s->hdr);
	if (olen) {
		ret = kmig_sock_recv(ch->ks.sock, s->buf + KMIG_WIRE_HDR_SIZE,
				     olen);
		if (ret)
			return ret;
	}
	if (ch->crc) {
		ret = kmig_packet_check_crc(ch, s->buf,
					    KMIG_WIRE_HDR_SIZE + olen, NULL, 0);
		if (ret)
			return ret == -EILSEQ ? -EPROTO : ret;
	}
	atomic64_add(KMIG_WIRE_HDR_SIZE + olen, &ch->bytes);
	if (olen) {
		ret = kmig_wire_offsets_decode(s->buf + KMIG_WIRE_HDR_SIZE, olen,
					       &s->hdr, &s->lim, s->offs);
		if (ret)
			goto bad;
	}
	ch->rseq++;
	return 0;
bad:
	kmig_mig_count_malformed(mig);
	kmig_mig_fail(mig, "channel 0: destination packet %llu: %s", ch->rseq,
		      kmig_wire_strerror(ret));
	return -EPROTO;
}

static int kmig_postcopy_src_cmp(const void *a, const void *b)
{
	pgoff_t x = *(const pgoff_t *)a, y = *(const pgoff_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * A REQUEST: the pages asked for, then the prefetch window after each
 * (pages still unsent), in one DATA packet in page order.
 */
static int kmig_postcopy_src_answer(struct kmig_postcopy_src *s)
{
	struct kmig_channel *ch = s->ch;
	struct kmig_mig *mig = ch->mig;
	struct kmig_region *region = mig->region;
	pgoff_t npages = kmig_region_npages(region);
	unsigned int i, n = s->hdr.zero_pages, m = 0;
	struct kmig_batch *b = &s->batch;
	struct page *page;
	int ret;

	for (i = 0; i < n; i++) {
		s->list[m] = s->offs[i] >> PAGE_SHIFT;
		clear_bit(s->list[m++], mig->pending);
	}
	for (i = 0; i < n && m < KMIG_BATCH_PAGES; i++)
		m += kmig_postcopy_prefetch(mig->pending, npages,
					    s->offs[i] >> PAGE_SHIFT,
					    mig->cfg.prefetch, s->list + m,
					    KMIG_BATCH_PAGES - m);
	sort(s->list, m, sizeof(*s->list), kmig_postcopy_src_cmp, NULL);

	memset(b, 0, offsetof(struct kmig_batch, index));
	b->kind = KMIG_BATCH_DATA;
	b->pass = ch->pass;
	for (i = 0; i < m; i++) {
		/* Never touched here: the destination never misses it. */
		page = kmig_region_get_page(region, s->list[i], false);
		if (IS_ERR_OR_NULL(page))
			continue;
		b->index[b->n] = s->list[i];
		b->pages[b->n++] = page;
	}
	atomic64_inc(&mig->pc_requests);
	atomic64_add(n, &mig->pc_requested);
	if (!b->n)
		return 0;
	ret = kmig_send_batch(ch, b, true);
	if (!ret)
		atomic64_add(b->n, &mig->pc_served);
	for (i = 0; i < b->n; i++)
		put_page(b->pages[i]);
	return ret;
}

/* The destination acknowledged POSTCOPY: the guest may run there. */
static void kmig_postcopy_src_active(struct kmig_mig *mig)
{
	spin_lock_bh(&mig->lock);
	mig->postcopy_active = true;
	mig->downtime_ns = ktime_get_ns() - mig->switchover_ns;
	spin_unlock_bh(&mig->lock);
	kmig_mig_set_state(mig, KMIG_MIG_STATE_POSTCOPY_ACTIVE);
	kmig_status_event(mig, KMIG_MIG_EVENT_POSTCOPY_ACTIVE);
}

/*
 * A resumed postcopy's channel 0, before anything else: the destination's
 * MISSING packets name every page it still lacks, a POSTCOPY ends them.
 * They are the pages to send from now on (mig->pending, which nothing
 * else uses until the dispatcher sees pc_resynced).
 */
static int kmig_postcopy_src_resync(struct kmig_postcopy_src *s)
{
	struct kmig_channel *ch = s->ch;
	struct kmig_mig *mig = ch->mig;
	u64 pages = 0;
	unsigned int i;
	int ret;

	bitmap_zero(mig->pending, kmig_region_npages(mig->region));
	kmig_sock_set_timeouts(ch->ks.sock, KMIG_POSTCOPY_ACK_TIMEOUT,
			       MAX_SCHEDULE_TIMEOUT);
	for (;;) {
		ret = kmig_postcopy_src_recv(s);
		if (ret)
			return ret == -EAGAIN ? -ETIMEDOUT : ret;
		if (s->hdr.type == KMIG_WIRE_POSTCOPY &&
		    s->hdr.pass == mig->postcopy_pass)
			break;
		if (s->hdr.type != KMIG_WIRE_MISSING ||
		    s->hdr.pass != mig->postcopy_pass)
			goto bad;
		for (i = 0; i < s->hdr.zero_pages; i++)
			__set_bit(s->offs[i] >> PAGE_SHIFT, mig->pending);
		pages += s->hdr.zero_pages;
	}
	pr_info("region %u: postcopy resumed: %llu pages still to send\n",
		mig->region->id, pages);
	/* Pairs with the acquire of the dispatcher's wait. */
	smp_store_release(&mig->pc_resynced, true);
	wake_up_all(&mig->wq);
	return 0;
bad:
	kmig_mig_count_malformed(mig);
	kmig_mig_fail(mig,
		      "channel 0: destination packet %llu: type %u pass %llu out of place in a postcopy resume",
		      ch->rseq - 1, s->hdr.type, s->hdr.pass);
	return -EPROTO;
}

static int kmig_postcopy_src_serve(struct kmig_postcopy_src *s, bool resumed)
{
	struct kmig_channel *ch = s->ch;
	struct kmig_mig *mig = ch->mig;
	int ret;

	if (resumed)
		goto serve;
	kmig_sock_set_timeouts(ch->ks.sock, KMIG_POSTCOPY_ACK_TIMEOUT,
			       MAX_SCHEDULE_TIMEOUT);
	ret = kmig_postcopy_src_recv(s);
	if (ret)
		return ret == -EAGAIN ? -ETIMEDOUT : ret;
	if (s->hdr.type != KMIG_WIRE_POSTCOPY || s->hdr.pass != ch->pass)
		goto bad;
	kmig_postcopy_src_active(mig);
serve:
	/* Requests come when the guest touches a missing page: no timeout. */
	kmig_sock_set_timeouts(ch->ks.sock, MAX_SCHEDULE_TIMEOUT,
			       MAX_SCHEDULE_TIMEOUT);
	for (;;) {
		ret = kmig_postcopy_src_recv(s);
		if (ret)
			return ret;
		if (s->hdr.type == KMIG_WIRE_REQUEST) {
			ret = kmig_postcopy_src_answer(s);
			if (ret)
				return ret;
			continue;
		}
		if (s->hdr.type != KMIG_WIRE_COMPLETE ||
		    s->hdr.pass != ch->pass)
			goto bad;
		/* Nothing is missing there any more: answer, done. */
		WRITE_ONCE(ch->expect_close, true);
		ret = kmig_send_control(ch, KMIG_WIRE_COMPLETE, ch->pass);
		if (ret < 0)
			return ret;
		kmig_channel_count(ch, 0, 0, ret);
		ch->done = true;
		kmig_mig_channel_done(ch);
		return 0;
	}
bad:
	kmig_mig_count_malformed(mig);
	kmig_mig_fail(mig,
		      "channel 0: destination packet %llu: type %u pass %llu out of place in postcopy",
		      ch->rseq - 1, s->hdr.type, s->hdr.pass);
	return -EPROTO;
}

int kmig_postcopy_src_thread(void *data)
{
	struct kmig_channel *ch = data;
	struct kmig_mig *mig = ch->mig;
	bool resumed = READ_ONCE(mig->pc_resuming);
	struct kmig_postcopy_src *s;
	int ret = 0;

	s = kvzalloc(sizeof(*s), GFP_KERNEL);
	if (!s) {
		kmig_mig_fail(mig, "postcopy: out of memory");
		goto park;
	}
	s->ch = ch;
	s->lim.page_size = PAGE_SIZE;
	s->lim.max_pages = KMIG_BATCH_PAGES;
	s->lim.region_size = (u64)kmig_region_npages(mig->region) << PAGE_SHIFT;
	s->lim.channel_count = mig->nch;
	if (resumed)
		ret = kmig_postcopy_src_resync(s);
	if (!ret && kmig_send_run(ch) == 1)
		ret = kmig_postcopy_src_serve(s, resumed);
	kvfree(s);
	if (ret == -ETIMEDOUT)
		kmig_mig_link_lost(mig, resumed ?
				   "postcopy: channel 0: no missing pages from the destination" :
				   "postcopy: no acknowledgment of POSTCOPY");
	else if (ret && ret != -EPROTO)
		kmig_mig_link_lost(mig,
				   "postcopy: channel 0 failed: peer closed or reset (%pe)",
				   ERR_PTR(ret));
park:
	kmig_send_park(ch);
	return 0;
}

/* No pass went out: every populated page is still to send. */
static void kmig_postcopy_src_all(struct kmig_mig *mig)
{
	struct kmig_region *region = mig->region;
	unsigned long index, n = 0;
	struct page *page;

	xa_for_each(&region->pages, index, page) {
		__set_bit(index, mig->pending);
		if (!(++n % 4096))
			cond_resched();
	}
}

/*
 * After POSTCOPY went to every channel: channel 0 answers requests, the
 * others push the pages still in mig->pending, then COMPLETE; until every
 * channel is done, or the migration stops or pauses.
 */
static int kmig_postcopy_src_push(struct kmig_mig *mig, u64 pass)
{
	struct kmig_queue *q = &mig->queue;
	u64 pushed;
	int ret;

	kmig_queue_set_first(q, 1);
	/* Counted as they are sent (kmig_send_run()). */
	ret = kmig_queue_bitmap(q, mig->region, mig->pending, pass, &pushed);
	if (!ret)
		ret = kmig_queue_control(q, KMIG_BATCH_COMPLETE, pass);
	if (!ret)
		wait_event_idle(mig->wq, atomic_read(&mig->channels_done) ==
				mig->nch || kmig_mig_halted(mig));
	return ret;
}

int kmig_postcopy_src_run(struct kmig_mig *mig, u64 pass, bool all)
{
	struct kmig_queue *q = &mig->queue;
	struct kmig_region *region = mig->region;
	u64 missing;
	int ret;

	if (all)
		kmig_postcopy_src_all(mig);
	WRITE_ONCE(mig->pass, pass);
	spin_lock_bh(&mig->lock);
	mig->postcopy_pass = pass;
	spin_unlock_bh(&mig->lock);
	ret = kmig_queue_missing(q, region, mig->pending, pass, &missing);
	/*
	 * From the first POSTCOPY on the destination may run the guest: a
	 * broken link pauses (kmig_mig_link_lost()), the source's copy is no
	 * longer the guest.
	 */
	spin_lock_bh(&mig->lock);
	mig->postcopy_active = true;
	spin_unlock_bh(&mig->lock);
	if (!ret)
		ret = kmig_queue_control(q, KMIG_BATCH_POSTCOPY, pass);
	if (ret)
		return ret;
	pr_info("region %u: postcopy: %llu pages still to send\n", region->id,
		missing);
	return kmig_postcopy_src_push(mig, pass);
}

int kmig_postcopy_src_pause(struct kmig_mig *mig)
{
	kmig_mig_drop_channels(mig, mig->postcopy_pass);
	kmig_status_event(mig, KMIG_MIG_EVENT_POSTCOPY_PAUSED);
	if (kmig_mig_pc_wait_resume(mig))
		return -ECANCELED;
	kmig_queue_restart(&mig->queue);
	return 0;
}

int kmig_postcopy_src_resumed(struct kmig_mig *mig)
{
	u64 pass = mig->postcopy_pass;
	int ret;

	/* Channel 0 reads what the destination still lacks first. */
	wait_event_idle(mig->wq, smp_load_acquire(&mig->pc_resynced) ||
			kmig_mig_halted(mig));
	if (kmig_mig_halted(mig))
		return -ECANCELED;
	kmig_mig_pc_unpause(mig);
	kmig_status_event(mig, KMIG_MIG_EVENT_POSTCOPY_ACTIVE);
	ret = kmig_queue_control(&mig->queue, KMIG_BATCH_POSTCOPY, pass);
	if (ret)
		return ret;
	return kmig_postcopy_src_push(mig, pass);
}
