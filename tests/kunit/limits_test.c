// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: resource limits. The max_memory syntax, the per-user region
 * counts, max_memory at page allocation, KMIG_IOC_PREALLOC's check and a
 * migration's page install, max_channels and max_migrations with their
 * messages, the setters' bounds and the refusal counters. Each case
 * restores the limits it changed.
 */
#include <kunit/test.h>
#include <linux/mm.h>
#include <linux/highmem.h>
#include <linux/err.h>
#include <linux/string.h>
#include <linux/sizes.h>
#include <linux/cred.h>

#include "kmig_kunit.h"
#include "limits.h"
#include "region.h"

/* A uid no test kernel process runs as. */
#define LIMITS_TEST_UID		4242421
#define LIMITS_TEST_UID2	4242422

static void limits_test_parse_memory(struct kunit *test)
{
	u64 ram = (u64)totalram_pages() << PAGE_SHIFT;
	static const char * const bad[] = {
		"", " ", "x", "1X", "-1", "0%", "101%", "12%%", "%", "1.5G",
	};
	unsigned int i;
	u64 b;

	KUNIT_EXPECT_EQ(test, kmig_limits_parse_memory("0", &b), 0);
	KUNIT_EXPECT_EQ(test, b, 0ULL);
	KUNIT_EXPECT_EQ(test, kmig_limits_parse_memory("1M", &b), 0);
	KUNIT_EXPECT_EQ(test, b, (u64)SZ_1M);
	KUNIT_EXPECT_EQ(test, kmig_limits_parse_memory(" 2G\n", &b), 0);
	KUNIT_EXPECT_EQ(test, b, (u64)SZ_2G);
	/* Bytes as given: the setter rounds (and refuses 1..4095). */
	KUNIT_EXPECT_EQ(test, kmig_limits_parse_memory("5000", &b), 0);
	KUNIT_EXPECT_EQ(test, b, 5000ULL);
	KUNIT_EXPECT_EQ(test, kmig_limits_parse_memory("100", &b), 0);
	KUNIT_EXPECT_EQ(test, b, 100ULL);
	KUNIT_EXPECT_EQ(test, kmig_limits_parse_memory("100%", &b), 0);
	KUNIT_EXPECT_EQ(test, b, ram);
	KUNIT_EXPECT_EQ(test, kmig_limits_parse_memory("90%\n", &b), 0);
	KUNIT_EXPECT_EQ(test, b,
			(u64)mult_frac(totalram_pages(), 90, 100) << PAGE_SHIFT);
	KUNIT_EXPECT_LT(test, b, ram);
	KUNIT_EXPECT_GT(test, b, 0ULL);

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		b = 12345;
		KUNIT_EXPECT_EQ_MSG(test, kmig_limits_parse_memory(bad[i], &b),
				    -EINVAL, "\"%s\"", bad[i]);
		KUNIT_EXPECT_EQ_MSG(test, b, 12345ULL, "\"%s\" wrote", bad[i]);
	}
}

static void limits_test_setters(struct kunit *test)
{
	unsigned int ch = kmig_limits_channels();
	u64 mem = kmig_limits_memory();
	const char *why = NULL;

	KUNIT_EXPECT_EQ(test, kmig_limits_set_channels(0, &why), -ERANGE);
	KUNIT_EXPECT_NOT_NULL(test, strstr(why, "max_channels"));
	KUNIT_EXPECT_EQ(test, kmig_limits_set_channels(KMIG_CHANNELS_MAX + 1,
						       &why), -ERANGE);
	KUNIT_EXPECT_EQ(test, kmig_limits_channels(), ch);
	/* Bytes are kept as whole pages, up to the largest. */
	if (BITS_PER_LONG == 64) {
		KUNIT_EXPECT_EQ(test, kmig_limits_set_memory(U64_MAX, &why), 0);
		KUNIT_EXPECT_EQ(test, kmig_limits_memory(), (u64)PAGE_MASK);
	} else {
		why = NULL;
		KUNIT_EXPECT_EQ(test, kmig_limits_set_memory(U64_MAX, &why),
				-ERANGE);
		KUNIT_EXPECT_NOT_NULL(test, why);
	}
	KUNIT_ASSERT_EQ(test, kmig_limits_set_memory(3 * PAGE_SIZE + 1, &why), 0);
	KUNIT_EXPECT_EQ(test, kmig_limits_memory(), 3ULL * PAGE_SIZE);
	/* Under a page it would round to 0, "no limit": refused, unchanged. */
	why = NULL;
	KUNIT_EXPECT_EQ(test, kmig_limits_set_memory(PAGE_SIZE - 1, &why),
			-ERANGE);
	KUNIT_EXPECT_NOT_NULL(test, why);
	KUNIT_EXPECT_EQ(test, kmig_limits_memory(), 3ULL * PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, kmig_limits_check_memory(0, &why), 0);
	KUNIT_EXPECT_EQ(test, kmig_limits_check_memory(PAGE_SIZE, &why), 0);
	KUNIT_EXPECT_EQ(test, kmig_limits_set_memory(mem, &why), 0);
	KUNIT_EXPECT_EQ(test, kmig_limits_memory(), mem);
}

