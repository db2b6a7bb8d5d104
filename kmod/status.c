// SPDX-License-Identifier: GPL-2.0
/*
 * A migration's status (status.h): the snapshot of it that netlink,
 * sysfs and the events carry (struct kmig_mig_info, mig_info.h), and the
 * multicast of an event with it.
 */
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/in.h>
#include <linux/in6.h>

#include "status.h"
#include "mig.h"
#include "channel.h"
#include "colo_state.h"
#include "region.h"
#include "events.h"
#include "postcopy.h"

/* Postcopy's figures: the source's counters, or the destination's map. */
static void kmig_status_fill_postcopy(struct kmig_mig *mig,
				      struct kmig_mig_info *info)
{
	/* Pairs with the release where the handshake set it up. */
	struct kmig_postcopy *pc = smp_load_acquire(&mig->pc);
	struct kmig_postcopy_latency l;

	info->postcopy_allowed = mig->cfg.postcopy;
	info->postcopy = READ_ONCE(mig->postcopy);
	info->postcopy_after = mig->cfg.postcopy_after;
	info->postcopy_prefetch = mig->cfg.prefetch;
	info->pc_pause_timeout_ms = mig->cfg.pc_pause_timeout_ms;
	info->pc_pauses = READ_ONCE(mig->pc_pauses);
	if (mig->role == KMIG_MIG_ROLE_SOURCE) {
		info->pc_requests = atomic64_read(&mig->pc_requests);
		info->pc_requested = atomic64_read(&mig->pc_requested);
		info->pc_served = atomic64_read(&mig->pc_served);
		info->pc_pushed = atomic64_read(&mig->pc_pushed);
		return;
	}
	if (!pc)
		return;
	info->pc_dest = true;
	info->pc_requests = atomic64_read(&pc->requests);
	info->pc_requested = atomic64_read(&pc->requested_pages);
	info->pc_served = atomic64_read(&pc->served_pages);
	info->pc_pushed = atomic64_read(&pc->pushed_pages);
	info->pc_missing = kmig_postcopy_nmissing(pc);
	info->pc_faults = atomic64_read(&pc->faults);
	info->pc_discarded = atomic64_read(&pc->discarded);
	kmig_postcopy_latency(pc, &l);
	info->pc_latency.count = l.count;
	info->pc_latency.last = l.last;
	info->pc_latency.mean = l.mean;
	info->pc_latency.p50 = l.p50;
	info->pc_latency.p99 = l.p99;
	info->pc_latency.max = l.max;
}

