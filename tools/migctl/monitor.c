// SPDX-License-Identifier: GPL-2.0
/*
 * migctl monitor: the KMIG_CMD_MIG_EVENT notifications of the "events"
 * multicast group, one line (or JSON object) each.
 */
#include <inttypes.h>
#include <stdio.h>

#include <netlink/genl/genl.h>

#include <linux/kmig.h>

#include "cmdline.h"
#include "mig.h"
#include "mig-print.h"
#include "migctl.h"
#include "nl.h"
#include "output.h"
#include "record.h"

static const char usage_monitor[] =
"Usage: migctl [-j] monitor [--region ID] [--count N]\n"
"\n"
"Print the migration events of the module as they come (multicast group\n"
"\"" KMIG_MCGRP_EVENTS "\"), one line each, until interrupted:\n"
"  region 3 source setup                              (state changes)\n"
"  region 3 source pass-done pass 2: 1234 dirty pages, dirty rate 5000\n"
"      pages/s, expected downtime 12 ms, remaining 4.8 MiB\n"
"  region 3 source switchover-ready (expected downtime 12 ms <= 300 ms)\n"
"  region 3 source completed (downtime 45 ms)\n"
"  region 3 destination completed\n"
"  region 3 source failed: REASON\n"
"  region 3 source cancelled: REASON\n"
"  region 3 source checkpoint-pause 12                (COLO)\n"
"  region 3 source checkpoint-done 12: 1234 pages, 4.8 MiB, pause 31.2 ms\n"
"      (transfer 20.1 ms, flush 2.3 ms)\n"
"  region 4 destination checkpoint-done 12: 1234 pages, 4.8 MiB,\n"
"      transfer 20.1 ms, flush 2.3 ms\n"
"  region 4 destination failover: REASON (holds checkpoint 11)\n"
"  region 3 source failover: REASON (last committed checkpoint 11)\n"
"  region 3 source postcopy-active (downtime 12 ms)   (postcopy)\n"
"  region 4 destination postcopy-active: 1234 pages missing\n"
"  region 3 source postcopy-paused: REASON\n"
"  region 4 destination failed: REASON (1234 pages lost)\n"
"Dirty pages are the remaining bytes in pages of this host's page size.\n"
"A checkpoint's pause (primary) runs from checkpoint-pause to\n"
"checkpoint-done; transfer and flush are the secondary's part of it.\n"
"At postcopy-active the destination runs the guest (resume it there) while\n"
"the missing pages come from the source; the source's downtime ends. Pages\n"
"still missing when a destination fails or is cancelled during postcopy\n"
"are lost (the guest's accesses to them get SIGBUS). At postcopy-paused a\n"
"broken link paused postcopy (REASON says how) and nothing is lost yet:\n"
"the destination's accesses to missing pages wait until 'migctl\n"
"postcopy-resume' on both sides (destination first) reconnects them, with\n"
"a postcopy-active event each, or until the pause timeout fails it.\n"
"Standard output is flushed after each event (for pipes).\n"
"  --region ID     only the events of region ID\n"
"  --count N       exit after N events (those of --region), 1..4294967295\n"
"\n"
"JSON: one object per line (JSON lines, --pretty is ignored) with the keys\n"
"of 'migctl status --json' and event: state, pass-done, switchover-ready,\n"
"completed, failed, cancelled, checkpoint-pause, checkpoint-done,\n"
"failover, postcopy-active or postcopy-paused.\n";

/*
 * One line for the event notification @m:
 *   region 3 source setup
 *   region 3 source pass-done pass 2: 1234 dirty pages, dirty rate 5000
 *     pages/s, expected downtime 12 ms, remaining 4.8 MiB
 *   region 3 source switchover-ready (expected downtime 12 ms <= 300 ms)
 *   region 3 source completed (downtime 45 ms)
 *   region 3 source failed: REASON
 *   region 3 source checkpoint-pause 12
 *   region 3 source checkpoint-done 12: 1234 pages, 4.8 MiB, pause 31.2 ms
 *     (transfer 20.1 ms, flush 2.3 ms)
 *   region 4 destination checkpoint-done 12: 1234 pages, 4.8 MiB,
 *     transfer 20.1 ms, flush 2.3 ms
 *   region 4 destination failover: REASON (holds checkpoint 11)
 *   region 3 source failover: REASON (last committed checkpoint 11)
 *   region 3 source postcopy-active (downtime 12 ms)
 *   region 4 destination postcopy-active: 1234 pages missing
 *   region 3 source postcopy-paused: REASON
 *   region 4 destination failed: REASON (1234 pages lost)
 * @page_size converts remaining-bytes to dirty pages.
 */
