// SPDX-License-Identifier: GPL-2.0
/*
 * Generic netlink control plane. The policy tables below are checked
 * against the YNL spec by scripts/ynl-check.sh: keep them byte-identical
 * to what ynl-gen-c generates. The ops table is written out by hand with
 * struct genl_ops (per-op policies), which both 6.1 and 6.12 accept.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/pid.h>
#include <net/genetlink.h>
#include <net/netlink.h>
#include <linux/inet.h>
#include <linux/slab.h>
#include <linux/bitmap.h>

#include <uapi/linux/kmig.h>

#include "netlink.h"
#include "region.h"
#include "params.h"
#include "limits.h"
#include "zerocheck.h"
#include "migration.h"

/* KMIG_CMD_REGION_GET - do */
static const struct nla_policy kmig_region_get_nl_policy[KMIG_A_REGION_ID + 1] = {
	[KMIG_A_REGION_ID] = NLA_POLICY_MIN(NLA_U32, 1),
};

/* KMIG_CMD_PARAMS_SET - do */
static const struct nla_policy kmig_params_set_nl_policy[KMIG_A_PARAMS_MAX_MIGRATIONS + 1] = {
	[KMIG_A_PARAMS_CHANNELS] = NLA_POLICY_RANGE(NLA_U32, 1, KMIG_CHANNELS_MAX),
	[KMIG_A_PARAMS_ZERO_PAGE_DETECTION] = NLA_POLICY_MAX(NLA_U32, 2),
	[KMIG_A_PARAMS_ZERO_CHECK] = NLA_POLICY_MAX(NLA_U32, 4),
	[KMIG_A_PARAMS_MAX_REGIONS_PER_USER] = { .type = NLA_U32, },
	[KMIG_A_PARAMS_MAX_MEMORY] = { .type = NLA_U64, },
	[KMIG_A_PARAMS_MAX_CHANNELS] = NLA_POLICY_RANGE(NLA_U32, 1, KMIG_CHANNELS_MAX),
	[KMIG_A_PARAMS_MAX_MIGRATIONS] = { .type = NLA_U32, },
};

/* KMIG_CMD_REGION_SCAN - do */
static const struct nla_policy kmig_region_scan_nl_policy[KMIG_A_SCAN_ZERO_CHECK + 1] = {
	[KMIG_A_SCAN_REGION_ID] = NLA_POLICY_MIN(NLA_U32, 1),
	[KMIG_A_SCAN_ZERO_CHECK] = NLA_POLICY_MAX(NLA_U32, 4),
};

/* KMIG_CMD_MIG_LISTEN - do */
static const struct nla_policy kmig_mig_listen_nl_policy[KMIG_A_MIG_INTEGRITY + 1] = {
	[KMIG_A_MIG_REGION_ID] = NLA_POLICY_MIN(NLA_U32, 1),
	[KMIG_A_MIG_ADDR] = { .type = NLA_NUL_STRING, .len = 63, },
	[KMIG_A_MIG_PORT] = { .type = NLA_U16, },
	[KMIG_A_MIG_CHANNELS] = NLA_POLICY_RANGE(NLA_U32, 1, KMIG_CHANNELS_MAX),
	[KMIG_A_MIG_MIGRATION_ID] = NLA_POLICY_EXACT_LEN(16),
	[KMIG_A_MIG_COLO] = { .type = NLA_FLAG, },
	[KMIG_A_MIG_KEY] = NLA_POLICY_EXACT_LEN(32),
	[KMIG_A_MIG_INSECURE] = { .type = NLA_FLAG, },
	[KMIG_A_MIG_INTEGRITY] = { .type = NLA_FLAG, },
};

/* KMIG_CMD_MIG_START - do */
static const struct nla_policy kmig_mig_start_nl_policy[KMIG_A_MIG_INTEGRITY + 1] = {
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
	[KMIG_A_MIG_NO_CONVERGENCE] = NLA_POLICY_MAX(NLA_U32, 1),
	[KMIG_A_MIG_COLO] = { .type = NLA_FLAG, },
	[KMIG_A_MIG_CHECKPOINT_INTERVAL_MS] = NLA_POLICY_MIN(NLA_U32, 10),
	[KMIG_A_MIG_KEY] = NLA_POLICY_EXACT_LEN(32),
	[KMIG_A_MIG_INSECURE] = { .type = NLA_FLAG, },
	[KMIG_A_MIG_INTEGRITY] = { .type = NLA_FLAG, },
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

static int kmig_nl_put_u64(struct sk_buff *skb, int type, u64 value, int pad)
{
	return nla_put_u64_64bit(skb, type, value, pad);
}

static int kmig_nl_fill_region(struct sk_buff *skb, struct kmig_region *r)
{
	const int pad = KMIG_A_REGION_PAD;

	if (nla_put_u32(skb, KMIG_A_REGION_ID, r->id) ||
	    kmig_nl_put_u64(skb, KMIG_A_REGION_SIZE,
			    (u64)kmig_region_npages(r) << PAGE_SHIFT, pad) ||
	    kmig_nl_put_u64(skb, KMIG_A_REGION_POPULATED_PAGES,
			    kmig_region_populated(r), pad) ||
	    nla_put_u32(skb, KMIG_A_REGION_OWNER_PID, pid_vnr(r->owner)) ||
	    nla_put_string(skb, KMIG_A_REGION_OWNER_COMM, r->owner_comm) ||
	    nla_put_u32(skb, KMIG_A_REGION_MAPPINGS,
			atomic_read(&r->mappings)) ||
	    kmig_nl_put_u64(skb, KMIG_A_REGION_FAULTS,
			    atomic64_read(&r->stats.faults), pad) ||
	    kmig_nl_put_u64(skb, KMIG_A_REGION_ALLOC_FAILURES,
			    atomic64_read(&r->stats.alloc_failures), pad) ||
	    kmig_nl_put_u64(skb, KMIG_A_REGION_ZERO_PAGES,
			    atomic64_read(&r->stats.zero_pages), pad) ||
	    kmig_nl_put_u64(skb, KMIG_A_REGION_ZERO_BYTES,
			    atomic64_read(&r->stats.zero_bytes), pad) ||
	    kmig_nl_put_u64(skb, KMIG_A_REGION_NORMAL_PAGES,
			    atomic64_read(&r->stats.normal_pages), pad) ||
	    kmig_nl_put_u64(skb, KMIG_A_REGION_NORMAL_BYTES,
			    atomic64_read(&r->stats.normal_bytes), pad) ||
	    nla_put_u32(skb, KMIG_A_REGION_PAGE_SIZE, PAGE_SIZE))
		return -EMSGSIZE;
	return 0;
}

/* Allocate a reply for @info, with the genl header of command @cmd. */
static struct sk_buff *kmig_nl_reply_new(struct genl_info *info, u8 cmd,
					 void **hdr)
{
	struct sk_buff *skb;

	skb = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!skb)
		return NULL;
	*hdr = genlmsg_put_reply(skb, info, &kmig_nl_family, 0, cmd);
	if (!*hdr) {
		nlmsg_free(skb);
		return NULL;
	}
	return skb;
}

