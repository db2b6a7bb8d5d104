// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the wire protocol v1 codec: round trips, every malformed
 * case rejected with its own error (each made by corrupting one field of a
 * valid encoding), boundary values and pinned struct sizes.
 */

#include <kunit/test.h>
#include <linux/kernel.h>
#include <linux/string.h>

#include "kmig_kunit.h"
#include "wire.h"

#define WT_PAGE		4096U
#define WT_REGION	(1024ULL * WT_PAGE)

static const struct kmig_wire_limits wt_lim = {
	.page_size = WT_PAGE,
	.max_pages = KMIG_WIRE_DEFAULT_MAX_PAGES,
	.region_size = WT_REGION,
	.channel_count = 4,
};

static void wt_hello(struct kmig_wire_hello *h)
{
	int i;

	memset(h, 0, sizeof(*h));
	h->version_min = 1;
	h->version_max = 1;
	h->features = 0;
	for (i = 0; i < KMIG_WIRE_MIGRATION_ID_LEN; i++)
		h->migration_id[i] = 0xa0 + i;
	h->channel_id = 3;
	h->channel_count = 4;
	h->page_size = WT_PAGE;
	h->region_size = WT_REGION;
	h->max_pages = KMIG_WIRE_DEFAULT_MAX_PAGES;
}

/* Store the low @len bytes of @v at @p, big-endian. */
static void wt_put(u8 *p, u64 v, unsigned int len)
{
	while (len--) {
		p[len] = v;
		v >>= 8;
	}
}

static void wire_test_sizes(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, sizeof(struct kmig_wire_hello_be), 64UL);
	KUNIT_EXPECT_EQ(test, sizeof(struct kmig_wire_reply_be), 64UL);
	KUNIT_EXPECT_EQ(test, sizeof(struct kmig_wire_hdr_be), 48UL);
	KUNIT_EXPECT_EQ(test, offsetof(struct kmig_wire_hello_be, max_pages),
			48UL);
	KUNIT_EXPECT_EQ(test, offsetof(struct kmig_wire_reply_be, reason),
			16UL);
	KUNIT_EXPECT_EQ(test, offsetof(struct kmig_wire_hdr_be, pass), 24UL);
}

static void wire_test_hello_roundtrip(struct kunit *test)
{
	struct kmig_wire_hello h, d;
	struct kmig_wire_limits lim;
	u8 buf[KMIG_WIRE_HELLO_SIZE];
	static const u8 head[] = { 'K', 'M', 'G', 'H', 0, 1, 0, 1 };

	wt_hello(&h);
	h.features = 0x8000000000000001ULL;	/* unknown: ignored */
	KUNIT_ASSERT_EQ(test, kmig_wire_hello_encode(buf, sizeof(buf), &h),
			KMIG_WIRE_HELLO_SIZE);
	KUNIT_EXPECT_EQ(test, memcmp(buf, head, sizeof(head)), 0);
	KUNIT_ASSERT_EQ(test, kmig_wire_hello_decode(buf, sizeof(buf), WT_PAGE,
						     &d), 0);
	KUNIT_EXPECT_EQ(test, memcmp(&h, &d, sizeof(h)), 0);
	KUNIT_EXPECT_EQ(test, kmig_wire_hello_version(&d), 1);
	kmig_wire_hello_limits(&d, &lim);
	KUNIT_EXPECT_EQ(test, kmig_wire_limits_check(&lim), 0);
	KUNIT_EXPECT_EQ(test, lim.region_size, WT_REGION);
	KUNIT_EXPECT_EQ(test, kmig_wire_hello_encode(buf, sizeof(buf) - 1, &h),
			(int)KMIG_WIRE_ESHORT);

	/* A peer speaking versions 1..7 still meets us at 1. */
	h.version_max = 7;
	kmig_wire_hello_encode(buf, sizeof(buf), &h);
	KUNIT_ASSERT_EQ(test, kmig_wire_hello_decode(buf, sizeof(buf), WT_PAGE,
						     &d), 0);
	KUNIT_EXPECT_EQ(test, kmig_wire_hello_version(&d), 1);
}

/*
 * A later kmig's hello (protocol.rst, "Compatibility between kmig
 * versions"): offering 1..9 with feature bits we do not know, it meets
 * us at 1; offering only later versions, it gets "unsupported version"
 * even when the rest of it (here a reserved byte) is not version 1's.
 */
static void wire_test_hello_future(struct kunit *test)
{
	struct kmig_wire_hello h, d;
	u8 buf[KMIG_WIRE_HELLO_SIZE];

	wt_hello(&h);
	h.version_max = 9;
	h.features = KMIG_WIRE_FEAT_CRC | BIT_ULL(40) | BIT_ULL(63);
	kmig_wire_hello_encode(buf, sizeof(buf), &h);
	KUNIT_ASSERT_EQ(test, kmig_wire_hello_decode(buf, sizeof(buf), WT_PAGE,
						     &d), 0);
	KUNIT_EXPECT_EQ(test, kmig_wire_hello_version(&d), 1);
	KUNIT_EXPECT_EQ(test, d.features, h.features);

	h.version_min = 2;
	kmig_wire_hello_encode(buf, sizeof(buf), &h);
	KUNIT_EXPECT_EQ(test, kmig_wire_hello_decode(buf, sizeof(buf), WT_PAGE,
						     &d),
			(int)KMIG_WIRE_EVERSION);
	buf[KMIG_WIRE_HELLO_SIZE - 1] = 1;
	KUNIT_EXPECT_EQ(test, kmig_wire_hello_decode(buf, sizeof(buf), WT_PAGE,
						     &d),
			(int)KMIG_WIRE_EVERSION);
	KUNIT_EXPECT_EQ(test, kmig_wire_err_to_status(KMIG_WIRE_EVERSION),
			KMIG_WIRE_REJ_VERSION);
	KUNIT_EXPECT_STREQ(test, kmig_wire_strerror(KMIG_WIRE_EVERSION),
			   "unsupported version");
}

