// SPDX-License-Identifier: GPL-2.0
/*
 * migctl status: KMIG_CMD_MIG_GET, do (one region) or dump (all), printed
 * by mig-print.c. With --watch, and --wait of the other migration commands
 * (mig_run()), MIG_GET is polled until the migration has ended, with a
 * progress line redrawn on a terminal and a hint once a live migration is
 * ready for its switchover.
 */
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include <linux/kmig.h>

#include "cmdline.h"
#include "mig.h"
#include "mig-print.h"
#include "migctl.h"
#include "nl.h"
#include "output.h"
#include "record.h"
#include "status.h"

/* "5.2 Gbit/s", "310.4 Mbit/s", "12.0 kbit/s", "0 bit/s". */
static char *fmt_rate(char *buf, size_t len, uint64_t bytes_per_sec)
{
	double bits = (double)bytes_per_sec * 8;

	if (bits >= 1e9)
		snprintf(buf, len, "%.1f Gbit/s", bits / 1e9);
	else if (bits >= 1e6)
		snprintf(buf, len, "%.1f Mbit/s", bits / 1e6);
	else if (bits >= 1e3)
		snprintf(buf, len, "%.1f kbit/s", bits / 1e3);
	else
		snprintf(buf, len, "%.0f bit/s", bits);
	return buf;
}

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	interrupted = sig;
}

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = {
		.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000,
	};

	/* A signal ends the sleep early; the loop then looks at the flag. */
	nanosleep(&ts, NULL);
}

static unsigned int term_width(void)
{
	struct winsize ws;

	if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 10)
		return ws.ws_col;
	return 80;
}

/* "active  42.0%  110000/262144 pages  5.2 Gbit/s  1.2 s" */
static void progress_part(char *buf, size_t len, const struct mig *m)
{
	char a[FMT_BUF], ep[160];
	uint64_t done, total, v;
	size_t o;

	o = snprintf(buf, len, "%s",
		     mig_enum_text(a, sizeof(a), m, KMIG_A_MIG_STATE,
				   &kmig_mig_state_enum));
#define ADD(...) \
	do { \
		if (o < len) \
			o += snprintf(buf + o, len - o, __VA_ARGS__); \
	} while (0)
	if (mig_state(m) == KMIG_MIG_STATE_LISTENING &&
	    mig_endpoint(ep, sizeof(ep), m))
		ADD(" on %s", ep);
	/* "colo  checkpoint 12  last pause 31.2 ms  75.3 s" */
	if (mig_state(m) == KMIG_MIG_STATE_COLO) {
		if (record_num(&m->r, KMIG_A_MIG_CHECKPOINT, &v))
			ADD("  checkpoint %" PRIu64, v);
		if (mig_lat_last(m, KMIG_COLO_METRIC_PAUSE, &v))
			ADD("  last pause %s", fmt_ms_short(a, sizeof(a), v));
		if (record_num(&m->r, KMIG_A_MIG_TIME_NS, &v))
			ADD("  %.1f s", v / 1e9);
		return;
	}
	if (mig_is_live(m) && record_num(&m->r, KMIG_A_MIG_PASS, &v))
		ADD("  pass %" PRIu64, v);
	/* "pass 3  26988 pages sent  remaining 4.8 MiB" (see the Pages: line) */
	if (mig_is_live(m) && record_num(&m->r, KMIG_A_MIG_PAGES_DONE, &done)) {
		ADD("  %" PRIu64 " pages sent", done);
		if (record_num(&m->r, KMIG_A_MIG_REMAINING_BYTES, &v))
			ADD("  remaining %s", fmt_size(a, sizeof(a), v));
	} else if (record_num(&m->r, KMIG_A_MIG_PAGES_DONE, &done)) {
		if (record_num(&m->r, KMIG_A_MIG_PAGES_TOTAL, &total) && total)
			ADD("  %.1f%%  %" PRIu64 "/%" PRIu64 " pages",
			    100.0 * (double)done / (double)total, done, total);
		else
			ADD("  %" PRIu64 " pages", done);
	}
	if (mig_is_live(m) &&
	    record_num(&m->r, KMIG_A_MIG_EXPECTED_DOWNTIME_NS, &v))
		ADD("  expected downtime %s", fmt_expected(a, sizeof(a), v));
	if (record_num(&m->r, KMIG_A_MIG_THROUGHPUT, &v) &&
	    mig_state(m) == KMIG_MIG_STATE_ACTIVE)
		ADD("  %s", fmt_rate(a, sizeof(a), v));
	if (record_num(&m->r, KMIG_A_MIG_TIME_NS, &v))
		ADD("  %.1f s", v / 1e9);
#undef ADD
}

