/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause) */
/* Do not edit directly, auto-generated from: */
/*	Documentation/netlink/specs/kmig.yaml */
/* YNL-GEN kernel header */

#ifndef _LINUX_KMIG_GEN_H
#define _LINUX_KMIG_GEN_H

#include <net/netlink.h>
#include <net/genetlink.h>

#include <uapi/linux/kmig.h>

int kmig_nl_region_get_doit(struct sk_buff *skb, struct genl_info *info);
int kmig_nl_region_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb);
int kmig_nl_params_get_doit(struct sk_buff *skb, struct genl_info *info);
int kmig_nl_params_set_doit(struct sk_buff *skb, struct genl_info *info);
int kmig_nl_stats_get_doit(struct sk_buff *skb, struct genl_info *info);
int kmig_nl_region_scan_doit(struct sk_buff *skb, struct genl_info *info);
int kmig_nl_mig_listen_doit(struct sk_buff *skb, struct genl_info *info);
int kmig_nl_mig_start_doit(struct sk_buff *skb, struct genl_info *info);
int kmig_nl_mig_get_doit(struct sk_buff *skb, struct genl_info *info);
int kmig_nl_mig_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb);
int kmig_nl_mig_cancel_doit(struct sk_buff *skb, struct genl_info *info);
int kmig_nl_mig_switchover_doit(struct sk_buff *skb, struct genl_info *info);
int kmig_nl_mig_dirty_push_doit(struct sk_buff *skb, struct genl_info *info);
int kmig_nl_colo_checkpoint_doit(struct sk_buff *skb, struct genl_info *info);
int kmig_nl_colo_paused_doit(struct sk_buff *skb, struct genl_info *info);
int kmig_nl_mig_postcopy_doit(struct sk_buff *skb, struct genl_info *info);
int kmig_nl_mig_postcopy_resume_doit(struct sk_buff *skb,
				     struct genl_info *info);

enum {
	KMIG_NLGRP_EVENTS,
};

extern struct genl_family kmig_nl_family;

#endif /* _LINUX_KMIG_GEN_H */
