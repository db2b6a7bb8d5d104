/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Migration parameters, global to the module. Module parameters give the
 * values at load time; netlink (KMIG_CMD_PARAMS_SET) and sysfs
 * (/sys/kernel/kmig/) change them at run time through the setters here,
 * which validate every value.
 */
#ifndef _KMIG_PARAMS_H
#define _KMIG_PARAMS_H

#include <linux/types.h>
#include <uapi/linux/kmig.h>

int kmig_params_init(void);
void kmig_params_uninit(void);

unsigned int kmig_params_channels(void);
enum kmig_zero_detect kmig_params_zero_detect(void);
u64 kmig_params_region_size_max(void);

/* Return 0, or -ERANGE / -EINVAL with *why set to a message for the user. */
int kmig_params_set_channels(unsigned int channels, const char **why);
int kmig_params_set_zero_detect(u32 mode, const char **why);

const char *kmig_zero_detect_name(enum kmig_zero_detect mode);
int kmig_zero_detect_parse(const char *name);

#endif /* _KMIG_PARAMS_H */
