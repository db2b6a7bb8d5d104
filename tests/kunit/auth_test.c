// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for channel authentication: the MACs of kmig_auth_mac()
 * against vectors computed independently (Python's hmac and hashlib, see
 * the comment at wat_src), kmig_auth_check() refusing any change of the
 * key, the hello, either nonce, the label or the MAC, and the AUTH
 * message codec.
 */

#include <kunit/test.h>
#include <linux/kernel.h>
#include <linux/string.h>

#include "kmig_kunit.h"
#include "auth.h"
#include "wire.h"

struct wat {
	struct kmig_auth auth;
	u8 key[KMIG_KEY_LEN];
	u8 hello[KMIG_WIRE_HELLO_SIZE];
	u8 nd[KMIG_WIRE_NONCE_LEN];
	u8 ns[KMIG_WIRE_NONCE_LEN];
};

/*
 * key = 00..1f, hello = 40..7f, nonce_dst = a0..bf, nonce_src = c0..df:
 *   hmac.new(key, label + hello + nd + ns, hashlib.sha256).digest()
 */
static const u8 wat_src[KMIG_WIRE_MAC_LEN] = {
	0x72, 0x35, 0x02, 0x7c, 0x98, 0x38, 0x3e, 0x5e, 0x74, 0x43, 0x28,
	0x79, 0xe0, 0x82, 0xa9, 0x0f, 0xd5, 0x3f, 0xa0, 0x3a, 0x28, 0x0b,
	0x7f, 0x7e, 0xe4, 0x83, 0x1a, 0x94, 0x25, 0xc7, 0x75, 0xfb,
};

static const u8 wat_dst[KMIG_WIRE_MAC_LEN] = {
	0x05, 0xbf, 0x54, 0x25, 0x0f, 0x91, 0x98, 0x9c, 0x9b, 0xe3, 0x31,
	0x6b, 0x71, 0xa1, 0x7e, 0xe5, 0x20, 0x74, 0x89, 0x00, 0x2f, 0xbd,
	0x62, 0xab, 0x14, 0xd2, 0xc1, 0xfc, 0x8b, 0x6b, 0xb1, 0x85,
};

static void wat_fill(u8 *p, size_t len, u8 first)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = first + i;
}

static int wat_init(struct kunit *test)
{
	struct wat *w;
	int ret;

	w = kunit_kzalloc(test, sizeof(*w), GFP_KERNEL);
	if (!w)
		return -ENOMEM;
	wat_fill(w->key, sizeof(w->key), 0x00);
	wat_fill(w->hello, sizeof(w->hello), 0x40);
	wat_fill(w->nd, sizeof(w->nd), 0xa0);
	wat_fill(w->ns, sizeof(w->ns), 0xc0);
	ret = kmig_auth_init(&w->auth, w->key);
	if (ret)
		return ret;
	test->priv = w;
	return 0;
}

static void wat_exit(struct kunit *test)
{
	struct wat *w = test->priv;

	if (w)
		kmig_auth_uninit(&w->auth);
}

static void auth_test_vectors(struct kunit *test)
{
	struct wat *w = test->priv;
	u8 mac[KMIG_WIRE_MAC_LEN];

	KUNIT_ASSERT_TRUE(test, kmig_auth_enabled(&w->auth));
	KUNIT_ASSERT_EQ(test, kmig_auth_mac(&w->auth, KMIG_WIRE_AUTH_LABEL_SRC,
					    w->hello, w->nd, w->ns, mac), 0);
	KUNIT_EXPECT_MEMEQ(test, mac, wat_src, sizeof(mac));
	KUNIT_ASSERT_EQ(test, kmig_auth_mac(&w->auth, KMIG_WIRE_AUTH_LABEL_DST,
					    w->hello, w->nd, w->ns, mac), 0);
	KUNIT_EXPECT_MEMEQ(test, mac, wat_dst, sizeof(mac));
	KUNIT_EXPECT_TRUE(test, kmig_auth_check(&w->auth,
						KMIG_WIRE_AUTH_LABEL_SRC,
						w->hello, w->nd, w->ns,
						wat_src));
	KUNIT_EXPECT_TRUE(test, kmig_auth_check(&w->auth,
						KMIG_WIRE_AUTH_LABEL_DST,
						w->hello, w->nd, w->ns,
						wat_dst));
	/* The source's MAC is not the destination's proof. */
	KUNIT_EXPECT_FALSE(test, kmig_auth_check(&w->auth,
						 KMIG_WIRE_AUTH_LABEL_DST,
						 w->hello, w->nd, w->ns,
						 wat_src));
}

