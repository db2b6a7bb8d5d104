// SPDX-License-Identifier: GPL-2.0
/*
 * The COLO cache (colo_cache.h): the secondary's copy of the last
 * committed checkpoint, its fill from the region at COLO entry, and its
 * flush into the region at each checkpoint.
 */
#include <linux/mm.h>
#include <linux/highmem.h>
#include <linux/bitmap.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>

#include "colo_cache.h"
#include "region.h"

void kmig_colo_cache_init(struct kmig_colo_cache *cache)
{
	xa_init(&cache->pages);
	atomic_long_set(&cache->npages, 0);
}

struct page *kmig_colo_cache_get(struct kmig_colo_cache *cache, pgoff_t index)
{
	struct page *page;

	rcu_read_lock();
	page = xa_load(&cache->pages, index);
	if (page && !get_page_unless_zero(page))
		page = NULL;
	rcu_read_unlock();
	return page;
}

int kmig_colo_cache_install(struct kmig_colo_cache *cache, pgoff_t index,
			    struct page *page)
{
	struct page *old;

	old = xa_cmpxchg(&cache->pages, index, NULL, page,
			 GFP_KERNEL_ACCOUNT | __GFP_NOWARN | __GFP_RETRY_MAYFAIL);
	if (xa_is_err(old)) {
		__free_page(page);
		return -ENOMEM;
	}
	if (old) {
		/* Two channels sent the same page: keep one. */
		copy_highpage(old, page);
		__free_page(page);
		return 0;
	}
	atomic_long_inc(&cache->npages);
	return 0;
}

int kmig_colo_cache_fill(struct kmig_colo_cache *cache,
			 struct kmig_region *region)
{
	pgoff_t index, npages = kmig_region_npages(region);
	struct page *src, *dst;
	int ret;

	for (index = 0; index < npages; index++) {
		src = kmig_region_get_page(region, index, false);
		if (IS_ERR_OR_NULL(src))
			continue;
		dst = kmig_region_alloc_page(region);
		if (!dst) {
			put_page(src);
			return -ENOMEM;
		}
		copy_highpage(dst, src);
		put_page(src);
		ret = kmig_colo_cache_install(cache, index, dst);
		if (ret)
			return ret;
		cond_resched();
	}
	return 0;
}

void kmig_colo_cache_destroy(struct kmig_colo_cache *cache)
{
	struct page *page;
	unsigned long index;

	xa_for_each(&cache->pages, index, page)
		put_page(page);
	xa_destroy(&cache->pages);
	atomic_long_set(&cache->npages, 0);
}

long kmig_colo_flush(struct kmig_colo_cache *cache, struct kmig_region *region,
		     const unsigned long *bits)
{
	pgoff_t index, npages = kmig_region_npages(region);
	struct page *src, *dst, *page;
	long n = 0;
	int ret;

	/*
	 * First every allocation: a zeroed page where the checkpoint has
	 * data and the region has no page. Installing one changes no byte
	 * of the region (a missing page reads as zeros).
	 */
	for_each_set_bit(index, bits, npages) {
		src = xa_load(&cache->pages, index);
		if (!src || kmig_region_peek_page(region, index))
			continue;
		page = kmig_region_alloc_page(region);
		if (!page)
			return -ENOMEM;
		clear_highpage(page);
		ret = kmig_region_install_page(region, index, page);
		if (ret)
			return ret;
		cond_resched();
	}
	/* Then the copies, which cannot fail. */
	for_each_set_bit(index, bits, npages) {
		src = xa_load(&cache->pages, index);
		dst = kmig_region_get_page(region, index, false);
		if (IS_ERR_OR_NULL(dst))
			continue;	/* no page: zero, as in the checkpoint */
		if (src)
			copy_highpage(dst, src);
		else
			clear_highpage(dst);
		put_page(dst);
		n++;
		cond_resched();
	}
	return n;
}
