// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the zero-page check: every implementation this CPU can
 * run is compared with a byte loop, on whole pages, on every alignment and
 * on short and odd lengths; plus the batch API, selection and names.
 */

#include <kunit/test.h>
#include <linux/bitmap.h>
#include <linux/gfp.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "kmig_kunit.h"
#include "zerocheck.h"

/* First implementation >= @i this CPU can run, KMIG_ZC_NR if none. */
static int zc_next_impl(int i)
{
	while (i < KMIG_ZC_NR && !kmig_zerocheck_is_available(i))
		i++;
	return i;
}

/* zc_first_impl(), zc_next_impl(): every runnable one, AUTO excluded. */
static int zc_first_impl(void)
{
	return zc_next_impl(KMIG_ZERO_CHECK_GENERIC);
}

static bool zc_ref(const u8 *p, size_t len)
{
	while (len--)
		if (*p++)
			return false;
	return true;
}

static u32 zc_rand(u32 n)
{
	return get_random_u32() % n;
}

static u8 zc_rand_nonzero(void)
{
	return 1 + zc_rand(255);
}

static void zc_log_impls(struct kunit *test)
{
	char buf[64] = "";
	int i;

	for (i = zc_first_impl(); i < KMIG_ZC_NR; i = zc_next_impl(i + 1)) {
		strlcat(buf, " ", sizeof(buf));
		strlcat(buf, kmig_zerocheck_name(i), sizeof(buf));
	}
	kunit_info(test, "implementations:%s (active %s)\n", buf,
		   kmig_zerocheck_name(kmig_zerocheck_active()));
}

/*
 * Every implementation and the dispatching entry point must agree with
 * the byte loop on @len bytes at @p.
 */
static void zc_expect_all(struct kunit *test, const u8 *p, size_t len,
			  const char *what)
{
	bool want = zc_ref(p, len);
	int i;

	for (i = zc_first_impl(); i < KMIG_ZC_NR; i = zc_next_impl(i + 1))
		KUNIT_EXPECT_EQ_MSG(test, kmig_buffer_is_zero_impl(i, p, len),
				    want, "%s: %s, offset %lu, len %zu", what,
				    kmig_zerocheck_name(i),
				    (unsigned long)p & 63, len);
	KUNIT_EXPECT_EQ_MSG(test, kmig_buffer_is_zero(p, len), want,
			    "%s: dispatch, offset %lu, len %zu", what,
			    (unsigned long)p & 63, len);
}

/* Same, for a whole page, plus kmig_page_is_zero(). */
static void zc_expect_page(struct kunit *test, struct page *page,
			   const char *what)
{
	const u8 *p = page_address(page);

	zc_expect_all(test, p, PAGE_SIZE, what);
	KUNIT_EXPECT_EQ_MSG(test, kmig_page_is_zero(page),
			    zc_ref(p, PAGE_SIZE), "%s: page", what);
}

static u8 *zc_alloc_page(struct kunit *test, struct page **pagep)
{
	struct page *page = alloc_page(GFP_KERNEL | __GFP_ZERO);

	KUNIT_ASSERT_NOT_NULL(test, page);
	*pagep = page;
	return page_address(page);
}

/* Test init/exit: whatever a test selects, the next one starts clean. */
static int zc_test_init(struct kunit *test)
{
	test->priv = (void *)(unsigned long)kmig_zerocheck_requested();
	return 0;
}

static void zc_test_exit(struct kunit *test)
{
	kmig_zerocheck_select((unsigned long)test->priv);
}

static void zc_test_zero_page(struct kunit *test)
{
	struct page *page;
	u8 *p = zc_alloc_page(test, &page);

	zc_log_impls(test);
	KUNIT_ASSERT_TRUE(test, zc_ref(p, PAGE_SIZE));
	zc_expect_page(test, page, "zero page");
	KUNIT_EXPECT_TRUE(test, kmig_page_is_zero(page));
	/* Never touched: zero, and not read (it would oops). */
	KUNIT_EXPECT_TRUE(test, kmig_page_is_zero(NULL));

	memset(p, 0xff, PAGE_SIZE);
	zc_expect_page(test, page, "0xff page");
	KUNIT_EXPECT_FALSE(test, kmig_page_is_zero(page));
	__free_page(page);
}

