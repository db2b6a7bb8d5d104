// SPDX-License-Identifier: GPL-2.0
/*
 * kmig-vmm: an example VMM, the reference integration of kmig for VMM
 * authors. It has no vCPUs: writer threads stand in for them.
 *
 *   kmig-vmm source --size MB --to ADDR:PORT [options]   (see opts.c)
 *   kmig-vmm dest --size MB [--port PORT] [options]
 *
 * Files: this one is the integration (part 1, about a hundred lines to
 * copy into a VMM) and the two modes built on it (part 2); nl.c is a small
 * raw generic netlink client (no libnl); vcpu.c, ram.c and opts.c are test
 * machinery (writers, fill, content hash, command line).
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
 *     KMIG_CMD_MIG_LISTEN (its reply carries the bound port).
 *  4. Source: on SWITCHOVER_READY pause the vCPUs, then send
 *     KMIG_CMD_MIG_SWITCHOVER; kmig sends what is still dirty and
 *     completes. On COMPLETED the guest runs on the destination; on FAILED
 *     or CANCELLED resume the vCPUs (the guest stays here).
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
 * Events are datagrams: when the socket's buffer overflows recv() fails
 * with ENOBUFS and some are lost. So a VMM should not rely on seeing each
 * one: this example reads the status with KMIG_CMD_MIG_GET when events
 * were lost or none came for a while, and acts on it (terminal state,
 * switchover-ready, passes) the same way.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <linux/kmig.h>

#include "nl.h"
#include "opts.h"
#include "ram.h"
#include "vcpu.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

/* ====================================================================
 * Part 1: the integration
 * ==================================================================== */

struct guest_ram {
	int fd;
	unsigned char *mem;
	size_t size, page_size;
	uint32_t region;	/* KMIG_A_MIG_REGION_ID */
};

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

struct kmig_nl {
	int cmd;		/* requests and their replies */
	int ev;			/* the "events" group, nothing else */
	uint16_t family;
};

