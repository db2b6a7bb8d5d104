// SPDX-License-Identifier: GPL-2.0
/*
 * migctl params: KMIG_CMD_PARAMS_GET.
 * migctl set KEY VALUE...: KMIG_CMD_PARAMS_SET.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysinfo.h>

#include <netlink/genl/genl.h>

#include <linux/kmig.h>

#include "migctl.h"
#include "nl.h"
#include "output.h"
#include "record.h"

static const struct field params_fields[] = {
	FIELD(KMIG_A_PARAMS_CHANNELS,		"channels",		FF_NUM),
	FIELD_ENUM(KMIG_A_PARAMS_ZERO_PAGE_DETECTION,	"zero-page-detection",	FF_ENUM,
		   &kmig_zero_detect_enum),
	FIELD_ENUM(KMIG_A_PARAMS_ZERO_CHECK,		"zero-check",		FF_ENUM,
		   &kmig_zero_check_enum),
	FIELD_ENUM(KMIG_A_PARAMS_ZERO_CHECK_ACTIVE,	"zero-check-active",	FF_ENUM,
		   &kmig_zero_check_enum),
	FIELD_ENUM(KMIG_A_PARAMS_ZERO_CHECK_AVAILABLE,	"zero-check-available",	FF_ENUMSET,
		   &kmig_zero_check_enum),
	FIELD(KMIG_A_PARAMS_REGION_SIZE_MAX,	"region-size-max",	FF_BYTES),
	FIELD(KMIG_A_PARAMS_MAX_REGIONS_PER_USER, "max-regions-per-user", FF_NUM),
	FIELD(KMIG_A_PARAMS_MAX_MEMORY,		"max-memory",		FF_BYTES),
	FIELD(KMIG_A_PARAMS_MAX_CHANNELS,	"max-channels",		FF_NUM),
	FIELD(KMIG_A_PARAMS_MAX_MIGRATIONS,	"max-migrations",	FF_NUM),
	FIELD(KMIG_A_PARAMS_MAX_HANDSHAKES,	"max-handshakes",	FF_NUM),
	FIELD(KMIG_A_PARAMS_HANDSHAKE_TIMEOUT_MS, "handshake-timeout-ms", FF_NUM),
};

#define NFIELDS (sizeof(params_fields) / sizeof(params_fields[0]))

static const char usage_params[] =
"Usage: migctl [-j] params\n"
"\n"
"Show the migration parameters:\n"
"  channels              channels of the next migration (1.." STR(KMIG_CHANNELS_MAX) ")\n"
"  zero-page-detection   where zero pages are detected: none, main, channel\n"
"  zero-check            requested zero-check implementation\n"
"  zero-check-active     zero-check implementation in use\n"
"  zero-check-available  implementations this CPU can run\n"
"  region-size-max       largest region size\n"
"  max-regions-per-user  regions one user may have at once (0: no limit)\n"
"  max-memory            memory all regions together may use (0: no limit)\n"
"  max-channels          channels one migration may use\n"
"  max-migrations        migrations that may run at once (0: no limit)\n"
"  max-handshakes        handshakes one listening migration runs at once\n"
"                        (more connections wait in the backlog)\n"
"  handshake-timeout-ms  time a destination gives a connection, from accept,\n"
"                        for its whole handshake\n"
"\n"
"JSON: one object with the keys channels, zero_page_detection,\n"
"zero_check, zero_check_active (names), zero_check_available (array of\n"
"names), region_size_max (bytes), max_regions_per_user, max_memory\n"
"(bytes), max_channels, max_migrations, max_handshakes,\n"
"handshake_timeout_ms.\n";

static int cmd_params(int argc, char **argv)
{
	(void)argv;
	return record_cmd(argc, "params", KMIG_CMD_PARAMS_GET, KMIG_A_PARAMS_MAX,
			  params_fields, NFIELDS);
}

SUBCOMMAND(params, "params");

/* ---- set ---- */

struct set_key {
	const char *name;
	int attr;
	const struct kmig_enum *e;	/* NULL: a number */
	uint32_t min, max;		/* a number's range */
	bool size;			/* a u64 size (max-memory) */
	/* filled while parsing */
	const char *arg;
	uint32_t val;
	uint64_t val64;
	long off;
};

