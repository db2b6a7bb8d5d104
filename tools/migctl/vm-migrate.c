// SPDX-License-Identifier: GPL-2.0
/*
 * migctl vm migrate: move a running QEMU VM to a host where 'migctl vm
 * listen' waits, kmig moving the guest RAM and QEMU the device state.
 *
 * The order (QEMU's pause-before-switchover flow):
 *   1. kmig migrates every region live (precopy, dirty tracking) until
 *      each is ready for its switchover; the guest runs throughout.
 *   2. QEMU's own migration starts (x-ignore-shared: the shared RAM on
 *      kmig is skipped), QEMU sends what little non-shared RAM it has
 *      (ROMs), stops the guest and waits in 'pre-switchover'.
 *   3. kmig switches over every region: the pages still dirty go out.
 *   4. migrate-continue: QEMU sends the device state; the destination
 *      runs the guest and (return path) tells the source so.
 * QEMU measures the downtime itself, from its stop to the destination's
 * start: kmig's final pass is inside it, and kmig reports its own part.
 * A failure before step 4 cancels QEMU's migration, which resumes the
 * guest on the source; a failure in step 4 does the same (kmig's copy
 * is complete, the source RAM untouched), so the guest always runs on
 * exactly one host.
 *
 * With --postcopy, step 3 ends as soon as kmig is postcopy-active on every
 * region: QEMU sends the device state, the destination runs the guest,
 * and its accesses to pages still on the source wait for them (kmig's
 * fault handler fetches them); the command then waits for kmig to bring
 * the rest. A failure in step 4 still resumes the guest here (the
 * destination's guest never ran); a failure after it loses the guest.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/kmig.h>

#include "cmdline.h"
#include "mig.h"
#include "migctl.h"
#include "output.h"
#include "vm.h"

#define PORTS_MAX	64
#define POLL_SWITCHOVER_MS	5
#define QEMU_CANCEL_MS	30000
/* How long to wait for QEMU to fill in a completed migration's times. */
#define QEMU_TIMES_MS	2000

struct vmig {
	struct vm vm;
	char host[64];
	uint16_t port[PORTS_MAX];
	uint16_t devport;
	struct mig_req req;		/* the request of every region */
	uint8_t key[KEY_LEN];
	struct migs *ms;		/* the last MIG_GET of each region */
	char err[512];			/* why a kmig request failed */
	int started;			/* regions with a kmig migration */
	bool qemu_migrating;		/* QEMU's migrate was sent */
	bool was_running;		/* the guest ran at the start */
	double stop_ts;			/* QEMU's STOP event, 0: none */
	long long t0;
	unsigned int interval;
	bool tty, drawn;
	uint64_t last_pass;
};

/* ---- kmig ---- */

static int kmig_start_all(struct vmig *v)
{
	uint8_t key[KEY_LEN];
	int i;

	for (i = 0; i < v->vm.nreg; i++) {
		struct mig_req req = v->req;
		char what[64];

		req.region = v->vm.reg[i].id;
		req.port = v->port[i];
		if (v->req.key) {
			memcpy(key, v->key, KEY_LEN);
			req.key = key;	/* mig_do() wipes it once sent */
		}
		snprintf(what, sizeof(what), "vm migrate: region %u", req.region);
		v->ms[i].what = strdup(what);
		v->ms[i].err = v->err;
		v->ms[i].errlen = sizeof(v->err);
		if (!v->ms[i].what || mig_do(&v->vm.nl, KMIG_CMD_MIG_START, &req,
					     &v->ms[i]) < 0) {
			key_wipe(key, sizeof(key));
			return -1;
		}
		v->started++;
	}
	return 0;
}

/* What kmig_poll() waits for on every region. */
enum kmig_until {
	KMIG_UNTIL_READY,	/* switchover-ready */
	KMIG_UNTIL_SWITCHED,	/* completed, or postcopy-active */
	KMIG_UNTIL_COMPLETED,
};

/*
 * MIG_GET every started region. Returns 1 when every region is where
 * @until says, 0 when not yet, -1 when one has failed or ended otherwise
 * (its index in *@bad).
 */
