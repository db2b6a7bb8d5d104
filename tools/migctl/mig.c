// SPDX-License-Identifier: GPL-2.0
/*
 * The migrations as migctl sees them: the reply attributes of
 * KMIG_CMD_MIG_* (one record per migration, with its channels and COLO
 * latencies), the requests that start, query and end them, and the exit
 * status of ended ones. Printing is in mig-print.c; the commands are in
 * listen.c, start.c, status.c, control.c, monitor.c and vm.c.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <netlink/genl/genl.h>

#include <linux/kmig.h>

#include "migctl.h"
#include "mig.h"
#include "nl.h"
#include "record.h"

const struct field mig_fields[] = {
	FIELD(KMIG_A_MIG_REGION_ID,		"region-id",		FF_NUM),
	FIELD_ENUM(KMIG_A_MIG_ROLE,		"role",			FF_ENUM,
		   &kmig_mig_role_enum),
	FIELD_ENUM(KMIG_A_MIG_STATE,		"state",		FF_ENUM,
		   &kmig_mig_state_enum),
	FIELD(KMIG_A_MIG_ADDR,			"addr",			FF_STR),
	FIELD(KMIG_A_MIG_PORT,			"port",			FF_NUM),
	FIELD(KMIG_A_MIG_CHANNELS,		"channels",		FF_NUM),
	FIELD_ENUM(KMIG_A_MIG_ZERO_PAGE_DETECTION, "zero-page-detection", FF_ENUM,
		   &kmig_zero_detect_enum),
	FIELD(KMIG_A_MIG_MIGRATION_ID,		"migration-id",		FF_HEX),
	FIELD(KMIG_A_MIG_PAGES_TOTAL,		"pages-total",		FF_NUM),
	FIELD(KMIG_A_MIG_PAGES_DONE,		"pages-done",		FF_NUM),
	FIELD(KMIG_A_MIG_ZERO_PAGES,		"zero-pages",		FF_NUM),
	FIELD(KMIG_A_MIG_ZERO_BYTES,		"zero-bytes",		FF_BYTES),
	FIELD(KMIG_A_MIG_NORMAL_PAGES,		"normal-pages",		FF_NUM),
	FIELD(KMIG_A_MIG_NORMAL_BYTES,		"normal-bytes",		FF_BYTES),
	FIELD(KMIG_A_MIG_PACKETS,		"packets",		FF_NUM),
	FIELD(KMIG_A_MIG_BYTES,			"bytes",		FF_BYTES),
	FIELD(KMIG_A_MIG_SPLICE_FALLBACKS,	"splice-fallbacks",	FF_NUM),
	FIELD(KMIG_A_MIG_SETUP_NS,		"setup-ns",		FF_NUM),
	FIELD(KMIG_A_MIG_TIME_NS,		"time-ns",		FF_NUM),
	FIELD(KMIG_A_MIG_THROUGHPUT,		"throughput",		FF_NUM),
	FIELD(KMIG_A_MIG_REASON,		"reason",		FF_STR),
	FIELD(KMIG_A_MIG_REJECTED_CONNECTIONS,	"rejected-connections",	FF_NUM),
	FIELD(KMIG_A_MIG_MALFORMED_PACKETS,	"malformed-packets",	FF_NUM),
	FIELD(KMIG_A_MIG_PASSES,		"passes",		FF_NUM),
	FIELD(KMIG_A_MIG_LIVE,			"live",			FF_FLAG),
	FIELD(KMIG_A_MIG_DOWNTIME_LIMIT_MS,	"downtime-limit-ms",	FF_NUM),
	FIELD(KMIG_A_MIG_MAX_BANDWIDTH,		"max-bandwidth",	FF_NUM),
	FIELD(KMIG_A_MIG_MAX_PASSES,		"max-passes",		FF_NUM),
	FIELD_ENUM(KMIG_A_MIG_NO_CONVERGENCE,	"no-convergence",	FF_ENUM,
		   &kmig_no_convergence_enum),
	FIELD_ENUM(KMIG_A_MIG_EVENT,		"event",		FF_ENUM,
		   &kmig_mig_event_enum),
	FIELD(KMIG_A_MIG_PASS,			"pass",			FF_NUM),
	FIELD(KMIG_A_MIG_DIRTY_RATE,		"dirty-rate",		FF_NUM),
	FIELD(KMIG_A_MIG_EXPECTED_DOWNTIME_NS,	"expected-downtime-ns",	FF_NUM),
	FIELD(KMIG_A_MIG_REMAINING_BYTES,	"remaining-bytes",	FF_NUM),
	FIELD(KMIG_A_MIG_DOWNTIME_NS,		"downtime-ns",		FF_NUM),
	FIELD(KMIG_A_MIG_DIRTY_SYNCS,		"dirty-syncs",		FF_NUM),
	FIELD(KMIG_A_MIG_SWITCHOVER_READY,	"switchover-ready",	FF_NUM),
	FIELD(KMIG_A_MIG_COLO,			"colo",			FF_FLAG),
	FIELD(KMIG_A_MIG_CHECKPOINT_INTERVAL_MS, "checkpoint-interval-ms", FF_NUM),
	FIELD(KMIG_A_MIG_CHECKPOINT,		"checkpoint",		FF_NUM),
	FIELD(KMIG_A_MIG_CHECKPOINTS,		"checkpoints",		FF_NUM),
	FIELD(KMIG_A_MIG_CKPT_PAGES,		"ckpt-pages",		FF_NUM),
	FIELD(KMIG_A_MIG_CKPT_BYTES,		"ckpt-bytes",		FF_NUM),
	FIELD(KMIG_A_MIG_COLO_CACHE_PAGES,	"colo-cache-pages",	FF_NUM),
	FIELD(KMIG_A_MIG_AUTH,			"auth",			FF_NUM),
	FIELD(KMIG_A_MIG_AUTH_FAILURES,		"auth-failures",	FF_NUM),
	FIELD(KMIG_A_MIG_INTEGRITY,		"integrity",		FF_FLAG),
	FIELD(KMIG_A_MIG_INTEGRITY_ERRORS,	"integrity-errors",	FF_NUM),
	FIELD(KMIG_A_MIG_POSTCOPY,		"postcopy",		FF_FLAG),
	FIELD(KMIG_A_MIG_POSTCOPY_AFTER,	"postcopy-after",	FF_NUM),
	FIELD(KMIG_A_MIG_POSTCOPY_PREFETCH,	"postcopy-prefetch",	FF_NUM),
	FIELD(KMIG_A_MIG_POSTCOPY_REQUESTS,	"postcopy-requests",	FF_NUM),
	FIELD(KMIG_A_MIG_POSTCOPY_REQUESTED_PAGES, "postcopy-requested-pages", FF_NUM),
	FIELD(KMIG_A_MIG_POSTCOPY_SERVED_PAGES,	"postcopy-served-pages", FF_NUM),
	FIELD(KMIG_A_MIG_POSTCOPY_PUSHED_PAGES,	"postcopy-pushed-pages", FF_NUM),
	FIELD(KMIG_A_MIG_POSTCOPY_MISSING_PAGES, "postcopy-missing-pages", FF_NUM),
	FIELD(KMIG_A_MIG_POSTCOPY_FAULTS,	"postcopy-faults",	FF_NUM),
	FIELD(KMIG_A_MIG_POSTCOPY_DISCARDED_PAGES, "postcopy-discarded-pages", FF_NUM),
	FIELD(KMIG_A_MIG_POSTCOPY_PAUSE_TIMEOUT_MS, "postcopy-pause-timeout-ms", FF_NUM),
	FIELD(KMIG_A_MIG_POSTCOPY_PAUSES,	"postcopy-pauses",	FF_NUM),
};

const size_t mig_nfields = ARRAY_SIZE(mig_fields);

const struct field mig_chan_fields[] = {
	FIELD(KMIG_A_MIG_CHANNEL_ID,		"id",			FF_NUM),
	FIELD(KMIG_A_MIG_CHANNEL_CPU,		"cpu",			FF_NUM),
	FIELD(KMIG_A_MIG_CHANNEL_PAGES,		"pages",		FF_NUM),
	FIELD(KMIG_A_MIG_CHANNEL_ZERO_PAGES,	"zero-pages",		FF_NUM),
	FIELD(KMIG_A_MIG_CHANNEL_BYTES,		"bytes",		FF_NUM),
	FIELD(KMIG_A_MIG_CHANNEL_PACKETS,	"packets",		FF_NUM),
};

const size_t mig_nchan_fields = ARRAY_SIZE(mig_chan_fields);

/*
 * One latency summary: a COLO one (KMIG_A_MIG_COLO_LATENCY, the metric is
 * its JSON key) or postcopy's (KMIG_A_MIG_POSTCOPY_LATENCY, no metric).
 */