/*
 * max-memory: 0 (no limit), bytes with an optional K, M, G or T (powers
 * of 1024), or N% (1..100) of this machine's RAM, as the module parameter.
 */
static bool parse_memory(const char *s, uint64_t *out)
{
	size_t len = strlen(s);
	struct sysinfo si;
	char num[24];
	uint32_t pct;

	if (len && s[len - 1] == '%') {
		if (len >= sizeof(num))
			return false;
		memcpy(num, s, len - 1);
		num[len - 1] = '\0';
		if (!parse_u32(num, 1, 100, &pct) || sysinfo(&si))
			return false;
		*out = (uint64_t)si.totalram * si.mem_unit / 100 * pct;
		return true;
	}
	return parse_size(s, "KMGT", out);
}

static bool key_is(const char *arg, const char *name)
{
	size_t i;

	for (i = 0; arg[i] && name[i]; i++)
		if (arg[i] != name[i] && !(arg[i] == '_' && name[i] == '-'))
			return false;
	return !arg[i] && !name[i];
}

static int parse_value(struct set_key *k, const char *v, bool force)
{
	char what[64], list[128];
	int e;

	snprintf(what, sizeof(what), "set %s", k->name);
	if (k->size) {
		if (!parse_memory(v, &k->val64))
			return usage_err(what, "invalid value '%s' (expected 0, a size with K/M/G/T or N%%)",
					 v);
		return 0;
	}
	if (!k->e) {
		uint32_t min = force ? 0 : k->min;
		uint32_t max = force ? UINT32_MAX : k->max;

		if (!parse_u32(v, min, max, &k->val))
			return usage_err(what, "invalid value '%s' (expected a number %u..%u)",
					 v, min, max);
		return 0;
	}
	e = kmig_enum_parse(k->e, v);
	if (e >= 0) {
		k->val = (uint32_t)e;
		return 0;
	}
	if (force && parse_u32(v, 0, UINT32_MAX, &k->val))
		return 0;
	return usage_err(what, "invalid value '%s' (valid: %s)", v,
			 kmig_enum_list(k->e, list, sizeof(list)));
}

static const char usage_set[] =
"Usage: migctl set [-f|--force] KEY VALUE [KEY VALUE]...\n"
"\n"
"Change migration parameters, all in one request (needs CAP_NET_ADMIN):\n"
"  channels N                                 1.." STR(KMIG_CHANNELS_MAX) "\n"
"  zero-page-detection none|main|channel\n"
"  zero-check auto|generic|sse2|avx2|avx512\n"
"and the resource limits (lowering one refuses new allocations only):\n"
"  max-regions-per-user N                     0 (no limit) or more\n"
"  max-memory SIZE                            0 (no limit), bytes with K/M/G/T,\n"
"                                             or N% of this machine's RAM\n"
"  max-channels N                             1.." STR(KMIG_CHANNELS_MAX) "\n"
"  max-migrations N                           0 (no limit) or more\n"
"  max-handshakes N                           1.." STR(KMIG_HANDSHAKES_MAX) "\n"
"  handshake-timeout-ms MS                    " STR(KMIG_HANDSHAKE_TIMEOUT_MIN_MS) ".." STR(KMIG_HANDSHAKE_TIMEOUT_MAX_MS) "\n"
"Example: migctl set channels 4 zero-check avx2\n"
"\n"
"Values are checked here first; the module has the last word (it refuses\n"
"an implementation the CPU lacks, for instance). Prints nothing on success.\n"
"  -f, --force   skip the local checks: send any 32-bit channel count and\n"
"                accept enum values as numbers (to exercise the module's\n"
"                own checks)\n";

