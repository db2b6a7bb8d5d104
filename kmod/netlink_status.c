// SPDX-License-Identifier: GPL-2.0
/*
 * The migration status attributes (netlink_status.h), written from a
 * snapshot (mig_info.h): mig-get replies (netlink_mig.c) and the events
 * (events.c) carry the same ones.
 */
#include <linux/in6.h>
#include <linux/kernel.h>
#include <net/genetlink.h>
#include <net/netlink.h>

#include <uapi/linux/kmig.h>

#include "netlink.h"
#include "netlink_status.h"
#include "mig_info.h"

/* A latency summary nested in @type; @metric < 0: no metric attribute. */
static int kmig_nl_put_latency(struct sk_buff *skb, int type, int metric,
			       const struct kmig_colo_latency *l)
{
	const int lpad = KMIG_A_COLO_LATENCY_PAD;
	struct nlattr *nest;

	nest = nla_nest_start(skb, type);
	if (!nest)
		return -EMSGSIZE;
	if ((metric >= 0 &&
	     nla_put_u32(skb, KMIG_A_COLO_LATENCY_METRIC, metric)) ||
	    kmig_nl_put_u64(skb, KMIG_A_COLO_LATENCY_COUNT, l->count, lpad) ||
	    kmig_nl_put_u64(skb, KMIG_A_COLO_LATENCY_LAST_NS, l->last, lpad) ||
	    kmig_nl_put_u64(skb, KMIG_A_COLO_LATENCY_MEAN_NS, l->mean, lpad) ||
	    kmig_nl_put_u64(skb, KMIG_A_COLO_LATENCY_P50_NS, l->p50, lpad) ||
	    kmig_nl_put_u64(skb, KMIG_A_COLO_LATENCY_P99_NS, l->p99, lpad) ||
	    kmig_nl_put_u64(skb, KMIG_A_COLO_LATENCY_MAX_NS, l->max, lpad)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int kmig_nl_fill_postcopy(struct sk_buff *skb,
				 const struct kmig_mig_info *m)
{
	const int pad = KMIG_A_MIG_PAD;

	if ((m->postcopy && nla_put_flag(skb, KMIG_A_MIG_POSTCOPY)) ||
	    (m->postcopy_allowed && m->postcopy_after != U32_MAX &&
	     nla_put_u32(skb, KMIG_A_MIG_POSTCOPY_AFTER, m->postcopy_after)) ||
	    (m->postcopy_allowed &&
	     nla_put_u32(skb, KMIG_A_MIG_POSTCOPY_PREFETCH,
			 m->postcopy_prefetch)) ||
	    kmig_nl_put_u64(skb, KMIG_A_MIG_POSTCOPY_REQUESTS, m->pc_requests,
			    pad) ||
	    kmig_nl_put_u64(skb, KMIG_A_MIG_POSTCOPY_REQUESTED_PAGES,
			    m->pc_requested, pad) ||
	    kmig_nl_put_u64(skb, KMIG_A_MIG_POSTCOPY_SERVED_PAGES, m->pc_served,
			    pad) ||
	    kmig_nl_put_u64(skb, KMIG_A_MIG_POSTCOPY_PUSHED_PAGES, m->pc_pushed,
			    pad) ||
	    nla_put_u32(skb, KMIG_A_MIG_POSTCOPY_PAUSE_TIMEOUT_MS,
			m->pc_pause_timeout_ms) ||
	    nla_put_u32(skb, KMIG_A_MIG_POSTCOPY_PAUSES, m->pc_pauses))
		return -EMSGSIZE;
	if (!m->pc_dest)
		return 0;
	if (kmig_nl_put_u64(skb, KMIG_A_MIG_POSTCOPY_MISSING_PAGES,
			    m->pc_missing, pad) ||
	    kmig_nl_put_u64(skb, KMIG_A_MIG_POSTCOPY_FAULTS, m->pc_faults, pad) ||
	    kmig_nl_put_u64(skb, KMIG_A_MIG_POSTCOPY_DISCARDED_PAGES,
			    m->pc_discarded, pad))
		return -EMSGSIZE;
	return kmig_nl_put_latency(skb, KMIG_A_MIG_POSTCOPY_LATENCY, -1,
				   &m->pc_latency);
}

static int kmig_nl_fill_colo(struct sk_buff *skb,
			     const struct kmig_mig_info *m)
{
	const int pad = KMIG_A_MIG_PAD;
	unsigned int i;

	if (nla_put_flag(skb, KMIG_A_MIG_COLO) ||
	    kmig_nl_put_u64(skb, KMIG_A_MIG_CHECKPOINT, m->checkpoint, pad) ||
	    kmig_nl_put_u64(skb, KMIG_A_MIG_CHECKPOINTS, m->checkpoints, pad) ||
	    kmig_nl_put_u64(skb, KMIG_A_MIG_CKPT_PAGES, m->ckpt_pages, pad) ||
	    kmig_nl_put_u64(skb, KMIG_A_MIG_CKPT_BYTES, m->ckpt_bytes, pad))
		return -EMSGSIZE;
	if (m->role == KMIG_MIG_ROLE_SOURCE &&
	    nla_put_u32(skb, KMIG_A_MIG_CHECKPOINT_INTERVAL_MS,
			m->checkpoint_interval_ms))
		return -EMSGSIZE;
	if (m->role == KMIG_MIG_ROLE_DESTINATION &&
	    kmig_nl_put_u64(skb, KMIG_A_MIG_COLO_CACHE_PAGES,
			    m->colo_cache_pages, pad))
		return -EMSGSIZE;
	for (i = 0; i < KMIG_COLO_METRICS; i++) {
		if ((m->colo_metrics & BIT(i)) &&
		    kmig_nl_put_latency(skb, KMIG_A_MIG_COLO_LATENCY, i,
					&m->colo_latency[i]))
			return -EMSGSIZE;
	}
	return 0;
}

int kmig_nl_fill_mig(struct sk_buff *skb, const struct kmig_mig_info *m)
{
	const int pad = KMIG_A_MIG_PAD;
	struct nlattr *nest;
	char addr[64];
	unsigned int i;
	u16 port;

	if (m->addr.ss_family == AF_INET6) {
		const struct sockaddr_in6 *a = (const void *)&m->addr;

		snprintf(addr, sizeof(addr), "%pI6c", &a->sin6_addr);
		port = ntohs(a->sin6_port);
	} else {
		const struct sockaddr_in *a = (const void *)&m->addr;

		snprintf(addr, sizeof(addr), "%pI4", &a->sin_addr);
		port = ntohs(a->sin_port);
	}

	if (nla_put_u32(skb, KMIG_A_MIG_REGION_ID, m->region_id) ||
	    nla_put_u32(skb, KMIG_A_MIG_ROLE, m->role) ||
	    nla_put_u32(skb, KMIG_A_MIG_STATE, m->state) ||
	    nla_put_string(skb, KMIG_A_MIG_ADDR, addr) ||
	    nla_put_u16(skb, KMIG_A_MIG_PORT, port) ||
	    nla_put_u32(skb, KMIG_A_MIG_CHANNELS, m->channels) ||
	    (m->role == KMIG_MIG_ROLE_SOURCE &&
	     nla_put_u32(skb, KMIG_A_MIG_ZERO_PAGE_DETECTION, m->zero_detect)) ||
	    nla_put(skb, KMIG_A_MIG_MIGRATION_ID, sizeof(m->id), m->id) ||
	    kmig_nl_put_u64(skb, KMIG_A_MIG_PAGES_TOTAL, m->pages_total, pad) ||
	    kmig_nl_put_u64(skb, KMIG_A_MIG_PAGES_DONE, m->pages_done, pad) ||
	    kmig_nl_put_u64(skb, KMIG_A_MIG_ZERO_PAGES, m->zero_pages, pad) ||
	    kmig_nl_put_u64(skb, KMIG_A_MIG_ZERO_BYTES, m->zero_bytes, pad) ||
	    kmig_nl_put_u64(skb, KMIG_A_MIG_NORMAL_PAGES, m->normal_pages, pad) ||
	    kmig_nl_put_u64(skb, KMIG_A_MIG_NORMAL_BYTES, m->normal_bytes, pad) ||
	    kmig_nl_put_u64(skb, KMIG_A_MIG_PACKETS, m->packets, pad) ||
	    kmig_nl_put_u64(skb, KMIG_A_MIG_BYTES, m->bytes, pad) ||
	    kmig_nl_put_u64(skb, KMIG_A_MIG_SPLICE_FALLBACKS,
			    m->splice_fallbacks, pad) ||
	    kmig_nl_put_u64(skb, KMIG_A_MIG_SETUP_NS, m->setup_ns, pad) ||
	    kmig_nl_put_u64(skb, KMIG_A_MIG_TIME_NS, m->time_ns, pad) ||
	    kmig_nl_put_u64(skb, KMIG_A_MIG_THROUGHPUT, m->throughput, pad) ||
	    (m->reason[0] && nla_put_string(skb, KMIG_A_MIG_REASON, m->reason)) ||
	    kmig_nl_put_u64(skb, KMIG_A_MIG_REJECTED_CONNECTIONS,
			    m->rejected, pad) ||
	    nla_put_u32(skb, KMIG_A_MIG_AUTH, m->auth) ||
	    kmig_nl_put_u64(skb, KMIG_A_MIG_AUTH_FAILURES, m->auth_failed,
			    pad) ||
	    (m->integrity && nla_put_flag(skb, KMIG_A_MIG_INTEGRITY)) ||
	    kmig_nl_put_u64(skb, KMIG_A_MIG_INTEGRITY_ERRORS,
			    m->integrity_errors, pad) ||
	    kmig_nl_put_u64(skb, KMIG_A_MIG_MALFORMED_PACKETS,
			    m->malformed, pad) ||
	    nla_put_u32(skb, KMIG_A_MIG_PASSES, m->passes))
		return -EMSGSIZE;
	if (m->live &&
	    (nla_put_flag(skb, KMIG_A_MIG_LIVE) ||
	     nla_put_u32(skb, KMIG_A_MIG_DOWNTIME_LIMIT_MS,
			 m->downtime_limit_ms) ||
	     kmig_nl_put_u64(skb, KMIG_A_MIG_MAX_BANDWIDTH, m->max_bandwidth,
			     pad) ||
	     nla_put_u32(skb, KMIG_A_MIG_MAX_PASSES, m->max_passes) ||
	     nla_put_u32(skb, KMIG_A_MIG_NO_CONVERGENCE, m->no_convergence) ||
	     kmig_nl_put_u64(skb, KMIG_A_MIG_PASS, m->pass, pad) ||
	     kmig_nl_put_u64(skb, KMIG_A_MIG_DIRTY_RATE, m->dirty_rate, pad) ||
	     kmig_nl_put_u64(skb, KMIG_A_MIG_EXPECTED_DOWNTIME_NS,
			     m->expected_downtime_ns, pad) ||
	     kmig_nl_put_u64(skb, KMIG_A_MIG_REMAINING_BYTES,
			     m->remaining_bytes, pad) ||
	     kmig_nl_put_u64(skb, KMIG_A_MIG_DOWNTIME_NS, m->downtime_ns, pad) ||
	     kmig_nl_put_u64(skb, KMIG_A_MIG_DIRTY_SYNCS, m->dirty_syncs, pad) ||
	     nla_put_u32(skb, KMIG_A_MIG_SWITCHOVER_READY, m->switchover_ready)))
		return -EMSGSIZE;

	if (m->colo && kmig_nl_fill_colo(skb, m))
		return -EMSGSIZE;
	if ((m->postcopy_allowed || m->pc_dest) && kmig_nl_fill_postcopy(skb, m))
		return -EMSGSIZE;

	for (i = 0; i < m->channels; i++) {
		const struct kmig_mig_channel_info *c = &m->ch[i];
		const int cpad = KMIG_A_MIG_CHANNEL_PAD;

		nest = nla_nest_start(skb, KMIG_A_MIG_CHANNEL);
		if (!nest)
			return -EMSGSIZE;
		if (nla_put_u32(skb, KMIG_A_MIG_CHANNEL_ID, c->id) ||
		    nla_put_u32(skb, KMIG_A_MIG_CHANNEL_CPU, c->cpu) ||
		    kmig_nl_put_u64(skb, KMIG_A_MIG_CHANNEL_PAGES, c->pages, cpad) ||
		    kmig_nl_put_u64(skb, KMIG_A_MIG_CHANNEL_ZERO_PAGES,
				    c->zero_pages, cpad) ||
		    kmig_nl_put_u64(skb, KMIG_A_MIG_CHANNEL_BYTES, c->bytes, cpad) ||
		    kmig_nl_put_u64(skb, KMIG_A_MIG_CHANNEL_PACKETS,
				    c->packets, cpad)) {
			nla_nest_cancel(skb, nest);
			return -EMSGSIZE;
		}
		nla_nest_end(skb, nest);
	}
	return 0;
}
