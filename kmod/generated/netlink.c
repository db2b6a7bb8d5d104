// SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause)
/* Do not edit directly, auto-generated from: */
/*	Documentation/netlink/specs/kmig.yaml */
/* YNL-GEN kernel source */

#include <net/netlink.h>
#include <net/genetlink.h>

#include "netlink.h"

#include <uapi/linux/kmig.h>

/* KMIG_CMD_REGION_GET - do */
static const struct nla_policy kmig_region_get_nl_policy[KMIG_A_REGION_ID + 1] = {
	[KMIG_A_REGION_ID] = NLA_POLICY_MIN(NLA_U32, 1),
};

/* KMIG_CMD_PARAMS_SET - do */
static const struct nla_policy kmig_params_set_nl_policy[KMIG_A_PARAMS_HANDSHAKE_TIMEOUT_MS + 1] = {
	[KMIG_A_PARAMS_CHANNELS] = NLA_POLICY_RANGE(NLA_U32, 1, KMIG_CHANNELS_MAX),
	[KMIG_A_PARAMS_ZERO_PAGE_DETECTION] = NLA_POLICY_MAX(NLA_U32, 2),
	[KMIG_A_PARAMS_ZERO_CHECK] = NLA_POLICY_MAX(NLA_U32, 4),
	[KMIG_A_PARAMS_MAX_REGIONS_PER_USER] = { .type = NLA_U32, },
	[KMIG_A_PARAMS_MAX_MEMORY] = { .type = NLA_U64, },
	[KMIG_A_PARAMS_MAX_CHANNELS] = NLA_POLICY_RANGE(NLA_U32, 1, KMIG_CHANNELS_MAX),
	[KMIG_A_PARAMS_MAX_MIGRATIONS] = { .type = NLA_U32, },
	[KMIG_A_PARAMS_MAX_HANDSHAKES] = NLA_POLICY_RANGE(NLA_U32, 1, KMIG_HANDSHAKES_MAX),
	[KMIG_A_PARAMS_HANDSHAKE_TIMEOUT_MS] = NLA_POLICY_MIN(NLA_U32, KMIG_HANDSHAKE_TIMEOUT_MIN_MS),
};

/* KMIG_CMD_REGION_SCAN - do */
static const struct nla_policy kmig_region_scan_nl_policy[KMIG_A_SCAN_ZERO_CHECK + 1] = {
	[KMIG_A_SCAN_REGION_ID] = NLA_POLICY_MIN(NLA_U32, 1),
	[KMIG_A_SCAN_ZERO_CHECK] = NLA_POLICY_MAX(NLA_U32, 4),
};

/* KMIG_CMD_MIG_LISTEN - do */
static const struct nla_policy kmig_mig_listen_nl_policy[KMIG_A_MIG_POSTCOPY_PAUSE_TIMEOUT_MS + 1] = {
	[KMIG_A_MIG_REGION_ID] = NLA_POLICY_MIN(NLA_U32, 1),
	[KMIG_A_MIG_ADDR] = { .type = NLA_NUL_STRING, .len = 63, },
	[KMIG_A_MIG_PORT] = { .type = NLA_U16, },
	[KMIG_A_MIG_CHANNELS] = NLA_POLICY_RANGE(NLA_U32, 1, KMIG_CHANNELS_MAX),
	[KMIG_A_MIG_MIGRATION_ID] = NLA_POLICY_EXACT_LEN(16),
	[KMIG_A_MIG_COLO] = { .type = NLA_FLAG, },
	[KMIG_A_MIG_KEY] = NLA_POLICY_EXACT_LEN(32),
	[KMIG_A_MIG_INSECURE] = { .type = NLA_FLAG, },
	[KMIG_A_MIG_INTEGRITY] = { .type = NLA_FLAG, },
	[KMIG_A_MIG_POSTCOPY_PAUSE_TIMEOUT_MS] = NLA_POLICY_MIN(NLA_U32, 1000),
};