static int kmig_poll(struct vmig *v, enum kmig_until until, int *bad)
{
	bool completed = until != KMIG_UNTIL_READY;
	int i, ready = 1;

	for (i = 0; i < v->started; i++) {
		const struct mig *m;
		uint64_t st;

		if (mig_get(&v->vm.nl, v->vm.reg[i].id, &v->ms[i]) < 0) {
			*bad = i;
			return -1;
		}
		m = &v->ms[i].m[0];
		st = mig_state(m);
		if (st == KMIG_MIG_STATE_COMPLETED && completed)
			continue;
		if (st == KMIG_MIG_STATE_POSTCOPY_ACTIVE &&
		    until == KMIG_UNTIL_SWITCHED)
			continue;
		if (mig_ended(m)) {
			*bad = i;
			return -1;
		}
		if (completed || !mig_num_or(m, KMIG_A_MIG_SWITCHOVER_READY, 0))
			ready = 0;
	}
	return ready;
}

static void kmig_cancel_all(struct vmig *v)
{
	vm_cancel_regions(&v->vm, v->ms, v->started);
}

static const char *kmig_reason(struct vmig *v, int i)
{
	return vm_region_reason(&v->ms[i], v->err);
}

static int kmig_switchover_all(struct vmig *v)
{
	struct mig_req req = { .zero_detect = -1, .no_convergence = -1 };
	struct migs ms = {
		.what = "vm migrate: switchover", .err = v->err,
		.errlen = sizeof(v->err),
	};
	int i;

	for (i = 0; i < v->started; i++) {
		req.region = v->vm.reg[i].id;
		if (mig_do(&v->vm.nl, KMIG_CMD_MIG_SWITCHOVER, &req, &ms) < 0) {
			migs_free(&ms);
			return -1;
		}
		migs_free(&ms);
	}
	return 0;
}

/* ---- progress ---- */

static void progress_clear(struct vmig *v)
{
	if (v->drawn) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
		v->drawn = false;
	}
}

/*
 * "kmig: pass 3  sent 210.3 MiB  remaining 4.8 MiB  expected downtime 12 ms
 * 1.23 GiB/s  4.1 s": on a terminal redrawn in place; otherwise one line
 * per new pass (not with --json). Remaining and expected downtime are
 * known once a pass has ended ("-" before).
 */
static void progress(struct vmig *v, const char *phase)
{
	uint64_t pass = UINT64_MAX, rem = 0, exp = 0, rate = 0, sent = 0;
	char r[FMT_BUF], b[FMT_BUF], e[32], line[256];
	bool known = true;
	int i;

	for (i = 0; i < v->started; i++) {
		const struct mig *m;
		uint64_t x;

		if (!v->ms[i].n)
			return;
		m = &v->ms[i].m[0];
		x = mig_num_or(m, KMIG_A_MIG_PASS, 0);
		if (x < pass)
			pass = x;
		rem += mig_num_or(m, KMIG_A_MIG_REMAINING_BYTES, 0);
		sent += mig_num_or(m, KMIG_A_MIG_BYTES, 0);
		x = mig_num_or(m, KMIG_A_MIG_EXPECTED_DOWNTIME_NS, UINT64_MAX);
		if (x == UINT64_MAX)
			known = false;
		else if (x > exp)
			exp = x;
		rate += mig_num_or(m, KMIG_A_MIG_THROUGHPUT, 0);
	}
	if (!v->started)
		return;
	if (known)
		snprintf(e, sizeof(e), "%.0f ms", exp / 1e6);
	snprintf(line, sizeof(line),
		 "%s: pass %" PRIu64 "  sent %s  remaining %s  expected downtime %s  %.2f GiB/s  %.1f s",
		 phase, pass, fmt_size(b, sizeof(b), sent),
		 known ? fmt_size(r, sizeof(r), rem) : "-", known ? e : "-",
		 rate / (double)(1ULL << 30), (vm_now_ms() - v->t0) / 1000.0);
	if (v->tty) {
		fprintf(stderr, "\r\033[K%.*s", 79, line);
		fflush(stderr);
		v->drawn = true;
	} else if (!opts.json && pass != v->last_pass) {
		fprintf(stderr, "%s\n", line);
		v->last_pass = pass;
	}
}

