// SPDX-License-Identifier: GPL-2.0
/*
 * migctl scan [--region] ID [--zero-check IMPL]: KMIG_CMD_REGION_SCAN,
 * with its help.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <netlink/genl/genl.h>

#include <linux/kmig.h>

#include "cmdline.h"
#include "migctl.h"
#include "nl.h"
#include "output.h"
#include "record.h"
#include "regions.h"

static const struct field scan_fields[] = {
	FIELD(KMIG_A_SCAN_REGION_ID,	"region-id",		FF_NUM),
	FIELD(KMIG_A_SCAN_PAGES,		"pages",		FF_NUM),
	FIELD(KMIG_A_SCAN_POPULATED_PAGES,	"populated-pages",	FF_PAGES),
	FIELD(KMIG_A_SCAN_ZERO_PAGES,	"zero-pages",		FF_NUM),
	FIELD(KMIG_A_SCAN_NORMAL_PAGES,	"normal-pages",		FF_NUM),
	FIELD(KMIG_A_SCAN_TIME_NS,		"time-ns",		FF_NUM),
	FIELD_ENUM(KMIG_A_SCAN_ZERO_CHECK_USED,	"zero-check-used",	FF_ENUM,
		   &kmig_zero_check_enum),
};

#define NFIELDS (sizeof(scan_fields) / sizeof(scan_fields[0]))

static const struct field page_size_field[] = {
	FIELD(KMIG_A_REGION_PAGE_SIZE,	"page-size",		FF_NUM),
};

/* Page size of region @id, from REGION_GET; the system's if unknown. */
static uint64_t region_page_size(struct kmig_nl *nl, uint32_t id)
{
	struct record_reply rr = {
		.f = page_size_field, .nf = 1, .what = "scan",
	};
	struct kmig_nl_err err;
	struct nl_msg *msg;
	uint64_t ps = 0;
	long sys;

	msg = kmig_nl_msg(nl, KMIG_CMD_REGION_GET, 0);
	if (msg && nla_put_u32(msg, KMIG_A_REGION_ID, id) == 0) {
		if (kmig_nl_do(nl, msg, KMIG_A_REGION_MAX, record_reply_cb,
			       &rr, &err) == 0 && rr.count)
			record_num(&rr.r, KMIG_A_REGION_PAGE_SIZE, &ps);
	} else {
		nlmsg_free(msg);
	}
	record_reply_free(&rr);
	if (ps)
		return ps;
	sys = sysconf(_SC_PAGESIZE);
	return sys > 0 ? (uint64_t)sys : 4096;
}

static const char usage_scan[] =
"Usage: migctl [-j] scan ID [--zero-check IMPL]\n"
"       migctl [-j] scan --region ID [--zero-check IMPL]\n"
"\n"
"Check every populated page of region ID for zero (needs CAP_NET_ADMIN),\n"
"with implementation IMPL: auto, generic, sse2, avx2, avx512 (default:\n"
"the active one), and print:\n"
"  region      region id\n"
"  pages       pages of the region, populated or not\n"
"  populated   populated pages checked, and their size\n"
"  zero        zero pages (never-touched pages included)\n"
"  normal      pages holding data\n"
"  time        time spent checking\n"
"  throughput  populated bytes / time, in GiB/s\n"
"  zero-check  implementation that ran\n"
"\n"
"JSON: one object with the keys region_id, pages, populated_pages,\n"
"zero_pages, normal_pages, time_ns, zero_check_used (name), and the\n"
"derived page_size, populated_bytes, throughput_bytes_per_sec and\n"
"throughput_gib_per_sec (the last two left out when time_ns is 0).\n";

