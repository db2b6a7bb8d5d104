// SPDX-License-Identifier: GPL-2.0
/*
 * Test double of libkmig's nl.c (tools/lib/kmig): answers kmig requests
 * from canned data, so that the output of every command (text and JSON)
 * can be checked without the module. Linked into migctl-fake by "make check"; never installed.
 *
 * MIGCTL_FAKE selects the behaviour (comma-separated words):
 *   nomodule   the family is not found
 *   eperm      admin operations fail with EPERM
 *   empty      no regions
 *   sparse     replies carry only some attributes
 *   nogroup    the family has no "events" multicast group
 *
 * Migrations (MIG_GET, by region id):
 *   1  source, completed, every attribute, 4 channels
 *   3  destination, failed, with a reason
 *   5  runs while polled: setup, active 25%, active 50%, then completed
 *   6  runs while polled: active 10%, then failed
 *   4  live source, active, pass 3, switchover ready
 *   7  no migration (state none)
 *   10 COLO primary (live source), state colo, checkpoint 12, latencies
 *      of the three metrics
 *   11 COLO secondary (destination), state colo, checkpoint 12, cache
 *      pages, latencies transfer, flush and a metric 7 newer than migctl
 *      (sent out of order); sparse: no bytes, cache pages, flush p99/max
 *   12 COLO secondary, failover, holding checkpoint 11
 *   13 postcopy source (live), completed: postcopy chosen after 1 pass,
 *      its downtime, requests answered, pages served and pushed
 *   14 postcopy destination, completed: the same from its side, nothing
 *      missing, faults, discarded copies, the fault latency; sparse: no
 *      fault yet (latency count 0, every value 0, as the module sends it)
 *   15 postcopy destination, failed during postcopy: 1234 pages lost
 *   16 postcopy source, postcopy-paused (paused twice, pause timeout 90 s)
 *   17 postcopy destination, postcopy-paused (once, pause timeout 1500 ms),
 *      2345 pages still missing
 *   other: ENOENT
 * Every postcopy migration reports its pause timeout (600000 unless said)
 * and its pauses (0 unless said), as the module does.
 * The dump lists 3 and 1. LISTEN and START answer with what they were
 * sent (addr, port, channels, zero-page detection, id) and make the region
 * one that runs while polled (6 fails, others complete); port 1 of START
 * is refused (ECONNREFUSED with a message), regions other than 1, 3, 5, 6
 * and 7 do not exist. CANCEL of 5 or 6 answers cancelled, of 1 and 3
 * EALREADY, of 7 ENOENT. Error messages are the module's.
 *
 * START with --live echoes the live options and makes the migration live:
 * each poll is one more pass, switchover-ready from the second, and it
 * completes at the fourth (as if the VMM had switched over; 6 still fails
 * at the second). SWITCHOVER of 5 or 6 makes it live and switched over:
 * the next poll completes it (6 fails), with the downtime; of 1 EALREADY,
 * of 3 EINVAL (not a live source), of 7 ENOENT.
 *
 * START with postcopy echoes postcopy-after (absent: 4294967295, never by a
 * pass count, as the module) and postcopy-prefetch (absent: 16) with the
 * source's four postcopy counters at 0; postcopy is never chosen.
 * POSTCOPY of 5 or 6 makes it a live migration started with postcopy
 * (active, pass 1) and answers its status; of 4 EINVAL (started without
 * postcopy), of 3 EINVAL (a destination), of 7 and the ended ones ENOENT.
 *
 * LISTEN or START with colo makes the running migration a COLO one: active
 * for two polls (START: passes 1 and 2, switchover-ready at 2), then colo
 * with checkpoint 0, then checkpoint 1, then failover (reason "peer closed
 * channel 0", checkpoint 1). COLO_CHECKPOINT of 10 answers its status;
 * COLO_PAUSED of 10 or 11 accepts only checkpoint 13 (the one paused
 * for). Otherwise both fail with the module's errors: 11 (checkpoint
 * only) EINVAL, not the primary; 12 (ended) ENOENT; 4 EBUSY, COLO not
 * started; 1 and 3 EINVAL, not COLO.
 *
 * POSTCOPY_RESUME of 16 or 17 answers its status (17 with the port it was
 * sent, the one it listens on from then on) and captures what it was
 * sent (below: "resume", then " addr ADDR" and " port PORT" when given).
 * Otherwise the module's errors: an addr that is neither IPv4 nor IPv6
 * EINVAL (checked first); addr sent to 17 EINVAL, a destination; the
 * running migrations that are not paused (4, 5, 6, 10, 11) EINVAL; the
 * others ENOENT, no running migration.
 *
 * LISTEN and START need exactly one of key (32 bytes) and insecure, as
 * the module does (ENOKEY without either, EINVAL with both), checked
 * before the region. With MIGCTL_FAKE_CAPTURE=FILE, what was sent is
 * written to FILE: "key HEX" or "insecure". The migration then reports
 * auth 1 (key) or 0 (insecure), auth-failures 0; one polled without a
 * LISTEN or START reports auth 1. The canned migrations report auth 1
 * (1, 3 with 3 failures, 4, 10) or 0 (11), 12 neither (an older module);
 * sparse: 3 without them.
 *
 * The events group delivers a canned list of notifications (see
 * fake_events), a MIG_GET message among them, then the stream ends.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <netlink/genl/genl.h>

#include <linux/kmig.h>

#include "../migctl.h"
#include "nl.h"

static bool fake(const char *word)
{
	const char *env = getenv("MIGCTL_FAKE");
	size_t n = strlen(word);
	const char *p;

	for (p = env; p && (p = strstr(p, word)); p += n)
		if ((p == env || p[-1] == ',') && (!p[n] || p[n] == ','))
			return true;
	return false;
}

int kmig_nl_open_family(struct kmig_nl *nl, const char *name)
{
	if (fake("nomodule")) {
		err_line("kmig module not loaded (generic netlink family \"%s\" not found); load it with 'modprobe kmig' or 'insmod kmig.ko'",
			 name);
		return -1;
	}
	nl->sk = NULL;
	nl->family = 0x42;
	return 0;
}

int kmig_nl_open(struct kmig_nl *nl)
{
	return kmig_nl_open_family(nl, KMIG_FAMILY_NAME);
}

void kmig_nl_close(struct kmig_nl *nl)
{
	(void)nl;
}

struct nl_msg *kmig_nl_msg(struct kmig_nl *nl, uint8_t cmd, int flags)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (msg)
		genlmsg_put(msg, 0, 0, nl->family, 0, flags, cmd, 1);
	return msg;
}

long kmig_nl_next_attr_off(struct nl_msg *msg)
{
	return NLMSG_ALIGN(nlmsg_hdr(msg)->nlmsg_len);
}

static void err_init(struct kmig_nl_err *err)
{
	memset(err, 0, sizeof(*err));
	err->bad_off = -1;
	err->miss_type = -1;
}

static int fail(struct kmig_nl_err *err, int e, const char *msg, long off)
{
	err->kerr = e;
	if (msg)
		snprintf(err->msg, sizeof(err->msg), "%s", msg);
	err->bad_off = off;
	return -1;
}

/* Hand @reply (consumed) to @cb like a received message. */
static int deliver(struct nl_msg *reply, int maxattr, kmig_nl_cb cb,
		   void *arg)
{
	struct nlattr *tb[KMIG_NL_MAXATTR + 1];
	int ret = 0;

	if (genlmsg_parse(nlmsg_hdr(reply), 0, tb, maxattr, NULL) < 0)
		ret = -1;
	else if (cb)
		ret = cb(nlmsg_hdr(reply), tb, arg);
	nlmsg_free(reply);
	return ret < 0 ? -1 : 0;
}

static struct nl_msg *region_msg(uint32_t id)
{
	struct nl_msg *m = nlmsg_alloc();
	bool sparse = fake("sparse");

	genlmsg_put(m, 0, 0, 0x42, 0, 0, KMIG_CMD_REGION_GET, 1);
	nla_put_u32(m, KMIG_A_REGION_ID, id);
	if (id == 1) {
		nla_put_u64(m, KMIG_A_REGION_SIZE, 1ull << 30);
		nla_put_u64(m, KMIG_A_REGION_POPULATED_PAGES, 262144);
		nla_put_u32(m, KMIG_A_REGION_OWNER_PID, 1234);
		nla_put_string(m, KMIG_A_REGION_OWNER_COMM, "qemu-system-x86");
		nla_put_u32(m, KMIG_A_REGION_MAPPINGS, 1);
		nla_put_u64(m, KMIG_A_REGION_FAULTS, 262150);
		nla_put_u64(m, KMIG_A_REGION_ALLOC_FAILURES, 0);
		if (!sparse) {
			nla_put_u64(m, KMIG_A_REGION_ZERO_PAGES, 10);
			nla_put_u64(m, KMIG_A_REGION_ZERO_BYTES, 40960);
			nla_put_u64(m, KMIG_A_REGION_NORMAL_PAGES, 20);
			nla_put_u64(m, KMIG_A_REGION_NORMAL_BYTES, 81920);
		}
		nla_put_u32(m, KMIG_A_REGION_PAGE_SIZE, 4096);
	} else {
		/* before the first mmap, odd owner name */
		nla_put_u64(m, KMIG_A_REGION_SIZE, 0);
		nla_put_u64(m, KMIG_A_REGION_POPULATED_PAGES, 0);
		nla_put_u32(m, KMIG_A_REGION_OWNER_PID, 0);
		nla_put_string(m, KMIG_A_REGION_OWNER_COMM, "we\"ird\tname");
		nla_put_u32(m, KMIG_A_REGION_MAPPINGS, 0);
		nla_put_u64(m, KMIG_A_REGION_FAULTS, 0);
		nla_put_u32(m, KMIG_A_REGION_PAGE_SIZE, 4096);
	}
	return m;
}

