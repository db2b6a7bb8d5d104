// SPDX-License-Identifier: GPL-2.0
/*
 * Migrations (migration.h): the lifecycle of a migration and its control
 * plane. Allocation, listen/start (begin), cancel, region close, the
 * state and its stop, the destination's SYNC barriers, the counters,
 * teardown and the events, the status. The roles' main threads are in
 * precopy.c (source, kmig_mig_start()) and listener.c (destination,
 * kmig_mig_listen()), which launch them through kmig_mig_begin(); the
 * handshake of a channel is in handshake.c. None of them is included
 * here: they call into this file, not the other way round.
 *
 * Lifetime: a migration hangs off its region (region->mig, under
 * kmig_mig_mutex) from listen/start until the region's file is released
 * or the next migration of the region replaces it. Its main thread owns
 * the channels: it starts their threads, and on the way out shuts every
 * socket down, stops every channel thread, releases every socket and
 * signals @done. Whoever detaches a migration waits for @done and frees it.
 *
 * About 900 lines, over the 700 of the other files: what is left is what
 * works on a migration's lifetime under kmig_mig_mutex, which stays
 * private to this file (every control-plane operation and the status),
 * and the state, stop, barriers and teardown that they and the threads
 * share under mig->lock; the threads, the handshake and the precopy are
 * in their own files.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kthread.h>
#include <linux/lockdep.h>
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/random.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/inet.h>
#include <net/net_namespace.h>

#include "migration.h"
#include "channel.h"
#include "region.h"
#include "sock.h"
#include "params.h"
#include "limits.h"
#include "dirty.h"
#include "events.h"
#include "colo.h"

/* Serialises listen, start, cancel, status and region close. */
static DEFINE_MUTEX(kmig_mig_mutex);

static struct {
	atomic64_t started;
	atomic64_t completed;
	atomic64_t failed;
	atomic64_t cancelled;
	atomic64_t rejected;
	atomic64_t auth_failed;
	atomic64_t malformed;
	atomic64_t integrity_errors;
	atomic64_t splice_fallbacks;
	atomic64_t failed_over;
} kmig_mstats;

static const char * const kmig_state_names[] = {
	[KMIG_MIG_STATE_NONE] = "none",
	[KMIG_MIG_STATE_LISTENING] = "listening",
	[KMIG_MIG_STATE_SETUP] = "setup",
	[KMIG_MIG_STATE_ACTIVE] = "active",
	[KMIG_MIG_STATE_COMPLETED] = "completed",
	[KMIG_MIG_STATE_FAILED] = "failed",
	[KMIG_MIG_STATE_CANCELLED] = "cancelled",
	[KMIG_MIG_STATE_COLO] = "colo",
	[KMIG_MIG_STATE_FAILOVER] = "failover",
};

const char *kmig_mig_state_name(enum kmig_mig_state state)
{
	if ((unsigned int)state >= ARRAY_SIZE(kmig_state_names))
		return "unknown";
	return kmig_state_names[state];
}

const char *kmig_mig_role_name(enum kmig_mig_role role)
{
	switch (role) {
	case KMIG_MIG_ROLE_SOURCE:
		return "source";
	case KMIG_MIG_ROLE_DESTINATION:
		return "destination";
	default:
		return "none";
	}
}

static bool kmig_state_final(enum kmig_mig_state state)
{
	return state == KMIG_MIG_STATE_COMPLETED ||
	       state == KMIG_MIG_STATE_FAILED ||
	       state == KMIG_MIG_STATE_CANCELLED ||
	       state == KMIG_MIG_STATE_FAILOVER;
}

void kmig_mig_set_state(struct kmig_mig *mig, enum kmig_mig_state state)
{
	spin_lock_bh(&mig->lock);
	if (!kmig_state_final(mig->state))
		mig->state = state;
	spin_unlock_bh(&mig->lock);
}

/*
 * Move to a final state with a reason (the first one wins) and wake every
 * waiter. Any context: the socket callbacks call it from softirq.
 */
