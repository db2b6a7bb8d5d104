// SPDX-License-Identifier: GPL-2.0
/*
 * The status printer of the migration commands: the "mig" attribute set
 * of every KMIG_CMD_MIG_* reply and event as an "info migrate"-like text
 * block or as one JSON object (see mig-print.h).
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/kmig.h>

#include "mig.h"
#include "mig-print.h"
#include "migctl.h"
#include "output.h"
#include "record.h"

/* ---- text ---- */

char *mig_enum_text(char *buf, size_t len, const struct mig *m, int attr,
		    const struct kmig_enum *e)
{
	const char *name;
	uint64_t v;

	if (!record_num(&m->r, attr, &v)) {
		snprintf(buf, len, "-");
		return buf;
	}
	name = kmig_enum_name(e, v);
	if (name)
		snprintf(buf, len, "%s", name);
	else
		snprintf(buf, len, "unknown(%" PRIu64 ")", v);
	return buf;
}

/* "10.0.0.2:4444", "[::1]:4444", "10.0.0.2", "port 4444"; NULL if neither. */
char *mig_endpoint(char *buf, size_t len, const struct mig *m)
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
char *fmt_ms(char *buf, size_t len, uint64_t ns)
{
	if (ns >= 10000000)
		snprintf(buf, len, "%" PRIu64 " ms", (ns + 500000) / 1000000);
	else
		snprintf(buf, len, "%.3f ms", ns / 1e6);
	return buf;
}

/* An expected downtime: "unknown" while nothing was measured (U64_MAX). */
char *fmt_expected(char *buf, size_t len, uint64_t ns)
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
bool mig_lat_last(const struct mig *m, uint64_t metric, uint64_t *ns)
{
	const struct record *l = lat_of(m, metric);
	uint64_t count;

	return l && record_num(l, KMIG_A_COLO_LATENCY_COUNT, &count) &&
	       count && record_num(l, KMIG_A_COLO_LATENCY_LAST_NS, ns);
}

/* A checkpoint latency: "31.2 ms", "0.450 ms" below a millisecond. */
char *fmt_ms_short(char *buf, size_t len, uint64_t ns)
{
	char a[FMT_BUF];

	snprintf(buf, len, "%s ms",
		 fmt_ms_dec(a, sizeof(a), ns, ns < 1000000 ? 3 : 1));
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
		    mig_enum_text(e, sizeof(e), m, KMIG_A_MIG_NO_CONVERGENCE,
				  &kmig_no_convergence_enum));
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

/* A pause timeout: "600 s", "1500 ms". */
static char *fmt_timeout_ms(char *buf, size_t len, uint64_t ms)
{
	if (ms && !(ms % 1000))
		snprintf(buf, len, "%" PRIu64 " s", ms / 1000);
	else
		snprintf(buf, len, "%" PRIu64 " ms", ms);
	return buf;
}

/*
 * "Postcopy: chosen (after 1 pass, prefetch 16 pages, pause timeout 600 s)"
 * on a source (allowed until the switchover chooses it), "Postcopy: begun
 * (pause timeout 600 s)" or "granted, not begun (...)" on a destination.
 */
static void postcopy_line(FILE *f, const struct mig *m, uint64_t role)
{
	bool chosen = record_has(&m->r, KMIG_A_MIG_POSTCOPY);
	char buf[160], t[FMT_BUF];
	const char *what;
	size_t o = 0;
	uint64_t v, nc;

	buf[0] = '\0';
	if (role == KMIG_MIG_ROLE_DESTINATION) {
		what = chosen ? "begun" : "granted, not begun";
		goto timeout;
	}
	what = chosen ? "chosen" : "allowed";
	if (record_num(&m->r, KMIG_A_MIG_POSTCOPY_AFTER, &v)) {
		/* U32_MAX: never by a pass count (mig-postcopy, the policy) */
		if (v == UINT32_MAX)
			o += snprintf(buf + o, sizeof(buf) - o, "%s",
				      record_num(&m->r, KMIG_A_MIG_NO_CONVERGENCE,
						 &nc) &&
				      nc == KMIG_NO_CONVERGENCE_POSTCOPY ?
				      "at the pass limit or on request" :
				      "on request");
		else if (!v)
			o += snprintf(buf + o, sizeof(buf) - o,
				      "no pass before it");
		else
			o += snprintf(buf + o, sizeof(buf) - o,
				      "after %" PRIu64 " pass%s", v,
				      v == 1 ? "" : "es");
	}
	if (o < sizeof(buf) &&
	    record_num(&m->r, KMIG_A_MIG_POSTCOPY_PREFETCH, &v))
		o += snprintf(buf + o, sizeof(buf) - o, "%sprefetch %" PRIu64
			      " page%s", o ? ", " : "", v, v == 1 ? "" : "s");
timeout:
	if (o < sizeof(buf) &&
	    record_num(&m->r, KMIG_A_MIG_POSTCOPY_PAUSE_TIMEOUT_MS, &v))
		o += snprintf(buf + o, sizeof(buf) - o, "%spause timeout %s",
			      o ? ", " : "", fmt_timeout_ms(t, sizeof(t), v));
	if (o)
		line(f, "Postcopy:", "%s (%s)", what, buf);
	else
		line(f, "Postcopy:", "%s", what);
}

