// SPDX-License-Identifier: GPL-2.0
/*
 * migctl start: KMIG_CMD_MIG_START, the source side of a migration (one
 * pass, live, or COLO).
 */
#include <stdbool.h>
#include <stdint.h>

#include <linux/kmig.h>

#include "cmdline.h"
#include "mig.h"
#include "migctl.h"
#include "record.h"
#include "status.h"

static const char usage_start[] =
"Usage: migctl [-j] start --region ID --to HOST:PORT\n"
"                         (--key-file FILE | --insecure) [--channels N]\n"
"                         [--zero-page-detection none|main|channel]\n"
"                         [--id HEX32] [--wait] [--interval MS]\n"
"                         [--live] [--downtime-limit MS] [--max-bandwidth RATE]\n"
"                         [--max-passes N]\n"
"                         [--no-convergence continue|switchover|postcopy]\n"
"                         [--colo] [--checkpoint-interval MS] [--integrity]\n"
"                         [--postcopy [--postcopy-after N] [--prefetch N]]\n"
"                         [--postcopy-pause-timeout MS]\n"
"\n"
"Migrate region ID to a destination started with 'migctl listen' (needs\n"
"CAP_NET_ADMIN), over TCP from migctl's network namespace. Returns once\n"
"the migration is set up; it runs in the background ('migctl status').\n"
"  --region ID     region to send (see 'migctl regions')\n"
"  --to HOST:PORT  where the destination listens: 192.0.2.7:4444 or\n"
"                  [2001:db8::7]:4444; HOST must be a numeric address\n"
"                  (names are not resolved), PORT 1..65535\n"
MIG_KEY_HELP
"  --channels N    channels (TCP connections, one kernel thread each),\n"
"                  1.." STR(KMIG_CHANNELS_MAX) " (default: the channels parameter)\n"
"  --zero-page-detection none|main|channel\n"
"                  where zero pages are found: not at all, by the\n"
"                  dispatcher, or by each channel thread (default: the\n"
"                  zero-page-detection parameter)\n"
"  --id HEX32      migration id sent in every channel's hello, 32 hex\n"
"                  digits (default: a random one)\n"
"  --integrity     a CRC-32C after every packet, checked before anything of\n"
"                  it is applied; a mismatch fails the migration (pages are\n"
"                  then copied on both sides instead of spliced)\n"
MIG_WAIT_HELP
"\n"
"Live migration (the guest keeps running; without --live a single pass is\n"
"sent and the guest is expected to be paused already):\n"
"  --live          track the pages written meanwhile and send them again in\n"
"                  further passes until the expected downtime is within the\n"
"                  limit; the module then reports switchover-ready and the\n"
"                  migration goes on until 'migctl switchover' (or the VMM's\n"
"                  own mig-switchover) after the guest has been paused\n"
"  --downtime-limit MS\n"
"                  largest acceptable downtime, 1..3600000 ms (default: the\n"
"                  module's, 300)\n"
"  --max-bandwidth RATE\n"
"                  bandwidth limit of all channels together in bytes per\n"
"                  second, with an optional suffix K, M or G (powers of\n"
"                  1024): 104857600 or 100M; 0 for none (the default)\n"
"  --max-passes N  passes after which the --no-convergence policy applies\n"
"                  (default 0: no limit)\n"
"  --no-convergence continue|switchover|postcopy\n"
"                  at --max-passes passes without convergence: keep sending\n"
"                  passes (continue, the default), report switchover-ready\n"
"                  anyway (switchover: the downtime will exceed the limit),\n"
"                  or report it and make the switchover go to postcopy\n"
"                  (postcopy, needs --postcopy)\n"
"The options after --live require it.\n"
"\n"
"COLO (coarse-grained lock-stepping; needs --live, and a destination\n"
"listening with 'migctl listen --colo'):\n"
"  --colo          after the switchover the migration does not complete:\n"
"                  both sides enter state colo with checkpoint 0 committed\n"
"                  (this host the COLO primary, the destination the\n"
"                  secondary) and stay connected; a checkpoint is taken\n"
"                  every interval: on each side the module reports\n"
"                  checkpoint-pause N, the VMM pauses its guest and answers\n"
"                  with colo-paused N within 10 s (else the checkpoint\n"
"                  fails and both sides fail over), the pages written since\n"
"                  the last checkpoint go out, and checkpoint-done N tells\n"
"                  it to resume. State colo lasts until 'migctl cancel' or\n"
"                  a failover (the peer is lost): the secondary then holds\n"
"                  the last committed checkpoint, the primary runs on alone\n"
"  --checkpoint-interval MS\n"
"                  time between checkpoints, 10..3600000 ms (default: the\n"
"                  module's, 1000); requires --colo\n"
"\n"
"Postcopy (needs --live and at least 2 channels, not with --colo; any\n"
"destination grants it):\n"
"  --postcopy      the migration may switch to postcopy. It is asked for by\n"
"                  --postcopy-after, by --no-convergence postcopy or by\n"
"                  'migctl postcopy': switchover-ready is then reported\n"
"                  (after the pass in flight) and the switchover, after the\n"
"                  guest has been paused as usual, goes to postcopy: the\n"
"                  pages still dirty are not sent but marked missing on the\n"
"                  destination, whose VMM resumes the guest at its\n"
"                  postcopy-active event (the source's downtime ends when\n"
"                  the destination acknowledges it). A page the guest\n"
"                  touches there before it arrived is requested on channel\n"
"                  0 and waited for; the others come with a background push\n"
"                  on the other channels, until none is missing and the\n"
"                  migration completes. Keep the source's region open until\n"
"                  then. A link that breaks during postcopy pauses both\n"
"                  sides (postcopy-paused: 'migctl postcopy-resume' on each\n"
"                  reconnects them). A migration that fails, is cancelled\n"
"                  or stays paused too long during postcopy loses the\n"
"                  guest: neither side holds all of it, the destination's\n"
"                  accesses to the missing pages get SIGBUS, and both\n"
"                  regions refuse new migrations. Precopy\n"
"                  that converges before postcopy is asked for reports\n"
"                  switchover-ready as usual, and its switchover is an\n"
"                  ordinary one unless 'migctl postcopy' came first\n"
"  --postcopy-after N\n"
"                  ask for postcopy once N passes are done, whether or not\n"
"                  precopy converged; 0: no pass at all (switchover-ready\n"
"                  at once, every page goes by postcopy); 0..4294967294\n"
"                  (default: never by a pass count)\n"
"  --prefetch N    pages after each requested one sent with it when not\n"
"                  sent yet, 0..64 (default 16)\n"
PC_PAUSE_HELP
"\n"
"Prints the status of the new migration as 'migctl status' does (with\n"
"--wait, only the final one). Exit status with --wait: 0 when the\n"
"migration completed, 1 when it failed or was cancelled, with\n"
"\"migctl: migration failed: REASON\" on stderr, or failed over (COLO,\n"
"which never completes), with \"migctl: COLO failover: REASON (last\n"
"committed checkpoint N)\" on stderr.\n"
"\n"
"A live migration completes only after its switchover: 'start --live\n"
"--wait' waits for it, printing once on stderr \"migctl: switchover ready:\n"
"pause the guest and run 'migctl switchover --region ID'\" when the module\n"
"reports switchover-ready; run that (from another shell, or the VMM) to let\n"
"it complete, or 'migctl cancel --region ID' to give up.\n";