/* Every single-bit change of any input or of the MAC is refused. */
static void auth_test_bit_flips(struct kunit *test)
{
	struct wat *w = test->priv;
	u8 mac[KMIG_WIRE_MAC_LEN];
	u8 *parts[] = { w->hello, w->nd, w->ns, mac };
	const size_t lens[] = { sizeof(w->hello), sizeof(w->nd),
				sizeof(w->ns), sizeof(mac) };
	unsigned int p, bit, refused = 0, tried = 0;

	memcpy(mac, wat_src, sizeof(mac));
	for (p = 0; p < ARRAY_SIZE(parts); p++) {
		for (bit = 0; bit < lens[p] * 8; bit++) {
			parts[p][bit / 8] ^= 1 << (bit % 8);
			tried++;
			refused += !kmig_auth_check(&w->auth,
						    KMIG_WIRE_AUTH_LABEL_SRC,
						    w->hello, w->nd, w->ns, mac);
			parts[p][bit / 8] ^= 1 << (bit % 8);
		}
	}
	KUNIT_EXPECT_EQ(test, tried, (64 + 32 + 32 + 32) * 8);
	KUNIT_EXPECT_EQ(test, refused, tried);
	/* And the unchanged inputs still pass. */
	KUNIT_EXPECT_TRUE(test, kmig_auth_check(&w->auth,
						KMIG_WIRE_AUTH_LABEL_SRC,
						w->hello, w->nd, w->ns, mac));
}

static void auth_test_other_key(struct kunit *test)
{
	struct wat *w = test->priv;
	struct kmig_auth other;
	u8 key[KMIG_KEY_LEN];

	memcpy(key, w->key, sizeof(key));
	key[31] ^= 0x80;
	KUNIT_ASSERT_EQ(test, kmig_auth_init(&other, key), 0);
	KUNIT_EXPECT_FALSE(test, kmig_auth_check(&other,
						 KMIG_WIRE_AUTH_LABEL_SRC,
						 w->hello, w->nd, w->ns,
						 wat_src));
	kmig_auth_uninit(&other);
	KUNIT_EXPECT_FALSE(test, kmig_auth_enabled(&other));
}

