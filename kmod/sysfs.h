/* SPDX-License-Identifier: GPL-2.0 */
/*
 * /sys/kernel/kmig/: parameters, module counters (stats/) and one
 * directory of counters per region (regions/<id>/), one value per file.
 * Documented in Documentation/ABI/testing/sysfs-kernel-kmig.
 */
#ifndef _KMIG_SYSFS_H
#define _KMIG_SYSFS_H

int kmig_sysfs_init(void);
void kmig_sysfs_uninit(void);

/*
 * Each region's directory is made and removed through the region's
 * attach hooks (region.h), which kmig_sysfs_init() sets: removing it
 * returns once no reader is inside a show().
 */

#endif /* _KMIG_SYSFS_H */