static int kmig_nl_reply_send(struct sk_buff *skb, void *hdr,
			      struct genl_info *info, int err)
{
	if (err) {
		nlmsg_free(skb);
		return err;
	}
	genlmsg_end(skb, hdr);
	return genlmsg_reply(skb, info);
}

static int kmig_nl_region_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct kmig_region *region;
	struct sk_buff *msg;
	void *hdr;
	int err;

	if (GENL_REQ_ATTR_CHECK(info, KMIG_A_REGION_ID)) {
		NL_SET_ERR_MSG(info->extack, "region id required");
		return -EINVAL;
	}

	region = kmig_region_find(nla_get_u32(info->attrs[KMIG_A_REGION_ID]));
	if (!region) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[KMIG_A_REGION_ID],
				    "no region with this id");
		return -ENOENT;
	}

	msg = kmig_nl_reply_new(info, KMIG_CMD_REGION_GET, &hdr);
	if (!msg) {
		kmig_region_put(region);
		return -ENOMEM;
	}
	err = kmig_nl_fill_region(msg, region);
	kmig_region_put(region);
	return kmig_nl_reply_send(msg, hdr, info, err);
}

static int kmig_nl_region_get_dumpit(struct sk_buff *skb,
				     struct netlink_callback *cb)
{
	struct kmig_region *region;
	u32 id = max_t(u32, cb->args[0], 1);
	void *hdr;
	int err = 0;

	while ((region = kmig_region_find_next(&id))) {
		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
				  cb->nlh->nlmsg_seq, &kmig_nl_family,
				  NLM_F_MULTI, KMIG_CMD_REGION_GET);
		err = hdr ? kmig_nl_fill_region(skb, region) : -EMSGSIZE;
		kmig_region_put(region);
		if (err) {
			if (hdr)
				genlmsg_cancel(skb, hdr);
			break;
		}
		genlmsg_end(skb, hdr);
		if (id == U32_MAX)
			break;
		id++;
	}
	cb->args[0] = id;
	/* A full skb ends this round; the dump goes on from @id. */
	if (err == -EMSGSIZE && skb->len)
		return skb->len;
	return err ? err : skb->len;
}

static int kmig_nl_fill_params(struct sk_buff *skb)
{
	if (nla_put_u32(skb, KMIG_A_PARAMS_CHANNELS, kmig_params_channels()) ||
	    nla_put_u32(skb, KMIG_A_PARAMS_ZERO_PAGE_DETECTION,
			kmig_params_zero_detect()) ||
	    nla_put_u32(skb, KMIG_A_PARAMS_ZERO_CHECK,
			kmig_zerocheck_requested()) ||
	    nla_put_u32(skb, KMIG_A_PARAMS_ZERO_CHECK_ACTIVE,
			kmig_zerocheck_active()) ||
	    nla_put_u32(skb, KMIG_A_PARAMS_ZERO_CHECK_AVAILABLE,
			kmig_zerocheck_available()) ||
	    kmig_nl_put_u64(skb, KMIG_A_PARAMS_REGION_SIZE_MAX,
			    kmig_params_region_size_max(), KMIG_A_PARAMS_PAD) ||
	    nla_put_u32(skb, KMIG_A_PARAMS_MAX_REGIONS_PER_USER,
			kmig_limits_regions_per_user()) ||
	    kmig_nl_put_u64(skb, KMIG_A_PARAMS_MAX_MEMORY,
			    kmig_limits_memory(), KMIG_A_PARAMS_PAD) ||
	    nla_put_u32(skb, KMIG_A_PARAMS_MAX_CHANNELS,
			kmig_limits_channels()) ||
	    nla_put_u32(skb, KMIG_A_PARAMS_MAX_MIGRATIONS,
			kmig_limits_migrations()))
		return -EMSGSIZE;
	return 0;
}

static int kmig_nl_params_reply(struct genl_info *info, u8 cmd)
{
	struct sk_buff *msg;
	void *hdr;

	msg = kmig_nl_reply_new(info, cmd, &hdr);
	if (!msg)
		return -ENOMEM;
	return kmig_nl_reply_send(msg, hdr, info, kmig_nl_fill_params(msg));
}

static int kmig_nl_params_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	return kmig_nl_params_reply(info, KMIG_CMD_PARAMS_GET);
}

static int kmig_nl_params_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *a_channels = info->attrs[KMIG_A_PARAMS_CHANNELS];
	struct nlattr *a_detect = info->attrs[KMIG_A_PARAMS_ZERO_PAGE_DETECTION];
	struct nlattr *a_check = info->attrs[KMIG_A_PARAMS_ZERO_CHECK];
	struct nlattr **attrs = info->attrs;
	struct nlattr *a_regions = attrs[KMIG_A_PARAMS_MAX_REGIONS_PER_USER];
	struct nlattr *a_memory = attrs[KMIG_A_PARAMS_MAX_MEMORY];
	struct nlattr *a_maxch = attrs[KMIG_A_PARAMS_MAX_CHANNELS];
	struct nlattr *a_migs = attrs[KMIG_A_PARAMS_MAX_MIGRATIONS];
	const char *why = NULL;
	int err;

	if (!a_channels && !a_detect && !a_check && !a_regions && !a_memory &&
	    !a_maxch && !a_migs) {
		NL_SET_ERR_MSG(info->extack, "no parameter to set");
		return -EINVAL;
	}

	/* Check everything before changing anything. */
	if (a_check && !kmig_zerocheck_is_available(nla_get_u32(a_check))) {
		NL_SET_ERR_MSG_ATTR(info->extack, a_check,
				    "zero-check implementation not supported by this CPU");
		return -EOPNOTSUPP;
	}
	if (a_memory) {
		err = kmig_limits_check_memory(nla_get_u64(a_memory), &why);
		if (err) {
			NL_SET_BAD_ATTR(info->extack, a_memory);
			goto bad;
		}
	}

	if (a_channels) {
		err = kmig_params_set_channels(nla_get_u32(a_channels), &why);
		if (err)
			goto bad;
	}
	if (a_detect) {
		err = kmig_params_set_zero_detect(nla_get_u32(a_detect), &why);
		if (err)
			goto bad;
	}
	if (a_check) {
		err = kmig_zerocheck_select(nla_get_u32(a_check));
		if (err) {
			why = "cannot select this zero-check implementation";
			goto bad;
		}
	}
	/* Checked above (memory) or by the policy (channels): no failure. */
	if (a_regions)
		kmig_limits_set_regions_per_user(nla_get_u32(a_regions), &why);
	if (a_memory)
		kmig_limits_set_memory(nla_get_u64(a_memory), &why);
	if (a_maxch)
		kmig_limits_set_channels(nla_get_u32(a_maxch), &why);
	if (a_migs)
		kmig_limits_set_migrations(nla_get_u32(a_migs), &why);
	return kmig_nl_params_reply(info, KMIG_CMD_PARAMS_SET);

