// SPDX-License-Identifier: GPL-2.0
/*
 * Channel handshake (handshake.h), both sides of one connection: the
 * source connects, sends its hello and, with a key, answers the
 * destination's challenge and checks its proof; the destination reads
 * the hello, authenticates it, checks it against its migration and
 * answers. An accepted channel gets its socket and its thread here.
 *
 * The decisions (kmig_hs_*() without a migration) are pure and tested by
 * KUnit; the rest is socket I/O, counters and the reasons a failed
 * handshake stops the migration with.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/net.h>
#include <linux/random.h>
#include <linux/sched.h>
#include <linux/string.h>
#include <linux/err.h>
#include <linux/ktime.h>
#include <linux/lockdep.h>
#include <linux/mutex.h>

#include "handshake.h"
#include "mig.h"
#include "status.h"
#include "channel.h"
#include "send.h"
#include "receive.h"
#include "region.h"
#include "sock.h"
#include "auth.h"
#include "crc.h"
#include "postcopy.h"
#include "postcopy_src.h"

/* Connect and hello exchange, per channel. */
#define KMIG_SETUP_TIMEOUT	(10 * HZ)

/* Pure decisions. */

void kmig_hs_hello_init(struct kmig_wire_hello *h,
			const struct kmig_hs_source *src)
{
	memset(h, 0, sizeof(*h));
	h->version_min = KMIG_WIRE_VERSION_MIN;
	h->version_max = KMIG_WIRE_VERSION_MAX;
	h->features = (src->colo ? KMIG_WIRE_FEAT_COLO : 0) |
		      (src->auth ? KMIG_WIRE_FEAT_AUTH : 0) |
		      (src->integrity ? KMIG_WIRE_FEAT_CRC : 0) |
		      (src->postcopy ? KMIG_WIRE_FEAT_POSTCOPY : 0);
	h->channel_id = src->channel_id;
	h->channel_count = src->channels;
	h->page_size = src->page_size;
	h->region_size = src->region_size;
	h->max_pages = src->max_pages;
	memcpy(h->migration_id, src->id, sizeof(h->migration_id));
}

enum kmig_hs_reply_verdict
kmig_hs_check_reply(const struct kmig_wire_hello *hello,
		    const struct kmig_wire_reply *reply)
{
	if (reply->status != KMIG_WIRE_ACCEPT)
		return KMIG_HS_REPLY_REJECTED;
	if (reply->version < KMIG_WIRE_VERSION_MIN ||
	    reply->version > KMIG_WIRE_VERSION_MAX)
		return KMIG_HS_REPLY_VERSION;
	if (reply->features != hello->features)
		return KMIG_HS_REPLY_FEATURES;
	return KMIG_HS_REPLY_OK;
}

enum kmig_wire_status kmig_hs_check_auth(bool keyed, u64 features,
					 const char **why)
{
	if (keyed && !(features & KMIG_WIRE_FEAT_AUTH)) {
		*why = "destination needs the migration key";
		return KMIG_WIRE_REJ_AUTH;
	}
	if (!keyed && (features & KMIG_WIRE_FEAT_AUTH)) {
		*why = "destination has no key (insecure)";
		return KMIG_WIRE_REJ_AUTH;
	}
	return KMIG_WIRE_ACCEPT;
}