static struct nl_msg *reply_msg(uint8_t cmd)
{
	struct nl_msg *m = nlmsg_alloc();

	genlmsg_put(m, 0, 0, 0x42, 0, 0, cmd, 1);
	return m;
}

static int params_reply(int maxattr, kmig_nl_cb cb, void *arg)
{
	struct nl_msg *m = reply_msg(KMIG_CMD_PARAMS_GET);

	nla_put_u32(m, KMIG_A_PARAMS_CHANNELS, 2);
	nla_put_u32(m, KMIG_A_PARAMS_ZERO_PAGE_DETECTION, KMIG_ZERO_DETECT_MAIN);
	nla_put_u32(m, KMIG_A_PARAMS_ZERO_CHECK, KMIG_ZERO_CHECK_AUTO);
	nla_put_u32(m, KMIG_A_PARAMS_ZERO_CHECK_ACTIVE, KMIG_ZERO_CHECK_AVX2);
	if (!fake("sparse")) {
		nla_put_u32(m, KMIG_A_PARAMS_ZERO_CHECK_AVAILABLE, 0x0f);
		nla_put_u64(m, KMIG_A_PARAMS_REGION_SIZE_MAX, 64ull << 30);
		nla_put_u32(m, KMIG_A_PARAMS_MAX_REGIONS_PER_USER, 64);
		nla_put_u64(m, KMIG_A_PARAMS_MAX_MEMORY, 20ull << 30);
		nla_put_u32(m, KMIG_A_PARAMS_MAX_CHANNELS, 64);
		nla_put_u32(m, KMIG_A_PARAMS_MAX_MIGRATIONS, 0);
		nla_put_u32(m, KMIG_A_PARAMS_MAX_HANDSHAKES, 64);
		nla_put_u32(m, KMIG_A_PARAMS_HANDSHAKE_TIMEOUT_MS, 10000);
	}
	return deliver(m, maxattr, cb, arg);
}

/* ---- migrations ---- */

static const uint8_t fake_id[16] = {
	0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
	0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff,
};

/* The migration started (listen/start) or watched by this process. */
static struct {
	uint32_t region;
	uint32_t role;
	char addr[64];
	uint16_t port;
	uint32_t channels;
	int zero_detect;		/* -1: not given */
	bool have_id;
	uint8_t id[16];
	int polls;			/* MIG_GET answered so far */
	bool live;
	uint32_t downtime_limit;
	uint64_t max_bandwidth;
	uint32_t max_passes;
	uint32_t no_convergence;
	bool switched;			/* SWITCHOVER received */
	bool colo;
	uint32_t checkpoint_interval;
	bool auth;			/* a key was sent */
	bool postcopy;
	uint32_t postcopy_after;
	uint32_t prefetch;
} run = { .zero_detect = -1 };

static void put_channel(struct nl_msg *m, uint32_t id, uint32_t cpu,
			uint64_t pages, uint64_t zero, uint64_t bytes,
			uint64_t packets)
{
	struct nlattr *n = nla_nest_start(m, KMIG_A_MIG_CHANNEL);

	nla_put_u32(m, KMIG_A_MIG_CHANNEL_ID, id);
	nla_put_u32(m, KMIG_A_MIG_CHANNEL_CPU, cpu);
	nla_put_u64(m, KMIG_A_MIG_CHANNEL_PAGES, pages);
	nla_put_u64(m, KMIG_A_MIG_CHANNEL_ZERO_PAGES, zero);
	nla_put_u64(m, KMIG_A_MIG_CHANNEL_BYTES, bytes);
	nla_put_u64(m, KMIG_A_MIG_CHANNEL_PACKETS, packets);
	nla_nest_end(m, n);
}

static void put_counters(struct nl_msg *m, uint64_t total, uint64_t done,
			 uint64_t time_ns)
{
	if (total)
		nla_put_u64(m, KMIG_A_MIG_PAGES_TOTAL, total);
	nla_put_u64(m, KMIG_A_MIG_PAGES_DONE, done);
	nla_put_u64(m, KMIG_A_MIG_ZERO_PAGES, done / 2);
	nla_put_u64(m, KMIG_A_MIG_ZERO_BYTES, done / 2 * 4096);
	nla_put_u64(m, KMIG_A_MIG_NORMAL_PAGES, done - done / 2);
	nla_put_u64(m, KMIG_A_MIG_NORMAL_BYTES, (done - done / 2) * 4096);
	nla_put_u64(m, KMIG_A_MIG_PACKETS, done / 32);
	nla_put_u64(m, KMIG_A_MIG_BYTES, (done - done / 2) * 4096 + done * 16);
	nla_put_u64(m, KMIG_A_MIG_SETUP_NS, 5000000);
	nla_put_u64(m, KMIG_A_MIG_TIME_NS, time_ns);
	nla_put_u64(m, KMIG_A_MIG_THROUGHPUT, 650000000);
}

/* The live figures of pass @pass (ready from the second). */
static void put_live(struct nl_msg *m, uint32_t limit, uint64_t bw,
		     uint32_t passes, uint32_t nc, uint64_t pass)
{
	nla_put_flag(m, KMIG_A_MIG_LIVE);
	nla_put_u32(m, KMIG_A_MIG_DOWNTIME_LIMIT_MS, limit);
	nla_put_u64(m, KMIG_A_MIG_MAX_BANDWIDTH, bw);
	nla_put_u32(m, KMIG_A_MIG_MAX_PASSES, passes);
	nla_put_u32(m, KMIG_A_MIG_NO_CONVERGENCE, nc);
	nla_put_u64(m, KMIG_A_MIG_PASS, pass);
	nla_put_u64(m, KMIG_A_MIG_DIRTY_RATE, pass ? 5000 : 0);
	nla_put_u64(m, KMIG_A_MIG_EXPECTED_DOWNTIME_NS,
		    !pass ? UINT64_MAX : pass == 1 ? 95000000 : 12000000);
	nla_put_u64(m, KMIG_A_MIG_REMAINING_BYTES,
		    !pass ? 0 : pass == 1 ? 9766 * 4096 : 1234 * 4096);
	nla_put_u64(m, KMIG_A_MIG_DIRTY_SYNCS, pass);
	nla_put_u32(m, KMIG_A_MIG_SWITCHOVER_READY, pass >= 2);
}

/* One COLO latency nest; a metric without a count sends only its count. */
static void put_lat(struct nl_msg *m, uint32_t metric, uint64_t count,
		    uint64_t last, uint64_t mean, uint64_t p50, uint64_t p99,
		    uint64_t max)
{
	struct nlattr *n = nla_nest_start(m, KMIG_A_MIG_COLO_LATENCY);

	nla_put_u32(m, KMIG_A_COLO_LATENCY_METRIC, metric);
	nla_put_u64(m, KMIG_A_COLO_LATENCY_COUNT, count);
	if (last)
		nla_put_u64(m, KMIG_A_COLO_LATENCY_LAST_NS, last);
	if (mean)
		nla_put_u64(m, KMIG_A_COLO_LATENCY_MEAN_NS, mean);
	if (p50)
		nla_put_u64(m, KMIG_A_COLO_LATENCY_P50_NS, p50);
	if (p99)
		nla_put_u64(m, KMIG_A_COLO_LATENCY_P99_NS, p99);
	if (max)
		nla_put_u64(m, KMIG_A_COLO_LATENCY_MAX_NS, max);
	nla_nest_end(m, n);
}

/* The latencies of @n checkpoints (this side's metrics). */
static void put_colo_lat(struct nl_msg *m, bool primary, uint64_t n)
{
	if (!n) {
		put_lat(m, KMIG_COLO_METRIC_TRANSFER, 0, 0, 0, 0, 0, 0);
		put_lat(m, KMIG_COLO_METRIC_FLUSH, 0, 0, 0, 0, 0, 0);
		if (primary)
			put_lat(m, KMIG_COLO_METRIC_PAUSE, 0, 0, 0, 0, 0, 0);
		return;
	}
	put_lat(m, KMIG_COLO_METRIC_TRANSFER, n, 20100000, 19873000,
		19500000, 24000000, 25312000);
	put_lat(m, KMIG_COLO_METRIC_FLUSH, n, 2300000, 2150000, 2125000,
		2750000, 2800000);
	if (primary)
		put_lat(m, KMIG_COLO_METRIC_PAUSE, n, 31200000, 30500000,
			30000000, 36000000, 38250000);
}

/* The COLO figures after checkpoint @ckpt (0: only the initial one). */
static void put_colo(struct nl_msg *m, bool primary, uint64_t ckpt)
{
	nla_put_u64(m, KMIG_A_MIG_CHECKPOINT, ckpt);
	nla_put_u64(m, KMIG_A_MIG_CHECKPOINTS, ckpt);
	if (ckpt) {
		nla_put_u64(m, KMIG_A_MIG_CKPT_PAGES, 1234);
		nla_put_u64(m, KMIG_A_MIG_CKPT_BYTES, 5074000);
	}
	if (!primary)
		nla_put_u64(m, KMIG_A_MIG_COLO_CACHE_PAGES, ckpt ? 300 : 0);
	put_colo_lat(m, primary, ckpt);
}

/*
 * The postcopy attributes as the module sends them: a source's options
 * (@after and @prefetch, when started with postcopy), its four counters,
 * the pause timeout and the pauses (@pause: timeout in ms, pauses); a
 * destination's (@dst) counters, missing pages, faults, discarded copies
 * and its fault latency nest (every value, no metric).
 */
