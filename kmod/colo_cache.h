/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The COLO cache: page index -> a page of the last committed checkpoint,
 * for every page that exists. A COLO secondary's channels receive a
 * checkpoint into it; the flush copies it into the region.
 */
#ifndef _KMIG_COLO_CACHE_H
#define _KMIG_COLO_CACHE_H

#include <linux/types.h>
#include <linux/xarray.h>
#include <linux/atomic.h>

struct kmig_region;
struct page;

struct kmig_colo_cache {
	struct xarray pages;
	atomic_long_t npages;
};

void kmig_colo_cache_init(struct kmig_colo_cache *cache);
/* Copy every populated page of @region in; -ENOMEM leaves it partial. */
int kmig_colo_cache_fill(struct kmig_colo_cache *cache,
			 struct kmig_region *region);
/* The page at @index with a reference, or NULL. */
struct page *kmig_colo_cache_get(struct kmig_colo_cache *cache, pgoff_t index);
/* Install a new page (takes the allocation); a racing one is kept. */
int kmig_colo_cache_install(struct kmig_colo_cache *cache, pgoff_t index,
			    struct page *page);
void kmig_colo_cache_destroy(struct kmig_colo_cache *cache);

/*
 * Copy the cache into @region for every bit of @bits (npages bits): a
 * cached page is copied (a page is allocated first where the region has
 * none), an uncached page is zero in the checkpoint and clears a
 * populated region page. Every allocation is made before the first copy,
 * so -ENOMEM leaves the region's contents as they were. Returns the
 * pages flushed.
 */
long kmig_colo_flush(struct kmig_colo_cache *cache, struct kmig_region *region,
		     const unsigned long *bits);

#endif /* _KMIG_COLO_CACHE_H */
