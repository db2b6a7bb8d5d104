// SPDX-License-Identifier: GPL-2.0
/*
 * The commands that act on a running migration:
 * migctl cancel:      KMIG_CMD_MIG_CANCEL
 * migctl switchover:  KMIG_CMD_MIG_SWITCHOVER
 * migctl postcopy:    KMIG_CMD_MIG_POSTCOPY
 * migctl postcopy-resume: KMIG_CMD_MIG_POSTCOPY_RESUME
 * migctl checkpoint:  KMIG_CMD_COLO_CHECKPOINT
 * migctl colo-paused: KMIG_CMD_COLO_PAUSED
 * migctl dirty-push:  KMIG_CMD_MIG_DIRTY_PUSH
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <netlink/genl/genl.h>

#include <linux/kmig.h>

#include "cmdline.h"
#include "mig.h"
#include "migctl.h"
#include "nl.h"
#include "status.h"

static const char usage_cancel[] =
"Usage: migctl [-j] cancel --region ID\n"
"\n"
"Cancel the migration of region ID, on either side (needs CAP_NET_ADMIN),\n"
"and print its status as 'migctl status' does.\n";

/*
 * cancel, switchover and checkpoint: --region ID (switchover: also --wait
 * and --interval MS), one request @nlcmd, the status printed as 'migctl
 * status' does.
 */
static int region_cmd(const char *cmd, uint8_t nlcmd, bool can_wait,
		      int argc, char **argv)
{
	const char *region = NULL, *interval = NULL;
	bool wait = false;
	struct opt o[] = {
		OPT_VAL("--region", &region), OPT_FLAG("--wait", &wait),
		OPT_VAL("--interval", &interval),
	};
	struct mig_req req = { .zero_detect = -1, .no_convergence = -1 };
	unsigned int ms = INTERVAL_DEFAULT;
	int ret;

	ret = parse_opts(cmd, argc, argv, o, can_wait ? ARRAY_SIZE(o) : 1);
	if (!ret)
		ret = parse_region_req(cmd, region, &req.region);
	if (!ret)
		ret = parse_interval(cmd, interval, &ms);
	if (ret)
		return ret;
	return mig_run(cmd, nlcmd, &req, wait, ms);
}

/* The subcommand @x, "@cmdname", that is region_cmd() of @nlcmd. */
#define REGION_SUBCOMMAND(x, cmdname, nlcmd, can_wait)			\
	static int cmd_##x(int argc, char **argv)			\
	{								\
		return region_cmd(cmdname, nlcmd, can_wait, argc, argv); \
	}								\
	SUBCOMMAND(x, cmdname)

REGION_SUBCOMMAND(cancel, "cancel", KMIG_CMD_MIG_CANCEL, false);

static const char usage_switchover[] =
"Usage: migctl [-j] switchover --region ID [--wait] [--interval MS]\n"
"\n"
"Tell the module that the guest of a live migration ('migctl start --live')\n"
"has been paused (needs CAP_NET_ADMIN): it sends the pages still dirty,\n"
"completes the migration and measures the downtime. Only for the source\n"
"side of a live migration; pause the vCPUs first, or pages written after\n"
"the switchover are lost.\n"
"  --region ID     region of the live migration (source side)\n"
MIG_WAIT_HELP
"\n"
"Prints the status as 'migctl status' does (with --wait, only the final\n"
"one, with the downtime). Exit status with --wait: 0 when the migration\n"
"completed, 1 when it failed or was cancelled, with \"migctl: migration\n"
"failed: REASON\" on stderr. A COLO migration enters state colo at its\n"
"switchover and does not complete: --wait then waits for its end (cancel\n"
"or failover).\n";

REGION_SUBCOMMAND(switchover, "switchover", KMIG_CMD_MIG_SWITCHOVER, true);

static const char usage_postcopy[] =
"Usage: migctl [-j] postcopy --region ID\n"
"\n"
"Switch a live migration started with 'migctl start --live --postcopy' to\n"
"postcopy, as QEMU's migrate-start-postcopy (needs CAP_NET_ADMIN): the\n"
"module reports switchover-ready after the current pass; pause the guest\n"
"and run 'migctl switchover'. The switchover then completes at once: the\n"
"pages still dirty stay on the source, are marked missing on the\n"
"destination, and come on demand (a fault there waits for its page) or\n"
"with the background push. Resume the guest on the destination at its\n"
"postcopy-active event. Only for the source side.\n"
"  --region ID     region of the live migration (source side)\n"
"\n"
"Prints the status of the migration as 'migctl status' does.\n";

