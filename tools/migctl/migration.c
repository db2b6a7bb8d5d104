// SPDX-License-Identifier: GPL-2.0
/*
 * migctl listen:  KMIG_CMD_MIG_LISTEN
 * migctl start:   KMIG_CMD_MIG_START
 * migctl status:  KMIG_CMD_MIG_GET, do (one region) or dump (all)
 * migctl cancel:  KMIG_CMD_MIG_CANCEL
 * migctl switchover: KMIG_CMD_MIG_SWITCHOVER
 * migctl dirty-push: KMIG_CMD_MIG_DIRTY_PUSH
 * migctl checkpoint: KMIG_CMD_COLO_CHECKPOINT
 * migctl colo-paused: KMIG_CMD_COLO_PAUSED
 * migctl monitor: the KMIG_CMD_MIG_EVENT notifications of the "events"
 *                 multicast group, one line (or JSON object) each
 *
 * Every reply is the same "mig" attribute set, printed as an "info
 * migrate"-like block or as one JSON object. --wait (listen, start) and
 * --watch (status) poll MIG_GET until the migration has ended, with a live
 * progress line on a terminal.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include <netlink/genl/genl.h>

#include <linux/kmig.h>

#include "cmdline.h"
#include "mig.h"
#include "migctl.h"
#include "nl.h"
#include "output.h"
#include "record.h"



/* ---- text ---- */

static char *enum_text(char *buf, size_t len, const struct mig *m, int attr,
		       const struct enum_desc *e)
{
	const char *name;
	uint64_t v;

	if (!record_num(&m->r, attr, &v)) {
		snprintf(buf, len, "-");
		return buf;
	}
	name = enum_name(e, v);
	if (name)
		snprintf(buf, len, "%s", name);
	else
		snprintf(buf, len, "unknown(%" PRIu64 ")", v);
	return buf;
}

/* "10.0.0.2:4444", "[::1]:4444", "10.0.0.2", "port 4444"; NULL if neither. */
static char *endpoint(char *buf, size_t len, const struct mig *m)
{
	const char *addr = mig_str(m, KMIG_A_MIG_ADDR);
	char a[128];
	uint64_t port;
	bool have_port = record_num(&m->r, KMIG_A_MIG_PORT, &port);

	if (!addr && !have_port)
		return NULL;
	if (!addr) {
		snprintf(buf, len, "port %" PRIu64, port);
		return buf;
	}
	sanitize(a, sizeof(a), addr);
	if (!have_port)
		snprintf(buf, len, "%s", a);
	else if (strchr(a, ':'))
		snprintf(buf, len, "[%s]:%" PRIu64, a, port);
	else
		snprintf(buf, len, "%s:%" PRIu64, a, port);
	return buf;
}

/* Milliseconds like QEMU's "total time: 1234 ms"; finer below 10 ms. */
static char *fmt_ms(char *buf, size_t len, uint64_t ns)
{
	if (ns >= 10000000)
		snprintf(buf, len, "%" PRIu64 " ms", (ns + 500000) / 1000000);
	else
		snprintf(buf, len, "%.3f ms", ns / 1e6);
	return buf;
}

/* An expected downtime: "unknown" while nothing was measured (U64_MAX). */
static char *fmt_expected(char *buf, size_t len, uint64_t ns)
{
	if (ns == UINT64_MAX)
		snprintf(buf, len, "unknown");
	else
		fmt_ms(buf, len, ns);
	return buf;
}


/* The latency record of @metric in @m, NULL when not reported. */
static const struct record *lat_of(const struct mig *m, uint64_t metric)
{
	uint64_t v;
	size_t i;

	for (i = 0; i < m->nlat; i++)
		if (record_num(&m->lat[i], KMIG_A_COLO_LATENCY_METRIC, &v) &&
		    v == metric)
			return &m->lat[i];
	return NULL;
}

/* The last value of latency @metric; false when none was measured yet. */
static bool lat_last(const struct mig *m, uint64_t metric, uint64_t *ns)
{
	const struct record *l = lat_of(m, metric);
	uint64_t count;

	return l && record_num(l, KMIG_A_COLO_LATENCY_COUNT, &count) &&
	       count && record_num(l, KMIG_A_COLO_LATENCY_LAST_NS, ns);
}

/* A checkpoint latency: "31.2 ms", "0.450 ms" below a millisecond. */
static char *fmt_ms_short(char *buf, size_t len, uint64_t ns)
{
	char a[FMT_BUF];

	snprintf(buf, len, "%s ms",
		 fmt_ms_dec(a, sizeof(a), ns, ns < 1000000 ? 3 : 1));
	return buf;
}

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

