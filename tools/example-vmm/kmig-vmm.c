// SPDX-License-Identifier: GPL-2.0
/*
 * kmig-vmm: an example VMM, the reference integration of kmig for VMM
 * authors. It has no vCPUs: writer threads stand in for them.
 *
 *   kmig-vmm source --size MB --to ADDR:PORT --key-file FILE [options]
 *   kmig-vmm dest --size MB --key-file FILE [--port PORT] [options]
 *                                            (--insecure: no key; opts.c)
 *   kmig-vmm source --colo ... / dest --colo ...           (COLO, below)
 *
 * Files: this one is the integration (part 1, about two hundred lines to
 * copy into a VMM, a third of them for COLO) and the two modes built on it
 * (part 2, where colo_session() is the COLO loop to copy); kmig-vmm.h has
 * their structures; generic netlink goes through libkmig (tools/lib/kmig,
 * on libnl-3); test-hooks.c, vcpu.c, ram.c and opts.c are test machinery
 * (the COLO session's hashes, figures and fault injection, writers, fill,
 * content hash, command line).
 *
 * What a VMM does
 * ---------------
 *  1. Guest RAM: open("/dev/kmig", O_RDWR) and mmap(MAP_SHARED) it; the
 *     region id that names it on netlink comes from KMIG_IOC_REGION_INFO.
 *  2. Join the "events" multicast group of the "kmig" generic netlink
 *     family, on a socket of its own, BEFORE starting the migration, so no
 *     event is missed. Every event carries the migration's full status
 *     (the attributes of mig-get) plus KMIG_A_MIG_EVENT; the group carries
 *     the events of every region, so keep the ones of yours.
 *  3. Source: KMIG_CMD_MIG_START with KMIG_A_MIG_LIVE; destination:
 *     KMIG_CMD_MIG_LISTEN (its reply carries the bound port). Both with
 *     the migration's 32-byte KMIG_A_MIG_KEY (the same on both hosts;
 *     wipe it once sent, never log it) or, to run without
 *     authentication, KMIG_A_MIG_INSECURE: one of the two is required.
 *  4. Source: on SWITCHOVER_READY pause the vCPUs, then send
 *     KMIG_CMD_MIG_SWITCHOVER; kmig sends what is still dirty and
 *     completes. On COMPLETED the guest runs on the destination; on FAILED
 *     or CANCELLED resume the vCPUs (the guest stays here).
 *  5. COLO: the same start with KMIG_A_MIG_COLO on both sides; instead of
 *     COMPLETED the two stay connected and take checkpoints: pause on
 *     CHECKPOINT_PAUSE, acknowledge with KMIG_CMD_COLO_PAUSED, resume on
 *     CHECKPOINT_DONE (colo_step() and colo_session()).
 *
 * Event sequence (KMIG_CMD_MIG_EVENT, KMIG_A_MIG_EVENT = ...)
 * ----------------------------------------------------------
 *
 *   source (mig-start live)            destination (mig-listen)
 *   STATE state=setup                  STATE state=listening
 *   STATE state=active                 STATE state=active (first channel)
 *   PASS_DONE pass=0 (every populated page), then pass=1, 2, ...: each
 *     with dirty-rate, remaining-bytes, expected-downtime-ns
 *   SWITCHOVER_READY, once, after the PASS_DONE of the pass whose expected
 *     downtime is within downtime-limit-ms (or at max-passes with
 *     no-convergence=switchover); passes go on until the switchover
 *   -- VMM: pause the vCPUs, send MIG_SWITCHOVER (allowed at any time
 *      during a live migration, ready or not) --
 *   (the final pass: no PASS_DONE for it)
 *   COMPLETED passes, downtime-ns      COMPLETED
 *   FAILED (reason) or CANCELLED (reason) may come instead, at any point;
 *   one of COMPLETED, FAILED, CANCELLED is always the last event.
 *
 * COLO (mig-start live colo [checkpoint-interval-ms], mig-listen colo):
 * as above up to the switchover, then instead of COMPLETED
 *
 *   primary (source)                   secondary (destination)
 *   STATE state=colo checkpoint=0      STATE state=colo checkpoint=0
 *     -- resume the vCPUs --             (the region holds the primary's
 *                                         memory at the switchover)
 *                                        -- start the vCPUs --
 *   every checkpoint-interval-ms (or on KMIG_CMD_COLO_CHECKPOINT), for
 *   N = 1, 2, ..., on both sides:
 *   CHECKPOINT_PAUSE checkpoint=N
 *     -- pause the vCPUs, send COLO_PAUSED checkpoint=N (within 10 s) --
 *   CHECKPOINT_DONE checkpoint=N, ckpt-pages, ckpt-bytes, colo-latency
 *     (secondary: the region now equals the primary's memory at N)
 *     -- resume the vCPUs --
 *   the end, one of:
 *   FAILOVER (secondary lost):         FAILOVER checkpoint=last committed
 *     resume, run alone                  (the region holds it, plus the
 *                                         secondary's own writes since):
 *                                        resume, run alone
 *   CANCELLED or FAILED, either side. There is no COMPLETED in COLO.
 *
 * Events are datagrams: when the socket's buffer overflows recv() fails
 * with ENOBUFS and some are lost. So a VMM should not rely on seeing each
 * one: this example reads the status with KMIG_CMD_MIG_GET when events
 * were lost or none came for a while, and acts on it (terminal state,
 * switchover-ready, passes) the same way. In COLO the status only has
 * the last committed checkpoint: a lost CHECKPOINT_DONE shows as a
 * higher one; a lost CHECKPOINT_PAUSE does not show, so after lost
 * events the VMM pauses and offers COLO_PAUSED for the next checkpoint,
 * and resumes if kmig refuses it (colo_step(), best effort).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <linux/kmig.h>

#include "kmig-vmm.h"
#include "names.h"
#include "nl.h"
#include "opts.h"
#include "ram.h"
#include "test-hooks.h"
#include "vcpu.h"

/* ====================================================================
 * Part 1: the integration
 * ==================================================================== */

