/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The migration status attributes of the "kmig" family, as mig-get
 * replies (netlink_mig.c) and the events (events.c) carry them.
 */
#ifndef _KMIG_NETLINK_STATUS_H
#define _KMIG_NETLINK_STATUS_H

struct sk_buff;
struct kmig_mig_info;

/* Put the status of @m into @skb: 0, or -EMSGSIZE when it does not fit. */
int kmig_nl_fill_mig(struct sk_buff *skb, const struct kmig_mig_info *m);

#endif /* _KMIG_NETLINK_STATUS_H */
