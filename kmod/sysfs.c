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
#include "migration.h"
#include "params.h"
#include "limits.h"
#include "zerocheck.h"
#include "version.h"

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

/*
 * Resource limits (limits.c); 0 is unlimited except for max_channels,
 * max_handshakes and handshake_timeout_ms.
 */
#define KMIG_LIMIT_UINT_ATTR(_name, _get, _set)				\
static ssize_t _name##_show(struct kobject *kobj,			\
			    struct kobj_attribute *attr, char *buf)	\
{									\
	return sysfs_emit(buf, "%u\n", _get());			\
}									\
static ssize_t _name##_store(struct kobject *kobj,			\
			     struct kobj_attribute *attr,		\
			     const char *buf, size_t count)		\
{									\
	const char *why;						\
	unsigned int n;							\
	int ret;							\
									\
	ret = kstrtouint(buf, 0, &n);					\
	if (ret)							\
		return ret;						\
	ret = _set(n, &why);						\
	return ret ? ret : count;					\
}									\
static struct kobj_attribute kmig_attr_##_name = __ATTR_RW(_name)

KMIG_LIMIT_UINT_ATTR(max_regions_per_user, kmig_limits_regions_per_user,
		     kmig_limits_set_regions_per_user);
KMIG_LIMIT_UINT_ATTR(max_channels, kmig_limits_channels,
		     kmig_limits_set_channels);
KMIG_LIMIT_UINT_ATTR(max_migrations, kmig_limits_migrations,
		     kmig_limits_set_migrations);
KMIG_LIMIT_UINT_ATTR(max_handshakes, kmig_limits_handshakes,
		     kmig_limits_set_handshakes);
KMIG_LIMIT_UINT_ATTR(handshake_timeout_ms, kmig_limits_handshake_timeout_ms,
		     kmig_limits_set_handshake_timeout_ms);

static ssize_t max_memory_show(struct kobject *kobj,
			       struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%llu\n", kmig_limits_memory());
}

static ssize_t max_memory_store(struct kobject *kobj,
				struct kobj_attribute *attr,
				const char *buf, size_t count)
{
	const char *why;
	u64 bytes;
	int ret;

	ret = kmig_limits_parse_memory(buf, &bytes);
	if (!ret)
		ret = kmig_limits_set_memory(bytes, &why);
	return ret ? ret : count;
}

static struct kobj_attribute kmig_attr_max_memory = __ATTR_RW(max_memory);

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
	&kmig_attr_max_regions_per_user.attr,
	&kmig_attr_max_memory.attr,
	&kmig_attr_max_channels.attr,
	&kmig_attr_max_migrations.attr,
	&kmig_attr_max_handshakes.attr,
	&kmig_attr_handshake_timeout_ms.attr,
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

