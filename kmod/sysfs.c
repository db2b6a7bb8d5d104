// SPDX-License-Identifier: GPL-2.0
/*
 * sysfs view of kmig under /sys/kernel/kmig/.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kobject.h>
#include <linux/sysfs.h>
#include <linux/slab.h>
#include <linux/pid.h>
#include <linux/kernel.h>
#include <linux/string.h>

#include "sysfs.h"
#include "region.h"
#include "params.h"
#include "zerocheck.h"
#include "main.h"

static struct kobject *kmig_kobj;
static struct kobject *kmig_regions_kobj;

/* Parameters */

static ssize_t channels_show(struct kobject *kobj, struct kobj_attribute *attr,
			     char *buf)
{
	return sysfs_emit(buf, "%u\n", kmig_params_channels());
}

static ssize_t channels_store(struct kobject *kobj, struct kobj_attribute *attr,
			      const char *buf, size_t count)
{
	const char *why;
	unsigned int n;
	int ret;

	ret = kstrtouint(buf, 0, &n);
	if (ret)
		return ret;
	ret = kmig_params_set_channels(n, &why);
	return ret ? ret : count;
}

static ssize_t zero_page_detection_show(struct kobject *kobj,
					struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%s\n",
			  kmig_zero_detect_name(kmig_params_zero_detect()));
}

static ssize_t zero_page_detection_store(struct kobject *kobj,
					 struct kobj_attribute *attr,
					 const char *buf, size_t count)
{
	const char *why;
	int mode, ret;

	mode = kmig_zero_detect_parse(buf);
	if (mode < 0)
		return mode;
	ret = kmig_params_set_zero_detect(mode, &why);
	return ret ? ret : count;
}

static ssize_t zero_check_show(struct kobject *kobj,
			       struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%s\n",
			  kmig_zerocheck_name(kmig_zerocheck_requested()));
}

static ssize_t zero_check_store(struct kobject *kobj,
				struct kobj_attribute *attr,
				const char *buf, size_t count)
{
	char name[16];
	int impl, ret;

	strscpy(name, buf, sizeof(name));
	strim(name);
	impl = kmig_zerocheck_parse(name);
	if (impl < 0)
		return impl;
	ret = kmig_zerocheck_select(impl);
	return ret ? ret : count;
}

static ssize_t zero_check_active_show(struct kobject *kobj,
				      struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%s\n",
			  kmig_zerocheck_name(kmig_zerocheck_active()));
}

static ssize_t zero_check_available_show(struct kobject *kobj,
					 struct kobj_attribute *attr, char *buf)
{
	u32 avail = kmig_zerocheck_available();
	const char *name;
	int len = 0, i;

	for (i = 0; (name = kmig_zerocheck_name(i)); i++)
		if (avail & BIT(i))
			len += sysfs_emit_at(buf, len, "%s%s", len ? " " : "",
					     name);
	len += sysfs_emit_at(buf, len, "\n");
	return len;
}

static ssize_t max_region_size_show(struct kobject *kobj,
				    struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%llu\n", kmig_params_region_size_max());
}

static ssize_t version_show(struct kobject *kobj, struct kobj_attribute *attr,
			    char *buf)
{
	return sysfs_emit(buf, "%s\n", KMIG_VERSION);
}

static struct kobj_attribute kmig_attr_channels = __ATTR_RW(channels);
static struct kobj_attribute kmig_attr_zero_page_detection =
	__ATTR_RW(zero_page_detection);
static struct kobj_attribute kmig_attr_zero_check = __ATTR_RW(zero_check);
static struct kobj_attribute kmig_attr_zero_check_active =
	__ATTR_RO(zero_check_active);
static struct kobj_attribute kmig_attr_zero_check_available =
	__ATTR_RO(zero_check_available);
static struct kobj_attribute kmig_attr_max_region_size =
	__ATTR_RO(max_region_size);
static struct kobj_attribute kmig_attr_version = __ATTR_RO(version);

static struct attribute *kmig_param_attrs[] = {
	&kmig_attr_channels.attr,
	&kmig_attr_zero_page_detection.attr,
	&kmig_attr_zero_check.attr,
	&kmig_attr_zero_check_active.attr,
	&kmig_attr_zero_check_available.attr,
	&kmig_attr_max_region_size.attr,
	&kmig_attr_version.attr,
	NULL
};

static const struct attribute_group kmig_param_group = {
	.attrs = kmig_param_attrs,
};

/* Module counters: /sys/kernel/kmig/stats/ */