/* The VMM's state (struct guest_ram, vmm_nl, mig_ev, ...): kmig-vmm.h */

/* 1. Guest RAM from /dev/kmig. Pages are allocated on first touch. */
static int ram_map(struct guest_ram *r, size_t size)
{
	struct kmig_region_info info;

	r->fd = open(KMIG_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	if (r->fd < 0)
		return -errno;
	r->mem = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, r->fd, 0);
	if (r->mem == MAP_FAILED || ioctl(r->fd, KMIG_IOC_REGION_INFO, &info))
		return -errno;
	r->size = size;
	r->page_size = info.page_size;
	r->region = info.id;
	return 0;
}

/*
 * 2. Resolve the family and its "events" group; join it (libkmig, on
 * libnl-3: a 1 MiB receive buffer for the events). Returns 0, or -1 when
 * the library printed why not.
 */
static int vmm_nl_open(struct vmm_nl *k)
{
	struct kmig_nl_err err;

	if (kmig_nl_open(&k->cmd) || kmig_nl_open(&k->ev))
		return -1;
	/* Fail rather than hang when an answer never comes. */
	kmig_nl_set_timeout(&k->cmd, 20);
	if (kmig_nl_subscribe(&k->ev, KMIG_MCGRP_EVENTS, &err)) {
		kmig_nl_report("group " KMIG_MCGRP_EVENTS, &err, NULL);
		return -1;
	}
	return 0;
}

/*
 * The KMIG_A_MIG_COLO_LATENCY nests (a multi-attr: one per metric) of the
 * message @n into @lat[]. Returns how many.
 */
static int colo_lat_parse(const struct nlmsghdr *n,
			  struct colo_lat lat[COLO_METRICS])
{
	struct nlattr *a, *tb[KMIG_A_COLO_LATENCY_MAX + 1];
	uint64_t m;
	int found = 0, rem;

	memset(lat, 0, COLO_METRICS * sizeof(*lat));
	kmig_nl_for_each_attr(a, (struct nlmsghdr *)n, rem) {
		if (nla_type(a) != KMIG_A_MIG_COLO_LATENCY ||
		    nla_parse_nested(tb, KMIG_A_COLO_LATENCY_MAX, a, NULL))
			continue;
		m = kmig_attr_uint_or(tb[KMIG_A_COLO_LATENCY_METRIC], COLO_METRICS);
		if (m >= COLO_METRICS)
			continue;	/* a metric newer than this VMM */
		lat[m] = (struct colo_lat){
			.count = kmig_attr_uint_or(tb[KMIG_A_COLO_LATENCY_COUNT], 0),
			.last_ns = kmig_attr_uint_or(tb[KMIG_A_COLO_LATENCY_LAST_NS], 0),
			.mean_ns = kmig_attr_uint_or(tb[KMIG_A_COLO_LATENCY_MEAN_NS], 0),
			.p50_ns = kmig_attr_uint_or(tb[KMIG_A_COLO_LATENCY_P50_NS], 0),
			.p99_ns = kmig_attr_uint_or(tb[KMIG_A_COLO_LATENCY_P99_NS], 0),
			.max_ns = kmig_attr_uint_or(tb[KMIG_A_COLO_LATENCY_MAX_NS], 0),
		};
		found++;
	}
	return found;
}

static void mig_ev_parse(const struct nlmsghdr *n, struct mig_ev *e)
{
	struct nlattr *tb[KMIG_A_MIG_MAX + 1];

	memset(e, 0, sizeof(*e));
	if (genlmsg_parse((struct nlmsghdr *)n, 0, tb, KMIG_A_MIG_MAX, NULL))
		memset(tb, 0, sizeof(tb));	/* malformed: nothing */
	e->event = kmig_attr_uint_or(tb[KMIG_A_MIG_EVENT], -1);
	e->region = kmig_attr_uint_or(tb[KMIG_A_MIG_REGION_ID], 0);
	e->role = kmig_attr_uint_or(tb[KMIG_A_MIG_ROLE], 0);
	e->state = kmig_attr_uint_or(tb[KMIG_A_MIG_STATE], 0);
	e->switchover_ready = kmig_attr_uint_or(tb[KMIG_A_MIG_SWITCHOVER_READY], 0);
	e->pass = kmig_attr_uint_or(tb[KMIG_A_MIG_PASS], 0);
	e->passes = kmig_attr_uint_or(tb[KMIG_A_MIG_PASSES], 0);
	e->dirty_rate = kmig_attr_uint_or(tb[KMIG_A_MIG_DIRTY_RATE], 0);
	e->remaining = kmig_attr_uint_or(tb[KMIG_A_MIG_REMAINING_BYTES], 0);
	e->expected_ns = kmig_attr_uint_or(tb[KMIG_A_MIG_EXPECTED_DOWNTIME_NS], 0);
	e->downtime_ns = kmig_attr_uint_or(tb[KMIG_A_MIG_DOWNTIME_NS], 0);
	e->port = kmig_attr_uint_or(tb[KMIG_A_MIG_PORT], 0);
	snprintf(e->reason, sizeof(e->reason), "%s", kmig_attr_str(tb[KMIG_A_MIG_REASON]));
	e->colo = !!tb[KMIG_A_MIG_COLO];
	e->checkpoint = kmig_attr_uint_or(tb[KMIG_A_MIG_CHECKPOINT], 0);
	e->checkpoints = kmig_attr_uint_or(tb[KMIG_A_MIG_CHECKPOINTS], 0);
	e->ckpt_pages = kmig_attr_uint_or(tb[KMIG_A_MIG_CKPT_PAGES], 0);
	e->ckpt_bytes = kmig_attr_uint_or(tb[KMIG_A_MIG_CKPT_BYTES], 0);
	colo_lat_parse(n, e->lat);
}

