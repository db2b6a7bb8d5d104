// SPDX-License-Identifier: GPL-2.0
/*
 * COLO (colo.h): the checkpoint loops of the primary's and the
 * secondary's main threads, and the secondary channels' hooks. The state
 * they drive is colo_state.c; the pure parts are hist.c (latency
 * histograms), colo_sm.c (the checkpoint state machine) and colo_cache.c
 * (the COLO cache and its flush).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>
#include <linux/bitmap.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/sched.h>
#include <linux/wait.h>

#include "colo.h"
#include "mig.h"
#include "channel.h"
#include "packet.h"
#include "send.h"
#include "status.h"
#include "region.h"
#include "dirty.h"
#include "sock.h"
#include "queue.h"

/* The VMM must acknowledge a checkpoint pause within this. */
#define KMIG_COLO_PAUSE_TIMEOUT		(10 * HZ)
/* The secondary must acknowledge a checkpoint within this. */
#define KMIG_COLO_ACK_TIMEOUT		(30 * HZ)
/* How long a cancel waits for the primary's goodbye before the kick. */
#define KMIG_COLO_BYE_TIMEOUT		(1 * HZ)

/* ----- both sides ----- */

/*
 * Ask the VMM to pause for checkpoint @n (event checkpoint-pause) and wait
 * for its colo-paused. 0 once paused; -ECANCELED when the migration stops
 * meanwhile; -ETIMEDOUT after KMIG_COLO_PAUSE_TIMEOUT, which stops it.
 */
static int kmig_colo_pause(struct kmig_mig *mig, u64 n)
{
	struct kmig_colo *colo = mig->colo;
	long left;

	spin_lock_bh(&mig->lock);
	colo->pause_for = n;
	spin_unlock_bh(&mig->lock);
	kmig_status_event(mig, KMIG_MIG_EVENT_CHECKPOINT_PAUSE);
	left = wait_event_idle_timeout(mig->wq, READ_ONCE(colo->paused) == n ||
				       kmig_mig_stopping(mig),
				       KMIG_COLO_PAUSE_TIMEOUT);
	if (kmig_mig_stopping(mig))
		return -ECANCELED;
	if (!left) {
		kmig_mig_fail(mig,
			      "the VMM did not pause for checkpoint %llu within %u s",
			      n, KMIG_COLO_PAUSE_TIMEOUT / HZ);
		return -ETIMEDOUT;
	}
	return 0;
}

/* ----- primary ----- */

/* The secondary's CHECKPOINT_ACK of checkpoint @n, on channel 0. */
static int kmig_colo_recv_ack(struct kmig_mig *mig, u64 n, u64 *transfer,
			      u64 *flush)
{
	struct kmig_channel *ch = &mig->ch[0];
	struct kmig_wire_limits lim = {
		.page_size = PAGE_SIZE,
		.max_pages = KMIG_BATCH_PAGES,
		.region_size = (u64)kmig_region_npages(mig->region) << PAGE_SHIFT,
		.channel_count = mig->nch,
	};
	u8 buf[KMIG_WIRE_HDR_SIZE];
	struct kmig_wire_hdr hdr;
	int ret;

	kmig_sock_set_timeouts(ch->ks.sock, KMIG_COLO_ACK_TIMEOUT,
			       MAX_SCHEDULE_TIMEOUT);
	ret = kmig_packet_recv_small(ch, buf, sizeof(buf));
	if (ret)
		return ret == -EAGAIN ? -ETIMEDOUT : ret;
	ret = kmig_wire_hdr_decode(buf, sizeof(buf), &lim, 0, &hdr);
	if (ret || hdr.type != KMIG_WIRE_CHECKPOINT_ACK || hdr.pass != n)
		return -EPROTO;
	*transfer = hdr.arg[0];
	*flush = hdr.arg[1];
	return 0;
}

bool kmig_colo_bye_ask(struct kmig_mig *mig)
{
	bool ask;

	if (!mig->colo || mig->role != KMIG_MIG_ROLE_SOURCE)
		return false;
	spin_lock_bh(&mig->lock);
	ask = mig->state == KMIG_MIG_STATE_COLO && !mig->stopping;
	if (ask)
		WRITE_ONCE(mig->colo->bye_wanted, true);
	spin_unlock_bh(&mig->lock);
	return ask;
}

