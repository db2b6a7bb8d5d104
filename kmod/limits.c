// SPDX-License-Identifier: GPL-2.0
/*
 * Resource limits: load-time values from module parameters, live values
 * changed through sysfs, the per-user region counts, the migrations in
 * flight and the refusal counters.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/xarray.h>
#include <linux/atomic.h>
#include <linux/kernel.h>
#include <linux/string.h>
#include <linux/mm.h>
#include <linux/math.h>
#include <linux/user_namespace.h>

#include <uapi/linux/kmig.h>

#include "limits.h"

/* Load-time values (module parameters, read-only once loaded). */
static unsigned int max_regions_per_user = KMIG_LIMITS_REGIONS_PER_USER_DEFAULT;
module_param(max_regions_per_user, uint, 0444);
MODULE_PARM_DESC(max_regions_per_user,
		 "Regions one user (effective uid of the opener) may have open, 0 for no limit (default 64)");

static char *max_memory = KMIG_LIMITS_MEMORY_DEFAULT;
module_param(max_memory, charp, 0444);
MODULE_PARM_DESC(max_memory,
		 "Pages in all regions together: bytes (K/M/G/T suffixes), N% of RAM, 0 for no limit (default 90%)");

static unsigned int max_channels = KMIG_CHANNELS_MAX;
module_param(max_channels, uint, 0444);
MODULE_PARM_DESC(max_channels, "Channels of one migration (1-64, default 64)");

static unsigned int max_migrations;
module_param(max_migrations, uint, 0444);
MODULE_PARM_DESC(max_migrations,
		 "Migrations in flight on this host, 0 for no limit (default 0)");

static unsigned int max_handshakes = KMIG_LIMITS_HANDSHAKES_DEFAULT;
module_param(max_handshakes, uint, 0444);
MODULE_PARM_DESC(max_handshakes,
		 "Channel handshakes one listening migration runs at once; more connections wait in the backlog (1-256, default 64)");

static unsigned int handshake_timeout_ms = KMIG_LIMITS_HS_TIMEOUT_DEFAULT_MS;
module_param(handshake_timeout_ms, uint, 0444);
MODULE_PARM_DESC(handshake_timeout_ms,
		 "Time a destination gives a connection, from accept, for its whole handshake (100-600000 ms, default 10000)");

/* Live values. Writers hold kmig_limits_lock; readers use READ_ONCE. */
static DEFINE_MUTEX(kmig_limits_lock);
static unsigned int kmig_max_regions;
static unsigned long kmig_max_memory_pages;
static unsigned int kmig_max_channels;
static unsigned int kmig_max_migrations;
static unsigned int kmig_max_handshakes;
static unsigned int kmig_hs_timeout_ms;

/* Effective uid (in the initial namespace) -> xa_mk_value(open regions). */
static DEFINE_XARRAY(kmig_limits_users);
static DEFINE_MUTEX(kmig_limits_users_lock);

static atomic_t kmig_migrations_running = ATOMIC_INIT(0);
static atomic64_t kmig_limits_refusals[KMIG_LIMIT_COUNT];

unsigned int kmig_limits_regions_per_user(void)
{
	return READ_ONCE(kmig_max_regions);
}

u64 kmig_limits_memory(void)
{
	return (u64)READ_ONCE(kmig_max_memory_pages) << PAGE_SHIFT;
}

unsigned int kmig_limits_channels(void)
{
	return READ_ONCE(kmig_max_channels);
}

unsigned int kmig_limits_migrations(void)
{
	return READ_ONCE(kmig_max_migrations);
}

unsigned int kmig_limits_handshakes(void)
{
	return READ_ONCE(kmig_max_handshakes);
}

unsigned int kmig_limits_handshake_timeout_ms(void)
{
	return READ_ONCE(kmig_hs_timeout_ms);
}

int kmig_limits_set_handshakes(unsigned int n, const char **why)
{
	if (n < 1 || n > KMIG_LIMITS_HANDSHAKES_MAX) {
		*why = "max_handshakes must be between 1 and 256";
		return -ERANGE;
	}
	mutex_lock(&kmig_limits_lock);
	WRITE_ONCE(kmig_max_handshakes, n);
	mutex_unlock(&kmig_limits_lock);
	return 0;
}