static void wire_test_hello_bad(struct kunit *test)
{
	struct kmig_wire_hello h, d;
	u8 buf[KMIG_WIRE_HELLO_SIZE];

	wt_hello(&h);
	kmig_wire_hello_encode(buf, sizeof(buf), &h);
	KUNIT_EXPECT_EQ(test, kmig_wire_hello_decode(buf, sizeof(buf) - 1,
						     WT_PAGE, &d),
			(int)KMIG_WIRE_ESHORT);
	/* Each malformed field: wire_test_poke. */

	KUNIT_EXPECT_EQ(test, kmig_wire_err_to_status(KMIG_WIRE_EMAGIC),
			KMIG_WIRE_REJ_MAGIC);
	KUNIT_EXPECT_EQ(test, kmig_wire_err_to_status(KMIG_WIRE_EPAGE_SIZE_LOCAL),
			KMIG_WIRE_REJ_PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, kmig_wire_err_to_status(KMIG_WIRE_ERESERVED),
			KMIG_WIRE_REJ_MALFORMED);
}

static void wire_test_reply(struct kunit *test)
{
	struct kmig_wire_reply r, d;
	u8 buf[KMIG_WIRE_REPLY_SIZE], good[KMIG_WIRE_REPLY_SIZE];

	kmig_wire_reply_init(&r, 1, KMIG_WIRE_ACCEPT, 0, "ok");
	KUNIT_ASSERT_EQ(test, kmig_wire_reply_encode(good, sizeof(good), &r),
			KMIG_WIRE_REPLY_SIZE);
	KUNIT_EXPECT_EQ(test, memcmp(good, "KMGA", 4), 0);
	KUNIT_ASSERT_EQ(test, kmig_wire_reply_decode(good, sizeof(good), &d), 0);
	KUNIT_EXPECT_EQ(test, memcmp(&r, &d, sizeof(r)), 0);

	/* Reject with a reason longer than the field: truncated, NUL ended. */
	kmig_wire_reply_init(&r, 0, KMIG_WIRE_REJ_MIGRATION_ID, 0,
			     "0123456789012345678901234567890123456789xyz");
	KUNIT_EXPECT_EQ(test, strlen(r.reason), 39UL);
	kmig_wire_reply_encode(buf, sizeof(buf), &r);
	KUNIT_ASSERT_EQ(test, kmig_wire_reply_decode(buf, sizeof(buf), &d), 0);
	KUNIT_EXPECT_EQ(test, d.status, KMIG_WIRE_REJ_MIGRATION_ID);
	KUNIT_EXPECT_STREQ(test, d.reason, r.reason);
	KUNIT_EXPECT_STREQ(test, kmig_wire_status_str(d.status),
			   "wrong migration id");

	KUNIT_EXPECT_EQ(test, kmig_wire_reply_decode(good, 63, &d),
			(int)KMIG_WIRE_ESHORT);
	memcpy(buf, good, sizeof(buf));
	memset(buf + 16, 'x', KMIG_WIRE_REASON_LEN);	/* no NUL */
	KUNIT_EXPECT_EQ(test, kmig_wire_reply_decode(buf, sizeof(buf), &d),
			(int)KMIG_WIRE_EREASON);
	memcpy(buf, good, sizeof(buf));
	wt_put(buf + 8, KMIG_WIRE_FEAT_COLO, 8);
	KUNIT_EXPECT_EQ(test, kmig_wire_reply_decode(buf, sizeof(buf), &d), 0);
	KUNIT_EXPECT_EQ(test, d.features, KMIG_WIRE_FEAT_COLO);
}

/*
 * COLO: CHECKPOINT carries nothing but its number; CHECKPOINT_ACK carries
 * two times in the reserved bytes, which stay reserved in every other type.
 */
static void wire_test_checkpoint(struct kunit *test)
{
	struct kmig_wire_hdr h = {
		.type = KMIG_WIRE_CHECKPOINT_ACK, .seq = 3, .pass = 7,
		.arg = { 123456789, U64_MAX - 1 },
	};
	struct kmig_wire_hdr d;
	u8 buf[KMIG_WIRE_HDR_SIZE];

	KUNIT_ASSERT_EQ(test, kmig_wire_hdr_encode(buf, sizeof(buf), &h),
			KMIG_WIRE_HDR_SIZE);
	KUNIT_ASSERT_EQ(test, kmig_wire_hdr_decode(buf, sizeof(buf), &wt_lim,
						   3, &d), 0);
	KUNIT_EXPECT_EQ(test, d.type, KMIG_WIRE_CHECKPOINT_ACK);
	KUNIT_EXPECT_EQ(test, d.pass, 7ULL);
	KUNIT_EXPECT_EQ(test, d.arg[0], 123456789ULL);
	KUNIT_EXPECT_EQ(test, d.arg[1], U64_MAX - 1);
	KUNIT_EXPECT_EQ(test, buf[32 + 7], 0x15);	/* big-endian */

	/* The same bytes in a CHECKPOINT: reserved, refused. */
	wt_put(buf + 4, KMIG_WIRE_CHECKPOINT, 2);
	KUNIT_EXPECT_EQ(test, kmig_wire_hdr_decode(buf, sizeof(buf), &wt_lim,
						   3, &d),
			(int)KMIG_WIRE_ERESERVED);
	/* Arguments of another type are not encoded. */
	h.type = KMIG_WIRE_CHECKPOINT;
	kmig_wire_hdr_encode(buf, sizeof(buf), &h);
	KUNIT_ASSERT_EQ(test, kmig_wire_hdr_decode(buf, sizeof(buf), &wt_lim,
						   3, &d), 0);
	KUNIT_EXPECT_EQ(test, d.arg[0], 0ULL);
	KUNIT_EXPECT_EQ(test, d.arg[1], 0ULL);

	/* CANCEL (type 6): a bare header, decoded; with pages, refused. */
	memset(&h, 0, sizeof(h));
	h.type = KMIG_WIRE_CANCEL;
	h.seq = 9;
	KUNIT_ASSERT_EQ(test, kmig_wire_hdr_encode(buf, sizeof(buf), &h),
			KMIG_WIRE_HDR_SIZE);
	KUNIT_EXPECT_EQ(test, buf[4], 0);	/* type 6, big-endian */
	KUNIT_EXPECT_EQ(test, buf[5], 6);
	KUNIT_ASSERT_EQ(test, kmig_wire_hdr_decode(buf, sizeof(buf), &wt_lim,
						   9, &d), 0);
	KUNIT_EXPECT_EQ(test, d.type, KMIG_WIRE_CANCEL);
	h.zero_pages = 1;
	kmig_wire_hdr_encode(buf, sizeof(buf), &h);
	KUNIT_EXPECT_EQ(test, kmig_wire_hdr_decode(buf, sizeof(buf), &wt_lim,
						   9, &d),
			(int)KMIG_WIRE_ECOUNT_NONZERO);

	/* COLO, AUTH, CRC and POSTCOPY are the features known; bit 4 is not. */
	KUNIT_EXPECT_EQ(test, KMIG_WIRE_FEATURES_KNOWN,
			KMIG_WIRE_FEAT_COLO | KMIG_WIRE_FEAT_AUTH |
			KMIG_WIRE_FEAT_CRC | KMIG_WIRE_FEAT_POSTCOPY);
}

