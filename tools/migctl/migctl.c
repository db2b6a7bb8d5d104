// SPDX-License-Identifier: GPL-2.0
/*
 * migctl: control tool of kmig, in-kernel live migration of VM memory.
 *
 * main(), global options, the command table and the help texts. Each
 * command group lives in its own file (regions.c, params.c, stats.c,
 * scan.c); netlink plumbing is in nl.c, output helpers in output.c.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/kmig.h>

#include "migctl.h"

#ifndef MIGCTL_VERSION
#define MIGCTL_VERSION "unknown"
#endif

struct migctl_opts opts;

#define STR_(x) #x
#define STR(x) STR_(x)

static const char usage_main[] =
"Usage: migctl [OPTIONS] COMMAND [ARGS]\n"
"       migctl help [COMMAND]\n"
"       migctl COMMAND --help\n"
"\n"
"Control the kmig kernel module (in-kernel live migration of VM memory)\n"
"through its generic netlink family \"" KMIG_FAMILY_NAME "\".\n"
"\n"
"Options (before or after COMMAND):\n"
"  -j, --json      print JSON instead of text\n"
"  -p, --pretty    indent the JSON output (with --json)\n"
"  -h, --help      print help (of COMMAND, if given after it) and exit\n"
"  -V, --version   print the version and exit\n"
"\n"
"Commands:\n"
"  regions [ID]                  list the regions, or show region ID\n"
"  params                        show the migration parameters\n"
"  set KEY VALUE [KEY VALUE]...  change migration parameters\n"
"  stats                         show the module-wide counters\n"
"  scan ID [--zero-check IMPL]   check the pages of a region for zero\n"
"  help [COMMAND]                print help\n"
"\n"
"Exit status: 0 on success, 1 on error, 2 on usage error. An error is\n"
"reported as one line on stderr: \"migctl: <what>: <reason>\", with the\n"
"kernel's message appended as \"(kernel: <message>)\" when it gave one.\n"
"In JSON, attributes the module does not report are left out; in text\n"
"they are printed as \"-\". An enum value unknown to this migctl is\n"
"printed as unknown(N) in text and as the number N in JSON.\n";

static const char usage_regions[] =
"Usage: migctl [-j] regions [ID]\n"
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
"With ID, print all attributes of region ID as \"key: value\" lines:\n"
"  id, size, populated-pages, owner-pid, owner-comm, mappings, faults,\n"
"  alloc-failures, zero-pages, zero-bytes, normal-pages, normal-bytes,\n"
"  page-size\n"
"\n"
"JSON: an array of objects, one per region (a single object with ID),\n"
"with the keys id, size, populated_pages, owner_pid, owner_comm,\n"
"mappings, faults, alloc_failures, zero_pages, zero_bytes, normal_pages,\n"
"normal_bytes, page_size. Sizes are in bytes.\n";

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
"\n"
"JSON: one object with the keys channels, zero_page_detection,\n"
"zero_check, zero_check_active (names), zero_check_available (array of\n"
"names), region_size_max (bytes).\n";

static const char usage_set[] =
"Usage: migctl set [-f|--force] KEY VALUE [KEY VALUE]...\n"
"\n"
"Change migration parameters, all in one request (needs CAP_NET_ADMIN):\n"
"  channels N                                 1.." STR(KMIG_CHANNELS_MAX) "\n"
"  zero-page-detection none|main|channel\n"
"  zero-check auto|generic|sse2|avx2|avx512\n"
"Example: migctl set channels 4 zero-check avx2\n"
"\n"
"Values are checked here first; the module has the last word (it refuses\n"
"an implementation the CPU lacks, for instance). Prints nothing on success.\n"
"  -f, --force   skip the local checks: send any 32-bit channel count and\n"
"                accept enum values as numbers (to exercise the module's\n"
"                own checks)\n";

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
"\n"
"JSON: one object with the keys regions, populated_pages, faults,\n"
"alloc_failures, mmap_refused, regions_created, scans,\n"
"migrations_started, migrations_completed, migrations_failed,\n"
"migrations_cancelled, rejected_connections, malformed_packets,\n"
"splice_fallbacks.\n";

static const char usage_scan[] =
"Usage: migctl [-j] scan ID [--zero-check IMPL]\n"
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

static const char usage_help[] =
"Usage: migctl help [COMMAND]\n"
"\n"
"Print the help of migctl, or of COMMAND.\n";

static int cmd_help(int argc, char **argv);

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
};

static const struct command commands[] = {
	{ "regions",	cmd_regions,	usage_regions },
	{ "params",	cmd_params,	usage_params },
	{ "set",	cmd_set,	usage_set },
	{ "stats",	cmd_stats,	usage_stats },
	{ "scan",	cmd_scan,	usage_scan },
	{ "help",	cmd_help,	usage_help },
};

/* Accepted other spellings. */
static const struct {
	const char *alias, *name;
} aliases[] = {
	{ "region", "regions" },
	{ "param", "params" },
	{ "stat", "stats" },
};

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const struct command *find_command(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(aliases); i++)
		if (!strcmp(name, aliases[i].alias))
			name = aliases[i].name;
	for (i = 0; i < ARRAY_SIZE(commands); i++)
		if (!strcmp(name, commands[i].name))
			return &commands[i];
	return NULL;
}

