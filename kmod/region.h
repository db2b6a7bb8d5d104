/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest memory regions. A region is created by opening /dev/kmig and
 * sized by the first mmap of that file. Its pages are allocated on first
 * touch and kept in an xarray indexed by page offset, so a huge region
 * costs nothing until it is used and kmig can walk exactly the pages that
 * were touched. Each region has an address_space of its own (on a private
 * pseudo-filesystem inode) holding its mappings, so kmig can find and
 * write-protect every user mapping of one region.
 */
#ifndef _KMIG_REGION_H
#define _KMIG_REGION_H

#include <linux/types.h>
#include <linux/kref.h>
#include <linux/mutex.h>
#include <linux/xarray.h>
#include <linux/atomic.h>
#include <linux/sched.h>
#include <linux/uidgid.h>
#include <uapi/linux/kmig.h>

struct page;
struct pid;
struct inode;
struct mem_cgroup;
struct kmig_sysfs_region;
struct kmig_mig;
struct kmig_region;
struct kmig_postcopy;

/*
 * What the layer above regions (sysfs.c) attaches to each region for the
 * region's whole life, without region.c depending on it: added() runs in
 * kmig_region_create() before the region can be looked up (an error fails
 * the creation), removed() in the region's release, before its pages are
 * freed, and must wait for the attachment's users to finish. Set once by
 * that layer's init, before /dev/kmig exists, and cleared by its uninit
 * after the device is gone.
 */
struct kmig_region_attach {
	int (*added)(struct kmig_region *region);
	void (*removed)(struct kmig_region *region);
};

struct kmig_region_stats {
	atomic64_t faults;
	atomic64_t alloc_failures;
	/* Migration counters, sent on a source and received on a target. */
	atomic64_t zero_pages;
	atomic64_t zero_bytes;
	atomic64_t normal_pages;
	atomic64_t normal_bytes;
};

struct kmig_region {
	struct kref ref;
	u32 id;

	/* Serialises sizing; size and npages never change once set. */
	struct mutex lock;
	u64 size;
	pgoff_t npages;

	/* Page offset -> struct page *, one reference held per entry. */
	struct xarray pages;
	atomic_long_t populated;
	atomic_t mappings;

	struct inode *inode;
	struct pid *owner;
	/* Charged with one region under max_regions_per_user. */
	kuid_t uid;
	char owner_comm[TASK_COMM_LEN];
	struct mem_cgroup *memcg;

	struct kmig_region_stats stats;
	struct kmig_sysfs_region *sysfs;
	/*
	 * Dirty tracking (dirty.c): NULL when off. Set and cleared under
	 * @lock; faults set bits under rcu_read_lock(), and the bitmap is
	 * freed only after a grace period.
	 */
	unsigned long __rcu *dirty_bitmap;
	atomic_long_t dirty_count;

	/* Current or last migration, under the migration mutex. */
	struct kmig_mig *mig;

	/*
	 * Postcopy destination: the missing-page map its fault handler
	 * consults, with a reference; NULL outside postcopy. Published when
	 * postcopy begins, withdrawn when nothing is missing any more; a
	 * failed one stays (its faults get SIGBUS) until the next migration
	 * of the region or its release.
	 */
	struct kmig_postcopy __rcu *postcopy;
	/*
	 * A postcopy of this region failed after the guest ran on the
	 * destination: neither side holds all of its memory, and the region
	 * takes no new migration (READ_ONCE/WRITE_ONCE; only ever set).
	 */
	bool postcopy_lost;
};

/* Module-wide counters. */
struct kmig_global_stats {
	u32 regions;
	u64 populated_pages;
	u64 faults;
	u64 alloc_failures;
	u64 mmap_refused;
	u64 regions_created;
	u64 scans;
};

void kmig_region_set_attach(const struct kmig_region_attach *attach);

int kmig_region_init(void);
void kmig_region_uninit(void);

struct kmig_region *kmig_region_create(void);
void kmig_region_get(struct kmig_region *region);
void kmig_region_put(struct kmig_region *region);

/* Look up a region by id, with a reference, or NULL. */
struct kmig_region *kmig_region_find(u32 id);
/* First region with id >= *id, with a reference; *id is set to its id. */
struct kmig_region *kmig_region_find_next(u32 *id);