/*
 * Postcopy: MISSING (7) and REQUEST (9) are a header and an offset block
 * (zero_pages offsets, no data); POSTCOPY (8) is a bare header, the ack
 * too. Malformed headers: wire_test_poke; offset blocks: wire_test_oblock.
 */
static void wire_test_postcopy(struct kunit *test)
{
	static const u64 offs[] = { 0, 3 * WT_PAGE, WT_REGION - WT_PAGE };
	static const u16 types[] = { KMIG_WIRE_MISSING, KMIG_WIRE_REQUEST };
	struct kmig_wire_hdr h, d;
	u8 buf[KMIG_WIRE_HDR_SIZE + sizeof(offs)];
	u64 out[ARRAY_SIZE(offs)];
	unsigned int i;

	KUNIT_EXPECT_EQ(test, KMIG_WIRE_TYPE_MAX, 9);
	for (i = 0; i < ARRAY_SIZE(types); i++) {
		memset(&h, 0, sizeof(h));
		h.type = types[i];
		h.seq = 12;
		h.zero_pages = ARRAY_SIZE(offs);
		h.pass = 4;
		KUNIT_EXPECT_TRUE(test, kmig_wire_type_offsets_only(h.type));
		KUNIT_ASSERT_EQ(test, kmig_wire_hdr_encode(buf, sizeof(buf), &h),
				KMIG_WIRE_HDR_SIZE);
		KUNIT_EXPECT_EQ(test, buf[5], types[i]);	/* big-endian */
		kmig_wire_offsets_encode(buf + KMIG_WIRE_HDR_SIZE, sizeof(offs),
					 offs, ARRAY_SIZE(offs));
		KUNIT_ASSERT_EQ(test, kmig_wire_hdr_decode(buf, sizeof(buf),
							   &wt_lim, 12, &d), 0);
		KUNIT_EXPECT_EQ(test, memcmp(&h, &d, sizeof(h)), 0);
		KUNIT_EXPECT_EQ(test, kmig_wire_offsets_len(&d), sizeof(offs));
		KUNIT_EXPECT_EQ(test, kmig_wire_data_len(&d, &wt_lim), 0ULL);
		KUNIT_ASSERT_EQ(test,
				kmig_wire_offsets_decode(buf + KMIG_WIRE_HDR_SIZE,
							 sizeof(offs), &d,
							 &wt_lim, out), 0);
		KUNIT_EXPECT_EQ(test, memcmp(out, offs, sizeof(offs)), 0);
		KUNIT_EXPECT_EQ(test,
				kmig_wire_offsets_decode(buf + KMIG_WIRE_HDR_SIZE,
							 sizeof(offs) - 1, &d,
							 &wt_lim, out),
				(int)KMIG_WIRE_ESHORT);
		/* The offsets decoder checks the counts too. */
		d.data_pages = 1;
		KUNIT_EXPECT_EQ(test,
				kmig_wire_offsets_decode(buf + KMIG_WIRE_HDR_SIZE,
							 sizeof(offs), &d,
							 &wt_lim, out),
				(int)KMIG_WIRE_ECOUNT);
	}

	/* POSTCOPY, and its ack (seq 0 on channel 0's reverse direction). */
	memset(&h, 0, sizeof(h));
	h.type = KMIG_WIRE_POSTCOPY;
	h.pass = 4;
	KUNIT_EXPECT_FALSE(test, kmig_wire_type_offsets_only(h.type));
	KUNIT_EXPECT_FALSE(test, kmig_wire_type_offsets_only(KMIG_WIRE_DATA));
	KUNIT_ASSERT_EQ(test, kmig_wire_hdr_encode(buf, sizeof(buf), &h),
			KMIG_WIRE_HDR_SIZE);
	KUNIT_EXPECT_EQ(test, buf[5], 8);
	KUNIT_ASSERT_EQ(test, kmig_wire_hdr_decode(buf, KMIG_WIRE_HDR_SIZE,
						   &wt_lim, 0, &d), 0);
	KUNIT_EXPECT_EQ(test, memcmp(&h, &d, sizeof(h)), 0);
	KUNIT_EXPECT_EQ(test, kmig_wire_offsets_len(&d), 0UL);
	KUNIT_EXPECT_EQ(test, kmig_wire_data_len(&d, &wt_lim), 0ULL);
}

