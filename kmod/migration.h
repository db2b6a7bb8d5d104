/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Migrations' lifecycle and control plane: one per region at a time, as
 * source (start) or destination (listen). A migration owns a main kthread
 * (the dispatcher on a source, the listener on a destination) and one
 * channel kthread and TCP socket per channel. It stays attached to its
 * region after it ends, so its status and counters can be read, until the
 * next migration of the region replaces it or the region is closed. The
 * object itself and what its threads share: mig.h.
 */
#ifndef _KMIG_MIGRATION_H
#define _KMIG_MIGRATION_H

#include <linux/types.h>
#include <uapi/linux/kmig.h>

#include "mig.h"
#include "mig_info.h"

struct kmig_region;
struct net;
struct task_struct;

/*
 * Main thread, last: its teardown (kmig_mig_teardown()), the final event,
 * and exit (signalling @done).
 */
void __noreturn kmig_mig_exit(struct kmig_mig *mig);

int kmig_mig_switchover(struct kmig_region *region, const char **why);
/* Live source allowing postcopy: switch to it at the switchover. */
int kmig_mig_postcopy(struct kmig_region *region, const char **why);
/*
 * Either side in postcopy-paused: reconnect. A source to @addr when
 * @new_addr (or the port of @addr, else as before); a destination listens
 * again, on @addr's port when @addr (0: a new one), else the same.
 */
int kmig_mig_postcopy_resume(struct kmig_region *region,
			     const struct sockaddr_storage *addr, bool new_addr,
			     const char **why);
int kmig_mig_dirty_push(struct kmig_region *region, u64 first,
			const unsigned long *bits, u64 nbits, const char **why);
int kmig_mig_colo_checkpoint(struct kmig_region *region, const char **why);
int kmig_mig_colo_paused(struct kmig_region *region, u64 n, const char **why);

int kmig_migration_init(void);
void kmig_migration_uninit(void);

/*
 * Control plane, serialised by one mutex. On error they return a negative
 * errno and set *why to a static message for the user. Listen is in
 * listener.c, start in precopy.c, both kmig_mig_begin() with their role.
 */
int kmig_mig_listen(struct kmig_region *region, struct net *net,
		    const struct kmig_mig_config *cfg, const char **why);
int kmig_mig_start(struct kmig_region *region, struct net *net,
		   const struct kmig_mig_config *cfg, const char **why);

/* What a role (precopy.c, listener.c) gives kmig_mig_begin(). */
struct kmig_mig_role_ops {
	enum kmig_mig_role role;
	const char *name;	/* main thread: kmig-<name>/<region id> */
	/* Set up before the thread runs; *why on failure. */
	int (*prepare)(struct kmig_mig *mig, const char **why);
	/* Undo prepare when the thread could not be started. */
	void (*unprepare)(struct kmig_mig *mig);
	/* The main thread (data: the migration); ends in kmig_mig_exit(). */
	int (*thread)(void *data);
};

/* Replace a finished migration of @region, set a new one up, launch it. */
int kmig_mig_begin(struct kmig_region *region, struct net *net,
		   const struct kmig_mig_role_ops *ops,
		   const struct kmig_mig_config *cfg, const char **why);
int kmig_mig_cancel(struct kmig_region *region, const char **why);
/* -ENOENT when the region never had a migration. */
int kmig_mig_info(struct kmig_region *region, struct kmig_mig_info *info);

/* The region's file is being released: cancel and free its migration. */
void kmig_mig_region_closed(struct kmig_region *region);

#endif /* _KMIG_MIGRATION_H */