static void limits_test_regions_per_user(struct kunit *test)
{
	kuid_t uid = KUIDT_INIT(LIMITS_TEST_UID);
	kuid_t other = KUIDT_INIT(LIMITS_TEST_UID2);
	unsigned int max0 = kmig_limits_regions_per_user();
	u64 ref0 = kmig_limits_refused(KMIG_LIMIT_REGIONS);
	const char *why;

	KUNIT_ASSERT_EQ(test, kmig_limits_regions_of(uid), 0UL);
	kmig_limits_set_regions_per_user(2, &why);
	KUNIT_EXPECT_EQ(test, kmig_limits_region_charge(uid), 0);
	KUNIT_EXPECT_EQ(test, kmig_limits_region_charge(uid), 0);
	KUNIT_EXPECT_EQ(test, kmig_limits_region_charge(uid), -EMFILE);
	KUNIT_EXPECT_EQ(test, kmig_limits_regions_of(uid), 2UL);
	KUNIT_EXPECT_EQ(test, kmig_limits_refused(KMIG_LIMIT_REGIONS), ref0 + 1);

	/* Per user: another uid has its own count. */
	KUNIT_EXPECT_EQ(test, kmig_limits_region_charge(other), 0);
	KUNIT_EXPECT_EQ(test, kmig_limits_regions_of(other), 1UL);
	kmig_limits_region_uncharge(other);
	KUNIT_EXPECT_EQ(test, kmig_limits_regions_of(other), 0UL);

	/* A region given back makes room; 0 is no limit. */
	kmig_limits_region_uncharge(uid);
	KUNIT_EXPECT_EQ(test, kmig_limits_region_charge(uid), 0);
	kmig_limits_set_regions_per_user(0, &why);
	KUNIT_EXPECT_EQ(test, kmig_limits_region_charge(uid), 0);
	KUNIT_EXPECT_EQ(test, kmig_limits_regions_of(uid), 3UL);
	/* Lowered under the count: what exists stays, new ones are refused. */
	kmig_limits_set_regions_per_user(1, &why);
	KUNIT_EXPECT_EQ(test, kmig_limits_region_charge(uid), -EMFILE);
	KUNIT_EXPECT_EQ(test, kmig_limits_regions_of(uid), 3UL);
	KUNIT_EXPECT_EQ(test, kmig_limits_refused(KMIG_LIMIT_REGIONS), ref0 + 2);

	kmig_limits_region_uncharge(uid);
	kmig_limits_region_uncharge(uid);
	kmig_limits_region_uncharge(uid);
	KUNIT_EXPECT_EQ(test, kmig_limits_regions_of(uid), 0UL);
	kmig_limits_set_regions_per_user(max0, &why);
}

