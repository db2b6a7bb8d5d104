// SPDX-License-Identifier: GPL-2.0
/*
 * Migration parameters: load-time defaults from module parameters, live
 * values changed over netlink and sysfs.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/string.h>
#include <linux/sizes.h>
#include <linux/kernel.h>
#include <linux/mm.h>

#include "params.h"

static const char * const kmig_zero_detect_names[] = {
	[KMIG_ZERO_DETECT_NONE] = "none",
	[KMIG_ZERO_DETECT_MAIN] = "main",
	[KMIG_ZERO_DETECT_CHANNEL] = "channel",
};

/* Load-time values (module parameters, read-only once loaded). */
static unsigned int channels = KMIG_CHANNELS_DEFAULT;
module_param(channels, uint, 0444);
MODULE_PARM_DESC(channels, "Migration channels at load time (1-64, default 2)");

static char *zero_page_detection = "channel";
module_param(zero_page_detection, charp, 0444);
MODULE_PARM_DESC(zero_page_detection,
		 "Zero-page detection at load time: none, main or channel (default)");

static unsigned long long max_region_size = SZ_1T;

static int kmig_param_set_size(const char *val, const struct kernel_param *kp)
{
	unsigned long long size;
	char *end;

	size = memparse(val, &end);
	if (end == val || (*end && *end != '\n'))
		return -EINVAL;
	size = round_down(size, PAGE_SIZE);
	if (!size)
		return -EINVAL;
	*(unsigned long long *)kp->arg = size;
	return 0;
}

static const struct kernel_param_ops kmig_param_size_ops = {
	.set = kmig_param_set_size,
	.get = param_get_ullong,
};

module_param_cb(max_region_size, &kmig_param_size_ops, &max_region_size, 0444);
MODULE_PARM_DESC(max_region_size,
		 "Largest region in bytes, K/M/G/T suffixes allowed (default 1T)");

/* Live values. Writers hold kmig_params_lock; readers use READ_ONCE. */
static DEFINE_MUTEX(kmig_params_lock);
static unsigned int kmig_channels;
static enum kmig_zero_detect kmig_zero_detect;

const char *kmig_zero_detect_name(enum kmig_zero_detect mode)
{
	if ((unsigned int)mode >= ARRAY_SIZE(kmig_zero_detect_names))
		return NULL;
	return kmig_zero_detect_names[mode];
}

int kmig_zero_detect_parse(const char *name)
{
	int i = sysfs_match_string(kmig_zero_detect_names, name);

	return i < 0 ? -EINVAL : i;
}

unsigned int kmig_params_channels(void)
{
	return READ_ONCE(kmig_channels);
}

enum kmig_zero_detect kmig_params_zero_detect(void)
{
	return READ_ONCE(kmig_zero_detect);
}

u64 kmig_params_region_size_max(void)
{
	return max_region_size;
}

int kmig_params_set_channels(unsigned int n, const char **why)
{
	if (n < 1 || n > KMIG_CHANNELS_MAX) {
		*why = "channels must be between 1 and 64";
		return -ERANGE;
	}
	mutex_lock(&kmig_params_lock);
	WRITE_ONCE(kmig_channels, n);
	mutex_unlock(&kmig_params_lock);
	return 0;
}

int kmig_params_set_zero_detect(u32 mode, const char **why)
{
	if (mode >= ARRAY_SIZE(kmig_zero_detect_names)) {
		*why = "zero-page detection must be none, main or channel";
		return -EINVAL;
	}
	mutex_lock(&kmig_params_lock);
	WRITE_ONCE(kmig_zero_detect, mode);
	mutex_unlock(&kmig_params_lock);
	return 0;
}

int kmig_params_init(void)
{
	const char *why = NULL;
	int mode, ret;

	ret = kmig_params_set_channels(channels, &why);
	if (ret) {
		pr_err("channels=%u: %s\n", channels, why);
		return ret;
	}
	mode = kmig_zero_detect_parse(zero_page_detection);
	if (mode < 0) {
		pr_err("zero_page_detection=%s: must be none, main or channel\n",
		       zero_page_detection);
		return mode;
	}
	return kmig_params_set_zero_detect(mode, &why);
}

void kmig_params_uninit(void)
{
}
