// SPDX-License-Identifier: GPL-2.0
/*
 * Test double of nl.c: answers kmig requests from canned data, so that the
 * output of every command (text and JSON) can be checked without the
 * module. Linked into migctl-fake by "make check"; never installed.
 *
 * MIGCTL_FAKE selects the behaviour (comma-separated words):
 *   nomodule   the family is not found
 *   eperm      admin operations fail with EPERM
 *   empty      no regions
 *   sparse     replies carry only some attributes
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <netlink/genl/genl.h>

#include <linux/kmig.h>

#include "../migctl.h"
#include "../nl.h"

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
	}
	return deliver(m, maxattr, cb, arg);
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