static void line(FILE *f, const char *label, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void line(FILE *f, const char *label, const char *fmt, ...)
{
	va_list ap;

	fprintf(f, "  %-22s", label);
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fputc('\n', f);
}

static const char *zero_detect_text(uint64_t v)
{
	switch (v) {
	case KMIG_ZERO_DETECT_NONE:
		return "no zero-page detection";
	case KMIG_ZERO_DETECT_MAIN:
		return "zero pages detected by the dispatcher";
	case KMIG_ZERO_DETECT_CHANNEL:
		return "zero pages detected on channel threads";
	}
	return NULL;
}

/* How the channels authenticate: "hmac-sha256", "none (insecure)". */
static char *auth_text(char *buf, size_t len, uint64_t v)
{
	if (v == 1)
		snprintf(buf, len, "hmac-sha256");
	else if (v == 0)
		snprintf(buf, len, "none (insecure)");
	else
		snprintf(buf, len, "unknown(%" PRIu64 ")", v);
	return buf;
}

/* "N (size)" of a page count with the byte count of attribute @battr. */
static void pages_line(FILE *f, const char *label, const struct mig *m,
		       int attr, int battr)
{
	char h[FMT_BUF];
	uint64_t n, b;

	if (!record_num(&m->r, attr, &n))
		return;
	if (record_num(&m->r, battr, &b))
		line(f, label, "%" PRIu64 " (%s)", n, fmt_size(h, sizeof(h), b));
	else
		line(f, label, "%" PRIu64, n);
}

/* @t indented like the lines above it. */
static int print_table_indented(FILE *f, const struct table *t)
{
	char *text = NULL, *p, *nl;
	size_t len = 0;
	FILE *mem;
	int ret = 0;

	mem = open_memstream(&text, &len);
	if (!mem)
		return -1;
	table_print(t, mem);
	if (fclose(mem)) {
		ret = -1;
		goto out;
	}
	for (p = text; *p; p = nl + 1) {
		nl = strchr(p, '\n');
		if (!nl)
			break;
		fprintf(f, "  %.*s\n", (int)(nl - p), p);
	}
out:
	free(text);
	return ret;
}

static int print_channels(FILE *f, const struct mig *m)
{
	static const char *const headers[] = {
		"Channel", "CPU", "Pages", "Zero", "Packets", "Bytes",
	};
	static const bool right[] = { true, true, true, true, true, true };
	struct table t;
	size_t i;
	int ret = 0;

	if (!m->nch)
		return 0;
	table_init(&t, 6, headers, right);
	for (i = 0; i < m->nch; i++) {
		char c[6][FMT_BUF];
		const char *cells[6] = { c[0], c[1], c[2], c[3], c[4], c[5] };
		uint64_t b;
		int k;

		for (k = 0; k < 4; k++)
			field_format(&mig_chan_fields[k], &m->ch[i], 0, c[k],
				     sizeof(c[k]));
		field_format(&mig_chan_fields[5], &m->ch[i], 0, c[4], sizeof(c[4]));
		if (record_num(&m->ch[i], KMIG_A_MIG_CHANNEL_BYTES, &b))
			fmt_size(c[5], sizeof(c[5]), b);
		else
			strcpy(c[5], "-");
		if (table_add(&t, cells) < 0) {
			ret = -1;
			goto out;
		}
	}
	ret = print_table_indented(f, &t);
out:
	table_free(&t);
	return ret;
}

/*
 * The COLO latencies, one row per metric reported, in milliseconds:
 *   Latency (ms)  Count    Last    Mean     P50     P99     Max
 *   transfer         12  20.100  19.873  19.500  24.000  25.312
 */
static int print_latencies(FILE *f, const struct mig *m)
{
	static const char *const headers[] = {
		"Latency (ms)", "Count", "Last", "Mean", "P50", "P99", "Max",
	};
	static const bool right[] = {
		false, true, true, true, true, true, true,
	};
	struct table t;
	size_t i;
	int k, ret = 0;

	if (!m->nlat)
		return 0;
	table_init(&t, 7, headers, right);
	for (i = 0; i < m->nlat; i++) {
		const struct record *l = &m->lat[i];
		char c[7][FMT_BUF];
		const char *cells[7] = {
			c[0], c[1], c[2], c[3], c[4], c[5], c[6],
		};
		uint64_t v;

		field_format(&mig_lat_fields[0], l, 0, c[0], sizeof(c[0]));
		field_format(&mig_lat_fields[1], l, 0, c[1], sizeof(c[1]));
		for (k = 2; k < 7; k++) {
			if (record_num(l, mig_lat_fields[k].attr, &v))
				fmt_ms_dec(c[k], sizeof(c[k]), v, 3);
			else
				strcpy(c[k], "-");
		}
		if (table_add(&t, cells) < 0) {
			ret = -1;
			goto out;
		}
	}
	ret = print_table_indented(f, &t);
out:
	table_free(&t);
	return ret;
}

/* "Live: yes (downtime limit 300 ms, max bandwidth 100.0 MiB/s, ...)" */
static void live_line(FILE *f, const struct mig *m)
{
	char buf[256], h[FMT_BUF], e[FMT_BUF];
	size_t o = 0;
	uint64_t v, passes = 0;

#define ADD(...) \
	do { \
		if (o < sizeof(buf)) \
			o += snprintf(buf + o, sizeof(buf) - o, __VA_ARGS__); \
	} while (0)
	buf[0] = '\0';
	if (record_num(&m->r, KMIG_A_MIG_DOWNTIME_LIMIT_MS, &v))
		ADD("%sdowntime limit %" PRIu64 " ms", o ? ", " : "", v);
	if (record_num(&m->r, KMIG_A_MIG_MAX_BANDWIDTH, &v)) {
		if (v)
			ADD("%smax bandwidth %s/s", o ? ", " : "",
			    fmt_size(h, sizeof(h), v));
		else
			ADD("%sno bandwidth limit", o ? ", " : "");
	}
	if (record_num(&m->r, KMIG_A_MIG_MAX_PASSES, &passes)) {
		if (passes)
			ADD("%smax passes %" PRIu64, o ? ", " : "", passes);
		else
			ADD("%sno pass limit", o ? ", " : "");
	}
	if (passes && record_num(&m->r, KMIG_A_MIG_NO_CONVERGENCE, &v))
		ADD("%sno-convergence %s", o ? ", " : "",
		    enum_text(e, sizeof(e), m, KMIG_A_MIG_NO_CONVERGENCE,
			      &no_convergence_enum));
#undef ADD
	if (o)
		line(f, "Live:", "yes (%s)", buf);
	else
		line(f, "Live:", "yes");
}

/* The precopy figures of a live migration, those reported. */
static void live_counters(FILE *f, const struct mig *m)
{
	char a[FMT_BUF];
	uint64_t v;

	if (record_num(&m->r, KMIG_A_MIG_PASS, &v))
		line(f, "Pass:", "%" PRIu64, v);
	if (record_num(&m->r, KMIG_A_MIG_DIRTY_RATE, &v))
		line(f, "Dirty rate:", "%" PRIu64 " pages/s", v);
	if (record_num(&m->r, KMIG_A_MIG_EXPECTED_DOWNTIME_NS, &v))
		line(f, "Expected downtime:", "%s", fmt_expected(a, sizeof(a), v));
	if (record_num(&m->r, KMIG_A_MIG_REMAINING_BYTES, &v))
		line(f, "Remaining:", "%s", fmt_size(a, sizeof(a), v));
	if (record_num(&m->r, KMIG_A_MIG_DIRTY_SYNCS, &v))
		line(f, "Dirty syncs:", "%" PRIu64, v);
	if (record_num(&m->r, KMIG_A_MIG_SWITCHOVER_READY, &v))
		line(f, "Switchover ready:", "%s", v ? "yes" : "no");
	/* 0 until the switchover has completed */
	if (record_num(&m->r, KMIG_A_MIG_DOWNTIME_NS, &v) && v)
		line(f, "Downtime:", "%s", fmt_ms(a, sizeof(a), v));
}

/* "COLO: yes (checkpoint interval 1000 ms)" */
static void colo_line(FILE *f, const struct mig *m)
{
	uint64_t v;

	if (record_num(&m->r, KMIG_A_MIG_CHECKPOINT_INTERVAL_MS, &v))
		line(f, "COLO:", "yes (checkpoint interval %" PRIu64 " ms)", v);
	else
		line(f, "COLO:", "yes");
}

/* The COLO figures, those reported. */
static void colo_counters(FILE *f, const struct mig *m)
{
	char a[FMT_BUF];
	uint64_t v, w, ps;

	if (record_num(&m->r, KMIG_A_MIG_CHECKPOINT, &v))
		line(f, "Committed checkpoint:", "%" PRIu64, v);
	if (record_num(&m->r, KMIG_A_MIG_CHECKPOINTS, &v))
		line(f, "Checkpoints:", "%" PRIu64, v);
	if (record_num(&m->r, KMIG_A_MIG_CKPT_PAGES, &v)) {
		if (record_num(&m->r, KMIG_A_MIG_CKPT_BYTES, &w))
			line(f, "Last checkpoint:", "%" PRIu64 " pages, %s", v,
			     fmt_size(a, sizeof(a), w));
		else
			line(f, "Last checkpoint:", "%" PRIu64 " pages", v);
	} else if (record_num(&m->r, KMIG_A_MIG_CKPT_BYTES, &w)) {
		line(f, "Last checkpoint:", "%s", fmt_size(a, sizeof(a), w));
	}
	if (record_num(&m->r, KMIG_A_MIG_COLO_CACHE_PAGES, &v)) {
		ps = kmig_page_size();
		if (v <= UINT64_MAX / ps)
			line(f, "COLO cache:", "%" PRIu64 " pages (%s)", v,
			     fmt_size(a, sizeof(a), v * ps));
		else
			line(f, "COLO cache:", "%" PRIu64 " pages", v);
	}
}

static int print_block(FILE *f, const struct mig *m)
{
	char a[FMT_BUF], b[FMT_BUF], buf[256];
	uint64_t v, w, role;
	const char *s;

	role = mig_num_or(m, KMIG_A_MIG_ROLE, KMIG_MIG_ROLE_NONE);
	fprintf(f, "Region %s: ",
		field_format(&mig_fields[0], &m->r, 0, a, sizeof(a)));
	if (role == KMIG_MIG_ROLE_NONE && mig_state(m) == KMIG_MIG_STATE_NONE) {
		fprintf(f, "no migration\n");
		return 0;
	}
	fprintf(f, "%s, %s\n",
		enum_text(a, sizeof(a), m, KMIG_A_MIG_ROLE, &mig_role_enum),
		enum_text(b, sizeof(b), m, KMIG_A_MIG_STATE, &mig_state_enum));

	s = mig_str(m, KMIG_A_MIG_MIGRATION_ID);
	if (s && s[strspn(s, "0")])
		line(f, "Migration id:", "%s", s);
	else if (s)	/* a destination not given one, before its first channel */
		line(f, "Migration id:", "(none yet)");
	if (endpoint(buf, sizeof(buf), m))
		line(f, role == KMIG_MIG_ROLE_DESTINATION ? "Listening on:" :
		     "Peer:", "%s", buf);
	if (record_num(&m->r, KMIG_A_MIG_CHANNELS, &v)) {
		s = NULL;
		if (record_num(&m->r, KMIG_A_MIG_ZERO_PAGE_DETECTION, &w))
			s = zero_detect_text(w);
		if (s)
			line(f, "Channels:", "%" PRIu64 " (%s)", v, s);
		else
			line(f, "Channels:", "%" PRIu64, v);
	}
	if (record_num(&m->r, KMIG_A_MIG_AUTH, &v))
		line(f, "Auth:", "%s", auth_text(a, sizeof(a), v));
	if (record_has(&m->r, KMIG_A_MIG_INTEGRITY))
		line(f, "Integrity:", "crc32c");
	if (mig_is_live(m))
		live_line(f, m);
	if (mig_is_colo(m))
		colo_line(f, m);
	if (record_num(&m->r, KMIG_A_MIG_TIME_NS, &v)) {
		if (record_num(&m->r, KMIG_A_MIG_SETUP_NS, &w))
			line(f, "Total time:", "%s (setup %s)",
			     fmt_ms(a, sizeof(a), v), fmt_ms(b, sizeof(b), w));
		else
			line(f, "Total time:", "%s", fmt_ms(a, sizeof(a), v));
	}
	if (record_num(&m->r, KMIG_A_MIG_THROUGHPUT, &v))
		line(f, "Throughput:", "%.2f mbps", (double)v * 8 / 1e6);
	if (record_num(&m->r, KMIG_A_MIG_BYTES, &v)) {
		if (record_num(&m->r, KMIG_A_MIG_PACKETS, &w))
			line(f, "Transferred:", "%s in %" PRIu64 " packets",
			     fmt_size(a, sizeof(a), v), w);
		else
			line(f, "Transferred:", "%s", fmt_size(a, sizeof(a), v));
	} else if (record_num(&m->r, KMIG_A_MIG_PACKETS, &w)) {
		line(f, "Transferred:", "%" PRIu64 " packets", w);
	}
	/* pages-total is the source's; a destination reports 0 */
	if (!record_num(&m->r, KMIG_A_MIG_PAGES_TOTAL, &w))
		w = 0;
	if (record_num(&m->r, KMIG_A_MIG_PAGES_DONE, &v)) {
		/*
		 * A live source sends a page again each time it is written:
		 * a share of the populated pages means nothing after pass 0.
		 */
		if (w && mig_is_live(m))
			line(f, "Pages:", "%" PRIu64 " sent (%" PRIu64
			     " populated at the start)", v, w);
		else if (w)
			line(f, "Pages:", "%" PRIu64 " of %" PRIu64 " (%.1f%%)",
			     v, w, 100.0 * (double)v / (double)w);
		else
			line(f, "Pages:", "%" PRIu64, v);
	} else if (w) {
		line(f, "Pages:", "? of %" PRIu64, w);
	}
	pages_line(f, "Zero pages:", m, KMIG_A_MIG_ZERO_PAGES,
		   KMIG_A_MIG_ZERO_BYTES);
	pages_line(f, "Normal pages:", m, KMIG_A_MIG_NORMAL_PAGES,
		   KMIG_A_MIG_NORMAL_BYTES);
	/* Counters of one side only: the other side's are always 0. */
	if (role != KMIG_MIG_ROLE_DESTINATION &&
	    record_num(&m->r, KMIG_A_MIG_SPLICE_FALLBACKS, &v))
		line(f, "Splice fallbacks:", "%" PRIu64, v);
	if (record_num(&m->r, KMIG_A_MIG_PASSES, &v))
		line(f, "Passes:", "%" PRIu64, v);
	live_counters(f, m);
	colo_counters(f, m);
	if (role != KMIG_MIG_ROLE_SOURCE &&
	    record_num(&m->r, KMIG_A_MIG_REJECTED_CONNECTIONS, &v))
		line(f, "Rejected connections:", "%" PRIu64, v);
	if (role != KMIG_MIG_ROLE_SOURCE &&
	    record_num(&m->r, KMIG_A_MIG_MALFORMED_PACKETS, &v))
		line(f, "Malformed packets:", "%" PRIu64, v);
	if (record_num(&m->r, KMIG_A_MIG_AUTH_FAILURES, &v))
		line(f, "Auth failures:", "%" PRIu64, v);
	if (record_num(&m->r, KMIG_A_MIG_INTEGRITY_ERRORS, &v) && v)
		line(f, "Integrity errors:", "%" PRIu64, v);
	s = mig_str(m, KMIG_A_MIG_REASON);
	if (s && *s)
		line(f, "Reason:", "%s", sanitize(buf, sizeof(buf), s));
	if (print_latencies(f, m) < 0)
		return -1;
	return print_channels(f, m);
}

/* ---- JSON ---- */

static void mig_json(struct jw *jw, const struct mig *m)
{
	uint64_t v;
	size_t i;

	jw_obj_open(jw);
	record_json(jw, mig_fields, mig_nfields, &m->r);
	if (m->nlat) {
		jw_key(jw, "colo_latency");
		jw_obj_open(jw);
		for (i = 0; i < m->nlat; i++) {
			char key[32];

			/* "transfer": {...}; a metric newer than migctl: "7" */
			field_format(&mig_lat_fields[0], &m->lat[i], 0, key,
				     sizeof(key));
			if (!strncmp(key, "unknown(", 8) &&
			    record_num(&m->lat[i], KMIG_A_COLO_LATENCY_METRIC,
				       &v))
				snprintf(key, sizeof(key), "%" PRIu64, v);
			jw_key(jw, key);
			jw_obj_open(jw);
			record_json(jw, mig_lat_fields + 1, mig_nlat_fields - 1,
				    &m->lat[i]);
			jw_obj_close(jw);
		}
		jw_obj_close(jw);
	}
	if (m->nch) {
		jw_key(jw, "channel");
		jw_arr_open(jw);
		for (i = 0; i < m->nch; i++) {
			jw_obj_open(jw);
			record_json(jw, mig_chan_fields, mig_nchan_fields, &m->ch[i]);
			jw_obj_close(jw);
		}
		jw_arr_close(jw);
	}
	jw_obj_close(jw);
}

/* The replies: one block/object (@one), or a list/array. */
static int print_migs(const struct migs *ms, bool one)
{
	size_t i;

	if (opts.json) {
		struct jw jw;

		jw_init(&jw, stdout, opts.pretty);
		if (!one)
			jw_arr_open(&jw);
		for (i = 0; i < ms->n; i++)
			mig_json(&jw, &ms->m[i]);
		if (!one)
			jw_arr_close(&jw);
		jw_finish(&jw);
		return 0;
	}
	for (i = 0; i < ms->n; i++) {
		if (i)
			fputc('\n', stdout);
		if (print_block(stdout, &ms->m[i]) < 0) {
			err_line("%s: out of memory", ms->what);
			return -1;
		}
	}
	return 0;
}


/* ---- --wait / --watch ---- */

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
		     enum_text(a, sizeof(a), m, KMIG_A_MIG_STATE,
			       &mig_state_enum));