static int cmd_set(int argc, char **argv)
{
	struct set_key keys[] = {
		{ .name = "channels", .attr = KMIG_A_PARAMS_CHANNELS,
		  .min = 1, .max = KMIG_CHANNELS_MAX },
		{ .name = "zero-page-detection",
		  .attr = KMIG_A_PARAMS_ZERO_PAGE_DETECTION,
		  .e = &kmig_zero_detect_enum },
		{ .name = "zero-check", .attr = KMIG_A_PARAMS_ZERO_CHECK,
		  .e = &kmig_zero_check_enum },
		{ .name = "max-regions-per-user",
		  .attr = KMIG_A_PARAMS_MAX_REGIONS_PER_USER,
		  .min = 0, .max = UINT32_MAX },
		{ .name = "max-memory", .attr = KMIG_A_PARAMS_MAX_MEMORY,
		  .size = true },
		{ .name = "max-channels", .attr = KMIG_A_PARAMS_MAX_CHANNELS,
		  .min = 1, .max = KMIG_CHANNELS_MAX },
		{ .name = "max-migrations", .attr = KMIG_A_PARAMS_MAX_MIGRATIONS,
		  .min = 0, .max = UINT32_MAX },
		{ .name = "max-handshakes", .attr = KMIG_A_PARAMS_MAX_HANDSHAKES,
		  .min = 1, .max = KMIG_HANDSHAKES_MAX },
		{ .name = "handshake-timeout-ms",
		  .attr = KMIG_A_PARAMS_HANDSHAKE_TIMEOUT_MS,
		  .min = KMIG_HANDSHAKE_TIMEOUT_MIN_MS,
		  .max = KMIG_HANDSHAKE_TIMEOUT_MAX_MS },
	};
	const size_t nkeys = sizeof(keys) / sizeof(keys[0]);
	struct set_key *order[sizeof(keys) / sizeof(keys[0])];
	struct kmig_nl_err err;
	struct kmig_nl nl;
	struct nl_msg *msg;
	bool force = false;
	size_t n = 0, i, j;
	const char *what;
	char whatbuf[64];
	int ret;

	for (i = 1; i < (size_t)argc; i++)
		if (!strcmp(argv[i], "-f") || !strcmp(argv[i], "--force"))
			force = true;

	for (i = 1; i < (size_t)argc; i++) {
		const char *a = argv[i];
		struct set_key *k = NULL;

		if (!strcmp(a, "-f") || !strcmp(a, "--force"))
			continue;
		for (j = 0; j < nkeys; j++)
			if (key_is(a, keys[j].name))
				k = &keys[j];
		if (!k) {
			if (a[0] == '-')
				return usage_err("set", "unknown option '%s' (try 'migctl set --help')", a);
			return usage_err("set", "unknown parameter '%s' (valid: channels, zero-page-detection, zero-check, max-regions-per-user, max-memory, max-channels, max-migrations, max-handshakes, handshake-timeout-ms)",
					 a);
		}
		snprintf(whatbuf, sizeof(whatbuf), "set %s", k->name);
		if (k->arg)
			return usage_err(whatbuf, "given more than once");
		if (i + 1 >= (size_t)argc)
			return usage_err(whatbuf, "missing value (try 'migctl set --help')");
		k->arg = argv[++i];
		ret = parse_value(k, k->arg, force);
		if (ret)
			return ret;
		order[n++] = k;
	}
	if (!n)
		return usage_err("set", "nothing to set (usage: migctl set KEY VALUE...; keys: channels, zero-page-detection, zero-check, max-regions-per-user, max-memory, max-channels, max-migrations, max-handshakes, handshake-timeout-ms)");

	if (kmig_nl_open(&nl) < 0)
		return EXIT_ERR;
	ret = EXIT_ERR;
	msg = kmig_nl_msg(&nl, KMIG_CMD_PARAMS_SET, 0);
	if (!msg)
		goto oom;
	for (i = 0; i < n; i++) {
		order[i]->off = kmig_nl_next_attr_off(msg);
		if ((order[i]->size ?
		     nla_put_u64(msg, order[i]->attr, order[i]->val64) :
		     nla_put_u32(msg, order[i]->attr, order[i]->val)) < 0) {
			nlmsg_free(msg);
			goto oom;
		}
	}
	if (kmig_nl_do(&nl, msg, KMIG_A_PARAMS_MAX, NULL, NULL, &err) < 0) {
		/* Name the parameter the kernel pointed at, if it did. */
		what = "set";
		for (i = 0; i < n; i++)
			if (n == 1 || err.bad_off == order[i]->off) {
				snprintf(whatbuf, sizeof(whatbuf), "set %s",
					 order[i]->name);
				what = whatbuf;
			}
		kmig_nl_report(what, &err, NULL);
		goto out;
	}
	ret = EXIT_OK;
	goto out;
oom:
	err_line("set: out of memory");
out:
	kmig_nl_close(&nl);
	return ret;
}

SUBCOMMAND(set, "set");