void kmig_colo_bye_wait(struct kmig_mig *mig)
{
	/* Pairs with the release in kmig_colo_goodbye(). */
	wait_event_idle_timeout(mig->wq, smp_load_acquire(&mig->colo->bye),
				KMIG_COLO_BYE_TIMEOUT);
}

static bool kmig_colo_parked(struct kmig_mig *mig)
{
	unsigned int i;

	for (i = 0; i < mig->nch; i++) {
		/* Pairs with the send thread's release: its last seq is seen. */
		if (!smp_load_acquire(&mig->ch[i].parked))
			return false;
	}
	return true;
}

/*
 * The primary leaves COLO. After a user's cancel between checkpoints
 * (@idle: nothing of a checkpoint on the wire, at most a pause asked
 * of the VMM), CANCEL goes on every channel before they
 * close, so that the secondary ends "cancelled" at the last committed
 * checkpoint instead of failing over: its VMM must not take over a guest
 * that runs on here. Every channel, because each secondary channel thread
 * must read it before it can see its connection close. The send threads
 * are parked (the cancel stopped the queue): the sockets are ours. Mid-
 * checkpoint, or without a cancel (the VMM exited), the channels just
 * close and the secondary fails over.
 */
static void kmig_colo_goodbye(struct kmig_mig *mig, bool idle)
{
	unsigned int i;
	int bye = -1;

	if (idle && READ_ONCE(mig->colo->bye_wanted)) {
		wait_event_idle_timeout(mig->wq, kmig_colo_parked(mig),
					KMIG_COLO_BYE_TIMEOUT);
		bye = kmig_colo_parked(mig) ? 1 : -1;
		for (i = 0; bye > 0 && i < mig->nch; i++)
			if (kmig_send_cancel(&mig->ch[i]))
				bye = -1;
	}
	/* The CANCELs are on the wire before the cancel's kick sees this. */
	smp_store_release(&mig->colo->bye, bye);
	wake_up_all(&mig->wq);
}

/*
 * The primary's COLO phase, after the switchover's pass and COMPLETE
 * were acknowledged by every channel (checkpoint 0). Dirty tracking is
 * still on from the precopy. @base: checkpoint N's pages go as pass
 * base + N.
 */
void kmig_colo_primary(struct kmig_mig *mig, u64 base)
{
	struct kmig_colo *colo = mig->colo;
	u64 n, t_pause, t1, bytes0, pages0, transfer = 0, flush = 0;
	bool idle = false;
	int ret;

	colo->base_pass = base;
	kmig_mig_set_state(mig, KMIG_MIG_STATE_COLO);
	kmig_status_event(mig, KMIG_MIG_EVENT_STATE);
	for (;;) {
		wait_event_idle_timeout(mig->wq, READ_ONCE(colo->request) ||
					kmig_mig_stopping(mig),
					msecs_to_jiffies(colo->interval_ms));
		if (kmig_mig_stopping(mig)) {
			idle = true;
			break;
		}
		WRITE_ONCE(colo->request, false);

		/* Checkpoint n: the VMM pauses first, nothing on the wire yet. */
		n = colo->sm.committed + 1;
		t_pause = ktime_get_ns();
		ret = kmig_colo_pause(mig, n);
		if (ret) {
			idle = ret == -ECANCELED;
			break;
		}

		/* Its pages, then the secondary's acknowledgment. */
		bytes0 = kmig_mig_bytes(mig);
		pages0 = atomic64_read(&mig->pages_done);
		ret = kmig_queue_control(&mig->queue, KMIG_BATCH_CHECKPOINT, n);
		if (!ret) {
			kmig_dirty_collect(mig->region, mig->pending);
			mig->dirty_syncs++;
			ret = kmig_send_pass(mig, base + n, mig->pending);
		}
		if (!ret)
			ret = kmig_colo_recv_ack(mig, n, &transfer, &flush);
		if (ret) {
			kmig_mig_fail(mig,
				      "checkpoint %llu: %s (%pe)", n,
				      ret == -EPROTO ? "bad acknowledgment" :
				      ret == -ETIMEDOUT ? "no acknowledgment" :
				      "secondary lost", ERR_PTR(ret));
			break;
		}
		t1 = ktime_get_ns();

		spin_lock_bh(&mig->lock);
		colo->sm.committed = n;
		colo->checkpoints++;
		colo->last_pages = atomic64_read(&mig->pages_done) - pages0;
		colo->last_bytes = kmig_mig_bytes(mig) - bytes0;
		kmig_hist_add(&colo->hist[KMIG_COLO_METRIC_TRANSFER], transfer);
		kmig_hist_add(&colo->hist[KMIG_COLO_METRIC_FLUSH], flush);
		kmig_hist_add(&colo->hist[KMIG_COLO_METRIC_PAUSE], t1 - t_pause);
		spin_unlock_bh(&mig->lock);
		kmig_status_event(mig, KMIG_MIG_EVENT_CHECKPOINT_DONE);
	}
	kmig_colo_goodbye(mig, idle);
}

