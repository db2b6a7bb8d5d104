/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Generic netlink family "kmig" (Documentation/netlink/specs/kmig.yaml):
 * its registration, and the reply helpers of its two handler files
 * (netlink_region.c, netlink_mig.c). The family, its policies, its ops
 * table and the handler prototypes are generated from the spec into
 * generated/netlink.[ch], which netlink_ops.c compiles.
 */
#ifndef _KMIG_NETLINK_H
#define _KMIG_NETLINK_H

#include <net/genetlink.h>
#include <uapi/linux/kmig.h>

#include "generated/netlink.h"

static inline int kmig_nl_put_u64(struct sk_buff *skb, int type, u64 value,
				  int pad)
{
	return nla_put_u64_64bit(skb, type, value, pad);
}

struct sk_buff *kmig_nl_reply_new(struct genl_info *info, u8 cmd, void **hdr);
int kmig_nl_reply_send(struct sk_buff *skb, void *hdr, struct genl_info *info,
		       int err);

/* Before registering: the generated ops, one struct genl_ops per command. */
void kmig_nl_ops_init(void);

int kmig_netlink_init(void);
void kmig_netlink_uninit(void);

#endif /* _KMIG_NETLINK_H */