bad:
	/* @why is a static string from the setter, as the macros expect. */
	if (info->extack && why)
		info->extack->_msg = why;
	return err;
}

static int kmig_nl_stats_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	const int pad = KMIG_A_STATS_PAD;
	struct kmig_global_stats s;
	struct kmig_mig_stats ms;
	struct sk_buff *msg;
	void *hdr;
	int err = 0;

	msg = kmig_nl_reply_new(info, KMIG_CMD_STATS_GET, &hdr);
	if (!msg)
		return -ENOMEM;

	kmig_global_stats_read(&s);
	kmig_mig_stats_read(&ms);
	if (nla_put_u32(msg, KMIG_A_STATS_REGIONS, s.regions) ||
	    kmig_nl_put_u64(msg, KMIG_A_STATS_POPULATED_PAGES,
			    s.populated_pages, pad) ||
	    kmig_nl_put_u64(msg, KMIG_A_STATS_FAULTS, s.faults, pad) ||
	    kmig_nl_put_u64(msg, KMIG_A_STATS_ALLOC_FAILURES,
			    s.alloc_failures, pad) ||
	    kmig_nl_put_u64(msg, KMIG_A_STATS_MMAP_REFUSED,
			    s.mmap_refused, pad) ||
	    kmig_nl_put_u64(msg, KMIG_A_STATS_REGIONS_CREATED,
			    s.regions_created, pad) ||
	    kmig_nl_put_u64(msg, KMIG_A_STATS_SCANS, s.scans, pad) ||
	    kmig_nl_put_u64(msg, KMIG_A_STATS_MIGRATIONS_STARTED,
			    ms.started, pad) ||
	    kmig_nl_put_u64(msg, KMIG_A_STATS_MIGRATIONS_COMPLETED,
			    ms.completed, pad) ||
	    kmig_nl_put_u64(msg, KMIG_A_STATS_MIGRATIONS_FAILED,
			    ms.failed, pad) ||
	    kmig_nl_put_u64(msg, KMIG_A_STATS_MIGRATIONS_CANCELLED,
			    ms.cancelled, pad) ||
	    kmig_nl_put_u64(msg, KMIG_A_STATS_REJECTED_CONNECTIONS,
			    ms.rejected, pad) ||
	    kmig_nl_put_u64(msg, KMIG_A_STATS_MALFORMED_PACKETS,
			    ms.malformed, pad) ||
	    kmig_nl_put_u64(msg, KMIG_A_STATS_SPLICE_FALLBACKS,
			    ms.splice_fallbacks, pad) ||
	    kmig_nl_put_u64(msg, KMIG_A_STATS_MIGRATIONS_FAILED_OVER,
			    ms.failed_over, pad) ||
	    kmig_nl_put_u64(msg, KMIG_A_STATS_AUTH_FAILURES,
			    ms.auth_failed, pad) ||
	    kmig_nl_put_u64(msg, KMIG_A_STATS_INTEGRITY_ERRORS,
			    ms.integrity_errors, pad) ||
	    kmig_nl_put_u64(msg, KMIG_A_STATS_LIMIT_REGIONS_REFUSED,
			    kmig_limits_refused(KMIG_LIMIT_REGIONS), pad) ||
	    kmig_nl_put_u64(msg, KMIG_A_STATS_LIMIT_MEMORY_REFUSED,
			    kmig_limits_refused(KMIG_LIMIT_MEMORY), pad) ||
	    kmig_nl_put_u64(msg, KMIG_A_STATS_LIMIT_CHANNELS_REFUSED,
			    kmig_limits_refused(KMIG_LIMIT_CHANNELS), pad) ||
	    kmig_nl_put_u64(msg, KMIG_A_STATS_LIMIT_MIGRATIONS_REFUSED,
			    kmig_limits_refused(KMIG_LIMIT_MIGRATIONS), pad) ||
	    nla_put_u32(msg, KMIG_A_STATS_MIGRATIONS_RUNNING,
			kmig_limits_migrations_running()))
		err = -EMSGSIZE;
	return kmig_nl_reply_send(msg, hdr, info, err);
}