static void put_postcopy(struct nl_msg *m, bool dst, bool chosen,
			 uint32_t after, uint32_t prefetch,
			 const uint64_t c[4], const uint32_t pause[2])
{
	if (chosen)
		nla_put_flag(m, KMIG_A_MIG_POSTCOPY);
	if (!dst) {
		nla_put_u32(m, KMIG_A_MIG_POSTCOPY_AFTER, after);
		nla_put_u32(m, KMIG_A_MIG_POSTCOPY_PREFETCH, prefetch);
	}
	nla_put_u64(m, KMIG_A_MIG_POSTCOPY_REQUESTS, c[0]);
	nla_put_u64(m, KMIG_A_MIG_POSTCOPY_REQUESTED_PAGES, c[1]);
	nla_put_u64(m, KMIG_A_MIG_POSTCOPY_SERVED_PAGES, c[2]);
	nla_put_u64(m, KMIG_A_MIG_POSTCOPY_PUSHED_PAGES, c[3]);
	nla_put_u32(m, KMIG_A_MIG_POSTCOPY_PAUSE_TIMEOUT_MS, pause[0]);
	nla_put_u32(m, KMIG_A_MIG_POSTCOPY_PAUSES, pause[1]);
}

static void put_postcopy_dst(struct nl_msg *m, uint64_t missing,
			     uint64_t faults, uint64_t discarded,
			     const uint64_t lat[6])
{
	struct nlattr *n;

	nla_put_u64(m, KMIG_A_MIG_POSTCOPY_MISSING_PAGES, missing);
	nla_put_u64(m, KMIG_A_MIG_POSTCOPY_FAULTS, faults);
	nla_put_u64(m, KMIG_A_MIG_POSTCOPY_DISCARDED_PAGES, discarded);
	n = nla_nest_start(m, KMIG_A_MIG_POSTCOPY_LATENCY);
	nla_put_u64(m, KMIG_A_COLO_LATENCY_COUNT, lat[0]);
	nla_put_u64(m, KMIG_A_COLO_LATENCY_LAST_NS, lat[1]);
	nla_put_u64(m, KMIG_A_COLO_LATENCY_MEAN_NS, lat[2]);
	nla_put_u64(m, KMIG_A_COLO_LATENCY_P50_NS, lat[3]);
	nla_put_u64(m, KMIG_A_COLO_LATENCY_P99_NS, lat[4]);
	nla_put_u64(m, KMIG_A_COLO_LATENCY_MAX_NS, lat[5]);
	nla_nest_end(m, n);
}

/* The canned postcopy figures: source, destination, fault latency. */
static const uint64_t pc_src[4] = { 40, 52, 884, 20000 };
static const uint64_t pc_dst[4] = { 40, 52, 860, 19998 };
static const uint64_t pc_lat[6] = {
	55, 900000, 1250000, 1000000, 4000000, 5100000,
};
static const uint64_t pc_lat0[6] = { 0 };
/* Pause timeout (ms) and pauses: the module's default, never paused. */
static const uint32_t pc_nopause[2] = { 600000, 0 };
/* 16 and 17, paused: their counters so far and pause figures. */
static const uint64_t pc_src16[4] = { 12, 20, 340, 9000 };
static const uint64_t pc_dst17[4] = { 12, 20, 330, 8990 };
static const uint32_t pc_pause16[2] = { 90000, 2 };
static const uint32_t pc_pause17[2] = { 1500, 1 };

/* The port 17 listens on (POSTCOPY_RESUME may change it). */
static uint16_t port17 = 4444;

static void put_auth(struct nl_msg *m, uint32_t auth, uint64_t failures)
{
	nla_put_u32(m, KMIG_A_MIG_AUTH, auth);
	nla_put_u64(m, KMIG_A_MIG_AUTH_FAILURES, failures);
}

static struct nl_msg *mig_msg(uint32_t region, uint8_t cmd)
{
	struct nl_msg *m = reply_msg(cmd);
	bool sparse = fake("sparse");