/*
 * 3. Commands: mig_req() starts a request on @region (KMIG_CMD_MIG_START,
 * _LISTEN, _SWITCHOVER, _GET, _CANCEL, KMIG_CMD_COLO_*); put its other attributes, then mig_send()
 * it. The reply, the migration's status, is parsed into @st (may be NULL).
 */
struct nl_msg *mig_req(struct vmm_nl *k, uint8_t cmd, uint32_t region)
{
	struct nl_msg *m = kmig_nl_msg(&k->cmd, cmd, 0);

	if (!m) {
		fprintf(stderr, "kmig-vmm: out of memory\n");
		exit(1);
	}
	nla_put_u32(m, KMIG_A_MIG_REGION_ID, region);
	return m;
}

/*
 * The migration key of --key-file, read before anything else, sent once
 * (mig-start or mig-listen) and wiped then; never printed.
 */
static struct {
	uint8_t b[VMM_KEY_LEN];
	int set;
} mig_key;

/* KMIG_A_MIG_KEY, or KMIG_A_MIG_INSECURE with --insecure. */
static void mig_put_auth(struct nl_msg *m)
{
	if (mig_key.set)
		nla_put(m, KMIG_A_MIG_KEY, VMM_KEY_LEN, mig_key.b);
	else
		nla_put_flag(m, KMIG_A_MIG_INSECURE);
	explicit_bzero(&mig_key, sizeof(mig_key));
}

int mig_send(struct vmm_nl *k, struct nl_msg *req, struct mig_ev *st,
	     char *why, size_t wl)
{
	static struct kmig_nl_reply reply;
	int ret = kmig_nl_call(&k->cmd, req, &reply);

	/* The kernel's extended-ack message, or libnl's error. */
	snprintf(why, wl, "%s", reply.err.nlerr ?
		 nl_geterror(-reply.err.nlerr) : reply.err.msg);
	if (!ret && st && reply.nlh)
		mig_ev_parse(reply.nlh, st);
	return ret;
}

/*
 * 4. Wait up to @ms for the next event of @region. Returns 1 (@e filled),
 * 0 if none came, -ENOBUFS if events were lost, or another -errno.
 * When none came or some were lost, read the status: see the top comment.
 */
struct ev_wait {
	uint32_t region;
	struct mig_ev *e;
};

/* Each message of the family: an event of the region stops the wait. */
static int ev_one(const struct nlmsghdr *n, struct nlattr **tb, void *arg)
{
	const struct genlmsghdr *g = nlmsg_data(n);
	struct ev_wait *w = arg;

	(void)tb;
	if (g->cmd != KMIG_CMD_MIG_EVENT)
		return 0;
	mig_ev_parse(n, w->e);
	return w->e->region == w->region;
}

static int mig_event_wait(struct vmm_nl *k, uint32_t region,
			  struct mig_ev *e, int ms)
{
	struct ev_wait w = { .region = region, .e = e };

	return kmig_nl_wait_notify(&k->ev, ms, KMIG_A_MIG_MAX, ev_one, &w);
}

/*
 * 5. Source, on SWITCHOVER_READY: pause every vCPU first (vcpus_pause()
 * here) so that no guest write follows, then call this: kmig sends the
 * pages still dirty and completes (event COMPLETED, with downtime-ns).
 * On FAILED or CANCELLED resume the vCPUs.
 */
static int mig_switchover(struct vmm_nl *k, uint32_t region, char *why,
			  size_t wl)
{
	return mig_send(k, mig_req(k, KMIG_CMD_MIG_SWITCHOVER, region), NULL,
			why, wl);
}

/* COMPLETED, FAILED, CANCELLED and (COLO) FAILOVER end the migration. */
static int final_event(const struct mig_ev *e)
{
	return e->event == KMIG_MIG_EVENT_COMPLETED ||
	       e->event == KMIG_MIG_EVENT_FAILED ||
	       e->event == KMIG_MIG_EVENT_CANCELLED ||
	       e->event == KMIG_MIG_EVENT_FAILOVER;
}

/*
 * 6. COLO, either side, on CHECKPOINT_PAUSE N: pause every vCPU, then
 * acknowledge with this, within 10 s (or the checkpoint fails). An error
 * means kmig did not take it (not the checkpoint it waits for, or too
 * late): resume the vCPUs.
 */
static int colo_paused(struct vmm_nl *k, uint32_t region, uint64_t ckpt,
		       char *why, size_t wl)
{
	struct nl_msg *m = mig_req(k, KMIG_CMD_COLO_PAUSED, region);

	nla_put_u64(m, KMIG_A_MIG_CHECKPOINT, ckpt);
	return mig_send(k, m, NULL, why, wl);
}