static int kmig_nl_region_scan_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *a_check = info->attrs[KMIG_A_SCAN_ZERO_CHECK];
	enum kmig_zero_check impl = KMIG_ZERO_CHECK_AUTO;
	struct kmig_scan_result res = {};
	const int pad = KMIG_A_SCAN_PAD;
	struct kmig_region *region;
	struct sk_buff *msg;
	void *hdr;
	int err;

	if (GENL_REQ_ATTR_CHECK(info, KMIG_A_SCAN_REGION_ID)) {
		NL_SET_ERR_MSG(info->extack, "region id required");
		return -EINVAL;
	}
	if (a_check) {
		impl = nla_get_u32(a_check);
		if (!kmig_zerocheck_is_available(impl)) {
			NL_SET_ERR_MSG_ATTR(info->extack, a_check,
					    "zero-check implementation not supported by this CPU");
			return -EOPNOTSUPP;
		}
	}

	region = kmig_region_find(nla_get_u32(info->attrs[KMIG_A_SCAN_REGION_ID]));
	if (!region) {
		NL_SET_ERR_MSG_ATTR(info->extack,
				    info->attrs[KMIG_A_SCAN_REGION_ID],
				    "no region with this id");
		return -ENOENT;
	}
	err = kmig_region_scan(region, impl, &res);
	kmig_region_put(region);
	if (err) {
		if (err == -EINTR)
			NL_SET_ERR_MSG(info->extack, "scan interrupted");
		return err;
	}

	msg = kmig_nl_reply_new(info, KMIG_CMD_REGION_SCAN, &hdr);
	if (!msg)
		return -ENOMEM;
	if (nla_put_u32(msg, KMIG_A_SCAN_REGION_ID, res.region_id) ||
	    kmig_nl_put_u64(msg, KMIG_A_SCAN_PAGES, res.pages, pad) ||
	    kmig_nl_put_u64(msg, KMIG_A_SCAN_POPULATED_PAGES,
			    res.populated_pages, pad) ||
	    kmig_nl_put_u64(msg, KMIG_A_SCAN_ZERO_PAGES, res.zero_pages, pad) ||
	    kmig_nl_put_u64(msg, KMIG_A_SCAN_NORMAL_PAGES,
			    res.normal_pages, pad) ||
	    kmig_nl_put_u64(msg, KMIG_A_SCAN_TIME_NS, res.time_ns, pad) ||
	    nla_put_u32(msg, KMIG_A_SCAN_ZERO_CHECK_USED, res.impl))
		err = -EMSGSIZE;
	return kmig_nl_reply_send(msg, hdr, info, err);
}

/* Migrations */

static int kmig_nl_fill_colo(struct sk_buff *skb,
			     const struct kmig_mig_info *m)
{
	const int pad = KMIG_A_MIG_PAD, lpad = KMIG_A_COLO_LATENCY_PAD;
	struct nlattr *nest;
	unsigned int i;

	if (nla_put_flag(skb, KMIG_A_MIG_COLO) ||
	    kmig_nl_put_u64(skb, KMIG_A_MIG_CHECKPOINT, m->checkpoint, pad) ||
	    kmig_nl_put_u64(skb, KMIG_A_MIG_CHECKPOINTS, m->checkpoints, pad) ||
	    kmig_nl_put_u64(skb, KMIG_A_MIG_CKPT_PAGES, m->ckpt_pages, pad) ||
	    kmig_nl_put_u64(skb, KMIG_A_MIG_CKPT_BYTES, m->ckpt_bytes, pad))
		return -EMSGSIZE;
	if (m->role == KMIG_MIG_ROLE_SOURCE &&
	    nla_put_u32(skb, KMIG_A_MIG_CHECKPOINT_INTERVAL_MS,
			m->checkpoint_interval_ms))
		return -EMSGSIZE;
	if (m->role == KMIG_MIG_ROLE_DESTINATION &&
	    kmig_nl_put_u64(skb, KMIG_A_MIG_COLO_CACHE_PAGES,
			    m->colo_cache_pages, pad))
		return -EMSGSIZE;
	for (i = 0; i < KMIG_COLO_METRICS; i++) {
		const struct kmig_colo_latency *l = &m->colo_latency[i];

		if (!(m->colo_metrics & BIT(i)))
			continue;
		nest = nla_nest_start(skb, KMIG_A_MIG_COLO_LATENCY);
		if (!nest)
			return -EMSGSIZE;
		if (nla_put_u32(skb, KMIG_A_COLO_LATENCY_METRIC, i) ||
		    kmig_nl_put_u64(skb, KMIG_A_COLO_LATENCY_COUNT, l->count, lpad) ||
		    kmig_nl_put_u64(skb, KMIG_A_COLO_LATENCY_LAST_NS, l->last, lpad) ||
		    kmig_nl_put_u64(skb, KMIG_A_COLO_LATENCY_MEAN_NS, l->mean, lpad) ||
		    kmig_nl_put_u64(skb, KMIG_A_COLO_LATENCY_P50_NS, l->p50, lpad) ||
		    kmig_nl_put_u64(skb, KMIG_A_COLO_LATENCY_P99_NS, l->p99, lpad) ||
		    kmig_nl_put_u64(skb, KMIG_A_COLO_LATENCY_MAX_NS, l->max, lpad)) {
			nla_nest_cancel(skb, nest);
			return -EMSGSIZE;
		}
		nla_nest_end(skb, nest);
	}
	return 0;
}

