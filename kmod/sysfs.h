/* SPDX-License-Identifier: GPL-2.0 */
/*
 * /sys/kernel/kmig/: parameters, module counters (stats/) and one
 * directory of counters per region (regions/<id>/), one value per file.
 * Documented in Documentation/ABI/testing/sysfs-kernel-kmig.
 */
#ifndef _KMIG_SYSFS_H
#define _KMIG_SYSFS_H

struct kmig_region;

int kmig_sysfs_init(void);
void kmig_sysfs_uninit(void);

int kmig_sysfs_region_add(struct kmig_region *region);
/* Removes the directory; returns once no reader is inside a show(). */
void kmig_sysfs_region_del(struct kmig_region *region);

#endif /* _KMIG_SYSFS_H */
