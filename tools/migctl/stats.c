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
	FIELD(KMIG_A_STATS_LIMIT_HANDSHAKES_REACHED, "limit-handshakes-reached", FF_NUM),
};

#define NFIELDS (sizeof(stats_fields) / sizeof(stats_fields[0]))

static const char usage_stats[] =
"Usage: migctl [-j] stats\n"
"\n"
"Show the module-wide counters:\n"
"  regions               regions that exist now\n"
"  populated-pages       pages allocated in all regions now\n"
"  faults                page faults served since load\n"
"  alloc-failures        faults that could not allocate a page since load\n"
"  mmap-refused          mmap calls refused since load\n"
"  regions-created       regions created since load\n"
"  scans                 region scans run since load\n"
"  migrations-started    migrations started (listen or start) since load\n"
"  migrations-completed  migrations completed since load\n"
"  migrations-failed     migrations failed since load\n"
"  migrations-cancelled  migrations cancelled since load\n"
"  rejected-connections  incoming channels rejected at the hello since load\n"
"  malformed-packets     packets that failed validation since load\n"
"  splice-fallbacks      data pages copied instead of spliced since load\n"
"  migrations-failed-over COLO migrations failed over since load\n"
"  auth-failures         channels that failed authentication since load (no\n"
"                        key, a wrong key, or a stall before the key was\n"
"                        proven; either side)\n"
"  integrity-errors      packets whose CRC-32C did not match since load\n"
"  limit-*-refused       refusals by max-regions-per-user (regions),\n"
"                        max-memory, max-channels, max-migrations since load\n"
"  migrations-running    migrations running now\n"
"  limit-handshakes-reached times a destination reached max-handshakes since\n"
"                        load (further connections waited in its backlog)\n"
"\n"
"JSON: one object with the keys regions, populated_pages, faults,\n"
"alloc_failures, mmap_refused, regions_created, scans,\n"
"migrations_started, migrations_completed, migrations_failed,\n"
"migrations_cancelled, rejected_connections, malformed_packets,\n"
"splice_fallbacks, migrations_failed_over, auth_failures,\n"
"integrity_errors, limit_regions_refused, limit_memory_refused,\n"
"limit_channels_refused, limit_migrations_refused, migrations_running,\n"
"limit_handshakes_reached.\n";

static int cmd_stats(int argc, char **argv)
{
	(void)argv;
	return record_cmd(argc, "stats", KMIG_CMD_STATS_GET, KMIG_A_STATS_MAX,
			  stats_fields, NFIELDS);
}

SUBCOMMAND(stats, "stats");