/* ----- secondary ----- */

/*
 * Channel thread: the primary's CANCEL. The region keeps the checkpoint
 * it holds (as at a failover), but this is no failover: the guest runs
 * on at the primary.
 */
int kmig_colo_rx_cancel(struct kmig_mig *mig)
{
	struct kmig_colo *colo = mig->colo;
	u64 n;

	if (!colo || !READ_ONCE(colo->active))
		return -EPROTO;
	spin_lock_bh(&mig->lock);
	n = kmig_colo_sm_lost(&colo->sm);
	spin_unlock_bh(&mig->lock);
	kmig_mig_stop(mig, KMIG_MIG_STATE_CANCELLED,
		      "primary cancelled COLO (checkpoint %llu kept)", n);
	kmig_mig_kick(mig);
	return 0;
}

/* Channel thread: CHECKPOINT @n arrived. */
int kmig_colo_rx_begin(struct kmig_mig *mig, u64 n)
{
	struct kmig_colo *colo = mig->colo;
	int ret;

	if (!colo || !READ_ONCE(colo->active))
		return -EPROTO;
	spin_lock_bh(&mig->lock);
	ret = kmig_colo_sm_begin(&colo->sm, n);
	if (ret > 0) {
		colo->begin_ns = ktime_get_ns();
		atomic64_set(&colo->ckpt_pages, 0);
	}
	spin_unlock_bh(&mig->lock);
	if (ret > 0)
		wake_up_all(&mig->wq);
	return ret < 0 ? ret : 0;
}

static int kmig_colo_send_ack(struct kmig_mig *mig, u64 n, u64 transfer,
			      u64 flush)
{
	struct kmig_wire_hdr hdr = {
		.type = KMIG_WIRE_CHECKPOINT_ACK,
		.pass = n,
		.arg = { transfer, flush },
	};
	struct kmig_channel *ch = &mig->ch[0];
	u8 buf[KMIG_WIRE_HDR_SIZE + KMIG_WIRE_CRC_SIZE];

	if (kmig_wire_hdr_encode(buf, sizeof(buf), &hdr) < 0)
		return -EINVAL;
	return kmig_packet_send_small(ch, buf, KMIG_WIRE_HDR_SIZE);
}

static bool kmig_colo_phase_is(struct kmig_mig *mig, enum kmig_colo_phase p)
{
	bool is;

	spin_lock_bh(&mig->lock);
	is = mig->colo->sm.phase == p;
	spin_unlock_bh(&mig->lock);
	return is;
}