static int kmig_nl_fill_mig(struct sk_buff *skb, const struct kmig_mig_info *m)
{
	const int pad = KMIG_A_MIG_PAD;
	struct nlattr *nest;
	char addr[64];
	unsigned int i;
	u16 port;

	if (m->addr.ss_family == AF_INET6) {
		const struct sockaddr_in6 *a = (const void *)&m->addr;

		snprintf(addr, sizeof(addr), "%pI6c", &a->sin6_addr);
		port = ntohs(a->sin6_port);
	} else {
		const struct sockaddr_in *a = (const void *)&m->addr;

		snprintf(addr, sizeof(addr), "%pI4", &a->sin_addr);
		port = ntohs(a->sin_port);
	}

	if (nla_put_u32(skb, KMIG_A_MIG_REGION_ID, m->region_id) ||
	    nla_put_u32(skb, KMIG_A_MIG_ROLE, m->role) ||
	    nla_put_u32(skb, KMIG_A_MIG_STATE, m->state) ||
	    nla_put_string(skb, KMIG_A_MIG_ADDR, addr) ||
	    nla_put_u16(skb, KMIG_A_MIG_PORT, port) ||
	    nla_put_u32(skb, KMIG_A_MIG_CHANNELS, m->channels) ||
	    (m->role == KMIG_MIG_ROLE_SOURCE &&
	     nla_put_u32(skb, KMIG_A_MIG_ZERO_PAGE_DETECTION, m->zero_detect)) ||
	    nla_put(skb, KMIG_A_MIG_MIGRATION_ID, sizeof(m->id), m->id) ||
	    kmig_nl_put_u64(skb, KMIG_A_MIG_PAGES_TOTAL, m->pages_total, pad) ||
	    kmig_nl_put_u64(skb, KMIG_A_MIG_PAGES_DONE, m->pages_done, pad) ||
	    kmig_nl_put_u64(skb, KMIG_A_MIG_ZERO_PAGES, m->zero_pages, pad) ||
	    kmig_nl_put_u64(skb, KMIG_A_MIG_ZERO_BYTES, m->zero_bytes, pad) ||
	    kmig_nl_put_u64(skb, KMIG_A_MIG_NORMAL_PAGES, m->normal_pages, pad) ||
	    kmig_nl_put_u64(skb, KMIG_A_MIG_NORMAL_BYTES, m->normal_bytes, pad) ||
	    kmig_nl_put_u64(skb, KMIG_A_MIG_PACKETS, m->packets, pad) ||
	    kmig_nl_put_u64(skb, KMIG_A_MIG_BYTES, m->bytes, pad) ||
	    kmig_nl_put_u64(skb, KMIG_A_MIG_SPLICE_FALLBACKS,
			    m->splice_fallbacks, pad) ||
	    kmig_nl_put_u64(skb, KMIG_A_MIG_SETUP_NS, m->setup_ns, pad) ||
	    kmig_nl_put_u64(skb, KMIG_A_MIG_TIME_NS, m->time_ns, pad) ||
	    kmig_nl_put_u64(skb, KMIG_A_MIG_THROUGHPUT, m->throughput, pad) ||
	    (m->reason[0] && nla_put_string(skb, KMIG_A_MIG_REASON, m->reason)) ||
	    kmig_nl_put_u64(skb, KMIG_A_MIG_REJECTED_CONNECTIONS,
			    m->rejected, pad) ||
	    nla_put_u32(skb, KMIG_A_MIG_AUTH, m->auth) ||
	    kmig_nl_put_u64(skb, KMIG_A_MIG_AUTH_FAILURES, m->auth_failed,
			    pad) ||
	    (m->integrity && nla_put_flag(skb, KMIG_A_MIG_INTEGRITY)) ||
	    kmig_nl_put_u64(skb, KMIG_A_MIG_INTEGRITY_ERRORS,
			    m->integrity_errors, pad) ||
	    kmig_nl_put_u64(skb, KMIG_A_MIG_MALFORMED_PACKETS,
			    m->malformed, pad) ||
	    nla_put_u32(skb, KMIG_A_MIG_PASSES, m->passes))
		return -EMSGSIZE;
	if (m->live &&
	    (nla_put_flag(skb, KMIG_A_MIG_LIVE) ||
	     nla_put_u32(skb, KMIG_A_MIG_DOWNTIME_LIMIT_MS,
			 m->downtime_limit_ms) ||
	     kmig_nl_put_u64(skb, KMIG_A_MIG_MAX_BANDWIDTH, m->max_bandwidth,
			     pad) ||
	     nla_put_u32(skb, KMIG_A_MIG_MAX_PASSES, m->max_passes) ||
	     nla_put_u32(skb, KMIG_A_MIG_NO_CONVERGENCE, m->no_convergence) ||
	     kmig_nl_put_u64(skb, KMIG_A_MIG_PASS, m->pass, pad) ||
	     kmig_nl_put_u64(skb, KMIG_A_MIG_DIRTY_RATE, m->dirty_rate, pad) ||
	     kmig_nl_put_u64(skb, KMIG_A_MIG_EXPECTED_DOWNTIME_NS,
			     m->expected_downtime_ns, pad) ||
	     kmig_nl_put_u64(skb, KMIG_A_MIG_REMAINING_BYTES,
			     m->remaining_bytes, pad) ||
	     kmig_nl_put_u64(skb, KMIG_A_MIG_DOWNTIME_NS, m->downtime_ns, pad) ||
	     kmig_nl_put_u64(skb, KMIG_A_MIG_DIRTY_SYNCS, m->dirty_syncs, pad) ||
	     nla_put_u32(skb, KMIG_A_MIG_SWITCHOVER_READY, m->switchover_ready)))
		return -EMSGSIZE;

	if (m->colo && kmig_nl_fill_colo(skb, m))
		return -EMSGSIZE;

	for (i = 0; i < m->channels; i++) {
		const struct kmig_mig_channel_info *c = &m->ch[i];
		const int cpad = KMIG_A_MIG_CHANNEL_PAD;

		nest = nla_nest_start(skb, KMIG_A_MIG_CHANNEL);
		if (!nest)
			return -EMSGSIZE;
		if (nla_put_u32(skb, KMIG_A_MIG_CHANNEL_ID, c->id) ||
		    nla_put_u32(skb, KMIG_A_MIG_CHANNEL_CPU, c->cpu) ||
		    kmig_nl_put_u64(skb, KMIG_A_MIG_CHANNEL_PAGES, c->pages, cpad) ||
		    kmig_nl_put_u64(skb, KMIG_A_MIG_CHANNEL_ZERO_PAGES,
				    c->zero_pages, cpad) ||
		    kmig_nl_put_u64(skb, KMIG_A_MIG_CHANNEL_BYTES, c->bytes, cpad) ||
		    kmig_nl_put_u64(skb, KMIG_A_MIG_CHANNEL_PACKETS,
				    c->packets, cpad)) {
			nla_nest_cancel(skb, nest);
			return -EMSGSIZE;
		}
		nla_nest_end(skb, nest);
	}
	return 0;
}

/* Reply with the migration status of @region. */
static int kmig_nl_mig_reply(struct genl_info *info, u8 cmd,
			     struct kmig_region *region)
{
	struct kmig_mig_info *m;
	struct sk_buff *msg;
	void *hdr;
	int err;

	m = kzalloc(sizeof(*m), GFP_KERNEL);
	if (!m)
		return -ENOMEM;
	err = kmig_mig_info(region, m);
	if (err) {
		NL_SET_ERR_MSG(info->extack, "no migration on this region");
		goto out;
	}
	err = -ENOMEM;
	msg = kmig_nl_reply_new(info, cmd, &hdr);
	if (!msg)
		goto out;
	err = kmig_nl_reply_send(msg, hdr, info, kmig_nl_fill_mig(msg, m));
out:
	kfree(m);
	return err;
}

static struct kmig_region *kmig_nl_mig_region(struct genl_info *info)
{
	struct nlattr *a = info->attrs[KMIG_A_MIG_REGION_ID];
	struct kmig_region *region;

	if (GENL_REQ_ATTR_CHECK(info, KMIG_A_MIG_REGION_ID)) {
		NL_SET_ERR_MSG(info->extack, "region id required");
		return ERR_PTR(-EINVAL);
	}
	region = kmig_region_find(nla_get_u32(a));
	if (!region) {
		NL_SET_ERR_MSG_ATTR(info->extack, a, "no region with this id");
		return ERR_PTR(-ENOENT);
	}
	return region;
}

