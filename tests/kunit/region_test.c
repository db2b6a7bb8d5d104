// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: region sizing, lazy page allocation, the page-set bookkeeping,
 * ids and lifetime, and the zero scan over a region.
 */
#include <kunit/test.h>
#include <linux/mm.h>
#include <linux/highmem.h>
#include <linux/err.h>

#include "kmig_kunit.h"
#include "region.h"
#include "params.h"
#include "zerocheck.h"

static struct kmig_region *region_new(struct kunit *test, unsigned long npages)
{
	struct kmig_region *r = kmig_region_create();

	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(r));
	if (npages)
		KUNIT_ASSERT_EQ(test, kmig_region_map(r, 0, npages), 0);
	return r;
}

static void region_test_sizing(struct kunit *test)
{
	u64 max_pages = kmig_params_region_size_max() >> PAGE_SHIFT;
	struct kmig_region *r = region_new(test, 0);

	KUNIT_EXPECT_EQ(test, kmig_region_npages(r), 0UL);
	KUNIT_EXPECT_EQ(test, kmig_region_map(r, 0, 0), -EINVAL);
	/* The first mapping sizes the region and must start at 0. */
	KUNIT_EXPECT_EQ(test, kmig_region_map(r, 1, 16), -ENXIO);
	KUNIT_EXPECT_EQ(test, kmig_region_map(r, 0, max_pages + 1), -EFBIG);
	KUNIT_EXPECT_EQ(test, kmig_region_npages(r), 0UL);

	KUNIT_EXPECT_EQ(test, kmig_region_map(r, 0, 256), 0);
	KUNIT_EXPECT_EQ(test, kmig_region_npages(r), 256UL);
	KUNIT_EXPECT_EQ(test, r->size, 256ULL << PAGE_SHIFT);

	/* Later mappings: anywhere inside, never outside. */
	KUNIT_EXPECT_EQ(test, kmig_region_map(r, 0, 256), 0);
	KUNIT_EXPECT_EQ(test, kmig_region_map(r, 255, 1), 0);
	KUNIT_EXPECT_EQ(test, kmig_region_map(r, 0, 257), -ENXIO);
	KUNIT_EXPECT_EQ(test, kmig_region_map(r, 256, 1), -ENXIO);
	KUNIT_EXPECT_EQ(test, kmig_region_map(r, 255, 2), -ENXIO);
	KUNIT_EXPECT_EQ(test, kmig_region_map(r, ULONG_MAX, 2), -ENXIO);
	KUNIT_EXPECT_EQ(test, kmig_region_npages(r), 256UL);

	kmig_region_put(r);
}

static void region_test_lazy_pages(struct kunit *test)
{
	struct kmig_region *r = region_new(test, 1024);
	struct kmig_global_stats before, after;
	struct page *p, *q;
	u8 *va;

	kmig_global_stats_read(&before);
	KUNIT_EXPECT_EQ(test, kmig_region_populated(r), 0UL);

	/* Never touched: no page, no allocation. */
	KUNIT_EXPECT_NULL(test, kmig_region_get_page(r, 7, false));
	KUNIT_EXPECT_EQ(test, kmig_region_populated(r), 0UL);

	p = kmig_region_get_page(r, 7, true);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(p));
	KUNIT_EXPECT_EQ(test, kmig_region_populated(r), 1UL);
	KUNIT_EXPECT_PTR_EQ(test, kmig_region_peek_page(r, 7), p);
	va = kmap_local_page(p);
	KUNIT_EXPECT_TRUE(test, !memchr_inv(va, 0, PAGE_SIZE));
	va[100] = 0x5a;
	kunmap_local(va);

	/* The same page comes back, with its content. */
	q = kmig_region_get_page(r, 7, true);
	KUNIT_ASSERT_PTR_EQ(test, p, q);
	va = kmap_local_page(q);
	KUNIT_EXPECT_EQ(test, va[100], 0x5a);
	kunmap_local(va);
	KUNIT_EXPECT_EQ(test, kmig_region_populated(r), 1UL);
	put_page(q);
	put_page(p);

	/* Past the end. */
	p = kmig_region_get_page(r, 1024, true);
	KUNIT_EXPECT_EQ(test, PTR_ERR(p), -ENXIO);
	p = kmig_region_get_page(r, ULONG_MAX, false);
	KUNIT_EXPECT_EQ(test, PTR_ERR(p), -ENXIO);

	p = kmig_region_get_page(r, 1023, true);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(p));
	put_page(p);
	KUNIT_EXPECT_EQ(test, kmig_region_populated(r), 2UL);

	kmig_global_stats_read(&after);
	KUNIT_EXPECT_EQ(test, after.populated_pages, before.populated_pages + 2);

	kmig_region_put(r);
	kmig_global_stats_read(&after);
	KUNIT_EXPECT_EQ(test, after.populated_pages, before.populated_pages);
}