static char *event_text(char *buf, size_t len, const struct mig *m,
			uint64_t page_size)
{
	char a[FMT_BUF], b[FMT_BUF], r[256];
	uint64_t ev, v, w;
	const char *reason;
	size_t o = 0;
	int parts = 0;

#define ADD(...) \
	do { \
		if (o < len) \
			o += snprintf(buf + o, len - o, __VA_ARGS__); \
	} while (0)
#define PART(...) \
	do { \
		ADD("%s", parts++ ? ", " : ": "); \
		ADD(__VA_ARGS__); \
	} while (0)
	ADD("region %" PRIu64, mig_num_or(m, KMIG_A_MIG_REGION_ID, 0));
	if (record_has(&m->r, KMIG_A_MIG_ROLE))
		ADD(" %s", mig_enum_text(a, sizeof(a), m, KMIG_A_MIG_ROLE,
					 &kmig_mig_role_enum));
	ev = mig_num_or(m, KMIG_A_MIG_EVENT, KMIG_MIG_EVENT_STATE);
	switch (ev) {
	case KMIG_MIG_EVENT_STATE:
		ADD(" %s", mig_enum_text(a, sizeof(a), m, KMIG_A_MIG_STATE,
					 &kmig_mig_state_enum));
		break;
	case KMIG_MIG_EVENT_PASS_DONE:
		ADD(" pass-done");
		if (record_num(&m->r, KMIG_A_MIG_PASS, &v))
			ADD(" pass %" PRIu64, v);
		if (record_num(&m->r, KMIG_A_MIG_REMAINING_BYTES, &v) &&
		    page_size)
			PART("%" PRIu64 " dirty pages", v / page_size);
		if (record_num(&m->r, KMIG_A_MIG_DIRTY_RATE, &v))
			PART("dirty rate %" PRIu64 " pages/s", v);
		if (record_num(&m->r, KMIG_A_MIG_EXPECTED_DOWNTIME_NS, &v))
			PART("expected downtime %s",
			     fmt_expected(a, sizeof(a), v));
		if (record_num(&m->r, KMIG_A_MIG_REMAINING_BYTES, &v))
			PART("remaining %s", fmt_size(a, sizeof(a), v));
		break;
	case KMIG_MIG_EVENT_SWITCHOVER_READY:
		ADD(" switchover-ready");
		if (!record_num(&m->r, KMIG_A_MIG_EXPECTED_DOWNTIME_NS, &v))
			break;
		fmt_expected(a, sizeof(a), v);
		if (record_num(&m->r, KMIG_A_MIG_DOWNTIME_LIMIT_MS, &w))
			ADD(" (expected downtime %s %s %" PRIu64 " ms)", a,
			    v <= w * 1000000 ? "<=" : ">", w);
		else
			ADD(" (expected downtime %s)", a);
		break;
	case KMIG_MIG_EVENT_COMPLETED:
		ADD(" completed");
		if (record_num(&m->r, KMIG_A_MIG_DOWNTIME_NS, &v) && v)
			ADD(" (downtime %s)", fmt_ms(b, sizeof(b), v));
		break;
	case KMIG_MIG_EVENT_FAILED:
	case KMIG_MIG_EVENT_CANCELLED:
	case KMIG_MIG_EVENT_POSTCOPY_PAUSED:
		ADD(" %s", kmig_enum_name(&kmig_mig_event_enum, ev));
		reason = mig_str(m, KMIG_A_MIG_REASON);
		if (reason && *reason)
			ADD(": %s", sanitize(r, sizeof(r), reason));
		/* a destination in postcopy: what never came is gone */
		if (ev != KMIG_MIG_EVENT_POSTCOPY_PAUSED &&
		    record_has(&m->r, KMIG_A_MIG_POSTCOPY) &&
		    record_num(&m->r, KMIG_A_MIG_POSTCOPY_MISSING_PAGES, &v) && v)
			ADD(" (%" PRIu64 " page%s lost)", v, v == 1 ? "" : "s");
		break;
	case KMIG_MIG_EVENT_CHECKPOINT_PAUSE:
	case KMIG_MIG_EVENT_CHECKPOINT_DONE:
		ADD(" %s", kmig_enum_name(&kmig_mig_event_enum, ev));
		if (record_num(&m->r, KMIG_A_MIG_CHECKPOINT, &v))
			ADD(" %" PRIu64, v);
		if (ev == KMIG_MIG_EVENT_CHECKPOINT_PAUSE)
			break;
		if (record_num(&m->r, KMIG_A_MIG_CKPT_PAGES, &v))
			PART("%" PRIu64 " pages", v);
		if (record_num(&m->r, KMIG_A_MIG_CKPT_BYTES, &v))
			PART("%s", fmt_size(a, sizeof(a), v));
		if (mig_lat_last(m, KMIG_COLO_METRIC_PAUSE, &v)) {
			/* primary: its pause, made of the secondary's times */
			int n = 0;

			PART("pause %s", fmt_ms_short(a, sizeof(a), v));
			if (mig_lat_last(m, KMIG_COLO_METRIC_TRANSFER, &v))
				ADD("%stransfer %s", n++ ? ", " : " (",
				    fmt_ms_short(a, sizeof(a), v));
			if (mig_lat_last(m, KMIG_COLO_METRIC_FLUSH, &v))
				ADD("%sflush %s", n++ ? ", " : " (",
				    fmt_ms_short(a, sizeof(a), v));
			if (n)
				ADD(")");
			break;
		}
		if (mig_lat_last(m, KMIG_COLO_METRIC_TRANSFER, &v))
			PART("transfer %s", fmt_ms_short(a, sizeof(a), v));
		if (mig_lat_last(m, KMIG_COLO_METRIC_FLUSH, &v))
			PART("flush %s", fmt_ms_short(a, sizeof(a), v));
		break;
	case KMIG_MIG_EVENT_FAILOVER:
		ADD(" failover");
		reason = mig_str(m, KMIG_A_MIG_REASON);
		if (reason && *reason)
			ADD(": %s", sanitize(r, sizeof(r), reason));
		if (record_num(&m->r, KMIG_A_MIG_CHECKPOINT, &v))
			ADD(mig_num_or(m, KMIG_A_MIG_ROLE, 0) ==
			    KMIG_MIG_ROLE_DESTINATION ?
			    " (holds checkpoint %" PRIu64 ")" :
			    " (last committed checkpoint %" PRIu64 ")", v);
		break;
	case KMIG_MIG_EVENT_POSTCOPY_ACTIVE:
		/* destination: what is still on the source; source: downtime */
		ADD(" postcopy-active");
		if (record_num(&m->r, KMIG_A_MIG_POSTCOPY_MISSING_PAGES, &v))
			PART("%" PRIu64 " page%s missing", v, v == 1 ? "" : "s");
		if (record_num(&m->r, KMIG_A_MIG_DOWNTIME_NS, &v) && v)
			ADD(" (downtime %s)", fmt_ms(b, sizeof(b), v));
		break;
	default:
		ADD(" unknown(%" PRIu64 ")", ev);
	}
#undef PART
#undef ADD
	return buf;
}

