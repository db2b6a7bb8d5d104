/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The example VMM's state, shared by kmig-vmm.c (the integration and the
 * two modes) and test-hooks.c (the test-only hooks of the COLO session):
 * guest RAM, the netlink sockets (libkmig's), what an event says, the COLO
 * tracking.
 */
#ifndef KMIG_VMM_H
#define KMIG_VMM_H

#include <stddef.h>
#include <stdint.h>
#include <linux/kmig.h>

#include "nl.h"
#include "opts.h"

struct guest_ram {
	int fd;
	unsigned char *mem;
	size_t size, page_size;
	uint32_t region;	/* KMIG_A_MIG_REGION_ID */
};

struct vmm_nl {
	struct kmig_nl cmd;	/* requests and their replies */
	struct kmig_nl ev;	/* the "events" group, nothing else */
};

#define COLO_METRICS (KMIG_COLO_METRIC_PAUSE + 1)

/* One KMIG_A_MIG_COLO_LATENCY nest: a latency over every checkpoint. */
struct colo_lat {
	uint64_t count, last_ns, mean_ns, p50_ns, p99_ns, max_ns;
};

/* What the VMM reads from an event (or a mig-get status). */
struct mig_ev {
	int event;		/* enum kmig_mig_event, -1 for a plain status */
	int lost;		/* a status read because events were lost */
	uint32_t region, role, state, switchover_ready;
	uint64_t pass, passes, dirty_rate, remaining, expected_ns, downtime_ns;
	uint16_t port;
	char reason[128];
	/* COLO */
	int colo;
	uint64_t checkpoint, checkpoints, ckpt_pages, ckpt_bytes;
	struct colo_lat lat[COLO_METRICS];	/* by enum kmig_colo_metric */
};

/*
 * COLO, either side: what was seen so far (colo_step() in kmig-vmm.c).
 */
struct colo_track {
	int entered;		/* in COLO: checkpoint 0 committed */
	int probe;		/* events were lost: maybe a checkpoint-pause */
	uint64_t last;		/* last committed checkpoint */
	uint64_t paused;	/* checkpoint the vCPUs are paused for, 0: none */
};

/* A COLO session of either side (colo_session() in kmig-vmm.c). */
struct colo_ctx {
	const struct vmm_opts *o;
	struct guest_ram *r;
	struct vmm_nl *k;
	struct vcpus *v;
	int primary;
	struct colo_track t;
	struct colo_lat lat[COLO_METRICS];	/* the latest figures seen */
	int cancelled;				/* we sent mig-cancel */
};

/* 3. Commands (kmig-vmm.c): a request on @region, then sending it. */
struct nl_msg *mig_req(struct vmm_nl *k, uint8_t cmd, uint32_t region);
int mig_send(struct vmm_nl *k, struct nl_msg *req, struct mig_ev *st,
	     char *why, size_t wl);

/* The content hash line "WHAT N hash ...", appended to --hash-file. */
void colo_hash(struct colo_ctx *c, const char *what, uint64_t n);

#endif