#define KMIG_STAT_ATTR(_name, _fmt, _expr)				\
static ssize_t stat_##_name##_show(struct kobject *kobj,		\
				   struct kobj_attribute *attr, char *buf) \
{									\
	struct kmig_global_stats s;					\
									\
	kmig_global_stats_read(&s);					\
	return sysfs_emit(buf, _fmt "\n", _expr);			\
}									\
static struct kobj_attribute kmig_stat_attr_##_name =			\
	__ATTR(_name, 0444, stat_##_name##_show, NULL)

KMIG_STAT_ATTR(regions, "%u", s.regions);
KMIG_STAT_ATTR(populated_pages, "%llu", s.populated_pages);
KMIG_STAT_ATTR(faults, "%llu", s.faults);
KMIG_STAT_ATTR(alloc_failures, "%llu", s.alloc_failures);
KMIG_STAT_ATTR(mmap_refused, "%llu", s.mmap_refused);
KMIG_STAT_ATTR(regions_created, "%llu", s.regions_created);
KMIG_STAT_ATTR(scans, "%llu", s.scans);

static struct attribute *kmig_stat_attrs[] = {
	&kmig_stat_attr_regions.attr,
	&kmig_stat_attr_populated_pages.attr,
	&kmig_stat_attr_faults.attr,
	&kmig_stat_attr_alloc_failures.attr,
	&kmig_stat_attr_mmap_refused.attr,
	&kmig_stat_attr_regions_created.attr,
	&kmig_stat_attr_scans.attr,
	NULL
};

static const struct attribute_group kmig_stat_group = {
	.name = "stats",
	.attrs = kmig_stat_attrs,
};

/* Regions: /sys/kernel/kmig/regions/<id>/ */

struct kmig_sysfs_region {
	struct kobject kobj;
	struct kmig_region *region;	/* valid until kobject_del() returns */
};

static struct kmig_region *to_region(struct kobject *kobj)
{
	return container_of(kobj, struct kmig_sysfs_region, kobj)->region;
}

#define KMIG_REGION_ATTR(_name, _fmt, _expr)				\
static ssize_t region_##_name##_show(struct kobject *kobj,		\
				     struct kobj_attribute *attr, char *buf) \
{									\
	struct kmig_region *r __maybe_unused = to_region(kobj);	\
									\
	return sysfs_emit(buf, _fmt "\n", _expr);			\
}									\
static struct kobj_attribute kmig_region_attr_##_name =		\
	__ATTR(_name, 0444, region_##_name##_show, NULL)

KMIG_REGION_ATTR(size, "%llu", (u64)kmig_region_npages(r) << PAGE_SHIFT);
KMIG_REGION_ATTR(page_size, "%lu", PAGE_SIZE);
KMIG_REGION_ATTR(populated_pages, "%lu", kmig_region_populated(r));
KMIG_REGION_ATTR(owner_pid, "%d", pid_vnr(r->owner));
KMIG_REGION_ATTR(owner_comm, "%s", r->owner_comm);
KMIG_REGION_ATTR(mappings, "%d", atomic_read(&r->mappings));
KMIG_REGION_ATTR(faults, "%lld", atomic64_read(&r->stats.faults));
KMIG_REGION_ATTR(alloc_failures, "%lld",
		 atomic64_read(&r->stats.alloc_failures));
KMIG_REGION_ATTR(zero_pages, "%lld", atomic64_read(&r->stats.zero_pages));
KMIG_REGION_ATTR(zero_bytes, "%lld", atomic64_read(&r->stats.zero_bytes));
KMIG_REGION_ATTR(normal_pages, "%lld", atomic64_read(&r->stats.normal_pages));
KMIG_REGION_ATTR(normal_bytes, "%lld", atomic64_read(&r->stats.normal_bytes));

static struct attribute *kmig_region_attrs[] = {
	&kmig_region_attr_size.attr,
	&kmig_region_attr_page_size.attr,
	&kmig_region_attr_populated_pages.attr,
	&kmig_region_attr_owner_pid.attr,
	&kmig_region_attr_owner_comm.attr,
	&kmig_region_attr_mappings.attr,
	&kmig_region_attr_faults.attr,
	&kmig_region_attr_alloc_failures.attr,
	&kmig_region_attr_zero_pages.attr,
	&kmig_region_attr_zero_bytes.attr,
	&kmig_region_attr_normal_pages.attr,
	&kmig_region_attr_normal_bytes.attr,
	NULL
};
ATTRIBUTE_GROUPS(kmig_region);

static void kmig_sysfs_region_release(struct kobject *kobj)
{
	kfree(container_of(kobj, struct kmig_sysfs_region, kobj));
}

static const struct kobj_type kmig_region_ktype = {
	.release = kmig_sysfs_region_release,
	.sysfs_ops = &kobj_sysfs_ops,
	.default_groups = kmig_region_groups,
};

int kmig_sysfs_region_add(struct kmig_region *region)
{
	struct kmig_sysfs_region *sr;
	int ret;

	sr = kzalloc(sizeof(*sr), GFP_KERNEL);
	if (!sr)
		return -ENOMEM;
	sr->region = region;
	ret = kobject_init_and_add(&sr->kobj, &kmig_region_ktype,
				   kmig_regions_kobj, "%u", region->id);
	if (ret) {
		kobject_put(&sr->kobj);
		return ret;
	}
	region->sysfs = sr;
	return 0;
}

void kmig_sysfs_region_del(struct kmig_region *region)
{
	struct kmig_sysfs_region *sr = region->sysfs;

	if (!sr)
		return;
	kobject_del(&sr->kobj);
	sr->region = NULL;
	kobject_put(&sr->kobj);
	region->sysfs = NULL;
}

int kmig_sysfs_init(void)
{
	int ret;

	kmig_kobj = kobject_create_and_add("kmig", kernel_kobj);
	if (!kmig_kobj)
		return -ENOMEM;

	ret = sysfs_create_group(kmig_kobj, &kmig_param_group);
	if (ret)
		goto err_kobj;

	ret = sysfs_create_group(kmig_kobj, &kmig_stat_group);
	if (ret)
		goto err_params;

	kmig_regions_kobj = kobject_create_and_add("regions", kmig_kobj);
	if (!kmig_regions_kobj) {
		ret = -ENOMEM;
		goto err_stats;
	}
	return 0;

err_stats:
	sysfs_remove_group(kmig_kobj, &kmig_stat_group);
err_params:
	sysfs_remove_group(kmig_kobj, &kmig_param_group);
err_kobj:
	kobject_put(kmig_kobj);
	return ret;
}

void kmig_sysfs_uninit(void)
{
	kobject_put(kmig_regions_kobj);
	sysfs_remove_group(kmig_kobj, &kmig_stat_group);
	sysfs_remove_group(kmig_kobj, &kmig_param_group);
	kobject_put(kmig_kobj);
}
