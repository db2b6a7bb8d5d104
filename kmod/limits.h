/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Resource limits: regions per user, memory in regions module-wide,
 * channels per migration and migrations in flight. Module parameters give
 * the values at load time; /sys/kernel/kmig/max_* change them at run time
 * through the setters here. Lowering a limit refuses new allocations only:
 * what exists stays. Every refusal is counted (stats/limit_*_refused).
 */
#ifndef _KMIG_LIMITS_H
#define _KMIG_LIMITS_H

#include <linux/types.h>
#include <linux/uidgid.h>
#include <uapi/linux/kmig.h>

enum kmig_limit {
	KMIG_LIMIT_REGIONS,	/* max_regions_per_user */
	KMIG_LIMIT_MEMORY,	/* max_memory */
	KMIG_LIMIT_CHANNELS,	/* max_channels */
	KMIG_LIMIT_MIGRATIONS,	/* max_migrations */
	KMIG_LIMIT_HANDSHAKES,	/* max_handshakes */
	KMIG_LIMIT_COUNT
};

#define KMIG_LIMITS_REGIONS_PER_USER_DEFAULT	64
#define KMIG_LIMITS_MEMORY_DEFAULT		"90%"
#define KMIG_LIMITS_HANDSHAKES_DEFAULT		64
#define KMIG_LIMITS_HANDSHAKES_MAX		KMIG_HANDSHAKES_MAX
#define KMIG_LIMITS_HS_TIMEOUT_DEFAULT_MS	10000
#define KMIG_LIMITS_HS_TIMEOUT_MIN_MS		KMIG_HANDSHAKE_TIMEOUT_MIN_MS
#define KMIG_LIMITS_HS_TIMEOUT_MAX_MS		KMIG_HANDSHAKE_TIMEOUT_MAX_MS

int kmig_limits_init(void);
void kmig_limits_uninit(void);

/* Live values; 0 is unlimited (max_channels is 1..KMIG_CHANNELS_MAX). */
unsigned int kmig_limits_regions_per_user(void);
u64 kmig_limits_memory(void);
unsigned int kmig_limits_channels(void);
unsigned int kmig_limits_migrations(void);

/*
 * A destination's handshakes: how many one listening migration runs at
 * once (max_handshakes, 1..256), and the time each connection has, from
 * accept, for its whole handshake (handshake_timeout_ms, 100..600000).
 */
unsigned int kmig_limits_handshakes(void);
unsigned int kmig_limits_handshake_timeout_ms(void);
int kmig_limits_set_handshakes(unsigned int n, const char **why);
int kmig_limits_set_handshake_timeout_ms(unsigned int ms, const char **why);
/*
 * Count and log (rate limited) a listener reaching max_handshakes: it
 * stops accepting until a handshake ends.
 */
void kmig_limits_handshakes_reached(u32 region_id, unsigned int max);

/* Return 0, or -ERANGE with *why set to a message for the user. */
int kmig_limits_check_memory(u64 bytes, const char **why);
int kmig_limits_set_regions_per_user(unsigned int n, const char **why);
int kmig_limits_set_memory(u64 bytes, const char **why);
int kmig_limits_set_channels(unsigned int n, const char **why);
int kmig_limits_set_migrations(unsigned int n, const char **why);

/*
 * A max_memory value: "0" (unlimited), bytes with an optional K/M/G/T
 * suffix, or "N%" (1..100) of the RAM of the machine. Not rounded:
 * kmig_limits_set_memory() keeps whole pages. 0 or -EINVAL.
 */
int kmig_limits_parse_memory(const char *s, u64 *bytes);

/*
 * A region for @uid: 0 and counted, or -EMFILE (max_regions_per_user
 * reached; counted as a refusal and logged). The region's release gives
 * it back with kmig_limits_region_uncharge().
 */
int kmig_limits_region_charge(kuid_t uid);
void kmig_limits_region_uncharge(kuid_t uid);
unsigned long kmig_limits_regions_of(kuid_t uid);

/* May @pages populated pages exist in all regions together? */
bool kmig_limits_memory_allows(unsigned long pages);
/* Count and log a refusal by max_memory; @what names the operation. */
void kmig_limits_memory_refused(u32 region_id, const char *what,
				unsigned long pages);

/*
 * Listen and start: @channels within max_channels (-ERANGE) and a free
 * slot under max_migrations (-EAGAIN), with *why naming the limit. On 0
 * the slot is taken until kmig_limits_mig_end().
 */
int kmig_limits_mig_begin(unsigned int channels, const char **why);
void kmig_limits_mig_end(void);
unsigned int kmig_limits_migrations_running(void);

u64 kmig_limits_refused(enum kmig_limit limit);

#endif /* _KMIG_LIMITS_H */
