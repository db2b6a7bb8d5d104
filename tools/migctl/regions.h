/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The regions of kmig as other commands need them (regions.c).
 */
#ifndef MIGCTL_REGIONS_H
#define MIGCTL_REGIONS_H

#include <stdint.h>
#include <sys/types.h>

#include "nl.h"

struct region_info {
	uint32_t id;
	uint64_t size;		/* bytes; 0 before the first mmap */
	uint64_t populated;	/* pages */
};

/*
 * The regions whose owner (the process that opened /dev/kmig) is @pid,
 * by id (the order the owner opened them in), into *@out (free() it).
 * Returns their number, or -1 after printing the error line.
 */
int regions_of_pid(struct kmig_nl *nl, pid_t pid, struct region_info **out);

/*
 * The error line of a failed request on region @id ("no region with id N"
 * for ENOENT).
 */
void region_report(const char *what, const struct kmig_nl_err *err,
		   uint32_t id);

#endif /* MIGCTL_REGIONS_H */