/* One non-zero byte, at every byte position of a page. */
static void zc_test_one_byte(struct kunit *test)
{
	struct page *page;
	u8 *p = zc_alloc_page(test, &page);
	unsigned int pos;

	zc_log_impls(test);
	for (pos = 0; pos < PAGE_SIZE; pos++) {
		/* Each bit of a byte in turn, moving on every 8 bytes. */
		p[pos] = 1 << (pos / 8 % 8);
		zc_expect_page(test, page, "one byte");
		p[pos] = 0;
	}
	zc_expect_page(test, page, "zero again");
	__free_page(page);
}

static void zc_test_random(struct kunit *test)
{
	struct page *page;
	u8 *p = zc_alloc_page(test, &page);
	int iter, k, n;

	zc_log_impls(test);
	/* Random pages: a zero word is possible, a zero page is not. */
	for (iter = 0; iter < 64; iter++) {
		get_random_bytes(p, PAGE_SIZE);
		zc_expect_page(test, page, "random page");
	}
	/* Zero pages with a few random bytes at random places. */
	for (iter = 0; iter < 512; iter++) {
		memset(p, 0, PAGE_SIZE);
		n = 1 + zc_rand(4);
		for (k = 0; k < n; k++)
			p[zc_rand(PAGE_SIZE)] = zc_rand_nonzero();
		zc_expect_page(test, page, "sparse page");
	}
	/* Random lengths and offsets, sometimes all zero. */
	for (iter = 0; iter < 512; iter++) {
		size_t off = zc_rand(128), len = zc_rand(PAGE_SIZE - off + 1);

		memset(p, 0, PAGE_SIZE);
		if (len && zc_rand(2))
			p[off + zc_rand(len)] = zc_rand_nonzero();
		zc_expect_all(test, p + off, len, "random range");
	}
	__free_page(page);
}

/*
 * Any start alignment, any length: the checked range sits inside 0xff
 * bytes, so reading one byte too many on either side is caught too.
 */
static void zc_test_unaligned(struct kunit *test)
{
	static const size_t big[] = {
		511, 512, 513, 1000, 2047, 2049, PAGE_SIZE - 1, PAGE_SIZE,
		PAGE_SIZE + 1, PAGE_SIZE + 63, 2 * PAGE_SIZE - 3,
	};
	size_t area = 3 * PAGE_SIZE, off, len, k;
	u8 *buf = kunit_kmalloc(test, area, GFP_KERNEL);
	u8 *p;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	zc_log_impls(test);
	for (off = 0; off < 64; off++) {
		for (len = 0; len <= 257 + ARRAY_SIZE(big); len++) {
			size_t n = len <= 257 ? len : big[len - 258];

			p = buf + off;
			memset(buf, 0xff, area);
			memset(p, 0, n);
			zc_expect_all(test, p, n, "zero");
			if (!n)
				continue;
			p[0] = zc_rand_nonzero();
			zc_expect_all(test, p, n, "first byte");
			p[0] = 0;
			p[n - 1] = zc_rand_nonzero();
			zc_expect_all(test, p, n, "last byte");
			p[n - 1] = 0;
			k = zc_rand(n);
			p[k] = zc_rand_nonzero();
			zc_expect_all(test, p, n, "random byte");
		}
	}
}

