/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A migration's status: its snapshot (struct kmig_mig_info) and the
 * events that carry one to the migration's network namespace.
 */
#ifndef _KMIG_STATUS_H
#define _KMIG_STATUS_H

#include <uapi/linux/kmig.h>

#include "mig_info.h"

struct kmig_mig;

/* Status of @mig; the caller keeps it alive (mutex or its own thread). */
void kmig_status_fill(struct kmig_mig *mig, struct kmig_mig_info *info);
/*
 * Multicast @event with @mig's status. Process context; the caller keeps
 * @mig alive. Takes no migration lock, so the main thread may call it
 * while a cancel waits for it.
 */
void kmig_status_event(struct kmig_mig *mig, enum kmig_mig_event event);

#endif /* _KMIG_STATUS_H */