void kmig_mig_stop(struct kmig_mig *mig, enum kmig_mig_state state,
		   const char *fmt, ...)
{
	bool changed = false;
	va_list ap;

	spin_lock_bh(&mig->lock);
	if (!kmig_state_final(mig->state)) {
		/* A failure in COLO is a failover: each side runs on alone. */
		if (state == KMIG_MIG_STATE_FAILED &&
		    mig->state == KMIG_MIG_STATE_COLO)
			state = KMIG_MIG_STATE_FAILOVER;
		mig->state = state;
		va_start(ap, fmt);
		vsnprintf(mig->reason, sizeof(mig->reason), fmt, ap);
		va_end(ap);
		changed = true;
	}
	WRITE_ONCE(mig->stopping, true);
	spin_unlock_bh(&mig->lock);

	if (changed && state != KMIG_MIG_STATE_COMPLETED)
		pr_info("region %u: %s migration %s: %s\n", mig->region->id,
			kmig_mig_role_name(mig->role),
			kmig_mig_state_name(state), mig->reason);
	if (mig->role == KMIG_MIG_ROLE_SOURCE)
		kmig_queue_stop(&mig->queue);
	wake_up_all(&mig->wq);
}

void kmig_mig_kick(struct kmig_mig *mig)
{
	unsigned int i;

	mutex_lock(&mig->sock_lock);
	kmig_sock_shutdown(mig->lsock);
	kmig_sock_shutdown(mig->hs_sock);
	for (i = 0; i < mig->nch; i++)
		kmig_sock_shutdown(mig->ch[i].ks.sock);
	mutex_unlock(&mig->sock_lock);
}

void kmig_mig_channel_done(struct kmig_channel *ch)
{
	atomic_inc(&ch->mig->channels_done);
	wake_up_all(&ch->mig->wq);
}

void kmig_mig_count_malformed(struct kmig_mig *mig)
{
	atomic64_inc(&mig->malformed);
	atomic64_inc(&kmig_mstats.malformed);
}

void kmig_mig_count_integrity(struct kmig_mig *mig)
{
	atomic64_inc(&mig->integrity_errors);
	atomic64_inc(&kmig_mstats.integrity_errors);
}

void kmig_mig_count_fallbacks(struct kmig_mig *mig, unsigned int n)
{
	atomic64_add(n, &mig->splice_fallbacks);
	atomic64_add(n, &kmig_mstats.splice_fallbacks);
}

void kmig_mig_count_auth_failed(struct kmig_mig *mig)
{
	atomic64_inc(&mig->auth_failed);
	atomic64_inc(&kmig_mstats.auth_failed);
}

void kmig_mig_count_rejected(struct kmig_mig *mig, bool auth)
{
	atomic64_inc(&mig->rejected);
	atomic64_inc(&kmig_mstats.rejected);
	if (auth)
		kmig_mig_count_auth_failed(mig);
}

static bool kmig_mig_barrier_wait(struct kmig_mig *mig, u64 pass, bool hold)
{
	struct kmig_colo *colo = mig->colo;
	bool last = false, bad = false, ckpt = false;

	spin_lock_bh(&mig->lock);
	if (pass != mig->barrier_pass || atomic_read(&mig->channels_done)) {
		bad = true;
	} else if (++mig->barrier_arrived == mig->nch) {
		mig->barrier_arrived = 0;
		last = true;
		if (!hold) {
			WRITE_ONCE(mig->barrier_pass, pass + 1);
		} else if (colo && READ_ONCE(colo->active) &&
			   kmig_colo_sm_synced(&colo->sm)) {
			bad = true;
			ckpt = true;
		} else {
			if (colo && READ_ONCE(colo->active))
				colo->transfer_ns = ktime_get_ns() -
						    colo->begin_ns;
			WRITE_ONCE(mig->barrier_held, pass + 1);
		}
	}
	spin_unlock_bh(&mig->lock);

	if (bad) {
		kmig_mig_count_malformed(mig);
		if (ckpt)
			kmig_mig_stop(mig, KMIG_MIG_STATE_FAILED,
				      "SYNC for pass %llu outside a COLO checkpoint",
				      pass);
		else
			kmig_mig_stop(mig, KMIG_MIG_STATE_FAILED,
				      "SYNC for pass %llu, but pass %llu is open",
				      pass, READ_ONCE(mig->barrier_pass));
		kmig_mig_kick(mig);
		return false;
	}
	if (last) {
		wake_up_all(&mig->wq);
		if (!hold)
			return true;
	}
	wait_event_idle(mig->wq, READ_ONCE(mig->barrier_pass) > pass ||
			kmig_mig_stopping(mig));
	return !kmig_mig_stopping(mig);
}

