// SPDX-License-Identifier: GPL-2.0
/*
 * Migrations (migration.h): control plane, the source's dispatcher thread
 * and the destination's listener thread, teardown.
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

/* Connect and hello exchange, per channel. */
#define KMIG_SETUP_TIMEOUT	(10 * HZ)

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

/* Softirq: the peer closed or reset a channel connection, or went silent. */
static void kmig_mig_on_close(struct kmig_sock *ks, int err)
{
	struct kmig_channel *ch = container_of(ks, struct kmig_channel, ks);

	/*
	 * A destination channel reads its connection to the end: data the
	 * peer sent before closing is still to be checked, and the receive
	 * thread sees the close after it. Only an idle source channel needs
	 * telling.
	 */
	if (ch->mig->role != KMIG_MIG_ROLE_SOURCE ||
	    READ_ONCE(ch->expect_close))
		return;
	if (err == ETIMEDOUT)
		kmig_mig_stop(ch->mig, KMIG_MIG_STATE_FAILED,
			      "peer stopped responding on channel %u (TCP timeout)",
			      ch->id);
	else if (err)
		kmig_mig_stop(ch->mig, KMIG_MIG_STATE_FAILED,
			      "peer reset channel %u (%pe)", ch->id,
			      ERR_PTR(-err));
	else
		kmig_mig_stop(ch->mig, KMIG_MIG_STATE_FAILED,
			      "peer closed channel %u", ch->id);
}

static void kmig_mig_set_sock(struct kmig_mig *mig, struct socket **slot,
			      struct socket *sock)
{
	mutex_lock(&mig->sock_lock);
	*slot = sock;
	mutex_unlock(&mig->sock_lock);
}

/* Wait until every channel is done or the migration stops. */
static void kmig_mig_wait_channels(struct kmig_mig *mig)
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

/* Source. */

/*
 * Source side of the authentication, after the hello went out and the
 * first 64 bytes of the answer are in @buf: an AUTH CHALLENGE (the rest
 * of it is read here) is answered with our nonce and MAC, and the
 * destination's reply is read into @buf. Anything else in @buf is left
 * for the reply decoder. *@ns gets our nonce for the proof check.
 */
static int kmig_mig_src_respond(struct kmig_mig *mig, struct kmig_channel *ch,
				struct socket *sock, const u8 *hello, u8 *buf,
				u8 *nd, u8 *ns)
{
	struct kmig_wire_auth a;
	__be32 magic;
	int ret;

	memcpy(&magic, buf, sizeof(magic));
	if (be32_to_cpu(magic) != KMIG_WIRE_AUTH_MAGIC)
		return 0;
	ret = kmig_sock_recv(sock, buf + KMIG_WIRE_REPLY_SIZE,
			     KMIG_WIRE_AUTH_SIZE - KMIG_WIRE_REPLY_SIZE);
	if (ret)
		return ret;
	ret = kmig_wire_auth_decode(buf, KMIG_WIRE_AUTH_SIZE,
				    KMIG_WIRE_AUTH_CHALLENGE, &a);
	if (ret) {
		kmig_mig_stop(mig, KMIG_MIG_STATE_FAILED,
			      "channel %u: bad authentication challenge: %s",
			      ch->id, kmig_wire_strerror(ret));
		return -EPROTO;
	}
	memcpy(nd, a.nonce, KMIG_WIRE_NONCE_LEN);
	get_random_bytes(ns, KMIG_WIRE_NONCE_LEN);
	a.step = KMIG_WIRE_AUTH_RESPONSE;
	memcpy(a.nonce, ns, KMIG_WIRE_NONCE_LEN);
	ret = kmig_auth_mac(&mig->auth, KMIG_WIRE_AUTH_LABEL_SRC, hello, nd,
			    ns, a.mac);
	if (ret) {
		kmig_mig_stop(mig, KMIG_MIG_STATE_FAILED,
			      "channel %u: HMAC failed (%pe)", ch->id,
			      ERR_PTR(ret));
		return ret;
	}
	kmig_wire_auth_encode(buf, KMIG_WIRE_AUTH_SIZE, &a);
	ret = kmig_sock_send(sock, buf, KMIG_WIRE_AUTH_SIZE, false);
	if (!ret)
		ret = kmig_sock_recv(sock, buf, KMIG_WIRE_REPLY_SIZE);
	atomic64_add(2 * KMIG_WIRE_AUTH_SIZE, &mig->hello_bytes);
	return ret;
}