/* KMIG_CMD_MIG_START - do */
static const struct nla_policy kmig_mig_start_nl_policy[KMIG_A_MIG_POSTCOPY_PAUSE_TIMEOUT_MS + 1] = {
	[KMIG_A_MIG_REGION_ID] = NLA_POLICY_MIN(NLA_U32, 1),
	[KMIG_A_MIG_ADDR] = { .type = NLA_NUL_STRING, .len = 63, },
	[KMIG_A_MIG_PORT] = { .type = NLA_U16, },
	[KMIG_A_MIG_CHANNELS] = NLA_POLICY_RANGE(NLA_U32, 1, KMIG_CHANNELS_MAX),
	[KMIG_A_MIG_ZERO_PAGE_DETECTION] = NLA_POLICY_MAX(NLA_U32, 2),
	[KMIG_A_MIG_MIGRATION_ID] = NLA_POLICY_EXACT_LEN(16),
	[KMIG_A_MIG_LIVE] = { .type = NLA_FLAG, },
	[KMIG_A_MIG_DOWNTIME_LIMIT_MS] = NLA_POLICY_MIN(NLA_U32, 1),
	[KMIG_A_MIG_MAX_BANDWIDTH] = { .type = NLA_U64, },
	[KMIG_A_MIG_MAX_PASSES] = { .type = NLA_U32, },
	[KMIG_A_MIG_NO_CONVERGENCE] = NLA_POLICY_MAX(NLA_U32, 2),
	[KMIG_A_MIG_COLO] = { .type = NLA_FLAG, },
	[KMIG_A_MIG_CHECKPOINT_INTERVAL_MS] = NLA_POLICY_MIN(NLA_U32, 10),
	[KMIG_A_MIG_KEY] = NLA_POLICY_EXACT_LEN(32),
	[KMIG_A_MIG_INSECURE] = { .type = NLA_FLAG, },
	[KMIG_A_MIG_INTEGRITY] = { .type = NLA_FLAG, },
	[KMIG_A_MIG_POSTCOPY] = { .type = NLA_FLAG, },
	[KMIG_A_MIG_POSTCOPY_AFTER] = { .type = NLA_U32, },
	[KMIG_A_MIG_POSTCOPY_PREFETCH] = NLA_POLICY_MAX(NLA_U32, 64),
	[KMIG_A_MIG_POSTCOPY_PAUSE_TIMEOUT_MS] = NLA_POLICY_MIN(NLA_U32, 1000),
};

/* KMIG_CMD_MIG_GET - do */
static const struct nla_policy kmig_mig_get_nl_policy[KMIG_A_MIG_REGION_ID + 1] = {
	[KMIG_A_MIG_REGION_ID] = NLA_POLICY_MIN(NLA_U32, 1),
};

/* KMIG_CMD_MIG_CANCEL - do */
static const struct nla_policy kmig_mig_cancel_nl_policy[KMIG_A_MIG_REGION_ID + 1] = {
	[KMIG_A_MIG_REGION_ID] = NLA_POLICY_MIN(NLA_U32, 1),
};

/* KMIG_CMD_MIG_SWITCHOVER - do */
static const struct nla_policy kmig_mig_switchover_nl_policy[KMIG_A_MIG_REGION_ID + 1] = {
	[KMIG_A_MIG_REGION_ID] = NLA_POLICY_MIN(NLA_U32, 1),
};

/* KMIG_CMD_MIG_DIRTY_PUSH - do */
static const struct nla_policy kmig_mig_dirty_push_nl_policy[KMIG_A_MIG_DIRTY_BITMAP + 1] = {
	[KMIG_A_MIG_REGION_ID] = NLA_POLICY_MIN(NLA_U32, 1),
	[KMIG_A_MIG_DIRTY_FIRST] = { .type = NLA_U64, },
	[KMIG_A_MIG_DIRTY_BITMAP] = { .type = NLA_BINARY, },
};

/* KMIG_CMD_COLO_CHECKPOINT - do */
static const struct nla_policy kmig_colo_checkpoint_nl_policy[KMIG_A_MIG_REGION_ID + 1] = {
	[KMIG_A_MIG_REGION_ID] = NLA_POLICY_MIN(NLA_U32, 1),
};

/* KMIG_CMD_COLO_PAUSED - do */
static const struct nla_policy kmig_colo_paused_nl_policy[KMIG_A_MIG_CHECKPOINT + 1] = {
	[KMIG_A_MIG_REGION_ID] = NLA_POLICY_MIN(NLA_U32, 1),
	[KMIG_A_MIG_CHECKPOINT] = { .type = NLA_U64, },
};

/* KMIG_CMD_MIG_POSTCOPY - do */
static const struct nla_policy kmig_mig_postcopy_nl_policy[KMIG_A_MIG_REGION_ID + 1] = {
	[KMIG_A_MIG_REGION_ID] = NLA_POLICY_MIN(NLA_U32, 1),
};

/* KMIG_CMD_MIG_POSTCOPY_RESUME - do */
static const struct nla_policy kmig_mig_postcopy_resume_nl_policy[KMIG_A_MIG_PORT + 1] = {
	[KMIG_A_MIG_REGION_ID] = NLA_POLICY_MIN(NLA_U32, 1),
	[KMIG_A_MIG_ADDR] = { .type = NLA_NUL_STRING, .len = 63, },
	[KMIG_A_MIG_PORT] = { .type = NLA_U16, },
};