/* One line on stderr saying what happens now (not with --json). */
static void step(struct vmig *v, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void step(struct vmig *v, const char *fmt, ...)
{
	va_list ap;

	if (opts.json)
		return;
	progress_clear(v);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (%.1f s)\n", (vm_now_ms() - v->t0) / 1000.0);
}

/* ---- QEMU ---- */

/* query-migrate: its status into @st, its error-desc into @desc. */
static json_object *qemu_query_migrate(struct vmig *v, char *st, size_t len,
				       char *desc, size_t dlen)
{
	json_object *r;
	const char *s;

	if (qmp_exec(&v->vm.q, "query-migrate", NULL, &r, VM_QMP_TIMEOUT_MS) < 0)
		return NULL;
	s = qmp_str(r, "status");
	snprintf(st, len, "%s", s ? s : "none");
	if (desc) {
		s = qmp_str(r, "error-desc");
		snprintf(desc, dlen, "%s", s ? s : "QEMU gave no reason");
	}
	return r;
}

/* Cancel QEMU's migration and wait until it has ended. */
static void qemu_cancel(struct vmig *v)
{
	long long end = vm_now_ms() + QEMU_CANCEL_MS;
	char st[32];
	json_object *r;

	if (!v->qemu_migrating)
		return;
	qmp_exec(&v->vm.q, "migrate_cancel", NULL, NULL, VM_QMP_TIMEOUT_MS);
	while (vm_now_ms() < end) {
		r = qemu_query_migrate(v, st, sizeof(st), NULL, 0);
		json_object_put(r);
		if (!r || !strcmp(st, "cancelled") || !strcmp(st, "failed") ||
		    !strcmp(st, "completed"))
			break;
		usleep(20000);
	}
	v->qemu_migrating = false;
}

/*
 * The guest runs on the source again (when it ran at the start): QEMU
 * resumes it itself when its migration fails or is cancelled; 'cont'
 * when it has not. The run state into @st.
 */
static void source_resume(struct vmig *v, char *st, size_t len)
{
	long long end = vm_now_ms() + 5000;

	for (;;) {
		if (vm_status(&v->vm, st, len) < 0) {
			snprintf(st, len, "unknown (QMP failed)");
			return;
		}
		if (!v->was_running || !strcmp(st, "running"))
			return;
		if (vm_now_ms() >= end)
			break;
		usleep(50000);
	}
	if (qmp_exec(&v->vm.q, "cont", NULL, NULL, VM_QMP_TIMEOUT_MS) < 0)
		err_line("vm migrate: QEMU cont: %s", v->vm.q.err);
	vm_status(&v->vm, st, len);
}

/*
 * Undo what was started, resume the source, print the error line (and
 * the JSON result) and return EXIT_ERR.
 */
static int fail(struct vmig *v, const char *stage, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct vmig *v, const char *stage, const char *fmt, ...)
{
	char what[512], st[64] = "unknown";
	bool qemu_alive = !v->vm.q.closed;
	va_list ap;

	progress_clear(v);
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	kmig_cancel_all(v);
	if (qemu_alive) {
		qemu_cancel(v);
		source_resume(v, st, sizeof(st));
	}
	if (!qemu_alive)
		err_line("vm migrate: %s; the source QEMU is gone", what);
	else if (!strcmp(st, "running"))
		err_line("vm migrate: %s; the guest runs on the source", what);
	else
		err_line("vm migrate: %s; the guest stays on the source (%s)",
			 what, st);
	if (opts.json) {
		struct jw jw;

		jw_init(&jw, stdout, opts.pretty);
		jw_obj_open(&jw);
		jw_kv_str(&jw, "result", "failed");
		jw_kv_str(&jw, "stage", stage);
		jw_kv_str(&jw, "error", what);
		jw_kv_str(&jw, "guest", qemu_alive ? "source" : "lost");
		jw_kv_str(&jw, "source_status", qemu_alive ? st : "gone");
		jw_obj_close(&jw);
		jw_finish(&jw);
	}
	return EXIT_ERR;
}

/* ---- summary ---- */

struct totals {
	uint64_t passes, pages, zero, bytes, kmig_downtime_ns, time_ns;
};

static void totals(const struct vmig *v, struct totals *t)
{
	int i;

	memset(t, 0, sizeof(*t));
	for (i = 0; i < v->started; i++) {
		const struct mig *m = &v->ms[i].m[0];
		uint64_t x;

		x = mig_num_or(m, KMIG_A_MIG_PASSES, 0);
		if (x > t->passes)
			t->passes = x;
		t->pages += mig_num_or(m, KMIG_A_MIG_PAGES_DONE, 0);
		t->zero += mig_num_or(m, KMIG_A_MIG_ZERO_PAGES, 0);
		t->bytes += mig_num_or(m, KMIG_A_MIG_BYTES, 0);
		x = mig_num_or(m, KMIG_A_MIG_DOWNTIME_NS, 0);
		if (x > t->kmig_downtime_ns)
			t->kmig_downtime_ns = x;
		x = mig_num_or(m, KMIG_A_MIG_TIME_NS, 0);
		if (x > t->time_ns)
			t->time_ns = x;
	}
}

static void summary(struct vmig *v, int64_t downtime_ms, int64_t qemu_total_ms,
		    const char *src_status)
{
	long long total_ms = vm_now_ms() - v->t0;
	char a[FMT_BUF], b[FMT_BUF];
	double kmig_ms, dev_ms;
	struct totals t;
	int i;

	totals(v, &t);
	kmig_ms = t.kmig_downtime_ns / 1e6;
	dev_ms = downtime_ms >= 0 ? downtime_ms - kmig_ms : -1;
	if (dev_ms < 0 && downtime_ms >= 0)
		dev_ms = 0;
	if (opts.json) {
		struct jw jw;

		jw_init(&jw, stdout, opts.pretty);
		jw_obj_open(&jw);
		jw_kv_str(&jw, "result", "completed");
		jw_kv_u64(&jw, "qemu_pid", (uint64_t)v->vm.q.pid);
		jw_kv_str(&jw, "to", v->host);
		jw_kv_u64(&jw, "device_port", v->devport);
		jw_kv_u64(&jw, "ram_bytes", vm_ram_size(&v->vm));
		jw_kv_u64(&jw, "total_time_ms", (uint64_t)total_ms);
		jw_kv_u64(&jw, "passes", t.passes);
		jw_kv_u64(&jw, "pages_sent", t.pages);
		jw_kv_u64(&jw, "zero_pages", t.zero);
		jw_kv_u64(&jw, "bytes", t.bytes);
		jw_kv_u64(&jw, "kmig_time_ms", t.time_ns / 1000000);
		jw_key(&jw, "downtime_ms");
		jw_i64(&jw, downtime_ms);
		jw_key(&jw, "kmig_downtime_ms");
		jw_double(&jw, kmig_ms, 3);
		jw_key(&jw, "device_downtime_ms");
		jw_double(&jw, dev_ms, 3);
		jw_key(&jw, "qemu_total_time_ms");
		jw_i64(&jw, qemu_total_ms);
		jw_key(&jw, "stop_timestamp");
		jw_double(&jw, v->stop_ts, 6);
		jw_kv_str(&jw, "source_status", src_status);
		jw_key(&jw, "regions");
		jw_arr_open(&jw);
		for (i = 0; i < v->started; i++) {
			const struct mig *m = &v->ms[i].m[0];

			jw_obj_open(&jw);
			jw_kv_u64(&jw, "region_id", v->vm.reg[i].id);
			jw_kv_u64(&jw, "size", v->vm.reg[i].size);
			jw_kv_u64(&jw, "port", v->port[i]);
			jw_kv_u64(&jw, "passes", mig_num_or(m, KMIG_A_MIG_PASSES, 0));
			jw_kv_u64(&jw, "pages_sent", mig_num_or(m, KMIG_A_MIG_PAGES_DONE, 0));
			jw_kv_u64(&jw, "zero_pages", mig_num_or(m, KMIG_A_MIG_ZERO_PAGES, 0));
			jw_kv_u64(&jw, "bytes", mig_num_or(m, KMIG_A_MIG_BYTES, 0));
			jw_kv_u64(&jw, "downtime_ns", mig_num_or(m, KMIG_A_MIG_DOWNTIME_NS, 0));
			jw_kv_u64(&jw, "time_ns", mig_num_or(m, KMIG_A_MIG_TIME_NS, 0));
			jw_obj_close(&jw);
		}
		jw_arr_close(&jw);
		jw_obj_close(&jw);
		jw_finish(&jw);
		return;
	}
	printf("Migration completed: QEMU pid %d, %s of guest RAM in %d region%s, to %s; the guest runs on the destination\n",
	       (int)v->vm.q.pid, fmt_size(a, sizeof(a), vm_ram_size(&v->vm)),
	       v->started, v->started == 1 ? "" : "s", v->host);
	printf("  total time:        %.2f s\n", total_ms / 1000.0);
	printf("  kmig passes:       %" PRIu64 "\n", t.passes);
	printf("  pages sent:        %" PRIu64 " (zero pages %" PRIu64 ")\n",
	       t.pages, t.zero);
	printf("  bytes sent:        %s in %.2f s of kmig (%.2f GiB/s)\n",
	       fmt_size(b, sizeof(b), t.bytes), t.time_ns / 1e9,
	       t.time_ns ? t.bytes / (double)(1ULL << 30) / (t.time_ns / 1e9) : 0);
	if (downtime_ms >= 0) {
		printf("  downtime:          %" PRId64 " ms (QEMU's stop to the guest running on the destination)\n",
		       downtime_ms);
		printf("    kmig:            %.1f ms (final pass of the dirty pages)\n",
		       kmig_ms);
		printf("    device state:    %.1f ms (QEMU's device state, resume, and what is not kmig's)\n",
		       dev_ms);
	} else {
		printf("  downtime:          - (QEMU did not report it); kmig's part %.1f ms\n",
		       kmig_ms);
	}
	printf("  source QEMU:       %s (quit it once the destination is confirmed)\n",
	       src_status);
}

/* ---- the command ---- */

/* --to HOST:PORT[,PORT...] into v->host and v->port (@n regions). */
static int parse_ports(struct vmig *v, const char *to, int n)
{
	char buf[512], *comma, *p;
	uint32_t x;
	int k = 0;

	if (strlen(to) >= sizeof(buf))
		return usage_err("vm migrate", "--to too long");
	strcpy(buf, to);
	comma = strchr(buf, ',');
	if (comma)
		*comma = '\0';
	if (parse_to("vm migrate", buf, v->host, sizeof(v->host), &v->port[0]))
		return EXIT_USAGE;
	k = 1;
	for (p = comma ? comma + 1 : NULL; p; p = comma ? comma + 1 : NULL) {
		comma = strchr(p, ',');
		if (comma)
			*comma = '\0';
		if (!parse_u32(p, 1, 65535, &x))
			return usage_err("vm migrate", "invalid port '%s' in --to", p);
		if (k == PORTS_MAX)
			return usage_err("vm migrate", "too many ports in --to");
		v->port[k++] = (uint16_t)x;
	}
	if (k == 1) {
		for (; k < n; k++) {
			if (v->port[0] + k > 65535)
				return usage_err("vm migrate", "port %u + %d regions runs past 65535",
						 v->port[0], n);
			v->port[k] = v->port[0] + k;
		}
	} else if (k != n) {
		err_line("vm migrate: QEMU has %d kmig region%s but --to gives %d ports",
			 n, n == 1 ? "" : "s", k);
		return EXIT_ERR;
	}
	return 0;
}

/*
 * Wait for QEMU's migration status to reach one of @want ("|a|b|"),
 * looking after kmig meanwhile (unless @kmig_done). Returns 0; -1 when a
 * kmig migration ended (index in *@bad); -2 interrupted; -3 QMP failed.
 */
static int qemu_wait_status(struct vmig *v, const char *want, char *st,
			    size_t len, bool kmig_done, int *bad)
{
	for (;;) {
		struct qmp_event ev;
		int r;

		if (vm_interrupted)
			return -2;
		r = qmp_event_wait(&v->vm.q, "MIGRATION", (int)v->interval, &ev);
		if (r < 0)
			return -3;
		if (r > 0) {
			const char *s = qmp_str(ev.data, "status");
			char pat[40];

			snprintf(st, len, "%s", s ? s : "");
			qmp_event_free(&ev);
			snprintf(pat, sizeof(pat), "|%s|", st);
			if (strstr(want, pat))
				return 0;
			continue;
		}
		if (kmig_done)
			continue;
		/* kmig keeps its passes going meanwhile: still healthy? */
		if (kmig_poll(v, false, bad) < 0)
			return -1;
		progress(v, "device state");
	}
}

int cmd_vm_migrate(int argc, char **argv)
{
	static const char *const caps[] = {
		"x-ignore-shared", "pause-before-switchover", "return-path",
		"events", NULL,
	};
	const char *qmp = NULL, *to = NULL, *devport = NULL, *chans = NULL;
	const char *limit = NULL, *bw = NULL, *passes = NULL, *nc = NULL;
	const char *key_file = NULL, *interval = NULL, *pc_after = NULL;
	bool insecure = false, integrity = false, postcopy = false;
	struct opt o[] = {
		OPT_VAL("--qmp", &qmp), OPT_VAL("--to", &to),
		OPT_VAL("--device-port", &devport), OPT_VAL("--channels", &chans),
		OPT_VAL("--downtime-limit", &limit), OPT_VAL("--max-bandwidth", &bw),
		OPT_VAL("--max-passes", &passes), OPT_VAL("--no-convergence", &nc),
		OPT_VAL("--key-file", &key_file), OPT_FLAG("--insecure", &insecure),
		OPT_FLAG("--integrity", &integrity), OPT_VAL("--interval", &interval),
		OPT_FLAG("--postcopy", &postcopy),
		OPT_VAL("--postcopy-after", &pc_after),
	};
	struct vmig v = {
		.req = { .zero_detect = -1, .have_port = true,
			 .no_convergence = -1, .live = true },
	};
	char st[64], desc[512], uri[128];
	json_object *r, *args, *val;
	int64_t downtime = -1, qtotal = -1;
	long long end;
	struct qmp_event ev;
	int ret, bad = 0;
	uint32_t x;

	ret = parse_opts("vm migrate", argc, argv, o, ARRAY_SIZE(o));
	if (ret)
		return ret;
	if (!qmp)
		return usage_err("vm migrate", "missing --qmp SOCKET (try 'migctl vm --help')");
	if (!to)
		return usage_err("vm migrate", "missing --to HOST:PORT (try 'migctl vm --help')");
	if (!devport)
		return usage_err("vm migrate", "missing --device-port PORT (vm listen printed it)");
	if (!parse_u32(devport, 1, 65535, &x))
		return usage_err("vm migrate", "invalid device port '%s' (expected 1..65535)",
				 devport);
	v.devport = (uint16_t)x;
	if (chans && parse_channels_arg("vm migrate", chans, &v.req.channels))
		return EXIT_USAGE;
	if (parse_interval("vm migrate", interval, &v.interval))
		return EXIT_USAGE;
	if (limit && !parse_u32(limit, 1, DOWNTIME_LIMIT_MAX, &v.req.downtime_limit))
		return usage_err("vm migrate", "invalid downtime limit '%s' (expected milliseconds 1..%u)",
				 limit, DOWNTIME_LIMIT_MAX);
	if (bw) {
		if (parse_rate("vm migrate", bw, &v.req.max_bandwidth))
			return EXIT_USAGE;
		v.req.have_bandwidth = true;
	}
	if (passes) {
		if (!parse_u32(passes, 0, UINT32_MAX, &v.req.max_passes))
			return usage_err("vm migrate", "invalid pass count '%s'", passes);
		v.req.have_max_passes = true;
	}
	if (nc && parse_enum_arg("vm migrate", "no-convergence policy",
				 &kmig_no_convergence_enum, nc, &v.req.no_convergence))
		return EXIT_USAGE;
	v.req.integrity = integrity;
	if (pc_after && !postcopy)
		return usage_err("vm migrate", "--postcopy-after requires --postcopy");
	v.req.postcopy = postcopy;
	if (pc_after) {
		if (!parse_u32(pc_after, 0, UINT32_MAX - 1, &v.req.postcopy_after))
			return usage_err("vm migrate", "invalid pass count '%s'", pc_after);
		v.req.have_postcopy_after = true;
	}
	ret = parse_auth("vm migrate", key_file, insecure, &v.req, v.key);
	if (ret)
		return ret;

	if (vm_open(&v.vm, "vm migrate", qmp) < 0) {
		key_wipe(v.key, sizeof(v.key));
		return EXIT_ERR;
	}
	ret = EXIT_ERR;
	v.t0 = vm_now_ms();
	v.tty = !opts.json && isatty(STDERR_FILENO);
	v.last_pass = UINT64_MAX;
	v.ms = calloc(v.vm.nreg, sizeof(*v.ms));
	if (!v.ms) {
		err_line("vm migrate: out of memory");
		goto out;
	}
	if (parse_ports(&v, to, v.vm.nreg)) {
		ret = EXIT_USAGE;
		goto out;
	}
	v.req.addr = v.host;
	if (v.req.have_bandwidth && v.req.max_bandwidth)
		v.req.max_bandwidth = (v.req.max_bandwidth + v.vm.nreg - 1) / v.vm.nreg;
	if (strcmp(v.vm.status, "running") && strcmp(v.vm.status, "paused")) {
		err_line("vm migrate: QEMU (pid %d) is '%s', not running or paused%s",
			 (int)v.vm.q.pid, v.vm.status,
			 !strcmp(v.vm.status, "inmigrate") ?
			 ": it waits for an incoming migration (run 'migctl vm listen' on it)" : "");
		goto out;
	}
	v.was_running = !strcmp(v.vm.status, "running");
	r = qemu_query_migrate(&v, st, sizeof(st), NULL, 0);
	if (!r) {
		err_line("vm migrate: QEMU query-migrate: %s", v.vm.q.err);
		goto out;
	}
	json_object_put(r);
	if (strcmp(st, "none") && strcmp(st, "completed") &&
	    strcmp(st, "failed") && strcmp(st, "cancelled")) {
		err_line("vm migrate: QEMU is already migrating (status %s)", st);
		goto out;
	}
	if (vm_set_caps(&v.vm, caps) < 0)
		goto out;

	vm_signals(true);
	/* 1. kmig, live, until every region is ready. */
	if (kmig_start_all(&v) < 0) {
		ret = fail(&v, "kmig", "kmig could not start the migration of region %u: %s",
			   v.vm.reg[v.started].id, v.err);
		goto out_sig;
	}
	for (;;) {
		ret = kmig_poll(&v, KMIG_UNTIL_READY, &bad);
		if (ret < 0) {
			ret = fail(&v, "kmig", "kmig migration of region %u ended: %s",
				   v.vm.reg[bad].id, kmig_reason(&v, bad));
			goto out_sig;
		}
		if (ret > 0) {
			progress(&v, "kmig");
			step(&v, "kmig: every region is ready for its switchover; QEMU migrates its device state");
			break;
		}
		progress(&v, "kmig");
		if (vm_interrupted) {
			ret = fail(&v, "interrupted", "interrupted");
			goto out_sig;
		}
		/* Waits one interval; notices QEMU going away. */
		if (qmp_event_wait(&v.vm.q, "SHUTDOWN", (int)v.interval, &ev) != 0) {
			ret = fail(&v, "qemu", "the source QEMU shut down or closed its QMP socket (%s)",
				   v.vm.q.err[0] ? v.vm.q.err : "SHUTDOWN");
			goto out_sig;
		}
	}

	/* 2. QEMU: the device state, up to its pause before the switchover. */
	if (strchr(v.host, ':'))
		snprintf(uri, sizeof(uri), "tcp:[%s]:%u", v.host, v.devport);
	else
		snprintf(uri, sizeof(uri), "tcp:%s:%u", v.host, v.devport);
	args = json_object_new_object();
	json_object_object_add(args, "uri", json_object_new_string(uri));
	if (qmp_exec(&v.vm.q, "migrate", args, NULL, VM_QMP_TIMEOUT_MS) < 0) {
		ret = fail(&v, "device-state", "QEMU migrate %s: %s", uri, v.vm.q.err);
		goto out_sig;
	}
	v.qemu_migrating = true;
	ret = qemu_wait_status(&v, "|pre-switchover|failed|cancelled|completed|",
			       st, sizeof(st), false, &bad);
	if (ret == -1) {
		ret = fail(&v, "kmig", "kmig migration of region %u ended: %s",
			   v.vm.reg[bad].id, kmig_reason(&v, bad));
		goto out_sig;
	}
	if (ret < 0) {
		ret = fail(&v, ret == -2 ? "interrupted" : "qemu", "%s",
			   ret == -2 ? "interrupted" : v.vm.q.err);
		goto out_sig;
	}
	if (strcmp(st, "pre-switchover")) {
		r = qemu_query_migrate(&v, st, sizeof(st), desc, sizeof(desc));
		json_object_put(r);
		ret = fail(&v, "device-state", "QEMU's migration to %s %s before the switchover: %s",
			   uri, st, desc);
		goto out_sig;
	}
	if (qmp_event_wait(&v.vm.q, "STOP", 0, &ev) > 0) {
		v.stop_ts = ev.ts;
		qmp_event_free(&ev);
	}
	step(&v, "QEMU paused the guest (pre-switchover); kmig sends the last dirty pages");

	/* 3. kmig's switchover: the last dirty pages, the guest paused. */
	progress_clear(&v);
	if (kmig_switchover_all(&v) < 0) {
		ret = fail(&v, "switchover", "kmig switchover failed: %s", v.err);
		goto out_sig;
	}
	for (;;) {
		ret = kmig_poll(&v, KMIG_UNTIL_SWITCHED, &bad);
		if (ret < 0) {
			ret = fail(&v, "switchover", "kmig migration of region %u ended at the switchover: %s",
				   v.vm.reg[bad].id, kmig_reason(&v, bad));
			goto out_sig;
		}
		if (ret > 0)
			break;
		if (vm_interrupted) {
			ret = fail(&v, "interrupted", "interrupted at the switchover");
			goto out_sig;
		}
		usleep(POLL_SWITCHOVER_MS * 1000);
	}

	step(&v, postcopy ? "kmig switched to postcopy; QEMU sends the device state" :
	     "kmig completed; QEMU sends the device state");
	/* 4. The device state; the guest runs on the destination. */
	args = json_object_new_object();
	json_object_object_add(args, "state", json_object_new_string("pre-switchover"));
	if (qmp_exec(&v.vm.q, "migrate-continue", args, NULL, VM_QMP_TIMEOUT_MS) < 0) {
		ret = fail(&v, "device-state", "QEMU migrate-continue: %s (kmig had completed)",
			   v.vm.q.err);
		goto out_sig;
	}
	ret = qemu_wait_status(&v, "|completed|failed|cancelled|", st, sizeof(st),
			       true, &bad);
	if (ret < 0) {
		ret = fail(&v, ret == -2 ? "interrupted" : "device-state",
			   "%s after kmig completed",
			   ret == -2 ? "interrupted" : v.vm.q.err);
		goto out_sig;
	}
	r = qemu_query_migrate(&v, st, sizeof(st), desc, sizeof(desc));
	if (!r) {
		ret = fail(&v, "device-state", "QEMU query-migrate: %s", v.vm.q.err);
		goto out_sig;
	}
	if (strcmp(st, "completed")) {
		json_object_put(r);
		v.qemu_migrating = false;	/* ended: nothing to cancel */
		ret = fail(&v, "device-state", "QEMU's device-state migration %s after kmig had completed: %s",
			   st, desc);
		goto out_sig;
	}
	/*
	 * QEMU (7.2 at least) sets "completed" before it computes the
	 * migration's times, so a query right after it can say total-time
	 * and downtime 0: ask again until total-time is set, for up to
	 * QEMU_TIMES_MS, else report the downtime as unknown.
	 */
	for (end = vm_now_ms() + QEMU_TIMES_MS;;) {
		if (json_object_object_get_ex(r, "total-time", &val))
			qtotal = json_object_get_int64(val);
		if (qtotal > 0 && json_object_object_get_ex(r, "downtime", &val))
			downtime = json_object_get_int64(val);
		json_object_put(r);
		if (qtotal > 0 || vm_now_ms() >= end)
			break;
		usleep(20000);
		r = qemu_query_migrate(&v, st, sizeof(st), NULL, 0);
		if (!r)
			break;
	}
	v.qemu_migrating = false;
	/* 5. Postcopy: the guest runs there; kmig brings the rest. */
	while (postcopy) {
		ret = kmig_poll(&v, KMIG_UNTIL_COMPLETED, &bad);
		if (ret < 0) {
			ret = fail(&v, "postcopy", "kmig migration of region %u failed in postcopy, the guest is lost: %s",
				   v.vm.reg[bad].id, kmig_reason(&v, bad));
			goto out_sig;
		}
		if (ret > 0)
			break;
		progress(&v, "postcopy");
		usleep(v.interval * 1000);
	}
	if (vm_status(&v.vm, st, sizeof(st)) < 0)
		snprintf(st, sizeof(st), "unknown");
	summary(&v, downtime, qtotal, st);
	ret = EXIT_OK;
out_sig:
	progress_clear(&v);
	vm_signals(false);
out:
	key_wipe(v.key, sizeof(v.key));
	vm_migs_free(v.ms, v.vm.nreg);
	vm_close(&v.vm);
	return ret;
}