static void wire_test_data_roundtrip(struct kunit *test)
{
	/* 3 data pages then 2 zero pages, first and last page included. */
	static const u64 offs[] = {
		0, 7 * WT_PAGE, WT_REGION - WT_PAGE, 1 * WT_PAGE, 900 * WT_PAGE,
	};
	struct kmig_wire_hdr h = {
		.type = KMIG_WIRE_DATA, .seq = 41, .data_pages = 3,
		.zero_pages = 2, .pass = 5,
	};
	struct kmig_wire_hdr d;
	u8 buf[KMIG_WIRE_HDR_SIZE + sizeof(offs)];
	u64 out[ARRAY_SIZE(offs)];

	KUNIT_ASSERT_EQ(test, kmig_wire_hdr_encode(buf, sizeof(buf), &h),
			KMIG_WIRE_HDR_SIZE);
	KUNIT_ASSERT_EQ(test, kmig_wire_offsets_encode(buf + KMIG_WIRE_HDR_SIZE,
						       sizeof(offs), offs,
						       ARRAY_SIZE(offs)),
			(int)sizeof(offs));
	KUNIT_ASSERT_EQ(test, kmig_wire_hdr_decode(buf, sizeof(buf), &wt_lim,
						   41, &d), 0);
	KUNIT_EXPECT_EQ(test, memcmp(&h, &d, sizeof(h)), 0);
	KUNIT_EXPECT_EQ(test, kmig_wire_offsets_len(&d), sizeof(offs));
	KUNIT_EXPECT_EQ(test, kmig_wire_data_len(&d, &wt_lim), 3ULL * WT_PAGE);
	KUNIT_ASSERT_EQ(test, kmig_wire_offsets_decode(buf + KMIG_WIRE_HDR_SIZE,
						       sizeof(offs), &d,
						       &wt_lim, out), 0);
	KUNIT_EXPECT_EQ(test, memcmp(out, offs, sizeof(offs)), 0);
	KUNIT_EXPECT_EQ(test, kmig_wire_offsets_decode(buf + KMIG_WIRE_HDR_SIZE,
						       sizeof(offs) - 1, &d,
						       &wt_lim, out),
			(int)KMIG_WIRE_ESHORT);
}

static void wire_test_sync_complete(struct kunit *test)
{
	struct kmig_wire_hdr h = { .type = KMIG_WIRE_SYNC, .seq = 0, .pass = 2 };
	struct kmig_wire_hdr d;
	u8 buf[KMIG_WIRE_HDR_SIZE];

	kmig_wire_hdr_encode(buf, sizeof(buf), &h);
	KUNIT_ASSERT_EQ(test, kmig_wire_hdr_decode(buf, sizeof(buf), &wt_lim,
						   0, &d), 0);
	KUNIT_EXPECT_EQ(test, memcmp(&h, &d, sizeof(h)), 0);
	KUNIT_EXPECT_EQ(test, kmig_wire_offsets_len(&d), 0UL);
	KUNIT_EXPECT_EQ(test, kmig_wire_data_len(&d, &wt_lim), 0ULL);

	h.type = KMIG_WIRE_COMPLETE;
	h.seq = U64_MAX;
	kmig_wire_hdr_encode(buf, sizeof(buf), &h);
	KUNIT_ASSERT_EQ(test, kmig_wire_hdr_decode(buf, sizeof(buf), &wt_lim,
						   U64_MAX, &d), 0);
	KUNIT_EXPECT_EQ(test, memcmp(&h, &d, sizeof(h)), 0);
}

static void wire_test_hdr_bad(struct kunit *test)
{
	struct kmig_wire_hdr h = { .type = KMIG_WIRE_SYNC };
	struct kmig_wire_limits lim = wt_lim;
	struct kmig_wire_hdr d;
	u8 buf[KMIG_WIRE_HDR_SIZE];

	kmig_wire_hdr_encode(buf, sizeof(buf), &h);
	KUNIT_EXPECT_EQ(test, kmig_wire_hdr_decode(buf, sizeof(buf) - 1,
						   &wt_lim, 0, &d),
			(int)KMIG_WIRE_ESHORT);
	/* Each malformed field: wire_test_poke. */

	/* The decoder refuses limits it cannot check against. */
	lim.region_size = WT_PAGE + 1;
	KUNIT_EXPECT_EQ(test, kmig_wire_hdr_decode(buf, sizeof(buf), &lim, 0,
						   &d),
			(int)KMIG_WIRE_EREGION_SIZE);
	lim = wt_lim;
	lim.page_size = 3000;
	KUNIT_EXPECT_EQ(test, kmig_wire_hdr_decode(buf, sizeof(buf), &lim, 0,
						   &d),
			(int)KMIG_WIRE_EPAGE_SIZE);
}

/* Decode an offset block of a @type packet of @nd data and @nz zero pages. */
static int wt_offs_type(u16 type, const struct kmig_wire_limits *lim,
			const u64 *offs, u32 nd, u32 nz)
{
	struct kmig_wire_hdr h = {
		.type = type, .data_pages = nd, .zero_pages = nz,
	};
	static u8 buf[KMIG_WIRE_MAX_PAGES_LIMIT * KMIG_WIRE_OFFSET_SIZE];
	static u64 out[KMIG_WIRE_MAX_PAGES_LIMIT];
	int n;

	n = kmig_wire_offsets_encode(buf, sizeof(buf), offs, nd + nz);
	if (n < 0)
		return n;
	return kmig_wire_offsets_decode(buf, n, &h, lim, out);
}

/* The same for a DATA packet. */
static int wt_offs(const struct kmig_wire_limits *lim, const u64 *offs,
		   u32 nd, u32 nz)
{
	return wt_offs_type(KMIG_WIRE_DATA, lim, offs, nd, nz);
}

/*
 * The offset block of a MISSING or a REQUEST (@n offsets, all zero pages)
 * is checked as a DATA packet's: aligned, in the region, no duplicate, in
 * any order.
 */