enum kmig_wire_status kmig_hs_check_hello(const struct kmig_hs_dest *dst,
					  const struct kmig_wire_hello *h,
					  const char **why)
{
	if (dst->have_id &&
	    memcmp(dst->id, h->migration_id, sizeof(dst->id))) {
		*why = "wrong migration id";
		return KMIG_WIRE_REJ_MIGRATION_ID;
	}
	if (h->channel_count != dst->channels) {
		*why = "wrong channel count";
		return KMIG_WIRE_REJ_CHANNEL_COUNT;
	}
	/* The decoder checked channel_id < channel_count. */
	if (h->channel_id >= KMIG_CHANNELS_MAX ||
	    test_bit(h->channel_id, dst->connected)) {
		*why = "channel already connected";
		return KMIG_WIRE_REJ_CHANNEL_ID;
	}
	if (h->region_size != dst->region_size) {
		*why = "region size mismatch";
		return KMIG_WIRE_REJ_REGION_SIZE;
	}
	if ((h->features & KMIG_WIRE_FEAT_COLO) && !dst->colo) {
		*why = "COLO not enabled on this destination";
		return KMIG_WIRE_REJ_FEATURES;
	}
	if (!(h->features & KMIG_WIRE_FEAT_COLO) && dst->colo) {
		*why = "destination expects a COLO primary";
		return KMIG_WIRE_REJ_FEATURES;
	}
	if (!(h->features & KMIG_WIRE_FEAT_CRC) && dst->integrity) {
		*why = "destination requires integrity (crc32c)";
		return KMIG_WIRE_REJ_FEATURES;
	}
	if ((h->features & KMIG_WIRE_FEAT_POSTCOPY) &&
	    (h->features & KMIG_WIRE_FEAT_COLO)) {
		*why = "postcopy and COLO exclude each other";
		return KMIG_WIRE_REJ_FEATURES;
	}
	if ((h->features & KMIG_WIRE_FEAT_POSTCOPY) && h->channel_count < 2) {
		*why = "postcopy needs at least 2 channels";
		return KMIG_WIRE_REJ_FEATURES;
	}
	/* Every channel of a migration asks for postcopy, or none. */
	if (dst->connected_any &&
	    !!(h->features & KMIG_WIRE_FEAT_POSTCOPY) != dst->postcopy) {
		*why = "postcopy asked for on some channels only";
		return KMIG_WIRE_REJ_FEATURES;
	}
	*why = "accepted";
	return KMIG_WIRE_ACCEPT;
}

u64 kmig_hs_reply_features(const struct kmig_wire_hello *h)
{
	return h->features & (KMIG_WIRE_FEAT_COLO | KMIG_WIRE_FEAT_AUTH |
			      KMIG_WIRE_FEAT_CRC | KMIG_WIRE_FEAT_POSTCOPY);
}

/* Softirq: the peer closed or reset a channel connection, or went silent. */
static void kmig_hs_on_close(struct kmig_sock *ks, int err)
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
		kmig_mig_link_lost_any(ch->mig,
				       "peer stopped responding on channel %u (TCP timeout)",
				       ch->id);
	else if (err)
		kmig_mig_link_lost_any(ch->mig,
				       "peer reset channel %u (%pe)", ch->id,
				       ERR_PTR(-err));
	else
		kmig_mig_link_lost_any(ch->mig,
				       "peer closed channel %u", ch->id);
}

/* Source. */

/*
 * Source side of the authentication, after the hello went out and the
 * first 64 bytes of the answer are in @buf: an AUTH CHALLENGE (the rest
 * of it is read here) is answered with our nonce and MAC, and the
 * destination's reply is read into @buf. Anything else in @buf is left
 * for the reply decoder. *@ns gets our nonce for the proof check.
 */
