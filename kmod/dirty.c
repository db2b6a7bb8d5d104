// SPDX-License-Identifier: GPL-2.0
/*
 * Dirty tracking (dirty.h).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/xarray.h>
#include <linux/slab.h>
#include <linux/bitmap.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>

#include "dirty.h"
#include "region.h"

bool kmig_dirty_tracking(struct kmig_region *region)
{
	/* Only whether it is set: nothing is read through the pointer. */
	return !!rcu_access_pointer(region->dirty_bitmap);
}

int kmig_dirty_start(struct kmig_region *region)
{
	pgoff_t npages = kmig_region_npages(region);
	unsigned long *bits;
	int ret = 0;

	if (!npages)
		return -EINVAL;
	bits = kvcalloc(BITS_TO_LONGS(npages), sizeof(long), GFP_KERNEL_ACCOUNT);
	if (!bits)
		return -ENOMEM;

	mutex_lock(&region->lock);
	if (rcu_dereference_protected(region->dirty_bitmap,
				      lockdep_is_held(&region->lock))) {
		ret = -EBUSY;
	} else {
		atomic_long_set(&region->dirty_count, 0);
		/* The bitmap is visible (zeroed) before faults can use it. */
		rcu_assign_pointer(region->dirty_bitmap, bits);
		bits = NULL;
	}
	mutex_unlock(&region->lock);
	kvfree(bits);
	if (ret)
		return ret;

	/* Every writable mapping goes: the next write faults and is seen. */
	unmap_mapping_range(kmig_region_mapping(region), 0, 0, 0);
	return 0;
}

void kmig_dirty_stop(struct kmig_region *region)
{
	unsigned long *bits;

	mutex_lock(&region->lock);
	bits = rcu_dereference_protected(region->dirty_bitmap,
					 lockdep_is_held(&region->lock));
	RCU_INIT_POINTER(region->dirty_bitmap, NULL);
	mutex_unlock(&region->lock);
	if (!bits)
		return;
	/* Faults that saw the bitmap are done once every CPU scheduled. */
	synchronize_rcu();
	kvfree(bits);
}

void kmig_dirty_mark(struct kmig_region *region, pgoff_t index)
{
	unsigned long *bits;

	rcu_read_lock();
	bits = rcu_dereference(region->dirty_bitmap);
	if (bits && index < kmig_region_npages(region) &&
	    !test_and_set_bit(index, bits))
		atomic_long_inc(&region->dirty_count);
	rcu_read_unlock();
}

unsigned long kmig_dirty_collect(struct kmig_region *region,
				 unsigned long *out)
{
	pgoff_t npages = kmig_region_npages(region);
	/*
	 * Only the migration that started tracking collects and stops it,
	 * from its one main thread: the bitmap cannot go away under us.
	 */
	unsigned long *bits = rcu_dereference_protected(region->dirty_bitmap, 1);
	unsigned long i, n = 0, w;

	if (!bits)
		return 0;
	/*
	 * Take the bits first, then write-protect: a page written between
	 * the two is in @out and is read for sending only after the
	 * protection, so its new contents go out; a write after the
	 * protection faults and sets the bit for the next collection.
	 */
	for (i = 0; i < BITS_TO_LONGS(npages); i++) {
		if (!READ_ONCE(bits[i]))
			continue;
		w = xchg(&bits[i], 0);
		out[i] |= w;
		n += hweight_long(w);
		if (!(i % 1024))
			cond_resched();
	}
	atomic_long_sub(n, &region->dirty_count);
	unmap_mapping_range(kmig_region_mapping(region), 0, 0, 0);

	/*
	 * A write fault whose page_mkwrite set a bit we just took may not
	 * have installed its writable PTE yet, so the zap missed it. The
	 * fault installs the PTE with the page locked: wait for each taken
	 * page's lock, then zap again.
	 */
	if (n) {
		for_each_set_bit(i, out, npages) {
			struct page *page = xa_load(&region->pages, i);

			if (page) {
				lock_page(page);
				unlock_page(page);
			}
			if (!(i % 1024))
				cond_resched();
		}
		unmap_mapping_range(kmig_region_mapping(region), 0, 0, 0);
	}
	return n;
}

int kmig_dirty_merge(struct kmig_region *region, u64 first,
		     const unsigned long *src, u64 nbits)
{
	pgoff_t npages = kmig_region_npages(region);
	unsigned long *bits;
	u64 i;

	if (first >= npages || nbits > npages - first)
		return -ERANGE;
	rcu_read_lock();
	bits = rcu_dereference(region->dirty_bitmap);
	if (!bits) {
		rcu_read_unlock();
		return -ENOENT;
	}
	for (i = 0; i < nbits; i++) {
		if (test_bit(i, src) && !test_and_set_bit(first + i, bits))
			atomic_long_inc(&region->dirty_count);
	}
	rcu_read_unlock();
	return 0;
}

unsigned long kmig_dirty_count(struct kmig_region *region)
{
	return max(atomic_long_read(&region->dirty_count), 0L);
}
