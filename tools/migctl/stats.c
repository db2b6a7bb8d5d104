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
};

#define NFIELDS (sizeof(stats_fields) / sizeof(stats_fields[0]))

int cmd_stats(int argc, char **argv)
{
	struct record_reply o = {
		.f = stats_fields, .nf = NFIELDS, .what = "stats",
	};
	struct kmig_nl_err err;
	struct kmig_nl nl;
	struct nl_msg *msg;
	int ret = EXIT_ERR;

	(void)argv;
	if (argc > 1)
		return usage_err("stats", "too many arguments (usage: migctl stats)");
	if (kmig_nl_open(&nl) < 0)
		return EXIT_ERR;

	msg = kmig_nl_msg(&nl, KMIG_CMD_STATS_GET, 0);
	if (!msg) {
		err_line("stats: out of memory");
		goto out;
	}
	if (kmig_nl_do(&nl, msg, KMIG_A_STATS_MAX, record_reply_cb, &o,
		       &err) < 0) {
		kmig_nl_report("stats", &err, NULL);
		goto out;
	}
	if (!o.count) {
		err_line("stats: no reply from the kernel");
		goto out;
	}
	if (opts.json) {
		struct jw jw;

		jw_init(&jw, stdout, opts.pretty);
		jw_obj_open(&jw);
		record_json(&jw, stats_fields, NFIELDS, &o.r);
		jw_obj_close(&jw);
		jw_finish(&jw);
	} else {
		record_print_kv(stdout, stats_fields, NFIELDS, &o.r, 0);
	}
	ret = EXIT_OK;
out:
	record_reply_free(&o);
	kmig_nl_close(&nl);
	return ret;
}