const struct field mig_lat_fields[] = {
	FIELD_ENUM(KMIG_A_COLO_LATENCY_METRIC,	"metric",		FF_ENUM,
		   &kmig_colo_metric_enum),
	FIELD(KMIG_A_COLO_LATENCY_COUNT,	"count",		FF_NUM),
	FIELD(KMIG_A_COLO_LATENCY_LAST_NS,	"last-ns",		FF_NUM),
	FIELD(KMIG_A_COLO_LATENCY_MEAN_NS,	"mean-ns",		FF_NUM),
	FIELD(KMIG_A_COLO_LATENCY_P50_NS,	"p50-ns",		FF_NUM),
	FIELD(KMIG_A_COLO_LATENCY_P99_NS,	"p99-ns",		FF_NUM),
	FIELD(KMIG_A_COLO_LATENCY_MAX_NS,	"max-ns",		FF_NUM),
};

const size_t mig_nlat_fields = ARRAY_SIZE(mig_lat_fields);

void migs_free(struct migs *ms)
{
	size_t i, j;

	for (i = 0; i < ms->n; i++) {
		record_free(&ms->m[i].r);
		for (j = 0; j < ms->m[i].nch; j++)
			record_free(&ms->m[i].ch[j]);
		free(ms->m[i].ch);
		for (j = 0; j < ms->m[i].nlat; j++)
			record_free(&ms->m[i].lat[j]);
		free(ms->m[i].lat);
		for (j = 0; j < ms->m[i].npclat; j++)
			record_free(&ms->m[i].pclat[j]);
		free(ms->m[i].pclat);
	}
	free(ms->m);
	ms->m = NULL;
	ms->n = 0;
	ms->cap = 0;
}