/* Address space the region's mappings live in. */
struct address_space *kmig_region_mapping(struct kmig_region *region);

/*
 * Check a mapping of @npages pages at page offset @pgoff. The first one
 * sizes the region (and must start at offset 0); later ones must lie
 * inside it. Returns 0, -ENXIO (outside the region), -EFBIG (over
 * max_region_size) or -EINVAL.
 */
int kmig_region_map(struct kmig_region *region, pgoff_t pgoff,
		    unsigned long npages);

static inline pgoff_t kmig_region_npages(const struct kmig_region *region)
{
	return READ_ONCE(region->npages);
}

/*
 * The page at @index with a reference the caller drops with put_page(),
 * allocating it (zeroed, charged to the owner's memory cgroup) when
 * @alloc is set and it was never touched. Returns NULL for a never-touched
 * page when !@alloc, ERR_PTR(-ENXIO) past the end, ERR_PTR(-ENOMEM), or
 * ERR_PTR(-ENOSPC) when max_memory is reached.
 */
struct page *kmig_region_get_page(struct kmig_region *region, pgoff_t index,
				  bool alloc);
/* Is any page of [@first, @last] populated? One index walk. */
bool kmig_region_any_page(struct kmig_region *region, pgoff_t first,
			  pgoff_t last);

/*
 * For a migration destination: a page charged to the region owner's
 * memory cgroup but not yet in the region (contents undefined), filled and
 * then installed with kmig_region_install_page(), or freed with
 * __free_page() if the data never came.
 */
struct page *kmig_region_alloc_page(struct kmig_region *region);
/*
 * Install @page at @index, taking over the caller's reference. If a page
 * appeared there meanwhile, @page's contents are copied into it and @page
 * is freed. 0, -ENOMEM, or -ENOSPC (max_memory reached; @page is freed).
 */
int kmig_region_install_page(struct kmig_region *region, pgoff_t index,
			     struct page *page);

/*
 * Could the never-touched pages among [@first, @end) be allocated under
 * max_memory now? 0, or -ENOSPC (counted and logged as a refusal). For
 * KMIG_IOC_PREALLOC, which then allocates nothing rather than a part.
 */
int kmig_region_may_populate(struct kmig_region *region, pgoff_t first,
			     pgoff_t end);

/* Lookup without a reference, for walks under rcu_read_lock(). */
struct page *kmig_region_peek_page(struct kmig_region *region, pgoff_t index);

static inline unsigned long kmig_region_populated(const struct kmig_region *r)
{
	return atomic_long_read(&r->populated);
}

struct kmig_scan_result {
	u32 region_id;
	enum kmig_zero_check impl;	/* implementation that ran */
	u64 pages;			/* all pages of the region */
	u64 populated_pages;		/* populated pages checked */
	u64 zero_pages;			/* zero populated + never touched */
	u64 normal_pages;		/* populated pages holding data */
	u64 time_ns;
};

/*
 * Check every populated page of @region for zero with @impl (AUTO: the
 * active one). Sleeps between batches; -EINTR on a fatal signal.
 */
int kmig_region_scan(struct kmig_region *region, enum kmig_zero_check impl,
		     struct kmig_scan_result *res);

/*
 * Publish @pc (NULL: withdraw) as the region's postcopy map, taking a
 * reference; the one it replaces is dropped after a grace period. Sleeps.
 */
void kmig_region_set_postcopy(struct kmig_region *region,
			      struct kmig_postcopy *pc);
/* The published map with a reference, if page @index is missing in it. */
struct kmig_postcopy *kmig_region_postcopy_missing(struct kmig_region *region,
						   pgoff_t index);
/*
 * Remove every user mapping of the region's pages, so that each next
 * access faults (and a missing page waits for its contents).
 */
void kmig_region_unmap_all(struct kmig_region *region);

void kmig_region_count_fault(struct kmig_region *region);
void kmig_region_count_refused_mmap(void);
void kmig_region_count_scan(void);
void kmig_global_stats_read(struct kmig_global_stats *stats);

#endif /* _KMIG_REGION_H */
