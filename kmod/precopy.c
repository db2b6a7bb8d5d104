// SPDX-License-Identifier: GPL-2.0
/*
 * A migration's source role (kmig_mig_start(), declared in migration.h).
 * Its main thread (the dispatcher) connects the channels (handshake.c),
 * then dispatches the region's pages to them through the batch queue
 * (kmig_send_pass(), send.c): one pass for a paused guest, or the live
 * precopy, passes of the pages written during the previous one until the
 * expected downtime is within the limit and the VMM switches over; then,
 * for COLO, the primary's loop (colo.c). Also the pacing of the passes
 * after switchover-ready.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kthread.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/mm.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/wait.h>
#include <linux/err.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#include "migration.h"
#include "mig.h"
#include "send.h"
#include "status.h"
#include "handshake.h"
#include "region.h"
#include "queue.h"
#include "dirty.h"
#include "colo.h"
#include "postcopy_src.h"

/* Source: the batch queue; the main thread connects the channels. */
static int kmig_precopy_prepare(struct kmig_mig *mig, const char **why)
{
	const struct sockaddr_storage *a = &mig->cfg.addr;

	mig->state = KMIG_MIG_STATE_SETUP;
	mig->port = a->ss_family == AF_INET6 ?
		ntohs(((const struct sockaddr_in6 *)a)->sin6_port) :
		ntohs(((const struct sockaddr_in *)a)->sin_port);
	return kmig_queue_init(&mig->queue, mig->nch, mig->cfg.zero_detect);
}

/* What prepare set up, when the main thread never ran. */
static void kmig_precopy_unprepare(struct kmig_mig *mig)
{
	kmig_queue_uninit(&mig->queue);
}

/*
 * Once switchover-ready has been announced, passes go on only to keep the
 * dirty set small until the VMM has paused its vCPUs: they start at most
 * every KMIG_PRECOPY_PASS_MIN_MS instead of back to back, so that a guest
 * writing a few pages does not run up thousands of tiny passes. The
 * switchover (or a stop) ends the wait at once.
 */
#define KMIG_PRECOPY_PASS_MIN_MS	50

static void kmig_precopy_pace(struct kmig_mig *mig, u64 start)
{
	u64 end = start + KMIG_PRECOPY_PASS_MIN_MS * NSEC_PER_MSEC;
	u64 now = ktime_get_ns();

	if (now >= end)
		return;
	wait_event_idle_timeout(mig->wq, READ_ONCE(mig->switchover) ||
				kmig_mig_stopping(mig),
				max(nsecs_to_jiffies(end - now), 1UL));
}

/*
 * Postcopy by policy (the migration allows it): after postcopy_after
 * passes, or at max_passes with the postcopy no-convergence policy. Also
 * asked for by mig-postcopy. Either way switchover-ready is announced and
 * the switchover goes to postcopy.
 */
static bool kmig_precopy_want_postcopy(struct kmig_mig *mig, u64 passes)
{
	const struct kmig_mig_config *cfg = &mig->cfg;
	bool want;

	if (!cfg->postcopy)
		return false;
	want = passes >= cfg->postcopy_after ||
	       (cfg->max_passes && passes >= cfg->max_passes &&
		cfg->no_convergence == KMIG_NO_CONVERGENCE_POSTCOPY);
	spin_lock_bh(&mig->lock);
	if (want)
		mig->postcopy_asked = true;
	want = mig->postcopy_asked;
	spin_unlock_bh(&mig->lock);
	return want;
}

/*
 * The switchover flag (acquire: pairs with kmig_mig_switchover(); the VMM
 * paused its vCPUs before asking, so every write it made is in the bitmap
 * collected after this). At the switchover, a postcopy asked for is
 * chosen: mig-postcopy after it is refused.
 */