bool kmig_mig_barrier(struct kmig_mig *mig, u64 pass)
{
	return kmig_mig_barrier_wait(mig, pass, false);
}

bool kmig_mig_barrier_hold(struct kmig_mig *mig, u64 pass)
{
	return kmig_mig_barrier_wait(mig, pass, true);
}

bool kmig_mig_held(struct kmig_mig *mig)
{
	return READ_ONCE(mig->barrier_held) > READ_ONCE(mig->barrier_pass);
}

void kmig_mig_release(struct kmig_mig *mig)
{
	spin_lock_bh(&mig->lock);
	WRITE_ONCE(mig->barrier_pass, mig->barrier_held);
	spin_unlock_bh(&mig->lock);
	wake_up_all(&mig->wq);
}

void kmig_mig_set_sock(struct kmig_mig *mig, struct socket **slot,
		       struct socket *sock)
{
	mutex_lock(&mig->sock_lock);
	*slot = sock;
	mutex_unlock(&mig->sock_lock);
}

void kmig_mig_wait_channels(struct kmig_mig *mig)
{
	wait_event_idle(mig->wq,
			atomic_read(&mig->channels_done) == mig->nch ||
			kmig_mig_stopping(mig));
}

/* Main thread, on the way out: stop the channels, release the sockets. */
static void kmig_mig_teardown(struct kmig_mig *mig)
{
	struct socket *lsock, *hs;
	unsigned int i;

	if (!kmig_mig_stopping(mig) &&
	    atomic_read(&mig->channels_done) == mig->nch)
		kmig_mig_stop(mig, KMIG_MIG_STATE_COMPLETED, "completed");
	else
		kmig_mig_stop(mig, KMIG_MIG_STATE_FAILED, "stopped");
	kmig_mig_kick(mig);

	for (i = 0; i < mig->nch; i++)
		kmig_channel_stop(&mig->ch[i]);

	mutex_lock(&mig->sock_lock);
	lsock = mig->lsock;
	hs = mig->hs_sock;
	mig->lsock = NULL;
	mig->hs_sock = NULL;
	mutex_unlock(&mig->sock_lock);
	kmig_sock_release(hs);
	kmig_sock_release(lsock);

	for (i = 0; i < mig->nch; i++) {
		struct kmig_channel *ch = &mig->ch[i];
		struct socket *sock = ch->ks.sock;

		if (!sock)
			continue;
		kmig_sock_unhook(&ch->ks);
		kmig_mig_set_sock(mig, &ch->ks.sock, NULL);
		kmig_sock_release(sock);
	}
	if (mig->role == KMIG_MIG_ROLE_SOURCE)
		kmig_queue_uninit(&mig->queue);
	/* No channel writes the COLO cache any more: free its pages now. */
	if (mig->colo)
		kmig_colo_cache_destroy(&mig->colo->cache);

	mig->end_ns = ktime_get_ns();
	switch (READ_ONCE(mig->state)) {
	case KMIG_MIG_STATE_COMPLETED:
		atomic64_inc(&kmig_mstats.completed);
		pr_info("region %u: %s migration completed in %llu ms\n",
			mig->region->id, kmig_mig_role_name(mig->role),
			div_u64(mig->end_ns - mig->start_ns, NSEC_PER_MSEC));
		break;
	case KMIG_MIG_STATE_CANCELLED:
		atomic64_inc(&kmig_mstats.cancelled);
		break;
	case KMIG_MIG_STATE_FAILOVER:
		atomic64_inc(&kmig_mstats.failed_over);
		pr_info("region %u: COLO %s failed over at checkpoint %llu: %s\n",
			mig->region->id,
			mig->role == KMIG_MIG_ROLE_SOURCE ? "primary" : "secondary",
			kmig_colo_sm_lost(&mig->colo->sm), mig->reason);
		break;
	default:
		atomic64_inc(&kmig_mstats.failed);
		break;
	}
	/* Its max_migrations slot, before cancel and status see it ended. */
	kmig_limits_mig_end();
	/*
	 * Status readers and cancel look at this; only destroy waits @done.
	 * Release: end_ns and the state are visible before the flag.
	 */
	smp_store_release(&mig->finished, true);
	wake_up_all(&mig->wq);
}