static void zc_test_batch(struct kunit *test)
{
	enum { NDATA = 8, N = 3 * KMIG_ZC_FPU_BATCH + 7 };
	struct page **pages, *zero, *data[NDATA];
	unsigned long *map, *want;
	unsigned int i, want_count;
	u8 *p;
	int impl;

	pages = kunit_kcalloc(test, N, sizeof(*pages), GFP_KERNEL);
	map = kunit_kcalloc(test, BITS_TO_LONGS(N), sizeof(long), GFP_KERNEL);
	want = kunit_kcalloc(test, BITS_TO_LONGS(N), sizeof(long), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, pages);
	KUNIT_ASSERT_NOT_NULL(test, map);
	KUNIT_ASSERT_NOT_NULL(test, want);
	zc_log_impls(test);

	zc_alloc_page(test, &zero);
	/*
	 * Data: random; one byte in the last word (caught by the sample);
	 * one byte away from the sampled words, in a different vector slot
	 * of a 256-byte block each time (needs the full scan).
	 */
	p = zc_alloc_page(test, &data[0]);
	get_random_bytes(p, PAGE_SIZE);
	p[0] = 1;
	p = zc_alloc_page(test, &data[1]);
	p[PAGE_SIZE - 1] = 0x80;
	for (i = 2; i < NDATA; i++) {
		p = zc_alloc_page(test, &data[i]);
		p[64 * i + 40] = 2;
	}

	/*
	 * NULL entries must be reported zero without being dereferenced:
	 * a read would oops, which fails the test.
	 */
	for (i = 0; i < N; i++) {
		switch (zc_rand(3)) {
		case 0:
			pages[i] = NULL;
			break;
		case 1:
			pages[i] = zero;
			break;
		default:
			pages[i] = data[zc_rand(NDATA)];
			break;
		}
		if (!pages[i] || pages[i] == zero)
			__set_bit(i, want);
	}
	/* Edges of the FPU chunks: both kinds on both sides. */
	pages[KMIG_ZC_FPU_BATCH - 1] = data[1];
	pages[KMIG_ZC_FPU_BATCH] = NULL;
	__clear_bit(KMIG_ZC_FPU_BATCH - 1, want);
	__set_bit(KMIG_ZC_FPU_BATCH, want);
	want_count = bitmap_weight(want, N);

	for (impl = KMIG_ZERO_CHECK_AUTO; impl < KMIG_ZC_NR; impl++) {
		if (!kmig_zerocheck_is_available(impl))
			continue;
		/* Stale bits both ways: every bit must be written. */
		memset(map, 0xa5, BITS_TO_LONGS(N) * sizeof(long));
		KUNIT_EXPECT_EQ_MSG(test,
				    kmig_pages_zero_batch_impl(impl, pages, N, map),
				    want_count, "%s", kmig_zerocheck_name(impl));
		KUNIT_EXPECT_TRUE_MSG(test, bitmap_equal(map, want, N), "%s",
				      kmig_zerocheck_name(impl));
	}
	memset(map, 0x5a, BITS_TO_LONGS(N) * sizeof(long));
	KUNIT_EXPECT_EQ(test, kmig_pages_zero_batch(pages, N, map), want_count);
	KUNIT_EXPECT_TRUE(test, bitmap_equal(map, want, N));

	/* All NULL, and n == 0. */
	for (i = 0; i < N; i++)
		pages[i] = NULL;
	KUNIT_EXPECT_EQ(test, kmig_pages_zero_batch(pages, N, map), N);
	KUNIT_EXPECT_EQ(test, kmig_pages_zero_batch(pages, 0, map), 0);

	__free_page(zero);
	for (i = 0; i < NDATA; i++)
		__free_page(data[i]);
}