#define ADD(...) \
	do { \
		if (o < len) \
			o += snprintf(buf + o, len - o, __VA_ARGS__); \
	} while (0)
	if (mig_state(m) == KMIG_MIG_STATE_LISTENING &&
	    endpoint(ep, sizeof(ep), m))
		ADD(" on %s", ep);
	/* "colo  checkpoint 12  last pause 31.2 ms  75.3 s" */
	if (mig_state(m) == KMIG_MIG_STATE_COLO) {
		if (record_num(&m->r, KMIG_A_MIG_CHECKPOINT, &v))
			ADD("  checkpoint %" PRIu64, v);
		if (lat_last(m, KMIG_COLO_METRIC_PAUSE, &v))
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
static int run_cmd(const char *what, uint8_t cmd, const struct mig_req *req,
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
		if (print_migs(&ms, true) == 0)
			ret = EXIT_OK;
		goto out;
	}
	/*
	 * The port the module picked (listen) is needed before the wait:
	 * text prints the first status at once, JSON only the final one.
	 */
	if (cmd == KMIG_CMD_MIG_LISTEN && !opts.json) {
		if (print_migs(&ms, true) < 0)
			goto out;
		fputc('\n', stdout);
		fflush(stdout);
	}
	if (watch(&nl, req->region, interval, &ms,
		  cmd != KMIG_CMD_MIG_SWITCHOVER) < 0)
		goto out;
	if (print_migs(&ms, true) < 0)
		goto out;
	ret = mig_ended_status(&ms, true);
out:
	migs_free(&ms);
	kmig_nl_close(&nl);
	return ret;
}

