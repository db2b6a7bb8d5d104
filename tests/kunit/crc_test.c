// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for packet integrity: kmig_crc_calc() is CRC-32C (the check
 * value of "123456789" is 0xe3069283, RFC 3720 B.4 vectors), the same over
 * a split buffer as over the whole, and sensitive to one changed bit.
 */

#include <kunit/test.h>
#include <linux/kernel.h>
#include <linux/string.h>

#include "kmig_kunit.h"
#include "crc.h"

static void crc_test_vectors(struct kunit *test)
{
	static const char check[] = "123456789";
	struct kmig_crc crc = { };
	u8 buf[48];
	u32 v;
	int i;

	KUNIT_ASSERT_EQ(test, kmig_crc_init(&crc), 0);
	KUNIT_ASSERT_TRUE(test, kmig_crc_enabled(&crc));
	KUNIT_ASSERT_EQ(test, kmig_crc_calc(&crc, check, 9, NULL, 0, &v), 0);
	KUNIT_EXPECT_EQ(test, v, 0xe3069283U);
	/* RFC 3720 B.4: 32 bytes of zeros, of 0xff, and 0x00..0x1f. */
	memset(buf, 0, 32);
	KUNIT_ASSERT_EQ(test, kmig_crc_calc(&crc, buf, 32, NULL, 0, &v), 0);
	KUNIT_EXPECT_EQ(test, v, 0x8a9136aaU);
	memset(buf, 0xff, 32);
	KUNIT_ASSERT_EQ(test, kmig_crc_calc(&crc, buf, 32, NULL, 0, &v), 0);
	KUNIT_EXPECT_EQ(test, v, 0x62a8ab43U);
	for (i = 0; i < 32; i++)
		buf[i] = i;
	KUNIT_ASSERT_EQ(test, kmig_crc_calc(&crc, buf, 32, NULL, 0, &v), 0);
	KUNIT_EXPECT_EQ(test, v, 0x46dd794eU);
	/* Split anywhere: the same CRC. */
	for (i = 0; i <= 32; i++) {
		u32 w;

		KUNIT_ASSERT_EQ(test, kmig_crc_calc(&crc, buf, i, buf + i,
						    32 - i, &w), 0);
		KUNIT_EXPECT_EQ(test, w, 0x46dd794eU);
	}
	/* Every single-bit change is seen. */
	for (i = 0; i < 32 * 8; i++) {
		u32 w;

		buf[i / 8] ^= 1 << (i % 8);
		KUNIT_ASSERT_EQ(test, kmig_crc_calc(&crc, buf, 32, NULL, 0, &w),
				0);
		KUNIT_EXPECT_NE(test, w, 0x46dd794eU);
		buf[i / 8] ^= 1 << (i % 8);
	}
	kmig_crc_uninit(&crc);
	KUNIT_EXPECT_FALSE(test, kmig_crc_enabled(&crc));
}

static struct kunit_case kmig_crc_cases[] = {
	KUNIT_CASE(crc_test_vectors),
	{}
};

KMIG_KUNIT_SUITE(crc);