static int kmig_hs_src_respond(struct kmig_mig *mig, struct kmig_channel *ch,
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
		kmig_mig_link_lost(mig,
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
		kmig_mig_link_lost(mig,
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
static int kmig_hs_src_check_proof(struct kmig_mig *mig,
				   struct kmig_channel *ch,
				   struct socket *sock, const u8 *hello,
				   const u8 *nd, const u8 *ns, const char *peer)
{
	struct kmig_wire_auth a;
	int ret;

	ret = kmig_sock_recv(sock, ch->buf, KMIG_WIRE_AUTH_SIZE);
	if (ret) {
		kmig_mig_link_lost(mig,
				   "channel %u: no authentication proof from %s (%pe)",
				   ch->id, peer,
				   ERR_PTR(ret == -EAGAIN ? -ETIMEDOUT : ret));
		return ret;
	}
	atomic64_add(KMIG_WIRE_AUTH_SIZE, &mig->hello_bytes);
	ret = kmig_wire_auth_decode(ch->buf, KMIG_WIRE_AUTH_SIZE,
				    KMIG_WIRE_AUTH_PROOF, &a);
	if (ret) {
		kmig_mig_link_lost(mig,
				   "channel %u: bad authentication proof: %s",
				   ch->id, kmig_wire_strerror(ret));
		return -EPROTO;
	}
	if (!kmig_auth_check(&mig->auth, KMIG_WIRE_AUTH_LABEL_DST, hello, nd,
			     ns, a.mac)) {
		kmig_mig_count_auth_failed(mig);
		kmig_mig_link_lost(mig,
				   "channel %u: %s failed authentication (not the same key)",
				   ch->id, peer);
		return -EACCES;
	}
	return 0;
}

/* Source: stop the migration with why @reply does not let us go on. */
static int kmig_hs_src_refused(struct kmig_mig *mig, struct kmig_channel *ch,
			       const struct kmig_wire_hello *hello,
			       const struct kmig_wire_reply *reply,
			       const char *peer)
{
	const char *status;

	switch (kmig_hs_check_reply(hello, reply)) {
	case KMIG_HS_REPLY_OK:
		return 0;
	case KMIG_HS_REPLY_REJECTED:
		status = kmig_wire_status_str(reply->status);
		if (!strcmp(status, reply->reason) || !reply->reason[0])
			kmig_mig_link_lost(mig,
					   "channel %u rejected by %s: %s", ch->id,
					   peer, status);
		else
			kmig_mig_link_lost(mig,
					   "channel %u rejected by %s: %s (%s)",
					   ch->id, peer, status, reply->reason);
		return -ECONNREFUSED;
	case KMIG_HS_REPLY_VERSION:
		kmig_mig_link_lost(mig,
				   "channel %u: destination chose version %u",
				   ch->id, reply->version);
		return -EPROTO;
	case KMIG_HS_REPLY_FEATURES:
	default:
		kmig_mig_link_lost(mig,
				   "channel %u: destination granted features %#llx of %#llx",
				   ch->id, reply->features, hello->features);
		return -EPROTO;
	}
}

int kmig_hs_connect(struct kmig_mig *mig, struct kmig_channel *ch)
{
	bool auth = kmig_auth_enabled(&mig->auth);
	const struct kmig_hs_source src = {
		.colo = mig->cfg.colo,
		.auth = auth,
		.integrity = mig->cfg.integrity,
		.postcopy = mig->cfg.postcopy,
		.id = mig->id,
		.channel_id = ch->id,
		.channels = mig->nch,
		.page_size = PAGE_SIZE,
		.region_size = (u64)kmig_region_npages(mig->region) << PAGE_SHIFT,
		.max_pages = KMIG_BATCH_PAGES,
	};
	u8 raw[KMIG_WIRE_HELLO_SIZE], nd[KMIG_WIRE_NONCE_LEN] = { };
	u8 ns[KMIG_WIRE_NONCE_LEN] = { };
	struct kmig_wire_hello hello;
	struct kmig_wire_reply reply;
	struct socket *sock;
	char peer[64];
	int ret;

	kmig_sock_addr_str(&mig->cfg.addr, peer, sizeof(peer));
	ret = kmig_sock_connect(mig->net, &mig->cfg.addr, KMIG_SETUP_TIMEOUT,
				&sock);
	if (ret) {
		kmig_mig_link_lost(mig,
				   "channel %u: connect to %s failed (%pe)", ch->id,
				   peer, ERR_PTR(ret));
		return ret;
	}
	/* Owned by the channel from here: teardown releases it. */
	kmig_mig_set_sock(mig, &ch->ks.sock, sock);
	if (kmig_mig_stopping(mig))
		return -ECANCELED;

	kmig_hs_hello_init(&hello, &src);
	kmig_wire_hello_encode(raw, sizeof(raw), &hello);
	kmig_sock_set_timeouts(sock, KMIG_SETUP_TIMEOUT, KMIG_SETUP_TIMEOUT);
	ret = kmig_sock_send(sock, raw, sizeof(raw), false);
	if (!ret)
		ret = kmig_sock_recv(sock, ch->buf, KMIG_WIRE_REPLY_SIZE);
	if (!ret && auth)
		ret = kmig_hs_src_respond(mig, ch, sock, raw, ch->buf, nd, ns);
	if (ret) {
		if (!kmig_mig_stopping(mig))
			kmig_mig_link_lost(mig,
					   "channel %u: hello to %s failed (%pe)",
					   ch->id, peer,
					   ERR_PTR(ret == -EAGAIN ? -ETIMEDOUT : ret));
		return ret;
	}
	atomic64_add(KMIG_WIRE_HELLO_SIZE + KMIG_WIRE_REPLY_SIZE,
		     &mig->hello_bytes);
	ret = kmig_wire_reply_decode(ch->buf, KMIG_WIRE_REPLY_SIZE, &reply);
	if (ret) {
		kmig_mig_link_lost(mig,
				   "channel %u: bad hello reply: %s", ch->id,
				   kmig_wire_strerror(ret));
		return -EPROTO;
	}
	ret = kmig_hs_src_refused(mig, ch, &hello, &reply, peer);
	if (ret)
		return ret;
	if (auth) {
		/* Never a page to a destination that has not proven the key. */
		ret = kmig_hs_src_check_proof(mig, ch, sock, raw, nd, ns, peer);
		if (ret)
			return ret;
	}
	kmig_sock_set_timeouts(sock, MAX_SCHEDULE_TIMEOUT, MAX_SCHEDULE_TIMEOUT);
	kmig_sock_hook(&ch->ks, sock, kmig_hs_on_close);
	ch->crc = mig->cfg.integrity;
	ch->postcopy = mig->cfg.postcopy;
	/* Postcopy: channel 0 is the one that answers page requests. */
	return kmig_send_start(ch, ch->id == 0 && ch->postcopy ?
			       kmig_postcopy_src_thread : NULL);
}

/* Destination. */

/* Why a receive within the handshake failed. */
static const char *kmig_hs_recv_why(int ret, const char *late,
				    const char *closed)
{
	return ret == -ETIMEDOUT || ret == -EAGAIN ? late : closed;
}

/*
 * Destination side of the authentication, after a hello asking for it:
 * CHALLENGE out, RESPONSE in and checked, by @deadline. 0 when the peer
 * proved the key, -EACCES when its MAC is wrong, another error when it
 * stalled, closed or sent something else; *@why says which.
 */
static int kmig_hs_dst_auth(struct kmig_mig *mig, struct socket *sock,
			    unsigned long deadline, const u8 *hello, u8 *nd,
			    u8 *ns, u64 *bytes, const char **why)
{
	struct kmig_wire_auth a = { .step = KMIG_WIRE_AUTH_CHALLENGE };
	u8 buf[KMIG_WIRE_AUTH_SIZE];
	int ret;

	get_random_bytes(nd, KMIG_WIRE_NONCE_LEN);
	memcpy(a.nonce, nd, KMIG_WIRE_NONCE_LEN);
	kmig_wire_auth_encode(buf, sizeof(buf), &a);
	ret = kmig_sock_send_by(sock, buf, sizeof(buf), deadline);
	if (!ret)
		ret = kmig_sock_recv_by(sock, buf, sizeof(buf), deadline);
	if (ret) {
		*why = kmig_hs_recv_why(ret,
					"handshake not done within handshake_timeout_ms (in authentication)",
					"connection closed during authentication");
		return ret;
	}
	*bytes += 2 * KMIG_WIRE_AUTH_SIZE;
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
static int kmig_hs_dst_proof(struct kmig_mig *mig, struct socket *sock,
			     unsigned long deadline, const u8 *hello,
			     const u8 *nd, const u8 *ns)
{
	struct kmig_wire_auth a = { .step = KMIG_WIRE_AUTH_PROOF };
	u8 buf[KMIG_WIRE_AUTH_SIZE];
	int ret;

	ret = kmig_auth_mac(&mig->auth, KMIG_WIRE_AUTH_LABEL_DST, hello, nd,
			    ns, a.mac);
	if (ret)
		return ret;
	kmig_wire_auth_encode(buf, sizeof(buf), &a);
	return kmig_sock_send_by(sock, buf, sizeof(buf), deadline);
}

/*
 * Destination, under mig->hs_lock: check a hello against this migration
 * (a snapshot of it for kmig_hs_check_hello(), the channel ids claimed so
 * far included), then set crc32c up if the hello asks for CRC.
 */
static enum kmig_wire_status kmig_hs_dst_check(struct kmig_mig *mig,
					       const struct kmig_wire_hello *h,
					       const char **why)
{
	struct kmig_hs_dest dst = {
		.channels = mig->nch,
		.region_size = (u64)kmig_region_npages(mig->region) << PAGE_SHIFT,
		.colo = mig->colo,
		.integrity = mig->cfg.integrity,
		.connected_any = mig->hs_accepted,
		.postcopy = mig->hs_postcopy,
	};
	enum kmig_wire_status status;

	lockdep_assert_held(&mig->hs_lock);
	spin_lock_bh(&mig->lock);
	dst.have_id = mig->have_id;
	memcpy(dst.id, mig->id, sizeof(dst.id));
	spin_unlock_bh(&mig->lock);
	bitmap_copy(dst.connected, mig->hs_claimed, KMIG_CHANNELS_MAX);

	status = kmig_hs_check_hello(&dst, h, why);
	if (status != KMIG_WIRE_ACCEPT)
		return status;
	/* Granted to any source that asks, if crc32c is available here. */
	if ((h->features & KMIG_WIRE_FEAT_CRC) &&
	    !kmig_crc_enabled(&mig->crc) && kmig_crc_init(&mig->crc)) {
		*why = "no crc32c on this destination";
		return KMIG_WIRE_REJ_FEATURES;
	}
	if (READ_ONCE(mig->pc_resuming) &&
	    !(h->features & KMIG_WIRE_FEAT_POSTCOPY)) {
		*why = "a postcopy resume needs postcopy";
		return KMIG_WIRE_REJ_FEATURES;
	}
	/* The first channel asking for postcopy sets its page map up. */
	if ((h->features & KMIG_WIRE_FEAT_POSTCOPY) && !mig->pc) {
		struct kmig_postcopy *pc;

		pc = kmig_postcopy_alloc(kmig_region_npages(mig->region));
		if (!pc) {
			*why = "out of memory for the postcopy page map";
			return KMIG_WIRE_REJ_FEATURES;
		}
		/* kmig_mig_stop() may look at it from any context. */
		smp_store_release(&mig->pc, pc);
	}
	return KMIG_WIRE_ACCEPT;
}

/*
 * Under mig->hs_lock, after an accepting reply went out: the channel id
 * is this connection's, the migration id is adopted, and the first and
 * the last channel move the migration on.
 */
static void kmig_hs_dst_claim(struct kmig_mig *mig,
			      const struct kmig_wire_hello *h, u64 bytes)
{
	lockdep_assert_held(&mig->hs_lock);
	__set_bit(h->channel_id, mig->hs_claimed);
	atomic64_add(bytes, &mig->hello_bytes);
	spin_lock_bh(&mig->lock);
	if (!mig->have_id) {
		memcpy(mig->id, h->migration_id, sizeof(mig->id));
		mig->have_id = true;
	}
	spin_unlock_bh(&mig->lock);
	/* A resumed postcopy stays postcopy-paused until it goes on. */
	if (++mig->hs_accepted == 1 && !READ_ONCE(mig->postcopy_active)) {
		kmig_mig_set_state(mig, KMIG_MIG_STATE_ACTIVE);
		kmig_status_event(mig, KMIG_MIG_EVENT_STATE);
	}
	if (mig->hs_accepted == mig->nch)
		mig->active_ns = ktime_get_ns();
}

/*
 * One incoming connection, in a handshake worker: read its hello,
 * authenticate it when this migration has a key, answer it, all by
 * @deadline (accept plus handshake_timeout_ms). Returns 1 when the
 * channel was accepted (its thread started), 0 when the connection was
 * rejected, negative when the migration must fail.
 *
 * With a key, a connection that fails before it proved the key (a bad
 * hello, no or a wrong key, a stall) is dropped and counted and the
 * migration goes on: anyone can connect to the port. Without one, and
 * after the proof, a rejected channel fails a migration that has
 * accepted channels already.
 *
 * The check of the hello against the channels claimed so far, the reply
 * and the claim are done under mig->hs_lock: of two connections claiming
 * one channel id, the first to get there wins and the other is rejected
 * ("channel already connected").
 */
int kmig_hs_accept(struct kmig_mig *mig, struct kmig_mig_hs *hs,
		   unsigned long deadline)
{
	bool keyed = kmig_auth_enabled(&mig->auth), proven = false;
	u8 nd[KMIG_WIRE_NONCE_LEN], ns[KMIG_WIRE_NONCE_LEN];
	u8 raw[KMIG_WIRE_HELLO_SIZE], buf[KMIG_WIRE_REPLY_SIZE];
	struct socket *sock = hs->sock;
	struct kmig_wire_reply reply;
	enum kmig_wire_status status;
	struct kmig_wire_hello h;
	struct kmig_channel *ch;
	unsigned int accepted;
	const char *why;
	u64 bytes = 0;
	int ret;

	ret = kmig_sock_recv_by(sock, raw, sizeof(raw), deadline);
	if (ret) {
		/* Closed or silent before a whole hello: no reply. */
		kmig_mig_count_rejected(mig, false);
		why = kmig_hs_recv_why(ret,
				       "handshake not done within handshake_timeout_ms (no whole hello)",
				       "connection closed before the hello");
		goto rejected_unlocked;
	}
	bytes += KMIG_WIRE_HELLO_SIZE;
	ret = kmig_wire_hello_decode(raw, sizeof(raw), PAGE_SIZE, &h);
	if (ret) {
		status = kmig_wire_err_to_status(ret);
		why = kmig_wire_strerror(ret);
	} else {
		status = kmig_hs_check_auth(keyed, h.features, &why);
	}
	if (status == KMIG_WIRE_ACCEPT && keyed) {
		ret = kmig_hs_dst_auth(mig, sock, deadline, raw, nd, ns,
				       &bytes, &why);
		if (ret && ret != -EACCES) {
			/* Stalled, closed or garbled: dropped unanswered. */
			kmig_mig_count_rejected(mig, true);
			goto rejected_unlocked;
		}
		status = ret ? KMIG_WIRE_REJ_AUTH : KMIG_WIRE_ACCEPT;
		proven = !ret;
	}

	mutex_lock(&mig->hs_lock);
	if (status == KMIG_WIRE_ACCEPT && READ_ONCE(mig->hs_closed)) {
		/* Every channel is here: a late connection is cancelled. */
		status = KMIG_WIRE_REJ_CHANNEL_ID;
		why = "channel already connected";
	} else if (status == KMIG_WIRE_ACCEPT) {
		status = kmig_hs_dst_check(mig, &h, &why);
	}
	kmig_wire_reply_init(&reply, status ? 0 : kmig_wire_hello_version(&h),
			     status, status ? 0 : kmig_hs_reply_features(&h),
			     why);
	kmig_wire_reply_encode(buf, sizeof(buf), &reply);
	ret = kmig_sock_send_by(sock, buf, KMIG_WIRE_REPLY_SIZE, deadline);
	if (!ret && status == KMIG_WIRE_ACCEPT && keyed) {
		ret = kmig_hs_dst_proof(mig, sock, deadline, raw, nd, ns);
		if (!ret)
			bytes += KMIG_WIRE_AUTH_SIZE;
	}
	if (status == KMIG_WIRE_ACCEPT && ret)
		status = KMIG_WIRE_REJ_MALFORMED, why = "reply not delivered";
	if (status != KMIG_WIRE_ACCEPT) {
		kmig_mig_count_rejected(mig, keyed && !proven);
		goto rejected;
	}
	bytes += KMIG_WIRE_REPLY_SIZE;
	kmig_hs_dst_claim(mig, &h, bytes);

	ch = &mig->ch[h.channel_id];
	kmig_wire_hello_limits(&h, &ch->lim);
	ch->crc = h.features & KMIG_WIRE_FEAT_CRC;
	ch->postcopy = h.features & KMIG_WIRE_FEAT_POSTCOPY;
	mig->hs_postcopy = ch->postcopy;
	kmig_sock_set_timeouts(sock, MAX_SCHEDULE_TIMEOUT, MAX_SCHEDULE_TIMEOUT);
	/* The channel owns the socket from here (the kick finds it there). */
	kmig_mig_set_sock(mig, &hs->sock, NULL);
	kmig_mig_set_sock(mig, &ch->ks.sock, sock);
	kmig_sock_hook(&ch->ks, sock, kmig_hs_on_close);
	ret = kmig_receive_start(ch);
	if (ret) {
		kmig_mig_stop(mig, KMIG_MIG_STATE_FAILED,
			      "channel %u: cannot start its thread (%pe)",
			      ch->id, ERR_PTR(ret));
		mutex_unlock(&mig->hs_lock);
		return ret;
	}
	mutex_unlock(&mig->hs_lock);
	return 1;

rejected_unlocked:
	mutex_lock(&mig->hs_lock);
rejected:
	accepted = mig->hs_accepted;
	if (READ_ONCE(mig->hs_closed))
		accepted = 0;	/* cancelled by the listener, not rejected */
	mutex_unlock(&mig->hs_lock);
	pr_info_ratelimited("region %u: rejected a connection: %s\n",
			    mig->region->id, why);
	if (accepted && (!keyed || proven)) {
		/* Part of the migration is here already: it cannot go on. */
		kmig_mig_stop(mig, KMIG_MIG_STATE_FAILED,
			      "rejected a channel: %s", why);
		return -EPROTO;
	}
	return 0;
}