	nla_put_u32(m, KMIG_A_MIG_REGION_ID, region);
	if (region == 1) {
		nla_put_u32(m, KMIG_A_MIG_ROLE, KMIG_MIG_ROLE_SOURCE);
		nla_put_u32(m, KMIG_A_MIG_STATE, KMIG_MIG_STATE_COMPLETED);
		nla_put_string(m, KMIG_A_MIG_ADDR, "10.0.0.2");
		nla_put_u16(m, KMIG_A_MIG_PORT, 4444);
		nla_put_u32(m, KMIG_A_MIG_CHANNELS, 4);
		nla_put_u32(m, KMIG_A_MIG_ZERO_PAGE_DETECTION,
			    KMIG_ZERO_DETECT_CHANNEL);
		nla_put(m, KMIG_A_MIG_MIGRATION_ID, 16, fake_id);
		nla_put_u64(m, KMIG_A_MIG_PAGES_TOTAL, 262144);
		nla_put_u64(m, KMIG_A_MIG_PAGES_DONE, 262144);
		nla_put_u64(m, KMIG_A_MIG_ZERO_PAGES, 131072);
		nla_put_u64(m, KMIG_A_MIG_ZERO_BYTES, 536870912);
		nla_put_u64(m, KMIG_A_MIG_NORMAL_PAGES, 131072);
		nla_put_u64(m, KMIG_A_MIG_NORMAL_BYTES, 536870912);
		nla_put_u64(m, KMIG_A_MIG_PACKETS, 8192);
		nla_put_u64(m, KMIG_A_MIG_BYTES, 541065216);
		nla_put_u64(m, KMIG_A_MIG_SPLICE_FALLBACKS, 3);
		nla_put_u64(m, KMIG_A_MIG_SETUP_NS, 5200000);
		nla_put_u64(m, KMIG_A_MIG_TIME_NS, 1234400000);
		nla_put_u64(m, KMIG_A_MIG_THROUGHPUT, 441700000);
		nla_put_u64(m, KMIG_A_MIG_REJECTED_CONNECTIONS, 0);
		nla_put_u64(m, KMIG_A_MIG_MALFORMED_PACKETS, 0);
		nla_put_u32(m, KMIG_A_MIG_PASSES, 1);
		put_auth(m, 1, 0);
		put_channel(m, 0, 0, 65536, 32768, 135266304, 2048);
		put_channel(m, 1, 1, 65536, 32768, 135266304, 2048);
		put_channel(m, 2, 2, 65536, 32768, 135266304, 2048);
		put_channel(m, 3, 3, 65536, 32768, 135266304, 2048);
	} else if (region == 3) {
		nla_put_u32(m, KMIG_A_MIG_ROLE, KMIG_MIG_ROLE_DESTINATION);
		nla_put_u32(m, KMIG_A_MIG_STATE, KMIG_MIG_STATE_FAILED);
		nla_put_string(m, KMIG_A_MIG_ADDR, "::");
		nla_put_u16(m, KMIG_A_MIG_PORT, 4444);
		nla_put_u32(m, KMIG_A_MIG_CHANNELS, 2);
		if (!sparse) {
			nla_put(m, KMIG_A_MIG_MIGRATION_ID, 16, fake_id);
			nla_put_u64(m, KMIG_A_MIG_PAGES_TOTAL, 0);
			nla_put_u64(m, KMIG_A_MIG_PAGES_DONE, 1000);
			nla_put_u64(m, KMIG_A_MIG_SPLICE_FALLBACKS, 0);
			nla_put_u64(m, KMIG_A_MIG_PACKETS, 40);
			nla_put_u64(m, KMIG_A_MIG_BYTES, 2097152);
			nla_put_u64(m, KMIG_A_MIG_TIME_NS, 3000000);
		}
		nla_put_string(m, KMIG_A_MIG_REASON,
			       "channel 1: connection reset by peer");
		nla_put_u64(m, KMIG_A_MIG_REJECTED_CONNECTIONS, 2);
		nla_put_u64(m, KMIG_A_MIG_MALFORMED_PACKETS, 1);
		nla_put_u32(m, KMIG_A_MIG_PASSES, 0);
		if (!sparse) {
			put_auth(m, 1, 3);
			put_channel(m, 0, 2, 600, 0, 1200000, 24);
			put_channel(m, 1, 3, 400, 0, 897152, 16);
		}
	} else if (region == 4) {
		nla_put_u32(m, KMIG_A_MIG_ROLE, KMIG_MIG_ROLE_SOURCE);
		nla_put_u32(m, KMIG_A_MIG_STATE, KMIG_MIG_STATE_ACTIVE);
		nla_put_string(m, KMIG_A_MIG_ADDR, "10.0.0.2");
		nla_put_u16(m, KMIG_A_MIG_PORT, 4444);
		nla_put_u32(m, KMIG_A_MIG_CHANNELS, 2);
		put_counters(m, 1234, 617, 3500000000ull);
		nla_put_u32(m, KMIG_A_MIG_PASSES, 2);
		put_live(m, 300, 100 << 20, 10, KMIG_NO_CONVERGENCE_SWITCHOVER, 3);
		nla_put_u64(m, KMIG_A_MIG_DOWNTIME_NS, 0);	/* not yet */
		put_auth(m, 1, 0);
	} else if (region == 7) {
		nla_put_u32(m, KMIG_A_MIG_ROLE, KMIG_MIG_ROLE_NONE);
		nla_put_u32(m, KMIG_A_MIG_STATE, KMIG_MIG_STATE_NONE);
	} else if (region == 10) {
		nla_put_u32(m, KMIG_A_MIG_ROLE, KMIG_MIG_ROLE_SOURCE);
		nla_put_u32(m, KMIG_A_MIG_STATE, KMIG_MIG_STATE_COLO);
		nla_put_string(m, KMIG_A_MIG_ADDR, "10.0.0.2");
		nla_put_u16(m, KMIG_A_MIG_PORT, 4444);
		nla_put_u32(m, KMIG_A_MIG_CHANNELS, 2);
		nla_put(m, KMIG_A_MIG_MIGRATION_ID, 16, fake_id);
		put_counters(m, 262144, 288000, 75300000000ull);
		nla_put_u32(m, KMIG_A_MIG_PASSES, 3);
		put_live(m, 300, 0, 0, 0, 3);
		nla_put_u64(m, KMIG_A_MIG_DOWNTIME_NS, 45200000);
		nla_put_flag(m, KMIG_A_MIG_COLO);
		nla_put_u32(m, KMIG_A_MIG_CHECKPOINT_INTERVAL_MS, 1000);
		put_colo(m, true, 12);
		put_auth(m, 1, 0);
	} else if (region == 11) {
		nla_put_u32(m, KMIG_A_MIG_ROLE, KMIG_MIG_ROLE_DESTINATION);
		nla_put_u32(m, KMIG_A_MIG_STATE, KMIG_MIG_STATE_COLO);
		nla_put_string(m, KMIG_A_MIG_ADDR, "::");
		nla_put_u16(m, KMIG_A_MIG_PORT, 4444);
		nla_put_u32(m, KMIG_A_MIG_CHANNELS, 2);
		nla_put(m, KMIG_A_MIG_MIGRATION_ID, 16, fake_id);
		put_counters(m, 0, 288000, 75310000000ull);
		nla_put_u32(m, KMIG_A_MIG_PASSES, 4);
		nla_put_u64(m, KMIG_A_MIG_REJECTED_CONNECTIONS, 0);
		nla_put_u64(m, KMIG_A_MIG_MALFORMED_PACKETS, 0);
		nla_put_flag(m, KMIG_A_MIG_COLO);
		nla_put_u64(m, KMIG_A_MIG_CHECKPOINT, 12);
		nla_put_u64(m, KMIG_A_MIG_CHECKPOINTS, 12);
		nla_put_u64(m, KMIG_A_MIG_CKPT_PAGES, 1234);
		if (!sparse) {
			nla_put_u64(m, KMIG_A_MIG_CKPT_BYTES, 5074000);
			nla_put_u64(m, KMIG_A_MIG_COLO_CACHE_PAGES, 300);
		}
		/* out of order on purpose: migctl sorts by metric */
		if (sparse)
			put_lat(m, KMIG_COLO_METRIC_FLUSH, 12, 2300000,
				2150000, 2125000, 0, 0);
		else
			put_lat(m, KMIG_COLO_METRIC_FLUSH, 12, 2300000,
				2150000, 2125000, 2750000, 2800000);
		put_lat(m, 7, 12, 1000000, 0, 0, 0, 0);
		put_lat(m, KMIG_COLO_METRIC_TRANSFER, 12, 20100000, 19873000,
			19500000, 24000000, 25312000);
		put_auth(m, 0, 0);
	} else if (region == 12) {
		nla_put_u32(m, KMIG_A_MIG_ROLE, KMIG_MIG_ROLE_DESTINATION);
		nla_put_u32(m, KMIG_A_MIG_STATE, KMIG_MIG_STATE_FAILOVER);
		nla_put_string(m, KMIG_A_MIG_ADDR, "10.0.0.1");
		nla_put_u16(m, KMIG_A_MIG_PORT, 4444);
		nla_put_u32(m, KMIG_A_MIG_CHANNELS, 2);
		nla_put_u32(m, KMIG_A_MIG_PASSES, 4);
		nla_put_string(m, KMIG_A_MIG_REASON, "peer closed channel 1");
		nla_put_flag(m, KMIG_A_MIG_COLO);
		nla_put_u64(m, KMIG_A_MIG_CHECKPOINT, 11);
		nla_put_u64(m, KMIG_A_MIG_CHECKPOINTS, 11);
		nla_put_u64(m, KMIG_A_MIG_CKPT_PAGES, 1234);
		nla_put_u64(m, KMIG_A_MIG_CKPT_BYTES, 5074000);
		nla_put_u64(m, KMIG_A_MIG_COLO_CACHE_PAGES, 0);
		put_colo_lat(m, false, 11);
	} else if (region == 13) {
		nla_put_u32(m, KMIG_A_MIG_ROLE, KMIG_MIG_ROLE_SOURCE);
		nla_put_u32(m, KMIG_A_MIG_STATE, KMIG_MIG_STATE_COMPLETED);
		nla_put_string(m, KMIG_A_MIG_ADDR, "10.0.0.2");
		nla_put_u16(m, KMIG_A_MIG_PORT, 4444);
		nla_put_u32(m, KMIG_A_MIG_CHANNELS, 2);
		nla_put(m, KMIG_A_MIG_MIGRATION_ID, 16, fake_id);
		put_counters(m, 262144, 283000, 2500000000ull);
		nla_put_string(m, KMIG_A_MIG_REASON, "completed");
		nla_put_u32(m, KMIG_A_MIG_PASSES, 2);
		put_live(m, 300, 8 << 20, 0, 0, 2);
		nla_put_u64(m, KMIG_A_MIG_DOWNTIME_NS, 12300000);
		put_auth(m, 1, 0);
		put_postcopy(m, false, true, 1, 16, pc_src, pc_nopause);
	} else if (region == 14 || region == 15) {
		bool failed = region == 15;

		nla_put_u32(m, KMIG_A_MIG_ROLE, KMIG_MIG_ROLE_DESTINATION);
		nla_put_u32(m, KMIG_A_MIG_STATE, failed ?
			    KMIG_MIG_STATE_FAILED : KMIG_MIG_STATE_COMPLETED);
		nla_put_string(m, KMIG_A_MIG_ADDR, "0.0.0.0");
		nla_put_u16(m, KMIG_A_MIG_PORT, 4444);
		nla_put_u32(m, KMIG_A_MIG_CHANNELS, 2);
		nla_put(m, KMIG_A_MIG_MIGRATION_ID, 16, fake_id);
		put_counters(m, 0, failed ? 120000 : 283000, 2510000000ull);
		nla_put_string(m, KMIG_A_MIG_REASON, failed ?
			       "peer closed channel 0" : "completed");
		nla_put_u64(m, KMIG_A_MIG_REJECTED_CONNECTIONS, 0);
		nla_put_u64(m, KMIG_A_MIG_MALFORMED_PACKETS, 0);
		nla_put_u32(m, KMIG_A_MIG_PASSES, 1);
		put_auth(m, 1, 0);
		put_postcopy(m, true, true, 0, 0, pc_dst, pc_nopause);
		if (failed)
			put_postcopy_dst(m, 1234, 57, 3, pc_lat);
		else if (sparse)
			put_postcopy_dst(m, 0, 0, 0, pc_lat0);
		else
			put_postcopy_dst(m, 0, 55, 24, pc_lat);
	} else if (region == 16) {
		nla_put_u32(m, KMIG_A_MIG_ROLE, KMIG_MIG_ROLE_SOURCE);
		nla_put_u32(m, KMIG_A_MIG_STATE, KMIG_MIG_STATE_POSTCOPY_PAUSED);
		nla_put_string(m, KMIG_A_MIG_ADDR, "10.0.0.2");
		nla_put_u16(m, KMIG_A_MIG_PORT, 4444);
		nla_put_u32(m, KMIG_A_MIG_CHANNELS, 2);
		nla_put(m, KMIG_A_MIG_MIGRATION_ID, 16, fake_id);
		put_counters(m, 262144, 140000, 1800000000ull);
		nla_put_string(m, KMIG_A_MIG_REASON,
			       "postcopy: channel 0 failed: peer closed or reset (-104)");
		nla_put_u32(m, KMIG_A_MIG_PASSES, 2);
		put_live(m, 300, 8 << 20, 0, 0, 2);
		nla_put_u64(m, KMIG_A_MIG_DOWNTIME_NS, 12300000);
		put_auth(m, 1, 0);
		put_postcopy(m, false, true, 1, 16, pc_src16, pc_pause16);
	} else if (region == 17) {
		nla_put_u32(m, KMIG_A_MIG_ROLE, KMIG_MIG_ROLE_DESTINATION);
		nla_put_u32(m, KMIG_A_MIG_STATE, KMIG_MIG_STATE_POSTCOPY_PAUSED);
		nla_put_string(m, KMIG_A_MIG_ADDR, "0.0.0.0");
		nla_put_u16(m, KMIG_A_MIG_PORT, port17);
		nla_put_u32(m, KMIG_A_MIG_CHANNELS, 2);
		nla_put(m, KMIG_A_MIG_MIGRATION_ID, 16, fake_id);
		put_counters(m, 0, 139000, 1810000000ull);
		nla_put_string(m, KMIG_A_MIG_REASON,
			       "peer closed channel 1 before COMPLETE (packet 5210)");
		nla_put_u64(m, KMIG_A_MIG_REJECTED_CONNECTIONS, 0);
		nla_put_u64(m, KMIG_A_MIG_MALFORMED_PACKETS, 0);
		nla_put_u32(m, KMIG_A_MIG_PASSES, 1);
		put_auth(m, 1, 0);
		put_postcopy(m, true, true, 0, 0, pc_dst17, pc_pause17);
		put_postcopy_dst(m, 2345, 30, 2, pc_lat);
	}
	return m;
}

