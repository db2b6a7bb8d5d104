// SPDX-License-Identifier: GPL-2.0
/*
 * migctl: control tool of kmig, in-kernel live migration of VM memory.
 *
 * main(), the global options, the table of subcommands and the help
 * dispatch, like wg(8). Each subcommand lives in its own file with its
 * help text beside its code (regions.c, params.c, stats.c, scan.c,
 * listen.c, start.c, status.c, control.c, monitor.c, key.c, vm.c);
 * mig-print.c prints a migration's status, cmdline.c parses options,
 * nl.c is the netlink plumbing and output.c the output helpers.
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
"  regions [ID]                  list the regions, or show region ID (also\n"
"                                as --region ID)\n"
"  params                        show the migration parameters\n"
"  set KEY VALUE [KEY VALUE]...  change migration parameters\n"
"  stats                         show the module-wide counters\n"
"  scan ID [--zero-check IMPL]   check the pages of region ID for zero (also\n"
"                                as --region ID)\n"
"  keygen                        print a new migration key (base64)\n"
"  vm listen|migrate --qmp SOCKET [OPTIONS]\n"
"                                move a running QEMU VM (kmig: RAM, QEMU:\n"
"                                device state), one command per host\n"
"  listen --region ID --key-file FILE|--insecure [OPTIONS]\n"
"                                receive a migration into a region\n"
"  start --region ID --to HOST:PORT --key-file FILE|--insecure [OPTIONS]\n"
"                                migrate a region to a listening host\n"
"  status [--region ID] [--watch]\n"
"                                show the migrations (or wait for them)\n"
"  cancel --region ID            cancel the migration of a region\n"
"  switchover --region ID [--wait]\n"
"                                end a live migration (guest paused)\n"
"  postcopy --region ID          switch a live migration (started with\n"
"                                --postcopy) to postcopy at its switchover\n"
"  postcopy-resume --region ID [--to ADDR:PORT | --port PORT]\n"
"                                reconnect a postcopy-paused migration\n"
"  dirty-push --region ID --pages LIST\n"
"                                mark pages dirty in a live migration\n"
"  checkpoint --region ID        take a COLO checkpoint now\n"
"  colo-paused --region ID --checkpoint N\n"
"                                report the guest paused for COLO checkpoint N\n"
"  monitor [--region ID] [--count N]\n"
"                                print the migration events as they come\n"
"  help [COMMAND]                print help\n"
"\n"
"A region is --region ID (or --region=ID) for every command; regions and\n"
"scan also take it as a plain ID.\n"
"\n"
"Exit status: 0 on success, 1 on error, 2 on usage error. An error is\n"
"reported as one line on stderr: \"migctl: <what>: <reason>\", with the\n"
"kernel's message appended as \"(kernel: <message>)\" when it gave one.\n"
"In JSON, attributes the module does not report are left out; in text\n"
"they are printed as \"-\". An enum value unknown to this migctl is\n"
"printed as unknown(N) in text and as the number N in JSON.\n";

static const char usage_help[] =
"Usage: migctl help [COMMAND]\n"
"\n"
"Print the help of migctl, or of COMMAND.\n";

static int cmd_help(int argc, char **argv);

static SUBCOMMAND(help, "help");

/* In the order of the full help. */
static const struct subcommand *const commands[] = {
	&subcmd_regions,
	&subcmd_params,
	&subcmd_set,
	&subcmd_stats,
	&subcmd_scan,
	&subcmd_listen,
	&subcmd_start,
	&subcmd_status,
	&subcmd_cancel,
	&subcmd_switchover,
	&subcmd_postcopy,
	&subcmd_postcopy_resume,
	&subcmd_dirty_push,
	&subcmd_checkpoint,
	&subcmd_colo_paused,
	&subcmd_monitor,
	&subcmd_keygen,
	&subcmd_vm,
	&subcmd_help,
};

/* Accepted other spellings. */
static const struct {
	const char *alias, *name;
} aliases[] = {
	{ "region", "regions" },
	{ "param", "params" },
	{ "stat", "stats" },
};

static const struct subcommand *find_command(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(aliases); i++)
		if (!strcmp(name, aliases[i].alias))
			name = aliases[i].name;
	for (i = 0; i < ARRAY_SIZE(commands); i++)
		if (!strcmp(name, commands[i]->name))
			return commands[i];
	return NULL;
}

static void print_full_help(void)
{
	size_t i;

	fputs(usage_main, stdout);
	for (i = 0; i < ARRAY_SIZE(commands); i++) {
		if (commands[i] == &subcmd_help)
			continue;
		fputc('\n', stdout);
		fputs(commands[i]->help, stdout);
	}
}

static int cmd_help(int argc, char **argv)
{
	const struct subcommand *c;

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
	const struct subcommand *cmd;
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