/*
 * 7. COLO, either side: what to do about the next event (or status), as a
 * function of what was seen so far. Stale events (read after a status
 * that already covered them) and duplicates ask for nothing.
 */
/* struct colo_track: kmig-vmm.h */

enum colo_act {
	COLO_NOTHING,
	COLO_RUN,	/* checkpoint 0 is committed: run the vCPUs */
	COLO_PAUSE,	/* pause the vCPUs, colo-paused for t->paused */
	COLO_PROBE,	/* the same for a checkpoint-pause perhaps lost;
			 * if kmig refuses it, resume */
	COLO_DONE,	/* t->last is committed: resume the vCPUs */
	COLO_END,	/* FAILOVER, FAILED, CANCELLED */
};

static enum colo_act colo_step(struct colo_track *t, const struct mig_ev *e)
{
	if (final_event(e))
		return COLO_END;
	if (e->state != KMIG_MIG_STATE_COLO &&
	    e->event != KMIG_MIG_EVENT_CHECKPOINT_PAUSE &&
	    e->event != KMIG_MIG_EVENT_CHECKPOINT_DONE)
		return COLO_NOTHING;		/* the initial migration */
	if (!t->entered) {
		t->entered = 1;
		if (e->event == KMIG_MIG_EVENT_STATE || e->event < 0) {
			t->last = e->checkpoint;
			t->probe = e->lost;
			return COLO_RUN;
		}
		/* STATE colo was lost: act on this checkpoint event */
	}
	switch (e->event) {
	case KMIG_MIG_EVENT_CHECKPOINT_PAUSE:
		if (e->checkpoint <= t->last || e->checkpoint == t->paused)
			return COLO_NOTHING;
		t->paused = e->checkpoint;
		t->probe = 0;
		return COLO_PAUSE;
	case KMIG_MIG_EVENT_CHECKPOINT_DONE:
		if (e->checkpoint <= t->last)
			return COLO_NOTHING;
		t->last = e->checkpoint;
		t->paused = 0;
		return COLO_DONE;
	case -1:	/* a status: KMIG_A_MIG_CHECKPOINT is the last committed */
		t->probe |= e->lost;
		if (e->checkpoint > t->last) {		/* DONE was lost */
			t->last = e->checkpoint;
			t->paused = 0;
			return COLO_DONE;
		}
		if (t->probe && !t->paused) {		/* PAUSE may be */
			t->probe = 0;
			t->paused = t->last + 1;
			return COLO_PROBE;
		}
	}
	return COLO_NOTHING;
}

/* ====================================================================
 * Part 2: the two modes (printing, timing, the test machinery)
 * ==================================================================== */

/* The spec's name of value @v of @e; "?" for one newer than this program. */
static const char *name_of(const struct kmig_enum *e, uint64_t v)
{
	const char *name = kmig_enum_name(e, v);

	return name ? name : "?";
}