/* A migration that moves on each time it is polled. */
static struct nl_msg *running_msg(uint32_t region, uint8_t cmd,
				  uint32_t state, int step)
{
	struct nl_msg *m = reply_msg(cmd);
	static const uint64_t done[] = { 0, 65536, 131072, 262144 };
	bool src = run.role != KMIG_MIG_ROLE_DESTINATION;
	uint64_t d = done[step > 3 ? 3 : step];

	if (region == 6 && step)
		d = 26214;
	nla_put_u32(m, KMIG_A_MIG_REGION_ID, region);
	nla_put_u32(m, KMIG_A_MIG_ROLE, run.role);
	nla_put_u32(m, KMIG_A_MIG_STATE, state);
	nla_put_string(m, KMIG_A_MIG_ADDR, run.addr);
	nla_put_u16(m, KMIG_A_MIG_PORT, run.port);
	nla_put_u32(m, KMIG_A_MIG_CHANNELS, run.channels);
	if (run.zero_detect >= 0)
		nla_put_u32(m, KMIG_A_MIG_ZERO_PAGE_DETECTION, run.zero_detect);
	/* like the kernel: zero until a destination adopts one */
	if (run.have_id || run.role == KMIG_MIG_ROLE_DESTINATION)
		nla_put(m, KMIG_A_MIG_MIGRATION_ID, 16, run.id);
	if (state != KMIG_MIG_STATE_LISTENING)
		put_counters(m, src ? 262144 : 0, d, 400000000ull * step + 6000000);
	if (state == KMIG_MIG_STATE_FAILED)
		nla_put_string(m, KMIG_A_MIG_REASON,
			       "destination closed the connection");
	if (state == KMIG_MIG_STATE_CANCELLED)
		nla_put_string(m, KMIG_A_MIG_REASON, "cancelled by the user");
	if (run.live)
		put_live(m, run.downtime_limit, run.max_bandwidth,
			 run.max_passes, run.no_convergence, step);
	if (run.live && state == KMIG_MIG_STATE_COMPLETED)
		nla_put_u64(m, KMIG_A_MIG_DOWNTIME_NS, 45200000);
	if (run.colo) {
		nla_put_flag(m, KMIG_A_MIG_COLO);
		if (src)
			nla_put_u32(m, KMIG_A_MIG_CHECKPOINT_INTERVAL_MS,
				    run.checkpoint_interval);
	}
	if (state == KMIG_MIG_STATE_COLO || state == KMIG_MIG_STATE_FAILOVER) {
		if (run.live)
			nla_put_u64(m, KMIG_A_MIG_DOWNTIME_NS, 45200000);
		put_colo(m, src, step >= 4 ? 1 : 0);
	}
	if (state == KMIG_MIG_STATE_FAILOVER)
		nla_put_string(m, KMIG_A_MIG_REASON, "peer closed channel 0");
	put_auth(m, run.auth, 0);
	if (run.postcopy)
		put_postcopy(m, false, false, run.postcopy_after, run.prefetch,
			     (const uint64_t[4]){ 0 }, pc_nopause);
	return m;
}

static bool mig_region_exists(uint32_t v)
{
	return v == 1 || v == 3 || v == 4 || v == 5 || v == 6 || v == 7 ||
	       (v >= 10 && v <= 17);
}

static void run_init(uint32_t region)
{
	if (run.region == region)
		return;
	memset(&run, 0, sizeof(run));
	run.region = region;
	run.role = KMIG_MIG_ROLE_SOURCE;
	strcpy(run.addr, "10.0.0.2");
	run.port = 4444;
	run.channels = 2;
	run.zero_detect = KMIG_ZERO_DETECT_MAIN;
	run.auth = true;
}