struct monitor {
	uint32_t region;	/* 0: every region */
	uint32_t count;		/* 0: no limit */
	uint32_t seen;
	uint64_t page_size;
};

static int event_cb(const struct nlmsghdr *nlh, struct nlattr **tb, void *arg)
{
	const struct genlmsghdr *gh = nlmsg_data(nlh);
	struct migs ms = { .what = "monitor" };
	struct monitor *mon = arg;
	const struct mig *m;
	int ret = 0;

	if (gh->cmd != KMIG_CMD_MIG_EVENT)
		return 0;
	if (mig_reply_cb(nlh, tb, &ms) < 0) {
		migs_free(&ms);
		return -1;
	}
	m = &ms.m[0];
	if (mon->region && mig_num_or(m, KMIG_A_MIG_REGION_ID, 0) != mon->region)
		goto out;
	if (opts.json) {
		struct jw jw;

		/* JSON lines: one compact object per event, --pretty or not */
		jw_init(&jw, stdout, false);
		mig_json(&jw, m);
		jw_finish(&jw);
	} else {
		char buf[1024];

		puts(event_text(buf, sizeof(buf), m, mon->page_size));
	}
	/* Piped: each event as it comes. A write error ends the monitor. */
	if (fflush(stdout) || ferror(stdout)) {
		ret = -1;
		goto out;
	}
	mon->seen++;
	if (mon->count && mon->seen >= mon->count)
		ret = 1;
out:
	migs_free(&ms);
	return ret;
}
static int cmd_monitor(int argc, char **argv)
{
	const char *region = NULL, *count = NULL;
	struct opt o[] = {
		OPT_VAL("--region", &region), OPT_VAL("--count", &count),
	};
	struct monitor mon = { 0 };
	struct kmig_nl_err err;
	struct kmig_nl nl;
	int ret;

	ret = parse_opts("monitor", argc, argv, o, ARRAY_SIZE(o));
	if (ret)
		return ret;
	if (region)
		ret = parse_region("monitor", region, &mon.region);
	if (ret)
		return ret;
	if (count && !parse_u32(count, 1, UINT32_MAX, &mon.count))
		return usage_err("monitor", "invalid count '%s' (expected a number 1..%u)",
				 count, UINT32_MAX);
	mon.page_size = kmig_page_size();

	if (kmig_nl_open(&nl) < 0)
		return EXIT_ERR;
	ret = EXIT_ERR;
	if (kmig_nl_subscribe(&nl, KMIG_MCGRP_EVENTS, &err) < 0) {
		if (err.nlerr == NLE_OBJ_NOTFOUND)
			err_line("monitor: the kmig module has no \"%s\" multicast group (a module without live migration events?)",
				 KMIG_MCGRP_EVENTS);
		else
			kmig_nl_report("monitor", &err, NULL);
		goto out;
	}
	if (kmig_nl_recv_notify(&nl, KMIG_A_MIG_MAX, event_cb, &mon, &err) < 0) {
		kmig_nl_report("monitor", &err, NULL);
		goto out;
	}
	ret = EXIT_OK;
out:
	kmig_nl_close(&nl);
	return ret;
}

SUBCOMMAND(monitor, "monitor");
