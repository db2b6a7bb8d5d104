/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A migration's status as a plain value: the snapshot kmig_mig_info()
 * takes under the migration's lock, which netlink (mig-get, events) and
 * sysfs print. No object behind it, so that the writers of the status
 * need not see the migration itself.
 */
#ifndef _KMIG_MIG_INFO_H
#define _KMIG_MIG_INFO_H

#include <linux/types.h>
#include <linux/socket.h>
#include <uapi/linux/kmig.h>

#include "wire.h"

#define KMIG_REASON_LEN		128

#define KMIG_COLO_METRICS	(KMIG_COLO_METRIC_PAUSE + 1)

struct kmig_colo_latency {
	u64 count;
	u64 last;
	u64 mean;
	u64 p50;
	u64 p99;
	u64 max;
};

struct kmig_mig_channel_info {
	u32 id;
	u32 cpu;
	u64 pages;
	u64 zero_pages;
	u64 bytes;
	u64 packets;
};

/* A consistent copy of a migration's status, for netlink and sysfs. */
struct kmig_mig_info {
	u32 region_id;
	enum kmig_mig_role role;
	enum kmig_mig_state state;
	struct sockaddr_storage addr;
	unsigned int channels;
	enum kmig_zero_detect zero_detect;
	u8 id[KMIG_WIRE_MIGRATION_ID_LEN];
	u64 pages_total;
	u64 pages_done;
	u64 zero_pages;
	u64 zero_bytes;
	u64 normal_pages;
	u64 normal_bytes;
	u64 packets;
	u64 bytes;
	u64 splice_fallbacks;
	u64 setup_ns;
	u64 time_ns;
	u64 throughput;		/* wire bytes per second, active phase */
	u64 rejected;
	u64 auth_failed;
	u64 malformed;
	u64 integrity_errors;
	u32 passes;
	bool auth;
	bool integrity;		/* every accepted channel carries CRCs */
	bool live;
	u32 downtime_limit_ms;
	u64 max_bandwidth;
	u32 max_passes;
	enum kmig_no_convergence no_convergence;
	u64 pass;
	u64 dirty_rate;
	u64 expected_downtime_ns;
	u64 remaining_bytes;
	u64 downtime_ns;
	u64 dirty_syncs;
	bool switchover_ready;
	/* COLO. */
	bool colo;
	u32 checkpoint_interval_ms;
	u64 checkpoint;
	u64 checkpoints;
	u64 ckpt_pages;
	u64 ckpt_bytes;
	u64 colo_cache_pages;
	u32 colo_metrics;	/* bit per enum kmig_colo_metric present */
	struct kmig_colo_latency colo_latency[KMIG_COLO_METRICS];
	/* Postcopy. */
	bool postcopy_allowed;		/* source: mig-start postcopy */
	bool postcopy;			/* chosen (source) or begun (dest.) */
	u32 postcopy_after;
	u32 postcopy_prefetch;
	bool pc_dest;			/* a destination's page map exists */
	u64 pc_requests;
	u64 pc_requested;
	u64 pc_served;
	u64 pc_pushed;
	u64 pc_missing;
	u64 pc_faults;
	u64 pc_discarded;
	u32 pc_pauses;
	u32 pc_pause_timeout_ms;
	struct kmig_colo_latency pc_latency;
	char reason[KMIG_REASON_LEN];
	struct kmig_mig_channel_info ch[KMIG_CHANNELS_MAX];
};

#endif /* _KMIG_MIG_INFO_H */
