// SPDX-License-Identifier: GPL-2.0
/*
 * Guest memory regions: lazily allocated pages in an xarray, one region
 * per open file of /dev/kmig, ids and lifetime.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/pseudo_fs.h>
#include <linux/mount.h>
#include <linux/mm.h>
#include <linux/highmem.h>
#include <linux/gfp.h>
#include <linux/slab.h>
#include <linux/pid.h>
#include <linux/sched/mm.h>
#include <linux/memcontrol.h>
#include <linux/rcupdate.h>
#include <linux/ktime.h>
#include <linux/sched/signal.h>
#include <linux/cred.h>

#include "prof.h"
#include "region.h"
#include "params.h"
#include "limits.h"
#include "zerocheck.h"
#include "postcopy.h"

#define KMIG_FS_MAGIC	0x6b6d6967	/* "kmig" */

/* Region ids start at 1; an id is reserved (NULL) until the region is ready. */
static DEFINE_XARRAY_ALLOC1(kmig_regions);

static struct vfsmount *kmig_mnt;
static const struct kmig_region_attach *kmig_region_attach;
static int kmig_mnt_count;

static struct {
	atomic_t regions;
	atomic_long_t populated_pages;
	atomic64_t faults;
	atomic64_t alloc_failures;
	atomic64_t mmap_refused;
	atomic64_t regions_created;
	atomic64_t scans;
} kmig_gstats;

static int kmig_fs_init_fs_context(struct fs_context *fc)
{
	return init_pseudo(fc, KMIG_FS_MAGIC) ? 0 : -ENOMEM;
}

/*
 * No .owner: the module mounts this itself for its whole life, and a
 * module reference from the mount would make it impossible to unload.
 * Every inode on it belongs to a region, and every region to an open
 * file of /dev/kmig, which holds the module.
 */
static struct file_system_type kmig_fs_type = {
	.name = "kmig",
	.init_fs_context = kmig_fs_init_fs_context,
	.kill_sb = kill_anon_super,
};

void kmig_region_set_attach(const struct kmig_region_attach *attach)
{
	kmig_region_attach = attach;
}

struct kmig_region *kmig_region_create(void)
{
	struct kmig_region *region;
	kuid_t uid = current_euid();
	u32 id;
	int ret;

	ret = kmig_limits_region_charge(uid);
	if (ret)
		return ERR_PTR(ret);

	region = kzalloc(sizeof(*region), GFP_KERNEL_ACCOUNT);
	if (!region) {
		kmig_limits_region_uncharge(uid);
		return ERR_PTR(-ENOMEM);
	}

	region->uid = uid;
	kref_init(&region->ref);
	mutex_init(&region->lock);
	xa_init(&region->pages);
	atomic_long_set(&region->populated, 0);
	atomic_set(&region->mappings, 0);
	region->owner = get_task_pid(current, PIDTYPE_TGID);
	get_task_comm(region->owner_comm, current);
	region->memcg = current->mm ? get_mem_cgroup_from_mm(current->mm) : NULL;

	region->inode = alloc_anon_inode(kmig_mnt->mnt_sb);
	if (IS_ERR(region->inode)) {
		ret = PTR_ERR(region->inode);
		region->inode = NULL;
		goto err_free;
	}

	/* Reserve the id; lookups see NULL until the region is complete. */
	ret = xa_alloc(&kmig_regions, &id, NULL, xa_limit_31b, GFP_KERNEL);
	if (ret)
		goto err_free;
	region->id = id;

	if (kmig_region_attach) {
		ret = kmig_region_attach->added(region);
		if (ret)
			goto err_id;
	}

	xa_store(&kmig_regions, id, region, GFP_KERNEL);
	atomic_inc(&kmig_gstats.regions);
	atomic64_inc(&kmig_gstats.regions_created);
	return region;

err_id:
	xa_erase(&kmig_regions, id);
err_free:
	if (region->inode)
		iput(region->inode);
	mem_cgroup_put(region->memcg);
	put_pid(region->owner);
	kfree(region);
	kmig_limits_region_uncharge(uid);
	return ERR_PTR(ret);
}

static void kmig_region_free_pages(struct kmig_region *region)
{
	struct page *page;
	unsigned long index, n = 0;

	xa_for_each(&region->pages, index, page) {
		put_page(page);
		if (!(++n % 4096))
			cond_resched();
	}
	xa_destroy(&region->pages);
	atomic_long_sub(n, &kmig_gstats.populated_pages);
}

