// SPDX-License-Identifier: GPL-2.0
/*
 * The example VMM's test hooks around the COLO steps (not for copying):
 * content hashes, the checkpoint figures, ending the session after
 * --checkpoints N, and the fault injection of --die-at.
 */
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "kmig-vmm.h"
#include "test-hooks.h"

/* --die-at: die like a crashed host, without a word to kmig. */
static void die_now(const char *when, uint64_t n, unsigned int delay_ms)
{
	printf("dying at %s checkpoint %" PRIu64 "\n", when, n);
	fflush(stdout);
	usleep(delay_ms * 1000);
	kill(getpid(), SIGKILL);
	_exit(137);
}

void colo_test_run(struct colo_ctx *c)
{
	/* Secondary: the region holds the primary's switchover state. */
	if (!c->primary && c->o->hash_file)
		colo_hash(c, "checkpoint", 0);
}

void colo_test_pause(struct colo_ctx *c, uint64_t n)
{
	if (!c->primary)
		return;
	if (c->o->hash_file)
		colo_hash(c, "checkpoint", n);
	if (c->o->die_at == VMM_DIE_BEFORE && n == c->o->die_checkpoint)
		die_now("before", n, 0);
}

void colo_test_acked(struct colo_ctx *c, uint64_t n, int probe)
{
	if (!c->primary)
		return;
	if (probe && c->o->hash_file)		/* still paused: the same */
		colo_hash(c, "checkpoint", n);
	if (c->o->die_at == VMM_DIE_DURING && n == c->o->die_checkpoint)
		die_now("during", n, c->o->die_delay_ms);
}

void colo_test_done(struct colo_ctx *c, const struct mig_ev *e, uint64_t n)
{
	const struct colo_lat *l = c->lat;

	/* Secondary, still paused: the primary's memory at checkpoint n. */
	if (!c->primary && c->o->hash_file)
		colo_hash(c, "checkpoint", n);
	printf("checkpoint %" PRIu64 " pages %" PRIu64 " bytes %" PRIu64
	       " pause-ms %.3f transfer-ms %.3f flush-ms %.3f\n", n,
	       e->ckpt_pages, e->ckpt_bytes,
	       l[KMIG_COLO_METRIC_PAUSE].last_ns / 1e6,
	       l[KMIG_COLO_METRIC_TRANSFER].last_ns / 1e6,
	       l[KMIG_COLO_METRIC_FLUSH].last_ns / 1e6);
	fflush(stdout);
	if (c->primary && c->o->die_at == VMM_DIE_AFTER &&
	    n == c->o->die_checkpoint)
		die_now("after", n, 0);
}

/* Primary, after --checkpoints N: end the session. */
void colo_test_cancel(struct colo_ctx *c)
{
	char why[256];
	int ret;

	if (!c->primary || !c->o->checkpoints || c->cancelled ||
	    c->t.last < c->o->checkpoints)
		return;
	ret = mig_send(c->k, mig_req(c->k, KMIG_CMD_MIG_CANCEL, c->r->region),
		       NULL, why, sizeof(why));
	printf("colo-cancel after checkpoint %" PRIu64 ": %s%s%s\n", c->t.last,
	       ret ? strerror(-ret) : "sent", why[0] ? ": " : "", why);
	fflush(stdout);
	c->cancelled = 1;
}
