// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the pure decisions of the channel handshake
 * (kmod/handshake.c): the hello a source builds, what it makes of the
 * reply, and the destination's checks of a hello (key or none, migration
 * id, channel count and id, region size, COLO, integrity) with their
 * reply status, reason and granted features.
 */

#include <kunit/test.h>
#include <linux/kernel.h>
#include <linux/string.h>

#include "kmig_kunit.h"
#include "handshake.h"
#include "wire.h"

static const u8 hst_id[KMIG_WIRE_MIGRATION_ID_LEN] = {
	0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17,
	0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f,
};

#define HST_REGION	(64ULL << 20)

/* Source channel 1 of 4, no features. */
static const struct kmig_hs_source hst_src = {
	.id = hst_id,
	.channel_id = 1,
	.channels = 4,
	.page_size = 4096,
	.region_size = HST_REGION,
	.max_pages = 64,
};

/* The hello hst_src sends. */
static void hst_hello(struct kmig_wire_hello *h)
{
	kmig_hs_hello_init(h, &hst_src);
}

/* A destination of 4 channels, channel 0 connected, the same id. */
static void hst_dest(struct kmig_hs_dest *d)
{
	memset(d, 0, sizeof(*d));
	d->have_id = true;
	memcpy(d->id, hst_id, sizeof(d->id));
	d->channels = 4;
	__set_bit(0, d->connected);
	d->region_size = HST_REGION;
}

static void hs_test_hello_init(struct kunit *test)
{
	struct kmig_hs_source src = hst_src;
	static const struct {
		bool colo, auth, integrity;
		u64 features;
	} feats[] = {
		{ true, false, false, KMIG_WIRE_FEAT_COLO },
		{ false, true, false, KMIG_WIRE_FEAT_AUTH },
		{ false, false, true, KMIG_WIRE_FEAT_CRC },
		{ true, true, true, KMIG_WIRE_FEAT_COLO | KMIG_WIRE_FEAT_AUTH |
				   KMIG_WIRE_FEAT_CRC },
	};
	u8 raw[KMIG_WIRE_HELLO_SIZE];
	struct kmig_wire_hello h, d;
	unsigned int i;

	src.channel_id = 3;
	src.channels = 8;
	kmig_hs_hello_init(&h, &src);
	KUNIT_EXPECT_EQ(test, h.version_min, KMIG_WIRE_VERSION_MIN);
	KUNIT_EXPECT_EQ(test, h.version_max, KMIG_WIRE_VERSION_MAX);
	KUNIT_EXPECT_EQ(test, h.features, 0ULL);
	KUNIT_EXPECT_EQ(test, h.channel_id, 3);
	KUNIT_EXPECT_EQ(test, h.channel_count, 8);
	KUNIT_EXPECT_EQ(test, h.page_size, 4096U);
	KUNIT_EXPECT_EQ(test, h.region_size, HST_REGION);
	KUNIT_EXPECT_EQ(test, h.max_pages, 64U);
	KUNIT_EXPECT_EQ(test, memcmp(h.migration_id, hst_id, sizeof(hst_id)),
			0);

	/* Each feature asked, then all: the last hello goes on below. */
	for (i = 0; i < ARRAY_SIZE(feats); i++) {
		src.colo = feats[i].colo;
		src.auth = feats[i].auth;
		src.integrity = feats[i].integrity;
		kmig_hs_hello_init(&h, &src);
		KUNIT_EXPECT_EQ_MSG(test, h.features, feats[i].features,
				    "colo %d auth %d integrity %d",
				    src.colo, src.auth, src.integrity);
	}

	/* What it builds, the destination's decoder takes. */
	kmig_wire_hello_encode(raw, sizeof(raw), &h);
	KUNIT_ASSERT_EQ(test, kmig_wire_hello_decode(raw, sizeof(raw), 4096,
						     &d), 0);
	KUNIT_EXPECT_EQ(test, d.features, h.features);
	KUNIT_EXPECT_EQ(test, d.channel_id, 3);
	KUNIT_EXPECT_EQ(test, d.region_size, HST_REGION);
}