/* Enter COLO once every channel holds at COMPLETE. */
static int kmig_colo_enter(struct kmig_mig *mig)
{
	struct kmig_colo *colo = mig->colo;
	int ret;

	wait_event_idle(mig->wq, kmig_mig_held(mig) || kmig_mig_stopping(mig));
	if (kmig_mig_stopping(mig))
		return -ECANCELED;
	ret = kmig_colo_cache_fill(&colo->cache, mig->region);
	if (!ret)
		ret = kmig_dirty_start(mig->region);
	if (ret) {
		kmig_mig_fail(mig,
			      "cannot enter COLO: %s (%pe)",
			      ret == -ENOMEM ? "no memory for the COLO cache" :
			      "cannot track writes", ERR_PTR(ret));
		return ret;
	}
	/* The COMPLETE's barrier is pass base; checkpoint N's SYNC base + N. */
	colo->base_pass = READ_ONCE(mig->barrier_held) - 1;
	WRITE_ONCE(colo->active, true);
	kmig_mig_set_state(mig, KMIG_MIG_STATE_COLO);
	kmig_status_event(mig, KMIG_MIG_EVENT_STATE);
	kmig_mig_release(mig);
	return 0;
}

void kmig_colo_secondary(struct kmig_mig *mig)
{
	struct kmig_colo *colo = mig->colo;
	struct kmig_region *region = mig->region;
	pgoff_t npages = kmig_region_npages(region);
	u64 n, t0, transfer, flush, bytes0;
	long flushed;
	int ret;

	if (kmig_colo_enter(mig))
		goto out;
	for (;;) {
		bytes0 = kmig_mig_bytes(mig);
		wait_event_idle(mig->wq, kmig_colo_phase_is(mig, KMIG_COLO_OPEN) ||
				kmig_mig_stopping(mig));
		if (kmig_mig_stopping(mig))
			break;
		n = colo->sm.open;
		/* The VMM's pause within its limit, the data without one. */
		if (kmig_colo_pause(mig, n))
			break;
		wait_event_idle(mig->wq, kmig_mig_held(mig) ||
				kmig_mig_stopping(mig));
		if (kmig_mig_stopping(mig))
			break;
		spin_lock_bh(&mig->lock);
		ret = kmig_colo_sm_flush(&colo->sm) ? 0 : -EPROTO;
		transfer = colo->transfer_ns;
		spin_unlock_bh(&mig->lock);
		if (ret) {
			kmig_mig_fail(mig,
				      "checkpoint %llu: cannot flush (state)", n);
			break;
		}

		/*
		 * Flush: every page the primary sent and every page this
		 * VMM wrote (it is paused) from the cache into the region.
		 * From here nothing depends on the network.
		 */
		t0 = ktime_get_ns();
		bitmap_zero(colo->flush_bits, npages);
		kmig_dirty_collect(region, colo->flush_bits);
		mig->dirty_syncs++;
		bitmap_or(colo->flush_bits, colo->flush_bits, colo->ckpt_bits,
			  npages);
		flushed = kmig_colo_flush(&colo->cache, region, colo->flush_bits);
		if (flushed < 0) {
			spin_lock_bh(&mig->lock);
			kmig_colo_sm_abort(&colo->sm);
			spin_unlock_bh(&mig->lock);
			kmig_mig_fail(mig,
				      "checkpoint %llu: cannot flush (%pe)%s", n,
				      ERR_PTR(flushed), flushed == -ENOSPC ?
				      ": max_memory reached" : "");
			break;
		}
		flush = ktime_get_ns() - t0;
		bitmap_zero(colo->ckpt_bits, npages);

		spin_lock_bh(&mig->lock);
		kmig_colo_sm_commit(&colo->sm);
		colo->checkpoints++;
		colo->last_pages = atomic64_read(&colo->ckpt_pages);
		colo->last_bytes = kmig_mig_bytes(mig) - bytes0;
		kmig_hist_add(&colo->hist[KMIG_COLO_METRIC_TRANSFER], transfer);
		kmig_hist_add(&colo->hist[KMIG_COLO_METRIC_FLUSH], flush);
		spin_unlock_bh(&mig->lock);

		kmig_mig_release(mig);
		ret = kmig_colo_send_ack(mig, n, transfer, flush);
		kmig_status_event(mig, KMIG_MIG_EVENT_CHECKPOINT_DONE);
		if (ret) {
			kmig_mig_fail(mig,
				      "checkpoint %llu: primary lost (%pe)", n,
				      ERR_PTR(ret));
			break;
		}
	}
out:
	kmig_dirty_stop(region);
}