static void region_test_ids(struct kunit *test)
{
	struct kmig_region *a = region_new(test, 1);
	struct kmig_region *b = region_new(test, 1);
	struct kmig_region *f;
	u32 id_a = a->id, id_b = b->id, id;
	bool seen_a = false, seen_b = false;

	KUNIT_EXPECT_NE(test, id_a, 0U);
	KUNIT_EXPECT_NE(test, id_a, id_b);

	f = kmig_region_find(id_a);
	KUNIT_EXPECT_PTR_EQ(test, f, a);
	kmig_region_put(f);
	KUNIT_EXPECT_NULL(test, kmig_region_find(0));
	KUNIT_EXPECT_NULL(test, kmig_region_find(U32_MAX));

	for (id = 1; (f = kmig_region_find_next(&id)); id++) {
		seen_a |= f == a;
		seen_b |= f == b;
		KUNIT_EXPECT_EQ(test, f->id, id);
		kmig_region_put(f);
	}
	KUNIT_EXPECT_TRUE(test, seen_a && seen_b);

	kmig_region_put(a);
	KUNIT_EXPECT_NULL(test, kmig_region_find(id_a));
	f = kmig_region_find(id_b);
	KUNIT_EXPECT_PTR_EQ(test, f, b);
	kmig_region_put(f);
	kmig_region_put(b);
	KUNIT_EXPECT_NULL(test, kmig_region_find(id_b));
}

static void region_fill(struct kunit *test, struct kmig_region *r,
			pgoff_t index, int byte_pos, u8 val)
{
	struct page *p = kmig_region_get_page(r, index, true);
	u8 *va;

	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(p));
	va = kmap_local_page(p);
	va[byte_pos] = val;
	kunmap_local(va);
	put_page(p);
}

static void region_test_scan(struct kunit *test)
{
	struct kmig_region *r = region_new(test, 4096);
	struct kmig_scan_result res;
	unsigned int impl;
	pgoff_t i;

	/* 100 data pages, 60 touched-but-zero pages, the rest never touched. */
	for (i = 0; i < 100; i++)
		region_fill(test, r, i * 37 % 4096, (i * 97) % PAGE_SIZE, 1 + i);
	for (i = 0; i < 60; i++)
		region_fill(test, r, 4000 + i, 0, 0);
	KUNIT_ASSERT_EQ(test, kmig_region_populated(r), 160UL);

	for (impl = KMIG_ZERO_CHECK_AUTO; impl <= KMIG_ZERO_CHECK_AVX512; impl++) {
		if (!kmig_zerocheck_is_available(impl))
			continue;
		KUNIT_ASSERT_EQ(test, kmig_region_scan(r, impl, &res), 0);
		KUNIT_EXPECT_EQ(test, res.region_id, r->id);
		KUNIT_EXPECT_EQ(test, res.pages, 4096ULL);
		KUNIT_EXPECT_EQ(test, res.populated_pages, 160ULL);
		KUNIT_EXPECT_EQ(test, res.normal_pages, 100ULL);
		KUNIT_EXPECT_EQ(test, res.zero_pages, 4096ULL - 100);
		KUNIT_EXPECT_NE(test, (unsigned int)res.impl,
				(unsigned int)KMIG_ZERO_CHECK_AUTO);
		if (impl != KMIG_ZERO_CHECK_AUTO)
			KUNIT_EXPECT_EQ(test, (unsigned int)res.impl, impl);
	}
	/* Scanning never allocates. */
	KUNIT_EXPECT_EQ(test, kmig_region_populated(r), 160UL);
	kmig_region_put(r);
}

static struct kunit_case kmig_region_cases[] = {
	KUNIT_CASE(region_test_sizing),
	KUNIT_CASE(region_test_lazy_pages),
	KUNIT_CASE(region_test_ids),
	KUNIT_CASE(region_test_scan),
	{}
};

KMIG_KUNIT_SUITE(region);
