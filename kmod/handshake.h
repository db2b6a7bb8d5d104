/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Channel handshake (handshake.c): the hello, its reply and, with a key,
 * the mutual authentication, on both sides of one channel connection.
 * The decisions are pure functions of a hello, a reply and a snapshot of
 * the migration, tested by KUnit (tests/kunit/handshake_test.c); the rest
 * sends and receives over the socket and stops the migration on failure.
 */
#ifndef _KMIG_HANDSHAKE_H
#define _KMIG_HANDSHAKE_H

#include <linux/types.h>
#include <linux/bitmap.h>
#include <uapi/linux/kmig.h>

#include "wire.h"

struct kmig_mig;
struct kmig_mig_hs;
struct kmig_channel;
struct socket;

/* The hello a source sends on channel @id of @count. */
struct kmig_hs_source {
	bool colo;
	bool auth;
	bool integrity;
	bool postcopy;
	const u8 *id;			/* KMIG_WIRE_MIGRATION_ID_LEN bytes */
	unsigned int channel_id;
	unsigned int channels;
	u32 page_size;
	u64 region_size;
	u32 max_pages;
};

void kmig_hs_hello_init(struct kmig_wire_hello *h,
			const struct kmig_hs_source *src);

/* What a source makes of the destination's reply to its hello. */
enum kmig_hs_reply_verdict {
	KMIG_HS_REPLY_OK,
	KMIG_HS_REPLY_REJECTED,		/* status is not ACCEPT */
	KMIG_HS_REPLY_VERSION,		/* a version we do not speak */
	KMIG_HS_REPLY_FEATURES,		/* not exactly the features asked */
};

enum kmig_hs_reply_verdict
kmig_hs_check_reply(const struct kmig_wire_hello *hello,
		    const struct kmig_wire_reply *reply);

/* What a destination checks a decoded hello against. */
struct kmig_hs_dest {
	bool have_id;
	u8 id[KMIG_WIRE_MIGRATION_ID_LEN];
	unsigned int channels;
	DECLARE_BITMAP(connected, KMIG_CHANNELS_MAX);
	u64 region_size;
	bool colo;			/* expects a COLO primary */
	bool integrity;			/* requires CRC-32C */
	bool connected_any;		/* a channel was accepted already */
	bool postcopy;			/* ... and it asked for postcopy */
};

/*
 * Destination, before any authentication: does the hello's AUTH feature
 * match having a key? KMIG_WIRE_ACCEPT or KMIG_WIRE_REJ_AUTH with *@why.
 */
enum kmig_wire_status kmig_hs_check_auth(bool keyed, u64 features,
					 const char **why);
/*
 * Destination: check a hello against @dst. The reply status, and *@why.
 * Whether crc32c can be set up for a hello asking for CRC is the
 * caller's last check, after an accept here.
 */
enum kmig_wire_status kmig_hs_check_hello(const struct kmig_hs_dest *dst,
					  const struct kmig_wire_hello *h,
					  const char **why);
/* Destination: the features an accepting reply grants. */
u64 kmig_hs_reply_features(const struct kmig_wire_hello *h);

/*
 * Source, main thread: connect channel @ch, exchange the hello (and
 * authenticate), start its thread. Stops the migration on failure.
 */
int kmig_hs_connect(struct kmig_mig *mig, struct kmig_channel *ch);
/*
 * Destination, a handshake worker: the handshake of one accepted
 * connection (@hs->sock), all of it by @deadline (jiffies). 1 when a
 * channel was accepted (its thread started; @hs->sock is then NULL), 0
 * when the connection was rejected, negative when the migration must
 * fail. Handshakes of one migration run concurrently; the claim of a
 * channel id is serialised (mig->hs_lock).
 */
int kmig_hs_accept(struct kmig_mig *mig, struct kmig_mig_hs *hs,
		   unsigned long deadline);

#endif /* _KMIG_HANDSHAKE_H */
