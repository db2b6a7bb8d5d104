// SPDX-License-Identifier: GPL-2.0
/*
 * kmig: in-kernel live migration of guest memory.
 *
 * Module entry: brings the pieces up in dependency order and takes them
 * down in reverse.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/init.h>

#include "version.h"
#include "params.h"
#include "limits.h"
#include "zerocheck.h"
#include "region.h"
#include "device.h"
#include "netlink.h"
#include "sysfs.h"
#include "migration.h"
#include "bench.h"
#include "prof.h"

static int __init kmig_mod_init(void)
{
	int ret;

	ret = kmig_params_init();
	if (ret)
		return ret;

	ret = kmig_limits_init();
	if (ret)
		goto err_params;

	ret = kmig_zerocheck_init();
	if (ret)
		goto err_limits;

	ret = kmig_region_init();
	if (ret)
		goto err_zerocheck;

	ret = kmig_sysfs_init();
	if (ret)
		goto err_region;

	ret = kmig_migration_init();
	if (ret)
		goto err_sysfs;

	ret = kmig_device_init();
	if (ret)
		goto err_migration;

	ret = kmig_netlink_init();
	if (ret)
		goto err_device;
	kmig_bench_init();
	kmig_prof_init();

	pr_info("loaded (version %s, zero check %s, page size %lu)\n",
		KMIG_VERSION,
		kmig_zerocheck_name(kmig_zerocheck_active()), PAGE_SIZE);
	return 0;

err_device:
	kmig_device_uninit();
err_migration:
	kmig_migration_uninit();
err_sysfs:
	kmig_sysfs_uninit();
err_region:
	kmig_region_uninit();
err_zerocheck:
	kmig_zerocheck_uninit();
err_limits:
	kmig_limits_uninit();
err_params:
	kmig_params_uninit();
	return ret;
}

static void __exit kmig_mod_exit(void)
{
	kmig_prof_uninit();
	kmig_bench_uninit();
	kmig_netlink_uninit();
	kmig_device_uninit();
	kmig_migration_uninit();
	kmig_sysfs_uninit();
	kmig_region_uninit();
	kmig_zerocheck_uninit();
	kmig_limits_uninit();
	kmig_params_uninit();
	pr_info("unloaded\n");
}

module_init(kmig_mod_init);
module_exit(kmig_mod_exit);

MODULE_LICENSE("GPL");
MODULE_SOFTDEP("pre: hmac sha256 crc32c");
MODULE_DESCRIPTION("In-kernel live migration of guest memory");
MODULE_AUTHOR("The kmig developers");
MODULE_VERSION(KMIG_VERSION);
