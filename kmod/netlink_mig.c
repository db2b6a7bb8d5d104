// SPDX-License-Identifier: GPL-2.0
/*
 * Netlink handlers of the migrations: mig-listen and mig-start (with the
 * parsing of their configuration), mig-get (do and dump), mig-cancel,
 * mig-switchover, mig-dirty-push, colo-checkpoint and colo-paused. The
 * status attributes of mig-get come from netlink_status.c.
 * Requests arrive validated by the generated policies
 * (generated/netlink.c).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitmap.h>
#include <linux/inet.h>
#include <linux/slab.h>
#include <net/genetlink.h>
#include <net/netlink.h>

#include <uapi/linux/kmig.h>

#include "netlink.h"
#include "netlink_status.h"
#include "compat.h"
#include "region.h"
#include "params.h"
#include "migration.h"
#include "postcopy.h"

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

/* @a_addr (any address when NULL) and @port into @ss. */
static int kmig_nl_parse_addr(struct genl_info *info, struct nlattr *a_addr,
			      u16 port, struct sockaddr_storage *ss)
{
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;

	memset(ss, 0, sizeof(*ss));
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
	if (ss->ss_family == AF_INET6)
		sin6->sin6_port = htons(port);
	else
		sin->sin_port = htons(port);
	return 0;
}

/* Postcopy's options of mig-start (live). */
static int kmig_nl_mig_postcopy_config(struct genl_info *info,
				       struct kmig_mig_config *cfg)
{
	struct nlattr *a_after = info->attrs[KMIG_A_MIG_POSTCOPY_AFTER];
	struct nlattr *a_pf = info->attrs[KMIG_A_MIG_POSTCOPY_PREFETCH];

	cfg->postcopy = nla_get_flag(info->attrs[KMIG_A_MIG_POSTCOPY]);
	cfg->postcopy_after = a_after ? nla_get_u32(a_after) : U32_MAX;
	cfg->prefetch = a_pf ? nla_get_u32(a_pf) :
			KMIG_POSTCOPY_PREFETCH_DEFAULT;
	if (!cfg->postcopy && (a_after || a_pf ||
			       cfg->no_convergence == KMIG_NO_CONVERGENCE_POSTCOPY)) {
		NL_SET_ERR_MSG(info->extack,
			       "postcopy-after, postcopy-prefetch and no-convergence postcopy need postcopy");
		return -EINVAL;
	}
	if (cfg->postcopy && !cfg->live) {
		NL_SET_ERR_MSG(info->extack, "postcopy needs live");
		return -EINVAL;
	}
	if (cfg->postcopy && cfg->colo) {
		NL_SET_ERR_MSG(info->extack, "postcopy and COLO exclude each other");
		return -EINVAL;
	}
	if (cfg->postcopy && cfg->channels < 2) {
		NL_SET_ERR_MSG(info->extack,
			       "postcopy needs at least 2 channels (channel 0 carries the page requests)");
		return -EINVAL;
	}
	return 0;
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
	if (kmig_nl_mig_postcopy_config(info, cfg))
		return -EINVAL;
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
	u16 port = a_port ? nla_get_u16(a_port) : 0;
	int ret;

	memset(cfg, 0, sizeof(*cfg));
	if (source && !a_addr) {
		NL_SET_ERR_MSG(info->extack, "destination address required");
		return -EINVAL;
	}
	if (source && !port) {
		NL_SET_ERR_MSG(info->extack, "destination port required");
		return -EINVAL;
	}
	ret = kmig_nl_parse_addr(info, a_addr, port, &cfg->addr);
	if (ret)
		return ret;

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
	/* Both policies carry it (the listen one ends with it). */
	cfg->pc_pause_timeout_ms = KMIG_PC_PAUSE_TIMEOUT_DEFAULT_MS;
	if (info->attrs[KMIG_A_MIG_POSTCOPY_PAUSE_TIMEOUT_MS])
		cfg->pc_pause_timeout_ms =
			nla_get_u32(info->attrs[KMIG_A_MIG_POSTCOPY_PAUSE_TIMEOUT_MS]);
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
		if (why)
			kmig_nl_set_err_msg(info->extack, why);
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

int kmig_nl_mig_listen_doit(struct sk_buff *skb, struct genl_info *info)
{
	return kmig_nl_mig_setup(skb, info, false);
}

int kmig_nl_mig_start_doit(struct sk_buff *skb, struct genl_info *info)
{
	return kmig_nl_mig_setup(skb, info, true);
}

int kmig_nl_mig_get_doit(struct sk_buff *skb, struct genl_info *info)
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

int kmig_nl_mig_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
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
		if (why)
			kmig_nl_set_err_msg(info->extack, why);
	} else {
		err = kmig_nl_mig_reply(info, cmd, region);
	}
	kmig_region_put(region);
	return err;
}

int kmig_nl_mig_cancel_doit(struct sk_buff *skb, struct genl_info *info)
{
	return kmig_nl_mig_op(info, KMIG_CMD_MIG_CANCEL, kmig_mig_cancel);
}

int kmig_nl_mig_switchover_doit(struct sk_buff *skb, struct genl_info *info)
{
	return kmig_nl_mig_op(info, KMIG_CMD_MIG_SWITCHOVER, kmig_mig_switchover);
}

int kmig_nl_mig_postcopy_doit(struct sk_buff *skb, struct genl_info *info)
{
	return kmig_nl_mig_op(info, KMIG_CMD_MIG_POSTCOPY, kmig_mig_postcopy);
}

int kmig_nl_mig_postcopy_resume_doit(struct sk_buff *skb,
				     struct genl_info *info)
{
	struct nlattr *a_addr = info->attrs[KMIG_A_MIG_ADDR];
	struct nlattr *a_port = info->attrs[KMIG_A_MIG_PORT];
	struct sockaddr_storage ss = {};
	struct kmig_region *region;
	const char *why = NULL;
	u16 port = 0;
	int err;

	if (a_port)
		port = nla_get_u16(a_port);
	if (a_addr && !a_port) {
		NL_SET_ERR_MSG(info->extack, "a new address needs its port");
		return -EINVAL;
	}
	if (a_addr || a_port) {
		err = kmig_nl_parse_addr(info, a_addr, port, &ss);
		if (err)
			return err;
	}
	region = kmig_nl_mig_region(info);
	if (IS_ERR(region))
		return PTR_ERR(region);
	err = kmig_mig_postcopy_resume(region, a_addr || a_port ? &ss : NULL,
				       !!a_addr, &why);
	if (err) {
		if (why)
			kmig_nl_set_err_msg(info->extack, why);
	} else {
		err = kmig_nl_mig_reply(info, KMIG_CMD_MIG_POSTCOPY_RESUME,
					region);
	}
	kmig_region_put(region);
	return err;
}

int kmig_nl_mig_dirty_push_doit(struct sk_buff *skb, struct genl_info *info)
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
	if (err && why)
		kmig_nl_set_err_msg(info->extack, why);
	bitmap_free(bits);
	kmig_region_put(region);
	return err;
}

int kmig_nl_colo_checkpoint_doit(struct sk_buff *skb, struct genl_info *info)
{
	return kmig_nl_mig_op(info, KMIG_CMD_COLO_CHECKPOINT,
			      kmig_mig_colo_checkpoint);
}

int kmig_nl_colo_paused_doit(struct sk_buff *skb, struct genl_info *info)
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
	if (err && why)
		kmig_nl_set_err_msg(info->extack, why);
	kmig_region_put(region);
	return err;
}