/* Ops table for kmig */
static const struct genl_split_ops kmig_nl_ops[] = {
	{
		.cmd		= KMIG_CMD_REGION_GET,
		.doit		= kmig_nl_region_get_doit,
		.policy		= kmig_region_get_nl_policy,
		.maxattr	= KMIG_A_REGION_ID,
		.flags		= GENL_CMD_CAP_DO,
	},
	{
		.cmd	= KMIG_CMD_REGION_GET,
		.dumpit	= kmig_nl_region_get_dumpit,
		.flags	= GENL_CMD_CAP_DUMP,
	},
	{
		.cmd	= KMIG_CMD_PARAMS_GET,
		.doit	= kmig_nl_params_get_doit,
		.flags	= GENL_CMD_CAP_DO,
	},
	{
		.cmd		= KMIG_CMD_PARAMS_SET,
		.doit		= kmig_nl_params_set_doit,
		.policy		= kmig_params_set_nl_policy,
		.maxattr	= KMIG_A_PARAMS_HANDSHAKE_TIMEOUT_MS,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd	= KMIG_CMD_STATS_GET,
		.doit	= kmig_nl_stats_get_doit,
		.flags	= GENL_CMD_CAP_DO,
	},
	{
		.cmd		= KMIG_CMD_REGION_SCAN,
		.doit		= kmig_nl_region_scan_doit,
		.policy		= kmig_region_scan_nl_policy,
		.maxattr	= KMIG_A_SCAN_ZERO_CHECK,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= KMIG_CMD_MIG_LISTEN,
		.doit		= kmig_nl_mig_listen_doit,
		.policy		= kmig_mig_listen_nl_policy,
		.maxattr	= KMIG_A_MIG_POSTCOPY_PAUSE_TIMEOUT_MS,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= KMIG_CMD_MIG_START,
		.doit		= kmig_nl_mig_start_doit,
		.policy		= kmig_mig_start_nl_policy,
		.maxattr	= KMIG_A_MIG_POSTCOPY_PAUSE_TIMEOUT_MS,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= KMIG_CMD_MIG_GET,
		.doit		= kmig_nl_mig_get_doit,
		.policy		= kmig_mig_get_nl_policy,
		.maxattr	= KMIG_A_MIG_REGION_ID,
		.flags		= GENL_CMD_CAP_DO,
	},
	{
		.cmd	= KMIG_CMD_MIG_GET,
		.dumpit	= kmig_nl_mig_get_dumpit,
		.flags	= GENL_CMD_CAP_DUMP,
	},
	{
		.cmd		= KMIG_CMD_MIG_CANCEL,
		.doit		= kmig_nl_mig_cancel_doit,
		.policy		= kmig_mig_cancel_nl_policy,
		.maxattr	= KMIG_A_MIG_REGION_ID,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= KMIG_CMD_MIG_SWITCHOVER,
		.doit		= kmig_nl_mig_switchover_doit,
		.policy		= kmig_mig_switchover_nl_policy,
		.maxattr	= KMIG_A_MIG_REGION_ID,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= KMIG_CMD_MIG_DIRTY_PUSH,
		.doit		= kmig_nl_mig_dirty_push_doit,
		.policy		= kmig_mig_dirty_push_nl_policy,
		.maxattr	= KMIG_A_MIG_DIRTY_BITMAP,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= KMIG_CMD_COLO_CHECKPOINT,
		.doit		= kmig_nl_colo_checkpoint_doit,
		.policy		= kmig_colo_checkpoint_nl_policy,
		.maxattr	= KMIG_A_MIG_REGION_ID,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= KMIG_CMD_COLO_PAUSED,
		.doit		= kmig_nl_colo_paused_doit,
		.policy		= kmig_colo_paused_nl_policy,
		.maxattr	= KMIG_A_MIG_CHECKPOINT,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= KMIG_CMD_MIG_POSTCOPY,
		.doit		= kmig_nl_mig_postcopy_doit,
		.policy		= kmig_mig_postcopy_nl_policy,
		.maxattr	= KMIG_A_MIG_REGION_ID,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= KMIG_CMD_MIG_POSTCOPY_RESUME,
		.doit		= kmig_nl_mig_postcopy_resume_doit,
		.policy		= kmig_mig_postcopy_resume_nl_policy,
		.maxattr	= KMIG_A_MIG_PORT,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
};

static const struct genl_multicast_group kmig_nl_mcgrps[] = {
	[KMIG_NLGRP_EVENTS] = { "events", },
};

struct genl_family kmig_nl_family __ro_after_init = {
	.name		= KMIG_FAMILY_NAME,
	.version	= KMIG_FAMILY_VERSION,
	.netnsok	= true,
	.parallel_ops	= true,
	.module		= THIS_MODULE,
	.split_ops	= kmig_nl_ops,
	.n_split_ops	= ARRAY_SIZE(kmig_nl_ops),
	.mcgrps		= kmig_nl_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(kmig_nl_mcgrps),
};