/* With MIGCTL_FAKE_CAPTURE=FILE: FILE holds one line, what was sent. */
static int capture(struct kmig_nl_err *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int capture(struct kmig_nl_err *err, const char *fmt, ...)
{
	const char *cap = getenv("MIGCTL_FAKE_CAPTURE");
	va_list ap;
	FILE *f;

	if (!cap)
		return 0;
	f = fopen(cap, "w");
	if (!f)
		return fail(err, EIO, "cannot write MIGCTL_FAKE_CAPTURE", -1);
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fputc('\n', f);
	fclose(f);
	return 0;
}

/* What the module checks of key and insecure; the capture file. */
static int check_auth(struct nlattr **tb, struct kmig_nl_err *err)
{
	struct nlattr *key = tb[KMIG_A_MIG_KEY];
	char hex[2 * 32 + 1];
	int i;

	if (key && tb[KMIG_A_MIG_INSECURE])
		return fail(err, EINVAL, "key and insecure exclude each other", -1);
	if (!key && !tb[KMIG_A_MIG_INSECURE])
		return fail(err, ENOKEY, "no key: give the migration key, or insecure to run without authentication", -1);
	if (key && nla_len(key) != 32)
		return fail(err, EINVAL, "Attribute failed policy validation", -1);
	if (!key)
		return capture(err, "insecure");
	for (i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x",
			 ((const uint8_t *)nla_data(key))[i]);
	return capture(err, "key %s", hex);
}

/* KMIG_CMD_MIG_POSTCOPY_RESUME, as kmig_nl_mig_postcopy_resume_doit(). */
static int postcopy_resume(uint8_t cmd, struct nlattr **tb,
			   struct kmig_nl_err *err, int maxattr, kmig_nl_cb cb,
			   void *arg)
{
	struct nlattr *a_addr = tb[KMIG_A_MIG_ADDR], *a_port = tb[KMIG_A_MIG_PORT];
	uint32_t v = tb[KMIG_A_MIG_REGION_ID] ?
		     nla_get_u32(tb[KMIG_A_MIG_REGION_ID]) : 0;
	char addr[64] = "", port[16] = "";
	uint8_t ip[16];

	if (fake("eperm"))
		return fail(err, EPERM, NULL, -1);
	if (a_addr) {
		snprintf(addr, sizeof(addr), " addr %s", nla_get_string(a_addr));
		if (inet_pton(AF_INET, nla_get_string(a_addr), ip) != 1 &&
		    inet_pton(AF_INET6, nla_get_string(a_addr), ip) != 1)
			return fail(err, EINVAL, "not an IPv4 or IPv6 address",
				    -1);
	}
	if (a_port)
		snprintf(port, sizeof(port), " port %u", nla_get_u16(a_port));
	if (!mig_region_exists(v))
		return fail(err, ENOENT, "no region with this id", -1);
	if (v == 4 || v == 5 || v == 6 || v == 10 || v == 11)
		return fail(err, EINVAL,
			    "the migration is not in state postcopy-paused", -1);
	if (v != 16 && v != 17)
		return fail(err, ENOENT, "no running migration on this region",
			    -1);
	if (v == 17 && a_addr)
		return fail(err, EINVAL,
			    "a destination listens again on its own address (give a port only)",
			    -1);
	if (capture(err, "resume%s%s", addr, port) < 0)
		return -1;
	if (v == 17 && a_port)
		port17 = nla_get_u16(a_port);
	return deliver(mig_msg(v, cmd), maxattr, cb, arg);
}

static int mig_setup(uint8_t cmd, struct nlattr **tb, struct kmig_nl_err *err,
		     int maxattr, kmig_nl_cb cb, void *arg)
{
	uint32_t v = tb[KMIG_A_MIG_REGION_ID] ?
		     nla_get_u32(tb[KMIG_A_MIG_REGION_ID]) : 0;
	bool listen = cmd == KMIG_CMD_MIG_LISTEN;

	if (fake("eperm"))
		return fail(err, EPERM, NULL, -1);
	if (check_auth(tb, err) < 0)
		return -1;
	if (!mig_region_exists(v))
		return fail(err, ENOENT, "no region with this id", -1);
	memset(&run, 0, sizeof(run));
	run.region = v;
	run.auth = tb[KMIG_A_MIG_KEY] != NULL;
	run.role = listen ? KMIG_MIG_ROLE_DESTINATION : KMIG_MIG_ROLE_SOURCE;
	snprintf(run.addr, sizeof(run.addr), "%s",
		 tb[KMIG_A_MIG_ADDR] ? nla_get_string(tb[KMIG_A_MIG_ADDR]) :
		 "0.0.0.0");
	run.port = tb[KMIG_A_MIG_PORT] ? nla_get_u16(tb[KMIG_A_MIG_PORT]) : 0;
	if (listen && !run.port)
		run.port = 40123;
	if (!listen && run.port == 1)
		return fail(err, ECONNREFUSED, "connecting channel 0 failed", -1);
	run.channels = tb[KMIG_A_MIG_CHANNELS] ?
		       nla_get_u32(tb[KMIG_A_MIG_CHANNELS]) : 2;
	run.zero_detect = tb[KMIG_A_MIG_ZERO_PAGE_DETECTION] ?
			  (int)nla_get_u32(tb[KMIG_A_MIG_ZERO_PAGE_DETECTION]) :
			  listen ? -1 : KMIG_ZERO_DETECT_MAIN;
	if (tb[KMIG_A_MIG_MIGRATION_ID] &&
	    nla_len(tb[KMIG_A_MIG_MIGRATION_ID]) == 16) {
		run.have_id = true;
		memcpy(run.id, nla_data(tb[KMIG_A_MIG_MIGRATION_ID]), 16);
	}
	run.live = tb[KMIG_A_MIG_LIVE] != NULL;
	run.downtime_limit = tb[KMIG_A_MIG_DOWNTIME_LIMIT_MS] ?
			     nla_get_u32(tb[KMIG_A_MIG_DOWNTIME_LIMIT_MS]) : 300;
	run.max_bandwidth = tb[KMIG_A_MIG_MAX_BANDWIDTH] ?
			    nla_get_u64(tb[KMIG_A_MIG_MAX_BANDWIDTH]) : 0;
	run.max_passes = tb[KMIG_A_MIG_MAX_PASSES] ?
			 nla_get_u32(tb[KMIG_A_MIG_MAX_PASSES]) : 0;
	run.no_convergence = tb[KMIG_A_MIG_NO_CONVERGENCE] ?
			     nla_get_u32(tb[KMIG_A_MIG_NO_CONVERGENCE]) : 0;
	run.colo = tb[KMIG_A_MIG_COLO] != NULL;
	run.checkpoint_interval = tb[KMIG_A_MIG_CHECKPOINT_INTERVAL_MS] ?
		nla_get_u32(tb[KMIG_A_MIG_CHECKPOINT_INTERVAL_MS]) : 1000;
	run.postcopy = tb[KMIG_A_MIG_POSTCOPY] != NULL;
	run.postcopy_after = tb[KMIG_A_MIG_POSTCOPY_AFTER] ?
		nla_get_u32(tb[KMIG_A_MIG_POSTCOPY_AFTER]) : UINT32_MAX;
	run.prefetch = tb[KMIG_A_MIG_POSTCOPY_PREFETCH] ?
		nla_get_u32(tb[KMIG_A_MIG_POSTCOPY_PREFETCH]) : 16;
	return deliver(running_msg(v, cmd, listen ? KMIG_MIG_STATE_LISTENING :
				   KMIG_MIG_STATE_SETUP, 0), maxattr, cb, arg);
}

static int mig_get(uint8_t cmd, uint32_t v, struct kmig_nl_err *err,
		   int maxattr, kmig_nl_cb cb, void *arg)
{
	uint32_t state;
	int step;

	if (!mig_region_exists(v))
		return fail(err, ENOENT, "no region with this id", -1);
	if (v == 7)
		return fail(err, ENOENT, "no migration on this region", -1);
	if (v != 5 && v != 6 && v != run.region)
		return deliver(mig_msg(v, cmd), maxattr, cb, arg);
	run_init(v);
	step = ++run.polls;
	if (run.colo)
		state = step >= 5 ? KMIG_MIG_STATE_FAILOVER :
			step >= 3 ? KMIG_MIG_STATE_COLO : KMIG_MIG_STATE_ACTIVE;
	else if (v == 6)
		state = step >= 2 || run.switched ? KMIG_MIG_STATE_FAILED :
			KMIG_MIG_STATE_ACTIVE;
	else if (run.switched)
		state = KMIG_MIG_STATE_COMPLETED;
	else
		state = step >= (run.live ? 4 : 3) ? KMIG_MIG_STATE_COMPLETED :
			KMIG_MIG_STATE_ACTIVE;
	return deliver(running_msg(v, cmd, state, step), maxattr, cb, arg);
}

int kmig_nl_do(struct kmig_nl *nl, struct nl_msg *msg, int maxattr,
	       kmig_nl_cb cb, void *arg, struct kmig_nl_err *err)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct genlmsghdr *gh = nlmsg_data(nlh);
	struct nlattr *tb[KMIG_NL_MAXATTR + 1];
	uint8_t cmd = gh->cmd;
	struct nl_msg *m;
	int ret = 0;
	uint32_t v;

	(void)nl;
	err_init(err);
	genlmsg_parse(nlh, 0, tb, KMIG_NL_MAXATTR, NULL);

	switch (cmd) {
	case KMIG_CMD_REGION_GET:
		v = tb[KMIG_A_REGION_ID] ? nla_get_u32(tb[KMIG_A_REGION_ID]) : 0;
		if ((v != 1 && v != 3) || fake("empty")) {
			ret = fail(err, ENOENT, NULL, -1);
			break;
		}
		ret = deliver(region_msg(v), maxattr, cb, arg);
		break;
	case KMIG_CMD_PARAMS_GET:
		ret = params_reply(maxattr, cb, arg);
		break;
	case KMIG_CMD_PARAMS_SET:
		if (fake("eperm")) {
			ret = fail(err, EPERM, NULL, -1);
			break;
		}
		if (tb[KMIG_A_PARAMS_CHANNELS] &&
		    nla_get_u32(tb[KMIG_A_PARAMS_CHANNELS]) - 1 >= KMIG_CHANNELS_MAX) {
			ret = fail(err, ERANGE, "integer out of range",
				   (char *)tb[KMIG_A_PARAMS_CHANNELS] - (char *)nlh);
			break;
		}
		/* As the module: under a page, max-memory would mean no limit. */
		if (tb[KMIG_A_PARAMS_MAX_MEMORY] &&
		    nla_len(tb[KMIG_A_PARAMS_MAX_MEMORY]) == 8 &&
		    nla_get_u64(tb[KMIG_A_PARAMS_MAX_MEMORY]) - 1 < 4095) {
			ret = fail(err, ERANGE,
				   "max_memory must be 0 (no limit) or at least one page",
				   (char *)tb[KMIG_A_PARAMS_MAX_MEMORY] - (char *)nlh);
			break;
		}
		if (tb[KMIG_A_PARAMS_ZERO_CHECK] &&
		    nla_get_u32(tb[KMIG_A_PARAMS_ZERO_CHECK]) == KMIG_ZERO_CHECK_AVX512) {
			ret = fail(err, EOPNOTSUPP,
				   "zero-check implementation not supported by this CPU",
				   (char *)tb[KMIG_A_PARAMS_ZERO_CHECK] - (char *)nlh);
			break;
		}
		ret = params_reply(maxattr, cb, arg);
		break;
	case KMIG_CMD_STATS_GET:
		m = reply_msg(cmd);
		nla_put_u32(m, KMIG_A_STATS_REGIONS, 2);
		nla_put_u64(m, KMIG_A_STATS_POPULATED_PAGES, 262144);
		nla_put_u64(m, KMIG_A_STATS_FAULTS, 262150);
		nla_put_u64(m, KMIG_A_STATS_ALLOC_FAILURES, 0);
		nla_put_u64(m, KMIG_A_STATS_MMAP_REFUSED, 3);
		nla_put_u64(m, KMIG_A_STATS_REGIONS_CREATED, 5);
		if (!fake("sparse"))
			nla_put_u64(m, KMIG_A_STATS_SCANS, 7);
		nla_put_u64(m, KMIG_A_STATS_MIGRATIONS_STARTED, 6);
		nla_put_u64(m, KMIG_A_STATS_MIGRATIONS_COMPLETED, 3);
		nla_put_u64(m, KMIG_A_STATS_MIGRATIONS_FAILED, 1);
		nla_put_u64(m, KMIG_A_STATS_MIGRATIONS_CANCELLED, 1);
		nla_put_u64(m, KMIG_A_STATS_REJECTED_CONNECTIONS, 2);
		if (!fake("sparse"))
			nla_put_u64(m, KMIG_A_STATS_MALFORMED_PACKETS, 1);
		nla_put_u64(m, KMIG_A_STATS_SPLICE_FALLBACKS, 12);
		if (!fake("sparse")) {
			nla_put_u64(m, KMIG_A_STATS_MIGRATIONS_FAILED_OVER, 2);
			nla_put_u64(m, KMIG_A_STATS_AUTH_FAILURES, 4);
			nla_put_u64(m, KMIG_A_STATS_INTEGRITY_ERRORS, 1);
			nla_put_u64(m, KMIG_A_STATS_LIMIT_REGIONS_REFUSED, 1);
			nla_put_u64(m, KMIG_A_STATS_LIMIT_MEMORY_REFUSED, 2);
			nla_put_u64(m, KMIG_A_STATS_LIMIT_CHANNELS_REFUSED, 3);
			nla_put_u64(m, KMIG_A_STATS_LIMIT_MIGRATIONS_REFUSED, 0);
			nla_put_u32(m, KMIG_A_STATS_MIGRATIONS_RUNNING, 1);
			nla_put_u64(m, KMIG_A_STATS_LIMIT_HANDSHAKES_REACHED, 5);
		}
		ret = deliver(m, maxattr, cb, arg);
		break;
	case KMIG_CMD_REGION_SCAN:
		if (fake("eperm")) {
			ret = fail(err, EPERM, NULL, -1);
			break;
		}
		v = tb[KMIG_A_SCAN_REGION_ID] ? nla_get_u32(tb[KMIG_A_SCAN_REGION_ID]) : 0;
		if (v != 1 && v != 3) {
			ret = fail(err, ENOENT, "region not found", -1);
			break;
		}
		m = reply_msg(cmd);
		nla_put_u32(m, KMIG_A_SCAN_REGION_ID, v);
		nla_put_u64(m, KMIG_A_SCAN_PAGES, 262144);
		nla_put_u64(m, KMIG_A_SCAN_POPULATED_PAGES, v == 1 ? 1000 : 0);
		nla_put_u64(m, KMIG_A_SCAN_ZERO_PAGES, v == 1 ? 261244 : 262144);
		nla_put_u64(m, KMIG_A_SCAN_NORMAL_PAGES, v == 1 ? 900 : 0);
		nla_put_u64(m, KMIG_A_SCAN_TIME_NS, v == 1 ? 1000000 : 0);
		nla_put_u32(m, KMIG_A_SCAN_ZERO_CHECK_USED,
			    tb[KMIG_A_SCAN_ZERO_CHECK] &&
			    nla_get_u32(tb[KMIG_A_SCAN_ZERO_CHECK]) ?
			    nla_get_u32(tb[KMIG_A_SCAN_ZERO_CHECK]) :
			    KMIG_ZERO_CHECK_AVX2);
		ret = deliver(m, maxattr, cb, arg);
		break;
	case KMIG_CMD_MIG_LISTEN:
	case KMIG_CMD_MIG_START:
		ret = mig_setup(cmd, tb, err, maxattr, cb, arg);
		break;
	case KMIG_CMD_MIG_GET:
		v = tb[KMIG_A_MIG_REGION_ID] ? nla_get_u32(tb[KMIG_A_MIG_REGION_ID]) : 0;
		ret = mig_get(cmd, v, err, maxattr, cb, arg);
		break;
	case KMIG_CMD_MIG_SWITCHOVER:
		if (fake("eperm")) {
			ret = fail(err, EPERM, NULL, -1);
			break;
		}
		v = tb[KMIG_A_MIG_REGION_ID] ? nla_get_u32(tb[KMIG_A_MIG_REGION_ID]) : 0;
		if (!mig_region_exists(v)) {
			ret = fail(err, ENOENT, "no region with this id", -1);
			break;
		}
		if (v == 7) {
			ret = fail(err, ENOENT, "no migration on this region", -1);
			break;
		}
		if (v == 3) {
			ret = fail(err, EINVAL, "not the source of a live migration", -1);
			break;
		}
		if (v != 5 && v != 6) {
			ret = fail(err, EALREADY, "the migration has already ended", -1);
			break;
		}
		run_init(v);
		if (!run.live) {
			run.live = true;
			run.downtime_limit = 300;
		}
		run.switched = true;
		if (run.polls < 2)
			run.polls = 2;	/* switched over once ready */
		ret = deliver(running_msg(v, cmd, KMIG_MIG_STATE_ACTIVE, 2),
			      maxattr, cb, arg);
		break;
	case KMIG_CMD_MIG_POSTCOPY:
		if (fake("eperm")) {
			ret = fail(err, EPERM, NULL, -1);
			break;
		}
		v = tb[KMIG_A_MIG_REGION_ID] ? nla_get_u32(tb[KMIG_A_MIG_REGION_ID]) : 0;
		if (!mig_region_exists(v)) {
			ret = fail(err, ENOENT, "no region with this id", -1);
			break;
		}
		if (v == 3) {
			ret = fail(err, EINVAL, "only a live migration's source switches to postcopy", -1);
			break;
		}
		if (v == 4) {
			ret = fail(err, EINVAL, "the migration was started without postcopy (mig-start postcopy)", -1);
			break;
		}
		if (v != 5 && v != 6) {
			ret = fail(err, ENOENT, "no running migration on this region", -1);
			break;
		}
		run_init(v);
		if (!run.live) {
			run.live = true;
			run.downtime_limit = 300;
			run.postcopy = true;
			run.postcopy_after = UINT32_MAX;
			run.prefetch = 16;
		}
		ret = deliver(running_msg(v, cmd, KMIG_MIG_STATE_ACTIVE, 1),
			      maxattr, cb, arg);
		break;
	case KMIG_CMD_MIG_POSTCOPY_RESUME:
		ret = postcopy_resume(cmd, tb, err, maxattr, cb, arg);
		break;
	case KMIG_CMD_COLO_CHECKPOINT:
	case KMIG_CMD_COLO_PAUSED:
		if (fake("eperm")) {
			ret = fail(err, EPERM, NULL, -1);
			break;
		}
		v = tb[KMIG_A_MIG_REGION_ID] ? nla_get_u32(tb[KMIG_A_MIG_REGION_ID]) : 0;
		if (!mig_region_exists(v)) {
			ret = fail(err, ENOENT, "no region with this id", -1);
			break;
		}
		if (v == 7) {
			ret = fail(err, ENOENT, "no migration on this region", -1);
			break;
		}
		if (cmd == KMIG_CMD_COLO_PAUSED && !tb[KMIG_A_MIG_CHECKPOINT]) {
			ret = fail(err, EINVAL, "checkpoint number required", -1);
			err->miss_type = KMIG_A_MIG_CHECKPOINT;
			break;
		}
		if (v == 12 || v == 5 || v == 6) {
			ret = fail(err, ENOENT, "no migration running on this region", -1);
			break;
		}
		if (v == 4) {
			ret = fail(err, EBUSY, "COLO has not started yet (the switchover comes first)", -1);
			break;
		}
		if (v == 1 || v == 3 || v >= 13) {
			ret = fail(err, EINVAL, "not a COLO migration", -1);
			break;
		}
		if (cmd == KMIG_CMD_COLO_CHECKPOINT) {
			if (v == 11)
				ret = fail(err, EINVAL, "checkpoints are taken by the primary (source)", -1);
			else
				ret = deliver(mig_msg(v, cmd), maxattr, cb, arg);
			break;
		}
		if (nla_get_u64(tb[KMIG_A_MIG_CHECKPOINT]) != 13)
			ret = fail(err, EINVAL, "no pause asked for this checkpoint (or already acknowledged)",
				   (char *)tb[KMIG_A_MIG_CHECKPOINT] - (char *)nlh);
		break;
	case KMIG_CMD_MIG_CANCEL:
		if (fake("eperm")) {
			ret = fail(err, EPERM, NULL, -1);
			break;
		}
		v = tb[KMIG_A_MIG_REGION_ID] ? nla_get_u32(tb[KMIG_A_MIG_REGION_ID]) : 0;
		if (!mig_region_exists(v)) {
			ret = fail(err, ENOENT, "no region with this id", -1);
			break;
		}
		if (v == 7) {
			ret = fail(err, ENOENT, "no migration on this region", -1);
			break;
		}
		if (v != 5 && v != 6) {
			ret = fail(err, EALREADY, "the migration has already ended", -1);
			break;
		}
		run_init(v);
		ret = deliver(running_msg(v, cmd, KMIG_MIG_STATE_CANCELLED, 1),
			      maxattr, cb, arg);
		break;
	default:
		ret = fail(err, EOPNOTSUPP, NULL, -1);
	}
	nlmsg_free(msg);
	return ret;
}