/* Redraw the progress line on stderr: the migrations not ended yet. */
static void progress(const struct migs *ms, bool one)
{
	char buf[1024], part[256];
	unsigned int w = term_width();
	size_t i, o = 0;

	buf[0] = '\0';
	for (i = 0; i < ms->n && o < sizeof(buf); i++) {
		const struct mig *m = &ms->m[i];

		if (!one && mig_ended(m))
			continue;
		progress_part(part, sizeof(part), m);
		if (one)
			o += snprintf(buf + o, sizeof(buf) - o, "%s", part);
		else
			o += snprintf(buf + o, sizeof(buf) - o, "%sregion %" PRIu64 ": %s",
				      o ? "; " : "",
				      mig_num_or(m, KMIG_A_MIG_REGION_ID, 0), part);
	}
	/* One terminal line: never wrap, or \r would not redraw it. */
	if (strlen(buf) >= w)
		buf[w - 1] = '\0';
	fprintf(stderr, "\r\033[K%s", buf);
	fflush(stderr);
}

static void progress_clear(void)
{
	fputs("\r\033[K", stderr);
	fflush(stderr);
}

/* Regions already told about (the switchover hint is printed once each). */
struct hinted {
	uint64_t *id;
	size_t n, cap;
};

static bool hinted_add(struct hinted *h, uint64_t id)
{
	size_t i;

	for (i = 0; i < h->n; i++)
		if (h->id[i] == id)
			return false;
	if (h->n == h->cap) {
		size_t cap = h->cap ? h->cap * 2 : 8;
		uint64_t *p = realloc(h->id, cap * sizeof(*p));

		if (!p)
			return false;	/* no hint rather than a repeated one */
		h->id = p;
		h->cap = cap;
	}
	h->id[h->n++] = id;
	return true;
}

/*
 * A live source waits for the VMM to switch over: once it reports
 * switchover-ready, say so (once per region) on stderr.
 */
static void switchover_hints(const struct migs *ms, struct hinted *h,
			     bool *drawn)
{
	uint64_t v, id;
	size_t i;

	for (i = 0; i < ms->n; i++) {
		const struct mig *m = &ms->m[i];

		/* not once switched over (COLO goes on after it) */
		if (mig_state(m) != KMIG_MIG_STATE_ACTIVE || !mig_is_live(m) ||
		    !record_num(&m->r, KMIG_A_MIG_SWITCHOVER_READY, &v) || !v)
			continue;
		id = mig_num_or(m, KMIG_A_MIG_REGION_ID, 0);
		if (!hinted_add(h, id))
			continue;
		if (*drawn) {
			progress_clear();
			*drawn = false;
		}
		err_line("switchover ready: pause the guest and run 'migctl switchover --region %" PRIu64 "'",
			 id);
	}
}

/*
 * Poll MIG_GET (of @region, or all when 0) every @interval ms until every
 * migration has ended; @ms holds the last answer. With @hint, tell once
 * per region when a live migration is ready for its switchover. Returns
 * 0, or -1 after reporting an error.
 */