/* Source: the destination's PROOF, after an accepting reply. */
static int kmig_mig_src_check_proof(struct kmig_mig *mig,
				    struct kmig_channel *ch,
				    struct socket *sock, const u8 *hello,
				    const u8 *nd, const u8 *ns, const char *peer)
{
	struct kmig_wire_auth a;
	int ret;

	ret = kmig_sock_recv(sock, ch->buf, KMIG_WIRE_AUTH_SIZE);
	if (ret) {
		kmig_mig_stop(mig, KMIG_MIG_STATE_FAILED,
			      "channel %u: no authentication proof from %s (%pe)",
			      ch->id, peer,
			      ERR_PTR(ret == -EAGAIN ? -ETIMEDOUT : ret));
		return ret;
	}
	atomic64_add(KMIG_WIRE_AUTH_SIZE, &mig->hello_bytes);
	ret = kmig_wire_auth_decode(ch->buf, KMIG_WIRE_AUTH_SIZE,
				    KMIG_WIRE_AUTH_PROOF, &a);
	if (ret) {
		kmig_mig_stop(mig, KMIG_MIG_STATE_FAILED,
			      "channel %u: bad authentication proof: %s",
			      ch->id, kmig_wire_strerror(ret));
		return -EPROTO;
	}
	if (!kmig_auth_check(&mig->auth, KMIG_WIRE_AUTH_LABEL_DST, hello, nd,
			     ns, a.mac)) {
		atomic64_inc(&mig->auth_failed);
		atomic64_inc(&kmig_mstats.auth_failed);
		kmig_mig_stop(mig, KMIG_MIG_STATE_FAILED,
			      "channel %u: %s failed authentication (not the same key)",
			      ch->id, peer);
		return -EACCES;
	}
	return 0;
}