static bool kmig_precopy_final(struct kmig_mig *mig)
{
	/* Pairs with the release in kmig_mig_switchover(). */
	bool final = smp_load_acquire(&mig->switchover);

	if (final) {
		spin_lock_bh(&mig->lock);
		mig->postcopy = mig->postcopy_asked;
		spin_unlock_bh(&mig->lock);
	}
	return final;
}

static void kmig_precopy_ready(struct kmig_mig *mig)
{
	WRITE_ONCE(mig->switchover_ready, true);
	kmig_status_event(mig, KMIG_MIG_EVENT_SWITCHOVER_READY);
}

/*
 * Pure postcopy (postcopy_after 0): no pass; switchover-ready at once,
 * and the switchover sends everything by postcopy. False when stopped.
 */
static bool kmig_precopy_postcopy_now(struct kmig_mig *mig)
{
	kmig_precopy_want_postcopy(mig, 0);
	kmig_precopy_ready(mig);
	wait_event_idle(mig->wq, READ_ONCE(mig->switchover) ||
			kmig_mig_stopping(mig));
	return kmig_precopy_final(mig) && !kmig_mig_stopping(mig);
}

/* One channel's connect and handshake, beside the others'. */
struct kmig_precopy_conn {
	struct work_struct work;
	struct kmig_mig *mig;
	struct kmig_channel *ch;
	int ret;
};

static void kmig_precopy_connect_work(struct work_struct *work)
{
	struct kmig_precopy_conn *c =
		container_of(work, struct kmig_precopy_conn, work);

	c->ret = kmig_mig_halted(c->mig) ? -ECANCELED :
					   kmig_hs_connect(c->mig, c->ch);
}

/*
 * Connect every channel (its handshake starts its thread): channel 0
 * first, then all the others at once. A handshake takes three to four
 * round trips (connect, hello and reply, authentication), which one after
 * the other would add up to a second and a half for eight channels on a
 * 50 ms link before the first page; two in a row take the time of two.
 * Channel 0 alone first: a destination that refuses the migration (no
 * key, a wrong one, features it will not grant, gone) refuses it once,
 * to channel 0, and the reason names it, not one of N channels racing.
 * The destination runs the handshakes it accepts concurrently already.
 * The first failure (in channel order) is returned; the one that stopped
 * the migration has given its reason.
 */
static int kmig_precopy_connect(struct kmig_mig *mig)
{
	struct kmig_precopy_conn *c;
	struct workqueue_struct *wq;
	unsigned int i;
	int ret = 0;

	if (kmig_mig_halted(mig))
		return -ECANCELED;
	ret = kmig_hs_connect(mig, &mig->ch[0]);
	if (ret || mig->nch == 1)
		return ret;
	c = kcalloc(mig->nch, sizeof(*c), GFP_KERNEL);
	wq = alloc_workqueue("kmig-conn/%u", WQ_UNBOUND, mig->nch,
			     mig->region->id);
	if (!c || !wq) {
		kfree(c);
		if (wq)
			destroy_workqueue(wq);
		kmig_mig_fail(mig, "connect: out of memory");
		return -ENOMEM;
	}
	for (i = 1; i < mig->nch; i++) {
		c[i].mig = mig;
		c[i].ch = &mig->ch[i];
		INIT_WORK(&c[i].work, kmig_precopy_connect_work);
		queue_work(wq, &c[i].work);
	}
	destroy_workqueue(wq);	/* drains it: every handshake has ended */
	for (i = 1; i < mig->nch && !ret; i++)
		ret = c[i].ret;
	kfree(c);
	return ret;
}

/*
 * Postcopy from the switch to its end. Its connections broken after
 * postcopy-active, it pauses: it waits for mig-postcopy-resume, connects
 * every channel again and goes on from what the destination still lacks,
 * as often as it takes, until done, stopped, or paused too long.
 */