static const struct wt_oblock {
	const char *name;
	u16 type;
	u32 n;
	u64 offs[4];
	int err;
} wt_oblocks[] = {
	{ "MISSING ascending", KMIG_WIRE_MISSING, 3,
	  { 0, 5 * WT_PAGE, WT_REGION - WT_PAGE }, 0 },
	{ "MISSING unordered", KMIG_WIRE_MISSING, 4,
	  { 9 * WT_PAGE, 0, WT_REGION - WT_PAGE, 3 * WT_PAGE }, 0 },
	{ "MISSING misaligned", KMIG_WIRE_MISSING, 3,
	  { 0, WT_PAGE + 512, 2 * WT_PAGE }, KMIG_WIRE_EALIGN },
	{ "MISSING at the region size", KMIG_WIRE_MISSING, 2,
	  { 0, WT_REGION }, KMIG_WIRE_ERANGE },
	{ "MISSING near 2^64", KMIG_WIRE_MISSING, 2,
	  { WT_PAGE, U64_MAX - WT_PAGE + 1 }, KMIG_WIRE_ERANGE },
	{ "MISSING duplicate, ascending", KMIG_WIRE_MISSING, 3,
	  { WT_PAGE, WT_PAGE, 2 * WT_PAGE }, KMIG_WIRE_EDUP },
	{ "MISSING duplicate, unordered", KMIG_WIRE_MISSING, 4,
	  { 7 * WT_PAGE, 0, 2 * WT_PAGE, 7 * WT_PAGE }, KMIG_WIRE_EDUP },
	{ "MISSING duplicate before a misaligned one", KMIG_WIRE_MISSING, 3,
	  { 0, 0, 1 }, KMIG_WIRE_EDUP },
	{ "REQUEST one page", KMIG_WIRE_REQUEST, 1,
	  { WT_REGION - WT_PAGE }, 0 },
	{ "REQUEST misaligned", KMIG_WIRE_REQUEST, 2,
	  { 0, 4095 }, KMIG_WIRE_EALIGN },
	{ "REQUEST out of range", KMIG_WIRE_REQUEST, 1,
	  { WT_REGION + WT_PAGE }, KMIG_WIRE_ERANGE },
	{ "REQUEST duplicate", KMIG_WIRE_REQUEST, 3,
	  { 4 * WT_PAGE, 2 * WT_PAGE, 4 * WT_PAGE }, KMIG_WIRE_EDUP },
};

static void wt_oblock_desc(const struct wt_oblock *o, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s: %s", o->name,
		 o->err ? kmig_wire_strerror(o->err) : "accepted");
}

KUNIT_ARRAY_PARAM(wt_oblock, wt_oblocks, wt_oblock_desc);

static void wire_test_oblock(struct kunit *test)
{
	const struct wt_oblock *o = test->param_value;

	KUNIT_EXPECT_EQ(test, wt_offs_type(o->type, &wt_lim, o->offs, 0, o->n),
			o->err);
}

static void wire_test_offsets_bad(struct kunit *test)
{
	static u64 offs[KMIG_WIRE_MAX_PAGES_LIMIT + 1];
	struct kmig_wire_limits lim = wt_lim;
	u32 i;

	offs[0] = 0;
	offs[1] = WT_PAGE;
	offs[2] = 2 * WT_PAGE;
	KUNIT_EXPECT_EQ(test, wt_offs(&lim, offs, 2, 1), 0);

	/* Alignment. */
	offs[1] = WT_PAGE + 1;
	KUNIT_EXPECT_EQ(test, wt_offs(&lim, offs, 2, 1), (int)KMIG_WIRE_EALIGN);
	offs[1] = WT_PAGE + 2048;
	KUNIT_EXPECT_EQ(test, wt_offs(&lim, offs, 2, 1), (int)KMIG_WIRE_EALIGN);

	/* Range: the last page is in, the region size and beyond are out. */
	offs[1] = WT_REGION - WT_PAGE;
	KUNIT_EXPECT_EQ(test, wt_offs(&lim, offs, 2, 1), 0);
	offs[1] = WT_REGION;
	KUNIT_EXPECT_EQ(test, wt_offs(&lim, offs, 2, 1), (int)KMIG_WIRE_ERANGE);
	offs[2] = U64_MAX - WT_PAGE + 1;	/* offset + page wraps to 0 */
	offs[1] = WT_PAGE;
	KUNIT_EXPECT_EQ(test, wt_offs(&lim, offs, 2, 1), (int)KMIG_WIRE_ERANGE);
	offs[2] = 1ULL << 63;
	KUNIT_EXPECT_EQ(test, wt_offs(&lim, offs, 2, 1), (int)KMIG_WIRE_ERANGE);

	/* A region of the largest page-aligned u64 size. */
	lim.region_size = U64_MAX - WT_PAGE + 1;
	offs[2] = U64_MAX - 2 * WT_PAGE + 1;
	KUNIT_EXPECT_EQ(test, wt_offs(&lim, offs, 2, 1), 0);
	offs[2] = U64_MAX - WT_PAGE + 1;
	KUNIT_EXPECT_EQ(test, wt_offs(&lim, offs, 2, 1), (int)KMIG_WIRE_ERANGE);
	lim = wt_lim;

	/* Duplicates: within data, within zero, across the two lists. */
	offs[0] = 0;
	offs[1] = 0;
	offs[2] = 2 * WT_PAGE;
	KUNIT_EXPECT_EQ(test, wt_offs(&lim, offs, 2, 1), (int)KMIG_WIRE_EDUP);
	offs[1] = WT_PAGE;
	offs[2] = WT_PAGE;
	KUNIT_EXPECT_EQ(test, wt_offs(&lim, offs, 2, 1), (int)KMIG_WIRE_EDUP);
	offs[3] = 5 * WT_PAGE;
	offs[2] = 5 * WT_PAGE;
	KUNIT_EXPECT_EQ(test, wt_offs(&lim, offs, 2, 2), (int)KMIG_WIRE_EDUP);

	/* max_pages distinct pages accepted, max_pages + 1 refused. */
	lim.max_pages = KMIG_WIRE_MAX_PAGES_LIMIT;
	for (i = 0; i <= KMIG_WIRE_MAX_PAGES_LIMIT; i++)
		offs[i] = (u64)(KMIG_WIRE_MAX_PAGES_LIMIT - i) * WT_PAGE;
	KUNIT_EXPECT_EQ(test, wt_offs(&lim, offs, 100,
				      KMIG_WIRE_MAX_PAGES_LIMIT - 100), 0);
	offs[KMIG_WIRE_MAX_PAGES_LIMIT - 1] = offs[0];
	KUNIT_EXPECT_EQ(test, wt_offs(&lim, offs, 100,
				      KMIG_WIRE_MAX_PAGES_LIMIT - 100),
			(int)KMIG_WIRE_EDUP);
	lim.max_pages = 128;
	KUNIT_EXPECT_EQ(test, wt_offs(&lim, offs, 100, 28), 0);
	KUNIT_EXPECT_EQ(test, wt_offs(&lim, offs, 100, 29),
			(int)KMIG_WIRE_ECOUNT);
	KUNIT_EXPECT_EQ(test, kmig_wire_offsets_encode(offs, 8, offs, 2),
			(int)KMIG_WIRE_ESHORT);
}