static void hs_test_reply(struct kunit *test)
{
	struct kmig_wire_hello h;
	struct kmig_wire_reply r;

	hst_hello(&h);
	h.features = KMIG_WIRE_FEAT_AUTH | KMIG_WIRE_FEAT_CRC;

	kmig_wire_reply_init(&r, KMIG_WIRE_VERSION, KMIG_WIRE_ACCEPT,
			     h.features, "accepted");
	KUNIT_EXPECT_EQ(test, kmig_hs_check_reply(&h, &r), KMIG_HS_REPLY_OK);

	kmig_wire_reply_init(&r, 0, KMIG_WIRE_REJ_REGION_SIZE, 0,
			     "region size mismatch");
	KUNIT_EXPECT_EQ(test, kmig_hs_check_reply(&h, &r),
			KMIG_HS_REPLY_REJECTED);

	/* A rejection wins over a bad version. */
	kmig_wire_reply_init(&r, KMIG_WIRE_VERSION_MAX + 1, KMIG_WIRE_REJ_AUTH,
			     h.features, "wrong key");
	KUNIT_EXPECT_EQ(test, kmig_hs_check_reply(&h, &r),
			KMIG_HS_REPLY_REJECTED);

	kmig_wire_reply_init(&r, KMIG_WIRE_VERSION_MAX + 1, KMIG_WIRE_ACCEPT,
			     h.features, "accepted");
	KUNIT_EXPECT_EQ(test, kmig_hs_check_reply(&h, &r),
			KMIG_HS_REPLY_VERSION);
	kmig_wire_reply_init(&r, KMIG_WIRE_VERSION_MIN - 1, KMIG_WIRE_ACCEPT,
			     h.features, "accepted");
	KUNIT_EXPECT_EQ(test, kmig_hs_check_reply(&h, &r),
			KMIG_HS_REPLY_VERSION);

	/* Fewer features than asked, or more: both refused. */
	kmig_wire_reply_init(&r, KMIG_WIRE_VERSION, KMIG_WIRE_ACCEPT,
			     KMIG_WIRE_FEAT_CRC, "accepted");
	KUNIT_EXPECT_EQ(test, kmig_hs_check_reply(&h, &r),
			KMIG_HS_REPLY_FEATURES);
	kmig_wire_reply_init(&r, KMIG_WIRE_VERSION, KMIG_WIRE_ACCEPT,
			     KMIG_WIRE_FEATURES_KNOWN, "accepted");
	KUNIT_EXPECT_EQ(test, kmig_hs_check_reply(&h, &r),
			KMIG_HS_REPLY_FEATURES);
}

static void hs_test_auth(struct kunit *test)
{
	const char *why = NULL;

	KUNIT_EXPECT_EQ(test, kmig_hs_check_auth(false, 0, &why),
			KMIG_WIRE_ACCEPT);
	KUNIT_EXPECT_EQ(test, kmig_hs_check_auth(true, KMIG_WIRE_FEAT_AUTH,
						 &why), KMIG_WIRE_ACCEPT);
	KUNIT_EXPECT_EQ(test, kmig_hs_check_auth(true, KMIG_WIRE_FEAT_CRC,
						 &why), KMIG_WIRE_REJ_AUTH);
	KUNIT_EXPECT_STREQ(test, why, "destination needs the migration key");
	KUNIT_EXPECT_EQ(test, kmig_hs_check_auth(false, KMIG_WIRE_FEAT_AUTH,
						 &why), KMIG_WIRE_REJ_AUTH);
	KUNIT_EXPECT_STREQ(test, why, "destination has no key (insecure)");
}

static void hs_test_hello_accept(struct kunit *test)
{
	struct kmig_wire_hello h;
	struct kmig_hs_dest d;
	const char *why = NULL;

	hst_hello(&h);
	hst_dest(&d);
	KUNIT_EXPECT_EQ(test, kmig_hs_check_hello(&d, &h, &why),
			KMIG_WIRE_ACCEPT);
	KUNIT_EXPECT_STREQ(test, why, "accepted");

	/* No id yet: the first channel's id is taken, any is accepted. */
	d.have_id = false;
	memset(d.id, 0, sizeof(d.id));
	KUNIT_EXPECT_EQ(test, kmig_hs_check_hello(&d, &h, &why),
			KMIG_WIRE_ACCEPT);

	/* CRC asked, not required: accepted here (crc32c is the caller's). */
	h.features = KMIG_WIRE_FEAT_CRC;
	KUNIT_EXPECT_EQ(test, kmig_hs_check_hello(&d, &h, &why),
			KMIG_WIRE_ACCEPT);
	d.integrity = true;
	KUNIT_EXPECT_EQ(test, kmig_hs_check_hello(&d, &h, &why),
			KMIG_WIRE_ACCEPT);

	h.features = KMIG_WIRE_FEAT_COLO | KMIG_WIRE_FEAT_CRC;
	d.colo = true;
	KUNIT_EXPECT_EQ(test, kmig_hs_check_hello(&d, &h, &why),
			KMIG_WIRE_ACCEPT);
}

struct hst_case {
	const char *name;
	void (*change)(struct kmig_hs_dest *d, struct kmig_wire_hello *h);
	enum kmig_wire_status status;
	const char *why;
};

