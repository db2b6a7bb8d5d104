// SPDX-License-Identifier: GPL-2.0
/*
 * migctl regions [[--region] ID]: KMIG_CMD_REGION_GET, dump or do, with
 * its help.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>

#include <netlink/genl/genl.h>

#include <linux/kmig.h>

#include "cmdline.h"
#include "migctl.h"
#include "nl.h"
#include "output.h"
#include "record.h"
#include "regions.h"

static const struct field region_fields[] = {
	FIELD(KMIG_A_REGION_ID,		"id",			FF_NUM),
	FIELD(KMIG_A_REGION_SIZE,		"size",			FF_BYTES),
	FIELD(KMIG_A_REGION_POPULATED_PAGES, "populated-pages",	FF_PAGES),
	FIELD(KMIG_A_REGION_OWNER_PID,	"owner-pid",		FF_NUM),
	FIELD(KMIG_A_REGION_OWNER_COMM,	"owner-comm",		FF_STR),
	FIELD(KMIG_A_REGION_MAPPINGS,	"mappings",		FF_NUM),
	FIELD(KMIG_A_REGION_FAULTS,		"faults",		FF_NUM),
	FIELD(KMIG_A_REGION_ALLOC_FAILURES,	"alloc-failures",	FF_NUM),
	FIELD(KMIG_A_REGION_ZERO_PAGES,	"zero-pages",		FF_PAGES),
	FIELD(KMIG_A_REGION_ZERO_BYTES,	"zero-bytes",		FF_BYTES),
	FIELD(KMIG_A_REGION_NORMAL_PAGES,	"normal-pages",		FF_PAGES),
	FIELD(KMIG_A_REGION_NORMAL_BYTES,	"normal-bytes",		FF_BYTES),
	FIELD(KMIG_A_REGION_PAGE_SIZE,	"page-size",		FF_NUM),
};

#define NFIELDS (sizeof(region_fields) / sizeof(region_fields[0]))

struct regions {
	struct record *r;
	size_t n, cap;
};

static int region_cb(const struct nlmsghdr *nlh, struct nlattr **tb, void *arg)
{
	struct regions *rs = arg;

	(void)nlh;
	if (rs->n == rs->cap) {
		size_t cap = rs->cap ? rs->cap * 2 : 16;
		struct record *r = realloc(rs->r, cap * sizeof(*r));

		if (!r)
			goto oom;
		rs->r = r;
		rs->cap = cap;
	}
	if (record_parse(&rs->r[rs->n], tb, region_fields, NFIELDS) < 0) {
		record_free(&rs->r[rs->n]);
		goto oom;
	}
	rs->n++;
	return 0;
oom:
	err_line("regions: out of memory");
	return -1;
}

void region_report(const char *what, const struct kmig_nl_err *err,
		   uint32_t id)
{
	char reason[64];

	snprintf(reason, sizeof(reason), "no region with id %u", id);
	kmig_nl_report(what, err, err->kerr == ENOENT ? reason : NULL);
}

/* By id; regions without an id last. */
static int cmp_id(const void *a, const void *b)
{
	uint64_t x = UINT64_MAX, y = UINT64_MAX;

	record_num(a, KMIG_A_REGION_ID, &x);
	record_num(b, KMIG_A_REGION_ID, &y);
	return x < y ? -1 : x > y;
}

static uint64_t page_size_of(const struct record *r)
{
	uint64_t ps;

	return record_num(r, KMIG_A_REGION_PAGE_SIZE, &ps) ? ps : 0;
}

static int print_table(const struct regions *rs)
{
	static const char *const headers[] = {
		"ID", "SIZE", "POPULATED", "OWNER", "MAPPINGS", "FAULTS",
	};
	static const bool right[] = {
		true, true, false, false, true, true,
	};
	struct table t;
	size_t i;
	int ret = 0;

	if (!rs->n)
		return 0;
	table_init(&t, 6, headers, right);
	for (i = 0; i < rs->n; i++) {
		const struct record *r = &rs->r[i];
		char id[32], size[FMT_BUF], pop[FMT_BUF * 2], owner[128];
		char pid[32], comm[64], maps[32], faults[32];
		const char *cells[6] = { id, size, pop, owner, maps, faults };
		uint64_t v;

		field_format(&region_fields[0], r, 0, id, sizeof(id));
		if (record_num(r, KMIG_A_REGION_SIZE, &v))
			fmt_size(size, sizeof(size), v);
		else
			strcpy(size, "-");
		field_format(&region_fields[2], r, page_size_of(r), pop,
			     sizeof(pop));
		field_format(&region_fields[3], r, 0, pid, sizeof(pid));
		field_format(&region_fields[4], r, 0, comm, sizeof(comm));
		if (!record_has(r, KMIG_A_REGION_OWNER_PID) &&
		    !record_has(r, KMIG_A_REGION_OWNER_COMM))
			strcpy(owner, "-");
		else
			snprintf(owner, sizeof(owner), "%s/%s", pid, comm);
		field_format(&region_fields[5], r, 0, maps, sizeof(maps));
		field_format(&region_fields[6], r, 0, faults, sizeof(faults));
		if (table_add(&t, cells) < 0) {
			err_line("regions: out of memory");
			ret = -1;
			break;
		}
	}
	if (!ret)
		table_print(&t, stdout);
	table_free(&t);
	return ret;
}