/*
 * Both parts in ascending order, as kmig sends them: checked by a merge
 * walk, which must find a page that is in both parts anywhere, and the
 * same answers for the same offsets in another order (the quadratic scan).
 */
static void wire_test_offsets_sorted(struct kunit *test)
{
	static u64 offs[KMIG_WIRE_MAX_PAGES_LIMIT];
	struct kmig_wire_limits lim = wt_lim;
	const u32 half = KMIG_WIRE_MAX_PAGES_LIMIT / 2;
	u32 i, at;

	lim.max_pages = KMIG_WIRE_MAX_PAGES_LIMIT;
	/* Data on even pages, zero on odd ones: interleaved, disjoint. */
	for (i = 0; i < half; i++) {
		offs[i] = 2ULL * i * WT_PAGE;
		offs[half + i] = (2ULL * i + 1) * WT_PAGE;
	}
	KUNIT_EXPECT_EQ(test, wt_offs(&lim, offs, half, half), 0);
	for (at = 0; at < half; at += half / 4 - 1) {
		u64 keep = offs[half + at];

		/* Zero page @at is data page @at + 1's page: still ascending. */
		offs[half + at] = offs[at + 1 < half ? at + 1 : at];
		KUNIT_EXPECT_EQ(test, wt_offs(&lim, offs, half, half),
				(int)KMIG_WIRE_EDUP);
		/* Reversed data part: the same duplicate, the other path. */
		swap(offs[0], offs[half - 1]);
		KUNIT_EXPECT_EQ(test, wt_offs(&lim, offs, half, half),
				(int)KMIG_WIRE_EDUP);
		swap(offs[0], offs[half - 1]);
		offs[half + at] = keep;
	}
	swap(offs[0], offs[half - 1]);
	KUNIT_EXPECT_EQ(test, wt_offs(&lim, offs, half, half), 0);
	/* Equal neighbours are not ascending: the scan finds them. */
	offs[1] = offs[0];
	KUNIT_EXPECT_EQ(test, wt_offs(&lim, offs, half, half),
			(int)KMIG_WIRE_EDUP);
	/* Offset by offset: the first offset that fails names the error. */
	offs[5] = WT_PAGE + 1;
	KUNIT_EXPECT_EQ(test, wt_offs(&lim, offs, half, half),
			(int)KMIG_WIRE_EDUP);
	offs[1] = offs[2] + WT_PAGE;
	KUNIT_EXPECT_EQ(test, wt_offs(&lim, offs, half, half),
			(int)KMIG_WIRE_EALIGN);
	offs[6] = offs[0];
	KUNIT_EXPECT_EQ(test, wt_offs(&lim, offs, half, half),
			(int)KMIG_WIRE_EALIGN);
}

/*
 * Malformed hello, reply and header encodings: a valid one (wt_hello(),
 * an accepting reply, a DATA header of 1 data and 1 zero page, seq 9, a
 * MISSING or a REQUEST header of 2 offsets, seq 9) with @len bytes at @at
 * overwritten by @v, big-endian, decodes to @err.
 */
enum wt_msg { WT_HELLO, WT_REPLY, WT_HDR, WT_MISSING, WT_REQUEST };