REGION_SUBCOMMAND(postcopy, "postcopy", KMIG_CMD_MIG_POSTCOPY, false);

static const char usage_postcopy_resume[] =
"Usage: migctl [-j] postcopy-resume --region ID [--to ADDR:PORT | --port PORT]\n"
"\n"
"Resume a migration in state postcopy-paused (its connections broke after\n"
"postcopy began; needs CAP_NET_ADMIN). Run it on both sides, the\n"
"destination first: the destination listens again (on the port it had, or\n"
"--port PORT, 0 for a new one: the status shows it once it listens), then\n"
"the source connects its channels again (to the destination it had, or\n"
"--to ADDR:PORT, or --port PORT at the address it had) with the same key\n"
"and migration id. A source resumed before its destination listens is\n"
"refused and pauses again: resume it again. The destination then tells the\n"
"source every page it still lacks, both sides report postcopy-active again\n"
"('migctl monitor') and postcopy goes on. Until then the guest's accesses\n"
"to missing pages wait; after the pause timeout (postcopy-pause-timeout-ms,\n"
"default 10 minutes, counted from the pause) without a resume the migration\n"
"fails and the guest is lost.\n"
"  --region ID     region of the paused migration (either side)\n"
"  --to ADDR:PORT  source only: connect to the destination there from now on\n"
"  --port PORT     destination: listen on this port from now on (0: any free\n"
"                  one); source: connect to this port of the address it had\n"
"\n"
"Prints the status of the migration as 'migctl status' does, taken when\n"
"the request is made (still postcopy-paused: the reconnection runs in the\n"
"background).\n";

static int cmd_postcopy_resume(int argc, char **argv)
{
	const char *region = NULL, *to = NULL, *port = NULL;
	struct opt o[] = {
		OPT_VAL("--region", &region), OPT_VAL("--to", &to),
		OPT_VAL("--port", &port),
	};
	struct mig_req req = { .zero_detect = -1, .no_convergence = -1 };
	const char *cmd = "postcopy-resume";
	char host[64];
	uint32_t p;
	int ret;

	ret = parse_opts(cmd, argc, argv, o, ARRAY_SIZE(o));
	if (!ret)
		ret = parse_region_req(cmd, region, &req.region);
	if (ret)
		return ret;
	if (to && port)
		return usage_err(cmd, "--to and --port exclude each other");
	if (to) {
		ret = parse_to(cmd, to, host, sizeof(host), &req.port);
		if (ret)
			return ret;
		req.addr = host;
		req.have_port = true;
	} else if (port) {
		if (parse_u32_arg(cmd, "port", "a number", port, 0, 65535, &p))
			return EXIT_USAGE;
		req.port = p;
		req.have_port = true;
	}
	return mig_run(cmd, KMIG_CMD_MIG_POSTCOPY_RESUME, &req, false,
		       INTERVAL_DEFAULT);
}

SUBCOMMAND(postcopy_resume, "postcopy-resume");

static const char usage_checkpoint[] =
"Usage: migctl [-j] checkpoint --region ID\n"
"\n"
"Take a COLO checkpoint now on region ID, the primary of a COLO migration\n"
"('migctl start --live --colo') in state colo (needs CAP_NET_ADMIN),\n"
"instead of waiting for the rest of the checkpoint interval. The request\n"
"only starts the checkpoint, which runs as usual: checkpoint-pause N,\n"
"which the VMMs answer with colo-paused N, then checkpoint-done N\n"
"('migctl monitor' shows them). Asked during a checkpoint, the next one\n"
"starts as soon as it is committed.\n"
"\n"
"Prints the status of the migration as 'migctl status' does.\n";

REGION_SUBCOMMAND(checkpoint, "checkpoint", KMIG_CMD_COLO_CHECKPOINT, false);

/*
 * Send @msg (consumed), the request @nlcmd on region @id that only an ack
 * answers; @msg is NULL or @built false when it could not be built (out
 * of memory). Returns 0, or -1 after the error line of @cmd.
 */
static int ack_req(struct kmig_nl *nl, const char *cmd, uint8_t nlcmd,
		   uint32_t id, struct nl_msg *msg, bool built)
{
	struct kmig_nl_err err;

	if (!msg || !built) {
		nlmsg_free(msg);
		err_line("%s: out of memory", cmd);
		return -1;
	}
	if (kmig_nl_do(nl, msg, KMIG_A_MIG_MAX, NULL, NULL, &err) < 0) {
		mig_report(cmd, &err, nlcmd, id);
		return -1;
	}
	return 0;
}

