// SPDX-License-Identifier: GPL-2.0
/*
 * Netlink handlers of the regions, the parameters and the counters:
 * region-get (do and dump), region-scan, params-get, params-set and
 * stats-get. Requests arrive validated by the generated policies
 * (generated/netlink.c).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/pid.h>
#include <net/genetlink.h>
#include <net/netlink.h>

#include <uapi/linux/kmig.h>

#include "netlink.h"
#include "compat.h"
#include "region.h"
#include "params.h"
#include "limits.h"
#include "zerocheck.h"
#include "migration.h"

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

int kmig_nl_region_get_doit(struct sk_buff *skb, struct genl_info *info)
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

int kmig_nl_region_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
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
			kmig_limits_migrations()) ||
	    nla_put_u32(skb, KMIG_A_PARAMS_MAX_HANDSHAKES,
			kmig_limits_handshakes()) ||
	    nla_put_u32(skb, KMIG_A_PARAMS_HANDSHAKE_TIMEOUT_MS,
			kmig_limits_handshake_timeout_ms()))
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

int kmig_nl_params_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	return kmig_nl_params_reply(info, KMIG_CMD_PARAMS_GET);
}

int kmig_nl_params_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *a_channels = info->attrs[KMIG_A_PARAMS_CHANNELS];
	struct nlattr *a_detect = info->attrs[KMIG_A_PARAMS_ZERO_PAGE_DETECTION];
	struct nlattr *a_check = info->attrs[KMIG_A_PARAMS_ZERO_CHECK];
	struct nlattr **attrs = info->attrs;
	struct nlattr *a_regions = attrs[KMIG_A_PARAMS_MAX_REGIONS_PER_USER];
	struct nlattr *a_memory = attrs[KMIG_A_PARAMS_MAX_MEMORY];
	struct nlattr *a_maxch = attrs[KMIG_A_PARAMS_MAX_CHANNELS];
	struct nlattr *a_migs = attrs[KMIG_A_PARAMS_MAX_MIGRATIONS];
	struct nlattr *a_hs = attrs[KMIG_A_PARAMS_MAX_HANDSHAKES];
	struct nlattr *a_hs_ms = attrs[KMIG_A_PARAMS_HANDSHAKE_TIMEOUT_MS];
	const char *why = NULL;
	int err;

	if (!a_channels && !a_detect && !a_check && !a_regions && !a_memory &&
	    !a_maxch && !a_migs && !a_hs && !a_hs_ms) {
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

	if (a_hs_ms && nla_get_u32(a_hs_ms) > KMIG_HANDSHAKE_TIMEOUT_MAX_MS) {
		NL_SET_ERR_MSG_ATTR(info->extack, a_hs_ms,
				    "handshake-timeout-ms above 600000");
		return -ERANGE;
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
	if (a_hs)
		kmig_limits_set_handshakes(nla_get_u32(a_hs), &why);
	if (a_hs_ms)
		kmig_limits_set_handshake_timeout_ms(nla_get_u32(a_hs_ms),
						     &why);
	return kmig_nl_params_reply(info, KMIG_CMD_PARAMS_SET);

bad:
	if (why)
		kmig_nl_set_err_msg(info->extack, why);
	return err;
}

static int kmig_nl_put_stats(struct sk_buff *msg,
			     const struct kmig_global_stats *s,
			     const struct kmig_mig_stats *ms)
{
	const struct {
		int attr;
		u64 value;
	} u64s[] = {
		{ KMIG_A_STATS_POPULATED_PAGES, s->populated_pages },
		{ KMIG_A_STATS_FAULTS, s->faults },
		{ KMIG_A_STATS_ALLOC_FAILURES, s->alloc_failures },
		{ KMIG_A_STATS_MMAP_REFUSED, s->mmap_refused },
		{ KMIG_A_STATS_REGIONS_CREATED, s->regions_created },
		{ KMIG_A_STATS_SCANS, s->scans },
		{ KMIG_A_STATS_MIGRATIONS_STARTED, ms->started },
		{ KMIG_A_STATS_MIGRATIONS_COMPLETED, ms->completed },
		{ KMIG_A_STATS_MIGRATIONS_FAILED, ms->failed },
		{ KMIG_A_STATS_MIGRATIONS_CANCELLED, ms->cancelled },
		{ KMIG_A_STATS_REJECTED_CONNECTIONS, ms->rejected },
		{ KMIG_A_STATS_MALFORMED_PACKETS, ms->malformed },
		{ KMIG_A_STATS_SPLICE_FALLBACKS, ms->splice_fallbacks },
		{ KMIG_A_STATS_MIGRATIONS_FAILED_OVER, ms->failed_over },
		{ KMIG_A_STATS_AUTH_FAILURES, ms->auth_failed },
		{ KMIG_A_STATS_INTEGRITY_ERRORS, ms->integrity_errors },
		{ KMIG_A_STATS_LIMIT_REGIONS_REFUSED,
		  kmig_limits_refused(KMIG_LIMIT_REGIONS) },
		{ KMIG_A_STATS_LIMIT_MEMORY_REFUSED,
		  kmig_limits_refused(KMIG_LIMIT_MEMORY) },
		{ KMIG_A_STATS_LIMIT_CHANNELS_REFUSED,
		  kmig_limits_refused(KMIG_LIMIT_CHANNELS) },
		{ KMIG_A_STATS_LIMIT_MIGRATIONS_REFUSED,
		  kmig_limits_refused(KMIG_LIMIT_MIGRATIONS) },
		{ KMIG_A_STATS_LIMIT_HANDSHAKES_REACHED,
		  kmig_limits_refused(KMIG_LIMIT_HANDSHAKES) },
	};
	unsigned int i;

	if (nla_put_u32(msg, KMIG_A_STATS_REGIONS, s->regions) ||
	    nla_put_u32(msg, KMIG_A_STATS_MIGRATIONS_RUNNING,
			kmig_limits_migrations_running()))
		return -EMSGSIZE;
	for (i = 0; i < ARRAY_SIZE(u64s); i++)
		if (kmig_nl_put_u64(msg, u64s[i].attr, u64s[i].value,
				    KMIG_A_STATS_PAD))
			return -EMSGSIZE;
	return 0;
}

int kmig_nl_stats_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct kmig_global_stats s;
	struct kmig_mig_stats ms;
	struct sk_buff *msg;
	void *hdr;

	msg = kmig_nl_reply_new(info, KMIG_CMD_STATS_GET, &hdr);
	if (!msg)
		return -ENOMEM;
	kmig_global_stats_read(&s);
	kmig_mig_stats_read(&ms);
	return kmig_nl_reply_send(msg, hdr, info,
				  kmig_nl_put_stats(msg, &s, &ms));
}

int kmig_nl_region_scan_doit(struct sk_buff *skb, struct genl_info *info)
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
