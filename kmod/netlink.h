/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Generic netlink family "kmig" (Documentation/netlink/specs/kmig.yaml).
 */
#ifndef _KMIG_NETLINK_H
#define _KMIG_NETLINK_H

#include <net/genetlink.h>

extern struct genl_family kmig_nl_family;

int kmig_netlink_init(void);
void kmig_netlink_uninit(void);

#endif /* _KMIG_NETLINK_H */