int kmig_nl_dump(struct kmig_nl *nl, uint8_t cmd, int maxattr,
		 kmig_nl_cb cb, void *arg, struct kmig_nl_err *err)
{
	(void)nl;
	err_init(err);
	if (cmd == KMIG_CMD_MIG_GET) {
		if (fake("empty"))
			return 0;
		/* out of order on purpose: migctl sorts by region */
		if (deliver(mig_msg(3, cmd), maxattr, cb, arg) < 0 ||
		    deliver(mig_msg(1, cmd), maxattr, cb, arg) < 0)
			return -1;
		return 0;
	}
	if (cmd != KMIG_CMD_REGION_GET)
		return fail(err, EOPNOTSUPP, NULL, -1);
	if (fake("empty"))
		return 0;
	/* out of order on purpose: migctl sorts by id */
	if (deliver(region_msg(3), maxattr, cb, arg) < 0 ||
	    deliver(region_msg(1), maxattr, cb, arg) < 0)
		return -1;
	return 0;
}

/* ---- events ---- */

int kmig_nl_subscribe(struct kmig_nl *nl, const char *group,
		      struct kmig_nl_err *err)
{
	(void)nl;
	err_init(err);
	if (fake("nogroup") || strcmp(group, KMIG_MCGRP_EVENTS)) {
		err->nlerr = NLE_OBJ_NOTFOUND;
		return -1;
	}
	return 0;
}

uint64_t kmig_page_size(void)
{
	return 4096;
}

static struct nl_msg *event_msg(uint32_t region, uint32_t role,
				uint32_t state, uint32_t event)
{
	struct nl_msg *m = reply_msg(KMIG_CMD_MIG_EVENT);

	nla_put_u32(m, KMIG_A_MIG_REGION_ID, region);
	nla_put_u32(m, KMIG_A_MIG_ROLE, role);
	nla_put_u32(m, KMIG_A_MIG_STATE, state);
	nla_put_u32(m, KMIG_A_MIG_EVENT, event);
	return m;
}

/* An event of a COLO migration: the colo flag, and live on a primary. */
static struct nl_msg *colo_event(uint32_t region, uint32_t role,
				 uint32_t state, uint32_t event)
{
	struct nl_msg *m = event_msg(region, role, state, event);

	if (role == KMIG_MIG_ROLE_SOURCE)
		nla_put_flag(m, KMIG_A_MIG_LIVE);
	nla_put_flag(m, KMIG_A_MIG_COLO);
	return m;
}

/* The notifications of the fake "events" group, in order. */
static struct nl_msg *fake_event(int i)
{
	const uint32_t src = KMIG_MIG_ROLE_SOURCE;
	const uint32_t dst = KMIG_MIG_ROLE_DESTINATION;
	struct nl_msg *m;

