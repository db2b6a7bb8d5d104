// SPDX-License-Identifier: GPL-2.0
/*
 * The migration object (mig.h): the state and its stop, the kick, the
 * destination's SYNC barriers, the counters (per migration and module-
 * wide) and the main thread's teardown. Any thread of a migration calls
 * these, and the control plane (migration.c); they take mig->lock (a
 * spinlock: kmig_mig_stop() runs in the socket callbacks' softirq too)
 * or mig->sock_lock, never kmig_mig_mutex.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/wait.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/delay.h>
#include <linux/jiffies.h>

#include "mig.h"
#include "postcopy.h"
#include "channel.h"
#include "colo_state.h"
#include "region.h"
#include "sock.h"
#include "limits.h"

/* How long a completed migration lets TCP deliver its last bytes. */
#define KMIG_DRAIN_MS		5000
#define KMIG_DRAIN_POLL_MS	10

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
	[KMIG_MIG_STATE_POSTCOPY_ACTIVE] = "postcopy-active",
	[KMIG_MIG_STATE_POSTCOPY_PAUSED] = "postcopy-paused",
};

/* Every state has its name (the uapi enum has no _MAX to size it by). */
static_assert(ARRAY_SIZE(kmig_state_names) == KMIG_MIG_STATE_POSTCOPY_PAUSED + 1);

