// SPDX-License-Identifier: GPL-2.0
/*
 * Migrations (migration.h): the lifecycle of a migration and its control
 * plane, serialised by kmig_mig_mutex: allocation, listen/start (begin),
 * cancel, region close, the status, switchover, dirty-push and the COLO
 * requests, and the main thread's exit. The migration object, its state,
 * barriers, counters and teardown are mig.c; its status snapshot and
 * events status.c. The roles' main threads are in precopy.c (source,
 * kmig_mig_start()) and listener.c (destination, kmig_mig_listen()),
 * which launch them through kmig_mig_begin(); the handshake of a channel
 * is in handshake.c. None of them is included here: they call into this
 * file, not the other way round.
 *
 * Lifetime: a migration hangs off its region (region->mig, under
 * kmig_mig_mutex) from listen/start until the region's file is released
 * or the next migration of the region replaces it. Its main thread owns
 * the channels: it starts their threads, and on the way out shuts every
 * socket down, stops every channel thread, releases every socket and
 * signals @done. Whoever detaches a migration waits for @done and frees it.
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
#include "mig.h"
#include "channel.h"
#include "colo.h"
#include "status.h"
#include "region.h"
#include "limits.h"
#include "dirty.h"
#include "postcopy.h"

/* Serialises listen, start, cancel, status and region close. */
static DEFINE_MUTEX(kmig_mig_mutex);