static int kmig_mig_connect(struct kmig_mig *mig, struct kmig_channel *ch)
{
	bool auth = kmig_auth_enabled(&mig->auth);
	struct kmig_wire_hello hello = {
		.version_min = KMIG_WIRE_VERSION_MIN,
		.version_max = KMIG_WIRE_VERSION_MAX,
		.features = (mig->cfg.colo ? KMIG_WIRE_FEAT_COLO : 0) |
			    (auth ? KMIG_WIRE_FEAT_AUTH : 0) |
			    (mig->cfg.integrity ? KMIG_WIRE_FEAT_CRC : 0),
		.channel_id = ch->id,
		.channel_count = mig->nch,
		.page_size = PAGE_SIZE,
		.region_size = (u64)kmig_region_npages(mig->region) << PAGE_SHIFT,
		.max_pages = KMIG_BATCH_PAGES,
	};
	u8 raw[KMIG_WIRE_HELLO_SIZE], nd[KMIG_WIRE_NONCE_LEN] = { };
	u8 ns[KMIG_WIRE_NONCE_LEN] = { };
	struct kmig_wire_reply reply;
	struct socket *sock;
	char peer[64];
	int ret;

	kmig_sock_addr_str(&mig->cfg.addr, peer, sizeof(peer));
	ret = kmig_sock_connect(mig->net, &mig->cfg.addr, KMIG_SETUP_TIMEOUT,
				&sock);
	if (ret) {
		kmig_mig_stop(mig, KMIG_MIG_STATE_FAILED,
			      "channel %u: connect to %s failed (%pe)", ch->id,
			      peer, ERR_PTR(ret));
		return ret;
	}
	/* Owned by the channel from here: teardown releases it. */
	kmig_mig_set_sock(mig, &ch->ks.sock, sock);
	if (kmig_mig_stopping(mig))
		return -ECANCELED;

	memcpy(hello.migration_id, mig->id, sizeof(hello.migration_id));
	kmig_wire_hello_encode(raw, sizeof(raw), &hello);
	kmig_sock_set_timeouts(sock, KMIG_SETUP_TIMEOUT, KMIG_SETUP_TIMEOUT);
	ret = kmig_sock_send(sock, raw, sizeof(raw), false);
	if (!ret)
		ret = kmig_sock_recv(sock, ch->buf, KMIG_WIRE_REPLY_SIZE);
	if (!ret && auth)
		ret = kmig_mig_src_respond(mig, ch, sock, raw, ch->buf, nd, ns);
	if (ret) {
		if (!kmig_mig_stopping(mig))
			kmig_mig_stop(mig, KMIG_MIG_STATE_FAILED,
				      "channel %u: hello to %s failed (%pe)",
				      ch->id, peer,
				      ERR_PTR(ret == -EAGAIN ? -ETIMEDOUT : ret));
		return ret;
	}
	atomic64_add(KMIG_WIRE_HELLO_SIZE + KMIG_WIRE_REPLY_SIZE,
		     &mig->hello_bytes);
	ret = kmig_wire_reply_decode(ch->buf, KMIG_WIRE_REPLY_SIZE, &reply);
	if (ret) {
		kmig_mig_stop(mig, KMIG_MIG_STATE_FAILED,
			      "channel %u: bad hello reply: %s", ch->id,
			      kmig_wire_strerror(ret));
		return -EPROTO;
	}
	if (reply.status != KMIG_WIRE_ACCEPT) {
		const char *status = kmig_wire_status_str(reply.status);

		if (!strcmp(status, reply.reason) || !reply.reason[0])
			kmig_mig_stop(mig, KMIG_MIG_STATE_FAILED,
				      "channel %u rejected by %s: %s", ch->id,
				      peer, status);
		else
			kmig_mig_stop(mig, KMIG_MIG_STATE_FAILED,
				      "channel %u rejected by %s: %s (%s)",
				      ch->id, peer, status, reply.reason);
		return -ECONNREFUSED;
	}
	if (reply.version < KMIG_WIRE_VERSION_MIN ||
	    reply.version > KMIG_WIRE_VERSION_MAX) {
		kmig_mig_stop(mig, KMIG_MIG_STATE_FAILED,
			      "channel %u: destination chose version %u",
			      ch->id, reply.version);
		return -EPROTO;
	}
	if (reply.features != hello.features) {
		kmig_mig_stop(mig, KMIG_MIG_STATE_FAILED,
			      "channel %u: destination granted features %#llx of %#llx",
			      ch->id, reply.features, hello.features);
		return -EPROTO;
	}
	if (auth) {
		/* Never a page to a destination that has not proven the key. */
		ret = kmig_mig_src_check_proof(mig, ch, sock, raw, nd, ns,
					       peer);
		if (ret)
			return ret;
	}
	kmig_sock_set_timeouts(sock, MAX_SCHEDULE_TIMEOUT, MAX_SCHEDULE_TIMEOUT);
	kmig_sock_hook(&ch->ks, sock, kmig_mig_on_close);
	ch->crc = mig->cfg.integrity;
	return kmig_channel_start(ch);
}

u64 kmig_mig_bytes(struct kmig_mig *mig)
{
	u64 bytes = 0;
	unsigned int i;

	for (i = 0; i < mig->nch; i++)
		bytes += atomic64_read(&mig->ch[i].bytes);
	return bytes;
}

void kmig_mig_throttle(struct kmig_mig *mig, u64 bytes)
{
	u64 wait = kmig_rate_take(&mig->rate, bytes, ktime_get_ns());

	/* In slices, so a cancel is not held up by a low limit. */
	while (wait && !kmig_mig_stopping(mig)) {
		u64 slice = min_t(u64, wait, 100 * NSEC_PER_MSEC);

		wait_event_idle_timeout(mig->wq, kmig_mig_stopping(mig),
					max(nsecs_to_jiffies(slice), 1UL));
		wait -= slice;
	}
}

/*
 * Once switchover-ready has been announced, passes go on only to keep the
 * dirty set small until the VMM has paused its vCPUs: they start at most
 * every KMIG_MIG_PASS_MIN_MS instead of back to back, so that a guest
 * writing a few pages does not run up thousands of tiny passes. The
 * switchover (or a stop) ends the wait at once.
 */
#define KMIG_MIG_PASS_MIN_MS	50