static const char usage_regions[] =
"Usage: migctl [-j] regions [ID]\n"
"       migctl [-j] regions --region ID\n"
"\n"
"Without ID, list all regions (one per open of /dev/kmig) as a table;\n"
"nothing is printed when there is none:\n"
"  ID         region id\n"
"  SIZE       region size (0 B before the first mmap)\n"
"  POPULATED  pages allocated so far, and their size\n"
"  OWNER      pid/comm of the process that opened /dev/kmig\n"
"  MAPPINGS   live mappings of the region\n"
"  FAULTS     page faults served\n"
"\n"
"With ID (or --region ID), print all attributes of region ID as\n"
"\"key: value\" lines:\n"
"  id, size, populated-pages, owner-pid, owner-comm, mappings, faults,\n"
"  alloc-failures, zero-pages, zero-bytes, normal-pages, normal-bytes,\n"
"  page-size\n"
"\n"
"JSON: an array of objects, one per region (a single object with ID),\n"
"with the keys id, size, populated_pages, owner_pid, owner_comm,\n"
"mappings, faults, alloc_failures, zero_pages, zero_bytes, normal_pages,\n"
"normal_bytes, page_size. Sizes are in bytes.\n";

static int cmd_regions(int argc, char **argv)
{
	struct regions rs = { 0 };
	const char *id_arg = NULL;
	struct kmig_nl_err err;
	struct kmig_nl nl;
	uint32_t id = 0;
	bool one = false;
	int ret = EXIT_ERR;
	size_t i;
	int k;

	for (k = 1; k < argc; k++) {
		int took = take_region_opt("regions", argc, argv, &k, &id_arg);

		if (took < 0)
			return EXIT_USAGE;
		if (took)
			continue;
		if (id_arg)
			return usage_err("regions", "too many arguments (usage: migctl regions [ID])");
		id_arg = argv[k];
	}
	if (id_arg) {
		if (!parse_u32(id_arg, 1, UINT32_MAX, &id))
			return usage_err("regions", "invalid region id '%s' (expected a number 1..%u)",
					 id_arg, UINT32_MAX);
		one = true;
	}

	if (kmig_nl_open(&nl) < 0)
		return EXIT_ERR;

	if (one) {
		struct nl_msg *msg = kmig_nl_msg(&nl, KMIG_CMD_REGION_GET, 0);

		if (!msg || nla_put_u32(msg, KMIG_A_REGION_ID, id) < 0) {
			nlmsg_free(msg);
			err_line("regions: out of memory");
			goto out;
		}
		if (kmig_nl_do(&nl, msg, KMIG_A_REGION_MAX, region_cb, &rs,
			       &err) < 0) {
			region_report("regions", &err, id);
			goto out;
		}
		if (rs.n != 1) {
			err_line("regions: expected one reply from the kernel, got %zu",
				 rs.n);
			goto out;
		}
	} else if (kmig_nl_dump(&nl, KMIG_CMD_REGION_GET, KMIG_A_REGION_MAX,
				region_cb, &rs, &err) < 0) {
		kmig_nl_report("regions", &err, NULL);
		goto out;
	} else {
		qsort(rs.r, rs.n, sizeof(*rs.r), cmp_id);
	}

	if (opts.json) {
		struct jw jw;

		jw_init(&jw, stdout, opts.pretty);
		if (!one)
			jw_arr_open(&jw);
		for (i = 0; i < rs.n; i++) {
			jw_obj_open(&jw);
			record_json(&jw, region_fields, NFIELDS, &rs.r[i]);
			jw_obj_close(&jw);
		}
		if (!one)
			jw_arr_close(&jw);
		jw_finish(&jw);
	} else if (one) {
		record_print_kv(stdout, region_fields, NFIELDS, &rs.r[0],
				page_size_of(&rs.r[0]));
	} else if (print_table(&rs) < 0) {
		goto out;
	}
	ret = EXIT_OK;
out:
	for (i = 0; i < rs.n; i++)
		record_free(&rs.r[i]);
	free(rs.r);
	kmig_nl_close(&nl);
	return ret;
}

SUBCOMMAND(regions, "regions");

int regions_of_pid(struct kmig_nl *nl, pid_t pid, struct region_info **out)
{
	struct regions rs = { 0 };
	struct region_info *ri = NULL;
	struct kmig_nl_err err;
	size_t i;
	int n = 0;

	*out = NULL;
	if (kmig_nl_dump(nl, KMIG_CMD_REGION_GET, KMIG_A_REGION_MAX,
			 region_cb, &rs, &err) < 0) {
		kmig_nl_report("regions", &err, NULL);
		n = -1;
		goto out;
	}
	qsort(rs.r, rs.n, sizeof(*rs.r), cmp_id);
	ri = calloc(rs.n ? rs.n : 1, sizeof(*ri));
	if (!ri) {
		err_line("regions: out of memory");
		n = -1;
		goto out;
	}
	for (i = 0; i < rs.n; i++) {
		uint64_t v = 0;

		if (!record_num(&rs.r[i], KMIG_A_REGION_OWNER_PID, &v) ||
		    v != (uint64_t)pid)
			continue;
		record_num(&rs.r[i], KMIG_A_REGION_ID, &v);
		ri[n].id = (uint32_t)v;
		v = 0;
		record_num(&rs.r[i], KMIG_A_REGION_SIZE, &v);
		ri[n].size = v;
		v = 0;
		record_num(&rs.r[i], KMIG_A_REGION_POPULATED_PAGES, &v);
		ri[n].populated = v;
		n++;
	}
	*out = ri;
	ri = NULL;
out:
	free(ri);
	for (i = 0; i < rs.n; i++)
		record_free(&rs.r[i]);
	free(rs.r);
	return n;
}