/* 2. Resolve the family and its "events" group; join it. */
static int kmig_nl_open(struct kmig_nl *k)
{
	uint32_t group;
	int rcvbuf = 1 << 20, ret;

	k->cmd = nl_open();
	k->ev = nl_open();
	if (k->cmd < 0 || k->ev < 0)
		return k->cmd < 0 ? k->cmd : k->ev;
	ret = nl_resolve(k->cmd, KMIG_FAMILY_NAME, KMIG_MCGRP_EVENTS,
			 &k->family, &group);
	if (ret)
		return ret;
	setsockopt(k->ev, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (setsockopt(k->ev, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &group,
		       sizeof(group)))
		return -errno;
	return 0;
}

/* What the VMM reads from an event (or a mig-get status). */
struct mig_ev {
	int event;		/* enum kmig_mig_event, -1 for a plain status */
	uint32_t region, role, state, switchover_ready;
	uint64_t pass, passes, dirty_rate, remaining, expected_ns, downtime_ns;
	uint16_t port;
	char reason[128];
};

static void mig_ev_parse(const struct nlmsghdr *n, struct mig_ev *e)
{
	const struct nlattr *tb[KMIG_A_MIG_MAX + 1];

	nl_parse_genl(n, tb, KMIG_A_MIG_MAX);
	e->event = nl_uint(tb[KMIG_A_MIG_EVENT], -1);
	e->region = nl_uint(tb[KMIG_A_MIG_REGION_ID], 0);
	e->role = nl_uint(tb[KMIG_A_MIG_ROLE], 0);
	e->state = nl_uint(tb[KMIG_A_MIG_STATE], 0);
	e->switchover_ready = nl_uint(tb[KMIG_A_MIG_SWITCHOVER_READY], 0);
	e->pass = nl_uint(tb[KMIG_A_MIG_PASS], 0);
	e->passes = nl_uint(tb[KMIG_A_MIG_PASSES], 0);
	e->dirty_rate = nl_uint(tb[KMIG_A_MIG_DIRTY_RATE], 0);
	e->remaining = nl_uint(tb[KMIG_A_MIG_REMAINING_BYTES], 0);
	e->expected_ns = nl_uint(tb[KMIG_A_MIG_EXPECTED_DOWNTIME_NS], 0);
	e->downtime_ns = nl_uint(tb[KMIG_A_MIG_DOWNTIME_NS], 0);
	e->port = nl_uint(tb[KMIG_A_MIG_PORT], 0);
	snprintf(e->reason, sizeof(e->reason), "%s", nl_str(tb[KMIG_A_MIG_REASON]));
}

/*
 * 3. Commands: mig_req() starts a request on @region (KMIG_CMD_MIG_START,
 * _LISTEN, _SWITCHOVER, _GET); put its other attributes, then mig_send()
 * it. The reply, the migration's status, is parsed into @st (may be NULL).
 */
static struct nl_msg *mig_req(struct kmig_nl *k, uint8_t cmd, uint32_t region)
{
	static struct nl_msg req;

	nl_msg_init(&req, k->family, cmd);
	nl_put_u32(&req, KMIG_A_MIG_REGION_ID, region);
	return &req;
}

static int mig_send(struct kmig_nl *k, struct nl_msg *req, struct mig_ev *st,
		    char *why, size_t wl)
{
	static struct nl_msg reply;
	int ret = nl_call(k->cmd, req, &reply, why, wl);

	if (!ret && st && reply.len)
		mig_ev_parse((struct nlmsghdr *)reply.buf, st);
	return ret;
}

/*
 * 4. Wait up to @ms for the next event of @region. Returns 1 (@e filled),
 * 0 if none came, -ENOBUFS if events were lost, or another -errno.
 * When none came or some were lost, read the status: see the top comment.
 */
static int mig_event_wait(struct kmig_nl *k, uint32_t region,
			  struct mig_ev *e, int ms)
{
	static char buf[65536];
	struct pollfd p = { .fd = k->ev, .events = POLLIN };
	const struct nlmsghdr *n;
	struct genlmsghdr *g;
	ssize_t len;

	for (;;) {
		if (poll(&p, 1, ms) <= 0)
			return 0;
		len = recv(k->ev, buf, sizeof(buf), MSG_DONTWAIT);
		if (len < 0)
			return errno == EAGAIN || errno == EINTR ? 0 : -errno;
		for (n = (void *)buf; NLMSG_OK(n, (size_t)len); n = NLMSG_NEXT(n, len)) {
			g = NLMSG_DATA(n);
			if (n->nlmsg_type != k->family || g->cmd != KMIG_CMD_MIG_EVENT)
				continue;
			mig_ev_parse(n, e);
			if (e->region == region)
				return 1;
		}
	}
}

/*
 * 5. Source, on SWITCHOVER_READY: pause every vCPU first (vcpus_pause()
 * here) so that no guest write follows, then call this: kmig sends the
 * pages still dirty and completes (event COMPLETED, with downtime-ns).
 * On FAILED or CANCELLED resume the vCPUs.
 */
static int mig_switchover(struct kmig_nl *k, uint32_t region, char *why,
			  size_t wl)
{
	return mig_send(k, mig_req(k, KMIG_CMD_MIG_SWITCHOVER, region), NULL,
			why, wl);
}

/* ====================================================================
 * Part 2: the two modes (printing, timing, the test machinery)
 * ==================================================================== */

static const char *const ev_names[] = {
	[KMIG_MIG_EVENT_STATE] = "state",
	[KMIG_MIG_EVENT_PASS_DONE] = "pass-done",
	[KMIG_MIG_EVENT_SWITCHOVER_READY] = "switchover-ready",
	[KMIG_MIG_EVENT_COMPLETED] = "completed",
	[KMIG_MIG_EVENT_FAILED] = "failed",
	[KMIG_MIG_EVENT_CANCELLED] = "cancelled",
};

static const char *const state_names[] = {
	[KMIG_MIG_STATE_NONE] = "none",
	[KMIG_MIG_STATE_LISTENING] = "listening",
	[KMIG_MIG_STATE_SETUP] = "setup",
	[KMIG_MIG_STATE_ACTIVE] = "active",
	[KMIG_MIG_STATE_COMPLETED] = "completed",
	[KMIG_MIG_STATE_FAILED] = "failed",
	[KMIG_MIG_STATE_CANCELLED] = "cancelled",
};

#define NAME(tab, i) ((i) < sizeof(tab) / sizeof(tab[0]) && tab[i] ? tab[i] : "?")

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* COMPLETED, FAILED and CANCELLED end the migration; one always comes. */
static int final_event(const struct mig_ev *e)
{
	return e->event == KMIG_MIG_EVENT_COMPLETED ||
	       e->event == KMIG_MIG_EVENT_FAILED ||
	       e->event == KMIG_MIG_EVENT_CANCELLED;
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
	       what, e->event < 0 ? "status" : NAME(ev_names, (unsigned int)e->event),
	       e->region, NAME(state_names, e->state), e->pass, e->passes,
	       e->dirty_rate, e->remaining, e->expected_ns / 1e6,
	       e->downtime_ns / 1e6);
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
static int next_event(struct kmig_nl *k, uint32_t region, struct mig_ev *e)
{
	char why[256];
	int ret;

	ret = mig_event_wait(k, region, e, 2000);
	if (ret == 1) {
		print_ev("event", e);
		return 0;
	}
	if (ret == -ENOBUFS)
		printf("# events lost, reading the status\n");
	else if (ret < 0)
		return ret;
	ret = mig_send(k, mig_req(k, KMIG_CMD_MIG_GET, region), e, why,
		       sizeof(why));
	if (ret) {
		fprintf(stderr, "kmig-vmm: mig-get: %s%s%s\n", strerror(-ret),
			why[0] ? ": " : "", why);
		return ret;
	}
	if (e->state == KMIG_MIG_STATE_COMPLETED)
		e->event = KMIG_MIG_EVENT_COMPLETED;
	else if (e->state == KMIG_MIG_STATE_FAILED)
		e->event = KMIG_MIG_EVENT_FAILED;
	else if (e->state == KMIG_MIG_STATE_CANCELLED)
		e->event = KMIG_MIG_EVENT_CANCELLED;
	else if (e->switchover_ready)
		e->event = KMIG_MIG_EVENT_SWITCHOVER_READY;
	else if (e->passes)
		e->event = KMIG_MIG_EVENT_PASS_DONE, e->pass = e->passes - 1;
	print_ev("status", e);
	return 0;
}

static int setup(struct guest_ram *r, struct kmig_nl *k, size_t size)
{
	int ret = ram_map(r, size);

	if (ret) {
		fprintf(stderr, "kmig-vmm: guest RAM from %s: %s\n",
			KMIG_DEVICE_PATH, strerror(-ret));
		return ret;
	}
	ret = kmig_nl_open(k);
	if (ret) {
		fprintf(stderr, "kmig-vmm: generic netlink family %s, group %s: %s\n",
			KMIG_FAMILY_NAME, KMIG_MCGRP_EVENTS, strerror(-ret));
		return ret;
	}
	printf("id %u\n", r->region);
	fflush(stdout);
	return 0;
}

static void hash_out(const struct guest_ram *r, const char *file)
{
	struct ram_hash h;
	char line[128];
	int ret;

	ret = ram_hash_region(r->fd, r->mem, r->size / r->page_size,
			      r->page_size, &h);
	if (ret)
		snprintf(line, sizeof(line), "error KMIG_IOC_PAGE_BITMAP: %s\n",
			 strerror(-ret));
	else
		ram_hash_line(&h, line, sizeof(line));
	printf("%s", line);
	fflush(stdout);
	if (file && (ret = ram_write_file(file, line)))
		fprintf(stderr, "kmig-vmm: %s: %s\n", file, strerror(-ret));
}

static int run_source(const struct vmm_opts *o)
{
	struct guest_ram r;
	struct kmig_nl k;
	struct vcpus *v;
	struct vcpu_cfg vc;
	struct nl_msg *m;
	struct mig_ev e;
	double t_pause = 0, t_paused = 0, t_hashed = 0, t_end;
	int switched = 0, completed, ret;
	char why[256];

	if (setup(&r, &k, o->size))
		return 1;
	if (ram_fill(r.mem, r.size / r.page_size, r.page_size, o->fill_random,
		     o->fill_zero, o->seed)) {
		fprintf(stderr, "kmig-vmm: cannot fill the guest RAM\n");
		return 1;
	}
	printf("# source region %u: %zu MiB, %" PRIu64 " random pages, %" PRIu64
	       " zero pages, seed %" PRIu64 ", %u writers at %" PRIu64 " pages/s\n",
	       r.region, r.size >> 20, o->fill_random, o->fill_zero, o->seed,
	       o->writers, o->rate);

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
	nl_put_str(m, KMIG_A_MIG_ADDR, o->addr);
	nl_put_u16(m, KMIG_A_MIG_PORT, o->port);
	if (o->channels)
		nl_put_u32(m, KMIG_A_MIG_CHANNELS, o->channels);
	nl_put_flag(m, KMIG_A_MIG_LIVE);
	if (o->downtime_limit_ms)
		nl_put_u32(m, KMIG_A_MIG_DOWNTIME_LIMIT_MS, o->downtime_limit_ms);
	if (o->has_max_bandwidth)
		nl_put_u64(m, KMIG_A_MIG_MAX_BANDWIDTH, o->max_bandwidth);
	if (o->max_passes)
		nl_put_u32(m, KMIG_A_MIG_MAX_PASSES, o->max_passes);
	if (o->no_convergence >= 0)
		nl_put_u32(m, KMIG_A_MIG_NO_CONVERGENCE, o->no_convergence);
	ret = mig_send(&k, m, NULL, why, sizeof(why));
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
			break;
		}
		if (final_event(&e))
			break;
		if (switched || o->no_switchover)
			continue;
		if (e.event == KMIG_MIG_EVENT_SWITCHOVER_READY ||
		    (e.event == KMIG_MIG_EVENT_PASS_DONE && o->pause_on_pass >= 0 &&
		     e.pass >= (uint64_t)o->pause_on_pass)) {
			/* Pause the guest, record its contents, switch over. */
			t_pause = now_ms();
			vcpus_pause(v);
			t_paused = now_ms();
			hash_out(&r, o->hash_file);
			t_hashed = now_ms();
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
	completed = e.event == KMIG_MIG_EVENT_COMPLETED;

	printf("summary result=%s passes=%" PRIu64 " downtime-ms=%.3f paused-ms=%.3f writes=%" PRIu64 "\n",
	       final_event(&e) ? ev_names[e.event] : "error", e.passes, e.downtime_ns / 1e6,
	       switched ? t_end - t_pause : 0.0, vcpus_writes(v));
	fflush(stdout);

	/*
	 * A real VMM quits after COMPLETED and resumes its vCPUs after a
	 * failure; the test wants the choice (--resume/--exit).
	 */
	if (o->resume) {
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
	struct kmig_nl k;
	struct nl_msg *m;
	struct mig_ev e;
	char why[256];
	int ret;

	if (setup(&r, &k, o->size))
		return 1;
	/* Subscribed (setup()), now listen. */
	m = mig_req(&k, KMIG_CMD_MIG_LISTEN, r.region);
	if (o->addr[0])
		nl_put_str(m, KMIG_A_MIG_ADDR, o->addr);
	nl_put_u16(m, KMIG_A_MIG_PORT, o->port);
	if (o->channels)
		nl_put_u32(m, KMIG_A_MIG_CHANNELS, o->channels);
	memset(&e, 0, sizeof(e));
	ret = mig_send(&k, m, &e, why, sizeof(why));
	if (ret) {
		fprintf(stderr, "kmig-vmm: mig-listen: %s%s%s\n", strerror(-ret),
			why[0] ? ": " : "", why);
		return 1;
	}
	printf("port %u\n", e.port);
	fflush(stdout);

	do {
		if (next_event(&k, r.region, &e))
			return 1;
	} while (!final_event(&e));

	printf("summary result=%s passes=%" PRIu64 "\n", ev_names[e.event],
	       e.passes);
	fflush(stdout);
	if (e.event != KMIG_MIG_EVENT_COMPLETED)
		return 1;
	/* The guest would run here now. */
	hash_out(&r, o->hash_file);
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
	return o.mode == VMM_SOURCE ? run_source(&o) : run_dest(&o);
}