/*
 * Every nest of the multi-attr @type of @nlh (attributes up to @maxattr)
 * into the records *@out, *@n of them. Malformed nests are left out.
 */
static int parse_nests(const struct nlmsghdr *nlh, int type, int maxattr,
		       const struct field *f, size_t nf,
		       struct record **out, size_t *n)
{
	struct nlattr *ntb[RECORD_MAX_ATTR + 1];
	struct nlattr *a;
	size_t cap = 0;
	int rem;

	kmig_nl_for_each_attr(a, nlh, rem) {
		if (nla_type(a) != type)
			continue;
		if (nla_parse_nested(ntb, maxattr, a, NULL) < 0)
			continue;	/* malformed: left out */
		if (*n == cap) {
			struct record *c;

			cap = cap ? cap * 2 : 8;
			c = realloc(*out, cap * sizeof(*c));
			if (!c)
				return -1;
			*out = c;
		}
		if (record_parse(&(*out)[*n], ntb, f, nf) < 0) {
			record_free(&(*out)[*n]);
			return -1;
		}
		(*n)++;
	}
	return 0;
}

/* By metric; latencies without one last. */
static int cmp_metric(const void *a, const void *b)
{
	uint64_t i = UINT64_MAX, j = UINT64_MAX;

	record_num(a, KMIG_A_COLO_LATENCY_METRIC, &i);
	record_num(b, KMIG_A_COLO_LATENCY_METRIC, &j);
	return i < j ? -1 : i > j;
}

static int parse_channels(struct mig *m, const struct nlmsghdr *nlh)
{
	return parse_nests(nlh, KMIG_A_MIG_CHANNEL, KMIG_A_MIG_CHANNEL_MAX,
			   mig_chan_fields, mig_nchan_fields, &m->ch, &m->nch);
}

static int parse_latencies(struct mig *m, const struct nlmsghdr *nlh)
{
	if (parse_nests(nlh, KMIG_A_MIG_COLO_LATENCY, KMIG_A_COLO_LATENCY_MAX,
			mig_lat_fields, mig_nlat_fields, &m->lat, &m->nlat) < 0)
		return -1;
	if (m->nlat > 1)
		qsort(m->lat, m->nlat, sizeof(*m->lat), cmp_metric);
	return 0;
}