/* Main thread, last: the final event (after @finished: counters final). */
static void kmig_mig_final_event(struct kmig_mig *mig)
{
	switch (READ_ONCE(mig->state)) {
	case KMIG_MIG_STATE_COMPLETED:
		kmig_status_event(mig, KMIG_MIG_EVENT_COMPLETED);
		break;
	case KMIG_MIG_STATE_CANCELLED:
		kmig_status_event(mig, KMIG_MIG_EVENT_CANCELLED);
		break;
	case KMIG_MIG_STATE_FAILOVER:
		kmig_status_event(mig, KMIG_MIG_EVENT_FAILOVER);
		break;
	default:
		kmig_status_event(mig, KMIG_MIG_EVENT_FAILED);
		break;
	}
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
	kmig_postcopy_put(mig->pc);
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
	INIT_LIST_HEAD(&mig->hs_list);
	mutex_init(&mig->hs_lock);
	init_completion(&mig->done);
	init_waitqueue_head(&mig->wq);
	mig->start_ns = ktime_get_ns();
	mig->have_id = cfg->have_id;
	if (cfg->have_id)
		memcpy(mig->id, cfg->id, sizeof(mig->id));
	else if (role == KMIG_MIG_ROLE_SOURCE)
		get_random_bytes(mig->id, sizeof(mig->id));
	for (i = 0; i < mig->nch; i++) {
		if (kmig_channel_init(&mig->ch[i], mig, i,
				      role == KMIG_MIG_ROLE_DESTINATION))
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
		mig->colo = kmig_colo_alloc(region, &mig->lock,
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
	kmig_status_event(mig, KMIG_MIG_EVENT_STATE);
	t = kthread_run(fn, mig, "kmig-%s/%u", name, region->id);
	if (IS_ERR(t))
		return PTR_ERR(t);
	mig->main = t;
	region->mig = mig;
	kmig_mig_count_started();
	return 0;
}

static int kmig_mig_check_region(struct kmig_region *region, const char **why)
{
	if (!kmig_region_npages(region)) {
		*why = "region has no size yet (mmap it first)";
		return -EINVAL;
	}
	/*
	 * Destination: pages that never came stay SIGBUS; source: the
	 * guest wrote pages on the destination that it never saw.
	 */
	if (READ_ONCE(region->postcopy_lost)) {
		*why = "guest memory was lost in a failed postcopy (close the region)";
		return -EIO;
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

int kmig_mig_info(struct kmig_region *region, struct kmig_mig_info *info)
{
	int ret = -ENOENT;

	mutex_lock(&kmig_mig_mutex);
	if (region->mig) {
		kmig_status_fill(region->mig, info);
		ret = 0;
	}
	mutex_unlock(&kmig_mig_mutex);
	return ret;
}

/*
 * The running live source migration of @region, under kmig_mig_mutex,
 * not switched over yet; NULL with *@err and *@why otherwise (@what: the
 * request, for the message).
 */
static struct kmig_mig *kmig_mig_live_source(struct kmig_region *region,
					     const char *what, const char **why,
					     int *err)
{
	struct kmig_mig *mig = region->mig;

	lockdep_assert_held(&kmig_mig_mutex);
	*err = 0;
	if (!mig || kmig_mig_finished(mig)) {
		*why = "no running migration on this region";
		*err = -ENOENT;
	} else if (mig->role != KMIG_MIG_ROLE_SOURCE || !mig->cfg.live) {
		*why = what;
		*err = -EINVAL;
	} else if (READ_ONCE(mig->switchover)) {
		*why = "switchover already requested";
		*err = -EALREADY;
	}
	return *err ? NULL : mig;
}

int kmig_mig_switchover(struct kmig_region *region, const char **why)
{
	struct kmig_mig *mig;
	int ret;

	mutex_lock(&kmig_mig_mutex);
	mig = kmig_mig_live_source(region,
				   "only a live migration's source switches over",
				   why, &ret);
	if (mig) {
		mig->switchover_ns = ktime_get_ns();
		/* switchover_ns is set before the main thread sees the flag. */
		smp_store_release(&mig->switchover, true);
		wake_up_all(&mig->wq);
	}
	mutex_unlock(&kmig_mig_mutex);
	return ret;
}

int kmig_mig_postcopy(struct kmig_region *region, const char **why)
{
	struct kmig_mig *mig;
	int ret;

	mutex_lock(&kmig_mig_mutex);
	mig = kmig_mig_live_source(region,
				   "only a live migration's source switches to postcopy",
				   why, &ret);
	if (mig && !mig->cfg.postcopy) {
		*why = "the migration was started without postcopy (mig-start postcopy)";
		ret = -EINVAL;
	} else if (mig) {
		spin_lock_bh(&mig->lock);
		mig->postcopy_asked = true;
		spin_unlock_bh(&mig->lock);
		wake_up_all(&mig->wq);
	}
	mutex_unlock(&kmig_mig_mutex);
	return ret;
}

int kmig_mig_postcopy_resume(struct kmig_region *region,
			     const struct sockaddr_storage *addr, bool new_addr,
			     const char **why)
{
	struct kmig_mig *mig;
	int ret = 0;

	mutex_lock(&kmig_mig_mutex);
	mig = region->mig;
	if (!mig || kmig_mig_finished(mig)) {
		*why = "no running migration on this region";
		ret = -ENOENT;
		goto unlock;
	}
	spin_lock_bh(&mig->lock);
	if (mig->pc_resume || (!mig->pc_paused && mig->pc_resuming)) {
		*why = "resume already requested (reconnecting)";
		ret = -EALREADY;
	} else if (!mig->pc_paused) {
		*why = "the migration is not in state postcopy-paused";
		ret = -EINVAL;
	} else if (addr && mig->role == KMIG_MIG_ROLE_DESTINATION &&
		   new_addr) {
		*why = "a destination listens again on its own address (give a port only)";
		ret = -EINVAL;
	} else {
		if (addr && mig->role == KMIG_MIG_ROLE_DESTINATION) {
			/* The port to listen on; 0 picks a new one. */
			mig->port = ntohs(addr->ss_family == AF_INET6 ?
				((const struct sockaddr_in6 *)addr)->sin6_port :
				((const struct sockaddr_in *)addr)->sin_port);
		} else if (addr) {
			/* A new address and port, or a new port alone. */
			mig->pc_addr = new_addr ? *addr : mig->cfg.addr;
			if (!new_addr && addr->ss_family == AF_INET6)
				((struct sockaddr_in6 *)&mig->pc_addr)->sin6_port =
					((const struct sockaddr_in6 *)addr)->sin6_port;
			else if (!new_addr)
				((struct sockaddr_in *)&mig->pc_addr)->sin_port =
					((const struct sockaddr_in *)addr)->sin_port;
			mig->pc_addr_set = true;
		}
		mig->pc_resume = true;
	}
	spin_unlock_bh(&mig->lock);
	if (!ret)
		wake_up_all(&mig->wq);
unlock:
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

int kmig_migration_init(void)
{
	return 0;
}

void kmig_migration_uninit(void)
{
}