static const struct wt_poke {
	enum wt_msg msg;
	unsigned int at;
	u64 v;
	unsigned int len;
	int err;
} wt_pokes[] = {
	{ WT_HELLO, 0, 'X', 1, KMIG_WIRE_EMAGIC },
	{ WT_HELLO, 63, 1, 1, KMIG_WIRE_ERESERVED },
	{ WT_HELLO, 52, 0x80, 1, KMIG_WIRE_ERESERVED },
	{ WT_HELLO, 4, 2, 2, KMIG_WIRE_EVERSION },	/* 2..1 */
	{ WT_HELLO, 4, 0, 2, KMIG_WIRE_EVERSION },	/* 0..1 */
	{ WT_HELLO, 6, 0, 2, KMIG_WIRE_EVERSION },	/* 1..0 */
	{ WT_HELLO, 4, 0x00020009, 4, KMIG_WIRE_EVERSION },	/* 2..9 */
	{ WT_HELLO, 4, 0xffffffff, 4, KMIG_WIRE_EVERSION },
	{ WT_HELLO, 4, 0x00010009, 4, 0 },		/* 1..9: meets at 1 */
	{ WT_HELLO, 8, ~0ULL, 8, 0 },			/* any feature bits */
	{ WT_HELLO, 34, 0, 2, KMIG_WIRE_ECHANNEL_COUNT },
	{ WT_HELLO, 34, 65, 2, KMIG_WIRE_ECHANNEL_COUNT },
	{ WT_HELLO, 32, 4, 2, KMIG_WIRE_ECHANNEL_ID },
	{ WT_HELLO, 32, 0xffff, 2, KMIG_WIRE_ECHANNEL_ID },
	{ WT_HELLO, 36, 4095, 4, KMIG_WIRE_EPAGE_SIZE },
	{ WT_HELLO, 36, 0, 4, KMIG_WIRE_EPAGE_SIZE },
	{ WT_HELLO, 36, 6144, 4, KMIG_WIRE_EPAGE_SIZE },
	{ WT_HELLO, 36, 8192, 4, KMIG_WIRE_EPAGE_SIZE_LOCAL },
	{ WT_HELLO, 40, 0, 8, KMIG_WIRE_EREGION_SIZE },
	{ WT_HELLO, 40, WT_REGION + 1, 8, KMIG_WIRE_EREGION_SIZE },
	{ WT_HELLO, 48, 0, 4, KMIG_WIRE_EMAX_PAGES },
	{ WT_HELLO, 48, KMIG_WIRE_MAX_PAGES_LIMIT + 1, 4, KMIG_WIRE_EMAX_PAGES },
	/* Boundaries that are fine. */
	{ WT_HELLO, 34, 64, 2, 0 },
	{ WT_HELLO, 48, KMIG_WIRE_MAX_PAGES_LIMIT, 4, 0 },
	{ WT_HELLO, 40, WT_PAGE, 8, 0 },
	{ WT_HELLO, 40, U64_MAX - WT_PAGE + 1, 8, 0 },

	{ WT_REPLY, 3, 'H', 1, KMIG_WIRE_EMAGIC },
	{ WT_REPLY, 60, 1, 1, KMIG_WIRE_ERESERVED },
	{ WT_REPLY, 6, KMIG_WIRE_STATUS_NR, 2, KMIG_WIRE_ESTATUS },
	{ WT_REPLY, 16 + 20, 'x', 1, KMIG_WIRE_EREASON },	/* after the NUL */
	{ WT_REPLY, 4, 2, 2, KMIG_WIRE_EVERSION },
	/* Bit 4 is an unknown feature; AUTH, CRC and POSTCOPY are known. */
	{ WT_REPLY, 8, KMIG_WIRE_FEAT_POSTCOPY << 1, 8, KMIG_WIRE_EFEATURES },
	{ WT_REPLY, 8, KMIG_WIRE_FEAT_AUTH | KMIG_WIRE_FEAT_CRC, 8, 0 },
	{ WT_REPLY, 8, KMIG_WIRE_FEAT_POSTCOPY, 8, 0 },

	{ WT_HDR, 0, 'x', 1, KMIG_WIRE_EMAGIC },
	{ WT_HDR, 4, 0, 2, KMIG_WIRE_ETYPE },
	{ WT_HDR, 4, KMIG_WIRE_TYPE_MAX + 1, 2, KMIG_WIRE_ETYPE },
	{ WT_HDR, 4, 0xffff, 2, KMIG_WIRE_ETYPE },
	{ WT_HDR, 6, 1, 2, KMIG_WIRE_EFLAGS },
	{ WT_HDR, 6, 0x8000, 2, KMIG_WIRE_EFLAGS },
	{ WT_HDR, 32, 1, 1, KMIG_WIRE_ERESERVED },
	{ WT_HDR, 47, 0xff, 1, KMIG_WIRE_ERESERVED },
	{ WT_HDR, 8, 10, 8, KMIG_WIRE_ESEQ },
	{ WT_HDR, 8, 8, 8, KMIG_WIRE_ESEQ },
	/* Counts: max_pages (128) is fine, 129 is not, nor 0, nor u32 wrap. */
	{ WT_HDR, 16, 127, 4, 0 },
	{ WT_HDR, 16, 128, 4, KMIG_WIRE_ECOUNT },
	{ WT_HDR, 20, 128, 4, KMIG_WIRE_ECOUNT },
	{ WT_HDR, 16, 0xffffffff, 4, KMIG_WIRE_ECOUNT },
	{ WT_HDR, 16, 0, 8, KMIG_WIRE_ECOUNT },	/* both 0 */
	{ WT_HDR, 16, 128, 8, 0 },		/* 0 data, 128 zero */
	/* SYNC, COMPLETE and the checkpoints must not carry pages. */
	{ WT_HDR, 4, KMIG_WIRE_SYNC, 2, KMIG_WIRE_ECOUNT_NONZERO },
	{ WT_HDR, 4, KMIG_WIRE_COMPLETE, 2, KMIG_WIRE_ECOUNT_NONZERO },
	{ WT_HDR, 4, KMIG_WIRE_CHECKPOINT, 2, KMIG_WIRE_ECOUNT_NONZERO },
	{ WT_HDR, 4, KMIG_WIRE_CHECKPOINT_ACK, 2, KMIG_WIRE_ECOUNT_NONZERO },
	{ WT_HDR, 4, KMIG_WIRE_POSTCOPY, 2, KMIG_WIRE_ECOUNT_NONZERO },
	/* MISSING and REQUEST carry no data pages. */
	{ WT_HDR, 4, KMIG_WIRE_MISSING, 2, KMIG_WIRE_ECOUNT },
	{ WT_HDR, 4, KMIG_WIRE_REQUEST, 2, KMIG_WIRE_ECOUNT },

	/* A MISSING, or a REQUEST, of 2 offsets (0 data, 2 zero pages). */
	{ WT_MISSING, 4, KMIG_WIRE_REQUEST, 2, 0 },
	{ WT_MISSING, 4, KMIG_WIRE_TYPE_MAX + 1, 2, KMIG_WIRE_ETYPE },
	{ WT_MISSING, 4, KMIG_WIRE_POSTCOPY, 2, KMIG_WIRE_ECOUNT_NONZERO },
	{ WT_MISSING, 4, KMIG_WIRE_SYNC, 2, KMIG_WIRE_ECOUNT_NONZERO },
	{ WT_MISSING, 4, KMIG_WIRE_DATA, 2, 0 },	/* 2 zero pages */
	{ WT_MISSING, 6, 1, 2, KMIG_WIRE_EFLAGS },
	{ WT_MISSING, 40, 1, 1, KMIG_WIRE_ERESERVED },
	{ WT_MISSING, 8, 8, 8, KMIG_WIRE_ESEQ },
	{ WT_MISSING, 16, 1, 4, KMIG_WIRE_ECOUNT },		/* data pages */
	{ WT_MISSING, 16, 0xffffffff, 4, KMIG_WIRE_ECOUNT },
	{ WT_MISSING, 20, 0, 4, KMIG_WIRE_ECOUNT },		/* no offset */
	{ WT_MISSING, 20, 1, 4, 0 },
	{ WT_MISSING, 20, 128, 4, 0 },				/* max_pages */
	{ WT_MISSING, 20, 129, 4, KMIG_WIRE_ECOUNT },
	{ WT_MISSING, 20, 0xffffffff, 4, KMIG_WIRE_ECOUNT },
	{ WT_MISSING, 24, U64_MAX, 8, 0 },			/* any pass */
	{ WT_REQUEST, 16, 2, 4, KMIG_WIRE_ECOUNT },
	{ WT_REQUEST, 20, 0, 4, KMIG_WIRE_ECOUNT },
	{ WT_REQUEST, 20, 128, 4, 0 },
	{ WT_REQUEST, 20, 129, 4, KMIG_WIRE_ECOUNT },
	{ WT_REQUEST, 4, KMIG_WIRE_MISSING, 2, 0 },
};

