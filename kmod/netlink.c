// SPDX-License-Identifier: GPL-2.0
/*
 * Generic netlink family "kmig": registration, and the reply helpers its
 * handlers share. The family, its policies and its ops table are generated
 * from the YNL spec (generated/netlink.c, checked by scripts/ynl-check.sh,
 * compiled by netlink_ops.c); the handlers are in
 * netlink_region.c (regions, parameters, counters) and netlink_mig.c
 * (migrations); the event multicast is in events.c.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <net/genetlink.h>

#include "netlink.h"

/* Allocate a reply for @info, with the genl header of command @cmd. */
struct sk_buff *kmig_nl_reply_new(struct genl_info *info, u8 cmd, void **hdr)
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

/* Send @skb as the reply to @info, or free it if @err. */
int kmig_nl_reply_send(struct sk_buff *skb, void *hdr, struct genl_info *info,
		       int err)
{
	if (err) {
		nlmsg_free(skb);
		return err;
	}
	genlmsg_end(skb, hdr);
	return genlmsg_reply(skb, info);
}

int kmig_netlink_init(void)
{
	kmig_nl_ops_init();
	return genl_register_family(&kmig_nl_family);
}

void kmig_netlink_uninit(void)
{
	genl_unregister_family(&kmig_nl_family);
}

MODULE_ALIAS_GENL_FAMILY(KMIG_FAMILY_NAME);