/* The postcopy fault latency: one nest, the first if a reply had more. */
static int parse_postcopy_latency(struct mig *m, const struct nlmsghdr *nlh)
{
	size_t i;

	if (parse_nests(nlh, KMIG_A_MIG_POSTCOPY_LATENCY,
			KMIG_A_COLO_LATENCY_MAX, mig_lat_fields, mig_nlat_fields,
			&m->pclat, &m->npclat) < 0)
		return -1;
	for (i = 1; i < m->npclat; i++)
		record_free(&m->pclat[i]);
	if (m->npclat > 1)
		m->npclat = 1;
	return 0;
}

int mig_reply_cb(const struct nlmsghdr *nlh, struct nlattr **tb, void *arg)
{
	struct migs *ms = arg;
	struct mig *m;

	if (ms->n == ms->cap) {
		size_t cap = ms->cap ? ms->cap * 2 : 8;

		m = realloc(ms->m, cap * sizeof(*m));
		if (!m)
			goto oom;
		ms->m = m;
		ms->cap = cap;
	}
	m = &ms->m[ms->n];
	memset(m, 0, sizeof(*m));
	ms->n++;
	if (record_parse(&m->r, tb, mig_fields, mig_nfields) < 0 ||
	    parse_channels(m, nlh) < 0 || parse_latencies(m, nlh) < 0 ||
	    parse_postcopy_latency(m, nlh) < 0)
		goto oom;
	return 0;
oom:
	err_line("%s: out of memory", ms->what);
	return -1;
}

/* By region id; migrations without one last. */
static int cmp_region(const void *a, const void *b)
{
	const struct mig *x = a, *y = b;
	uint64_t i = UINT64_MAX, j = UINT64_MAX;

	record_num(&x->r, KMIG_A_MIG_REGION_ID, &i);
	record_num(&y->r, KMIG_A_MIG_REGION_ID, &j);
	return i < j ? -1 : i > j;
}

uint64_t mig_num_or(const struct mig *m, int attr, uint64_t dflt)
{
	uint64_t v;

	return record_num(&m->r, attr, &v) ? v : dflt;
}

const char *mig_str(const struct mig *m, int attr)
{
	return record_has(&m->r, attr) ? m->r.str[attr] : NULL;
}

/* State of @m; KMIG_MIG_STATE_NONE when absent. */
uint64_t mig_state(const struct mig *m)
{
	return mig_num_or(m, KMIG_A_MIG_STATE, KMIG_MIG_STATE_NONE);
}

/*
 * Whether @m will not change any more. An absent state counts as ended
 * (nothing to wait for); a state newer than this tool does not.
 */
bool mig_ended(const struct mig *m)
{
	switch (mig_state(m)) {
	case KMIG_MIG_STATE_LISTENING:
	case KMIG_MIG_STATE_SETUP:
	case KMIG_MIG_STATE_ACTIVE:
	case KMIG_MIG_STATE_COLO:	/* runs until cancelled or failover */
	case KMIG_MIG_STATE_POSTCOPY_ACTIVE:
	case KMIG_MIG_STATE_POSTCOPY_PAUSED:	/* until resumed, cancelled or timed out */
		return false;
	case KMIG_MIG_STATE_NONE:
	case KMIG_MIG_STATE_COMPLETED:
	case KMIG_MIG_STATE_FAILED:
	case KMIG_MIG_STATE_CANCELLED:
	case KMIG_MIG_STATE_FAILOVER:
		return true;
	}
	return false;
}

/* Whether @m is a live migration (the live flag). */
bool mig_is_live(const struct mig *m)
{
	return record_has(&m->r, KMIG_A_MIG_LIVE);
}

/* Whether @m is a COLO migration (the colo flag). */
bool mig_is_colo(const struct mig *m)
{
	return record_has(&m->r, KMIG_A_MIG_COLO);
}

bool mig_has_postcopy(const struct mig *m)
{
	return record_has(&m->r, KMIG_A_MIG_POSTCOPY) ||
	       record_has(&m->r, KMIG_A_MIG_POSTCOPY_AFTER) ||
	       record_has(&m->r, KMIG_A_MIG_POSTCOPY_REQUESTS) ||
	       record_has(&m->r, KMIG_A_MIG_POSTCOPY_MISSING_PAGES) ||
	       m->npclat;
}