int cmd_listen(int argc, char **argv)
{
	const char *region = NULL, *addr = NULL, *port = NULL, *chans = NULL;
	const char *id = NULL, *interval = NULL, *key_file = NULL;
	bool wait = false, colo = false, insecure = false, integrity = false;
	struct opt o[] = {
		OPT_VAL("--region", &region), OPT_VAL("--addr", &addr),
		OPT_VAL("--port", &port), OPT_VAL("--channels", &chans), OPT_VAL("--id", &id),
		OPT_FLAG("--wait", &wait), OPT_VAL("--interval", &interval),
		OPT_FLAG("--colo", &colo), OPT_VAL("--key-file", &key_file),
		OPT_FLAG("--insecure", &insecure),
		OPT_FLAG("--integrity", &integrity),
	};
	struct mig_req req = { .zero_detect = -1, .no_convergence = -1 };
	uint8_t key[KEY_LEN];
	char abuf[64];
	unsigned int ms = INTERVAL_DEFAULT;
	uint32_t p;
	int ret;

	ret = parse_opts("listen", argc, argv, o, ARRAY_SIZE(o));
	if (ret)
		return ret;
	if (!region)
		return usage_err("listen", "missing --region ID (try 'migctl listen --help')");
	ret = parse_region("listen", region, &req.region);
	if (!ret && addr) {
		ret = parse_addr("listen", addr, abuf, sizeof(abuf));
		req.addr = abuf;
	}
	if (!ret && chans)
		ret = parse_channels_arg("listen", chans, &req.channels);
	if (!ret && id)
		ret = parse_id("listen", id, req.id);
	if (!ret)
		ret = parse_interval("listen", interval, &ms);
	if (ret)
		return ret;
	if (port) {
		if (!parse_u32(port, 0, 65535, &p))
			return usage_err("listen", "invalid port '%s' (expected a number 0..65535)",
					 port);
		req.have_port = true;
		req.port = (uint16_t)p;
	}
	req.have_id = id != NULL;
	req.colo = colo;
	req.integrity = integrity;
	ret = parse_auth("listen", key_file, insecure, &req, key);
	if (!ret)
		ret = run_cmd("listen", KMIG_CMD_MIG_LISTEN, &req, wait, ms);
	key_wipe(key, sizeof(key));
	return ret;
}

