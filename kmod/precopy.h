/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The source's main thread (precopy.c): connecting the channels and
 * dispatching the pages, one pass or the live precopy. The helpers the
 * channel threads and colo.c use (kmig_mig_send_pass(), kmig_mig_bytes(),
 * kmig_mig_throttle()) are declared in migration.h.
 */
#ifndef _KMIG_PRECOPY_H
#define _KMIG_PRECOPY_H

struct kmig_mig;

/* Control plane, before the thread runs: the batch queue. */
int kmig_precopy_prepare(struct kmig_mig *mig);
/* The thread (kthread_run() data: the migration). Never returns. */
int kmig_precopy_thread(void *data);

#endif /* _KMIG_PRECOPY_H */
