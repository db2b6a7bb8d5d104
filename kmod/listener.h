/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The destination's main thread (listener.c): the listening socket and
 * the accept loop, then the wait for the channels (or the COLO secondary).
 */
#ifndef _KMIG_LISTENER_H
#define _KMIG_LISTENER_H

struct kmig_mig;

/* Control plane, before the thread runs: listen; *@why on failure. */
int kmig_listener_prepare(struct kmig_mig *mig, const char **why);
/* The thread (kthread_run() data: the migration). Never returns. */
int kmig_listener_thread(void *data);

#endif /* _KMIG_LISTENER_H */