int cmd_start(int argc, char **argv)
{
	const char *region = NULL, *to = NULL, *chans = NULL, *zd = NULL;
	const char *id = NULL, *interval = NULL, *limit = NULL, *bw = NULL;
	const char *passes = NULL, *nc = NULL, *ckpt = NULL, *key_file = NULL;
	bool wait = false, live = false, colo = false, insecure = false;
	bool integrity = false;
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
	};
	struct mig_req req = {
		.zero_detect = -1, .have_port = true, .no_convergence = -1,
	};
	uint8_t key[KEY_LEN];
	char host[64], list[64];
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
				 colo ? "--colo" : NULL;

		if (no)
			return usage_err("start", "%s requires --live", no);
	}
	ret = parse_region("start", region, &req.region);
	if (!ret)
		ret = parse_to("start", to, host, sizeof(host), &req.port);
	if (!ret && chans)
		ret = parse_channels_arg("start", chans, &req.channels);
	if (!ret && id)
		ret = parse_id("start", id, req.id);
	if (!ret)
		ret = parse_interval("start", interval, &ms);
	if (ret)
		return ret;
	if (zd) {
		req.zero_detect = enum_parse(&zero_detect_enum, zd);
		if (req.zero_detect < 0)
			return usage_err("start", "invalid zero-page detection '%s' (valid: %s)",
					 zd, enum_list(&zero_detect_enum, list,
						       sizeof(list)));
	}
	req.live = live;
	if (limit && !parse_u32(limit, 1, DOWNTIME_LIMIT_MAX, &req.downtime_limit))
		return usage_err("start", "invalid downtime limit '%s' (expected milliseconds 1..%u)",
				 limit, DOWNTIME_LIMIT_MAX);
	if (bw) {
		ret = parse_rate("start", bw, &req.max_bandwidth);
		if (ret)
			return ret;
		req.have_bandwidth = true;
	}
	if (passes) {
		if (!parse_u32(passes, 0, UINT32_MAX, &req.max_passes))
			return usage_err("start", "invalid pass count '%s' (expected a number 0..%u)",
					 passes, UINT32_MAX);
		req.have_max_passes = true;
	}
	if (nc) {
		req.no_convergence = enum_parse(&no_convergence_enum, nc);
		if (req.no_convergence < 0)
			return usage_err("start", "invalid no-convergence policy '%s' (valid: %s)",
					 nc, enum_list(&no_convergence_enum, list,
						       sizeof(list)));
	}
	req.colo = colo;
	if (ckpt && !parse_u32(ckpt, CKPT_INTERVAL_MIN, CKPT_INTERVAL_MAX,
			       &req.checkpoint_interval))
		return usage_err("start", "invalid checkpoint interval '%s' (expected milliseconds %u..%u)",
				 ckpt, CKPT_INTERVAL_MIN, CKPT_INTERVAL_MAX);
	req.addr = host;
	req.have_id = id != NULL;
	req.integrity = integrity;
	ret = parse_auth("start", key_file, insecure, &req, key);
	if (!ret)
		ret = run_cmd("start", KMIG_CMD_MIG_START, &req, wait, ms);
	key_wipe(key, sizeof(key));
	return ret;
}

