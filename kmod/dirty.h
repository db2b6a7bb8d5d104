/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Dirty tracking of a region, owned by kmig: the region's shared mappings
 * are write-notify mappings (the VMA has a page_mkwrite handler, so the
 * kernel maps pages read-only until the first write), and while tracking
 * is on, that first write sets the page's bit in the region's dirty
 * bitmap. Collecting the bitmap takes the bits and then zaps every user
 * mapping of the region, so the next write to any page faults again. This
 * catches every writer of the mapping: the VMM's threads, a TCG guest, and
 * KVM, whose MMU notifier drops its mappings on the zap and which faults
 * in with a write fault before writing.
 */
#ifndef _KMIG_DIRTY_H
#define _KMIG_DIRTY_H

#include <linux/types.h>

struct kmig_region;

/* Start tracking (allocates the bitmap, write-protects the mappings). */
int kmig_dirty_start(struct kmig_region *region);
void kmig_dirty_stop(struct kmig_region *region);
bool kmig_dirty_tracking(struct kmig_region *region);

/* A write fault on @index (from page_mkwrite). */
void kmig_dirty_mark(struct kmig_region *region, pgoff_t index);

/*
 * Move every set bit into @out (zeroed by the caller, npages bits) and
 * write-protect the region again; returns the number of pages moved.
 * Writes after the bit was taken fault and set it again for the next
 * collection.
 */
unsigned long kmig_dirty_collect(struct kmig_region *region,
				 unsigned long *out);

/* Merge a dirty bitmap pushed by the VMM (e.g. from KVM's dirty log). */
int kmig_dirty_merge(struct kmig_region *region, u64 first,
		     const unsigned long *bits, u64 nbits);

/* Bits set now (an estimate while writers run). */
unsigned long kmig_dirty_count(struct kmig_region *region);

#endif /* _KMIG_DIRTY_H */
