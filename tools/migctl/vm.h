/* SPDX-License-Identifier: GPL-2.0 */
/*
 * migctl vm: a QEMU VM moved with kmig, one command per side. kmig moves
 * the guest RAM (every memory backend on /dev/kmig is a region), QEMU
 * moves only its device state (capability x-ignore-shared). vm.c holds
 * what both sides share: finding QEMU's regions from its QMP socket and
 * checking them; vm-migrate.c and vm-listen.c are the two commands.
 */
#ifndef MIGCTL_VM_H
#define MIGCTL_VM_H

#include <stdbool.h>
#include <stdint.h>

#include "nl.h"
#include "qmp.h"
#include "regions.h"

/* QMP answers: how long to wait for a command QEMU answers at once. */
#define VM_QMP_TIMEOUT_MS	10000

/* One QEMU, seen through its QMP socket and kmig. */
struct vm {
	const char *cmd;		/* "vm migrate", for error lines */
	struct qmp q;
	struct kmig_nl nl;
	bool nl_open;
	struct region_info *reg;	/* QEMU's regions, by id */
	int nreg;
	char status[32];		/* QEMU's run state at vm_open() */
};

/*
 * Connect to QEMU's QMP socket @qmp_path and to kmig, read QEMU's run
 * state, and find its guest RAM in kmig: every memory backend must be a
 * file backend on /dev/kmig with share=on, and QEMU (the QMP socket's
 * peer) must own one region per backend, of the same sizes. Returns 0,
 * or -1 after one error line (and vm_close() done).
 */
int vm_open(struct vm *vm, const char *cmd, const char *qmp_path);
void vm_close(struct vm *vm);

/* QEMU's run state into @buf ("running", "paused", ...); -1 on error. */
int vm_status(struct vm *vm, char *buf, size_t len);

/*
 * Set the migration capabilities @caps (NULL-terminated names) to true.
 * Returns 0, or -1 after one error line.
 */
int vm_set_caps(struct vm *vm, const char *const *caps);

struct migs;

/*
 * Cancel the kmig migrations of QEMU's first @n regions (their last
 * status in @ms[i]) that have not ended; errors are ignored (one may have
 * ended meanwhile).
 */
void vm_cancel_regions(struct vm *vm, const struct migs *ms, int n);
/* Free @ms, the @n migrations of vm listen or vm migrate (NULL: none). */
void vm_migs_free(struct migs *ms, int n);

/*
 * Why the migration of @ms ended, for an error line: the kernel's reason,
 * or @err when the request itself failed.
 */
const char *vm_region_reason(const struct migs *ms, const char *err);

/* Total size of QEMU's regions. */
uint64_t vm_ram_size(const struct vm *vm);

/* Milliseconds on CLOCK_MONOTONIC; wall-clock seconds (as QMP's). */
long long vm_now_ms(void);
double vm_wall(void);

/* Set by SIGINT/SIGTERM while a vm command runs (vm_signals()). */
extern volatile int vm_interrupted;
/* Catch SIGINT and SIGTERM into vm_interrupted (@on), or restore them. */
void vm_signals(bool on);

int cmd_vm_migrate(int argc, char **argv);
int cmd_vm_listen(int argc, char **argv);

#endif /* MIGCTL_VM_H */