int cmd_status(int argc, char **argv)
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
	if (print_migs(&ms, id != 0) < 0)
		goto out;
	ret = watch_flag ? mig_ended_status(&ms, id != 0) : EXIT_OK;
out:
	migs_free(&ms);
	kmig_nl_close(&nl);
	return ret;
}

int cmd_cancel(int argc, char **argv)
{
	const char *region = NULL;
	struct opt o[] = { OPT_VAL("--region", &region) };
	struct mig_req req = { .zero_detect = -1, .no_convergence = -1 };
	int ret;

	ret = parse_opts("cancel", argc, argv, o, ARRAY_SIZE(o));
	if (ret)
		return ret;
	if (!region)
		return usage_err("cancel", "missing --region ID (try 'migctl cancel --help')");
	ret = parse_region("cancel", region, &req.region);
	if (ret)
		return ret;
	return run_cmd("cancel", KMIG_CMD_MIG_CANCEL, &req, false, 0);
}

int cmd_switchover(int argc, char **argv)
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

	ret = parse_opts("switchover", argc, argv, o, ARRAY_SIZE(o));
	if (ret)
		return ret;
	if (!region)
		return usage_err("switchover", "missing --region ID (try 'migctl switchover --help')");
	ret = parse_region("switchover", region, &req.region);
	if (!ret)
		ret = parse_interval("switchover", interval, &ms);
	if (ret)
		return ret;
	return run_cmd("switchover", KMIG_CMD_MIG_SWITCHOVER, &req, wait, ms);
}