/* Main thread, last: the final event (after @finished: counters final). */
static void kmig_mig_final_event(struct kmig_mig *mig)
{
	switch (READ_ONCE(mig->state)) {
	case KMIG_MIG_STATE_COMPLETED:
		kmig_mig_event(mig, KMIG_MIG_EVENT_COMPLETED);
		break;
	case KMIG_MIG_STATE_CANCELLED:
		kmig_mig_event(mig, KMIG_MIG_EVENT_CANCELLED);
		break;
	case KMIG_MIG_STATE_FAILOVER:
		kmig_mig_event(mig, KMIG_MIG_EVENT_FAILOVER);
		break;
	default:
		kmig_mig_event(mig, KMIG_MIG_EVENT_FAILED);
		break;
	}
}

static void kmig_mig_fill_info(struct kmig_mig *mig,
			       struct kmig_mig_info *info);

/*
 * Multicast an event with the migration's status. Process context; the
 * caller keeps @mig alive. Takes no migration lock, so the main thread may
 * call it while a cancel waits for it.
 */
void kmig_mig_event(struct kmig_mig *mig, enum kmig_mig_event event)
{
	struct kmig_mig_info *info;

	info = kmalloc(sizeof(*info), GFP_KERNEL);
	if (!info)
		return;
	kmig_mig_fill_info(mig, info);
	/* A pause names the checkpoint being taken, not the committed one. */
	if (event == KMIG_MIG_EVENT_CHECKPOINT_PAUSE && mig->colo)
		info->checkpoint = READ_ONCE(mig->colo->pause_for);
	kmig_events_mig(mig->net, info, event);
	kfree(info);
}

static bool kmig_mig_finished(struct kmig_mig *mig)
{
	/* Pairs with the release in teardown: end_ns and counters are final. */
	return smp_load_acquire(&mig->finished);
}

void kmig_mig_exit(struct kmig_mig *mig)
{
	kmig_mig_teardown(mig);
	kmig_mig_final_event(mig);
	kthread_complete_and_exit(&mig->done, 0);
}

/* Control plane. */

static void kmig_mig_free(struct kmig_mig *mig)
{
	unsigned int i;

	for (i = 0; i < mig->nch; i++)
		kmig_channel_uninit(&mig->ch[i]);
	kmig_colo_free(mig->colo);
	kmig_auth_uninit(&mig->auth);
	kmig_crc_uninit(&mig->crc);
	kvfree(mig->received);
	kvfree(mig->pending);
	put_net(mig->net);
	kmig_region_put(mig->region);
	kfree(mig);
}