static const char usage_colo_paused[] =
"Usage: migctl [-j] colo-paused --region ID --checkpoint N\n"
"\n"
"Tell the module that the guest of region ID is paused for COLO\n"
"checkpoint N (needs CAP_NET_ADMIN), as a VMM does after the\n"
"checkpoint-pause N event ('migctl monitor'): the checkpoint's pages then\n"
"go out, and checkpoint-done N says when the guest may run again. Both\n"
"sides' VMMs answer their own checkpoint-pause events; without the answer\n"
"within 10 s the checkpoint fails and the migration fails over. Meant for\n"
"testing, for manual operation and for VMM authors.\n"
"  --region ID     region of the COLO migration, either side\n"
"  --checkpoint N  the checkpoint of the checkpoint-pause event,\n"
"                  0..18446744073709551615\n"
"\n"
"Prints nothing (JSON: {\"region\":ID,\"checkpoint\":N}). Fails when the\n"
"region has no COLO migration in state colo, or no pause was asked for\n"
"checkpoint N (or it was already acknowledged). N is always the status's\n"
"checkpoint + 1 ('migctl status' shows it as Committed checkpoint).\n";

/*
 * What a VMM sends once its vCPUs are paused for checkpoint N (announced
 * by checkpoint-pause); answered by an ack only.
 */
static int cmd_colo_paused(int argc, char **argv)
{
	const char *region = NULL, *ckpt = NULL;
	struct opt o[] = {
		OPT_VAL("--region", &region), OPT_VAL("--checkpoint", &ckpt),
	};
	struct kmig_nl nl;
	struct nl_msg *msg;
	uint64_t n;
	uint32_t id;
	int ret;

	ret = parse_opts("colo-paused", argc, argv, o, ARRAY_SIZE(o));
	if (!ret)
		ret = parse_region_req("colo-paused", region, &id);
	if (ret)
		return ret;
	if (!ckpt)
		return usage_err("colo-paused", "missing --checkpoint N (try 'migctl colo-paused --help')");
	if (!parse_u64(ckpt, 0, UINT64_MAX, &n))
		return usage_err("colo-paused", "invalid checkpoint '%s' (expected a number 0..%llu)",
				 ckpt, (unsigned long long)UINT64_MAX);
	if (kmig_nl_open(&nl) < 0)
		return EXIT_ERR;
	ret = EXIT_ERR;
	msg = kmig_nl_msg(&nl, KMIG_CMD_COLO_PAUSED, 0);
	if (ack_req(&nl, "colo-paused", KMIG_CMD_COLO_PAUSED, id, msg,
		    msg && nla_put_u32(msg, KMIG_A_MIG_REGION_ID, id) >= 0 &&
		    nla_put_u64(msg, KMIG_A_MIG_CHECKPOINT, n) >= 0) < 0)
		goto out;
	if (opts.json)
		printf("{\"region\":%u,\"checkpoint\":%llu}\n", id,
		       (unsigned long long)n);
	ret = EXIT_OK;
out:
	kmig_nl_close(&nl);
	return ret;
}

SUBCOMMAND(colo_paused, "colo-paused");

static const char usage_dirty_push[] =
"Usage: migctl [-j] dirty-push --region ID --pages LIST\n"
"\n"
"Mark pages of region ID dirty in its live migration (source side; needs\n"
"CAP_NET_ADMIN), as a VMM that collects KVM's dirty log itself does with\n"
"mig-dirty-push: the pages are merged into kmig's own dirty bitmap and go\n"
"out again in the next pass. Meant for testing and for VMM authors.\n"
"  --pages LIST    page indexes and inclusive ranges, e.g. 0-99,4096,8000-8191\n"
"                  (at most 256 items)\n"
"\n"
"Prints \"region ID: N pages marked dirty\" (JSON: {\"region\":ID,\"pages\":N}).\n"
"Fails when the region has no live migration running, or a page is past\n"
"the end of the region.\n";

/* Words per mig-dirty-push message: one attribute stays well under 64 KiB. */
#define PUSH_WORDS	4096
/* Highest page index accepted on the command line (2^40 pages: 4 PiB). */
#define PUSH_PAGE_MAX	((1ULL << 40) - 1)