/* ---- COLO ---- */

int cmd_checkpoint(int argc, char **argv)
{
	const char *region = NULL;
	struct opt o[] = { OPT_VAL("--region", &region) };
	struct mig_req req = { .zero_detect = -1, .no_convergence = -1 };
	int ret;

	ret = parse_opts("checkpoint", argc, argv, o, ARRAY_SIZE(o));
	if (ret)
		return ret;
	if (!region)
		return usage_err("checkpoint", "missing --region ID (try 'migctl checkpoint --help')");
	ret = parse_region("checkpoint", region, &req.region);
	if (ret)
		return ret;
	return run_cmd("checkpoint", KMIG_CMD_COLO_CHECKPOINT, &req, false, 0);
}

/*
 * What a VMM sends once its vCPUs are paused for checkpoint N (announced
 * by checkpoint-pause); answered by an ack only.
 */
int cmd_colo_paused(int argc, char **argv)
{
	const char *region = NULL, *ckpt = NULL;
	struct opt o[] = {
		OPT_VAL("--region", &region), OPT_VAL("--checkpoint", &ckpt),
	};
	struct kmig_nl_err err;
	struct kmig_nl nl;
	struct nl_msg *msg;
	uint64_t n;
	uint32_t id;
	int ret;

	ret = parse_opts("colo-paused", argc, argv, o, ARRAY_SIZE(o));
	if (ret)
		return ret;
	if (!region)
		return usage_err("colo-paused", "missing --region ID (try 'migctl colo-paused --help')");
	ret = parse_region("colo-paused", region, &id);
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
	if (!msg ||
	    nla_put_u32(msg, KMIG_A_MIG_REGION_ID, id) < 0 ||
	    nla_put_u64(msg, KMIG_A_MIG_CHECKPOINT, n) < 0) {
		nlmsg_free(msg);
		err_line("colo-paused: out of memory");
		goto out;
	}
	if (kmig_nl_do(&nl, msg, KMIG_A_MIG_MAX, NULL, NULL, &err) < 0) {
		mig_report("colo-paused", &err, KMIG_CMD_COLO_PAUSED, id);
		goto out;
	}
	if (opts.json)
		printf("{\"region\":%u,\"checkpoint\":%llu}\n", id,
		       (unsigned long long)n);
	ret = EXIT_OK;
out:
	kmig_nl_close(&nl);
	return ret;
}

