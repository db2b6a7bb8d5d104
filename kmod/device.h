/* SPDX-License-Identifier: GPL-2.0 */
/*
 * /dev/kmig: each open creates a region, the first mmap (MAP_SHARED)
 * sizes it, faults allocate its pages.
 */
#ifndef _KMIG_DEVICE_H
#define _KMIG_DEVICE_H

/*
 * The misc minor of /dev/kmig (major 10), fixed so that the node can exist
 * before the module is loaded and its first open loads it, as /dev/kvm and
 * /dev/fuse do: depmod writes "kmig kmig c10:247" to modules.devname from
 * the devname: and char-major-10-247 aliases, and systemd creates the node
 * at boot. 243-254 are "reserved for local use" in
 * Documentation/admin-guide/devices.txt; no in-tree driver takes 247.
 */
#define KMIG_MISC_MINOR 247

int kmig_device_init(void);
void kmig_device_uninit(void);

#endif /* _KMIG_DEVICE_H */
