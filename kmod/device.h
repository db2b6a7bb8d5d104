/* SPDX-License-Identifier: GPL-2.0 */
/*
 * /dev/kmig: each open creates a region, the first mmap (MAP_SHARED)
 * sizes it, faults allocate its pages.
 */
#ifndef _KMIG_DEVICE_H
#define _KMIG_DEVICE_H

int kmig_device_init(void);
void kmig_device_uninit(void);

#endif /* _KMIG_DEVICE_H */