/* ---- dirty-push ---- */

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
int cmd_dirty_push(int argc, char **argv)
{
	const char *region = NULL, *pages = NULL;
	struct opt o[] = {
		OPT_VAL("--region", &region), OPT_VAL("--pages", &pages),
	};
	static uint64_t r[256][2];
	uint64_t words[PUSH_WORDS], lo, hi, first, p, count = 0;
	struct kmig_nl_err err;
	struct kmig_nl nl;
	struct nl_msg *msg;
	uint32_t id;
	int n, ret;

	ret = parse_opts("dirty-push", argc, argv, o, ARRAY_SIZE(o));
	if (ret)
		return ret;
	if (!region)
		return usage_err("dirty-push", "missing --region ID (try 'migctl dirty-push --help')");
	ret = parse_region("dirty-push", region, &id);
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
		if (!msg ||
		    nla_put_u32(msg, KMIG_A_MIG_REGION_ID, id) < 0 ||
		    nla_put_u64(msg, KMIG_A_MIG_DIRTY_FIRST, first) < 0 ||
		    nla_put(msg, KMIG_A_MIG_DIRTY_BITMAP,
			    (int)(((hi - first) / 64 + 1 < PUSH_WORDS ?
				   (hi - first) / 64 + 1 : PUSH_WORDS) *
				  sizeof(words[0])), words) < 0) {
			nlmsg_free(msg);
			err_line("dirty-push: out of memory");
			goto out;
		}
		if (kmig_nl_do(&nl, msg, KMIG_A_MIG_MAX, NULL, NULL, &err) < 0) {
			mig_report("dirty-push", &err, KMIG_CMD_MIG_DIRTY_PUSH, id);
			goto out;
		}
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

/* ---- monitor ---- */

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
		ADD(" %s", enum_text(a, sizeof(a), m, KMIG_A_MIG_ROLE,
				     &mig_role_enum));
	ev = mig_num_or(m, KMIG_A_MIG_EVENT, KMIG_MIG_EVENT_STATE);
	switch (ev) {
	case KMIG_MIG_EVENT_STATE:
		ADD(" %s", enum_text(a, sizeof(a), m, KMIG_A_MIG_STATE,
				     &mig_state_enum));
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
		ADD(" %s", enum_name(&mig_event_enum, ev));
		reason = mig_str(m, KMIG_A_MIG_REASON);
		if (reason && *reason)
			ADD(": %s", sanitize(r, sizeof(r), reason));
		break;
	case KMIG_MIG_EVENT_CHECKPOINT_PAUSE:
	case KMIG_MIG_EVENT_CHECKPOINT_DONE:
		ADD(" %s", enum_name(&mig_event_enum, ev));
		if (record_num(&m->r, KMIG_A_MIG_CHECKPOINT, &v))
			ADD(" %" PRIu64, v);
		if (ev == KMIG_MIG_EVENT_CHECKPOINT_PAUSE)
			break;
		if (record_num(&m->r, KMIG_A_MIG_CKPT_PAGES, &v))
			PART("%" PRIu64 " pages", v);
		if (record_num(&m->r, KMIG_A_MIG_CKPT_BYTES, &v))
			PART("%s", fmt_size(a, sizeof(a), v));
		if (lat_last(m, KMIG_COLO_METRIC_PAUSE, &v)) {
			/* primary: its pause, made of the secondary's times */
			int n = 0;

			PART("pause %s", fmt_ms_short(a, sizeof(a), v));
			if (lat_last(m, KMIG_COLO_METRIC_TRANSFER, &v))
				ADD("%stransfer %s", n++ ? ", " : " (",
				    fmt_ms_short(a, sizeof(a), v));
			if (lat_last(m, KMIG_COLO_METRIC_FLUSH, &v))
				ADD("%sflush %s", n++ ? ", " : " (",
				    fmt_ms_short(a, sizeof(a), v));
			if (n)
				ADD(")");
			break;
		}
		if (lat_last(m, KMIG_COLO_METRIC_TRANSFER, &v))
			PART("transfer %s", fmt_ms_short(a, sizeof(a), v));
		if (lat_last(m, KMIG_COLO_METRIC_FLUSH, &v))
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

int cmd_monitor(int argc, char **argv)
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