static void hst_other_id(struct kmig_hs_dest *d, struct kmig_wire_hello *h)
{
	h->migration_id[5] ^= 1;
}

static void hst_count(struct kmig_hs_dest *d, struct kmig_wire_hello *h)
{
	h->channel_count = 3;
}

static void hst_dup(struct kmig_hs_dest *d, struct kmig_wire_hello *h)
{
	h->channel_id = 0;
}

static void hst_size(struct kmig_hs_dest *d, struct kmig_wire_hello *h)
{
	h->region_size += 4096;
}

static void hst_colo_src(struct kmig_hs_dest *d, struct kmig_wire_hello *h)
{
	h->features |= KMIG_WIRE_FEAT_COLO;
}

static void hst_colo_dst(struct kmig_hs_dest *d, struct kmig_wire_hello *h)
{
	d->colo = true;
}

static void hst_crc(struct kmig_hs_dest *d, struct kmig_wire_hello *h)
{
	d->integrity = true;
}

/* Two faults at once: the first check in the order above wins. */
static void hst_id_and_size(struct kmig_hs_dest *d, struct kmig_wire_hello *h)
{
	hst_other_id(d, h);
	hst_size(d, h);
}

static void hst_count_and_dup(struct kmig_hs_dest *d,
			      struct kmig_wire_hello *h)
{
	hst_count(d, h);
	hst_dup(d, h);
}

static const struct hst_case hst_cases[] = {
	{ "migration id", hst_other_id, KMIG_WIRE_REJ_MIGRATION_ID,
	  "wrong migration id" },
	{ "channel count", hst_count, KMIG_WIRE_REJ_CHANNEL_COUNT,
	  "wrong channel count" },
	{ "channel twice", hst_dup, KMIG_WIRE_REJ_CHANNEL_ID,
	  "channel already connected" },
	{ "region size", hst_size, KMIG_WIRE_REJ_REGION_SIZE,
	  "region size mismatch" },
	{ "COLO source", hst_colo_src, KMIG_WIRE_REJ_FEATURES,
	  "COLO not enabled on this destination" },
	{ "COLO destination", hst_colo_dst, KMIG_WIRE_REJ_FEATURES,
	  "destination expects a COLO primary" },
	{ "integrity required", hst_crc, KMIG_WIRE_REJ_FEATURES,
	  "destination requires integrity (crc32c)" },
	{ "id before size", hst_id_and_size, KMIG_WIRE_REJ_MIGRATION_ID,
	  "wrong migration id" },
	{ "count before id", hst_count_and_dup, KMIG_WIRE_REJ_CHANNEL_COUNT,
	  "wrong channel count" },
};

static void hs_test_hello_reject(struct kunit *test)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(hst_cases); i++) {
		const struct hst_case *c = &hst_cases[i];
		struct kmig_wire_hello h;
		struct kmig_hs_dest d;
		const char *why = NULL;

		hst_hello(&h);
		hst_dest(&d);
		c->change(&d, &h);
		KUNIT_EXPECT_EQ_MSG(test, kmig_hs_check_hello(&d, &h, &why),
				    c->status, "case %s", c->name);
		KUNIT_EXPECT_STREQ_MSG(test, why, c->why, "case %s", c->name);
	}
}

static void hs_test_reply_features(struct kunit *test)
{
	struct kmig_wire_hello h;

	hst_hello(&h);
	KUNIT_EXPECT_EQ(test, kmig_hs_reply_features(&h), 0ULL);
	/* POSTCOPY is granted by the postcopy handshake, not tested here. */
	h.features = KMIG_WIRE_FEATURES_KNOWN & ~KMIG_WIRE_FEAT_POSTCOPY;
	KUNIT_EXPECT_EQ(test, kmig_hs_reply_features(&h),
			KMIG_WIRE_FEAT_COLO | KMIG_WIRE_FEAT_AUTH |
			KMIG_WIRE_FEAT_CRC);
	/* Bits this side does not know are never granted. */
	h.features = KMIG_WIRE_FEAT_CRC | BIT_ULL(40) | BIT_ULL(63);
	KUNIT_EXPECT_EQ(test, kmig_hs_reply_features(&h), KMIG_WIRE_FEAT_CRC);
}

static struct kunit_case kmig_handshake_cases[] = {
	KUNIT_CASE(hs_test_hello_init),
	KUNIT_CASE(hs_test_reply),
	KUNIT_CASE(hs_test_auth),
	KUNIT_CASE(hs_test_hello_accept),
	KUNIT_CASE(hs_test_hello_reject),
	KUNIT_CASE(hs_test_reply_features),
	{}
};

KMIG_KUNIT_SUITE(handshake);
