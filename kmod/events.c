// SPDX-License-Identifier: GPL-2.0
/*
 * Migration events: KMIG_CMD_MIG_EVENT messages with the migration's
 * status, multicast to the "events" group of the "kmig" family in the
 * migration's network namespace. status.c calls this; the
 * status attributes come from netlink_status.c, as in a mig-get reply.
 */
#include <net/genetlink.h>

#include "events.h"
#include "netlink.h"
#include "netlink_status.h"

void kmig_events_mig(struct net *net, const struct kmig_mig_info *info,
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
	if (!hdr || kmig_nl_fill_mig(skb, info) ||
	    nla_put_u32(skb, KMIG_A_MIG_EVENT, event)) {
		nlmsg_free(skb);
		return;
	}
	genlmsg_end(skb, hdr);
	genlmsg_multicast_netns(&kmig_nl_family, net, skb, 0,
				KMIG_NLGRP_EVENTS, GFP_KERNEL);
}