static void kmig_region_release(struct kref *ref)
{
	struct kmig_region *region = container_of(ref, struct kmig_region, ref);

	xa_erase(&kmig_regions, region->id);
	/* Waits for sysfs readers of this region to finish. */
	if (kmig_region_attach)
		kmig_region_attach->removed(region);
	/* The last reference: no fault or collection can see it. */
	kvfree(rcu_dereference_protected(region->dirty_bitmap, 1));
	kmig_postcopy_put(rcu_dereference_protected(region->postcopy, 1));
	kmig_region_free_pages(region);
	iput(region->inode);
	mem_cgroup_put(region->memcg);
	put_pid(region->owner);
	atomic_dec(&kmig_gstats.regions);
	kmig_limits_region_uncharge(region->uid);
	kfree(region);
}

void kmig_region_get(struct kmig_region *region)
{
	kref_get(&region->ref);
}

void kmig_region_put(struct kmig_region *region)
{
	if (region)
		kref_put(&region->ref, kmig_region_release);
}

struct kmig_region *kmig_region_find(u32 id)
{
	struct kmig_region *region;

	xa_lock(&kmig_regions);
	region = xa_load(&kmig_regions, id);
	if (region && !kref_get_unless_zero(&region->ref))
		region = NULL;
	xa_unlock(&kmig_regions);
	return region;
}

struct kmig_region *kmig_region_find_next(u32 *id)
{
	struct kmig_region *region;
	unsigned long index = *id;

	xa_lock(&kmig_regions);
	for (region = xa_find(&kmig_regions, &index, U32_MAX, XA_PRESENT);
	     region;
	     region = xa_find_after(&kmig_regions, &index, U32_MAX, XA_PRESENT)) {
		if (kref_get_unless_zero(&region->ref))
			break;
	}
	xa_unlock(&kmig_regions);
	if (region)
		*id = index;
	return region;
}

struct address_space *kmig_region_mapping(struct kmig_region *region)
{
	return region->inode->i_mapping;
}

int kmig_region_map(struct kmig_region *region, pgoff_t pgoff,
		    unsigned long npages)
{
	u64 max = kmig_params_region_size_max();
	int ret = 0;

	if (!npages)
		return -EINVAL;

	mutex_lock(&region->lock);
	if (!region->npages) {
		if (pgoff) {
			ret = -ENXIO;
		} else if (npages > (max >> PAGE_SHIFT)) {
			ret = -EFBIG;
		} else {
			region->size = (u64)npages << PAGE_SHIFT;
			WRITE_ONCE(region->npages, npages);
		}
	} else if (pgoff >= region->npages ||
		   npages > region->npages - pgoff) {
		ret = -ENXIO;
	}
	mutex_unlock(&region->lock);
	return ret;
}

/*
 * One more page in the regions, within max_memory: counted before the
 * page is allocated, so concurrent faults cannot overshoot the limit
 * together. kmig_region_uncharge() gives it back if it is not inserted.
 */
static int kmig_region_charge(struct kmig_region *region, const char *what)
{
	long n = atomic_long_inc_return(&kmig_gstats.populated_pages);

	if (kmig_limits_memory_allows(n))
		return 0;
	atomic_long_dec(&kmig_gstats.populated_pages);
	kmig_limits_memory_refused(region->id, what, n - 1);
	return -ENOSPC;
}

static void kmig_region_uncharge(void)
{
	atomic_long_dec(&kmig_gstats.populated_pages);
}

int kmig_region_may_populate(struct kmig_region *region, pgoff_t first,
			     pgoff_t end)
{
	unsigned long index, present = 0, need;
	struct page *page;
	long now;

	if (end <= first)
		return 0;
	xa_for_each_range(&region->pages, index, page, first, end - 1) {
		if (!(++present % 4096))
			cond_resched();
	}
	need = end - first - present;
	now = atomic_long_read(&kmig_gstats.populated_pages);
	if (kmig_limits_memory_allows(now + need))
		return 0;
	kmig_limits_memory_refused(region->id, "KMIG_IOC_PREALLOC", now);
	return -ENOSPC;
}

struct page *kmig_region_peek_page(struct kmig_region *region, pgoff_t index)
{
	return xa_load(&region->pages, index);
}

bool kmig_region_any_page(struct kmig_region *region, pgoff_t first,
			  pgoff_t last)
{
	unsigned long index = first;

	return xa_find(&region->pages, &index, last, XA_PRESENT);
}