static struct kmig_mig *kmig_mig_alloc(struct kmig_region *region,
				       struct net *net,
				       enum kmig_mig_role role,
				       const struct kmig_mig_config *cfg)
{
	struct kmig_mig *mig;
	unsigned int i;

	mig = kzalloc(struct_size(mig, ch, cfg->channels), GFP_KERNEL);
	if (!mig)
		return NULL;
	kmig_region_get(region);
	mig->region = region;
	mig->net = get_net(net);
	mig->role = role;
	mig->cfg = *cfg;
	memzero_explicit(mig->cfg.key, sizeof(mig->cfg.key));
	mig->nch = cfg->channels;
	spin_lock_init(&mig->lock);
	mutex_init(&mig->sock_lock);
	init_completion(&mig->done);
	init_waitqueue_head(&mig->wq);
	mig->start_ns = ktime_get_ns();
	mig->have_id = cfg->have_id;
	if (cfg->have_id)
		memcpy(mig->id, cfg->id, sizeof(mig->id));
	else if (role == KMIG_MIG_ROLE_SOURCE)
		get_random_bytes(mig->id, sizeof(mig->id));
	for (i = 0; i < mig->nch; i++) {
		if (kmig_channel_init(mig, &mig->ch[i], i))
			goto err;
	}
	if (role == KMIG_MIG_ROLE_DESTINATION) {
		mig->received = kvcalloc(BITS_TO_LONGS(kmig_region_npages(region)),
					 sizeof(long), GFP_KERNEL);
		if (!mig->received)
			goto err;
	} else if (cfg->live) {
		mig->pending = kvcalloc(BITS_TO_LONGS(kmig_region_npages(region)),
					sizeof(long), GFP_KERNEL);
		if (!mig->pending)
			goto err;
	}
	if (cfg->colo) {
		mig->colo = kmig_colo_alloc(region,
					    role == KMIG_MIG_ROLE_DESTINATION,
					    cfg->checkpoint_interval_ms);
		if (!mig->colo)
			goto err;
	}
	kmig_rate_init(&mig->rate, cfg->max_bandwidth, ktime_get_ns());
	/* Unknown until a pass has measured the bandwidth. */
	mig->expected_downtime_ns = U64_MAX;
	return mig;
err:
	kmig_mig_free(mig);
	return NULL;
}

/* Detach the region's finished migration; the caller frees it. */
static int kmig_mig_detach_finished(struct kmig_region *region,
				    struct kmig_mig **old, const char **why)
{
	struct kmig_mig *mig = region->mig;

	lockdep_assert_held(&kmig_mig_mutex);
	*old = NULL;
	if (!mig)
		return 0;
	if (!kmig_mig_finished(mig)) {
		*why = "a migration of this region is running (cancel it first)";
		return -EBUSY;
	}
	region->mig = NULL;
	*old = mig;
	return 0;
}

/* The one wait for @done: after it the main thread has left kmig's code. */
static void kmig_mig_destroy(struct kmig_mig *mig)
{
	if (!mig)
		return;
	wait_for_completion(&mig->done);
	kmig_mig_free(mig);
}

static int kmig_mig_launch(struct kmig_region *region, struct kmig_mig *mig,
			   int (*fn)(void *), const char *name)
{
	struct task_struct *t;

	lockdep_assert_held(&kmig_mig_mutex);
	/* The event first: the thread's own events come after it. */
	kmig_mig_event(mig, KMIG_MIG_EVENT_STATE);
	t = kthread_run(fn, mig, "kmig-%s/%u", name, region->id);
	if (IS_ERR(t))
		return PTR_ERR(t);
	mig->main = t;
	region->mig = mig;
	atomic64_inc(&kmig_mstats.started);
	return 0;
}

static int kmig_mig_check_region(struct kmig_region *region, const char **why)
{
	if (!kmig_region_npages(region)) {
		*why = "region has no size yet (mmap it first)";
		return -EINVAL;
	}
	return 0;
}

/* Listen and start: replace a finished migration, set up, launch. */
int kmig_mig_begin(struct kmig_region *region, struct net *net,
		   const struct kmig_mig_role_ops *ops,
		   const struct kmig_mig_config *cfg, const char **why)
{
	struct kmig_mig *mig, *old = NULL;
	int ret;

	ret = kmig_mig_check_region(region, why);
	if (ret)
		return ret;
	/* max_channels and max_migrations; the slot is ours on success. */
	ret = kmig_limits_mig_begin(cfg->channels, why);
	if (ret)
		return ret;

	mutex_lock(&kmig_mig_mutex);
	ret = kmig_mig_detach_finished(region, &old, why);
	if (ret)
		goto unlock;
	ret = -ENOMEM;
	*why = "out of memory";
	mig = kmig_mig_alloc(region, net, ops->role, cfg);
	if (!mig)
		goto unlock;
	if (cfg->have_key) {
		ret = kmig_auth_init(&mig->auth, cfg->key);
		if (ret) {
			*why = "cannot set up HMAC-SHA256 (kernel crypto API)";
			kmig_mig_free(mig);
			goto unlock;
		}
	}
	/*
	 * A destination without integrity sets crc32c up at the first hello
	 * that asks for it (handshake.c).
	 */
	if (cfg->integrity) {
		ret = kmig_crc_init(&mig->crc);
		if (ret) {
			*why = "cannot set up crc32c (kernel crypto API)";
			kmig_mig_free(mig);
			goto unlock;
		}
	}
	ret = ops->prepare(mig, why);
	if (ret) {
		kmig_mig_free(mig);
		goto unlock;
	}
	ret = kmig_mig_launch(region, mig, ops->thread, ops->name);
	if (ret) {
		*why = "cannot start the migration thread";
		ops->unprepare(mig);
		kmig_mig_free(mig);
	}
unlock:
	mutex_unlock(&kmig_mig_mutex);
	if (ret)
		kmig_limits_mig_end();
	kmig_mig_destroy(old);
	return ret;
}