static void wt_poke_desc(const struct wt_poke *p, char *desc)
{
	static const char * const msg[] = {
		"hello", "reply", "header", "MISSING", "REQUEST",
	};

	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s byte %u = 0x%llx: %s",
		 msg[p->msg], p->at, p->v,
		 p->err ? kmig_wire_strerror(p->err) : "accepted");
}

KUNIT_ARRAY_PARAM(wt_poke, wt_pokes, wt_poke_desc);

static void wire_test_poke(struct kunit *test)
{
	const struct wt_poke *p = test->param_value;
	struct kmig_wire_hdr hdr = {
		.type = KMIG_WIRE_DATA, .seq = 9, .data_pages = 1,
		.zero_pages = 1,
	};
	struct kmig_wire_hello hello;
	struct kmig_wire_reply reply;
	union {
		struct kmig_wire_hello hello;
		struct kmig_wire_reply reply;
		struct kmig_wire_hdr hdr;
	} d;
	u8 buf[KMIG_WIRE_HELLO_SIZE];
	int ret;

	if (p->msg == WT_MISSING || p->msg == WT_REQUEST) {
		hdr.type = p->msg == WT_MISSING ? KMIG_WIRE_MISSING :
						  KMIG_WIRE_REQUEST;
		hdr.data_pages = 0;
		hdr.zero_pages = 2;
		hdr.pass = 4;
	}
	wt_hello(&hello);
	kmig_wire_reply_init(&reply, 1, KMIG_WIRE_ACCEPT, 0, "ok");
	if (p->msg == WT_HELLO)
		ret = kmig_wire_hello_encode(buf, sizeof(buf), &hello);
	else if (p->msg == WT_REPLY)
		ret = kmig_wire_reply_encode(buf, sizeof(buf), &reply);
	else
		ret = kmig_wire_hdr_encode(buf, sizeof(buf), &hdr);
	KUNIT_ASSERT_GT(test, ret, 0);
	KUNIT_ASSERT_LE(test, p->at + p->len, (unsigned int)ret);
	wt_put(buf + p->at, p->v, p->len);

	memset(&d, 0x5a, sizeof(d));
	if (p->msg == WT_HELLO)
		ret = kmig_wire_hello_decode(buf, ret, WT_PAGE, &d.hello);
	else if (p->msg == WT_REPLY)
		ret = kmig_wire_reply_decode(buf, ret, &d.reply);
	else
		ret = kmig_wire_hdr_decode(buf, ret, &wt_lim, 9, &d.hdr);
	KUNIT_EXPECT_EQ_MSG(test, ret, p->err, "want %s",
			    kmig_wire_strerror(p->err));
	if (p->err)	/* untouched on error */
		KUNIT_EXPECT_NULL(test, memchr_inv(&d, 0x5a, sizeof(d)));
}

static void wire_test_strerror(struct kunit *test)
{
	int e, f;

	for (e = KMIG_WIRE_ERR_MIN; e < 0; e++) {
		KUNIT_EXPECT_STRNEQ(test, kmig_wire_strerror(e),
				    "unknown error");
		for (f = e + 1; f < 0; f++)
			KUNIT_EXPECT_STRNEQ(test, kmig_wire_strerror(e),
					    kmig_wire_strerror(f));
	}
	KUNIT_EXPECT_STREQ(test, kmig_wire_strerror(KMIG_WIRE_ERR_MIN - 1),
			   "unknown error");
	KUNIT_EXPECT_STREQ(test, kmig_wire_strerror(1), "unknown error");
	KUNIT_EXPECT_STREQ(test, kmig_wire_status_str(KMIG_WIRE_STATUS_NR),
			   "unknown status");
}

static struct kunit_case kmig_wire_cases[] = {
	KUNIT_CASE(wire_test_sizes),
	KUNIT_CASE(wire_test_hello_roundtrip),
	KUNIT_CASE(wire_test_hello_bad),
	KUNIT_CASE(wire_test_hello_future),
	KUNIT_CASE(wire_test_reply),
	KUNIT_CASE(wire_test_data_roundtrip),
	KUNIT_CASE(wire_test_sync_complete),
	KUNIT_CASE(wire_test_hdr_bad),
	KUNIT_CASE(wire_test_checkpoint),
	KUNIT_CASE(wire_test_postcopy),
	KUNIT_CASE(wire_test_offsets_bad),
	KUNIT_CASE(wire_test_offsets_sorted),
	KUNIT_CASE(wire_test_strerror),
	KUNIT_CASE_PARAM(wire_test_poke, wt_poke_gen_params),
	KUNIT_CASE_PARAM(wire_test_oblock, wt_oblock_gen_params),
	{}
};

KMIG_KUNIT_SUITE(wire);
