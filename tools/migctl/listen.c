// SPDX-License-Identifier: GPL-2.0
/*
 * migctl listen: KMIG_CMD_MIG_LISTEN, the destination side of a migration.
 */
#include <stdbool.h>
#include <stdint.h>

#include <linux/kmig.h>

#include "cmdline.h"
#include "mig.h"
#include "migctl.h"
#include "status.h"

static const char usage_listen[] =
"Usage: migctl [-j] listen --region ID (--key-file FILE | --insecure)\n"
"                          [--addr ADDR] [--port PORT]\n"
"                          [--channels N] [--id HEX32] [--wait] [--interval MS]\n"
"                          [--colo] [--integrity] [--postcopy-pause-timeout MS]\n"
"\n"
"Make region ID the destination of a migration (needs CAP_NET_ADMIN): the\n"
"module listens on TCP ADDR:PORT, in migctl's network namespace, for the\n"
"channels of one migration and writes the pages they bring into the region.\n"
"  --region ID     region to receive into (see 'migctl regions')\n"
MIG_KEY_HELP
"  --addr ADDR     numeric IPv4 or IPv6 address to listen on (default: any\n"
"                  IPv4 address)\n"
"  --port PORT     TCP port 0..65535 (default 0: the module picks a free one)\n"
"  --channels N    channels to accept, 1.." STR(KMIG_CHANNELS_MAX) " (default: the channels parameter)\n"
"  --id HEX32      migration id, 32 hex digits (dashes allowed, as in a\n"
"                  UUID): accept only channels carrying it (default: adopt\n"
"                  the id of the first channel accepted)\n"
MIG_WAIT_HELP
"  --colo          accept a COLO primary ('migctl start --live --colo'):\n"
"                  after the switchover the region becomes the COLO\n"
"                  secondary, holding the last committed checkpoint (see\n"
"                  'migctl start --help')\n"
"  --integrity     require a CRC-32C on every packet ('migctl start\n"
"                  --integrity'); without it a source that asks still gets it\n"
PC_PAUSE_HELP
"\n"
"A source started with --postcopy gets postcopy granted: if it switches to\n"
"postcopy, the migration reports postcopy-active here ('migctl monitor'):\n"
"resume the guest on this host then; it completes once no page is missing.\n"
"A broken link during postcopy pauses it (postcopy-paused; resume with\n"
"'migctl postcopy-resume' here, then on the source). If it fails, is\n"
"cancelled or stays paused too long during postcopy, the guest is lost (its\n"
"accesses to the pages that never came get SIGBUS) and the region refuses\n"
"new migrations.\n"
"\n"
"Prints the status of the new migration as 'migctl status' does: state\n"
"listening, the address and port listened on (the port the module picked\n"
"when PORT is 0), the migration id when given. With --wait, the text output\n"
"is this status at once, then the final one; JSON is only the final one.\n"
"Exit status with --wait: 0 when the migration completed, 1 when it failed\n"
"or was cancelled, with \"migctl: migration failed: REASON\" on stderr, or\n"
"failed over (COLO), with \"migctl: COLO failover: REASON (last committed\n"
"checkpoint N)\" on stderr.\n";

static int cmd_listen(int argc, char **argv)
{
	const char *region = NULL, *addr = NULL, *port = NULL, *chans = NULL;
	const char *id = NULL, *interval = NULL, *key_file = NULL, *pc_pause = NULL;
	bool wait = false, colo = false, insecure = false, integrity = false;
	struct opt o[] = {
		OPT_VAL("--region", &region), OPT_VAL("--addr", &addr),
		OPT_VAL("--port", &port), OPT_VAL("--channels", &chans), OPT_VAL("--id", &id),
		OPT_FLAG("--wait", &wait), OPT_VAL("--interval", &interval),
		OPT_FLAG("--colo", &colo), OPT_VAL("--key-file", &key_file),
		OPT_FLAG("--insecure", &insecure),
		OPT_FLAG("--integrity", &integrity),
		OPT_VAL("--postcopy-pause-timeout", &pc_pause),
	};
	struct mig_req req = { .zero_detect = -1, .no_convergence = -1 };
	char abuf[64];
	unsigned int ms = INTERVAL_DEFAULT;
	uint32_t p;
	int ret;

	ret = parse_opts("listen", argc, argv, o, ARRAY_SIZE(o));
	if (!ret)
		ret = parse_region_req("listen", region, &req.region);
	if (!ret && addr) {
		ret = parse_addr("listen", addr, abuf, sizeof(abuf));
		req.addr = abuf;
	}
	if (!ret)
		ret = parse_mig_args("listen", chans, id, interval, &req, &ms);
	if (ret)
		return ret;
	if (port) {
		if (parse_u32_arg("listen", "port", "a number", port, 0, 65535, &p))
			return EXIT_USAGE;
		req.have_port = true;
		req.port = (uint16_t)p;
	}
	if (pc_pause && parse_u32_arg("listen", "pause timeout", "milliseconds",
				      pc_pause, 1000, UINT32_MAX,
				      &req.pc_pause_timeout))
		return EXIT_USAGE;
	req.colo = colo;
	req.integrity = integrity;
	return mig_run_auth("listen", KMIG_CMD_MIG_LISTEN, &req, key_file,
			    insecure, wait, ms);
}

SUBCOMMAND(listen, "listen");