void kmig_mig_count_started(void)
{
	atomic64_inc(&kmig_mstats.started);
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
static __printf(3, 0)
void kmig_mig_vstop(struct kmig_mig *mig, enum kmig_mig_state state,
		    const char *fmt, va_list ap)
{
	struct kmig_postcopy *pc;
	bool changed = false;

	spin_lock_bh(&mig->lock);
	if (!kmig_state_final(mig->state)) {
		/* A failure in COLO is a failover: each side runs on alone. */
		if (state == KMIG_MIG_STATE_FAILED &&
		    mig->state == KMIG_MIG_STATE_COLO)
			state = KMIG_MIG_STATE_FAILOVER;
		mig->state = state;
		vsnprintf(mig->reason, sizeof(mig->reason), fmt, ap);
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
	/* A postcopy destination's request sender waits on its map. */
	pc = smp_load_acquire(&mig->pc);
	if (pc)
		kmig_postcopy_kick(pc);
	wake_up_all(&mig->wq);
}

void kmig_mig_stop(struct kmig_mig *mig, enum kmig_mig_state state,
		   const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	kmig_mig_vstop(mig, state, fmt, ap);
	va_end(ap);
}

void kmig_mig_fail(struct kmig_mig *mig, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	kmig_mig_vstop(mig, KMIG_MIG_STATE_FAILED, fmt, ap);
	va_end(ap);
	kmig_mig_kick(mig);
}

/* Pause postcopy with a reason; false when it is not active (or stops). */
static __printf(2, 0)
bool kmig_mig_vpause(struct kmig_mig *mig, const char *fmt, va_list ap)
{
	struct kmig_postcopy *pc;
	bool pause = false, changed = false;

	spin_lock_bh(&mig->lock);
	if (mig->postcopy_active && !mig->stopping &&
	    !kmig_state_final(mig->state)) {
		pause = true;
		if (!mig->pc_paused) {
			WRITE_ONCE(mig->pc_paused, true);
			mig->state = KMIG_MIG_STATE_POSTCOPY_PAUSED;
			mig->pc_pause_ns = ktime_get_ns();
			mig->pc_pauses++;
			vsnprintf(mig->reason, sizeof(mig->reason), fmt, ap);
			changed = true;
		}
	}
	spin_unlock_bh(&mig->lock);
	if (!pause)
		return false;
	if (changed)
		pr_info("region %u: %s postcopy paused: %s\n", mig->region->id,
			kmig_mig_role_name(mig->role), mig->reason);
	if (mig->role == KMIG_MIG_ROLE_SOURCE)
		kmig_queue_stop(&mig->queue);
	/* Pairs with the release where the handshake set it up. */
	pc = smp_load_acquire(&mig->pc);
	if (pc)
		kmig_postcopy_kick(pc);
	wake_up_all(&mig->wq);
	return true;
}

/* Pause in postcopy, or fail. */
static __printf(2, 0)
void kmig_mig_vlink_lost(struct kmig_mig *mig, const char *fmt, va_list ap)
{
	va_list aq;

	va_copy(aq, ap);
	if (!kmig_mig_vpause(mig, fmt, aq))
		kmig_mig_vstop(mig, KMIG_MIG_STATE_FAILED, fmt, ap);
	va_end(aq);
}

void kmig_mig_link_lost_any(struct kmig_mig *mig, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	kmig_mig_vlink_lost(mig, fmt, ap);
	va_end(ap);
}

void kmig_mig_link_lost(struct kmig_mig *mig, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	kmig_mig_vlink_lost(mig, fmt, ap);
	va_end(ap);
	kmig_mig_kick(mig);
}

void kmig_mig_drop_channels(struct kmig_mig *mig, u64 pass)
{
	unsigned int i;

	kmig_mig_kick(mig);
	for (i = 0; i < mig->nch; i++)
		kmig_channel_stop(&mig->ch[i]);
	for (i = 0; i < mig->nch; i++) {
		struct kmig_channel *ch = &mig->ch[i];
		struct socket *sock = ch->ks.sock;

		if (sock) {
			kmig_sock_unhook(&ch->ks);
			kmig_mig_set_sock(mig, &ch->ks.sock, NULL);
			kmig_sock_release(sock);
		}
		kmig_channel_reset(ch);
	}
	atomic_set(&mig->channels_done, 0);
	spin_lock_bh(&mig->lock);
	mig->barrier_pass = pass;
	mig->barrier_held = pass;
	mig->barrier_arrived = 0;
	spin_unlock_bh(&mig->lock);
}

int kmig_mig_pc_wait_resume(struct kmig_mig *mig)
{
	u64 limit = (u64)mig->cfg.pc_pause_timeout_ms * NSEC_PER_MSEC;
	u64 now = ktime_get_ns(), end = READ_ONCE(mig->pc_pause_ns) + limit;
	long left;

	left = now < end ? nsecs_to_jiffies(end - now) : 0;
	left = wait_event_idle_timeout(mig->wq, READ_ONCE(mig->pc_resume) ||
				       kmig_mig_stopping(mig), max(left, 1L));
	if (kmig_mig_stopping(mig))
		return -ECANCELED;
	if (!left) {
		spin_lock_bh(&mig->lock);
		/* Not paused any more: the stop below is the end. */
		WRITE_ONCE(mig->pc_paused, false);
		spin_unlock_bh(&mig->lock);
		kmig_mig_fail(mig,
			      "postcopy paused for %u s without a resume",
			      mig->cfg.pc_pause_timeout_ms / 1000);
		return -ETIMEDOUT;
	}
	spin_lock_bh(&mig->lock);
	/* Reconnecting: a broken link pauses again from here on. */
	WRITE_ONCE(mig->pc_paused, false);
	mig->pc_resume = false;
	if (mig->pc_addr_set) {
		mig->cfg.addr = mig->pc_addr;
		/* The status shows the peer's port (a source's). */
		mig->port = ntohs(mig->pc_addr.ss_family == AF_INET6 ?
			((struct sockaddr_in6 *)&mig->pc_addr)->sin6_port :
			((struct sockaddr_in *)&mig->pc_addr)->sin_port);
	}
	mig->pc_addr_set = false;
	WRITE_ONCE(mig->pc_resuming, true);
	WRITE_ONCE(mig->pc_resynced, false);
	spin_unlock_bh(&mig->lock);
	return 0;
}

void kmig_mig_pc_unpause(struct kmig_mig *mig)
{
	spin_lock_bh(&mig->lock);
	WRITE_ONCE(mig->pc_paused, false);
	WRITE_ONCE(mig->pc_resuming, false);
	if (!kmig_state_final(mig->state)) {
		mig->state = KMIG_MIG_STATE_POSTCOPY_ACTIVE;
		/* The pause's reason was about the pause. */
		mig->reason[0] = '\0';
	}
	/* Paused before the first acknowledgment: the downtime ends here. */
	if (mig->role == KMIG_MIG_ROLE_SOURCE && !mig->downtime_ns)
		WRITE_ONCE(mig->downtime_ns, ktime_get_ns() - mig->switchover_ns);
	spin_unlock_bh(&mig->lock);
	pr_info("region %u: %s postcopy resumed\n", mig->region->id,
		kmig_mig_role_name(mig->role));
}

void kmig_mig_reason_prefix(struct kmig_mig *mig, const char *prefix)
{
	char old[KMIG_REASON_LEN];

	spin_lock_bh(&mig->lock);
	if (mig->state != KMIG_MIG_STATE_COMPLETED) {
		strscpy(old, mig->reason, sizeof(old));
		scnprintf(mig->reason, sizeof(mig->reason), "%s: %s", prefix, old);
	}
	spin_unlock_bh(&mig->lock);
}

void kmig_mig_kick(struct kmig_mig *mig)
{
	unsigned int i;

	struct kmig_mig_hs *hs;

	mutex_lock(&mig->sock_lock);
	kmig_sock_shutdown(mig->lsock);
	list_for_each_entry(hs, &mig->hs_list, node)
		kmig_sock_shutdown(hs->sock);
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
	bool last = false, bad = false, ckpt = false, late = false;

	spin_lock_bh(&mig->lock);
	if (pass != mig->barrier_pass || atomic_read(&mig->channels_done)) {
		bad = true;
		late = pass == mig->barrier_pass;
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
			kmig_mig_fail(mig,
				      "SYNC for pass %llu outside a COLO checkpoint",
				      pass);
		else if (late)
			kmig_mig_fail(mig,
				      "SYNC for pass %llu after a channel's COMPLETE",
				      pass);
		else
			kmig_mig_fail(mig,
				      "SYNC for pass %llu, but pass %llu is open",
				      pass, READ_ONCE(mig->barrier_pass));
		return false;
	}
	if (last) {
		wake_up_all(&mig->wq);
		if (!hold)
			return true;
	}
	wait_event_idle(mig->wq, READ_ONCE(mig->barrier_pass) > pass ||
			kmig_mig_halted(mig));
	return !kmig_mig_halted(mig);
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

u64 kmig_mig_bytes(struct kmig_mig *mig)
{
	u64 bytes = 0;
	unsigned int i;

	for (i = 0; i < mig->nch; i++)
		bytes += atomic64_read(&mig->ch[i].bytes);
	return bytes;
}

void kmig_mig_hs_add(struct kmig_mig *mig, struct kmig_mig_hs *hs,
		     struct socket *sock)
{
	mutex_lock(&mig->sock_lock);
	hs->sock = sock;
	list_add_tail(&hs->node, &mig->hs_list);
	mutex_unlock(&mig->sock_lock);
}

void kmig_mig_hs_del(struct kmig_mig *mig, struct kmig_mig_hs *hs)
{
	mutex_lock(&mig->sock_lock);
	list_del(&hs->node);
	mutex_unlock(&mig->sock_lock);
}

void kmig_mig_hs_kick(struct kmig_mig *mig)
{
	struct kmig_mig_hs *hs;

	mutex_lock(&mig->sock_lock);
	list_for_each_entry(hs, &mig->hs_list, node)
		kmig_sock_shutdown(hs->sock);
	mutex_unlock(&mig->sock_lock);
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

/*
 * A completed migration's last words, a destination's acknowledgments of
 * COMPLETE (a postcopy source's of the destination's), may still be on
 * their way, lost once and due again. Channel sockets close with linger 0,
 * which resets the connection and drops them: the peer would fail a
 * migration this side completed. So first let TCP deliver them, and the
 * FIN kmig_mig_kick() queued after them, for at most KMIG_DRAIN_MS in all.
 */
static void kmig_mig_drain(struct kmig_mig *mig)
{
	unsigned long end = jiffies + msecs_to_jiffies(KMIG_DRAIN_MS);
	unsigned int i;

	for (i = 0; i < mig->nch; i++) {
		while (!kmig_sock_drained(mig->ch[i].ks.sock) &&
		       time_before(jiffies, end))
			msleep(KMIG_DRAIN_POLL_MS);
	}
}

void kmig_mig_teardown(struct kmig_mig *mig)
{
	struct socket *lsock;
	unsigned int i;

	if (!kmig_mig_stopping(mig) &&
	    atomic_read(&mig->channels_done) == mig->nch)
		kmig_mig_stop(mig, KMIG_MIG_STATE_COMPLETED, "completed");
	else
		kmig_mig_stop(mig, KMIG_MIG_STATE_FAILED, "stopped");
	kmig_mig_kick(mig);

	for (i = 0; i < mig->nch; i++)
		kmig_channel_stop(&mig->ch[i]);

	if (READ_ONCE(mig->state) == KMIG_MIG_STATE_COMPLETED)
		kmig_mig_drain(mig);

	/* The listener ended every handshake before it got here. */
	WARN_ON_ONCE(!list_empty(&mig->hs_list));
	mutex_lock(&mig->sock_lock);
	lsock = mig->lsock;
	mig->lsock = NULL;
	mutex_unlock(&mig->sock_lock);
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

bool kmig_mig_finished(struct kmig_mig *mig)
{
	/* Pairs with the release in teardown: end_ns and counters are final. */
	return smp_load_acquire(&mig->finished);
}