/* The live migration options of mig-start. */
static int kmig_nl_mig_live_config(struct genl_info *info,
				   struct kmig_mig_config *cfg)
{
	struct nlattr *a_limit = info->attrs[KMIG_A_MIG_DOWNTIME_LIMIT_MS];
	struct nlattr *a_bw = info->attrs[KMIG_A_MIG_MAX_BANDWIDTH];
	struct nlattr *a_passes = info->attrs[KMIG_A_MIG_MAX_PASSES];
	struct nlattr *a_nc = info->attrs[KMIG_A_MIG_NO_CONVERGENCE];
	struct nlattr *a_ival = info->attrs[KMIG_A_MIG_CHECKPOINT_INTERVAL_MS];

	cfg->live = nla_get_flag(info->attrs[KMIG_A_MIG_LIVE]);
	if (!cfg->live && (a_limit || a_passes || a_nc)) {
		NL_SET_ERR_MSG(info->extack,
			       "downtime limit, max passes and no-convergence need live");
		return -EINVAL;
	}
	if (a_limit) {
		cfg->downtime_limit_ms = nla_get_u32(a_limit);
		if (cfg->downtime_limit_ms > KMIG_DOWNTIME_LIMIT_MAX_MS) {
			NL_SET_ERR_MSG_ATTR(info->extack, a_limit,
					    "downtime limit above one hour");
			return -ERANGE;
		}
	}
	if (a_bw)
		cfg->max_bandwidth = nla_get_u64(a_bw);
	if (a_passes)
		cfg->max_passes = nla_get_u32(a_passes);
	if (a_nc)
		cfg->no_convergence = nla_get_u32(a_nc);
	if (cfg->colo && !cfg->live) {
		NL_SET_ERR_MSG(info->extack, "COLO needs live");
		return -EINVAL;
	}
	if (a_ival && !cfg->colo) {
		NL_SET_ERR_MSG_ATTR(info->extack, a_ival,
				    "checkpoint interval needs COLO");
		return -EINVAL;
	}
	if (a_ival) {
		cfg->checkpoint_interval_ms = nla_get_u32(a_ival);
		if (cfg->checkpoint_interval_ms >
		    KMIG_CHECKPOINT_INTERVAL_MAX_MS) {
			NL_SET_ERR_MSG_ATTR(info->extack, a_ival,
					    "checkpoint interval above one hour");
			return -ERANGE;
		}
	}
	return 0;
}

/* Address, port, channels, zero detection and id of listen and start. */
static int kmig_nl_mig_config(struct genl_info *info, bool source,
			      struct kmig_mig_config *cfg)
{
	struct nlattr *a_addr = info->attrs[KMIG_A_MIG_ADDR];
	struct nlattr *a_port = info->attrs[KMIG_A_MIG_PORT];
	struct nlattr *a_ch = info->attrs[KMIG_A_MIG_CHANNELS];
	struct nlattr *a_zd = info->attrs[KMIG_A_MIG_ZERO_PAGE_DETECTION];
	struct nlattr *a_id = info->attrs[KMIG_A_MIG_MIGRATION_ID];
	struct nlattr *a_key = info->attrs[KMIG_A_MIG_KEY];
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&cfg->addr;
	struct sockaddr_in *sin = (struct sockaddr_in *)&cfg->addr;
	u16 port = a_port ? nla_get_u16(a_port) : 0;

	memset(cfg, 0, sizeof(*cfg));
	if (source && !a_addr) {
		NL_SET_ERR_MSG(info->extack, "destination address required");
		return -EINVAL;
	}
	if (source && !port) {
		NL_SET_ERR_MSG(info->extack, "destination port required");
		return -EINVAL;
	}
	if (a_addr) {
		const char *text = nla_data(a_addr);

		if (in4_pton(text, -1, (u8 *)&sin->sin_addr, -1, NULL)) {
			sin->sin_family = AF_INET;
		} else if (in6_pton(text, -1, (u8 *)&sin6->sin6_addr, -1,
				    NULL)) {
			sin6->sin6_family = AF_INET6;
		} else {
			NL_SET_ERR_MSG_ATTR(info->extack, a_addr,
					    "not an IPv4 or IPv6 address");
			return -EINVAL;
		}
	} else {
		sin->sin_family = AF_INET;
		sin->sin_addr.s_addr = htonl(INADDR_ANY);
	}
	if (cfg->addr.ss_family == AF_INET6)
		sin6->sin6_port = htons(port);
	else
		sin->sin_port = htons(port);

	if (a_key && nla_get_flag(info->attrs[KMIG_A_MIG_INSECURE])) {
		NL_SET_ERR_MSG(info->extack,
			       "key and insecure exclude each other");
		return -EINVAL;
	}
	if (!a_key && !nla_get_flag(info->attrs[KMIG_A_MIG_INSECURE])) {
		NL_SET_ERR_MSG(info->extack,
			       "no key: give the migration key, or insecure to run without authentication");
		return -ENOKEY;
	}
	if (a_key) {
		cfg->have_key = true;
		memcpy(cfg->key, nla_data(a_key), sizeof(cfg->key));
	}

	cfg->channels = a_ch ? nla_get_u32(a_ch) : kmig_params_channels();
	cfg->zero_detect = a_zd ? nla_get_u32(a_zd) : kmig_params_zero_detect();
	if (a_id) {
		cfg->have_id = true;
		memcpy(cfg->id, nla_data(a_id), sizeof(cfg->id));
	}

	cfg->downtime_limit_ms = KMIG_DOWNTIME_LIMIT_DEFAULT_MS;
	cfg->checkpoint_interval_ms = KMIG_CHECKPOINT_INTERVAL_DEFAULT_MS;
	cfg->colo = nla_get_flag(info->attrs[KMIG_A_MIG_COLO]);
	cfg->integrity = nla_get_flag(info->attrs[KMIG_A_MIG_INTEGRITY]);
	/* Only mig-start's policy (and attrs array) reaches that far. */
	if (source)
		return kmig_nl_mig_live_config(info, cfg);
	return 0;
}