static int kmig_precopy_postcopy(struct kmig_mig *mig, u64 pass, bool all)
{
	int ret = kmig_postcopy_src_run(mig, pass, all);

	while (kmig_mig_pc_paused(mig) && !kmig_mig_stopping(mig)) {
		if (kmig_postcopy_src_pause(mig))
			break;
		if (kmig_precopy_connect(mig))
			continue;
		ret = kmig_postcopy_src_resumed(mig);
	}
	return kmig_mig_stopping(mig) ? -ECANCELED : ret;
}

/*
 * Live source: pass 0 sends every populated page with dirty tracking on;
 * each later pass sends what was written during the previous one. After
 * each pass the expected downtime is the dirty bytes over the bandwidth
 * measured in that pass; within the limit, switchover-ready is announced.
 * The VMM pauses its vCPUs and sends mig-switchover; the last pass then
 * carries everything still dirty, and the downtime runs until every
 * channel's COMPLETE is acknowledged.
 */
static int kmig_precopy_live(struct kmig_mig *mig)
{
	struct kmig_region *region = mig->region;
	u64 limit_ns = (u64)mig->cfg.downtime_limit_ms * NSEC_PER_MSEC;
	u64 pass = 0, start, sent, dt, bw = 0, n, expected, since, now;
	bool final = false, want_postcopy;
	int ret;

	ret = kmig_dirty_start(region);
	if (ret) {
		kmig_mig_stop(mig, KMIG_MIG_STATE_FAILED,
			      "cannot track writes to the region (%pe)",
			      ERR_PTR(ret));
		return ret;
	}

	if (mig->cfg.postcopy && !mig->cfg.postcopy_after) {
		if (kmig_precopy_postcopy_now(mig))
			ret = kmig_precopy_postcopy(mig, 0, true);
		goto out;
	}
	since = ktime_get_ns();
	for (;;) {
		/* Postcopy: the pages still dirty go as MISSING instead. */
		if (final && mig->postcopy)
			break;
		start = ktime_get_ns();
		sent = kmig_mig_bytes(mig);
		ret = kmig_send_pass(mig, pass, pass ? mig->pending : NULL);
		if (ret || final)
			break;
		dt = ktime_get_ns() - start;
		sent = kmig_mig_bytes(mig) - sent;
		/* Passes of a few packets say little about the bandwidth. */
		if (dt && (sent >= (4 << 20) || !bw))
			bw = mul_u64_u64_div_u64(sent, NSEC_PER_SEC, dt);

		if (mig->switchover_ready)
			kmig_precopy_pace(mig, start);
		/*
		 * The switchover flag is read before the collection: the VMM
		 * paused its vCPUs before asking, so every write it made is
		 * in the bitmap by then and goes in the final pass.
		 */
		final = kmig_precopy_final(mig);
		n = kmig_dirty_collect(region, mig->pending);
		mig->dirty_syncs++;
		if (kmig_mig_stopping(mig))
			break;
		/* Pages written per second since the previous collection. */
		now = ktime_get_ns();
		dt = now - since;
		since = now;

		expected = kmig_expected_downtime_ns((u64)n * PAGE_SIZE, bw);
		spin_lock_bh(&mig->lock);
		mig->dirty_rate = dt ? mul_u64_u64_div_u64(n, NSEC_PER_SEC, dt) : 0;
		mig->remaining_bytes = (u64)n * PAGE_SIZE;
		mig->expected_downtime_ns = expected;
		spin_unlock_bh(&mig->lock);
		kmig_status_event(mig, KMIG_MIG_EVENT_PASS_DONE);

		/* Before the test: postcopy after N passes, converged or not. */
		want_postcopy = kmig_precopy_want_postcopy(mig, pass + 1);
		if (!mig->switchover_ready && !final &&
		    (expected <= limit_ns || want_postcopy ||
		     (mig->cfg.max_passes && pass + 1 >= mig->cfg.max_passes &&
		      mig->cfg.no_convergence == KMIG_NO_CONVERGENCE_SWITCHOVER)))
			kmig_precopy_ready(mig);
		pass++;

		/*
		 * Postcopy asked for and announced: no more passes (the guest
		 * may dirty faster than they go); the pages dirty at the
		 * switchover stay on the source and come by postcopy.
		 */
		if (want_postcopy && mig->switchover_ready && !final) {
			wait_event_idle(mig->wq, READ_ONCE(mig->switchover) ||
					kmig_mig_stopping(mig));
			final = kmig_precopy_final(mig);
			n += kmig_dirty_collect(region, mig->pending);
			mig->dirty_syncs++;
			continue;
		}

		/*
		 * Nothing written since: wait for writes or the switchover
		 * (acquire, as above: the flag before the collection).
		 */
		while (!final && !n && !kmig_mig_stopping(mig)) {
			wait_event_idle_timeout(mig->wq,
						READ_ONCE(mig->switchover) ||
						kmig_mig_stopping(mig), HZ / 20);
			final = kmig_precopy_final(mig);
			n = kmig_dirty_collect(region, mig->pending);
			mig->dirty_syncs++;
			since = ktime_get_ns();
		}
	}
	if (!ret && mig->postcopy && !kmig_mig_stopping(mig)) {
		ret = kmig_precopy_postcopy(mig, pass, false);
		goto out;
	}
	if (!ret)
		ret = kmig_queue_control(&mig->queue, KMIG_BATCH_COMPLETE, pass);
	if (!ret)
		kmig_mig_wait_channels(mig);
	if (!ret && !kmig_mig_stopping(mig)) {
		WRITE_ONCE(mig->downtime_ns, ktime_get_ns() - mig->switchover_ns);
		/* COLO: checkpoint 0 is committed; tracking goes on. */
		if (mig->colo)
			kmig_colo_primary(mig, pass + 1);
	}
out:
	/* The guest ran on the destination: neither side holds all of it. */
	if (READ_ONCE(mig->postcopy_active) &&
	    atomic_read(&mig->channels_done) != mig->nch) {
		kmig_mig_reason_prefix(mig, "guest lost in postcopy");
		WRITE_ONCE(region->postcopy_lost, true);
	}
	kmig_dirty_stop(region);
	return ret;
}

