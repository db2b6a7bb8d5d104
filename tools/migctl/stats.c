// SPDX-License-Identifier: GPL-2.0
/*
 * migctl stats: KMIG_CMD_STATS_GET.
 */
#include <stdio.h>

#include <linux/kmig.h>

#include "migctl.h"
#include "nl.h"
#include "output.h"
#include "record.h"

static const struct field stats_fields[] = {
	FIELD(KMIG_A_STATS_REGIONS,		"regions",		FF_NUM),
	FIELD(KMIG_A_STATS_POPULATED_PAGES,	"populated-pages",	FF_NUM),
	FIELD(KMIG_A_STATS_FAULTS,		"faults",		FF_NUM),
	FIELD(KMIG_A_STATS_ALLOC_FAILURES,	"alloc-failures",	FF_NUM),
	FIELD(KMIG_A_STATS_MMAP_REFUSED,	"mmap-refused",		FF_NUM),
	FIELD(KMIG_A_STATS_REGIONS_CREATED,	"regions-created",	FF_NUM),
	FIELD(KMIG_A_STATS_SCANS,		"scans",		FF_NUM),
	FIELD(KMIG_A_STATS_MIGRATIONS_STARTED,	"migrations-started",	FF_NUM),
	FIELD(KMIG_A_STATS_MIGRATIONS_COMPLETED, "migrations-completed", FF_NUM),
	FIELD(KMIG_A_STATS_MIGRATIONS_FAILED,	"migrations-failed",	FF_NUM),
	FIELD(KMIG_A_STATS_MIGRATIONS_CANCELLED, "migrations-cancelled", FF_NUM),
	FIELD(KMIG_A_STATS_REJECTED_CONNECTIONS, "rejected-connections", FF_NUM),
	FIELD(KMIG_A_STATS_MALFORMED_PACKETS,	"malformed-packets",	FF_NUM),
	FIELD(KMIG_A_STATS_SPLICE_FALLBACKS,	"splice-fallbacks",	FF_NUM),
	FIELD(KMIG_A_STATS_MIGRATIONS_FAILED_OVER, "migrations-failed-over", FF_NUM),
	FIELD(KMIG_A_STATS_AUTH_FAILURES,	"auth-failures",	FF_NUM),
	FIELD(KMIG_A_STATS_INTEGRITY_ERRORS,	"integrity-errors",	FF_NUM),
	FIELD(KMIG_A_STATS_LIMIT_REGIONS_REFUSED, "limit-regions-refused", FF_NUM),
	FIELD(KMIG_A_STATS_LIMIT_MEMORY_REFUSED, "limit-memory-refused", FF_NUM),
	FIELD(KMIG_A_STATS_LIMIT_CHANNELS_REFUSED, "limit-channels-refused", FF_NUM),
	FIELD(KMIG_A_STATS_LIMIT_MIGRATIONS_REFUSED, "limit-migrations-refused", FF_NUM),
	FIELD(KMIG_A_STATS_MIGRATIONS_RUNNING,	"migrations-running",	FF_NUM),
};

#define NFIELDS (sizeof(stats_fields) / sizeof(stats_fields[0]))

int cmd_stats(int argc, char **argv)
{
	(void)argv;
	if (argc > 1)
		return usage_err("stats", "too many arguments (usage: migctl stats)");
	return record_get_print("stats", KMIG_CMD_STATS_GET, KMIG_A_STATS_MAX, stats_fields,
				NFIELDS);
}