static void print_full_help(void)
{
	size_t i;

	fputs(usage_main, stdout);
	for (i = 0; i < ARRAY_SIZE(commands); i++) {
		if (commands[i].fn == cmd_help)
			continue;
		fputc('\n', stdout);
		fputs(commands[i].help, stdout);
	}
}

static int cmd_help(int argc, char **argv)
{
	const struct command *c;

	if (argc == 1) {
		print_full_help();
		return EXIT_OK;
	}
	if (argc > 2)
		return usage_err("help", "too many arguments (usage: migctl help [COMMAND])");
	c = find_command(argv[1]);
	if (!c)
		return usage_err("help", "unknown command '%s' (try 'migctl help')",
				 argv[1]);
	fputs(c->help, stdout);
	return EXIT_OK;
}

static void verr_line(const char *fmt, va_list ap)
{
	char buf[1024];
	char *p;

	vsnprintf(buf, sizeof(buf), fmt, ap);
	/* One line, whatever the kernel or a string attribute holds. */
	for (p = buf; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
	fflush(stdout);
	fprintf(stderr, "migctl: %s\n", buf);
}

void err_line(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verr_line(fmt, ap);
	va_end(ap);
}

int usage_err(const char *cmd, const char *fmt, ...)
{
	char buf[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (cmd)
		err_line("%s: %s", cmd, buf);
	else
		err_line("%s", buf);
	return EXIT_USAGE;
}

bool parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *out)
{
	unsigned long long v;
	char *end;

	if (!s || *s < '0' || *s > '9')
		return false;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return false;
	*out = (uint32_t)v;
	return true;
}

/* Global options, anywhere on the command line. */
static bool is_opt(const char *a, const char *s, const char *l)
{
	return !strcmp(a, s) || !strcmp(a, l);
}

/* Flush stdout and turn a failed write into an error. */
static int finish(int ret)
{
	if (fflush(stdout) || ferror(stdout)) {
		int e = errno;

		err_line("write error: %s", strerror(e ? e : EIO));
		return EXIT_ERR;
	}
	return ret;
}

int main(int argc, char **argv)
{
	const struct command *cmd;
	bool want_help = false;
	char **sub;
	int i, n;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (a[0] != '-' || !a[1])
			break;
		if (!strcmp(a, "--")) {
			i++;
			break;
		}
		if (is_opt(a, "-j", "--json")) {
			opts.json = true;
		} else if (is_opt(a, "-p", "--pretty")) {
			opts.pretty = true;
		} else if (is_opt(a, "-h", "--help")) {
			print_full_help();
			return finish(EXIT_OK);
		} else if (is_opt(a, "-V", "--version")) {
			printf("migctl %s (kmig generic netlink family version %d)\n",
			       MIGCTL_VERSION, KMIG_FAMILY_VERSION);
			return finish(EXIT_OK);
		} else {
			return usage_err(a, "unknown option (try 'migctl help')");
		}
	}
	if (i == argc)
		return usage_err(NULL, "no command given (try 'migctl help')");

	cmd = find_command(argv[i]);
	if (!cmd)
		return usage_err(argv[i], "unknown command (try 'migctl help')");

	/* The command's arguments, global options taken out. */
	sub = calloc(argc - i + 1, sizeof(*sub));
	if (!sub) {
		err_line("out of memory");
		return EXIT_ERR;
	}
	sub[0] = (char *)cmd->name;
	n = 1;
	for (i++; i < argc; i++) {
		const char *a = argv[i];

		if (is_opt(a, "-j", "--json"))
			opts.json = true;
		else if (is_opt(a, "-p", "--pretty"))
			opts.pretty = true;
		else if (is_opt(a, "-h", "--help"))
			want_help = true;
		else
			sub[n++] = argv[i];
	}
	sub[n] = NULL;

	if (want_help) {
		free(sub);
		fputs(cmd->help, stdout);
		return finish(EXIT_OK);
	}
	i = cmd->fn(n, sub);
	free(sub);
	return finish(i);
}