static void kmig_mig_pace(struct kmig_mig *mig, u64 start)
{
	u64 end = start + KMIG_MIG_PASS_MIN_MS * NSEC_PER_MSEC;
	u64 now = ktime_get_ns();

	if (now >= end)
		return;
	wait_event_idle_timeout(mig->wq, READ_ONCE(mig->switchover) ||
				kmig_mig_stopping(mig),
				max(nsecs_to_jiffies(end - now), 1UL));
}

int kmig_mig_send_pass(struct kmig_mig *mig, u64 pass, unsigned long *bits)
{
	u64 pages;
	int ret;

	WRITE_ONCE(mig->pass, pass);
	if (bits)
		ret = kmig_queue_bitmap(&mig->queue, mig->region, bits, pass,
					&pages);
	else
		ret = kmig_queue_pass(&mig->queue, mig->region, pass, &pages);
	if (!ret)
		ret = kmig_queue_control(&mig->queue, KMIG_BATCH_SYNC, pass);
	if (!ret)
		ret = kmig_queue_drain(&mig->queue);
	return ret;
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
static int kmig_mig_precopy(struct kmig_mig *mig)
{
	struct kmig_region *region = mig->region;
	u64 limit_ns = (u64)mig->cfg.downtime_limit_ms * NSEC_PER_MSEC;
	u64 pass = 0, start, sent, dt, bw = 0, n, expected, since, now;
	bool final = false;
	int ret;

	ret = kmig_dirty_start(region);
	if (ret) {
		kmig_mig_stop(mig, KMIG_MIG_STATE_FAILED,
			      "cannot track writes to the region (%pe)",
			      ERR_PTR(ret));
		return ret;
	}

	since = ktime_get_ns();
	for (;;) {
		start = ktime_get_ns();
		sent = kmig_mig_bytes(mig);
		ret = kmig_mig_send_pass(mig, pass, pass ? mig->pending : NULL);
		if (ret || final)
			break;
		dt = ktime_get_ns() - start;
		sent = kmig_mig_bytes(mig) - sent;
		/* Passes of a few packets say little about the bandwidth. */
		if (dt && (sent >= (4 << 20) || !bw))
			bw = mul_u64_u64_div_u64(sent, NSEC_PER_SEC, dt);

		if (mig->switchover_ready)
			kmig_mig_pace(mig, start);
		/*
		 * The switchover flag is read before the collection: the VMM
		 * paused its vCPUs before asking, so every write it made is
		 * in the bitmap by then and goes in the final pass.
		 */
		final = smp_load_acquire(&mig->switchover);
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
		kmig_mig_event(mig, KMIG_MIG_EVENT_PASS_DONE);

		if (!mig->switchover_ready && !final &&
		    (expected <= limit_ns ||
		     (mig->cfg.max_passes && pass + 1 >= mig->cfg.max_passes &&
		      mig->cfg.no_convergence == KMIG_NO_CONVERGENCE_SWITCHOVER))) {
			WRITE_ONCE(mig->switchover_ready, true);
			kmig_mig_event(mig, KMIG_MIG_EVENT_SWITCHOVER_READY);
		}
		pass++;

		/*
		 * Nothing written since: wait for writes or the switchover
		 * (acquire, as above: the flag before the collection).
		 */
		while (!final && !n && !kmig_mig_stopping(mig)) {
			wait_event_idle_timeout(mig->wq,
						READ_ONCE(mig->switchover) ||
						kmig_mig_stopping(mig), HZ / 20);
			/* Pairs with kmig_mig_switchover(). */
			final = smp_load_acquire(&mig->switchover);
			n = kmig_dirty_collect(region, mig->pending);
			mig->dirty_syncs++;
			since = ktime_get_ns();
		}
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
	kmig_dirty_stop(region);
	return ret;
}

static int kmig_mig_source_fn(void *data)
{
	struct kmig_mig *mig = data;
	unsigned int i;
	int ret = 0;

	for (i = 0; i < mig->nch && !ret; i++) {
		if (kmig_mig_stopping(mig))
			break;
		ret = kmig_mig_connect(mig, &mig->ch[i]);
	}
	if (ret || kmig_mig_stopping(mig)) {
		if (ret)
			kmig_mig_stop(mig, KMIG_MIG_STATE_FAILED,
				      "setup failed (%pe)", ERR_PTR(ret));
		goto out;
	}

	mig->active_ns = ktime_get_ns();
	atomic64_set(&mig->pages_total, kmig_region_populated(mig->region));
	kmig_mig_set_state(mig, KMIG_MIG_STATE_ACTIVE);
	kmig_mig_event(mig, KMIG_MIG_EVENT_STATE);

	if (mig->cfg.live) {
		kmig_mig_precopy(mig);
		goto out;
	}
	/* The guest is paused: one pass and done. */
	ret = kmig_mig_send_pass(mig, 0, NULL);
	if (!ret)
		ret = kmig_queue_control(&mig->queue, KMIG_BATCH_COMPLETE, 0);
	if (!ret)
		kmig_mig_wait_channels(mig);
out:
	kmig_mig_teardown(mig);
	kmig_mig_final_event(mig);
	kthread_complete_and_exit(&mig->done, 0);
}

/* Destination. */

static bool kmig_mig_id_matches(struct kmig_mig *mig, const u8 *id)
{
	bool ok;

	spin_lock_bh(&mig->lock);
	ok = !mig->have_id || !memcmp(mig->id, id, sizeof(mig->id));
	spin_unlock_bh(&mig->lock);
	return ok;
}

/*
 * Check a hello against this migration. Returns the reply status and
 * sets *why.
 */
static enum kmig_wire_status
kmig_mig_check_hello(struct kmig_mig *mig, const struct kmig_wire_hello *h,
		     const char **why)
{
	u64 size = (u64)kmig_region_npages(mig->region) << PAGE_SHIFT;

	if (!kmig_mig_id_matches(mig, h->migration_id)) {
		*why = "wrong migration id";
		return KMIG_WIRE_REJ_MIGRATION_ID;
	}
	if (h->channel_count != mig->nch) {
		*why = "wrong channel count";
		return KMIG_WIRE_REJ_CHANNEL_COUNT;
	}
	if (mig->ch[h->channel_id].ks.sock) {
		*why = "channel already connected";
		return KMIG_WIRE_REJ_CHANNEL_ID;
	}
	if (h->region_size != size) {
		*why = "region size mismatch";
		return KMIG_WIRE_REJ_REGION_SIZE;
	}
	if ((h->features & KMIG_WIRE_FEAT_COLO) && !mig->colo) {
		*why = "COLO not enabled on this destination";
		return KMIG_WIRE_REJ_FEATURES;
	}
	if (!(h->features & KMIG_WIRE_FEAT_COLO) && mig->colo) {
		*why = "destination expects a COLO primary";
		return KMIG_WIRE_REJ_FEATURES;
	}
	if (!(h->features & KMIG_WIRE_FEAT_CRC) && mig->cfg.integrity) {
		*why = "destination requires integrity (crc32c)";
		return KMIG_WIRE_REJ_FEATURES;
	}
	/* Granted to any source that asks, if crc32c is available here. */
	if ((h->features & KMIG_WIRE_FEAT_CRC) &&
	    !kmig_crc_enabled(&mig->crc) && kmig_crc_init(&mig->crc)) {
		*why = "no crc32c on this destination";
		return KMIG_WIRE_REJ_FEATURES;
	}
	*why = "accepted";
	return KMIG_WIRE_ACCEPT;
}

/*
 * Destination side of the authentication, after a hello asking for it:
 * CHALLENGE out, RESPONSE in and checked. 0 when the peer proved the key,
 * -EACCES when its MAC is wrong, another error when it stalled, closed or
 * sent something else; *@why says which.
 */
static int kmig_mig_dst_auth(struct kmig_mig *mig, struct socket *sock,
			     const u8 *hello, u8 *nd, u8 *ns, const char **why)
{
	struct kmig_wire_auth a = { .step = KMIG_WIRE_AUTH_CHALLENGE };
	u8 buf[KMIG_WIRE_AUTH_SIZE];
	int ret;

	get_random_bytes(nd, KMIG_WIRE_NONCE_LEN);
	memcpy(a.nonce, nd, KMIG_WIRE_NONCE_LEN);
	kmig_wire_auth_encode(buf, sizeof(buf), &a);
	ret = kmig_sock_send(sock, buf, sizeof(buf), false);
	if (!ret)
		ret = kmig_sock_recv(sock, buf, sizeof(buf));
	if (ret) {
		*why = ret == -EAGAIN ? "no authentication response within 10 s" :
					"connection closed during authentication";
		return ret;
	}
	atomic64_add(2 * KMIG_WIRE_AUTH_SIZE, &mig->hello_bytes);
	ret = kmig_wire_auth_decode(buf, sizeof(buf), KMIG_WIRE_AUTH_RESPONSE,
				    &a);
	if (ret) {
		*why = kmig_wire_strerror(ret);
		return -EPROTO;
	}
	memcpy(ns, a.nonce, KMIG_WIRE_NONCE_LEN);
	if (!kmig_auth_check(&mig->auth, KMIG_WIRE_AUTH_LABEL_SRC, hello, nd,
			     ns, a.mac)) {
		*why = "wrong key";
		return -EACCES;
	}
	return 0;
}

/* Destination: PROOF after an accepting reply (mutual authentication). */
static int kmig_mig_dst_proof(struct kmig_mig *mig, struct socket *sock,
			      const u8 *hello, const u8 *nd, const u8 *ns)
{
	struct kmig_wire_auth a = { .step = KMIG_WIRE_AUTH_PROOF };
	u8 buf[KMIG_WIRE_AUTH_SIZE];
	int ret;

	ret = kmig_auth_mac(&mig->auth, KMIG_WIRE_AUTH_LABEL_DST, hello, nd,
			    ns, a.mac);
	if (ret)
		return ret;
	kmig_wire_auth_encode(buf, sizeof(buf), &a);
	ret = kmig_sock_send(sock, buf, sizeof(buf), false);
	if (!ret)
		atomic64_add(KMIG_WIRE_AUTH_SIZE, &mig->hello_bytes);
	return ret;
}

static void kmig_mig_count_rejected(struct kmig_mig *mig, bool auth)
{
	atomic64_inc(&mig->rejected);
	atomic64_inc(&kmig_mstats.rejected);
	if (auth) {
		atomic64_inc(&mig->auth_failed);
		atomic64_inc(&kmig_mstats.auth_failed);
	}
}

/*
 * One incoming connection: read its hello, authenticate it when this
 * migration has a key, answer it. Returns 1 when the channel was
 * accepted, 0 when rejected, negative when the migration must fail.
 *
 * With a key, a connection that fails before it proved the key (a bad
 * hello, no or a wrong key, a stall) is dropped and counted and the
 * migration goes on: anyone can connect to the port. Without one, and
 * after the proof, a rejected channel fails a migration that has
 * accepted channels already.
 */
static int kmig_mig_handshake(struct kmig_mig *mig, struct socket *sock,
			      unsigned int accepted)
{
	bool keyed = kmig_auth_enabled(&mig->auth), proven = false;
	u8 nd[KMIG_WIRE_NONCE_LEN], ns[KMIG_WIRE_NONCE_LEN];
	u8 raw[KMIG_WIRE_HELLO_SIZE], buf[KMIG_WIRE_REPLY_SIZE];
	struct kmig_wire_reply reply;
	enum kmig_wire_status status;
	struct kmig_wire_hello h;
	struct kmig_channel *ch;
	const char *why;
	int ret;

	kmig_sock_set_timeouts(sock, KMIG_SETUP_TIMEOUT, KMIG_SETUP_TIMEOUT);
	ret = kmig_sock_recv(sock, raw, sizeof(raw));
	if (ret) {
		/* Closed or silent before a whole hello: no reply. */
		kmig_mig_count_rejected(mig, false);
		why = ret == -EAGAIN ? "no hello within 10 s" :
				       "connection closed before the hello";
		goto rejected;
	}
	ret = kmig_wire_hello_decode(raw, sizeof(raw), PAGE_SIZE, &h);
	if (ret) {
		status = kmig_wire_err_to_status(ret);
		why = kmig_wire_strerror(ret);
	} else if (keyed && !(h.features & KMIG_WIRE_FEAT_AUTH)) {
		status = KMIG_WIRE_REJ_AUTH;
		why = "destination needs the migration key";
	} else if (!keyed && (h.features & KMIG_WIRE_FEAT_AUTH)) {
		status = KMIG_WIRE_REJ_AUTH;
		why = "destination has no key (insecure)";
	} else if (keyed) {
		ret = kmig_mig_dst_auth(mig, sock, raw, nd, ns, &why);
		if (ret && ret != -EACCES) {
			/* Stalled, closed or garbled: dropped unanswered. */
			kmig_mig_count_rejected(mig, true);
			goto rejected;
		}
		status = ret ? KMIG_WIRE_REJ_AUTH : KMIG_WIRE_ACCEPT;
		proven = !ret;
	} else {
		status = KMIG_WIRE_ACCEPT;
	}
	if (status == KMIG_WIRE_ACCEPT)
		status = kmig_mig_check_hello(mig, &h, &why);

	kmig_wire_reply_init(&reply, status ? 0 : kmig_wire_hello_version(&h),
			     status, status ? 0 : h.features &
			     (KMIG_WIRE_FEAT_COLO | KMIG_WIRE_FEAT_AUTH |
			      KMIG_WIRE_FEAT_CRC), why);
	kmig_wire_reply_encode(buf, sizeof(buf), &reply);
	ret = kmig_sock_send(sock, buf, KMIG_WIRE_REPLY_SIZE, false);
	if (!ret && status == KMIG_WIRE_ACCEPT && keyed)
		ret = kmig_mig_dst_proof(mig, sock, raw, nd, ns);
	if (status == KMIG_WIRE_ACCEPT && ret)
		status = KMIG_WIRE_REJ_MALFORMED, why = "reply not delivered";
	if (status != KMIG_WIRE_ACCEPT) {
		kmig_mig_count_rejected(mig, keyed && !proven);
		goto rejected;
	}

	atomic64_add(KMIG_WIRE_HELLO_SIZE + KMIG_WIRE_REPLY_SIZE,
		     &mig->hello_bytes);
	spin_lock_bh(&mig->lock);
	if (!mig->have_id) {
		memcpy(mig->id, h.migration_id, sizeof(mig->id));
		mig->have_id = true;
	}
	spin_unlock_bh(&mig->lock);

	ch = &mig->ch[h.channel_id];
	kmig_wire_hello_limits(&h, &ch->lim);
	ch->crc = h.features & KMIG_WIRE_FEAT_CRC;
	kmig_sock_set_timeouts(sock, MAX_SCHEDULE_TIMEOUT, MAX_SCHEDULE_TIMEOUT);
	kmig_mig_set_sock(mig, &mig->hs_sock, NULL);
	kmig_mig_set_sock(mig, &ch->ks.sock, sock);
	kmig_sock_hook(&ch->ks, sock, kmig_mig_on_close);
	ret = kmig_channel_start(ch);
	if (ret) {
		kmig_mig_stop(mig, KMIG_MIG_STATE_FAILED,
			      "channel %u: cannot start its thread (%pe)",
			      ch->id, ERR_PTR(ret));
		return ret;
	}
	return 1;

rejected:
	pr_info("region %u: rejected a connection: %s\n", mig->region->id, why);
	if (accepted && (!keyed || proven)) {
		/* Part of the migration is here already: it cannot go on. */
		kmig_mig_stop(mig, KMIG_MIG_STATE_FAILED,
			      "rejected a channel: %s", why);
		return -EPROTO;
	}
	return 0;
}

static int kmig_mig_dest_fn(void *data)
{
	struct kmig_mig *mig = data;
	unsigned int accepted = 0;
	struct socket *sock;
	int ret;

	while (accepted < mig->nch && !kmig_mig_stopping(mig)) {
		ret = kmig_sock_accept(mig->lsock, &sock);
		if (ret == -EAGAIN || ret == -EINTR)
			continue;
		if (ret) {
			if (!kmig_mig_stopping(mig))
				kmig_mig_stop(mig, KMIG_MIG_STATE_FAILED,
					      "accept failed (%pe)", ERR_PTR(ret));
			break;
		}
		kmig_mig_set_sock(mig, &mig->hs_sock, sock);
		ret = kmig_mig_handshake(mig, sock, accepted);
		if (ret > 0) {
			if (!accepted) {
				kmig_mig_set_state(mig, KMIG_MIG_STATE_ACTIVE);
				kmig_mig_event(mig, KMIG_MIG_EVENT_STATE);
			}
			accepted++;
			continue;
		}
		kmig_mig_set_sock(mig, &mig->hs_sock, NULL);
		kmig_sock_release(sock);
		if (ret < 0)
			break;
	}

	if (!kmig_mig_stopping(mig)) {
		struct socket *lsock = mig->lsock;

		/* Every channel is here: stop listening. */
		mig->active_ns = ktime_get_ns();
		kmig_mig_set_sock(mig, &mig->lsock, NULL);
		kmig_sock_release(lsock);
		if (mig->colo)
			kmig_colo_secondary(mig);
		else
			kmig_mig_wait_channels(mig);
	}
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

/* Destination: listen; the main thread accepts the channels. */
static int kmig_mig_prepare_dest(struct kmig_mig *mig, const char **why)
{
	int ret;

	mig->state = KMIG_MIG_STATE_LISTENING;
	ret = kmig_sock_listen(mig->net, &mig->cfg.addr, mig->nch, &mig->lsock,
			       &mig->port);
	if (ret)
		*why = ret == -EADDRINUSE ? "address already in use" :
		       ret == -EADDRNOTAVAIL ? "address not available here" :
		       "cannot listen on this address";
	return ret;
}

/* Source: the batch queue; the main thread connects the channels. */
static int kmig_mig_prepare_source(struct kmig_mig *mig, const char **why)
{
	const struct sockaddr_storage *a = &mig->cfg.addr;

	mig->state = KMIG_MIG_STATE_SETUP;
	mig->port = a->ss_family == AF_INET6 ?
		ntohs(((const struct sockaddr_in6 *)a)->sin6_port) :
		ntohs(((const struct sockaddr_in *)a)->sin_port);
	return kmig_queue_init(&mig->queue, mig->nch, mig->cfg.zero_detect);
}

/* What prepare set up, when the main thread never ran. */
static void kmig_mig_unprepare(struct kmig_mig *mig)
{
	if (mig->role == KMIG_MIG_ROLE_SOURCE) {
		kmig_queue_uninit(&mig->queue);
	} else {
		kmig_sock_release(mig->lsock);
		mig->lsock = NULL;
	}
}

/* Listen and start: replace a finished migration, set up, launch. */
static int kmig_mig_begin(struct kmig_region *region, struct net *net,
			  enum kmig_mig_role role,
			  const struct kmig_mig_config *cfg, const char **why)
{
	bool src = role == KMIG_MIG_ROLE_SOURCE;
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
	mig = kmig_mig_alloc(region, net, role, cfg);
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
	 * that asks for it (kmig_mig_check_hello()).
	 */
	if (cfg->integrity) {
		ret = kmig_crc_init(&mig->crc);
		if (ret) {
			*why = "cannot set up crc32c (kernel crypto API)";
			kmig_mig_free(mig);
			goto unlock;
		}
	}
	ret = src ? kmig_mig_prepare_source(mig, why) :
		    kmig_mig_prepare_dest(mig, why);
	if (ret) {
		kmig_mig_free(mig);
		goto unlock;
	}
	ret = kmig_mig_launch(region, mig,
			      src ? kmig_mig_source_fn : kmig_mig_dest_fn,
			      src ? "src" : "dst");
	if (ret) {
		*why = "cannot start the migration thread";
		kmig_mig_unprepare(mig);
		kmig_mig_free(mig);
	}
unlock:
	mutex_unlock(&kmig_mig_mutex);
	if (ret)
		kmig_limits_mig_end();
	kmig_mig_destroy(old);
	return ret;
}

int kmig_mig_listen(struct kmig_region *region, struct net *net,
		    const struct kmig_mig_config *cfg, const char **why)
{
	return kmig_mig_begin(region, net, KMIG_MIG_ROLE_DESTINATION, cfg, why);
}

int kmig_mig_start(struct kmig_region *region, struct net *net,
		   const struct kmig_mig_config *cfg, const char **why)
{
	return kmig_mig_begin(region, net, KMIG_MIG_ROLE_SOURCE, cfg, why);
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
		kmig_colo_latency(colo, info->colo_latency);
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