/* Refusals by each resource limit, and migrations holding a slot now. */
#define KMIG_LSTAT_ATTR(_file, _expr)					\
static ssize_t lstat_##_file##_show(struct kobject *kobj,		\
				    struct kobj_attribute *attr, char *buf) \
{									\
	return sysfs_emit(buf, "%llu\n", (u64)(_expr));		\
}									\
static struct kobj_attribute kmig_lstat_attr_##_file =			\
	__ATTR(_file, 0444, lstat_##_file##_show, NULL)

KMIG_LSTAT_ATTR(limit_regions_refused, kmig_limits_refused(KMIG_LIMIT_REGIONS));
KMIG_LSTAT_ATTR(limit_memory_refused, kmig_limits_refused(KMIG_LIMIT_MEMORY));
KMIG_LSTAT_ATTR(limit_channels_refused,
		kmig_limits_refused(KMIG_LIMIT_CHANNELS));
KMIG_LSTAT_ATTR(limit_migrations_refused,
		kmig_limits_refused(KMIG_LIMIT_MIGRATIONS));
KMIG_LSTAT_ATTR(limit_handshakes_reached,
		kmig_limits_refused(KMIG_LIMIT_HANDSHAKES));
KMIG_LSTAT_ATTR(migrations_running, kmig_limits_migrations_running());

/* File names as in the netlink stats (migrations_started, ...). */
#define KMIG_MSTAT_ATTR_NAMED(_file, _field)				\
static ssize_t mstat_##_file##_show(struct kobject *kobj,		\
				    struct kobj_attribute *attr, char *buf) \
{									\
	struct kmig_mig_stats s;					\
									\
	kmig_mig_stats_read(&s);					\
	return sysfs_emit(buf, "%llu\n", s._field);			\
}									\
static struct kobj_attribute kmig_mstat_attr_##_file =			\
	__ATTR(_file, 0444, mstat_##_file##_show, NULL)

KMIG_MSTAT_ATTR_NAMED(migrations_started, started);
KMIG_MSTAT_ATTR_NAMED(migrations_completed, completed);
KMIG_MSTAT_ATTR_NAMED(migrations_failed, failed);
KMIG_MSTAT_ATTR_NAMED(migrations_cancelled, cancelled);
KMIG_MSTAT_ATTR_NAMED(rejected_connections, rejected);
KMIG_MSTAT_ATTR_NAMED(malformed_packets, malformed);
KMIG_MSTAT_ATTR_NAMED(splice_fallbacks, splice_fallbacks);
KMIG_MSTAT_ATTR_NAMED(migrations_failed_over, failed_over);
KMIG_MSTAT_ATTR_NAMED(auth_failures, auth_failed);
KMIG_MSTAT_ATTR_NAMED(integrity_errors, integrity_errors);

static struct attribute *kmig_stat_attrs[] = {
	&kmig_stat_attr_regions.attr,
	&kmig_stat_attr_populated_pages.attr,
	&kmig_stat_attr_faults.attr,
	&kmig_stat_attr_alloc_failures.attr,
	&kmig_stat_attr_mmap_refused.attr,
	&kmig_stat_attr_regions_created.attr,
	&kmig_stat_attr_scans.attr,
	&kmig_mstat_attr_migrations_started.attr,
	&kmig_mstat_attr_migrations_completed.attr,
	&kmig_mstat_attr_migrations_failed.attr,
	&kmig_mstat_attr_migrations_cancelled.attr,
	&kmig_mstat_attr_rejected_connections.attr,
	&kmig_mstat_attr_malformed_packets.attr,
	&kmig_mstat_attr_splice_fallbacks.attr,
	&kmig_mstat_attr_migrations_failed_over.attr,
	&kmig_mstat_attr_auth_failures.attr,
	&kmig_mstat_attr_integrity_errors.attr,
	&kmig_lstat_attr_limit_regions_refused.attr,
	&kmig_lstat_attr_limit_memory_refused.attr,
	&kmig_lstat_attr_limit_channels_refused.attr,
	&kmig_lstat_attr_limit_migrations_refused.attr,
	&kmig_lstat_attr_migrations_running.attr,
	&kmig_lstat_attr_limit_handshakes_reached.attr,
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

static const struct attribute_group kmig_region_group = {
	.attrs = kmig_region_attrs,
};

/*
 * regions/<id>/migration/: the current or last migration of the region.
 * Reading a file while the region never had a migration gives -ENODATA.
 */
static ssize_t kmig_mig_show(struct kobject *kobj, char *buf,
			     ssize_t (*emit)(const struct kmig_mig_info *m,
					     char *buf))
{
	struct kmig_region *r = to_region(kobj);
	struct kmig_mig_info *m;
	ssize_t ret;

	m = kzalloc(sizeof(*m), GFP_KERNEL);
	if (!m)
		return -ENOMEM;
	ret = kmig_mig_info(r, m);
	if (!ret)
		ret = emit(m, buf);
	else if (ret == -ENOENT)
		ret = -ENODATA;
	kfree(m);
	return ret;
}

#define KMIG_MIG_ATTR(_name, _fmt, _expr)				\
static ssize_t mig_##_name##_emit(const struct kmig_mig_info *m, char *buf) \
{									\
	return sysfs_emit(buf, _fmt "\n", _expr);			\
}									\
static ssize_t mig_##_name##_show(struct kobject *kobj,		\
				  struct kobj_attribute *attr, char *buf) \
{									\
	return kmig_mig_show(kobj, buf, mig_##_name##_emit);		\
}									\
static struct kobj_attribute kmig_mig_attr_##_name =			\
	__ATTR(_name, 0444, mig_##_name##_show, NULL)

KMIG_MIG_ATTR(role, "%s", kmig_mig_role_name(m->role));
KMIG_MIG_ATTR(state, "%s", kmig_mig_state_name(m->state));
KMIG_MIG_ATTR(reason, "%s", m->reason);
KMIG_MIG_ATTR(channels, "%u", m->channels);
KMIG_MIG_ATTR(zero_page_detection, "%s", kmig_zero_detect_name(m->zero_detect));
KMIG_MIG_ATTR(pages_total, "%llu", m->pages_total);
KMIG_MIG_ATTR(pages_done, "%llu", m->pages_done);
KMIG_MIG_ATTR(zero_pages, "%llu", m->zero_pages);
KMIG_MIG_ATTR(zero_bytes, "%llu", m->zero_bytes);
KMIG_MIG_ATTR(normal_pages, "%llu", m->normal_pages);
KMIG_MIG_ATTR(normal_bytes, "%llu", m->normal_bytes);
KMIG_MIG_ATTR(packets, "%llu", m->packets);
KMIG_MIG_ATTR(bytes, "%llu", m->bytes);
KMIG_MIG_ATTR(splice_fallbacks, "%llu", m->splice_fallbacks);
KMIG_MIG_ATTR(setup_ns, "%llu", m->setup_ns);
KMIG_MIG_ATTR(time_ns, "%llu", m->time_ns);
KMIG_MIG_ATTR(throughput, "%llu", m->throughput);
KMIG_MIG_ATTR(rejected_connections, "%llu", m->rejected);
KMIG_MIG_ATTR(malformed_packets, "%llu", m->malformed);
KMIG_MIG_ATTR(auth, "%d", m->auth);
KMIG_MIG_ATTR(auth_failures, "%llu", m->auth_failed);
KMIG_MIG_ATTR(integrity, "%d", m->integrity);
KMIG_MIG_ATTR(integrity_errors, "%llu", m->integrity_errors);
KMIG_MIG_ATTR(passes, "%u", m->passes);
KMIG_MIG_ATTR(live, "%d", m->live);
KMIG_MIG_ATTR(downtime_limit_ms, "%u", m->downtime_limit_ms);
KMIG_MIG_ATTR(max_bandwidth, "%llu", m->max_bandwidth);
KMIG_MIG_ATTR(max_passes, "%u", m->max_passes);
KMIG_MIG_ATTR(pass, "%llu", m->pass);
KMIG_MIG_ATTR(dirty_rate, "%llu", m->dirty_rate);
KMIG_MIG_ATTR(expected_downtime_ns, "%llu", m->expected_downtime_ns);
KMIG_MIG_ATTR(remaining_bytes, "%llu", m->remaining_bytes);
KMIG_MIG_ATTR(downtime_ns, "%llu", m->downtime_ns);
KMIG_MIG_ATTR(dirty_syncs, "%llu", m->dirty_syncs);
KMIG_MIG_ATTR(switchover_ready, "%d", m->switchover_ready);
KMIG_MIG_ATTR(colo, "%d", m->colo);
KMIG_MIG_ATTR(checkpoint_interval_ms, "%u", m->checkpoint_interval_ms);
KMIG_MIG_ATTR(checkpoint, "%llu", m->checkpoint);
KMIG_MIG_ATTR(checkpoints, "%llu", m->checkpoints);
KMIG_MIG_ATTR(ckpt_pages, "%llu", m->ckpt_pages);
KMIG_MIG_ATTR(ckpt_bytes, "%llu", m->ckpt_bytes);
KMIG_MIG_ATTR(colo_cache_pages, "%llu", m->colo_cache_pages);
KMIG_MIG_ATTR(postcopy, "%d", m->postcopy);
KMIG_MIG_ATTR(postcopy_requests, "%llu", m->pc_requests);
KMIG_MIG_ATTR(postcopy_requested_pages, "%llu", m->pc_requested);
KMIG_MIG_ATTR(postcopy_served_pages, "%llu", m->pc_served);
KMIG_MIG_ATTR(postcopy_pushed_pages, "%llu", m->pc_pushed);
KMIG_MIG_ATTR(postcopy_missing_pages, "%llu", m->pc_missing);
KMIG_MIG_ATTR(postcopy_faults, "%llu", m->pc_faults);
KMIG_MIG_ATTR(postcopy_discarded_pages, "%llu", m->pc_discarded);
KMIG_MIG_ATTR(postcopy_pauses, "%u", m->pc_pauses);

/* Postcopy's fault latency, as the COLO ones; empty on a source. */
static ssize_t mig_postcopy_latency_emit(const struct kmig_mig_info *m,
					 char *buf)
{
	const struct kmig_colo_latency *l = &m->pc_latency;

	if (!m->pc_dest)
		return sysfs_emit(buf, "\n");
	return sysfs_emit(buf, "%llu %llu %llu %llu %llu %llu\n", l->count,
			  l->last, l->mean, l->p50, l->p99, l->max);
}

static ssize_t mig_postcopy_latency_show(struct kobject *kobj,
					 struct kobj_attribute *attr,
					 char *buf)
{
	return kmig_mig_show(kobj, buf, mig_postcopy_latency_emit);
}

static struct kobj_attribute kmig_mig_attr_postcopy_latency =
	__ATTR(postcopy_latency_ns, 0444, mig_postcopy_latency_show, NULL);

/* COLO latency: "count last mean p50 p99 max" in ns; empty when absent. */
#define KMIG_MIG_LAT_ATTR(_name, _metric)				\
static ssize_t mig_colo_##_name##_emit(const struct kmig_mig_info *m,	\
				       char *buf)			\
{									\
	const unsigned int metric = (_metric);				\
	const struct kmig_colo_latency *l = &m->colo_latency[metric];	\
									\
	if (!(m->colo_metrics & BIT(metric)))				\
		return sysfs_emit(buf, "\n");				\
	return sysfs_emit(buf, "%llu %llu %llu %llu %llu %llu\n",	\
			  l->count, l->last, l->mean, l->p50, l->p99,	\
			  l->max);					\
}									\
static ssize_t mig_colo_##_name##_show(struct kobject *kobj,		\
				       struct kobj_attribute *attr,	\
				       char *buf)			\
{									\
	return kmig_mig_show(kobj, buf, mig_colo_##_name##_emit);	\
}									\
static struct kobj_attribute kmig_mig_attr_colo_##_name =		\
	__ATTR(colo_##_name##_ns, 0444, mig_colo_##_name##_show, NULL)

KMIG_MIG_LAT_ATTR(transfer, KMIG_COLO_METRIC_TRANSFER);
KMIG_MIG_LAT_ATTR(flush, KMIG_COLO_METRIC_FLUSH);
KMIG_MIG_LAT_ATTR(pause, KMIG_COLO_METRIC_PAUSE);

/* Per-channel counters, one value per channel, space separated. */
#define KMIG_MIG_CH_ATTR(_name)						\
static ssize_t mig_channel_##_name##_emit(const struct kmig_mig_info *m, \
					  char *buf)			\
{									\
	unsigned int i;							\
	int len = 0;							\
									\
	for (i = 0; i < m->channels; i++)				\
		len += sysfs_emit_at(buf, len, "%s%llu", i ? " " : "",	\
				     (u64)m->ch[i]._name);		\
	return len + sysfs_emit_at(buf, len, "\n");			\
}									\
static ssize_t mig_channel_##_name##_show(struct kobject *kobj,	\
					  struct kobj_attribute *attr,	\
					  char *buf)			\
{									\
	return kmig_mig_show(kobj, buf, mig_channel_##_name##_emit);	\
}									\
static struct kobj_attribute kmig_mig_attr_channel_##_name =		\
	__ATTR(channel_##_name, 0444, mig_channel_##_name##_show, NULL)

KMIG_MIG_CH_ATTR(cpu);
KMIG_MIG_CH_ATTR(pages);
KMIG_MIG_CH_ATTR(zero_pages);
KMIG_MIG_CH_ATTR(bytes);
KMIG_MIG_CH_ATTR(packets);

static struct attribute *kmig_mig_attrs[] = {
	&kmig_mig_attr_role.attr,
	&kmig_mig_attr_state.attr,
	&kmig_mig_attr_reason.attr,
	&kmig_mig_attr_channels.attr,
	&kmig_mig_attr_zero_page_detection.attr,
	&kmig_mig_attr_pages_total.attr,
	&kmig_mig_attr_pages_done.attr,
	&kmig_mig_attr_zero_pages.attr,
	&kmig_mig_attr_zero_bytes.attr,
	&kmig_mig_attr_normal_pages.attr,
	&kmig_mig_attr_normal_bytes.attr,
	&kmig_mig_attr_packets.attr,
	&kmig_mig_attr_bytes.attr,
	&kmig_mig_attr_splice_fallbacks.attr,
	&kmig_mig_attr_setup_ns.attr,
	&kmig_mig_attr_time_ns.attr,
	&kmig_mig_attr_throughput.attr,
	&kmig_mig_attr_rejected_connections.attr,
	&kmig_mig_attr_malformed_packets.attr,
	&kmig_mig_attr_auth.attr,
	&kmig_mig_attr_auth_failures.attr,
	&kmig_mig_attr_integrity.attr,
	&kmig_mig_attr_integrity_errors.attr,
	&kmig_mig_attr_passes.attr,
	&kmig_mig_attr_live.attr,
	&kmig_mig_attr_downtime_limit_ms.attr,
	&kmig_mig_attr_max_bandwidth.attr,
	&kmig_mig_attr_max_passes.attr,
	&kmig_mig_attr_pass.attr,
	&kmig_mig_attr_dirty_rate.attr,
	&kmig_mig_attr_expected_downtime_ns.attr,
	&kmig_mig_attr_remaining_bytes.attr,
	&kmig_mig_attr_downtime_ns.attr,
	&kmig_mig_attr_colo.attr,
	&kmig_mig_attr_checkpoint_interval_ms.attr,
	&kmig_mig_attr_checkpoint.attr,
	&kmig_mig_attr_checkpoints.attr,
	&kmig_mig_attr_ckpt_pages.attr,
	&kmig_mig_attr_ckpt_bytes.attr,
	&kmig_mig_attr_colo_cache_pages.attr,
	&kmig_mig_attr_colo_transfer.attr,
	&kmig_mig_attr_colo_flush.attr,
	&kmig_mig_attr_colo_pause.attr,
	&kmig_mig_attr_postcopy.attr,
	&kmig_mig_attr_postcopy_requests.attr,
	&kmig_mig_attr_postcopy_requested_pages.attr,
	&kmig_mig_attr_postcopy_served_pages.attr,
	&kmig_mig_attr_postcopy_pushed_pages.attr,
	&kmig_mig_attr_postcopy_missing_pages.attr,
	&kmig_mig_attr_postcopy_faults.attr,
	&kmig_mig_attr_postcopy_discarded_pages.attr,
	&kmig_mig_attr_postcopy_pauses.attr,
	&kmig_mig_attr_postcopy_latency.attr,
	&kmig_mig_attr_dirty_syncs.attr,
	&kmig_mig_attr_switchover_ready.attr,
	&kmig_mig_attr_channel_cpu.attr,
	&kmig_mig_attr_channel_pages.attr,
	&kmig_mig_attr_channel_zero_pages.attr,
	&kmig_mig_attr_channel_bytes.attr,
	&kmig_mig_attr_channel_packets.attr,
	NULL
};

static const struct attribute_group kmig_mig_group = {
	.name = "migration",
	.attrs = kmig_mig_attrs,
};

static const struct attribute_group *kmig_region_groups[] = {
	&kmig_region_group,
	&kmig_mig_group,
	NULL
};

static void kmig_sysfs_region_release(struct kobject *kobj)
{
	kfree(container_of(kobj, struct kmig_sysfs_region, kobj));
}

static const struct kobj_type kmig_region_ktype = {
	.release = kmig_sysfs_region_release,
	.sysfs_ops = &kobj_sysfs_ops,
	.default_groups = kmig_region_groups,
};

static int kmig_sysfs_region_add(struct kmig_region *region)
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

static void kmig_sysfs_region_del(struct kmig_region *region)
{
	struct kmig_sysfs_region *sr = region->sysfs;

	if (!sr)
		return;
	kobject_del(&sr->kobj);
	sr->region = NULL;
	kobject_put(&sr->kobj);
	region->sysfs = NULL;
}

static const struct kmig_region_attach kmig_sysfs_region_attach = {
	.added = kmig_sysfs_region_add,
	.removed = kmig_sysfs_region_del,
};

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
	kmig_region_set_attach(&kmig_sysfs_region_attach);
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
	kmig_region_set_attach(NULL);
	kobject_put(kmig_regions_kobj);
	sysfs_remove_group(kmig_kobj, &kmig_stat_group);
	sysfs_remove_group(kmig_kobj, &kmig_param_group);
	kobject_put(kmig_kobj);
}
