/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The example VMM's test hooks, called by colo_session() around its COLO
 * steps (test-hooks.c); a VMM copying the session leaves the calls out.
 */
#ifndef KMIG_VMM_TEST_HOOKS_H
#define KMIG_VMM_TEST_HOOKS_H

#include <stdint.h>

struct colo_ctx;
struct mig_ev;

/* Checkpoint 0 committed, before the vCPUs run. */
void colo_test_run(struct colo_ctx *c);
/* Paused for checkpoint @n, before colo-paused. */
void colo_test_pause(struct colo_ctx *c, uint64_t n);
/* colo-paused @n accepted (@probe: after lost events). */
void colo_test_acked(struct colo_ctx *c, uint64_t n, int probe);
/* Checkpoint @n committed (@e: its event), before the vCPUs resume. */
void colo_test_done(struct colo_ctx *c, const struct mig_ev *e, uint64_t n);
/* After a checkpoint: a primary ends the session after --checkpoints N. */
void colo_test_cancel(struct colo_ctx *c);

#endif