/* A region created by the test counts for the test thread's uid. */
static void limits_test_region_create(struct kunit *test)
{
	unsigned int max0 = kmig_limits_regions_per_user();
	kuid_t uid = current_euid();
	unsigned long n0 = kmig_limits_regions_of(uid);
	struct kmig_region *r, *r2;
	const char *why;

	r = kmig_region_create();
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(r));
	KUNIT_EXPECT_EQ(test, kmig_limits_regions_of(uid), n0 + 1);
	kmig_limits_set_regions_per_user(n0 + 1, &why);
	r2 = kmig_region_create();
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(r2), -EMFILE);
	if (!IS_ERR(r2))
		kmig_region_put(r2);
	kmig_limits_set_regions_per_user(max0, &why);
	kmig_region_put(r);
	KUNIT_EXPECT_EQ(test, kmig_limits_regions_of(uid), n0);
}

static void limits_test_memory(struct kunit *test)
{
	struct kmig_region *r = kmig_region_create();
	u64 ref0 = kmig_limits_refused(KMIG_LIMIT_MEMORY);
	u64 max0 = kmig_limits_memory();
	struct kmig_global_stats s;
	struct page *p;
	const char *why;
	unsigned int i;
	u8 *va;

	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(r));
	KUNIT_ASSERT_EQ(test, kmig_region_map(r, 0, 64), 0);
	kmig_global_stats_read(&s);
	KUNIT_EXPECT_TRUE(test, kmig_limits_memory_allows(s.populated_pages));
	KUNIT_ASSERT_EQ(test, kmig_limits_set_memory((s.populated_pages + 4) <<
						     PAGE_SHIFT, &why), 0);
	KUNIT_EXPECT_TRUE(test, kmig_limits_memory_allows(s.populated_pages + 4));
	KUNIT_EXPECT_FALSE(test, kmig_limits_memory_allows(s.populated_pages + 5));

	for (i = 0; i < 4; i++) {
		p = kmig_region_get_page(r, i, true);
		KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(p));
		put_page(p);
	}
	KUNIT_EXPECT_PTR_EQ(test, kmig_region_get_page(r, 4, true),
			    ERR_PTR(-ENOSPC));
	/* A page that exists costs nothing. */
	p = kmig_region_get_page(r, 3, true);
	KUNIT_EXPECT_FALSE(test, IS_ERR_OR_NULL(p));
	if (!IS_ERR_OR_NULL(p))
		put_page(p);
	KUNIT_EXPECT_EQ(test, kmig_region_populated(r), 4UL);
	KUNIT_EXPECT_EQ(test, kmig_limits_refused(KMIG_LIMIT_MEMORY), ref0 + 1);

	/* KMIG_IOC_PREALLOC's check: only the missing pages count. */
	KUNIT_EXPECT_EQ(test, kmig_region_may_populate(r, 0, 4), 0);
	KUNIT_EXPECT_EQ(test, kmig_region_may_populate(r, 0, 5), -ENOSPC);
	KUNIT_EXPECT_EQ(test, kmig_region_may_populate(r, 2, 64), -ENOSPC);
	KUNIT_EXPECT_EQ(test, kmig_limits_refused(KMIG_LIMIT_MEMORY), ref0 + 3);

	/* A migrated page: refused where it needs a new page ... */
	p = kmig_region_alloc_page(r);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_EQ(test, kmig_region_install_page(r, 10, p), -ENOSPC);
	KUNIT_EXPECT_NULL(test, kmig_region_peek_page(r, 10));
	/* ... copied where the page exists. */
	p = kmig_region_alloc_page(r);
	KUNIT_ASSERT_NOT_NULL(test, p);
	va = kmap_local_page(p);
	memset(va, 0x5a, PAGE_SIZE);
	kunmap_local(va);
	KUNIT_EXPECT_EQ(test, kmig_region_install_page(r, 1, p), 0);
	va = kmap_local_page(kmig_region_peek_page(r, 1));
	KUNIT_EXPECT_EQ(test, va[0], 0x5a);
	KUNIT_EXPECT_EQ(test, va[PAGE_SIZE - 1], 0x5a);
	kunmap_local(va);
	KUNIT_EXPECT_EQ(test, kmig_region_populated(r), 4UL);
	KUNIT_EXPECT_EQ(test, kmig_limits_refused(KMIG_LIMIT_MEMORY), ref0 + 4);

	/* No limit: the refused allocations work. */
	KUNIT_ASSERT_EQ(test, kmig_limits_set_memory(0, &why), 0);
	KUNIT_EXPECT_EQ(test, kmig_region_may_populate(r, 0, 64), 0);
	p = kmig_region_get_page(r, 4, true);
	KUNIT_EXPECT_FALSE(test, IS_ERR_OR_NULL(p));
	if (!IS_ERR_OR_NULL(p))
		put_page(p);
	p = kmig_region_alloc_page(r);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_EQ(test, kmig_region_install_page(r, 10, p), 0);
	KUNIT_EXPECT_EQ(test, kmig_region_populated(r), 6UL);
	kmig_global_stats_read(&s);
	kmig_region_put(r);

	/* The global count follows the region's pages out. */
	{
		struct kmig_global_stats after;

		kmig_global_stats_read(&after);
		KUNIT_EXPECT_EQ(test, after.populated_pages,
				s.populated_pages - 6);
	}
	kmig_limits_set_memory(max0, &why);
}