/* Status of @mig; the caller keeps it alive (mutex or its own thread). */
void kmig_status_fill(struct kmig_mig *mig, struct kmig_mig_info *info)
{
	u64 end, active, bytes;
	unsigned int i;

	memset(info, 0, sizeof(*info));
	info->region_id = mig->region->id;
	info->role = mig->role;
	spin_lock_bh(&mig->lock);
	info->state = mig->state;
	strscpy(info->reason, mig->reason, sizeof(info->reason));
	memcpy(info->id, mig->id, sizeof(info->id));
	info->dirty_rate = mig->dirty_rate;
	info->remaining_bytes = mig->remaining_bytes;
	info->expected_downtime_ns = mig->expected_downtime_ns;
	if (mig->colo) {
		struct kmig_colo *colo = mig->colo;

		info->colo = true;
		info->checkpoint = kmig_colo_sm_lost(&colo->sm);
		info->checkpoints = colo->checkpoints;
		info->ckpt_pages = colo->last_pages;
		info->ckpt_bytes = colo->last_bytes;
		kmig_colo_latency(colo, info->colo_latency);
		info->colo_metrics = BIT(KMIG_COLO_METRIC_TRANSFER) |
				     BIT(KMIG_COLO_METRIC_FLUSH);
		if (mig->role == KMIG_MIG_ROLE_SOURCE)
			info->colo_metrics |= BIT(KMIG_COLO_METRIC_PAUSE);
	}
	spin_unlock_bh(&mig->lock);
	if (mig->colo) {
		info->checkpoint_interval_ms = mig->cfg.checkpoint_interval_ms;
		info->colo_cache_pages =
			atomic_long_read(&mig->colo->cache.npages);
	}
	info->addr = mig->cfg.addr;
	if (info->addr.ss_family == AF_INET6)
		((struct sockaddr_in6 *)&info->addr)->sin6_port = htons(mig->port);
	else
		((struct sockaddr_in *)&info->addr)->sin_port = htons(mig->port);
	info->channels = mig->nch;
	info->zero_detect = mig->cfg.zero_detect;
	info->live = mig->cfg.live;
	info->downtime_limit_ms = mig->cfg.downtime_limit_ms;
	info->max_bandwidth = mig->cfg.max_bandwidth;
	info->max_passes = mig->cfg.max_passes;
	info->no_convergence = mig->cfg.no_convergence;
	info->pass = READ_ONCE(mig->pass);
	info->dirty_syncs = READ_ONCE(mig->dirty_syncs);
	info->switchover_ready = READ_ONCE(mig->switchover_ready);
	info->pages_total = atomic64_read(&mig->pages_total);
	info->pages_done = atomic64_read(&mig->pages_done);
	info->zero_pages = atomic64_read(&mig->zero_pages);
	info->zero_bytes = info->zero_pages * PAGE_SIZE;
	info->normal_pages = atomic64_read(&mig->normal_pages);
	info->normal_bytes = info->normal_pages * PAGE_SIZE;
	info->splice_fallbacks = atomic64_read(&mig->splice_fallbacks);
	info->rejected = atomic64_read(&mig->rejected);
	info->auth_failed = atomic64_read(&mig->auth_failed);
	info->auth = kmig_auth_enabled(&mig->auth);
	info->integrity_errors = atomic64_read(&mig->integrity_errors);
	info->integrity = mig->cfg.integrity;
	info->malformed = atomic64_read(&mig->malformed);
	info->passes = atomic_read(&mig->syncs) / mig->nch;
	bytes = atomic64_read(&mig->hello_bytes);
	for (i = 0; i < mig->nch; i++) {
		struct kmig_channel *ch = &mig->ch[i];

		info->ch[i].id = i;
		info->ch[i].cpu = ch->cpu;
		if (READ_ONCE(ch->crc))
			info->integrity = true;
		info->ch[i].pages = atomic64_read(&ch->pages);
		info->ch[i].zero_pages = atomic64_read(&ch->zero_pages);
		info->ch[i].bytes = atomic64_read(&ch->bytes);
		info->ch[i].packets = atomic64_read(&ch->packets);
		info->packets += info->ch[i].packets;
		bytes += info->ch[i].bytes;
	}
	info->bytes = bytes;
	end = kmig_mig_finished(mig) ? mig->end_ns : ktime_get_ns();
	/*
	 * The main thread sets the downtime before teardown moves the state
	 * to completed under mig->lock, which info->state was read under:
	 * a completed migration has its downtime, even before teardown ends.
	 */
	if (kmig_mig_finished(mig) || info->state == KMIG_MIG_STATE_COMPLETED ||
	    (mig->role == KMIG_MIG_ROLE_SOURCE && READ_ONCE(mig->postcopy_active)))
		info->downtime_ns = READ_ONCE(mig->downtime_ns);
	kmig_status_fill_postcopy(mig, info);
	info->time_ns = end - mig->start_ns;
	active = READ_ONCE(mig->active_ns);
	if (active) {
		info->setup_ns = active - mig->start_ns;
		if (end > active)
			info->throughput = mul_u64_u64_div_u64(bytes, NSEC_PER_SEC,
							       end - active);
	}
}

/*
 * Multicast an event with the migration's status. Process context; the
 * caller keeps @mig alive. Takes no migration lock, so the main thread may
 * call it while a cancel waits for it.
 */
void kmig_status_event(struct kmig_mig *mig, enum kmig_mig_event event)
{
	struct kmig_mig_info *info;

	info = kmalloc(sizeof(*info), GFP_KERNEL);
	if (!info)
		return;
	kmig_status_fill(mig, info);
	/* A pause names the checkpoint being taken, not the committed one. */
	if (event == KMIG_MIG_EVENT_CHECKPOINT_PAUSE && mig->colo)
		info->checkpoint = READ_ONCE(mig->colo->pause_for);
	kmig_events_mig(mig->net, info, event);
	kfree(info);
}