int kmig_limits_set_handshake_timeout_ms(unsigned int ms, const char **why)
{
	if (ms < KMIG_LIMITS_HS_TIMEOUT_MIN_MS ||
	    ms > KMIG_LIMITS_HS_TIMEOUT_MAX_MS) {
		*why = "handshake_timeout_ms must be between 100 and 600000";
		return -ERANGE;
	}
	mutex_lock(&kmig_limits_lock);
	WRITE_ONCE(kmig_hs_timeout_ms, ms);
	mutex_unlock(&kmig_limits_lock);
	return 0;
}

void kmig_limits_handshakes_reached(u32 region_id, unsigned int max)
{
	atomic64_inc(&kmig_limits_refusals[KMIG_LIMIT_HANDSHAKES]);
	pr_info_ratelimited("region %u: max_handshakes (%u) in progress: further connections wait in the backlog\n",
			    region_id, max);
}

int kmig_limits_set_regions_per_user(unsigned int n, const char **why)
{
	mutex_lock(&kmig_limits_lock);
	WRITE_ONCE(kmig_max_regions, n);
	mutex_unlock(&kmig_limits_lock);
	return 0;
}

int kmig_limits_check_memory(u64 bytes, const char **why)
{
	u64 pages = bytes >> PAGE_SHIFT;

	/* Rounded down to 0 it would mean "no limit". */
	if (bytes && !pages) {
		*why = "max_memory must be 0 (no limit) or at least one page";
		return -ERANGE;
	}
	/* Pages are counted in an atomic_long_t: only on 32 bits. */
	if (pages > LONG_MAX) {
		*why = "max_memory is too large";
		return -ERANGE;
	}
	return 0;
}

int kmig_limits_set_memory(u64 bytes, const char **why)
{
	u64 pages = bytes >> PAGE_SHIFT;
	int ret;

	ret = kmig_limits_check_memory(bytes, why);
	if (ret)
		return ret;
	mutex_lock(&kmig_limits_lock);
	WRITE_ONCE(kmig_max_memory_pages, pages);
	mutex_unlock(&kmig_limits_lock);
	return 0;
}

int kmig_limits_set_channels(unsigned int n, const char **why)
{
	if (n < 1 || n > KMIG_CHANNELS_MAX) {
		*why = "max_channels must be between 1 and 64";
		return -ERANGE;
	}
	mutex_lock(&kmig_limits_lock);
	WRITE_ONCE(kmig_max_channels, n);
	mutex_unlock(&kmig_limits_lock);
	return 0;
}

int kmig_limits_set_migrations(unsigned int n, const char **why)
{
	mutex_lock(&kmig_limits_lock);
	WRITE_ONCE(kmig_max_migrations, n);
	mutex_unlock(&kmig_limits_lock);
	return 0;
}

int kmig_limits_parse_memory(const char *s, u64 *bytes)
{
	char buf[32], *p, *end;
	unsigned long long v;
	size_t len;

	strscpy(buf, s, sizeof(buf));
	p = strim(buf);
	len = strlen(p);
	if (!len)
		return -EINVAL;
	if (p[len - 1] == '%') {
		p[len - 1] = 0;
		if (kstrtoull(p, 10, &v) || v < 1 || v > 100)
			return -EINVAL;
		*bytes = (u64)mult_frac(totalram_pages(), v, 100) << PAGE_SHIFT;
		return 0;
	}
	v = memparse(p, &end);
	if (end == p || *end)
		return -EINVAL;
	/* Not rounded here: kmig_limits_set_memory() refuses 1..4095. */
	*bytes = v;
	return 0;
}

static unsigned long kmig_limits_uid(kuid_t uid)
{
	return from_kuid(&init_user_ns, uid);
}

unsigned long kmig_limits_regions_of(kuid_t uid)
{
	void *entry = xa_load(&kmig_limits_users, kmig_limits_uid(uid));

	return entry ? xa_to_value(entry) : 0;
}

int kmig_limits_region_charge(kuid_t uid)
{
	unsigned int max = kmig_limits_regions_per_user();
	unsigned long n;
	int ret;

	mutex_lock(&kmig_limits_users_lock);
	n = kmig_limits_regions_of(uid);
	if (max && n >= max)
		ret = -EMFILE;
	else
		ret = xa_err(xa_store(&kmig_limits_users, kmig_limits_uid(uid),
				      xa_mk_value(n + 1), GFP_KERNEL));
	mutex_unlock(&kmig_limits_users_lock);

	if (ret == -EMFILE) {
		atomic64_inc(&kmig_limits_refusals[KMIG_LIMIT_REGIONS]);
		pr_info_ratelimited("uid %lu: region refused: max_regions_per_user (%u) reached\n",
				    kmig_limits_uid(uid), max);
	}
	return ret;
}