static int watch(struct kmig_nl *nl, uint32_t region, unsigned int interval,
		 struct migs *ms, bool hint)
{
	bool tty = isatty(STDOUT_FILENO) && isatty(STDERR_FILENO);
	struct sigaction sa = { .sa_handler = on_signal }, oint, oterm;
	struct hinted hinted = { 0 };
	bool drawn = false;
	int ret = -1;
	size_t i;

	/* On a terminal, ^C first wipes the progress line. */
	if (tty) {
		sigemptyset(&sa.sa_mask);
		sigaction(SIGINT, &sa, &oint);
		sigaction(SIGTERM, &sa, &oterm);
	}
	for (;;) {
		bool all = true;

		if (mig_get(nl, region, ms) < 0)
			break;
		for (i = 0; i < ms->n; i++)
			if (!mig_ended(&ms->m[i]))
				all = false;
		if (all) {
			ret = 0;
			break;
		}
		if (hint)
			switchover_hints(ms, &hinted, &drawn);
		if (tty && !interrupted) {
			progress(ms, region != 0);
			drawn = true;
		}
		if (!interrupted)
			sleep_ms(interval);
		if (interrupted)
			break;
	}
	free(hinted.id);
	if (drawn)
		progress_clear();
	if (tty) {
		sigaction(SIGINT, &oint, NULL);
		sigaction(SIGTERM, &oterm, NULL);
	}
	if (interrupted) {
		migs_free(ms);
		raise(interrupted);
		return -1;
	}
	return ret;
}

/*
 * Send @cmd for @req, print the reply; with @wait, poll until the
 * migration has ended and print its final status.
 */
int mig_run(const char *what, uint8_t cmd, const struct mig_req *req,
	    bool wait, unsigned int interval)
{
	struct migs ms = { .what = what };
	struct kmig_nl nl;
	int ret = EXIT_ERR;

	if (kmig_nl_open(&nl) < 0)
		return EXIT_ERR;
	if (mig_do(&nl, cmd, req, &ms) < 0)
		goto out;
	if (!wait) {
		if (migs_print(&ms, true) == 0)
			ret = EXIT_OK;
		goto out;
	}
	/*
	 * The port the module picked (listen) is needed before the wait:
	 * text prints the first status at once, JSON only the final one.
	 */
	if (cmd == KMIG_CMD_MIG_LISTEN && !opts.json) {
		if (migs_print(&ms, true) < 0)
			goto out;
		fputc('\n', stdout);
		fflush(stdout);
	}
	if (watch(&nl, req->region, interval, &ms,
		  cmd != KMIG_CMD_MIG_SWITCHOVER) < 0)
		goto out;
	if (migs_print(&ms, true) < 0)
		goto out;
	ret = mig_ended_status(&ms, true);
out:
	migs_free(&ms);
	kmig_nl_close(&nl);
	return ret;
}

int mig_run_auth(const char *what, uint8_t cmd, struct mig_req *req,
		 const char *key_file, bool insecure, bool wait,
		 unsigned int interval)
{
	uint8_t key[KEY_LEN];
	int ret;

	ret = parse_auth(what, key_file, insecure, req, key);
	if (!ret)
		ret = mig_run(what, cmd, req, wait, interval);
	key_wipe(key, sizeof(key));
	return ret;
}