struct page *kmig_region_get_page(struct kmig_region *region, pgoff_t index,
				  bool alloc)
{
	struct mem_cgroup *old_memcg;
	struct page *page, *old;

	if (index >= kmig_region_npages(region))
		return ERR_PTR(-ENXIO);

	/*
	 * Pages leave the xarray only when the region is freed, and the
	 * caller holds a reference to the region: no RCU dance needed.
	 */
	page = xa_load(&region->pages, index);
	if (page) {
		get_page(page);
		return page;
	}
	if (!alloc)
		return NULL;
	if (kmig_region_charge(region, "page allocation")) {
		/* At the limit, but another fault may have won the race. */
		page = xa_load(&region->pages, index);
		if (!page)
			return ERR_PTR(-ENOSPC);
		get_page(page);
		return page;
	}

	/* Charge the page and the index nodes to the region owner's memcg. */
	old_memcg = set_active_memcg(region->memcg);
	page = alloc_page(GFP_HIGHUSER | __GFP_ZERO | __GFP_ACCOUNT |
			  __GFP_NOWARN);
	if (page)
		old = xa_cmpxchg(&region->pages, index, NULL, page,
				 GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	set_active_memcg(old_memcg);

	if (!page)
		goto enomem;
	if (xa_is_err(old)) {
		__free_page(page);
		goto enomem;
	}
	if (old) {
		/* Another fault got there first. */
		kmig_region_uncharge();
		__free_page(page);
		page = old;
	} else {
		atomic_long_inc(&region->populated);
	}
	get_page(page);
	return page;

enomem:
	kmig_region_uncharge();
	atomic64_inc(&region->stats.alloc_failures);
	atomic64_inc(&kmig_gstats.alloc_failures);
	return ERR_PTR(-ENOMEM);
}

struct page *kmig_region_alloc_page(struct kmig_region *region)
{
	struct mem_cgroup *old_memcg;
	struct page *page;

	old_memcg = set_active_memcg(region->memcg);
	/*
	 * For a migration's receive path, on behalf of the region's owner:
	 * at its memory cgroup's limit this fails (the migration fails with
	 * -ENOMEM) instead of invoking the OOM killer on the owner.
	 */
	page = alloc_page(GFP_HIGHUSER | __GFP_ACCOUNT | __GFP_NOWARN |
			  __GFP_RETRY_MAYFAIL);
	set_active_memcg(old_memcg);
	if (!page) {
		atomic64_inc(&region->stats.alloc_failures);
		atomic64_inc(&kmig_gstats.alloc_failures);
	}
	return page;
}

int kmig_region_install_page(struct kmig_region *region, pgoff_t index,
			     struct page *page)
{
	struct mem_cgroup *old_memcg;
	struct page *old;

	/* Pages leave only with the region: one that is there stays. */
	old = xa_load(&region->pages, index);
	if (!old && kmig_region_charge(region, "migrated page")) {
		/* At the limit, but a fault may have put a page there. */
		old = xa_load(&region->pages, index);
		if (!old) {
			__free_page(page);
			return -ENOSPC;
		}
	}
	if (old) {
		copy_highpage(old, page);
		__free_page(page);
		return 0;
	}
	old_memcg = set_active_memcg(region->memcg);
	old = xa_cmpxchg(&region->pages, index, NULL, page,
			 GFP_KERNEL_ACCOUNT | __GFP_NOWARN | __GFP_RETRY_MAYFAIL);
	set_active_memcg(old_memcg);
	if (xa_is_err(old)) {
		kmig_region_uncharge();
		__free_page(page);
		atomic64_inc(&region->stats.alloc_failures);
		atomic64_inc(&kmig_gstats.alloc_failures);
		return -ENOMEM;
	}
	if (old) {
		/* Touched meanwhile: keep that page, with the new contents. */
		kmig_region_uncharge();
		copy_highpage(old, page);
		__free_page(page);
		return 0;
	}
	atomic_long_inc(&region->populated);
	return 0;
}

/* The next KMIG_ZC_FPU_BATCH pages (fewer at the end) after @xas's. */
static unsigned int kmig_region_next_batch(struct xa_state *xas,
					   struct page **batch)
{
	unsigned int n = 0;
	struct page *page;

	rcu_read_lock();
	xas_for_each(xas, page, ULONG_MAX) {
		if (xas_retry(xas, page))
			continue;
		batch[n++] = page;
		if (n == KMIG_ZC_FPU_BATCH) {
			xas_pause(xas);
			break;
		}
	}
	rcu_read_unlock();
	return n;
}

/* make bench's "before" (KMIG_OPT_WALK off): one xa_find() per page. */
static unsigned int kmig_region_next_batch_find(struct kmig_region *region,
						unsigned long *index,
						struct page **batch)
{
	unsigned int n = 0;
	struct page *page;

	while (n < KMIG_ZC_FPU_BATCH && *index != ULONG_MAX) {
		page = xa_find(&region->pages, index, ULONG_MAX, XA_PRESENT);
		if (!page) {
			*index = ULONG_MAX;
			break;
		}
		batch[n++] = page;
		if (*index != ULONG_MAX)
			(*index)++;
	}
	return n;
}

int kmig_region_scan(struct kmig_region *region, enum kmig_zero_check impl,
		     struct kmig_scan_result *res)
{
	DECLARE_BITMAP(zero_map, KMIG_ZC_FPU_BATCH);
	struct page *batch[KMIG_ZC_FPU_BATCH];
	XA_STATE(xas, &region->pages, 0);
	unsigned long index = 0;
	unsigned int n, zero;
	u64 start;
	int ret = 0;

	if (impl == KMIG_ZERO_CHECK_AUTO)
		impl = kmig_zerocheck_active();

	memset(res, 0, sizeof(*res));
	res->region_id = region->id;
	res->impl = impl;
	res->pages = kmig_region_npages(region);

	start = ktime_get_ns();
	/*
	 * Pages stay in the xarray until the region is freed and the caller
	 * holds a region reference, so the pointers stay valid once read,
	 * also after the RCU read lock is let go. One xa_state walks the
	 * index from entry to entry, a batch at a time.
	 */
	do {
		n = kmig_opt(KMIG_OPT_WALK) ?
			kmig_region_next_batch(&xas, batch) :
			kmig_region_next_batch_find(region, &index, batch);
		if (!n)
			break;
		zero = kmig_pages_zero_batch_impl(impl, batch, n, zero_map);
		res->populated_pages += n;
		res->zero_pages += zero;
		if (fatal_signal_pending(current)) {
			ret = -EINTR;
			break;
		}
		cond_resched();
	} while (n == KMIG_ZC_FPU_BATCH);
	res->time_ns = ktime_get_ns() - start;
	res->normal_pages = res->populated_pages - res->zero_pages;
	res->zero_pages += res->pages - min(res->pages, res->populated_pages);
	kmig_region_count_scan();
	return ret;
}

void kmig_region_set_postcopy(struct kmig_region *region,
			      struct kmig_postcopy *pc)
{
	struct kmig_postcopy *old;

	if (pc)
		kmig_postcopy_get(pc);
	mutex_lock(&region->lock);
	old = rcu_replace_pointer(region->postcopy, pc,
				  lockdep_is_held(&region->lock));
	mutex_unlock(&region->lock);
	if (old) {
		/* Faults that found it under RCU hold their own reference. */
		synchronize_rcu();
		kmig_postcopy_put(old);
	}
}

struct kmig_postcopy *kmig_region_postcopy_missing(struct kmig_region *region,
						   pgoff_t index)
{
	struct kmig_postcopy *pc;

	rcu_read_lock();
	pc = rcu_dereference(region->postcopy);
	if (pc && (!kmig_postcopy_is_missing(pc, index) ||
		   !kref_get_unless_zero(&pc->ref)))
		pc = NULL;
	rcu_read_unlock();
	return pc;
}

void kmig_region_unmap_all(struct kmig_region *region)
{
	unmap_mapping_range(kmig_region_mapping(region), 0, 0, 0);
}

void kmig_region_count_fault(struct kmig_region *region)
{
	atomic64_inc(&region->stats.faults);
	atomic64_inc(&kmig_gstats.faults);
}

void kmig_region_count_refused_mmap(void)
{
	atomic64_inc(&kmig_gstats.mmap_refused);
}

void kmig_region_count_scan(void)
{
	atomic64_inc(&kmig_gstats.scans);
}

void kmig_global_stats_read(struct kmig_global_stats *s)
{
	s->regions = atomic_read(&kmig_gstats.regions);
	s->populated_pages = atomic_long_read(&kmig_gstats.populated_pages);
	s->faults = atomic64_read(&kmig_gstats.faults);
	s->alloc_failures = atomic64_read(&kmig_gstats.alloc_failures);
	s->mmap_refused = atomic64_read(&kmig_gstats.mmap_refused);
	s->regions_created = atomic64_read(&kmig_gstats.regions_created);
	s->scans = atomic64_read(&kmig_gstats.scans);
}

int kmig_region_init(void)
{
	return simple_pin_fs(&kmig_fs_type, &kmig_mnt, &kmig_mnt_count);
}

void kmig_region_uninit(void)
{
	/* Every region holds a module reference through its file. */
	WARN_ON(!xa_empty(&kmig_regions));
	simple_release_fs(&kmig_mnt, &kmig_mnt_count);
}