void kmig_limits_region_uncharge(kuid_t uid)
{
	unsigned long n;

	mutex_lock(&kmig_limits_users_lock);
	n = kmig_limits_regions_of(uid);
	if (WARN_ON_ONCE(!n))
		goto out;
	if (n == 1)
		xa_erase(&kmig_limits_users, kmig_limits_uid(uid));
	else
		/* Replaces an existing entry: allocates nothing, cannot fail. */
		xa_store(&kmig_limits_users, kmig_limits_uid(uid),
			 xa_mk_value(n - 1), GFP_KERNEL);
out:
	mutex_unlock(&kmig_limits_users_lock);
}

bool kmig_limits_memory_allows(unsigned long pages)
{
	unsigned long max = READ_ONCE(kmig_max_memory_pages);

	return !max || pages <= max;
}

void kmig_limits_memory_refused(u32 region_id, const char *what,
				unsigned long pages)
{
	atomic64_inc(&kmig_limits_refusals[KMIG_LIMIT_MEMORY]);
	pr_info_ratelimited("region %u: %s refused: max_memory (%llu bytes) reached (%lu pages in regions)\n",
			    region_id, what, kmig_limits_memory(), pages);
}

int kmig_limits_mig_begin(unsigned int channels, const char **why)
{
	unsigned int max = kmig_limits_channels();

	if (channels > max) {
		atomic64_inc(&kmig_limits_refusals[KMIG_LIMIT_CHANNELS]);
		pr_info_ratelimited("migration with %u channels refused: max_channels (%u)\n",
				    channels, max);
		*why = "more channels than max_channels (/sys/kernel/kmig/max_channels)";
		return -ERANGE;
	}
	max = kmig_limits_migrations();
	if (atomic_inc_return(&kmig_migrations_running) > max && max) {
		atomic_dec(&kmig_migrations_running);
		atomic64_inc(&kmig_limits_refusals[KMIG_LIMIT_MIGRATIONS]);
		pr_info_ratelimited("migration refused: max_migrations (%u) in flight\n",
				    max);
		*why = "too many migrations in flight (/sys/kernel/kmig/max_migrations)";
		return -EAGAIN;
	}
	return 0;
}

void kmig_limits_mig_end(void)
{
	WARN_ON_ONCE(atomic_dec_return(&kmig_migrations_running) < 0);
}

unsigned int kmig_limits_migrations_running(void)
{
	return atomic_read(&kmig_migrations_running);
}

u64 kmig_limits_refused(enum kmig_limit limit)
{
	if ((unsigned int)limit >= KMIG_LIMIT_COUNT)
		return 0;
	return atomic64_read(&kmig_limits_refusals[limit]);
}

int kmig_limits_init(void)
{
	const char *why = NULL;
	u64 bytes;
	int ret;

	kmig_limits_set_regions_per_user(max_regions_per_user, &why);
	kmig_limits_set_migrations(max_migrations, &why);
	ret = kmig_limits_set_channels(max_channels, &why);
	if (ret) {
		pr_err("max_channels=%u: %s\n", max_channels, why);
		return ret;
	}
	ret = kmig_limits_set_handshakes(max_handshakes, &why);
	if (ret) {
		pr_err("max_handshakes=%u: %s\n", max_handshakes, why);
		return ret;
	}
	ret = kmig_limits_set_handshake_timeout_ms(handshake_timeout_ms, &why);
	if (ret) {
		pr_err("handshake_timeout_ms=%u: %s\n", handshake_timeout_ms,
		       why);
		return ret;
	}
	why = "must be 0, a size (K/M/G/T) or N% (1-100) of RAM";
	ret = kmig_limits_parse_memory(max_memory, &bytes);
	if (!ret)
		ret = kmig_limits_set_memory(bytes, &why);
	if (ret) {
		pr_err("max_memory=%s: %s\n", max_memory, why);
		return ret;
	}
	return 0;
}

void kmig_limits_uninit(void)
{
	/* Every region gave its charge back; migrations ended. */
	WARN_ON(!xa_empty(&kmig_limits_users));
	WARN_ON(atomic_read(&kmig_migrations_running));
	xa_destroy(&kmig_limits_users);
}
