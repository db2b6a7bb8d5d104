// SPDX-License-Identifier: GPL-2.0
/*
 * A migration's destination role (kmig_mig_listen(), declared in
 * migration.h): it listens on the migration's address; its main thread
 * accepts connections continuously and gives each a handshake
 * (handshake.c) of its own, a work item on the migration's unbound
 * workqueue, so that handshakes run alongside each other, at most
 * max_handshakes at once (more wait in the backlog), each within
 * handshake_timeout_ms of its accept.
 * Once every channel is here it stops listening, cancels the handshakes
 * still running and waits for them, then waits for the channels, or runs
 * the COLO secondary.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/net.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/err.h>
#include <linux/slab.h>
#include <linux/workqueue.h>
#include <linux/jiffies.h>

#include "migration.h"
#include "mig.h"
#include "status.h"
#include "handshake.h"
#include "sock.h"
#include "colo.h"
#include "postcopy_dst.h"
#include "limits.h"
#include "region.h"

/*
 * Connections waiting for accept: enough that real sources get in while
 * a flood of bad connections is accepted and rejected (the handshakes run
 * concurrently, so the queue drains at accept speed).
 */
#define KMIG_LISTEN_BACKLOG	1024
/* At max_handshakes, look at a stop or a changed limit this often. */
#define KMIG_LISTEN_WAIT	(HZ / 5)

/*
 * A connection in its handshake: on mig->hs_list (the kick shuts it down),
 * run by a work item of the migration's handshake workqueue, freed by the
 * main thread once the work is done.
 */
struct kmig_listener_hs {
	struct kmig_mig_hs hs;
	struct kmig_mig *mig;
	unsigned long deadline;		/* accept + handshake_timeout_ms */
	struct work_struct work;
	bool done;			/* the work returned its verdict */
};

static void kmig_listener_hs_work(struct work_struct *work)
{
	struct kmig_listener_hs *lh = container_of(work, struct kmig_listener_hs,
						   work);
	struct kmig_mig *mig = lh->mig;

	/* A failure stops the migration itself; the main thread sees it. */
	kmig_hs_accept(mig, &lh->hs, lh->deadline);
	/* Release: the main thread may free @lh once it sees this. */
	smp_store_release(&lh->done, true);
	/* The main thread outlives every handshake (it drains them). */
	atomic_inc(&mig->hs_ended);
	wake_up_all(&mig->wq);
}

/*
 * Main thread: free the handshakes that are done (a rejected connection's
 * socket with it). The handshakes still running.
 */
static unsigned int kmig_listener_reap(struct kmig_mig *mig)
{
	struct kmig_listener_hs *lh, *tmp;
	unsigned int running = 0;
	LIST_HEAD(done);

	mutex_lock(&mig->sock_lock);
	list_for_each_entry_safe(lh, tmp, &mig->hs_list, hs.node) {
		/* Pairs with the worker's release: its verdict is final. */
		if (smp_load_acquire(&lh->done))
			list_move(&lh->hs.node, &done);
		else
			running++;
	}
	mutex_unlock(&mig->sock_lock);
	list_for_each_entry_safe(lh, tmp, &done, hs.node) {
		kmig_sock_release(lh->hs.sock);
		kfree(lh);
	}
	return running;
}

/* Main thread: a handshake of its own for a new connection. */
static void kmig_listener_hs_start(struct kmig_mig *mig, struct socket *sock)
{
	struct kmig_listener_hs *lh;

	lh = kzalloc(sizeof(*lh), GFP_KERNEL);
	if (!lh) {
		kmig_sock_release(sock);
		return;
	}
	lh->mig = mig;
	lh->deadline = jiffies +
		       msecs_to_jiffies(kmig_limits_handshake_timeout_ms());
	INIT_WORK(&lh->work, kmig_listener_hs_work);
	kmig_mig_hs_add(mig, &lh->hs, sock);
	queue_work(mig->hs_wq, &lh->work);
}

/* The listening socket and the handshakes' workqueue. */
static int kmig_listener_open(struct kmig_mig *mig, const char **why)
{
	int ret;

	mig->hs_wq = alloc_workqueue("kmig-hs/%u", WQ_UNBOUND,
				     KMIG_LIMITS_HANDSHAKES_MAX,
				     mig->region->id);
	if (!mig->hs_wq) {
		*why = "out of memory";
		return -ENOMEM;
	}
	ret = kmig_sock_listen(mig->net, &mig->cfg.addr, KMIG_LISTEN_BACKLOG,
			       &mig->lsock, &mig->port);
	if (ret) {
		*why = ret == -EADDRINUSE ? "address already in use" :
		       ret == -EADDRNOTAVAIL ? "address not available here" :
		       "cannot listen on this address";
		destroy_workqueue(mig->hs_wq);
		mig->hs_wq = NULL;
	}
	return ret;
}

/* Destination: listen; the main thread accepts the channels. */
static int kmig_listener_prepare(struct kmig_mig *mig, const char **why)
{
	mig->state = KMIG_MIG_STATE_LISTENING;
	return kmig_listener_open(mig, why);
}

/* What prepare set up, when the main thread never ran. */
static void kmig_listener_unprepare(struct kmig_mig *mig)
{
	kmig_sock_release(mig->lsock);
	mig->lsock = NULL;
	destroy_workqueue(mig->hs_wq);
	mig->hs_wq = NULL;
}

/*
 * The accept loop: every connection gets a handshake of its own, run
 * alongside the others (at most max_handshakes at once), each with its
 * deadline from accept. The last channel's handshake ends the loop; so
 * does a stop, and for a resumed postcopy its pause timeout.
 */