static int cmd_scan(int argc, char **argv)
{
	struct record_reply rr = {
		.f = scan_fields, .nf = NFIELDS, .what = "scan",
	};
	const char *impl_arg = NULL, *id_arg = NULL;
	uint64_t id64, page_size, pop = 0, tns = 0;
	bool have_pop, have_time;
	double tput = 0;	/* bytes per second */
	struct kmig_nl_err err;
	struct kmig_nl nl;
	struct nl_msg *msg;
	int ret = EXIT_ERR;
	uint32_t id;
	int impl = -1;
	int i, took;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		took = take_region_opt("scan", argc, argv, &i, &id_arg);
		if (took < 0)
			return EXIT_USAGE;
		if (took)
			continue;
		if (!strcmp(a, "--zero-check")) {
			if (i + 1 >= argc)
				return usage_err("scan", "--zero-check needs a value (auto, generic, sse2, avx2, avx512)");
			impl_arg = argv[++i];
		} else if (!strncmp(a, "--zero-check=", 13)) {
			impl_arg = a + 13;
		} else if (a[0] == '-' && a[1] && (a[1] < '0' || a[1] > '9')) {
			return usage_err("scan", "unknown option '%s' (try 'migctl scan --help')", a);
		} else if (!id_arg) {
			id_arg = a;
		} else {
			return usage_err("scan", "too many arguments (usage: migctl scan ID [--zero-check IMPL])");
		}
	}
	if (!id_arg)
		return usage_err("scan", "missing region id (usage: migctl scan ID [--zero-check IMPL])");
	if (!parse_u32(id_arg, 1, UINT32_MAX, &id))
		return usage_err("scan", "invalid region id '%s' (expected a number 1..%u)",
				 id_arg, UINT32_MAX);
	if (impl_arg && parse_enum_arg("scan", "zero-check", &kmig_zero_check_enum,
				       impl_arg, &impl))
		return EXIT_USAGE;

	if (kmig_nl_open(&nl) < 0)
		return EXIT_ERR;
	msg = kmig_nl_msg(&nl, KMIG_CMD_REGION_SCAN, 0);
	if (!msg || nla_put_u32(msg, KMIG_A_SCAN_REGION_ID, id) < 0 ||
	    (impl >= 0 && nla_put_u32(msg, KMIG_A_SCAN_ZERO_CHECK, impl) < 0)) {
		nlmsg_free(msg);
		err_line("scan: out of memory");
		goto out;
	}
	if (kmig_nl_do(&nl, msg, KMIG_A_SCAN_MAX, record_reply_cb, &rr,
		       &err) < 0) {
		region_report("scan", &err, id);
		goto out;
	}
	if (!rr.count) {
		err_line("scan: no reply from the kernel");
		goto out;
	}

	page_size = region_page_size(&nl, id);
	if (!record_num(&rr.r, KMIG_A_SCAN_REGION_ID, &id64))
		id64 = id;
	have_pop = record_num(&rr.r, KMIG_A_SCAN_POPULATED_PAGES, &pop);
	have_time = record_num(&rr.r, KMIG_A_SCAN_TIME_NS, &tns) && tns;
	if (have_pop && have_time)
		tput = (double)pop * (double)page_size / ((double)tns / 1e9);

	if (opts.json) {
		struct jw jw;

		jw_init(&jw, stdout, opts.pretty);
		jw_obj_open(&jw);
		jw_kv_u64(&jw, "region_id", id64);
		/* region-id is written above, whatever the reply held */
		record_unset(&rr.r, KMIG_A_SCAN_REGION_ID);
		record_json(&jw, scan_fields, NFIELDS, &rr.r);
		jw_kv_u64(&jw, "page_size", page_size);
		if (have_pop)
			jw_kv_u64(&jw, "populated_bytes", pop * page_size);
		if (have_pop && have_time) {
			jw_key(&jw, "throughput_bytes_per_sec");
			jw_u64(&jw, (uint64_t)tput);
			jw_key(&jw, "throughput_gib_per_sec");
			jw_double(&jw, tput / (1024.0 * 1024 * 1024), 3);
		}
		jw_obj_close(&jw);
		jw_finish(&jw);
	} else {
		char buf[128];

		printf("region: %" PRIu64 "\n", id64);
		printf("pages: %s\n",
		       field_format(&scan_fields[1], &rr.r, 0, buf, sizeof(buf)));
		printf("populated: %s\n",
		       field_format(&scan_fields[2], &rr.r, page_size, buf,
				    sizeof(buf)));
		printf("zero: %s\n",
		       field_format(&scan_fields[3], &rr.r, 0, buf, sizeof(buf)));
		printf("normal: %s\n",
		       field_format(&scan_fields[4], &rr.r, 0, buf, sizeof(buf)));
		if (record_has(&rr.r, KMIG_A_SCAN_TIME_NS))
			printf("time: %s\n", fmt_duration_ns(buf, sizeof(buf), tns));
		else
			printf("time: -\n");
		if (have_pop && have_time)
			printf("throughput: %.2f GiB/s\n",
			       tput / (1024.0 * 1024 * 1024));
		else
			printf("throughput: -\n");
		printf("zero-check: %s\n",
		       field_format(&scan_fields[6], &rr.r, 0, buf, sizeof(buf)));
	}
	ret = EXIT_OK;
out:
	record_reply_free(&rr);
	kmig_nl_close(&nl);
	return ret;
}

SUBCOMMAND(scan, "scan");