int kmig_mig_cancel(struct kmig_region *region, const char **why)
{
	struct kmig_mig *mig;
	bool bye;

	mutex_lock(&kmig_mig_mutex);
	mig = region->mig;
	if (!mig) {
		mutex_unlock(&kmig_mig_mutex);
		*why = "no migration on this region";
		return -ENOENT;
	}
	if (kmig_mig_finished(mig)) {
		mutex_unlock(&kmig_mig_mutex);
		*why = "the migration has already ended";
		return -EALREADY;
	}
	/* A COLO primary tells its secondary first (kmig_colo_goodbye()). */
	bye = kmig_colo_bye_ask(mig);
	kmig_mig_stop(mig, KMIG_MIG_STATE_CANCELLED, "cancelled by the user");
	if (bye)
		kmig_colo_bye_wait(mig);
	kmig_mig_kick(mig);
	/*
	 * The migration cannot be freed while we wait: only region close
	 * and a new listen/start free it, and both take the mutex.
	 */
	wait_event_idle(mig->wq, kmig_mig_finished(mig));
	mutex_unlock(&kmig_mig_mutex);
	return 0;
}

void kmig_mig_region_closed(struct kmig_region *region)
{
	struct kmig_mig *mig;

	mutex_lock(&kmig_mig_mutex);
	mig = region->mig;
	region->mig = NULL;
	mutex_unlock(&kmig_mig_mutex);
	if (!mig)
		return;
	kmig_mig_stop(mig, KMIG_MIG_STATE_CANCELLED,
		      "region closed by its owner");
	kmig_mig_kick(mig);
	kmig_mig_destroy(mig);
}