	switch (i) {
	case 0:
		m = event_msg(3, src, KMIG_MIG_STATE_SETUP, KMIG_MIG_EVENT_STATE);
		put_live(m, 300, 0, 0, 0, 0);
		return m;
	case 1:		/* not an event: skipped */
		return mig_msg(1, KMIG_CMD_MIG_GET);
	case 2:
		m = event_msg(3, src, KMIG_MIG_STATE_ACTIVE, KMIG_MIG_EVENT_STATE);
		put_live(m, 300, 0, 0, 0, 0);
		return m;
	case 3:
		return event_msg(4, dst, KMIG_MIG_STATE_ACTIVE,
				 KMIG_MIG_EVENT_STATE);
	case 4:
	case 5:
		m = event_msg(3, src, KMIG_MIG_STATE_ACTIVE,
			      KMIG_MIG_EVENT_PASS_DONE);
		put_live(m, 300, 0, 0, 0, i - 3);
		return m;
	case 6:
		m = event_msg(3, src, KMIG_MIG_STATE_ACTIVE,
			      KMIG_MIG_EVENT_SWITCHOVER_READY);
		put_live(m, 300, 0, 0, 0, 2);
		return m;
	case 7:
		m = event_msg(3, src, KMIG_MIG_STATE_COMPLETED,
			      KMIG_MIG_EVENT_COMPLETED);
		put_live(m, 300, 0, 0, 0, 3);
		nla_put_u64(m, KMIG_A_MIG_DOWNTIME_NS, 45200000);
		return m;
	case 8:		/* a zero downtime is no downtime */
		m = event_msg(4, dst, KMIG_MIG_STATE_COMPLETED,
			      KMIG_MIG_EVENT_COMPLETED);
		nla_put_u64(m, KMIG_A_MIG_DOWNTIME_NS, 0);
		return m;
	case 9:
		m = event_msg(5, src, KMIG_MIG_STATE_FAILED,
			      KMIG_MIG_EVENT_FAILED);
		nla_put_string(m, KMIG_A_MIG_REASON,
			       "channel 0: connection reset by peer");
		return m;
	case 10:
		m = event_msg(6, src, KMIG_MIG_STATE_CANCELLED,
			      KMIG_MIG_EVENT_CANCELLED);
		nla_put_string(m, KMIG_A_MIG_REASON, "cancelled by the user");
		return m;
	case 11:	/* forced by the pass limit: beyond the limit */
		m = event_msg(8, src, KMIG_MIG_STATE_ACTIVE,
			      KMIG_MIG_EVENT_SWITCHOVER_READY);
		put_live(m, 300, 0, 5, KMIG_NO_CONVERGENCE_SWITCHOVER, 5);
		nla_put_u64(m, KMIG_A_MIG_EXPECTED_DOWNTIME_NS, 900000000);
		return m;
	case 12:	/* an event newer than migctl */
		return event_msg(8, src, KMIG_MIG_STATE_ACTIVE, 99);
	case 13:
		m = colo_event(10, src, KMIG_MIG_STATE_COLO, KMIG_MIG_EVENT_STATE);
		nla_put_u32(m, KMIG_A_MIG_CHECKPOINT_INTERVAL_MS, 1000);
		put_colo(m, true, 0);
		return m;
	case 14:
		m = colo_event(10, src, KMIG_MIG_STATE_COLO,
			       KMIG_MIG_EVENT_CHECKPOINT_PAUSE);
		nla_put_u64(m, KMIG_A_MIG_CHECKPOINT, 13);
		return m;
	case 15:	/* secondary: its own times, a flush below 1 ms */
		m = colo_event(11, dst, KMIG_MIG_STATE_COLO,
			       KMIG_MIG_EVENT_CHECKPOINT_DONE);
		nla_put_u64(m, KMIG_A_MIG_CHECKPOINT, 13);
		nla_put_u64(m, KMIG_A_MIG_CHECKPOINTS, 13);
		nla_put_u64(m, KMIG_A_MIG_CKPT_PAGES, 1234);
		nla_put_u64(m, KMIG_A_MIG_CKPT_BYTES, 5074000);
		put_lat(m, KMIG_COLO_METRIC_TRANSFER, 13, 20100000, 19890000,
			19500000, 24000000, 25312000);
		put_lat(m, KMIG_COLO_METRIC_FLUSH, 13, 450000, 2020000,
			2125000, 2750000, 2800000);
		return m;
	case 16:	/* primary: its pause, with the secondary's times */
		m = colo_event(10, src, KMIG_MIG_STATE_COLO,
			       KMIG_MIG_EVENT_CHECKPOINT_DONE);
		nla_put_u64(m, KMIG_A_MIG_CHECKPOINT, 13);
		nla_put_u64(m, KMIG_A_MIG_CHECKPOINTS, 13);
		nla_put_u64(m, KMIG_A_MIG_CKPT_PAGES, 1234);
		nla_put_u64(m, KMIG_A_MIG_CKPT_BYTES, 5074000);
		put_colo_lat(m, true, 13);
		return m;
	case 17:
		m = colo_event(11, dst, KMIG_MIG_STATE_FAILOVER,
			       KMIG_MIG_EVENT_FAILOVER);
		nla_put_string(m, KMIG_A_MIG_REASON, "peer closed channel 1");
		nla_put_u64(m, KMIG_A_MIG_CHECKPOINT, 13);
		return m;
	case 18:
		m = colo_event(10, src, KMIG_MIG_STATE_FAILOVER,
			       KMIG_MIG_EVENT_FAILOVER);
		nla_put_string(m, KMIG_A_MIG_REASON,
			       "channel 0: connection reset by peer (-104)");
		nla_put_u64(m, KMIG_A_MIG_CHECKPOINT, 13);
		return m;
	case 19:	/* the bare minimum of each COLO event */
		return event_msg(12, dst, KMIG_MIG_STATE_COLO,
				 KMIG_MIG_EVENT_CHECKPOINT_PAUSE);
	case 20:
		return event_msg(12, dst, KMIG_MIG_STATE_COLO,
				 KMIG_MIG_EVENT_CHECKPOINT_DONE);
	case 21:
		return event_msg(12, dst, KMIG_MIG_STATE_FAILOVER,
				 KMIG_MIG_EVENT_FAILOVER);
	case 22:	/* postcopy: the source's downtime ends */
		m = event_msg(13, src, KMIG_MIG_STATE_POSTCOPY_ACTIVE,
			      KMIG_MIG_EVENT_POSTCOPY_ACTIVE);
		put_live(m, 300, 0, 0, 0, 2);
		nla_put_u64(m, KMIG_A_MIG_DOWNTIME_NS, 12300000);
		put_postcopy(m, false, true, 1, 16, (const uint64_t[4]){ 0 },
			     pc_nopause);
		return m;
	case 23:	/* the destination resumes, pages still on the source */
		m = event_msg(14, dst, KMIG_MIG_STATE_POSTCOPY_ACTIVE,
			      KMIG_MIG_EVENT_POSTCOPY_ACTIVE);
		put_postcopy(m, true, true, 0, 0, (const uint64_t[4]){ 0 },
			     pc_nopause);
		put_postcopy_dst(m, 1234, 0, 0, pc_lat0);
		return m;
	case 24:
		m = event_msg(14, dst, KMIG_MIG_STATE_COMPLETED,
			      KMIG_MIG_EVENT_COMPLETED);
		put_postcopy(m, true, true, 0, 0, pc_dst, pc_nopause);
		put_postcopy_dst(m, 0, 55, 24, pc_lat);
		return m;
	case 25:	/* failed during postcopy: the missing pages are lost */
		m = event_msg(15, dst, KMIG_MIG_STATE_FAILED,
			      KMIG_MIG_EVENT_FAILED);
		nla_put_string(m, KMIG_A_MIG_REASON, "peer closed channel 0");
		put_postcopy(m, true, true, 0, 0, pc_dst, pc_nopause);
		put_postcopy_dst(m, 1234, 57, 3, pc_lat);
		return m;
	case 26:	/* failed before postcopy began: nothing lost */
		m = event_msg(15, dst, KMIG_MIG_STATE_FAILED,
			      KMIG_MIG_EVENT_FAILED);
		nla_put_string(m, KMIG_A_MIG_REASON, "peer closed channel 1");
		put_postcopy(m, true, false, 0, 0, (const uint64_t[4]){ 0 },
			     pc_nopause);
		put_postcopy_dst(m, 77, 0, 0, pc_lat0);
		return m;
	case 27:	/* a broken link in postcopy: paused, nothing lost */
		m = event_msg(16, src, KMIG_MIG_STATE_POSTCOPY_PAUSED,
			      KMIG_MIG_EVENT_POSTCOPY_PAUSED);
		put_live(m, 300, 8 << 20, 0, 0, 2);
		nla_put_u64(m, KMIG_A_MIG_DOWNTIME_NS, 12300000);
		nla_put_string(m, KMIG_A_MIG_REASON,
			       "postcopy: channel 0 failed: peer closed or reset (-104)");
		put_postcopy(m, false, true, 1, 16, pc_src16, pc_pause16);
		return m;
	case 28:	/* the destination's missing pages are not lost */
		m = event_msg(17, dst, KMIG_MIG_STATE_POSTCOPY_PAUSED,
			      KMIG_MIG_EVENT_POSTCOPY_PAUSED);
		nla_put_string(m, KMIG_A_MIG_REASON,
			       "peer closed channel 1 before COMPLETE (packet 5210)");
		put_postcopy(m, true, true, 0, 0, pc_dst17, pc_pause17);
		put_postcopy_dst(m, 2345, 30, 2, pc_lat);
		return m;
	}
	return NULL;
}

int kmig_nl_recv_notify(struct kmig_nl *nl, int maxattr, kmig_nl_cb cb,
			void *arg, struct kmig_nl_err *err)
{
	struct nlattr *tb[KMIG_NL_MAXATTR + 1];
	struct nl_msg *m;
	int i, ret = 0;

	(void)nl;
	err_init(err);
	for (i = 0; (m = fake_event(i)); i++) {
		if (genlmsg_parse(nlmsg_hdr(m), 0, tb, maxattr, NULL) < 0)
			ret = 0;	/* skipped, like nl.c */
		else
			ret = cb(nlmsg_hdr(m), tb, arg);
		nlmsg_free(m);
		if (ret)
			break;
	}
	return ret < 0 ? -1 : 0;
}