static int kmig_precopy_thread(void *data)
{
	struct kmig_mig *mig = data;
	int ret;

	ret = kmig_precopy_connect(mig);
	if (ret || kmig_mig_stopping(mig)) {
		if (ret)
			kmig_mig_stop(mig, KMIG_MIG_STATE_FAILED,
				      "setup failed (%pe)", ERR_PTR(ret));
		goto out;
	}

	mig->active_ns = ktime_get_ns();
	atomic64_set(&mig->pages_total, kmig_region_populated(mig->region));
	kmig_mig_set_state(mig, KMIG_MIG_STATE_ACTIVE);
	kmig_status_event(mig, KMIG_MIG_EVENT_STATE);

	if (mig->cfg.live) {
		kmig_precopy_live(mig);
		goto out;
	}
	/* The guest is paused: one pass and done. */
	ret = kmig_send_pass(mig, 0, NULL);
	if (!ret)
		ret = kmig_queue_control(&mig->queue, KMIG_BATCH_COMPLETE, 0);
	if (!ret)
		kmig_mig_wait_channels(mig);
out:
	kmig_mig_exit(mig);
}

static const struct kmig_mig_role_ops kmig_precopy_ops = {
	.role = KMIG_MIG_ROLE_SOURCE,
	.name = "src",
	.prepare = kmig_precopy_prepare,
	.unprepare = kmig_precopy_unprepare,
	.thread = kmig_precopy_thread,
};

int kmig_mig_start(struct kmig_region *region, struct net *net,
		   const struct kmig_mig_config *cfg, const char **why)
{
	return kmig_mig_begin(region, net, &kmig_precopy_ops, cfg, why);
}