const struct record *mig_postcopy_latency(const struct mig *m)
{
	return m->npclat ? &m->pclat[0] : NULL;
}

char *mig_strerror(char *buf, size_t len, const struct kmig_nl_err *err,
		   uint8_t cmd, uint32_t region)
{
	char reason[96];
	const char *r = NULL;

	/*
	 * ENOENT: no such region, or (get, cancel) no migration on it; the
	 * kernel's message tells which.
	 */
	if (err->kerr == ENOENT) {
		if (cmd == KMIG_CMD_MIG_LISTEN || cmd == KMIG_CMD_MIG_START)
			snprintf(reason, sizeof(reason), "no region with id %u",
				 region);
		else if (err->msg[0])
			snprintf(reason, sizeof(reason), "region %u", region);
		else
			snprintf(reason, sizeof(reason),
				 "no migration on region %u", region);
		r = reason;
	}
	return kmig_nl_strerror(buf, len, err, r);
}

void mig_report(const char *what, const struct kmig_nl_err *err,
		uint8_t cmd, uint32_t region)
{
	char buf[512];

	if (*mig_strerror(buf, sizeof(buf), err, cmd, region))
		err_line("%s: %s", what, buf);
}

/* Do-request @cmd for @req; the one reply replaces the contents of @ms. */
int mig_do(struct kmig_nl *nl, uint8_t cmd, const struct mig_req *req,
		  struct migs *ms)
{
	struct nlattr *key = NULL;
	struct kmig_nl_err err;
	struct nl_msg *msg;
	int ret;

	migs_free(ms);
	msg = kmig_nl_msg(nl, cmd, 0);
	if (!msg ||
	    nla_put_u32(msg, KMIG_A_MIG_REGION_ID, req->region) < 0 ||
	    (req->addr && nla_put_string(msg, KMIG_A_MIG_ADDR, req->addr) < 0) ||
	    (req->have_port && nla_put_u16(msg, KMIG_A_MIG_PORT, req->port) < 0) ||
	    (req->channels &&
	     nla_put_u32(msg, KMIG_A_MIG_CHANNELS, req->channels) < 0) ||
	    (req->zero_detect >= 0 &&
	     nla_put_u32(msg, KMIG_A_MIG_ZERO_PAGE_DETECTION,
			 req->zero_detect) < 0) ||
	    (req->have_id && nla_put(msg, KMIG_A_MIG_MIGRATION_ID,
				     sizeof(req->id), req->id) < 0) ||
	    (req->live && nla_put_flag(msg, KMIG_A_MIG_LIVE) < 0) ||
	    (req->downtime_limit &&
	     nla_put_u32(msg, KMIG_A_MIG_DOWNTIME_LIMIT_MS,
			 req->downtime_limit) < 0) ||
	    (req->have_bandwidth &&
	     nla_put_u64(msg, KMIG_A_MIG_MAX_BANDWIDTH,
			 req->max_bandwidth) < 0) ||
	    (req->have_max_passes &&
	     nla_put_u32(msg, KMIG_A_MIG_MAX_PASSES, req->max_passes) < 0) ||
	    (req->no_convergence >= 0 &&
	     nla_put_u32(msg, KMIG_A_MIG_NO_CONVERGENCE,
			 req->no_convergence) < 0) ||
	    (req->colo && nla_put_flag(msg, KMIG_A_MIG_COLO) < 0) ||
	    (req->checkpoint_interval &&
	     nla_put_u32(msg, KMIG_A_MIG_CHECKPOINT_INTERVAL_MS,
			 req->checkpoint_interval) < 0) ||
	    (req->insecure && nla_put_flag(msg, KMIG_A_MIG_INSECURE) < 0) ||
	    (req->integrity && nla_put_flag(msg, KMIG_A_MIG_INTEGRITY) < 0) ||
	    (req->postcopy && nla_put_flag(msg, KMIG_A_MIG_POSTCOPY) < 0) ||
	    (req->have_postcopy_after &&
	     nla_put_u32(msg, KMIG_A_MIG_POSTCOPY_AFTER,
			 req->postcopy_after) < 0) ||
	    (req->have_prefetch &&
	     nla_put_u32(msg, KMIG_A_MIG_POSTCOPY_PREFETCH, req->prefetch) < 0) ||
	    (req->pc_pause_timeout &&
	     nla_put_u32(msg, KMIG_A_MIG_POSTCOPY_PAUSE_TIMEOUT_MS,
			 req->pc_pause_timeout) < 0) ||
	    (req->key && !(key = nla_reserve(msg, KMIG_A_MIG_KEY, KEY_LEN)))) {
		nlmsg_free(msg);
		err_line("%s: out of memory", ms->what);
		return -1;
	}
	if (key) {
		/* Our reference keeps the message, to wipe the key once sent. */
		memcpy(nla_data(key), req->key, KEY_LEN);
		key_wipe(req->key, KEY_LEN);
		nlmsg_get(msg);
	}
	ret = kmig_nl_do(nl, msg, KMIG_A_MIG_MAX, mig_reply_cb, ms, &err);
	if (key) {
		key_wipe(nla_data(key), KEY_LEN);
		nlmsg_free(msg);
	}
	if (ret < 0) {
		if (ms->err)
			mig_strerror(ms->err, ms->errlen, &err, cmd, req->region);
		else
			mig_report(ms->what, &err, cmd, req->region);
		return -1;
	}
	if (ms->n != 1) {
		if (ms->err)
			snprintf(ms->err, ms->errlen,
				 "expected one reply from the kernel, got %zu",
				 ms->n);
		else
			err_line("%s: expected one reply from the kernel, got %zu",
				 ms->what, ms->n);
		return -1;
	}
	return 0;
}