/* Status of @mig; the caller keeps it alive (mutex or its own thread). */
static void kmig_mig_fill_info(struct kmig_mig *mig, struct kmig_mig_info *info)
{
	u64 end, active, bytes;
	unsigned int i;

	memset(info, 0, sizeof(*info));
	info->region_id = mig->region->id;
	info->role = mig->role;
	spin_lock_bh(&mig->lock);
	info->state = mig->state;
	strscpy(info->reason, mig->reason, sizeof(info->reason));
	memcpy(info->id, mig->id, sizeof(info->id));
	info->dirty_rate = mig->dirty_rate;
	info->remaining_bytes = mig->remaining_bytes;
	info->expected_downtime_ns = mig->expected_downtime_ns;
	if (mig->colo) {
		struct kmig_colo *colo = mig->colo;

		info->colo = true;
		info->checkpoint = kmig_colo_sm_lost(&colo->sm);
		info->checkpoints = colo->checkpoints;
		info->ckpt_pages = colo->last_pages;
		info->ckpt_bytes = colo->last_bytes;
		kmig_colo_latency(mig, info->colo_latency);
		info->colo_metrics = BIT(KMIG_COLO_METRIC_TRANSFER) |
				     BIT(KMIG_COLO_METRIC_FLUSH);
		if (mig->role == KMIG_MIG_ROLE_SOURCE)
			info->colo_metrics |= BIT(KMIG_COLO_METRIC_PAUSE);
	}
	spin_unlock_bh(&mig->lock);
	if (mig->colo) {
		info->checkpoint_interval_ms = mig->cfg.checkpoint_interval_ms;
		info->colo_cache_pages =
			atomic_long_read(&mig->colo->cache.npages);
	}
	info->addr = mig->cfg.addr;
	if (info->addr.ss_family == AF_INET6)
		((struct sockaddr_in6 *)&info->addr)->sin6_port = htons(mig->port);
	else
		((struct sockaddr_in *)&info->addr)->sin_port = htons(mig->port);
	info->channels = mig->nch;
	info->zero_detect = mig->cfg.zero_detect;
	info->live = mig->cfg.live;
	info->downtime_limit_ms = mig->cfg.downtime_limit_ms;
	info->max_bandwidth = mig->cfg.max_bandwidth;
	info->max_passes = mig->cfg.max_passes;
	info->no_convergence = mig->cfg.no_convergence;
	info->pass = READ_ONCE(mig->pass);
	info->dirty_syncs = READ_ONCE(mig->dirty_syncs);
	info->switchover_ready = READ_ONCE(mig->switchover_ready);
	info->pages_total = atomic64_read(&mig->pages_total);
	info->pages_done = atomic64_read(&mig->pages_done);
	info->zero_pages = atomic64_read(&mig->zero_pages);
	info->zero_bytes = info->zero_pages * PAGE_SIZE;
	info->normal_pages = atomic64_read(&mig->normal_pages);
	info->normal_bytes = info->normal_pages * PAGE_SIZE;
	info->splice_fallbacks = atomic64_read(&mig->splice_fallbacks);
	info->rejected = atomic64_read(&mig->rejected);
	info->auth_failed = atomic64_read(&mig->auth_failed);
	info->auth = kmig_auth_enabled(&mig->auth);
	info->integrity_errors = atomic64_read(&mig->integrity_errors);
	info->integrity = mig->cfg.integrity;
	info->malformed = atomic64_read(&mig->malformed);
	info->passes = atomic_read(&mig->syncs) / mig->nch;
	bytes = atomic64_read(&mig->hello_bytes);
	for (i = 0; i < mig->nch; i++) {
		struct kmig_channel *ch = &mig->ch[i];

		info->ch[i].id = i;
		info->ch[i].cpu = ch->cpu;
		if (READ_ONCE(ch->crc))
			info->integrity = true;
		info->ch[i].pages = atomic64_read(&ch->pages);
		info->ch[i].zero_pages = atomic64_read(&ch->zero_pages);
		info->ch[i].bytes = atomic64_read(&ch->bytes);
		info->ch[i].packets = atomic64_read(&ch->packets);
		info->packets += info->ch[i].packets;
		bytes += info->ch[i].bytes;
	}
	info->bytes = bytes;
	end = kmig_mig_finished(mig) ? mig->end_ns : ktime_get_ns();
	/*
	 * The main thread sets the downtime before teardown moves the state
	 * to completed under mig->lock, which info->state was read under:
	 * a completed migration has its downtime, even before teardown ends.
	 */
	if (kmig_mig_finished(mig) || info->state == KMIG_MIG_STATE_COMPLETED)
		info->downtime_ns = READ_ONCE(mig->downtime_ns);
	info->time_ns = end - mig->start_ns;
	active = READ_ONCE(mig->active_ns);
	if (active) {
		info->setup_ns = active - mig->start_ns;
		if (end > active)
			info->throughput = mul_u64_u64_div_u64(bytes, NSEC_PER_SEC,
							       end - active);
	}
}

int kmig_mig_info(struct kmig_region *region, struct kmig_mig_info *info)
{
	int ret = -ENOENT;

	mutex_lock(&kmig_mig_mutex);
	if (region->mig) {
		kmig_mig_fill_info(region->mig, info);
		ret = 0;
	}
	mutex_unlock(&kmig_mig_mutex);
	return ret;
}

int kmig_mig_switchover(struct kmig_region *region, const char **why)
{
	struct kmig_mig *mig;
	int ret = 0;

	mutex_lock(&kmig_mig_mutex);
	mig = region->mig;
	if (!mig || kmig_mig_finished(mig)) {
		*why = "no running migration on this region";
		ret = -ENOENT;
	} else if (mig->role != KMIG_MIG_ROLE_SOURCE || !mig->cfg.live) {
		*why = "only a live migration's source switches over";
		ret = -EINVAL;
	} else if (READ_ONCE(mig->switchover)) {
		*why = "switchover already requested";
		ret = -EALREADY;
	} else {
		mig->switchover_ns = ktime_get_ns();
		/* switchover_ns is set before the main thread sees the flag. */
		smp_store_release(&mig->switchover, true);
		wake_up_all(&mig->wq);
	}
	mutex_unlock(&kmig_mig_mutex);
	return ret;
}