static const char usage_status[] =
"Usage: migctl [-j] status [--region ID] [--watch] [--interval MS]\n"
"\n"
"Show the migration of region ID, or of every region that has one (the\n"
"last migration of a region stays visible after it ended). One block per\n"
"migration, like QEMU's 'info migrate'; lines the module does not report\n"
"are left out:\n"
"  Region ID: ROLE, STATE    source or destination; listening, setup,\n"
"                            active, completed, failed, cancelled, colo,\n"
"                            failover, postcopy-active or postcopy-paused\n"
"  Migration id              16 bytes in hex, carried in every hello\n"
"  Peer / Listening on       destination address and port\n"
"  Channels                  channels, and where zero pages are detected\n"
"  Auth                      hmac-sha256 (channels prove the key) or none\n"
"                            (insecure)\n"
"  Total time                time since start, or until the end (setup:\n"
"                            until every channel was connected)\n"
"  Throughput                wire megabits per second while active\n"
"  Transferred               wire bytes, both ways, of all channels (their\n"
"                            handshakes included) and packets\n"
"  Pages                     pages sent (of the pages to send; live: every\n"
"                            resend counts) or received\n"
"  Zero pages, Normal pages  pages sent as zero / with data, and their size\n"
"  Splice fallbacks          data pages copied instead of spliced (source)\n"
"  Passes                    passes over the region completed\n"
"  Live                      yes, with the downtime limit, bandwidth limit,\n"
"                            pass limit and no-convergence policy\n"
"  COLO                      yes, with the checkpoint interval (primary)\n"
"  Postcopy                  source: allowed, or chosen at the switchover,\n"
"                            with when it is asked for (after N passes, no\n"
"                            pass before it, on request) and the prefetch\n"
"                            window; destination: granted, not begun, or\n"
"                            begun\n"
"  Pass                      live: pass being sent (0: the full first one)\n"
"  Dirty rate                live: pages dirtied per second in the last pass\n"
"  Expected downtime         live: remaining bytes / measured bandwidth\n"
"  Remaining                 live: dirty bytes still to send\n"
"  Dirty syncs               live: dirty bitmap collections\n"
"  Switchover ready          live: yes once switchover-ready was reported\n"
"  Downtime                  live: real downtime, switchover to completion\n"
"  Committed checkpoint      COLO: the last checkpoint committed (the one\n"
"                            a secondary holds)\n"
"  Checkpoints               COLO: checkpoints committed after checkpoint 0\n"
"  Last checkpoint           COLO: pages and wire bytes of the last one\n"
"  COLO cache                COLO secondary: pages held in the COLO cache\n"
"  Postcopy requests         postcopy: page requests sent (destination) or\n"
"                            answered (source), and the pages named\n"
"  Postcopy served           postcopy: pages of the answers on channel 0,\n"
"                            sent (source, prefetch included) or applied\n"
"                            (destination)\n"
"  Postcopy pushed           postcopy: pages of the background push, queued\n"
"                            (source) or applied (destination)\n"
"  Pages missing             postcopy destination: pages still on the\n"
"                            source; (lost) once it failed or was cancelled\n"
"  Postcopy faults           postcopy destination: faults that waited for a\n"
"                            missing page\n"
"  Discarded copies          postcopy destination: copies of a page received\n"
"                            after the first, dropped\n"
"  Fault latency             postcopy destination: from a fault to its page\n"
"                            installed: count, mean, p50, p99, max in ms\n"
"  Rejected connections      channels refused at the hello (destination)\n"
"  Malformed packets         packets that failed validation (destination)\n"
"  Auth failures             channels that failed authentication (a\n"
"                            destination: dropped before a page; a source:\n"
"                            the destination lacks the key)\n"
"  Reason                    why it failed, was cancelled or failed over\n"
"  Latency table             COLO: per checkpoint latency (transfer, flush:\n"
"                            the secondary's; pause: the primary's), the\n"
"                            count, last, mean, p50, p99 and max in ms\n"
"  Channel table             per channel: CPU, pages, zero pages, packets,\n"
"                            bytes\n"
"\n"
"  --region ID     only the migration of region ID\n"
"  --watch         poll until the migration (every migration, without\n"
"                  --region) has completed, failed, been cancelled or\n"
"                  failed over (COLO: state colo goes on), then print the\n"
"                  final status. When stdout and stderr are terminals a\n"
"                  progress line is redrawn on stderr meanwhile: state,\n"
"                  pass (live), percent, pages, expected downtime (live),\n"
"                  throughput, time; in state colo the committed checkpoint\n"
"                  and the last pause. A live migration ready for\n"
"                  its switchover is announced once on stderr: \"migctl:\n"
"                  switchover ready: pause the guest and run 'migctl\n"
"                  switchover --region ID'\"\n"
"  --interval MS   poll period of --watch in milliseconds (default 200)\n"
"\n"
"Exit status with --watch: 0 when every migration completed, 1 when one\n"
"failed or was cancelled, with \"migctl: migration failed: REASON\" (one\n"
"line each; \"REGION: REASON\" without --region) on stderr, or failed\n"
"over, with \"migctl: COLO failover: REASON (last committed checkpoint\n"
"N)\".\n"
"\n"
"JSON: one object (an array of objects without --region) with the keys\n"
"region_id, role, state (names), addr, port, channels,\n"
"zero_page_detection (name), migration_id (hex string), pages_total,\n"
"pages_done, zero_pages, zero_bytes, normal_pages, normal_bytes, packets,\n"
"bytes, splice_fallbacks, setup_ns, time_ns, throughput (wire bytes per\n"
"second), reason, rejected_connections, malformed_packets, passes,\n"
"live (true or false), downtime_limit_ms, max_bandwidth (bytes per\n"
"second, 0: none), max_passes, no_convergence (name), pass, dirty_rate\n"
"(pages per second), expected_downtime_ns (18446744073709551615 while\n"
"unknown), remaining_bytes, downtime_ns, dirty_syncs, switchover_ready\n"
"(0 or 1), colo (true or false), checkpoint_interval_ms, checkpoint,\n"
"checkpoints, ckpt_pages, ckpt_bytes, colo_cache_pages, auth (1: the\n"
"channels authenticate with the key, 0: insecure), auth_failures,\n"
"integrity (true or false), integrity_errors, postcopy (true or false:\n"
"chosen or begun), postcopy_after (4294967295: never by a pass count),\n"
"postcopy_prefetch, postcopy_requests, postcopy_requested_pages,\n"
"postcopy_served_pages, postcopy_pushed_pages, postcopy_missing_pages,\n"
"postcopy_faults, postcopy_discarded_pages, colo_latency: an\n"
"object with one key per metric reported (transfer, flush, pause; a\n"
"metric unknown to migctl as its number), each an object with the keys\n"
"count, last_ns, mean_ns, p50_ns, p99_ns, max_ns, postcopy_latency (a\n"
"postcopy destination's fault latency): one object with the same keys,\n"
"and channel: an array of objects with the keys id, cpu, pages,\n"
"zero_pages, bytes, packets. Keys of attributes the module did not\n"
"report are left out (live, colo, integrity and postcopy are always\n"
"there).\n";