/*
 * The postcopy figures, once it was chosen (source) or began
 * (destination), those reported; missing pages, faults, discarded copies
 * and the fault latency are a destination's. Pages still missing while
 * paused are not lost (yet).
 */
static void postcopy_counters(FILE *f, const struct mig *m)
{
	const struct record *l = mig_postcopy_latency(m);
	char a[4][FMT_BUF];
	uint64_t v, w, st;

	if (!record_has(&m->r, KMIG_A_MIG_POSTCOPY))
		return;
	if (record_num(&m->r, KMIG_A_MIG_POSTCOPY_REQUESTS, &v)) {
		if (record_num(&m->r, KMIG_A_MIG_POSTCOPY_REQUESTED_PAGES, &w))
			line(f, "Postcopy requests:", "%" PRIu64 " (%" PRIu64
			     " page%s)", v, w, w == 1 ? "" : "s");
		else
			line(f, "Postcopy requests:", "%" PRIu64, v);
	}
	if (record_num(&m->r, KMIG_A_MIG_POSTCOPY_SERVED_PAGES, &v))
		line(f, "Postcopy served:", "%" PRIu64 " pages", v);
	if (record_num(&m->r, KMIG_A_MIG_POSTCOPY_PUSHED_PAGES, &v))
		line(f, "Postcopy pushed:", "%" PRIu64 " pages", v);
	/* broken links that paused it (each resumed but for a last one) */
	if (record_num(&m->r, KMIG_A_MIG_POSTCOPY_PAUSES, &v))
		line(f, "Postcopy pauses:", "%" PRIu64, v);
	if (record_num(&m->r, KMIG_A_MIG_POSTCOPY_MISSING_PAGES, &v)) {
		/* pages never received: the guest lost them */
		st = mig_state(m);
		line(f, "Pages missing:", "%" PRIu64 "%s", v,
		     v && (st == KMIG_MIG_STATE_FAILED ||
			   st == KMIG_MIG_STATE_CANCELLED) ? " (lost)" : "");
	}
	if (record_num(&m->r, KMIG_A_MIG_POSTCOPY_FAULTS, &v))
		line(f, "Postcopy faults:", "%" PRIu64, v);
	if (record_num(&m->r, KMIG_A_MIG_POSTCOPY_DISCARDED_PAGES, &v))
		line(f, "Discarded copies:", "%" PRIu64, v);
	/* "count 55, mean 1.250 ms, p50 1.000 ms, p99 4.000 ms, max 5.100 ms" */
	if (!l || !record_num(l, KMIG_A_COLO_LATENCY_COUNT, &v) || !v)
		return;
	for (w = 0; w < 4; w++) {
		static const int attr[] = {
			KMIG_A_COLO_LATENCY_MEAN_NS, KMIG_A_COLO_LATENCY_P50_NS,
			KMIG_A_COLO_LATENCY_P99_NS, KMIG_A_COLO_LATENCY_MAX_NS,
		};
		uint64_t ns;

		if (record_num(l, attr[w], &ns))
			fmt_ms_dec(a[w], sizeof(a[w]), ns, 3);
		else
			strcpy(a[w], "-");
	}
	line(f, "Fault latency:", "count %" PRIu64 ", mean %s ms, p50 %s ms, "
	     "p99 %s ms, max %s ms", v, a[0], a[1], a[2], a[3]);
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
		mig_enum_text(a, sizeof(a), m, KMIG_A_MIG_ROLE, &kmig_mig_role_enum),
		mig_enum_text(b, sizeof(b), m, KMIG_A_MIG_STATE, &kmig_mig_state_enum));

	s = mig_str(m, KMIG_A_MIG_MIGRATION_ID);
	if (s && s[strspn(s, "0")])
		line(f, "Migration id:", "%s", s);
	else if (s)	/* a destination not given one, before its first channel */
		line(f, "Migration id:", "(none yet)");
	if (mig_endpoint(buf, sizeof(buf), m))
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
	if (mig_has_postcopy(m))
		postcopy_line(f, m, role);
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
	postcopy_counters(f, m);
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

/* One latency summary as an object: "count", "last_ns", ... (no metric). */
static void lat_json(struct jw *jw, const struct record *l)
{
	jw_obj_open(jw);
	record_json(jw, mig_lat_fields + 1, mig_nlat_fields - 1, l);
	jw_obj_close(jw);
}

void mig_json(struct jw *jw, const struct mig *m)
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
			lat_json(jw, &m->lat[i]);
		}
		jw_obj_close(jw);
	}
	if (m->npclat) {
		jw_key(jw, "postcopy_latency");
		lat_json(jw, &m->pclat[0]);
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
int migs_print(const struct migs *ms, bool one)
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