static void zc_test_select(struct kunit *test)
{
	struct page *page;
	u8 *p = zc_alloc_page(test, &page);
	u32 avail = kmig_zerocheck_available();
	int i;

	zc_log_impls(test);
	KUNIT_EXPECT_TRUE(test, avail & BIT(KMIG_ZERO_CHECK_AUTO));
	KUNIT_EXPECT_TRUE(test, avail & BIT(KMIG_ZERO_CHECK_GENERIC));
	KUNIT_EXPECT_EQ(test, avail & ~(u32)GENMASK(KMIG_ZC_NR - 1, 0), 0);
	KUNIT_EXPECT_FALSE(test, kmig_zerocheck_is_available(KMIG_ZC_NR));

	for (i = KMIG_ZERO_CHECK_GENERIC; i < KMIG_ZC_NR; i++) {
		if (!(avail & BIT(i))) {
			KUNIT_EXPECT_FALSE(test, kmig_zerocheck_is_available(i));
			KUNIT_EXPECT_EQ(test, kmig_zerocheck_select(i),
					-EOPNOTSUPP);
			continue;
		}
		KUNIT_EXPECT_TRUE(test, kmig_zerocheck_is_available(i));
		KUNIT_ASSERT_EQ(test, kmig_zerocheck_select(i), 0);
		KUNIT_EXPECT_EQ(test, kmig_zerocheck_active(), i);
		KUNIT_EXPECT_EQ(test, kmig_zerocheck_requested(), i);
		/* The static call really moved: the answers stay right. */
		memset(p, 0, PAGE_SIZE);
		KUNIT_EXPECT_TRUE(test, kmig_page_is_zero(page));
		p[PAGE_SIZE - 100] = 1;
		KUNIT_EXPECT_FALSE(test, kmig_page_is_zero(page));
	}

	KUNIT_ASSERT_EQ(test, kmig_zerocheck_select(KMIG_ZERO_CHECK_AUTO), 0);
	KUNIT_EXPECT_EQ(test, kmig_zerocheck_requested(), KMIG_ZERO_CHECK_AUTO);
	KUNIT_EXPECT_NE(test, kmig_zerocheck_active(), KMIG_ZERO_CHECK_AUTO);
	KUNIT_EXPECT_TRUE(test,
			  kmig_zerocheck_is_available(kmig_zerocheck_active()));

	/* Out of range is -EINVAL and changes nothing. */
	i = kmig_zerocheck_active();
	KUNIT_EXPECT_EQ(test, kmig_zerocheck_select(KMIG_ZC_NR), -EINVAL);
	KUNIT_EXPECT_EQ(test, kmig_zerocheck_select(1000), -EINVAL);
	KUNIT_EXPECT_EQ(test, kmig_zerocheck_select(-1), -EINVAL);
	KUNIT_EXPECT_EQ(test, kmig_zerocheck_active(), i);
	KUNIT_EXPECT_EQ(test, kmig_zerocheck_requested(), KMIG_ZERO_CHECK_AUTO);
	__free_page(page);
}

static void zc_test_names(struct kunit *test)
{
	static const char * const names[] = {
		"auto", "generic", "sse2", "avx2", "avx512",
	};
	int i;

	KUNIT_ASSERT_EQ(test, ARRAY_SIZE(names), KMIG_ZC_NR);
	for (i = 0; i < KMIG_ZC_NR; i++) {
		KUNIT_ASSERT_NOT_NULL(test, kmig_zerocheck_name(i));
		KUNIT_EXPECT_STREQ(test, kmig_zerocheck_name(i), names[i]);
		KUNIT_EXPECT_EQ(test,
				kmig_zerocheck_parse(kmig_zerocheck_name(i)), i);
	}
	KUNIT_EXPECT_EQ(test, kmig_zerocheck_parse("avx2\n"),
			KMIG_ZERO_CHECK_AVX2);
	KUNIT_EXPECT_NULL(test, kmig_zerocheck_name(KMIG_ZC_NR));
	KUNIT_EXPECT_NULL(test, kmig_zerocheck_name(-1));
	KUNIT_EXPECT_EQ(test, kmig_zerocheck_parse("avx1024"), -EINVAL);
	KUNIT_EXPECT_EQ(test, kmig_zerocheck_parse(""), -EINVAL);
	KUNIT_EXPECT_EQ(test, kmig_zerocheck_parse("sse"), -EINVAL);
	KUNIT_EXPECT_EQ(test, kmig_zerocheck_parse("sse2x"), -EINVAL);
	KUNIT_EXPECT_EQ(test, kmig_zerocheck_parse(NULL), -EINVAL);
}

static struct kunit_case kmig_zerocheck_cases[] = {
	KUNIT_CASE(zc_test_zero_page),
	KUNIT_CASE(zc_test_one_byte),
	KUNIT_CASE(zc_test_random),
	KUNIT_CASE(zc_test_unaligned),
	KUNIT_CASE(zc_test_batch),
	KUNIT_CASE(zc_test_select),
	KUNIT_CASE(zc_test_names),
	{}
};

KMIG_KUNIT_SUITE_INIT(zerocheck, zc_test_init, zc_test_exit);