static int kmig_nl_mig_setup(struct sk_buff *skb, struct genl_info *info,
			     bool source)
{
	struct kmig_mig_config cfg;
	struct kmig_region *region;
	const char *why = NULL;
	int err;

	err = kmig_nl_mig_config(info, source, &cfg);
	if (err)
		goto wipe;
	region = kmig_nl_mig_region(info);
	if (IS_ERR(region)) {
		err = PTR_ERR(region);
		goto wipe;
	}
	if (source)
		err = kmig_mig_start(region, genl_info_net(info), &cfg, &why);
	else
		err = kmig_mig_listen(region, genl_info_net(info), &cfg, &why);
	memzero_explicit(cfg.key, sizeof(cfg.key));
	if (err) {
		/* @why is a static string, as the extack macros expect. */
		if (info->extack && why)
			info->extack->_msg = why;
		goto out;
	}
	err = kmig_nl_mig_reply(info, source ? KMIG_CMD_MIG_START :
				KMIG_CMD_MIG_LISTEN, region);
out:
	kmig_region_put(region);
	return err;
wipe:
	memzero_explicit(cfg.key, sizeof(cfg.key));
	return err;
}

static int kmig_nl_mig_listen_doit(struct sk_buff *skb, struct genl_info *info)
{
	return kmig_nl_mig_setup(skb, info, false);
}

static int kmig_nl_mig_start_doit(struct sk_buff *skb, struct genl_info *info)
{
	return kmig_nl_mig_setup(skb, info, true);
}

static int kmig_nl_mig_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct kmig_region *region;
	int err;

	region = kmig_nl_mig_region(info);
	if (IS_ERR(region))
		return PTR_ERR(region);
	err = kmig_nl_mig_reply(info, KMIG_CMD_MIG_GET, region);
	kmig_region_put(region);
	return err;
}

static int kmig_nl_mig_get_dumpit(struct sk_buff *skb,
				  struct netlink_callback *cb)
{
	u32 id = max_t(u32, cb->args[0], 1);
	struct kmig_region *region;
	struct kmig_mig_info *m;
	void *hdr;
	int err = 0;

	m = kzalloc(sizeof(*m), GFP_KERNEL);
	if (!m)
		return -ENOMEM;
	while ((region = kmig_region_find_next(&id))) {
		err = kmig_mig_info(region, m);
		kmig_region_put(region);
		if (err == -ENOENT) {
			err = 0;
			goto next;
		}
		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
				  cb->nlh->nlmsg_seq, &kmig_nl_family,
				  NLM_F_MULTI, KMIG_CMD_MIG_GET);
		err = hdr ? kmig_nl_fill_mig(skb, m) : -EMSGSIZE;
		if (err) {
			if (hdr)
				genlmsg_cancel(skb, hdr);
			break;
		}
		genlmsg_end(skb, hdr);
next:
		if (id == U32_MAX)
			break;
		id++;
	}
	kfree(m);
	cb->args[0] = id;
	if (err == -EMSGSIZE && skb->len)
		return skb->len;
	return err ? err : skb->len;
}

/*
 * A command on the migration of one region that answers with its status:
 * cancel, switchover, colo-checkpoint.
 */
static int kmig_nl_mig_op(struct genl_info *info, u8 cmd,
			  int (*op)(struct kmig_region *region,
				    const char **why))
{
	struct kmig_region *region;
	const char *why = NULL;
	int err;

	region = kmig_nl_mig_region(info);
	if (IS_ERR(region))
		return PTR_ERR(region);
	err = op(region, &why);
	if (err) {
		/* @why is a static string, as the extack macros expect. */
		if (info->extack && why)
			info->extack->_msg = why;
	} else {
		err = kmig_nl_mig_reply(info, cmd, region);
	}
	kmig_region_put(region);
	return err;
}

static int kmig_nl_mig_cancel_doit(struct sk_buff *skb, struct genl_info *info)
{
	return kmig_nl_mig_op(info, KMIG_CMD_MIG_CANCEL, kmig_mig_cancel);
}

static int kmig_nl_mig_switchover_doit(struct sk_buff *skb,
				       struct genl_info *info)
{
	return kmig_nl_mig_op(info, KMIG_CMD_MIG_SWITCHOVER, kmig_mig_switchover);
}

static int kmig_nl_mig_dirty_push_doit(struct sk_buff *skb,
				       struct genl_info *info)
{
	struct nlattr *a_bits = info->attrs[KMIG_A_MIG_DIRTY_BITMAP];
	struct kmig_region *region;
	const char *why = NULL;
	unsigned long *bits;
	u64 first = 0, nbits, last;
	int err;

	if (GENL_REQ_ATTR_CHECK(info, KMIG_A_MIG_DIRTY_BITMAP)) {
		NL_SET_ERR_MSG(info->extack, "dirty bitmap required");
		return -EINVAL;
	}
	if (!nla_len(a_bits) || nla_len(a_bits) % sizeof(u64)) {
		NL_SET_ERR_MSG_ATTR(info->extack, a_bits,
				    "dirty bitmap must be whole 64-bit words");
		return -EINVAL;
	}
	if (info->attrs[KMIG_A_MIG_DIRTY_FIRST])
		first = nla_get_u64(info->attrs[KMIG_A_MIG_DIRTY_FIRST]);
	region = kmig_nl_mig_region(info);
	if (IS_ERR(region))
		return PTR_ERR(region);

	nbits = (u64)nla_len(a_bits) * BITS_PER_BYTE;
	bits = bitmap_alloc(nbits, GFP_KERNEL);
	if (!bits) {
		kmig_region_put(region);
		return -ENOMEM;
	}
	bitmap_from_arr64(bits, nla_data(a_bits), nbits);
	/* Bits past the end of the region must be clear; clip to it. */
	last = nbits;
	nbits = min(nbits, (u64)kmig_region_npages(region) -
		    min_t(u64, first, kmig_region_npages(region)));
	if (find_next_bit(bits, last, nbits) < last) {
		why = "dirty bitmap outside the region";
		err = -ERANGE;
	} else {
		err = kmig_mig_dirty_push(region, first, bits, nbits, &why);
	}
	if (err && info->extack && why)
		info->extack->_msg = why;
	bitmap_free(bits);
	kmig_region_put(region);
	return err;
}

static int kmig_nl_colo_checkpoint_doit(struct sk_buff *skb,
					struct genl_info *info)
{
	return kmig_nl_mig_op(info, KMIG_CMD_COLO_CHECKPOINT,
			      kmig_mig_colo_checkpoint);
}

static int kmig_nl_colo_paused_doit(struct sk_buff *skb,
				    struct genl_info *info)
{
	struct kmig_region *region;
	const char *why = NULL;
	int err;