int kmig_mig_dirty_push(struct kmig_region *region, u64 first,
			const unsigned long *bits, u64 nbits, const char **why)
{
	int ret = kmig_dirty_merge(region, first, bits, nbits);

	if (ret == -ERANGE)
		*why = "dirty bitmap outside the region";
	else if (ret == -ENOENT)
		*why = "no dirty tracking on this region (no live migration)";
	return ret;
}

/* The running COLO migration of @region, under kmig_mig_mutex. */
static struct kmig_mig *kmig_mig_colo_get(struct kmig_region *region,
					  const char **why, int *err)
{
	struct kmig_mig *mig = region->mig;

	lockdep_assert_held(&kmig_mig_mutex);
	*err = 0;
	if (!mig || kmig_mig_finished(mig)) {
		*why = "no migration running on this region";
		*err = -ENOENT;
	} else if (!mig->colo) {
		*why = "not a COLO migration";
		*err = -EINVAL;
	} else if (READ_ONCE(mig->state) != KMIG_MIG_STATE_COLO) {
		*why = "COLO has not started yet (the switchover comes first)";
		*err = -EBUSY;
	}
	return *err ? NULL : mig;
}

int kmig_mig_colo_checkpoint(struct kmig_region *region, const char **why)
{
	struct kmig_mig *mig;
	int ret;

	mutex_lock(&kmig_mig_mutex);
	mig = kmig_mig_colo_get(region, why, &ret);
	if (mig && mig->role != KMIG_MIG_ROLE_SOURCE) {
		*why = "checkpoints are taken by the primary (source)";
		ret = -EINVAL;
	} else if (mig) {
		WRITE_ONCE(mig->colo->request, true);
		wake_up_all(&mig->wq);
	}
	mutex_unlock(&kmig_mig_mutex);
	return ret;
}

int kmig_mig_colo_paused(struct kmig_region *region, u64 n, const char **why)
{
	struct kmig_colo *colo;
	struct kmig_mig *mig;
	int ret;

	mutex_lock(&kmig_mig_mutex);
	mig = kmig_mig_colo_get(region, why, &ret);
	if (!mig)
		goto unlock;
	colo = mig->colo;
	spin_lock_bh(&mig->lock);
	if (mig->role == KMIG_MIG_ROLE_DESTINATION)
		ret = kmig_colo_sm_paused(&colo->sm, n);
	else if (colo->pause_for != n || colo->paused == n)
		ret = -EINVAL;
	if (!ret)
		WRITE_ONCE(colo->paused, n);
	spin_unlock_bh(&mig->lock);
	if (ret)
		*why = "no pause asked for this checkpoint (or already acknowledged)";
	else
		wake_up_all(&mig->wq);
unlock:
	mutex_unlock(&kmig_mig_mutex);
	return ret;
}

void kmig_mig_stats_read(struct kmig_mig_stats *s)
{
	s->started = atomic64_read(&kmig_mstats.started);
	s->completed = atomic64_read(&kmig_mstats.completed);
	s->failed = atomic64_read(&kmig_mstats.failed);
	s->cancelled = atomic64_read(&kmig_mstats.cancelled);
	s->rejected = atomic64_read(&kmig_mstats.rejected);
	s->auth_failed = atomic64_read(&kmig_mstats.auth_failed);
	s->integrity_errors = atomic64_read(&kmig_mstats.integrity_errors);
	s->malformed = atomic64_read(&kmig_mstats.malformed);
	s->splice_fallbacks = atomic64_read(&kmig_mstats.splice_fallbacks);
	s->failed_over = atomic64_read(&kmig_mstats.failed_over);
}

int kmig_migration_init(void)
{
	return 0;
}

void kmig_migration_uninit(void)
{
}