static void auth_test_codec(struct kunit *test)
{
	struct kmig_wire_auth a = { .step = KMIG_WIRE_AUTH_RESPONSE }, d;
	u8 buf[KMIG_WIRE_AUTH_SIZE], bad[KMIG_WIRE_AUTH_SIZE];

	KUNIT_EXPECT_EQ(test, sizeof(struct kmig_wire_auth_be),
			(size_t)KMIG_WIRE_AUTH_SIZE);
	wat_fill(a.nonce, sizeof(a.nonce), 0x11);
	wat_fill(a.mac, sizeof(a.mac), 0x77);
	KUNIT_ASSERT_EQ(test, kmig_wire_auth_encode(buf, sizeof(buf), &a),
			KMIG_WIRE_AUTH_SIZE);
	KUNIT_EXPECT_EQ(test, kmig_wire_auth_encode(buf, sizeof(buf) - 1, &a),
			KMIG_WIRE_ESHORT);
	/* "KMGK", step 2 big-endian. */
	KUNIT_EXPECT_EQ(test, buf[0], 'K');
	KUNIT_EXPECT_EQ(test, buf[3], 'K');
	KUNIT_EXPECT_EQ(test, buf[4], 0);
	KUNIT_EXPECT_EQ(test, buf[5], 2);
	KUNIT_EXPECT_EQ(test, buf[8], 0x11);
	KUNIT_EXPECT_EQ(test, buf[40], 0x77);
	KUNIT_ASSERT_EQ(test, kmig_wire_auth_decode(buf, sizeof(buf),
						    KMIG_WIRE_AUTH_RESPONSE,
						    &d), 0);
	KUNIT_EXPECT_MEMEQ(test, d.nonce, a.nonce, sizeof(a.nonce));
	KUNIT_EXPECT_MEMEQ(test, d.mac, a.mac, sizeof(a.mac));

	KUNIT_EXPECT_EQ(test, kmig_wire_auth_decode(buf, sizeof(buf) - 1,
						    KMIG_WIRE_AUTH_RESPONSE,
						    &d), KMIG_WIRE_ESHORT);
	KUNIT_EXPECT_EQ(test, kmig_wire_auth_decode(buf, sizeof(buf),
						    KMIG_WIRE_AUTH_PROOF, &d),
			KMIG_WIRE_EAUTH_STEP);
	memcpy(bad, buf, sizeof(bad));
	bad[0] ^= 1;
	KUNIT_EXPECT_EQ(test, kmig_wire_auth_decode(bad, sizeof(bad),
						    KMIG_WIRE_AUTH_RESPONSE,
						    &d), KMIG_WIRE_EMAGIC);
	memcpy(bad, buf, sizeof(bad));
	bad[7] = 1;
	KUNIT_EXPECT_EQ(test, kmig_wire_auth_decode(bad, sizeof(bad),
						    KMIG_WIRE_AUTH_RESPONSE,
						    &d), KMIG_WIRE_ERESERVED);
	memcpy(bad, buf, sizeof(bad));
	bad[79] = 1;
	KUNIT_EXPECT_EQ(test, kmig_wire_auth_decode(bad, sizeof(bad),
						    KMIG_WIRE_AUTH_RESPONSE,
						    &d), KMIG_WIRE_ERESERVED);

	/* A CHALLENGE carries no MAC, a PROOF no nonce. */
	a.step = KMIG_WIRE_AUTH_CHALLENGE;
	kmig_wire_auth_encode(buf, sizeof(buf), &a);
	KUNIT_EXPECT_EQ(test, kmig_wire_auth_decode(buf, sizeof(buf),
						    KMIG_WIRE_AUTH_CHALLENGE,
						    &d), KMIG_WIRE_EAUTH_FIELD);
	memset(a.mac, 0, sizeof(a.mac));
	kmig_wire_auth_encode(buf, sizeof(buf), &a);
	KUNIT_EXPECT_EQ(test, kmig_wire_auth_decode(buf, sizeof(buf),
						    KMIG_WIRE_AUTH_CHALLENGE,
						    &d), 0);
	a.step = KMIG_WIRE_AUTH_PROOF;
	kmig_wire_auth_encode(buf, sizeof(buf), &a);
	KUNIT_EXPECT_EQ(test, kmig_wire_auth_decode(buf, sizeof(buf),
						    KMIG_WIRE_AUTH_PROOF, &d),
			KMIG_WIRE_EAUTH_FIELD);
	memset(a.nonce, 0, sizeof(a.nonce));
	kmig_wire_auth_encode(buf, sizeof(buf), &a);
	KUNIT_EXPECT_EQ(test, kmig_wire_auth_decode(buf, sizeof(buf),
						    KMIG_WIRE_AUTH_PROOF, &d),
			0);
	KUNIT_EXPECT_STREQ(test, kmig_wire_status_str(KMIG_WIRE_REJ_AUTH),
			   "authentication failed");
}

static struct kunit_case kmig_auth_cases[] = {
	KUNIT_CASE(auth_test_vectors),
	KUNIT_CASE(auth_test_bit_flips),
	KUNIT_CASE(auth_test_other_key),
	KUNIT_CASE(auth_test_codec),
	{}
};

KMIG_KUNIT_SUITE_INIT(auth, wat_init, wat_exit);
