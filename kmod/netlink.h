/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Generic netlink family "kmig" (Documentation/netlink/specs/kmig.yaml).
 */
#ifndef _KMIG_NETLINK_H
#define _KMIG_NETLINK_H

#include <net/genetlink.h>
#include <uapi/linux/kmig.h>

struct kmig_mig_info;

enum {
	KMIG_NLGRP_EVENTS,
};

extern struct genl_family kmig_nl_family;

/* Multicast a migration event (process context). */
void kmig_nl_mig_notify(struct net *net, const struct kmig_mig_info *m,
			enum kmig_mig_event event);

int kmig_netlink_init(void);
void kmig_netlink_uninit(void);

#endif /* _KMIG_NETLINK_H */