static int cmd_status(int argc, char **argv)
{
	const char *region = NULL, *interval = NULL;
	struct migs ms = { .what = "status" };
	bool watch_flag = false;
	struct opt o[] = {
		OPT_VAL("--region", &region), OPT_FLAG("--watch", &watch_flag),
		OPT_VAL("--interval", &interval),
	};
	struct kmig_nl nl;
	unsigned int period = INTERVAL_DEFAULT;
	uint32_t id = 0;
	int ret;

	ret = parse_opts("status", argc, argv, o, ARRAY_SIZE(o));
	if (ret)
		return ret;
	if (region)
		ret = parse_region("status", region, &id);
	if (!ret)
		ret = parse_interval("status", interval, &period);
	if (ret)
		return ret;

	if (kmig_nl_open(&nl) < 0)
		return EXIT_ERR;
	ret = EXIT_ERR;
	if (watch_flag) {
		if (watch(&nl, id, period, &ms, true) < 0)
			goto out;
	} else if (mig_get(&nl, id, &ms) < 0) {
		goto out;
	}
	if (migs_print(&ms, id != 0) < 0)
		goto out;
	ret = watch_flag ? mig_ended_status(&ms, id != 0) : EXIT_OK;
out:
	migs_free(&ms);
	kmig_nl_close(&nl);
	return ret;
}

SUBCOMMAND(status, "status");