/* MIG_GET of @region, or the dump of all migrations when @region is 0. */
int mig_get(struct kmig_nl *nl, uint32_t region, struct migs *ms)
{
	struct mig_req req = {
		.region = region, .zero_detect = -1, .no_convergence = -1,
	};
	struct kmig_nl_err err;

	if (region)
		return mig_do(nl, KMIG_CMD_MIG_GET, &req, ms);
	migs_free(ms);
	if (kmig_nl_dump(nl, KMIG_CMD_MIG_GET, KMIG_A_MIG_MAX, mig_reply_cb, ms,
			 &err) < 0) {
		kmig_nl_report(ms->what, &err, NULL);
		return -1;
	}
	qsort(ms->m, ms->n, sizeof(*ms->m), cmp_region);
	return 0;
}

/*
 * Exit status once the migrations of @ms have ended: 0 when all completed,
 * else 1 with one line per migration that did not ("COLO failover: ..."
 * for a COLO migration that lost its peer).
 */
int mig_ended_status(const struct migs *ms, bool one)
{
	int ret = EXIT_OK;
	size_t i;

	for (i = 0; i < ms->n; i++) {
		const struct mig *m = &ms->m[i];
		const char *reason = mig_str(m, KMIG_A_MIG_REASON);
		uint64_t state = mig_state(m);
		char where[48] = "";

		if (state == KMIG_MIG_STATE_COMPLETED)
			continue;
		if (state == KMIG_MIG_STATE_NONE) {
			if (one) {
				err_line("%s: no migration on region %" PRIu64,
					 ms->what,
					 mig_num_or(m, KMIG_A_MIG_REGION_ID, 0));
				ret = EXIT_ERR;
			}
			continue;
		}
		if (!one)
			snprintf(where, sizeof(where), "region %" PRIu64 ": ",
				 mig_num_or(m, KMIG_A_MIG_REGION_ID, 0));
		if (state == KMIG_MIG_STATE_FAILOVER) {
			char ckpt[64] = "";
			uint64_t v;

			if (!reason || !*reason)
				reason = "peer lost";
			if (record_num(&m->r, KMIG_A_MIG_CHECKPOINT, &v))
				snprintf(ckpt, sizeof(ckpt),
					 " (last committed checkpoint %" PRIu64 ")",
					 v);
			err_line("COLO failover: %s%s%s", where, reason, ckpt);
			ret = EXIT_ERR;
			continue;
		}
		if (!reason || !*reason)
			reason = state == KMIG_MIG_STATE_CANCELLED ? "cancelled" :
				 state == KMIG_MIG_STATE_FAILED ? "no reason given" :
				 "ended in an unknown state";
		err_line("migration failed: %s%s", where, reason);
		ret = EXIT_ERR;
	}
	return ret;
}
