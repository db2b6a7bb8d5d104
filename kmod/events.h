/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Migration events, multicast to the "events" group of the "kmig"
 * generic netlink family.
 */
#ifndef _KMIG_EVENTS_H
#define _KMIG_EVENTS_H

#include <uapi/linux/kmig.h>

struct net;
struct kmig_mig_info;

/* Multicast @event with the status @info in @net (process context). */
void kmig_events_mig(struct net *net, const struct kmig_mig_info *info,
		     enum kmig_mig_event event);

#endif /* _KMIG_EVENTS_H */