static void limits_test_migrations(struct kunit *test)
{
	unsigned int ch0 = kmig_limits_channels();
	unsigned int mig0 = kmig_limits_migrations();
	unsigned int run0 = kmig_limits_migrations_running();
	u64 rch0 = kmig_limits_refused(KMIG_LIMIT_CHANNELS);
	u64 rmig0 = kmig_limits_refused(KMIG_LIMIT_MIGRATIONS);
	const char *why = NULL;

	KUNIT_ASSERT_EQ(test, kmig_limits_set_channels(2, &why), 0);
	KUNIT_EXPECT_EQ(test, kmig_limits_mig_begin(3, &why), -ERANGE);
	KUNIT_EXPECT_NOT_NULL(test, strstr(why, "max_channels"));
	KUNIT_EXPECT_EQ(test, kmig_limits_refused(KMIG_LIMIT_CHANNELS), rch0 + 1);
	/* A refusal holds no slot. */
	KUNIT_EXPECT_EQ(test, kmig_limits_migrations_running(), run0);

	KUNIT_ASSERT_EQ(test, kmig_limits_set_migrations(run0 + 1, &why), 0);
	KUNIT_EXPECT_EQ(test, kmig_limits_mig_begin(2, &why), 0);
	KUNIT_EXPECT_EQ(test, kmig_limits_migrations_running(), run0 + 1);
	why = NULL;
	KUNIT_EXPECT_EQ(test, kmig_limits_mig_begin(1, &why), -EAGAIN);
	KUNIT_EXPECT_NOT_NULL(test, why);
	if (why)
		KUNIT_EXPECT_NOT_NULL(test, strstr(why, "max_migrations"));
	KUNIT_EXPECT_EQ(test, kmig_limits_refused(KMIG_LIMIT_MIGRATIONS),
			rmig0 + 1);
	KUNIT_EXPECT_EQ(test, kmig_limits_migrations_running(), run0 + 1);

	/* The slot given back, or the limit lifted: begins again. */
	kmig_limits_mig_end();
	KUNIT_EXPECT_EQ(test, kmig_limits_mig_begin(1, &why), 0);
	kmig_limits_set_migrations(0, &why);
	KUNIT_EXPECT_EQ(test, kmig_limits_mig_begin(1, &why), 0);
	KUNIT_EXPECT_EQ(test, kmig_limits_migrations_running(), run0 + 2);
	kmig_limits_mig_end();
	kmig_limits_mig_end();
	KUNIT_EXPECT_EQ(test, kmig_limits_migrations_running(), run0);

	kmig_limits_set_channels(ch0, &why);
	kmig_limits_set_migrations(mig0, &why);
}

static struct kunit_case kmig_limits_cases[] = {
	KUNIT_CASE(limits_test_parse_memory),
	KUNIT_CASE(limits_test_setters),
	KUNIT_CASE(limits_test_regions_per_user),
	KUNIT_CASE(limits_test_region_create),
	KUNIT_CASE(limits_test_memory),
	KUNIT_CASE(limits_test_migrations),
	{}
};

KMIG_KUNIT_SUITE(limits);