/* libkmig's error lines (module not loaded, events lost, ...). */
void err_line(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "kmig-vmm: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/*
 * One line per event (or status read instead of lost events):
 *   event pass-done region=3 state=active pass=2 passes=3 dirty-rate=...
 */
static void print_ev(const char *what, const struct mig_ev *e)
{
	printf("%s %s region=%u state=%s pass=%" PRIu64 " passes=%" PRIu64
	       " dirty-rate=%" PRIu64 " remaining-bytes=%" PRIu64
	       " expected-downtime-ms=%.3f downtime-ms=%.3f",
	       what, e->event < 0 ? "status" : name_of(&kmig_mig_event_enum, e->event),
	       e->region, name_of(&kmig_mig_state_enum, e->state), e->pass, e->passes,
	       e->dirty_rate, e->remaining, e->expected_ns / 1e6,
	       e->downtime_ns / 1e6);
	if (e->colo || e->state >= KMIG_MIG_STATE_COLO)
		printf(" checkpoint=%" PRIu64 " checkpoints=%" PRIu64,
		       e->checkpoint, e->checkpoints);
	if (e->reason[0])
		printf(" reason=\"%s\"", e->reason);
	printf("\n");
	fflush(stdout);
}

/*
 * Next thing that happened to the migration: an event, or, when none came
 * for 2 s or some were lost, the status (mig-get) dressed as the event it
 * implies. Returns 0 or -errno.
 */
static int next_event(struct vmm_nl *k, uint32_t region, struct mig_ev *e)
{
	char why[256];
	int ret, lost;

	ret = mig_event_wait(k, region, e, 2000);
	if (ret == 1) {
		print_ev("event", e);
		return 0;
	}
	if (ret == -ENOBUFS)
		printf("# events lost, reading the status\n");
	else if (ret < 0)
		return ret;
	lost = ret == -ENOBUFS;
	ret = mig_send(k, mig_req(k, KMIG_CMD_MIG_GET, region), e, why,
		       sizeof(why));
	if (ret) {
		fprintf(stderr, "kmig-vmm: mig-get: %s%s%s\n", strerror(-ret),
			why[0] ? ": " : "", why);
		return ret;
	}
	e->lost = lost;
	if (e->state == KMIG_MIG_STATE_COMPLETED)
		e->event = KMIG_MIG_EVENT_COMPLETED;
	else if (e->state == KMIG_MIG_STATE_FAILED)
		e->event = KMIG_MIG_EVENT_FAILED;
	else if (e->state == KMIG_MIG_STATE_CANCELLED)
		e->event = KMIG_MIG_EVENT_CANCELLED;
	else if (e->state == KMIG_MIG_STATE_FAILOVER)
		e->event = KMIG_MIG_EVENT_FAILOVER;
	else if (e->state == KMIG_MIG_STATE_COLO)
		;	/* a plain status: colo_step() compares the checkpoint */
	else if (e->state == KMIG_MIG_STATE_POSTCOPY_ACTIVE)
		e->event = KMIG_MIG_EVENT_POSTCOPY_ACTIVE;
	else if (e->state == KMIG_MIG_STATE_POSTCOPY_PAUSED)
		e->event = KMIG_MIG_EVENT_POSTCOPY_PAUSED;
	else if (e->switchover_ready)
		e->event = KMIG_MIG_EVENT_SWITCHOVER_READY;
	else if (e->passes)
		e->event = KMIG_MIG_EVENT_PASS_DONE, e->pass = e->passes - 1;
	print_ev("status", e);
	return 0;
}

static int setup(struct guest_ram *r, struct vmm_nl *k, size_t size)
{
	int ret = ram_map(r, size);

	if (ret) {
		fprintf(stderr, "kmig-vmm: guest RAM from %s: %s\n",
			KMIG_DEVICE_PATH, strerror(-ret));
		return ret;
	}
	ret = vmm_nl_open(k);
	if (ret)
		return ret;	/* libkmig printed why */
	printf("id %u\n", r->region);
	fflush(stdout);
	return 0;
}

/* --no-hash: no content hash (reading every page costs a fault each in UML). */
static int no_hash;

/*
 * The guest RAM's content hash, "PREFIX hash H populated P nonzero M", on
 * stdout and, with @file, in it: replacing it (a live migration's single
 * line) or appended to it (COLO: a line per checkpoint).
 */
static void hash_out(const struct guest_ram *r, const char *file,
		     const char *prefix, int append)
{
	struct kmig_hash h;
	char line[192];
	size_t n;
	int ret;

	if (no_hash)
		return;
	n = snprintf(line, sizeof(line), "%s", prefix);
	ret = kmig_region_hash(r->fd, r->mem, r->size / r->page_size,
			       r->page_size, &h);
	if (ret)
		snprintf(line + n, sizeof(line) - n, "error KMIG_IOC_PAGE_BITMAP: %s\n",
			 strerror(-ret));
	else
		kmig_hash_line(&h, line + n, sizeof(line) - n);
	printf("%s", line);
	fflush(stdout);
	if (file && (ret = append ? ram_append_file(file, line) :
				    ram_write_file(file, line)))
		fprintf(stderr, "kmig-vmm: %s: %s\n", file, strerror(-ret));
}

/*
 * Postcopy destination, its writers paused: "postcopy hash H touched N
 * writes W", the content hash the RAM had before their writes (it must be
 * the source's at its pause), appended to the hash file.
 */
static void postcopy_prior_out(const char *file, struct vcpus *v)
{
	uint64_t touched, h = vcpus_prior_hash(v, &touched);
	char line[160];
	int ret;

	snprintf(line, sizeof(line),
		 "postcopy hash %016llx touched %llu writes %llu\n",
		 (unsigned long long)h, (unsigned long long)touched,
		 (unsigned long long)vcpus_writes(v));
	printf("%s", line);
	fflush(stdout);
	vcpus_stop(v);
	if (file && (ret = ram_append_file(file, line)))
		fprintf(stderr, "kmig-vmm: %s: %s\n", file, strerror(-ret));
}

/* ------------------------------------------------------------- COLO */

void colo_hash(struct colo_ctx *c, const char *what, uint64_t n)
{
	char prefix[64];

	snprintf(prefix, sizeof(prefix), "%s %" PRIu64 " ", what, n);
	hash_out(c->r, c->o->hash_file, prefix, 1);
}

/*
 * The COLO session, either side, from @e on (a primary: the state colo
 * event; a secondary: the mig-listen reply) until it ends; @e is then the
 * final event. Returns 0, or -1 if the events could not be read.
 *
 * This is the COLO handling to copy: the switch, without the colo_test_*()
 * calls (test hooks, test-hooks.c).
 */
static int colo_session(struct colo_ctx *c, struct mig_ev *e)
{
	struct colo_track *t = &c->t;
	enum colo_act act;
	char why[256];
	int m;

	for (;;) {
		for (m = 0; m < COLO_METRICS; m++)
			if (e->lat[m].count)
				c->lat[m] = e->lat[m];
		switch ((act = colo_step(t, e))) {
		case COLO_RUN:		/* checkpoint 0 committed */
			colo_test_run(c);
			vcpus_resume(c->v);
			break;
		case COLO_PAUSE:	/* checkpoint-pause t->paused */
		case COLO_PROBE:	/* events lost: perhaps one */
			vcpus_pause(c->v);
			if (act == COLO_PAUSE)
				colo_test_pause(c, t->paused);
			if (colo_paused(c->k, c->r->region, t->paused, why,
					sizeof(why))) {
				/* Not waiting for it (a probe), or too late. */
				printf("# colo-paused %" PRIu64 " refused%s%s: resuming\n",
				       t->paused, why[0] ? ": " : "", why);
				t->paused = 0;
				vcpus_resume(c->v);
				break;
			}
			colo_test_acked(c, t->paused, act == COLO_PROBE);
			break;
		case COLO_DONE:		/* checkpoint t->last committed */
			colo_test_done(c, e, t->last);
			vcpus_resume(c->v);
			colo_test_cancel(c);
			break;
		case COLO_END:		/* failover, cancelled, failed */
			return 0;
		case COLO_NOTHING:
			break;
		}
		if (next_event(c->k, c->r->region, e))
			return -1;
	}
}

/*
 * Exit status of a COLO session: 0 when it reached COLO and then ended by
 * a cancel or a failover (the guest lives on, on one side), 1 otherwise.
 */
static int colo_exit(const struct colo_ctx *c, const struct mig_ev *e, int err)
{
	return !err && c->t.entered &&
	       (e->event == KMIG_MIG_EVENT_CANCELLED ||
		e->event == KMIG_MIG_EVENT_FAILOVER) ? 0 : 1;
}

/* The result of a migration: its final event, or "error". */
static const char *result_of(const struct mig_ev *e, int err)
{
	return !err && final_event(e) ?
	       name_of(&kmig_mig_event_enum, e->event) : "error";
}

/* Either COLO side's summary line. */
static void colo_summary(const struct colo_ctx *c, const struct mig_ev *e,
			 int err)
{
	printf("summary result=%s passes=%" PRIu64 " checkpoints=%" PRIu64
	       " writes=%" PRIu64 "\n", result_of(e, err), e->passes,
	       c->t.last, vcpus_writes(c->v));
}

/* Source --colo, after the live phase; @e: state colo, or how it ended. */
static int run_primary(struct colo_ctx *c, struct mig_ev *e, int err)
{
	const struct colo_lat *p = &c->lat[KMIG_COLO_METRIC_PAUSE];

	if (!err && !final_event(e) && colo_session(c, e))
		err = 1;
	/* Whatever the end, the guest runs on here, alone. */
	vcpus_resume(c->v);
	if (!err && e->event == KMIG_MIG_EVENT_FAILOVER)
		printf("failover checkpoint %" PRIu64 " reason %s\n",
		       e->checkpoint, e->reason);
	colo_summary(c, e, err);
	printf("colo-summary checkpoints=%" PRIu64 " pause-p50-ms=%.3f"
	       " pause-p99-ms=%.3f pause-max-ms=%.3f transfer-p99-ms=%.3f\n",
	       c->t.last, p->p50_ns / 1e6, p->p99_ns / 1e6, p->max_ns / 1e6,
	       c->lat[KMIG_COLO_METRIC_TRANSFER].p99_ns / 1e6);
	fflush(stdout);
	vcpus_stop(c->v);
	return colo_exit(c, e, err);
}

/* Dest --colo, from the mig-listen reply @e on. */
static int run_secondary(struct colo_ctx *c, struct mig_ev *e)
{
	int err = colo_session(c, e) != 0;

	/*
	 * A real secondary resumes its vCPUs after a failover and runs the
	 * guest alone; this one stops them and records what it holds.
	 */
	vcpus_pause(c->v);
	if (!err && e->event == KMIG_MIG_EVENT_FAILOVER) {
		colo_hash(c, "failover checkpoint", e->checkpoint);
		printf("failover checkpoint %" PRIu64 " reason %s\n",
		       e->checkpoint, e->reason);
	} else if (!err && e->event == KMIG_MIG_EVENT_CANCELLED) {
		printf("cancelled checkpoint %" PRIu64 " reason %s\n",
		       e->checkpoint, e->reason);
	}
	colo_summary(c, e, err);
	fflush(stdout);
	vcpus_stop(c->v);
	return colo_exit(c, e, err);
}

static int run_source(const struct vmm_opts *o)
{
	struct guest_ram r;
	struct vmm_nl k;
	struct vcpus *v;
	struct vcpu_cfg vc;
	struct nl_msg *m;
	struct mig_ev e;
	struct colo_ctx c;
	double t_pause = 0, t_paused = 0, t_hashed = 0, t_end, t_fill;
	int switched = 0, completed, err = 0, ret, pc_began = 0;
	char why[256];

	if (setup(&r, &k, o->size))
		return 1;
	if (o->colo && o->hash_file)
		ram_write_file(o->hash_file, "");	/* COLO appends */
	/* Guest RAM allocated up front, as QEMU's prealloc=on. */
	t_fill = now_ms();
	if (o->prealloc) {
		struct kmig_prealloc pa = { .first = 0,
					    .count = r.size / r.page_size };

		if (ioctl(r.fd, KMIG_IOC_PREALLOC, &pa)) {
			fprintf(stderr, "kmig-vmm: KMIG_IOC_PREALLOC: %s\n",
				strerror(errno));
			return 1;
		}
	}
	if (kmig_pages_fill(r.mem, r.size / r.page_size, r.page_size,
			    o->fill_random, o->fill_zero, o->seed)) {
		fprintf(stderr, "kmig-vmm: cannot fill the guest RAM\n");
		return 1;
	}
	printf("# source region %u: %zu MiB%s, %" PRIu64 " random pages, %" PRIu64
	       " zero pages, seed %" PRIu64 ", %u writers at %" PRIu64
	       " pages/s, filled in %.0f ms\n",
	       r.region, r.size >> 20, o->prealloc ? " preallocated" : "",
	       o->fill_random, o->fill_zero, o->seed, o->writers, o->rate,
	       now_ms() - t_fill);

	/* The "vCPUs". */
	vc = (struct vcpu_cfg){
		.ram = r.mem, .npages = r.size / r.page_size,
		.page_size = r.page_size, .threads = o->writers, .rate = o->rate,
		.pattern = o->pattern, .hot_pct = o->hot_pct, .seed = o->seed,
	};
	v = vcpus_start(&vc);
	if (!v) {
		fprintf(stderr, "kmig-vmm: cannot start the writers\n");
		return 1;
	}

	/* Subscribed (setup()), now start: mig-start live. */
	m = mig_req(&k, KMIG_CMD_MIG_START, r.region);
	nla_put_string(m, KMIG_A_MIG_ADDR, o->addr);
	nla_put_u16(m, KMIG_A_MIG_PORT, o->port);
	if (o->channels)
		nla_put_u32(m, KMIG_A_MIG_CHANNELS, o->channels);
	nla_put_flag(m, KMIG_A_MIG_LIVE);
	if (o->downtime_limit_ms)
		nla_put_u32(m, KMIG_A_MIG_DOWNTIME_LIMIT_MS, o->downtime_limit_ms);
	if (o->has_max_bandwidth)
		nla_put_u64(m, KMIG_A_MIG_MAX_BANDWIDTH, o->max_bandwidth);
	if (o->max_passes)
		nla_put_u32(m, KMIG_A_MIG_MAX_PASSES, o->max_passes);
	if (o->no_convergence >= 0)
		nla_put_u32(m, KMIG_A_MIG_NO_CONVERGENCE, o->no_convergence);
	if (o->colo) {
		nla_put_flag(m, KMIG_A_MIG_COLO);
		if (o->checkpoint_interval_ms)
			nla_put_u32(m, KMIG_A_MIG_CHECKPOINT_INTERVAL_MS,
				   o->checkpoint_interval_ms);
	}
	if (o->integrity)
		nla_put_flag(m, KMIG_A_MIG_INTEGRITY);
	if (o->postcopy) {
		nla_put_flag(m, KMIG_A_MIG_POSTCOPY);
		if (o->postcopy_after >= 0)
			nla_put_u32(m, KMIG_A_MIG_POSTCOPY_AFTER, o->postcopy_after);
	}
	if (o->pc_pause_timeout_ms)
		nla_put_u32(m, KMIG_A_MIG_POSTCOPY_PAUSE_TIMEOUT_MS,
			    o->pc_pause_timeout_ms);
	mig_put_auth(m);
	nlmsg_get(m);	/* kept to wipe the key once sent */
	ret = mig_send(&k, m, NULL, why, sizeof(why));
	kmig_nl_msg_wipe(m);
	if (ret) {
		fprintf(stderr, "kmig-vmm: mig-start: %s%s%s\n", strerror(-ret),
			why[0] ? ": " : "", why);
		vcpus_stop(v);
		return 1;
	}

	memset(&e, 0, sizeof(e));
	for (;;) {
		if (next_event(&k, r.region, &e)) {
			e.event = -1;	/* no way to know: an error */
			err = 1;
			break;
		}
		/* From here the source's copy may no longer be the guest. */
		if (e.event == KMIG_MIG_EVENT_POSTCOPY_ACTIVE ||
		    e.event == KMIG_MIG_EVENT_POSTCOPY_PAUSED)
			pc_began = 1;
		if (final_event(&e))
			break;
		if (o->colo && e.state == KMIG_MIG_STATE_COLO)
			break;		/* checkpoint 0: colo_session() */
		if (switched || o->no_switchover)
			continue;
		if (e.event == KMIG_MIG_EVENT_SWITCHOVER_READY ||
		    (e.event == KMIG_MIG_EVENT_PASS_DONE && o->pause_on_pass >= 0 &&
		     e.pass >= (uint64_t)o->pause_on_pass)) {
			/* Pause the guest, record its contents, switch over. */
			t_pause = now_ms();
			vcpus_pause(v);
			t_paused = now_ms();
			/*
			 * Postcopy: switch over first, the hash after (the
			 * guest stays paused here); precopy would otherwise
			 * send every dirty page while the hash is taken.
			 */
			if (o->postcopy)
				ret = mig_switchover(&k, r.region, why, sizeof(why));
			hash_out(&r, o->hash_file, o->colo ? "checkpoint 0 " : "",
				 o->colo);
			t_hashed = now_ms();
			if (!o->postcopy)
				ret = mig_switchover(&k, r.region, why, sizeof(why));
			printf("switchover %s writes=%" PRIu64 " pause-latency-ms=%.3f hash-ms=%.3f%s%s\n",
			       ret ? strerror(-ret) : "sent", vcpus_writes(v),
			       t_paused - t_pause, t_hashed - t_paused,
			       why[0] ? " why=" : "", why);
			fflush(stdout);
			switched = 1;
		}
	}
	t_end = now_ms();
	if (o->colo) {
		c = (struct colo_ctx){ .o = o, .r = &r, .k = &k, .v = v,
				       .primary = 1 };
		return run_primary(&c, &e, err);
	}
	completed = e.event == KMIG_MIG_EVENT_COMPLETED;

	printf("summary result=%s passes=%" PRIu64 " downtime-ms=%.3f paused-ms=%.3f writes=%" PRIu64 "\n",
	       result_of(&e, 0), e.passes, e.downtime_ns / 1e6,
	       switched ? t_end - t_pause : 0.0, vcpus_writes(v));
	fflush(stdout);

	/*
	 * A real VMM quits after COMPLETED and resumes its vCPUs after a
	 * failure; the test wants the choice (--resume/--exit). Never after
	 * postcopy began: the guest ran on the destination since.
	 */
	if (pc_began && !completed) {
		printf("postcopy began: the guest is lost here too, not resumed\n");
	} else if (o->resume) {
		vcpus_resume(v);
		sleep(1);
		printf("resumed writes=%" PRIu64 "\n", vcpus_writes(v));
	}
	vcpus_stop(v);
	return completed ? 0 : 1;
}

static int run_dest(const struct vmm_opts *o)
{
	struct guest_ram r;
	struct vmm_nl k;
	struct vcpus *v = NULL;
	struct vcpu_cfg vc;
	struct colo_ctx c;
	struct nl_msg *m;
	struct mig_ev e;
	char why[256];
	int ret, running = 0;

	if (setup(&r, &k, o->size))
		return 1;
	if (o->postcopy) {
		/*
		 * Postcopy's "vCPUs" on the destination: parked until
		 * postcopy-active; each page's contents before their first
		 * write to it are recorded (vcpus_prior_hash()).
		 */
		vc = (struct vcpu_cfg){
			.ram = r.mem, .npages = r.size / r.page_size,
			.page_size = r.page_size, .threads = o->writers,
			.rate = o->rate, .pattern = o->pattern,
			.hot_pct = o->hot_pct, .seed = o->seed + 0x20000,
			.gen_base = 1ULL << 48, .start_paused = 1,
			.record_prior = !o->no_hash,
		};
		v = vcpus_start(&vc);
		if (!v) {
			fprintf(stderr, "kmig-vmm: cannot start the writers\n");
			return 1;
		}
	}
	if (o->colo) {
		if (o->hash_file)
			ram_write_file(o->hash_file, "");	/* COLO appends */
		/*
		 * The secondary's "vCPUs", parked until COLO begins; their
		 * pages and contents differ from a primary's with the same
		 * --seed (other seed, generations from 2^48).
		 */
		vc = (struct vcpu_cfg){
			.ram = r.mem, .npages = r.size / r.page_size,
			.page_size = r.page_size, .threads = o->writers,
			.rate = o->rate, .pattern = o->pattern,
			.hot_pct = o->hot_pct, .seed = o->seed + 0x10000,
			.gen_base = 1ULL << 48, .start_paused = 1,
		};
		v = vcpus_start(&vc);
		if (!v) {
			fprintf(stderr, "kmig-vmm: cannot start the writers\n");
			return 1;
		}
	}
	/* Subscribed (setup()), now listen. */
	m = mig_req(&k, KMIG_CMD_MIG_LISTEN, r.region);
	if (o->addr[0])
		nla_put_string(m, KMIG_A_MIG_ADDR, o->addr);
	nla_put_u16(m, KMIG_A_MIG_PORT, o->port);
	if (o->channels)
		nla_put_u32(m, KMIG_A_MIG_CHANNELS, o->channels);
	if (o->colo)
		nla_put_flag(m, KMIG_A_MIG_COLO);
	if (o->integrity)
		nla_put_flag(m, KMIG_A_MIG_INTEGRITY);
	if (o->pc_pause_timeout_ms)
		nla_put_u32(m, KMIG_A_MIG_POSTCOPY_PAUSE_TIMEOUT_MS,
			    o->pc_pause_timeout_ms);
	mig_put_auth(m);
	memset(&e, 0, sizeof(e));
	nlmsg_get(m);	/* kept to wipe the key once sent */
	ret = mig_send(&k, m, &e, why, sizeof(why));
	kmig_nl_msg_wipe(m);
	if (ret) {
		fprintf(stderr, "kmig-vmm: mig-listen: %s%s%s\n", strerror(-ret),
			why[0] ? ": " : "", why);
		if (v)
			vcpus_stop(v);
		return 1;
	}
	printf("port %u\n", e.port);
	fflush(stdout);
	if (o->colo) {
		c = (struct colo_ctx){ .o = o, .r = &r, .k = &k, .v = v };
		return run_secondary(&c, &e);
	}

	do {
		if (next_event(&k, r.region, &e)) {
			if (v)
				vcpus_stop(v);
			return 1;
		}
		/*
		 * Postcopy: the guest runs here from now on (also after a
		 * pause and its resume: its vCPUs never stopped).
		 */
		if (v && e.event == KMIG_MIG_EVENT_POSTCOPY_ACTIVE && !running) {
			vcpus_resume(v);
			running = 1;
			printf("postcopy-active resumed\n");
			fflush(stdout);
		}
	} while (!final_event(&e));

	if (v)
		vcpus_pause(v);
	printf("summary result=%s passes=%" PRIu64 "\n", name_of(&kmig_mig_event_enum, e.event),
	       e.passes);
	fflush(stdout);
	if (e.event != KMIG_MIG_EVENT_COMPLETED) {
		if (v)
			vcpus_stop(v);
		return 1;
	}
	/* The guest would run here now. */
	hash_out(&r, o->hash_file, "", 0);
	if (v && !o->no_hash) {
		postcopy_prior_out(o->hash_file, v);
	} else if (v) {
		printf("postcopy writes %" PRIu64 "\n", vcpus_writes(v));
		fflush(stdout);
		vcpus_stop(v);
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct vmm_opts o;
	char err[256];
	int ret;

	ret = opts_parse(argc, argv, &o, err, sizeof(err));
	if (ret > 0) {
		fputs(vmm_usage, stdout);
		return 0;
	}
	if (ret < 0) {
		fprintf(stderr, "kmig-vmm: %s\n%s", err, vmm_usage);
		return 2;
	}
	if (o.key_file) {
		if (opts_read_key(o.key_file, mig_key.b, err, sizeof(err))) {
			fprintf(stderr, "kmig-vmm: %s\n", err);
			return 1;
		}
		mig_key.set = 1;
	}
	no_hash = o.no_hash;
	return o.mode == VMM_SOURCE ? run_source(&o) : run_dest(&o);
}