	if (GENL_REQ_ATTR_CHECK(info, KMIG_A_MIG_CHECKPOINT)) {
		NL_SET_ERR_MSG(info->extack, "checkpoint number required");
		return -EINVAL;
	}
	region = kmig_nl_mig_region(info);
	if (IS_ERR(region))
		return PTR_ERR(region);
	err = kmig_mig_colo_paused(region,
				   nla_get_u64(info->attrs[KMIG_A_MIG_CHECKPOINT]),
				   &why);
	if (err && info->extack && why)
		info->extack->_msg = why;
	kmig_region_put(region);
	return err;
}

void kmig_nl_mig_notify(struct net *net, const struct kmig_mig_info *m,
			enum kmig_mig_event event)
{
	struct sk_buff *skb;
	void *hdr;

	if (!genl_has_listeners(&kmig_nl_family, net, KMIG_NLGRP_EVENTS))
		return;
	skb = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!skb)
		return;
	hdr = genlmsg_put(skb, 0, 0, &kmig_nl_family, 0, KMIG_CMD_MIG_EVENT);
	if (!hdr || kmig_nl_fill_mig(skb, m) ||
	    nla_put_u32(skb, KMIG_A_MIG_EVENT, event)) {
		nlmsg_free(skb);
		return;
	}
	genlmsg_end(skb, hdr);
	genlmsg_multicast_netns(&kmig_nl_family, net, skb, 0,
				KMIG_NLGRP_EVENTS, GFP_KERNEL);
}

static const struct genl_ops kmig_nl_ops[] = {
	{
		.cmd		= KMIG_CMD_REGION_GET,
		.doit		= kmig_nl_region_get_doit,
		.dumpit		= kmig_nl_region_get_dumpit,
		.policy		= kmig_region_get_nl_policy,
		.maxattr	= ARRAY_SIZE(kmig_region_get_nl_policy) - 1,
	},
	{
		.cmd		= KMIG_CMD_PARAMS_GET,
		.doit		= kmig_nl_params_get_doit,
	},
	{
		.cmd		= KMIG_CMD_PARAMS_SET,
		.doit		= kmig_nl_params_set_doit,
		.policy		= kmig_params_set_nl_policy,
		.maxattr	= ARRAY_SIZE(kmig_params_set_nl_policy) - 1,
		.flags		= GENL_ADMIN_PERM,
	},
	{
		.cmd		= KMIG_CMD_STATS_GET,
		.doit		= kmig_nl_stats_get_doit,
	},
	{
		.cmd		= KMIG_CMD_REGION_SCAN,
		.doit		= kmig_nl_region_scan_doit,
		.policy		= kmig_region_scan_nl_policy,
		.maxattr	= ARRAY_SIZE(kmig_region_scan_nl_policy) - 1,
		.flags		= GENL_ADMIN_PERM,
	},
	{
		.cmd		= KMIG_CMD_MIG_LISTEN,
		.doit		= kmig_nl_mig_listen_doit,
		.policy		= kmig_mig_listen_nl_policy,
		.maxattr	= ARRAY_SIZE(kmig_mig_listen_nl_policy) - 1,
		.flags		= GENL_ADMIN_PERM,
	},
	{
		.cmd		= KMIG_CMD_MIG_START,
		.doit		= kmig_nl_mig_start_doit,
		.policy		= kmig_mig_start_nl_policy,
		.maxattr	= ARRAY_SIZE(kmig_mig_start_nl_policy) - 1,
		.flags		= GENL_ADMIN_PERM,
	},
	{
		.cmd		= KMIG_CMD_MIG_GET,
		.doit		= kmig_nl_mig_get_doit,
		.dumpit		= kmig_nl_mig_get_dumpit,
		.policy		= kmig_mig_get_nl_policy,
		.maxattr	= ARRAY_SIZE(kmig_mig_get_nl_policy) - 1,
	},
	{
		.cmd		= KMIG_CMD_MIG_CANCEL,
		.doit		= kmig_nl_mig_cancel_doit,
		.policy		= kmig_mig_cancel_nl_policy,
		.maxattr	= ARRAY_SIZE(kmig_mig_cancel_nl_policy) - 1,
		.flags		= GENL_ADMIN_PERM,
	},
	{
		.cmd		= KMIG_CMD_MIG_SWITCHOVER,
		.doit		= kmig_nl_mig_switchover_doit,
		.policy		= kmig_mig_switchover_nl_policy,
		.maxattr	= ARRAY_SIZE(kmig_mig_switchover_nl_policy) - 1,
		.flags		= GENL_ADMIN_PERM,
	},
	{
		.cmd		= KMIG_CMD_MIG_DIRTY_PUSH,
		.doit		= kmig_nl_mig_dirty_push_doit,
		.policy		= kmig_mig_dirty_push_nl_policy,
		.maxattr	= ARRAY_SIZE(kmig_mig_dirty_push_nl_policy) - 1,
		.flags		= GENL_ADMIN_PERM,
	},
	{
		.cmd		= KMIG_CMD_COLO_CHECKPOINT,
		.doit		= kmig_nl_colo_checkpoint_doit,
		.policy		= kmig_colo_checkpoint_nl_policy,
		.maxattr	= ARRAY_SIZE(kmig_colo_checkpoint_nl_policy) - 1,
		.flags		= GENL_ADMIN_PERM,
	},
	{
		.cmd		= KMIG_CMD_COLO_PAUSED,
		.doit		= kmig_nl_colo_paused_doit,
		.policy		= kmig_colo_paused_nl_policy,
		.maxattr	= ARRAY_SIZE(kmig_colo_paused_nl_policy) - 1,
		.flags		= GENL_ADMIN_PERM,
	},
};

static const struct genl_multicast_group kmig_nl_mcgrps[] = {
	[KMIG_NLGRP_EVENTS] = { .name = KMIG_MCGRP_EVENTS, },
};

struct genl_family kmig_nl_family __ro_after_init = {
	.name		= KMIG_FAMILY_NAME,
	.version	= KMIG_FAMILY_VERSION,
	.netnsok	= true,
	.parallel_ops	= true,
	.module		= THIS_MODULE,
	.ops		= kmig_nl_ops,
	.n_ops		= ARRAY_SIZE(kmig_nl_ops),
	.mcgrps		= kmig_nl_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(kmig_nl_mcgrps),
};

int kmig_netlink_init(void)
{
	return genl_register_family(&kmig_nl_family);
}

void kmig_netlink_uninit(void)
{
	genl_unregister_family(&kmig_nl_family);
}