/*
 * Parse "A-B,C,..." (page indexes, ranges inclusive) into ranges, and the
 * lowest and highest page. Returns the number of ranges, or -1.
 */
static int parse_pages(const char *s, uint64_t (*r)[2], int max,
		       uint64_t *lo, uint64_t *hi)
{
	char buf[4096], *rest = buf, *tok, *dash;
	int n = 0;

	if (strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	*lo = UINT64_MAX;
	*hi = 0;
	/* strsep, not strtok: "1,,2" and "1," are errors, not "1,2" and "1". */
	while ((tok = strsep(&rest, ","))) {
		if (n == max)
			return -1;
		dash = strchr(tok, '-');
		if (dash)
			*dash = '\0';
		if (!parse_u64(tok, 0, PUSH_PAGE_MAX, &r[n][0]))
			return -1;
		r[n][1] = r[n][0];
		if (dash && (!parse_u64(dash + 1, 0, PUSH_PAGE_MAX, &r[n][1]) ||
			     r[n][1] < r[n][0]))
			return -1;
		if (r[n][0] < *lo)
			*lo = r[n][0];
		if (r[n][1] > *hi)
			*hi = r[n][1];
		n++;
	}
	return n ? n : -1;
}

static bool in_ranges(uint64_t page, const uint64_t (*r)[2], int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (page >= r[i][0] && page <= r[i][1])
			return true;
	return false;
}

/*
 * Mark the pages dirty in the region's live migration, as a VMM that
 * collects KVM's dirty log does: one message per PUSH_WORDS words of
 * bitmap, each covering pages first .. first + 64 * PUSH_WORDS - 1.
 */
static int cmd_dirty_push(int argc, char **argv)
{
	const char *region = NULL, *pages = NULL;
	struct opt o[] = {
		OPT_VAL("--region", &region), OPT_VAL("--pages", &pages),
	};
	static uint64_t r[256][2];
	uint64_t words[PUSH_WORDS], lo, hi, first, p, count = 0;
	struct kmig_nl nl;
	struct nl_msg *msg;
	uint32_t id;
	int n, ret;

	ret = parse_opts("dirty-push", argc, argv, o, ARRAY_SIZE(o));
	if (!ret)
		ret = parse_region_req("dirty-push", region, &id);
	if (ret)
		return ret;
	if (!pages)
		return usage_err("dirty-push", "missing --pages LIST (try 'migctl dirty-push --help')");
	n = parse_pages(pages, r, 256, &lo, &hi);
	if (n < 0)
		return usage_err("dirty-push", "invalid page list '%s' (expected A-B,C,... of page indexes 0..%llu, at most 256 items)",
				 pages, (unsigned long long)PUSH_PAGE_MAX);
	if (kmig_nl_open(&nl) < 0)
		return EXIT_ERR;
	ret = EXIT_ERR;
	for (first = lo & ~63ULL; first <= hi; first += 64ULL * PUSH_WORDS) {
		memset(words, 0, sizeof(words));
		for (p = first; p <= hi && p < first + 64ULL * PUSH_WORDS; p++) {
			if (!in_ranges(p, r, n))
				continue;
			words[(p - first) / 64] |= 1ULL << ((p - first) % 64);
			count++;
		}
		msg = kmig_nl_msg(&nl, KMIG_CMD_MIG_DIRTY_PUSH, 0);
		if (ack_req(&nl, "dirty-push", KMIG_CMD_MIG_DIRTY_PUSH, id, msg,
			    msg && nla_put_u32(msg, KMIG_A_MIG_REGION_ID, id) >= 0 &&
			    nla_put_u64(msg, KMIG_A_MIG_DIRTY_FIRST, first) >= 0 &&
			    nla_put(msg, KMIG_A_MIG_DIRTY_BITMAP,
				    (int)(((hi - first) / 64 + 1 < PUSH_WORDS ?
					   (hi - first) / 64 + 1 : PUSH_WORDS) *
					  sizeof(words[0])), words) >= 0) < 0)
			goto out;
	}
	if (opts.json)
		printf("{\"region\":%u,\"pages\":%llu}\n", id,
		       (unsigned long long)count);
	else
		printf("region %u: %llu pages marked dirty\n", id,
		       (unsigned long long)count);
	ret = EXIT_OK;
out:
	kmig_nl_close(&nl);
	return ret;
}

SUBCOMMAND(dirty_push, "dirty-push");