static void kmig_listener_accept_all(struct kmig_mig *mig)
{
	u64 limit = (u64)mig->cfg.pc_pause_timeout_ms * NSEC_PER_MSEC;
	unsigned int running, max;
	int ended;
	struct socket *sock, *lsock;
	bool full = false;
	int ret;

	while (!kmig_mig_halted(mig)) {
		if (READ_ONCE(mig->pc_resuming) &&
		    ktime_get_ns() - READ_ONCE(mig->pc_pause_ns) > limit) {
			kmig_mig_stop(mig, KMIG_MIG_STATE_FAILED,
				      "postcopy paused for %u s: the source did not reconnect",
				      mig->cfg.pc_pause_timeout_ms / 1000);
			break;
		}
		ended = atomic_read(&mig->hs_ended);
		running = kmig_listener_reap(mig);
		max = kmig_limits_handshakes();
		if (READ_ONCE(mig->hs_accepted) == mig->nch)
			break;
		if (running >= max) {
			/*
			 * Back pressure: leave further connections in the
			 * backlog, in arrival order, until a handshake ends
			 * (each ends by its deadline at the latest).
			 */
			if (!full)
				kmig_limits_handshakes_reached(mig->region->id,
							       max);
			full = true;
			wait_event_idle_timeout(mig->wq,
						atomic_read(&mig->hs_ended) != ended ||
						kmig_mig_stopping(mig),
						KMIG_LISTEN_WAIT);
			continue;
		}
		full = false;
		ret = kmig_sock_accept(mig->lsock, &sock);
		if (ret == -EAGAIN || ret == -EINTR)
			continue;
		if (ret) {
			if (!kmig_mig_stopping(mig))
				kmig_mig_stop(mig, KMIG_MIG_STATE_FAILED,
					      "accept failed (%pe)", ERR_PTR(ret));
			break;
		}
		kmig_listener_hs_start(mig, sock);
	}

	/*
	 * Stop listening; the handshakes still running are cancelled (a late
	 * connection is dropped, it does not fail the migration) and waited
	 * for, so that no handshake outlives the main thread.
	 */
	mutex_lock(&mig->hs_lock);
	WRITE_ONCE(mig->hs_closed, true);
	mutex_unlock(&mig->hs_lock);
	lsock = mig->lsock;
	kmig_mig_set_sock(mig, &mig->lsock, NULL);
	kmig_sock_release(lsock);
	if (kmig_mig_stopping(mig))
		kmig_mig_kick(mig);
	else
		kmig_mig_hs_kick(mig);
	drain_workqueue(mig->hs_wq);
	running = kmig_listener_reap(mig);
	WARN_ON_ONCE(running);
	destroy_workqueue(mig->hs_wq);
	mig->hs_wq = NULL;
}

/*
 * Postcopy, paused and asked to resume: listen again on the same address
 * and port (or the one mig-postcopy-resume gave), with the channel ids
 * free again, and accept every channel. False when that did not happen.
 */
static bool kmig_listener_reaccept(struct kmig_mig *mig)
{
	const char *why = NULL;
	struct sockaddr_storage *a = &mig->cfg.addr;

	if (a->ss_family == AF_INET6)
		((struct sockaddr_in6 *)a)->sin6_port = htons(mig->port);
	else
		((struct sockaddr_in *)a)->sin_port = htons(mig->port);
	mutex_lock(&mig->hs_lock);
	bitmap_zero(mig->hs_claimed, KMIG_CHANNELS_MAX);
	mig->hs_accepted = 0;
	WRITE_ONCE(mig->hs_closed, false);
	mutex_unlock(&mig->hs_lock);
	if (kmig_listener_open(mig, &why)) {
		kmig_mig_stop(mig, KMIG_MIG_STATE_FAILED,
			      "postcopy resume: cannot listen again: %s", why);
		return false;
	}
	pr_info("region %u: postcopy resume: listening on port %u\n",
		mig->region->id, mig->port);
	kmig_listener_accept_all(mig);
	return !kmig_mig_halted(mig) && READ_ONCE(mig->hs_accepted) == mig->nch;
}

/* Postcopy to its end, listening again after each resumed pause. */
static void kmig_listener_postcopy(struct kmig_mig *mig)
{
	while (kmig_postcopy_dst_run(mig) == -EAGAIN) {
		if (!kmig_listener_reaccept(mig) && !kmig_mig_pc_paused(mig))
			break;
	}
	kmig_postcopy_dst_end(mig);
}

static int kmig_listener_thread(void *data)
{
	struct kmig_mig *mig = data;

	kmig_listener_accept_all(mig);
	if (!kmig_mig_stopping(mig)) {
		if (mig->colo)
			kmig_colo_secondary(mig);
		else if (mig->hs_postcopy)
			kmig_listener_postcopy(mig);
		else
			kmig_mig_wait_channels(mig);
	}
	kmig_mig_exit(mig);
}

static const struct kmig_mig_role_ops kmig_listener_ops = {
	.role = KMIG_MIG_ROLE_DESTINATION,
	.name = "dst",
	.prepare = kmig_listener_prepare,
	.unprepare = kmig_listener_unprepare,
	.thread = kmig_listener_thread,
};

int kmig_mig_listen(struct kmig_region *region, struct net *net,
		    const struct kmig_mig_config *cfg, const char **why)
{
	return kmig_mig_begin(region, net, &kmig_listener_ops, cfg, why);
}