static int cmd_start(int argc, char **argv)
{
	const char *region = NULL, *to = NULL, *chans = NULL, *zd = NULL;
	const char *id = NULL, *interval = NULL, *limit = NULL, *bw = NULL;
	const char *passes = NULL, *nc = NULL, *ckpt = NULL, *key_file = NULL;
	bool wait = false, live = false, colo = false, insecure = false;
	bool integrity = false, postcopy = false;
	const char *pc_after = NULL, *prefetch = NULL, *pc_pause = NULL;
	struct opt o[] = {
		OPT_VAL("--region", &region), OPT_VAL("--to", &to),
		OPT_VAL("--channels", &chans), OPT_VAL("--zero-page-detection", &zd),
		OPT_VAL("--id", &id), OPT_FLAG("--wait", &wait),
		OPT_VAL("--interval", &interval), OPT_FLAG("--live", &live),
		OPT_VAL("--downtime-limit", &limit),
		OPT_VAL("--max-bandwidth", &bw), OPT_VAL("--max-passes", &passes),
		OPT_VAL("--no-convergence", &nc), OPT_FLAG("--colo", &colo),
		OPT_VAL("--checkpoint-interval", &ckpt),
		OPT_VAL("--key-file", &key_file), OPT_FLAG("--insecure", &insecure),
		OPT_FLAG("--integrity", &integrity),
		OPT_FLAG("--postcopy", &postcopy),
		OPT_VAL("--postcopy-after", &pc_after),
		OPT_VAL("--prefetch", &prefetch),
		OPT_VAL("--postcopy-pause-timeout", &pc_pause),
	};
	struct mig_req req = {
		.zero_detect = -1, .have_port = true, .no_convergence = -1,
	};
	char host[64];
	unsigned int ms = INTERVAL_DEFAULT;
	int ret;

	ret = parse_opts("start", argc, argv, o, ARRAY_SIZE(o));
	if (ret)
		return ret;
	if (!region)
		return usage_err("start", "missing --region ID (try 'migctl start --help')");
	if (!to)
		return usage_err("start", "missing --to HOST:PORT (try 'migctl start --help')");
	if (ckpt && !colo)
		return usage_err("start", "--checkpoint-interval requires --colo");
	if (!live) {
		const char *no = limit ? "--downtime-limit" :
				 bw ? "--max-bandwidth" :
				 passes ? "--max-passes" :
				 nc ? "--no-convergence" :
				 colo ? "--colo" :
				 postcopy ? "--postcopy" : NULL;

		if (no)
			return usage_err("start", "%s requires --live", no);
	}
	ret = parse_region("start", region, &req.region);
	if (!ret)
		ret = parse_to("start", to, host, sizeof(host), &req.port);
	if (!ret)
		ret = parse_mig_args("start", chans, id, interval, &req, &ms);
	if (!ret && zd)
		ret = parse_enum_arg("start", "zero-page detection",
				     &kmig_zero_detect_enum, zd, &req.zero_detect);
	if (ret)
		return ret;
	req.live = live;
	if (limit && parse_u32_arg("start", "downtime limit", "milliseconds", limit,
				   1, DOWNTIME_LIMIT_MAX, &req.downtime_limit))
		return EXIT_USAGE;
	if (bw) {
		ret = parse_rate("start", bw, &req.max_bandwidth);
		if (ret)
			return ret;
		req.have_bandwidth = true;
	}
	if (passes) {
		if (parse_u32_arg("start", "pass count", "a number", passes, 0,
				  UINT32_MAX, &req.max_passes))
			return EXIT_USAGE;
		req.have_max_passes = true;
	}
	if (nc && parse_enum_arg("start", "no-convergence policy",
				 &kmig_no_convergence_enum, nc, &req.no_convergence))
		return EXIT_USAGE;
	req.colo = colo;
	if (ckpt && parse_u32_arg("start", "checkpoint interval", "milliseconds",
				  ckpt, CKPT_INTERVAL_MIN, CKPT_INTERVAL_MAX,
				  &req.checkpoint_interval))
		return EXIT_USAGE;
	if ((pc_after || prefetch) && !postcopy)
		return usage_err("start", "%s requires --postcopy",
				 pc_after ? "--postcopy-after" : "--prefetch");
	if (req.no_convergence == KMIG_NO_CONVERGENCE_POSTCOPY && !postcopy)
		return usage_err("start", "--no-convergence postcopy requires --postcopy");
	if (postcopy && colo)
		return usage_err("start", "--postcopy and --colo exclude each other");
	req.postcopy = postcopy;
	if (pc_after) {
		if (parse_u32_arg("start", "pass count", "a number", pc_after, 0,
				  UINT32_MAX - 1, &req.postcopy_after))
			return EXIT_USAGE;
		req.have_postcopy_after = true;
	}
	if (pc_pause && parse_u32_arg("start", "pause timeout", "milliseconds",
				      pc_pause, 1000, UINT32_MAX,
				      &req.pc_pause_timeout))
		return EXIT_USAGE;
	if (prefetch) {
		if (parse_u32_arg("start", "prefetch window", "pages", prefetch,
				  0, 64, &req.prefetch))
			return EXIT_USAGE;
		req.have_prefetch = true;
	}
	req.addr = host;
	req.integrity = integrity;
	return mig_run_auth("start", KMIG_CMD_MIG_START, &req, key_file,
			    insecure, wait, ms);
}

SUBCOMMAND(start, "start");
